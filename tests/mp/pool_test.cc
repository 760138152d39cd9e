#include "crawler/mp/pool.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <set>
#include <sstream>
#include <thread>

#include "crawler/testing/proc_util.h"
#include "crawler/testing/test_util.h"

namespace crawler::mp {
namespace {

using crawler::testing::ChildPids;
using namespace std::chrono_literals;

int Square(int x) { return x * x; }
std::string Shout(const std::string& s) { return s + "!"; }
int64_t MyPid(int) { return getpid(); }
int SlowSquare(int x) {
  std::this_thread::sleep_for(std::chrono::milliseconds(x));
  return x * x;
}
int DieOn13(int x) {
  if (x == 13) raise(SIGKILL);
  return x;
}
int HangOn7(int x) {
  if (x == 7) std::this_thread::sleep_for(60s);
  return x;
}
int Throws(int) { throw std::runtime_error("bad input"); }
std::vector<int> Range(int n) {
  std::vector<int> v;
  for (int i = 0; i < n; ++i) v.push_back(i);
  return v;
}

std::unique_ptr<Pool> MakePool(PoolOptions o) {
  auto p = Pool::Create(o);
  REQUIRE(p.ok());
  return std::move(p).value();
}

TEST_CASE("Pool: apply runs in another process") {
  auto pool = MakePool({.processes = 2});
  auto r = pool->Apply(&Square, 9);
  REQUIRE(r.ok());
  CHECK(*r == 81);
  auto s = pool->Apply(&Shout, std::string("hey"));
  REQUIRE(s.ok());
  CHECK(*s == "hey!");
  auto pid = pool->Apply(&MyPid, 0);
  REQUIRE(pid.ok());
  CHECK(*pid != getpid());
  auto v = pool->Apply(&Range, 5);
  REQUIRE(v.ok());
  CHECK(*v == std::vector<int>{0, 1, 2, 3, 4});
  pool->Close();
  CHECK_OK(pool->Join());
  CHECK(ChildPids().empty());
}

// A Pool of five running ten tasks with apply_async, then close and join.
TEST_CASE("Pool: five workers, ten apply_async tasks, close and join") {
  auto pool = MakePool({.processes = 5});
  CHECK(pool->processes() == 5);
  std::vector<AsyncResult<int64_t>> results;
  for (int i = 0; i < 10; ++i) results.push_back(pool->ApplyAsync(&MyPid, i));
  std::set<int64_t> pids;
  for (auto& r : results) {
    auto v = r.Get(10000);
    REQUIRE(v.ok());
    pids.insert(*v);
  }
  CHECK(pids.size() >= 1);
  CHECK(pids.size() <= 5);
  pool->Close();
  auto late = pool->ApplyAsync(&Square, 2).Get();
  CHECK(late.status().code() == Code::kClosed);
  CHECK_OK(pool->Join());
  CHECK(ChildPids().empty());
}

TEST_CASE("Pool: AsyncResult Ready/Wait/Get with timeouts") {
  auto pool = MakePool({.processes = 1});
  auto r = pool->ApplyAsync(&SlowSquare, 300);
  CHECK_FALSE(r.Ready());
  CHECK(r.Get(50).status().code() == Code::kDeadlineExceeded);
  CHECK(r.Wait(5000));
  auto v = r.Get(0);
  REQUIRE(v.ok());
  CHECK(*v == 90000);
}

TEST_CASE("Pool: map keeps input order, imap_unordered yields every result") {
  auto pool = MakePool({.processes = 3});
  std::vector<int> in = {50, 1, 30, 2, 40, 3, 0, 20};
  auto out = pool->Map(&SlowSquare, in);
  REQUIRE(out.size() == in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    REQUIRE(out[i].ok());
    CHECK(*out[i] == in[i] * in[i]);
  }
  auto stream = pool->ImapUnordered(&SlowSquare, in);
  std::vector<int> seen(in.size(), 0);
  size_t count = 0;
  while (auto item = stream.Next()) {
    REQUIRE(item->result.ok());
    CHECK(*item->result == in[item->index] * in[item->index]);
    ++seen[item->index];
    ++count;
  }
  CHECK(count == in.size());
  for (int s : seen) CHECK(s == 1);
}

TEST_CASE(
    "Pool: a worker killed with SIGKILL mid-task is replaced, the task "
    "retried") {
  auto pool = MakePool({.processes = 2});
  auto r = pool->ApplyAsync(&SlowSquare, 700);
  auto other = pool->ApplyAsync(&Square, 5);
  CHECK_FALSE(r.Wait(150));  // Dispatched, running.
  for (pid_t pid : pool->worker_pids()) kill(pid, SIGKILL);
  auto v = r.Get(10000);
  REQUIRE_MESSAGE(v.ok(), v.status().ToString());
  CHECK(*v == 490000);
  auto o = other.Get(10000);
  REQUIRE(o.ok());
  CHECK(*o == 25);
  CHECK(pool->workers_started() >= 4);
  auto after = pool->Apply(&Square, 3);
  REQUIRE(after.ok());
  CHECK(*after == 9);
  pool->Close();
  CHECK_OK(pool->Join());
  CHECK(ChildPids().empty());
}

TEST_CASE(
    "Pool: a task that kills its worker fails after the retries, others go "
    "on") {
  auto pool = MakePool({.processes = 2, .max_retries = 2});
  auto out = pool->Map(&DieOn13, std::vector<int>{11, 12, 13, 14, 15});
  REQUIRE(out.size() == 5);
  CHECK(*out[0] == 11);
  CHECK(*out[1] == 12);
  REQUIRE_FALSE(out[2].ok());
  CHECK(out[2].status().tag() == Tag::kWorkerLost);
  CHECK(out[2].status().message().find("worker killed by signal 9") == 0);
  CHECK(out[2].status().message().find("3 attempts") != std::string::npos);
  CHECK(*out[3] == 14);
  CHECK(*out[4] == 15);
  CHECK(pool->workers_started() == 2 + 3);
}

TEST_CASE("Pool: a task that hangs past its timeout fails; the pool goes on") {
  auto pool = MakePool({.processes = 2, .task_timeout_ms = 300});
  auto t0 = std::chrono::steady_clock::now();
  auto out = pool->Map(&HangOn7, std::vector<int>{5, 6, 7, 8});
  auto took = std::chrono::steady_clock::now() - t0;
  CHECK(*out[0] == 5);
  CHECK(*out[1] == 6);
  REQUIRE_FALSE(out[2].ok());
  CHECK(out[2].status().code() == Code::kDeadlineExceeded);
  CHECK(out[2].status().message().find("timed out after 300 ms") !=
        std::string::npos);
  CHECK(*out[3] == 8);
  CHECK(took < 5s);
  pool->Close();
  CHECK_OK(pool->Join());
  CHECK(ChildPids().empty());
}

TEST_CASE("Pool: an exception fails only its task") {
  auto pool = MakePool({.processes = 1});
  auto r = pool->Apply(&Throws, 1);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message() == "task threw: bad input");
  auto ok = pool->Apply(&Square, 4);
  REQUIRE(ok.ok());
  CHECK(*ok == 16);
  CHECK(pool->workers_started() == 1);
}

TEST_CASE("Pool: terminate kills workers and fails unfinished tasks") {
  auto pool = MakePool({.processes = 2});
  auto r1 = pool->ApplyAsync(&SlowSquare, 5000);
  auto r2 = pool->ApplyAsync(&SlowSquare, 5000);
  auto r3 = pool->ApplyAsync(&SlowSquare, 5000);
  CHECK_FALSE(r1.Wait(100));
  auto t0 = std::chrono::steady_clock::now();
  pool->Terminate();
  CHECK(std::chrono::steady_clock::now() - t0 < 2s);
  CHECK(r1.Get().status().code() == Code::kClosed);
  CHECK(r2.Get().status().code() == Code::kClosed);
  CHECK(r3.Get().status().code() == Code::kClosed);
  CHECK(ChildPids().empty());
  CHECK(pool->Join().ok());
}

TEST_CASE("Pool: join before close is refused") {
  auto pool = MakePool({.processes = 1});
  CHECK(pool->Join().code() == Code::kFailedPrecondition);
}

}  // namespace
}  // namespace crawler::mp
