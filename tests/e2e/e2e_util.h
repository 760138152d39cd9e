// Helpers of the end-to-end tests that run the crawler binary: where it
// is, and reading what it wrote.
#ifndef TESTS_E2E_E2E_UTIL_H_
#define TESTS_E2E_E2E_UTIL_H_

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "crawler/testing/command.h"

namespace crawler::e2e {

// The crawler binary in the runfiles (the test lists //crawler/cli:crawler
// in its data).
inline std::string CrawlerPath() {
  return crawler::testing::RunfilePath("crawler/cli/crawler");
}

// The whole file, bytes as they are; "" when it cannot be read.
inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline size_t LineCount(const std::string& path) {
  const std::string text = ReadFile(path);
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

// The JSON lines of `path`; every line must be a whole JSON value.
inline std::vector<nlohmann::json> Records(const std::string& path) {
  std::vector<nlohmann::json> out;
  std::istringstream in(ReadFile(path));
  std::string line;
  while (std::getline(in, line)) {
    nlohmann::json j =
        nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    REQUIRE_MESSAGE(!j.is_discarded(), "not a whole JSON line: " << line);
    out.push_back(std::move(j));
  }
  return out;
}

// Polls until `path` has at least `n` lines, for up to `timeout_ms`;
// returns whether it got there.
inline bool WaitForLines(const std::string& path, size_t n,
                         int timeout_ms = 30000) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (LineCount(path) < n) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

// Starts `python3 -m http.server` on a port of its own choosing, on
// 127.0.0.1, serving `root` (it answers If-Modified-Since with 304 from the
// files' modification times); sets *port. The server stops when the
// returned Command is destroyed.
inline std::unique_ptr<crawler::testing::Command> StartHttpServer(
    const std::string& root, int* port) {
  auto cmd = crawler::testing::Command::Start(
      {"/usr/bin/python3", "-u", "-m", "http.server", "0", "--bind",
       "127.0.0.1", "--directory", root});
  REQUIRE(cmd.ok());
  std::unique_ptr<crawler::testing::Command> server = std::move(cmd).value();
  *port = 0;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline && *port == 0) {
    const std::string o = server->Stdout();
    const size_t at = o.find("port ");
    if (at != std::string::npos) *port = std::atoi(o.c_str() + at + 5);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE_MESSAGE(*port > 0, "python3 -m http.server did not say its port: "
                                 << server->Stderr());
  return server;
}

}  // namespace crawler::e2e

#endif  // TESTS_E2E_E2E_UTIL_H_
