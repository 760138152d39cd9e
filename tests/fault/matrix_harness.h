// The harness shared by the fault-matrix tests (tests/fault/matrix_*_test.cc):
// running the crawler binary against tests/testdata/fault_server.py, parsing
// its records and reading the server's request log. Test-only; included by
// those files after their own includes. Each file defines Server() (with the
// fault server options it needs).
#ifndef TESTS_FAULT_MATRIX_HARNESS_H_
#define TESTS_FAULT_MATRIX_HARNESS_H_

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <initializer_list>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "crawler/testing/command.h"
#include "crawler/testing/fault_server.h"
#include "crawler/testing/test_util.h"

namespace crawler {
namespace {

using crawler::testing::Command;
using crawler::testing::FaultServer;
using crawler::testing::FaultServerOptions;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

[[maybe_unused]] int64_t MsSince(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t)
      .count();
}

FaultServer& Server();

[[maybe_unused]] std::string CrawlerPath() {
  return crawler::testing::RunfilePath("crawler/cli/crawler");
}

// "http://<host>:<port><path>" on the fault server.
[[maybe_unused]] std::string U(const std::string& host,
                               const std::string& path) {
  return Server().Url(host, path);
}

// One run of the crawler binary.
struct Run {
  int code = -1;
  std::vector<json> records;  // stdout, one JSON object per line.
  std::string out;
  std::string err;
  int64_t ms = 0;  // Wall time of the run.
  std::string LastErrLine() const {
    std::string e = err;
    while (!e.empty() && e.back() == '\n') e.pop_back();
    const size_t nl = e.rfind('\n');
    return nl == std::string::npos ? e : e.substr(nl + 1);
  }
};

// Runs the crawler with `args` (after the binary) and waits at most
// `timeout_ms` (the Command destructor kills it when the test fails).
[[maybe_unused]] Run RunCrawler(const std::vector<std::string>& args,
                                int timeout_ms = 30000,
                                const std::vector<std::string>& env = {},
                                const std::string& stdin_data = "",
                                bool json_lines = true) {
  std::vector<std::string> argv = {CrawlerPath()};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto t0 = Clock::now();
  auto cmd = Command::Start(argv, env, stdin_data);
  REQUIRE(cmd.ok());
  std::optional<int> code = (*cmd)->Wait(timeout_ms);
  REQUIRE_MESSAGE(code.has_value(), "crawler did not finish in "
                                        << timeout_ms
                                        << " ms: " << (*cmd)->Stderr());
  Run run;
  run.ms = MsSince(t0);
  run.code = *code;
  run.out = (*cmd)->Stdout();
  run.err = (*cmd)->Stderr();
  std::istringstream in(run.out);
  std::string line;
  while (json_lines && std::getline(in, line)) {
    // Also checks that every record is valid JSON (and valid UTF-8).
    json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    REQUIRE_MESSAGE(!j.is_discarded(), "not a JSON record: " << line);
    run.records.push_back(std::move(j));
  }
  return run;
}

// True when the record is a fetched page: a status and no error.
[[maybe_unused]] bool Fetched(const json& r) {
  return r["status"].is_number() && !r["error"].is_string();
}

// `crawler crawl` on the fault server's fake hosts: --allow-private, the
// *.test override, no politeness delay and short timeouts; `args` last.
[[maybe_unused]] Run Crawl(const std::vector<std::string>& args,
                           int timeout_ms = 30000,
                           const std::vector<std::string>& env = {}) {
  std::vector<std::string> a = {"crawl",
                                "--allow-private",
                                "--resolve",
                                Server().ResolveFlag(),
                                "--delay",
                                "0",
                                "--timeout",
                                "2",
                                "--connect-timeout",
                                "1"};
  a.insert(a.end(), args.begin(), args.end());
  return RunCrawler(a, timeout_ms, env);
}

// `crawler fetch --ordered` the same way; records in input order.
[[maybe_unused]] Run Fetch(const std::vector<std::string>& args,
                           int timeout_ms = 30000,
                           const std::vector<std::string>& env = {}) {
  std::vector<std::string> a = {
      "fetch",     "--allow-private", "--resolve", Server().ResolveFlag(),
      "--ordered", "--timeout",       "2",         "--connect-timeout",
      "1"};
  a.insert(a.end(), args.begin(), args.end());
  return RunCrawler(a, timeout_ms, env);
}

[[maybe_unused]] std::string ErrorOf(const json& r) {
  return r.contains("error") && r["error"].is_string()
             ? r["error"].get<std::string>()
             : "";
}

// The error class of a record ("" when it has no error).
[[maybe_unused]] std::string ClassOf(const json& r) {
  const std::string e = ErrorOf(r);
  return e.substr(0, e.find(':'));
}

// True when the record's error class is one of `classes` (the engine's
// documented name first, then the fault matrix's or issue 4's name for the
// same terminal state).
[[maybe_unused]] bool ClassIn(const json& r,
                              std::initializer_list<const char*> classes) {
  const std::string c = ClassOf(r);
  for (const char* k : classes) {
    if (c == k) return true;
  }
  return false;
}

// url -> record; two records for one URL fail the test.
[[maybe_unused]] std::map<std::string, json> ByUrl(
    const std::vector<json>& records) {
  std::map<std::string, json> m;
  for (const json& r : records) {
    const std::string u = r["url"];
    CHECK_MESSAGE(m.count(u) == 0, "two records for " << u);
    m[u] = r;
  }
  return m;
}

// The fault server's request log (/__log?query).
[[maybe_unused]] json Log(const std::string& query = "") {
  auto text = Server().Log(query);
  REQUIRE_MESSAGE(text.ok(), text.status().ToString());
  return json::parse(*text);
}

// Requests to fake host `host` (any port), in arrival order.
[[maybe_unused]] std::vector<json> HostLog(const std::string& host) {
  std::vector<json> out;
  for (json& e : Log("host=" + host)) out.push_back(std::move(e));
  return out;
}

// Paths requested from `host`.
[[maybe_unused]] std::vector<std::string> Paths(const std::string& host) {
  std::vector<std::string> out;
  for (const json& e : HostLog(host)) out.push_back(e["path"]);
  return out;
}

[[maybe_unused]] size_t CountPath(const std::string& host,
                                  const std::string& path) {
  size_t n = 0;
  for (const std::string& p : Paths(host)) n += p == path;
  return n;
}

// Requests the canary on 127.0.0.2 received so far.
[[maybe_unused]] size_t CanaryHits() { return Log("listener=canary").size(); }

// Percent-encodes a query value.
[[maybe_unused]] std::string Q(const std::string& s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// Sets the robots.txt scenario of `host` at run time (/__robots).
[[maybe_unused]] void SetRobots(const std::string& host, const json& scenario) {
  auto r =
      Server().Get("/__robots?host=" + host + "&set=" + Q(scenario.dump()));
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  REQUIRE(r->status == 200);
}

// A log entry's request time (Unix seconds).
[[maybe_unused]] double TimeOf(const json& e) {
  return e["time"].get<double>();
}

}  // namespace
}  // namespace crawler

#endif  // TESTS_FAULT_MATRIX_HARNESS_H_
