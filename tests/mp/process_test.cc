#include "crawler/mp/process.h"

#include <dirent.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include "crawler/mp/fork_guard.h"
#include "crawler/mp/pipe.h"
#include "crawler/testing/proc_util.h"
#include "crawler/testing/test_util.h"

namespace crawler::mp {
namespace {

using crawler::testing::ChildPids;
using namespace std::chrono_literals;

TEST_CASE("Process from a callable: start, pid, name, join, exit code") {
  Process p([] { return 7; }, {.name = "seven"});
  CHECK(p.pid() == 0);
  CHECK(p.ExitDescription() == "not started");
  REQUIRE_OK(p.Start());
  CHECK(p.pid() > 0);
  CHECK(p.name() == "seven");
  CHECK_OK(p.Join());
  REQUIRE(p.exit_code().has_value());
  CHECK(*p.exit_code() == 7);
  CHECK(p.ExitDescription() == "exited with code 7");
  CHECK_FALSE(p.IsAlive());
  CHECK(ChildPids().empty());  // Reaped: no zombie.
}

// Five processes started from a function and joined (the tutorial's first
// example), each reporting its index through a pipe.
TEST_CASE("Five processes from one function, each with its own argument") {
  auto ends = Pipe();
  REQUIRE(ends.ok());
  std::vector<std::unique_ptr<Process>> procs;
  for (int i = 0; i < 5; ++i) {
    int fd = ends->second.fd();
    procs.push_back(std::make_unique<Process>([i, fd] {
      Connection c(dup(fd));
      return c.Send("worker " + std::to_string(i)).ok() ? 0 : 1;
    }));
    REQUIRE_OK(procs.back()->Start());
  }
  std::set<std::string> got;
  for (int i = 0; i < 5; ++i) {
    std::string m;
    REQUIRE_OK(ends->first.Recv(&m, 5000));
    got.insert(m);
  }
  for (auto& p : procs) {
    CHECK_OK(p->Join());
    CHECK(p->exit_code() == 0);
  }
  CHECK(got.size() == 5);
  CHECK(got.count("worker 4") == 1);
}

class Squarer : public Process {
 public:
  Squarer(int x, int fd) : Process({.name = "squarer"}), x_(x), fd_(fd) {}

 protected:
  int Run() override {
    Connection c(dup(fd_));
    return c.Send(std::to_string(x_ * x_)).ok() ? 0 : 1;
  }

 private:
  int x_;
  int fd_;
};

TEST_CASE("Process subclass overriding Run()") {
  auto ends = Pipe();
  REQUIRE(ends.ok());
  Squarer s(12, ends->second.fd());
  REQUIRE_OK(s.Start());
  std::string m;
  REQUIRE_OK(ends->first.Recv(&m, 5000));
  CHECK(m == "144");
  CHECK_OK(s.Join());
}

TEST_CASE("Join with a timeout, IsAlive, Terminate reports SIGTERM") {
  Process p([] {
    std::this_thread::sleep_for(60s);
    return 0;
  });
  REQUIRE_OK(p.Start());
  CHECK(p.IsAlive());
  auto t0 = std::chrono::steady_clock::now();
  Status s = p.Join(200);
  auto waited = std::chrono::steady_clock::now() - t0;
  CHECK(s.code() == Code::kDeadlineExceeded);
  CHECK(waited >= 190ms);
  CHECK(waited < 2s);
  CHECK(p.IsAlive());
  CHECK(!p.exit_code().has_value());
  REQUIRE_OK(p.Terminate());
  CHECK_OK(p.Join(5000));
  CHECK(p.exit_code() == -SIGTERM);
  CHECK(p.ExitDescription().find("killed by signal 15") == 0);
}

TEST_CASE("Kill reports signal 9; errors before start and after exit") {
  Process never([] { return 0; });
  CHECK(never.Join().code() == Code::kFailedPrecondition);
  CHECK(never.Kill().code() == Code::kFailedPrecondition);

  Process p([] {
    std::this_thread::sleep_for(60s);
    return 0;
  });
  REQUIRE_OK(p.Start());
  CHECK(p.Start().code() == Code::kFailedPrecondition);  // Twice.
  REQUIRE_OK(p.Kill());
  CHECK_OK(p.Join());
  CHECK(p.exit_code() == -SIGKILL);
  CHECK(p.ExitDescription() == "killed by signal 9 (Killed)");
  CHECK_OK(p.Kill());  // Already exited: a no-op.
}

TEST_CASE("abort() and an uncaught exception are reported as such") {
  Process a([]() -> int { abort(); });
  REQUIRE_OK(a.Start());
  CHECK_OK(a.Join());
  CHECK(a.exit_code() == -SIGABRT);

  Process e([]() -> int { throw std::runtime_error("boom"); });
  REQUIRE_OK(e.Start());
  CHECK_OK(e.Join());
  CHECK(e.exit_code() == 70);
}

TEST_CASE("Destroying a running process stops and reaps it (daemon or not)") {
  pid_t daemon_pid = 0, plain_pid = 0;
  {
    Process d(
        [] {
          std::this_thread::sleep_for(60s);
          return 0;
        },
        {.name = "d", .daemon = true});
    Process n(
        [] {
          std::this_thread::sleep_for(60s);
          return 0;
        },
        {.name = "n", .daemon = false, .stop_grace_ms = 200});
    REQUIRE_OK(d.Start());
    REQUIRE_OK(n.Start());
    CHECK(d.daemon());
    daemon_pid = d.pid();
    plain_pid = n.pid();
  }
  CHECK(kill(daemon_pid, 0) != 0);  // Gone and reaped, not a zombie.
  CHECK(kill(plain_pid, 0) != 0);
  CHECK(ChildPids().empty());
}

TEST_CASE("Start refuses to fork from a process with several threads") {
  std::atomic<bool> stop{false};
  std::thread t([&] {
    while (!stop) std::this_thread::sleep_for(1ms);
  });
  Process p([] { return 0; });
  Status s = p.Start();
  stop = true;
  t.join();
  CHECK(s.code() == Code::kFailedPrecondition);
  CHECK(s.message().find("threads") != std::string::npos);
  CHECK(p.pid() == 0);
}

// A helper thread that stops for forks (mp::ForkGuard), as the crawl
// state's writer does.
class Ticker : public ForkGuard {
 public:
  Ticker() { Start(); }
  ~Ticker() override { Stop(); }
  void StopThreadsForFork() override {
    ++stops;
    Stop();
  }
  void RestartThreadsAfterFork() override {
    ++restarts;
    Start();
  }
  bool running() const { return thread_.joinable(); }
  int stops = 0;
  int restarts = 0;
  std::atomic<int> ticks{0};

 private:
  void Start() {
    stop_ = false;
    thread_ = std::thread([this] {
      while (!stop_) {
        ++ticks;
        std::this_thread::sleep_for(1ms);
      }
    });
  }
  void Stop() {
    if (!thread_.joinable()) return;
    stop_ = true;
    thread_.join();
  }
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST_CASE("A fork guard's thread stops for the fork and runs again after") {
  Ticker ticker;
  RegisterForkGuard(&ticker);
  std::vector<std::unique_ptr<Process>> children;
  for (int i = 0; i < 3; ++i) {
    // The child sees one thread: its own.
    children.push_back(std::make_unique<Process>([] {
      DIR* d = opendir("/proc/self/task");
      int n = 0;
      while (dirent* e = readdir(d)) n += e->d_name[0] != '.';
      closedir(d);
      return n;
    }));
    REQUIRE_OK(children.back()->Start());
    CHECK(ticker.running());
  }
  for (auto& c : children) {
    REQUIRE_OK(c->Join());
    CHECK(c->exit_code() == 1);
  }
  CHECK(ticker.stops == 3);
  CHECK(ticker.restarts == 3);
  const int ticks = ticker.ticks;
  std::this_thread::sleep_for(50ms);
  CHECK(ticker.ticks > ticks);  // Running again.
  UnregisterForkGuard(&ticker);
  // Unregistered, its thread makes Start refuse again.
  Process p([] { return 0; });
  CHECK(p.Start().code() == Code::kFailedPrecondition);
  CHECK(ticker.stops == 3);
}

// When a parent dies (even by SIGKILL), its workers exit by themselves.
TEST_CASE("Workers of a parent killed with SIGKILL exit by themselves") {
  // Adopt orphans so that we can see (and reap) the grandchildren.
  REQUIRE(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
  auto ends = Pipe();
  REQUIRE(ends.ok());
  int fd = ends->second.fd();
  Process parent([fd] {
    Connection c(dup(fd));
    std::vector<std::unique_ptr<Process>> workers;
    std::string pids;
    for (int i = 0; i < 3; ++i) {
      workers.push_back(std::make_unique<Process>([] {
        std::this_thread::sleep_for(60s);
        return 0;
      }));
      if (!workers.back()->Start().ok()) return 1;
      pids += std::to_string(workers.back()->pid()) + " ";
    }
    (void)c.Send(pids);
    std::this_thread::sleep_for(60s);
    return 0;
  });
  REQUIRE_OK(parent.Start());
  std::string m;
  REQUIRE_OK(ends->first.Recv(&m, 5000));
  std::istringstream in(m);
  std::vector<pid_t> workers;
  for (pid_t p; in >> p;) workers.push_back(p);
  REQUIRE(workers.size() == 3);
  REQUIRE_OK(parent.Kill());
  CHECK_OK(parent.Join());
  for (pid_t w : workers) {
    CHECK(crawler::testing::WaitGone(w, 3000));
    int status = 0;
    waitpid(w, &status, 0);  // Reap the adopted orphan.
  }
  prctl(PR_SET_CHILD_SUBREAPER, 0);
  CHECK(ChildPids().empty());
}

}  // namespace
}  // namespace crawler::mp
