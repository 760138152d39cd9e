// Fault matrix section 6.5 (process and lifecycle, P1-P4): one test per row
// that applies today (P5-P10 need state directories, a config file or an
// injectable clock: see tests/fault/README.md), against
// tests/testdata/fault_server.py through the crawler binary. Each asserts the
// terminal state in the output records, a bounded time, and that the rest of
// the crawl completed. Every process a test starts, it stops or reaps.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
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
#include "crawler/testing/proc_util.h"
#include "crawler/testing/test_util.h"

namespace crawler {
namespace {

using crawler::testing::Command;
using crawler::testing::FaultServer;
using crawler::testing::FaultServerOptions;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

// --- harness (the same block in every matrix_*_test.cc) ---------------------

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

FaultServer& Server() {
  static std::unique_ptr<FaultServer> server = [] {
    auto s = FaultServer::Start();
    REQUIRE_MESSAGE(s.ok(), s.status().ToString());
    return std::move(s).value();
  }();
  return *server;
}

std::vector<std::string> CrawlArgv(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {CrawlerPath(),
                                   "crawl",
                                   "--allow-private",
                                   "--resolve",
                                   Server().ResolveFlag(),
                                   "--delay",
                                   "0",
                                   "--timeout",
                                   "5"};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

std::vector<json> Records(const std::string& out) {
  std::vector<json> records;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) records.push_back(json::parse(line));
  return records;
}

// Waits until `pid` has `n` children; returns them.
std::vector<pid_t> WaitForWorkers(pid_t pid, size_t n) {
  std::vector<pid_t> workers;
  for (int i = 0; i < 300 && workers.size() < n; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    workers = crawler::testing::ChildrenOf(pid);
  }
  return workers;
}

TEST_CASE(
    "P1: a worker killed mid-fetch loses nothing; a poison URL ends "
    "worker_crashed") {
  // kill -9 of a busy worker: its URLs are retried, every URL has a record.
  std::vector<std::string> args = {"-w", "2",           "--per-host",
                                   "4",  "--max-depth", "0"};
  std::vector<std::string> urls;
  for (int i = 0; i < 8; ++i) {
    urls.push_back(U("p1.test", "/delay?ms=600&i=" + std::to_string(i)));
    args.push_back(urls.back());
  }
  const auto t0 = Clock::now();
  auto cmd = Command::Start(CrawlArgv(args));
  REQUIRE(cmd.ok());
  std::vector<pid_t> workers = WaitForWorkers((*cmd)->pid(), 2);
  REQUIRE(workers.size() == 2);
  while (CountPath("p1.test", "/robots.txt") == 0 ||
         Paths("p1.test").size() < 3) {
    REQUIRE(MsSince(t0) < 5000);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(kill(workers[0], SIGKILL) == 0);
  std::optional<int> code = (*cmd)->Wait(30000);
  REQUIRE(code.has_value());
  CHECK_MESSAGE(*code == 0, (*cmd)->Stderr());
  CHECK(MsSince(t0) < 15000);
  auto by = ByUrl(Records((*cmd)->Stdout()));
  CHECK(by.size() == urls.size());
  for (const std::string& u : urls) CHECK(Fetched(by[u]));
  // A URL that kills its worker every time: retried alone, then quarantined
  // as worker_crashed; the other URLs are fetched.
  const std::string poison = U("p1b.test", "/page/9?poison");
  const Run run = Crawl({"-w", "2", "--max-depth", "0", poison,
                         U("p1b.test", "/page/1"), U("p1b.test", "/page/2")},
                        30000, {"CRAWLER_TEST_CRASH_ON=poison"});
  CHECK_MESSAGE(run.code == 0, run.err);
  CHECK(run.ms < 15000);
  auto by2 = ByUrl(run.records);
  CHECK(ClassIn(by2[poison], {"worker_crashed", "quarantined"}));
  CHECK(ErrorOf(by2[poison]).find("gave up after 3 attempts") !=
        std::string::npos);
  CHECK(Fetched(by2[U("p1b.test", "/page/1")]));
  CHECK(Fetched(by2[U("p1b.test", "/page/2")]));
}

TEST_CASE("P2: a hung worker is killed by the lease watchdog, as P1") {
  const std::string stuck = U("p2.test", "/page/5?stuck");
  const Run run =
      Crawl({"-w", "2", "--max-depth", "0", "--lease-timeout", "0.5", stuck,
             U("p2.test", "/page/1"), U("p2.test", "/page/2")},
            30000, {"CRAWLER_TEST_HANG_ON=stuck"});
  CHECK_MESSAGE(run.code == 0, run.err);
  CHECK(run.ms < 10000);
  auto by = ByUrl(run.records);
  CHECK(ClassIn(by[stuck], {"worker_crashed", "quarantined"}));
  CHECK(ErrorOf(by[stuck]).find("more than 500 ms") != std::string::npos);
  CHECK(Fetched(by[U("p2.test", "/page/1")]));
  CHECK(Fetched(by[U("p2.test", "/page/2")]));
}

TEST_CASE("P3: kill -9 of the coordinator: workers exit, fetching stops") {
  REQUIRE(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
  std::vector<std::string> args = {"-w", "2",           "--per-host",
                                   "4",  "--max-depth", "0"};
  for (int i = 0; i < 40; ++i) {
    args.push_back(U("p3.test", "/delay?ms=300&i=" + std::to_string(i)));
  }
  auto cmd = Command::Start(CrawlArgv(args));
  REQUIRE(cmd.ok());
  std::vector<pid_t> workers = WaitForWorkers((*cmd)->pid(), 2);
  REQUIRE(workers.size() == 2);
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  REQUIRE(kill((*cmd)->pid(), SIGKILL) == 0);
  CHECK((*cmd)->Wait(5000) == -SIGKILL);
  for (pid_t w : workers) {
    CHECK(crawler::testing::WaitGone(w, 2000));
    int status;
    waitpid(w, &status, 0);  // Adopted by this process (subreaper): reap.
  }
  prctl(PR_SET_CHILD_SUBREAPER, 0);
  const size_t after_kill = HostLog("p3.test").size();
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  CHECK(HostLog("p3.test").size() == after_kill);  // No orphan fetches.
  CHECK(after_kill < 41);
}

TEST_CASE("P4: SIGTERM mid-crawl drains the requests in flight, exit 143") {
  std::vector<std::string> args = {"-w", "2",           "--per-host",
                                   "4",  "--max-depth", "0"};
  for (int i = 0; i < 40; ++i) {
    args.push_back(U("p4.test", "/delay?ms=500&i=" + std::to_string(i)));
  }
  auto cmd = Command::Start(CrawlArgv(args));
  REQUIRE(cmd.ok());
  std::vector<pid_t> workers = WaitForWorkers((*cmd)->pid(), 2);
  REQUIRE(workers.size() == 2);
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  const auto t0 = Clock::now();
  REQUIRE(kill((*cmd)->pid(), SIGTERM) == 0);
  std::optional<int> code = (*cmd)->Wait(10000);
  REQUIRE(code.has_value());
  CHECK(*code == 143);
  CHECK(MsSince(t0) < 500 + 1000);  // The requests in flight + 1 s.
  std::vector<json> records = Records((*cmd)->Stdout());
  CHECK(records.size() > 0);
  CHECK(records.size() < 40);
  for (const json& r : records) CHECK(Fetched(r));  // No casualties.
  CHECK((*cmd)->Stderr().find("interrupted") != std::string::npos);
  for (pid_t w : workers) CHECK(crawler::testing::WaitGone(w, 2000));
}

}  // namespace
}  // namespace crawler
