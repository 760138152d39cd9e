// bench/run.sh --smoke (issue 10, point 6): the benchmark's own harness run
// end to end on a small site, so it never rots. Asserts correctness only:
// the crawl fetched every reachable allowed page exactly once and nothing
// disallowed (judged from nginx's access log by bench/lib/access_check.py),
// and nginx is stopped when the script ends, also on failure and on SIGTERM.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <string>
#include <thread>

#include "crawler/testing/command.h"
#include "crawler/testing/test_util.h"

namespace crawler {
namespace {

using crawler::testing::Command;
using crawler::testing::RunfilePath;

constexpr int kTimeoutMs = 120000;

std::unique_ptr<Command> StartSmoke(const std::string& crawler_bin) {
  auto cmd = Command::Start(
      {"/bin/bash", RunfilePath("bench/run.sh"), "--smoke"},
      {"CRAWLER_BIN=" + crawler_bin});
  REQUIRE_MESSAGE(cmd.ok(), cmd.status().ToString());
  return std::move(cmd).value();
}

// Waits for the exit; on a time-out stops the script gently first, so that
// its trap stops nginx.
int WaitFor(Command& cmd) {
  std::optional<int> rc = cmd.Wait(kTimeoutMs);
  if (!rc.has_value()) {
    kill(cmd.pid(), SIGTERM);
    rc = cmd.Wait(10000);
    FAIL("run.sh --smoke did not finish in time; stderr:\n" << cmd.Stderr());
  }
  return *rc;
}

// The nginx master pid the script logged ("nginx pid N"), or 0.
pid_t NginxPid(const std::string& stderr_text) {
  std::smatch m;
  static const std::regex re("nginx pid ([0-9]+)");
  if (!std::regex_search(stderr_text, m, re)) return 0;
  return static_cast<pid_t>(std::stol(m[1]));
}

bool Alive(pid_t pid) {
  if (pid <= 0) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  // A zombie is not serving: field 3 after the command in parentheses.
  size_t close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() &&
         line[close + 2] != 'Z';
}

TEST_CASE("run.sh --smoke: the crawler fetches every reachable allowed page once") {
  auto cmd = StartSmoke(RunfilePath("crawler/cli/crawler"));
  const int rc = WaitFor(*cmd);
  const std::string out = cmd->Stdout();
  const std::string err = cmd->Stderr();
  INFO("stdout:\n" << out << "\nstderr:\n" << err);
  CHECK(rc == 0);
  CHECK(out.find("smoke: ok") != std::string::npos);
  // One run of the crawler with its defaults, judged from nginx's log.
  std::smatch m;
  static const std::regex row(
      "smoke: loopback crawler default: exit 0, ([0-9]+)/([0-9]+) reachable "
      "pages, 0 missed, 0 fetched more than once, 0 disallowed");
  REQUIRE(std::regex_search(out, m, row));
  CHECK(m[1] == m[2]);
  CHECK(std::stoi(m[1]) > 300);  // 300 pages, "/" and the query-string URLs.
  const pid_t nginx = NginxPid(err);
  CHECK(nginx > 0);
  CHECK_FALSE(Alive(nginx));
}

TEST_CASE("run.sh --smoke fails, and stops nginx, when the crawler fails") {
  // A "crawler" that fetches nothing and exits 1.
  const std::string fake = crawler::testing::TempDir() + "/failing_crawler";
  {
    std::ofstream f(fake);
    f << "#!/bin/sh\nexit 1\n";
  }
  chmod(fake.c_str(), 0755);
  auto cmd = StartSmoke(fake);
  const int rc = WaitFor(*cmd);
  const std::string out = cmd->Stdout();
  const std::string err = cmd->Stderr();
  INFO("stdout:\n" << out << "\nstderr:\n" << err);
  CHECK(rc == 1);
  CHECK(out.find("WRONG") != std::string::npos);
  CHECK(out.find("smoke: ok") == std::string::npos);
  const pid_t nginx = NginxPid(err);
  CHECK(nginx > 0);
  CHECK_FALSE(Alive(nginx));
}

TEST_CASE("run.sh --smoke stops nginx and the crawl when interrupted") {
  // A "crawler" that hangs until it is stopped.
  const std::string fake = crawler::testing::TempDir() + "/hanging_crawler";
  {
    std::ofstream f(fake);
    f << "#!/bin/sh\nexec sleep 60\n";
  }
  chmod(fake.c_str(), 0755);
  auto cmd = StartSmoke(fake);
  // Wait until the crawl runs (its row is printed when it ends).
  pid_t nginx = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    nginx = NginxPid(cmd->Stderr());
    if (nginx > 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE_MESSAGE(nginx > 0, cmd->Stderr());
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  // The hanging crawl's sleep, below /usr/bin/time below the script.
  pid_t sleeper = 0;
  for (pid_t kid : crawler::testing::ChildrenOf(cmd->pid())) {
    for (pid_t grandkid : crawler::testing::ChildrenOf(kid)) sleeper = grandkid;
  }
  kill(cmd->pid(), SIGTERM);
  const int rc = WaitFor(*cmd);
  INFO("stderr:\n" << cmd->Stderr());
  CHECK(rc == 143);
  CHECK_FALSE(Alive(nginx));
  if (sleeper > 0) CHECK_FALSE(Alive(sleeper));
}

}  // namespace
}  // namespace crawler
