// Helpers of the end-to-end tests that run the crawler binary: where it
// is, and reading what it wrote.
#ifndef TESTS_E2E_E2E_UTIL_H_
#define TESTS_E2E_E2E_UTIL_H_

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
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

}  // namespace crawler::e2e

#endif  // TESTS_E2E_E2E_UTIL_H_
