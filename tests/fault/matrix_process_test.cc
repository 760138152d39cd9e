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
#include "tests/fault/matrix_harness.h"

namespace crawler {
namespace {

using crawler::testing::Command;
using crawler::testing::FaultServer;
using crawler::testing::FaultServerOptions;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

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
