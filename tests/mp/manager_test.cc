#include "crawler/mp/manager.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <thread>

#include "crawler/mp/pipe.h"
#include "crawler/mp/process.h"
#include "crawler/mp/shared_stats.h"
#include "crawler/testing/proc_util.h"
#include "crawler/testing/test_util.h"

namespace crawler::mp {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<Manager> MakeManager() {
  auto m = Manager::Create();
  REQUIRE(m.ok());
  return std::move(m).value();
}

// "<round>:<client>:<seq>:" padded to `len` with a pattern that depends on
// all three, so a torn or mixed-up value is detected.
std::string Tagged(int round, int client, int seq, size_t len) {
  std::string m = std::to_string(round) + ":" + std::to_string(client) + ":" +
                  std::to_string(seq) + ":";
  size_t head = m.size();
  m.resize(std::max(len, head));
  for (size_t i = head; i < m.size(); ++i) {
    m[i] = static_cast<char>('a' + (round * 7 + client * 3 + seq + i) % 26);
  }
  return m;
}

// Parses and verifies a Tagged value; false when it is not intact.
bool ParseTagged(const std::string& m, int* round, int* client, int* seq) {
  size_t a = m.find(':');
  size_t b = m.find(':', a + 1);
  size_t c = m.find(':', b + 1);
  if (a == std::string::npos || b == std::string::npos ||
      c == std::string::npos) {
    return false;
  }
  *round = std::stoi(m.substr(0, a));
  *client = std::stoi(m.substr(a + 1, b - a - 1));
  *seq = std::stoi(m.substr(b + 1, c - b - 1));
  return m == Tagged(*round, *client, *seq, m.size());
}

// Polls Stats until `pred` holds (the server handles a dead client's EOF in
// its own time) or 2 s pass.
template <typename Pred>
ManagerStats WaitStats(Manager& m, Pred pred) {
  ManagerStats s;
  for (int i = 0; i < 200; ++i) {
    auto got = m.Stats();
    REQUIRE(got.ok());
    s = *got;
    if (pred(s)) break;
    std::this_thread::sleep_for(10ms);
  }
  return s;
}

TEST_CASE("Manager: ten processes each set d[i] and append i") {
  auto manager = MakeManager();
  DictProxy<int, int> d(manager.get(), "d");
  ListProxy<int> l(manager.get(), "l");
  std::vector<std::unique_ptr<Process>> procs;
  for (int i = 0; i < 10; ++i) {
    procs.push_back(std::make_unique<Process>([&, i] {
      if (!d.Set(i, i * i).ok()) return 1;
      if (!l.Append(i).ok()) return 2;
      return 0;
    }));
    REQUIRE_OK(procs.back()->Start());
  }
  for (auto& p : procs) {
    REQUIRE_OK(p->Join(10000));
    CHECK(p->exit_code() == 0);
  }
  auto items = d.Items();
  REQUIRE(items.ok());
  REQUIRE(items->size() == 10);
  for (int i = 0; i < 10; ++i) {
    CHECK((*items)[i].first == i);
    CHECK((*items)[i].second == i * i);
  }
  auto list = l.Items();
  REQUIRE(list.ok());
  std::vector<int> sorted = *list;
  std::sort(sorted.begin(), sorted.end());
  CHECK(sorted == std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  auto stats = manager->Stats();
  REQUIRE(stats.ok());
  CHECK(stats->clients_total == 11);  // The owner and ten children.
  CHECK(stats->clients_lost_mid_request == 0);
}

TEST_CASE("Manager: dict and list operations and their errors") {
  auto manager = MakeManager();
  Manager& m = *manager;
  CHECK(m.DictGet("d", "missing").status().code() == Code::kNotFound);
  auto empty = m.DictItems("never-written");
  REQUIRE(empty.ok());
  CHECK(empty->empty());
  REQUIRE_OK(m.DictSet("d", "b", "2"));
  REQUIRE_OK(m.DictSet("d", "a", "1"));
  REQUIRE_OK(m.DictSet("d", "b", "two"));
  REQUIRE_OK(m.DictSet("other", "a", "x"));
  auto b = m.DictGet("d", "b");
  REQUIRE(b.ok());
  CHECK(*b == "two");
  auto size = m.DictSize("d");
  REQUIRE(size.ok());
  CHECK(*size == 2);
  auto items = m.DictItems("d");
  REQUIRE(items.ok());
  using Items = std::vector<std::pair<std::string, std::string>>;
  CHECK(*items == Items{{"a", "1"}, {"b", "two"}});
  auto erased = m.DictErase("d", "a");
  REQUIRE(erased.ok());
  CHECK(*erased);
  erased = m.DictErase("d", "a");
  REQUIRE(erased.ok());
  CHECK(!*erased);

  auto idx = m.ListAppend("l", "x");
  REQUIRE(idx.ok());
  CHECK(*idx == 0);
  idx = m.ListAppend("l", "");
  REQUIRE(idx.ok());
  CHECK(*idx == 1);
  REQUIRE_OK(m.ListSet("l", 1, "y"));
  auto got = m.ListGet("l", 1);
  REQUIRE(got.ok());
  CHECK(*got == "y");
  Status out_of_range = m.ListGet("l", 2).status();
  CHECK(out_of_range.code() == Code::kInvalidArgument);
  CHECK(out_of_range.message() == "index 2 out of range for list l of size 2");
  CHECK(m.ListSet("l", 5, "z").code() == Code::kInvalidArgument);
  auto all = m.ListItems("l");
  REQUIRE(all.ok());
  CHECK(*all == std::vector<std::string>{"x", "y"});

  // Typed proxies over the same manager, with string and vector values.
  DictProxy<std::string, std::vector<int64_t>> typed(&m, "typed");
  REQUIRE_OK(typed.Set("primes", {2, 3, 5}));
  auto primes = typed.Get("primes");
  REQUIRE(primes.ok());
  CHECK(*primes == std::vector<int64_t>{2, 3, 5});
  CHECK(typed.Get("none").status().code() == Code::kNotFound);
  // Raw values that are not a Codec encoding are reported, not misread.
  ListProxy<std::string> raw(&m, "l");
  CHECK(raw.Get(0).status().code() == Code::kDataLoss);
}

TEST_CASE(
    "Manager: a client stopped or killed mid-request neither blocks others "
    "nor leaves half an update") {
  auto manager = MakeManager();
  auto ends = Pipe();
  REQUIRE(ends.ok());
  const int ready_fd = ends->second.fd();
  Process client([&, ready_fd] {
    Connection ready(::dup(ready_fd));
    const std::string big(1 << 20, 'v');
    if (!manager->SendPartialRequestForTesting("d", "half", big).ok()) {
      return 1;
    }
    (void)ready.Send("sent");
    std::this_thread::sleep_for(60s);  // Stuck mid-frame until killed.
    return 0;
  });
  REQUIRE_OK(client.Start());
  std::string msg;
  REQUIRE_OK(ends->first.Recv(&msg, 10000));
  CHECK(msg == "sent");
  // The server keeps serving everyone else while one frame is half there.
  auto t0 = std::chrono::steady_clock::now();
  Process other(
      [&] { return manager->DictSet("d", "other", "ok").ok() ? 0 : 1; });
  REQUIRE_OK(other.Start());
  REQUIRE_OK(other.Join(5000));
  CHECK(other.exit_code() == 0);
  REQUIRE_OK(manager->DictSet("d", "owner", "ok"));
  CHECK(std::chrono::steady_clock::now() - t0 < 2s);
  REQUIRE_OK(client.Kill());
  REQUIRE_OK(client.Join());
  ManagerStats s = WaitStats(
      *manager, [](const ManagerStats& s) { return s.clients_connected == 1; });
  CHECK(s.clients_lost_mid_request == 1);
  CHECK(s.clients_connected == 1);
  auto items = manager->DictItems("d");
  REQUIRE(items.ok());
  using Items = std::vector<std::pair<std::string, std::string>>;
  CHECK(*items == Items{{"other", "ok"}, {"owner", "ok"}});
}

// Clients write large values in a loop and are SIGKILLed at random moments,
// many times. After each kill the dict and list must hold every update whose
// call returned OK (the client published its progress in SharedStats after
// each one), at most the one update in progress beyond that, and every value
// must be intact.
TEST_CASE("Manager: clients SIGKILLed at random points, 40 rounds") {
  constexpr int kRounds = 40;
  constexpr int kClients = 3;
  // Every other value is much larger than a socket buffer, so that a client
  // spends much of its time inside DictSet sending a frame.
  constexpr size_t kLargeValueBytes = 2 << 20;
  constexpr size_t kSmallValueBytes = 100;
  auto manager = MakeManager();
  std::mt19937 rng(20240613);
  uint64_t completed_total = 0;
  std::vector<bool> ever_landed(kClients, false);
  for (int round = 0; round < kRounds; ++round) {
    auto progress = SharedStats::Create({"c0", "c1", "c2"});
    REQUIRE(progress.ok());
    SharedStats* done = progress->get();
    const std::string list_name = "l" + std::to_string(round);
    std::vector<std::unique_ptr<Process>> clients;
    for (int c = 0; c < kClients; ++c) {
      clients.push_back(std::make_unique<Process>([&, round, c] {
        const std::string key = "c" + std::to_string(c);
        for (int seq = 0;; ++seq) {
          if (!manager
                   ->DictSet("d", key,
                             Tagged(round, c, seq,
                                    seq % 2 == 0 ? kLargeValueBytes
                                                 : kSmallValueBytes))
                   .ok()) {
            return 1;
          }
          if (!manager->ListAppend(list_name, Tagged(round, c, seq, 0)).ok()) {
            return 2;
          }
          done->Set(c, seq + 1);
        }
      }));
      REQUIRE_OK(clients.back()->Start());
    }
    std::this_thread::sleep_for(
        std::chrono::microseconds(1000 + rng() % 30000));
    for (auto& p : clients) REQUIRE_OK(p->Kill());
    for (auto& p : clients) {
      REQUIRE_OK(p->Join(10000));
      CHECK(p->exit_code() == -SIGKILL);
    }
    // Check this round's updates.
    auto list = manager->ListItems(list_name);
    REQUIRE_MESSAGE(list.ok(), list.status().ToString());
    std::vector<std::vector<int>> seqs(kClients);
    for (const std::string& v : *list) {
      int r, c, seq;
      REQUIRE(ParseTagged(v, &r, &c, &seq));
      REQUIRE(r == round);
      seqs[c].push_back(seq);
    }
    for (int c = 0; c < kClients; ++c) {
      const int completed = static_cast<int>(done->Get(c));
      completed_total += completed;
      INFO("round " << round << " client " << c << " completed " << completed);
      // 0..completed-1 in order, plus perhaps the update in progress.
      REQUIRE(seqs[c].size() >= static_cast<size_t>(completed));
      REQUIRE(seqs[c].size() <= static_cast<size_t>(completed) + 1);
      for (size_t i = 0; i < seqs[c].size(); ++i) {
        CHECK(seqs[c][i] == static_cast<int>(i));
      }
      auto value = manager->DictGet("d", "c" + std::to_string(c));
      if (!value.ok()) {
        // Nothing from this client yet: possible only while none of its
        // updates, in this round or an earlier one, has landed (a loaded
        // machine can kill a client before its first update, round after
        // round).
        CHECK(value.status().code() == Code::kNotFound);
        CHECK_FALSE(ever_landed[c]);
        CHECK(completed == 0);
        CHECK(seqs[c].empty());
        continue;
      }
      ever_landed[c] = true;
      int r, cc, seq;
      REQUIRE(ParseTagged(*value, &r, &cc, &seq));
      CHECK(cc == c);
      if (r != round) {
        // Still an earlier round's value: this round's first DictSet was
        // cut short.
        CHECK(r < round);
        CHECK(completed == 0);
        CHECK(seqs[c].empty());
        continue;
      }
      // DictSet(seq) precedes ListAppend(seq).
      CHECK(seq >= completed - 1);
      CHECK(seq <= completed);
      if (seqs[c].size() == static_cast<size_t>(completed) + 1) {
        CHECK(seq == completed);
      }
    }
  }
  // Still fully usable by new processes.
  Process after([&] { return manager->ListAppend("l", "after").ok() ? 0 : 1; });
  REQUIRE_OK(after.Start());
  REQUIRE_OK(after.Join(5000));
  CHECK(after.exit_code() == 0);
  auto last = manager->ListGet("l", *manager->ListSize("l") - 1);
  REQUIRE(last.ok());
  CHECK(*last == "after");
  ManagerStats s = WaitStats(
      *manager, [](const ManagerStats& s) { return s.clients_connected == 1; });
  CHECK(s.clients_connected == 1);
  // A client killed before its first call never connected.
  CHECK(s.clients_total <= 1 + kRounds * kClients + 1);
  MESSAGE("completed updates: " << completed_total << ", clients killed "
                                << "mid-request: "
                                << s.clients_lost_mid_request);
  CHECK(completed_total > 0);
  // With 256 KiB frames, some kills land mid-frame.
  CHECK(s.clients_lost_mid_request > 0);
}

TEST_CASE("Manager: Shutdown stops the manager process; calls then fail") {
  auto manager = MakeManager();
  const pid_t server = manager->server_pid();
  REQUIRE_OK(manager->DictSet("d", "k", "v"));
  Process child([&] {
    // Only the creator may shut it down.
    return manager->Shutdown().code() == Code::kFailedPrecondition ? 0 : 1;
  });
  REQUIRE_OK(child.Start());
  REQUIRE_OK(child.Join(5000));
  CHECK(child.exit_code() == 0);
  REQUIRE_OK(manager->Shutdown());
  CHECK(crawler::testing::WaitGone(server, 2000));
  CHECK(manager->DictSet("d", "k", "v").code() == Code::kClosed);
  CHECK_OK(manager->Shutdown());  // Idempotent.
}

TEST_CASE("Manager: a child started after shutdown gets Closed, not a hang") {
  auto manager = MakeManager();
  REQUIRE_OK(manager->Shutdown());
  Process child([&] {
    auto s = manager->ListAppend("l", "x").status();
    return s.code() == Code::kClosed ? 0 : 1;
  });
  REQUIRE_OK(child.Start());
  REQUIRE_OK(child.Join(5000));
  CHECK(child.exit_code() == 0);
}

TEST_CASE("Manager: the destructor leaves no process behind") {
  pid_t server;
  {
    auto manager = MakeManager();
    server = manager->server_pid();
    CHECK(!crawler::testing::IsGoneOrZombie(server));
  }
  CHECK(crawler::testing::IsGoneOrZombie(server));
  CHECK(crawler::testing::ChildPids().empty());
}

}  // namespace
}  // namespace crawler::mp
