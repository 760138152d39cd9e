#include "crawler/mp/queue.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <thread>

#include "crawler/mp/pipe.h"
#include "crawler/mp/process.h"
#include "crawler/testing/proc_util.h"
#include "crawler/testing/test_util.h"

namespace crawler::mp {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<Queue> MakeQueue(QueueOptions o = {}) {
  auto q = Queue::Create(o);
  REQUIRE(q.ok());
  return std::move(q).value();
}

// A message that carries its own check: "<seq>:<len>:" then a pattern.
std::string Pattern(uint64_t seq, size_t len) {
  std::string head = std::to_string(seq) + ":" + std::to_string(len) + ":";
  std::string m = head;
  m.resize(std::max(len, head.size()));
  for (size_t i = head.size(); i < m.size(); ++i) {
    m[i] = static_cast<char>('a' + (seq + i) % 26);
  }
  return m;
}

bool CheckPattern(const std::string& m, uint64_t* seq) {
  size_t c1 = m.find(':');
  size_t c2 = m.find(':', c1 + 1);
  if (c1 == std::string::npos || c2 == std::string::npos) return false;
  *seq = std::stoull(m.substr(0, c1));
  size_t len = std::stoull(m.substr(c1 + 1, c2 - c1 - 1));
  return m == Pattern(*seq, len);
}

TEST_CASE("Queue: FIFO order, sizes, empty and zero-length messages") {
  auto q = MakeQueue({.capacity_bytes = 4096});
  REQUIRE_OK(q->Put("one"));
  REQUIRE_OK(q->Put(""));
  REQUIRE_OK(q->Put("three"));
  CHECK(q->size() == 3);
  std::string m;
  REQUIRE_OK(q->Get(&m));
  CHECK(m == "one");
  REQUIRE_OK(q->Get(&m));
  CHECK(m.empty());
  REQUIRE_OK(q->Get(&m));
  CHECK(m == "three");
  CHECK(q->size() == 0);
}

TEST_CASE("Queue: Get and Put time out; bounded by bytes and by count") {
  auto q = MakeQueue({.capacity_bytes = 256, .max_messages = 2});
  std::string m;
  auto t0 = std::chrono::steady_clock::now();
  CHECK(q->Get(&m, 100).code() == Code::kDeadlineExceeded);
  CHECK(std::chrono::steady_clock::now() - t0 >= 90ms);
  REQUIRE_OK(q->Put("a", 0));
  REQUIRE_OK(q->Put("b", 0));
  CHECK(q->Put("c", 50).code() == Code::kDeadlineExceeded);  // Count bound.
  REQUIRE_OK(q->Get(&m, 0));
  auto q2 = MakeQueue({.capacity_bytes = 256});
  REQUIRE_OK(q2->Put(std::string(200, 'x'), 0));
  CHECK(q2->Put(std::string(100, 'y'), 50).code() ==
        Code::kDeadlineExceeded);  // Byte bound.
  Status never = q2->Put(std::string(1000, 'z'), 0);
  CHECK(never.code() == Code::kInvalidArgument);
  CHECK(never.message().find("capacity_bytes") != std::string::npos);
}

TEST_CASE("Queue: a 16 MiB message crosses between processes intact") {
  auto q = MakeQueue({.capacity_bytes = 20 << 20});
  std::string big = Pattern(42, 16 << 20);
  Process producer([&] { return q->Put(big).ok() ? 0 : 1; });
  REQUIRE_OK(producer.Start());
  std::string got;
  REQUIRE_OK(q->Get(&got, 10000));
  CHECK(got.size() == big.size());
  CHECK(got == big);
  CHECK_OK(producer.Join());
  CHECK(producer.exit_code() == 0);
}

// Three processes put messages on a Queue that the parent reads.
TEST_CASE(
    "Queue: 4 producers x 100k messages, 2 consumers, none lost or "
    "duplicated") {
  constexpr int kProducers = 4;
  constexpr int kPerProducer = 100000;
  auto q = MakeQueue({.capacity_bytes = 1 << 16});
  auto results = MakeQueue({.capacity_bytes = 32 << 20});
  std::vector<std::unique_ptr<Process>> procs;
  for (int p = 0; p < kProducers; ++p) {
    procs.push_back(std::make_unique<Process>([&, p] {
      for (int i = 0; i < kPerProducer; ++i) {
        uint64_t id = static_cast<uint64_t>(p) * kPerProducer + i;
        if (!q->Put(Pattern(id, 16 + id % 64)).ok()) return 1;
      }
      return 0;
    }));
    REQUIRE_OK(procs.back()->Start());
  }
  // A second consumer process shares the work with the parent and reports
  // the sequence numbers it got.
  Process consumer([&] {
    std::string m, ids;
    uint64_t seq;
    int n = 0;
    while (q->Get(&m).ok()) {
      if (!CheckPattern(m, &seq)) return 3;
      ids += std::to_string(seq) + ",";
      if (++n % 1000 == 0) {
        if (!results->Put(ids).ok()) return 4;
        ids.clear();
      }
    }
    if (!ids.empty() && !results->Put(ids).ok()) return 4;
    return 0;
  });
  REQUIRE_OK(consumer.Start());
  std::vector<uint8_t> seen(kProducers * kPerProducer, 0);
  int corrupt = 0;
  uint64_t got = 0;
  std::string m;
  uint64_t seq;
  auto record = [&](uint64_t s) {
    if (s < seen.size()) ++seen[s];
    ++got;
  };
  // The parent consumes until every producer has finished and the queue is
  // drained, then closes it so that the consumer process ends.
  bool producers_done = false;
  while (true) {
    Status s = q->Get(&m, 20);
    if (s.ok()) {
      if (CheckPattern(m, &seq))
        record(seq);
      else
        ++corrupt;
      continue;
    }
    if (!producers_done) {
      producers_done = true;
      for (auto& p : procs) producers_done &= !p->IsAlive();
      if (!producers_done) continue;
    }
    if (q->size() == 0) break;
  }
  q->Close();
  REQUIRE_OK(consumer.Join(10000));
  CHECK(consumer.exit_code() == 0);
  std::string batch;
  while (results->Get(&batch, 0).ok()) {
    size_t pos = 0;
    while (pos < batch.size()) {
      size_t comma = batch.find(',', pos);
      record(std::stoull(batch.substr(pos, comma - pos)));
      pos = comma + 1;
    }
  }
  for (auto& p : procs) {
    CHECK_OK(p->Join());
    CHECK(p->exit_code() == 0);
  }
  CHECK(corrupt == 0);
  CHECK(got == seen.size());
  int missing = 0, duplicated = 0;
  for (uint8_t c : seen) {
    missing += c == 0;
    duplicated += c > 1;
  }
  CHECK(missing == 0);
  CHECK(duplicated == 0);
}

TEST_CASE("Queue: Close wakes a consumer blocked in another process") {
  auto q = MakeQueue();
  auto ends = Pipe();
  REQUIRE(ends.ok());
  int fd = ends->second.fd();
  Process consumer([&, fd] {
    Connection c(dup(fd));
    std::string m;
    Status s = q->Get(&m);  // Blocks: nothing is ever put.
    (void)c.Send(s.code() == Code::kClosed ? "closed" : s.ToString());
    return 0;
  });
  REQUIRE_OK(consumer.Start());
  std::this_thread::sleep_for(200ms);
  CHECK(consumer.IsAlive());  // Still blocked.
  auto t0 = std::chrono::steady_clock::now();
  q->Close();
  std::string reply;
  REQUIRE_OK(ends->first.Recv(&reply, 5000));
  CHECK(reply == "closed");
  CHECK(std::chrono::steady_clock::now() - t0 < 1s);
  CHECK_OK(consumer.Join());
  CHECK(q->Put("late").code() == Code::kClosed);
}

TEST_CASE("Queue: Close lets consumers drain what was already queued") {
  auto q = MakeQueue();
  REQUIRE_OK(q->Put("a"));
  REQUIRE_OK(q->Put("b"));
  q->Close();
  CHECK(q->closed());
  std::string m;
  REQUIRE_OK(q->Get(&m, 0));
  CHECK(m == "a");
  REQUIRE_OK(q->Get(&m, 0));
  CHECK(m == "b");
  CHECK(q->Get(&m, 0).code() == Code::kClosed);
}

// Kill a producer over and over while it writes 4 MiB messages (most of its
// time is spent copying under the lock), and check that the queue stays
// usable and every message that comes out is intact.
TEST_CASE("Queue: producers killed mid-put never corrupt or hang the queue") {
  auto q = MakeQueue({.capacity_bytes = 32 << 20});
  std::mt19937 rng(12345);
  int delivered = 0;
  for (int round = 0; round < 40; ++round) {
    // Built before the fork, so the producer spends its life inside Put.
    const std::string msgs[2] = {Pattern(round * 2, 4 << 20),
                                 Pattern(round * 2 + 1, 4 << 20)};
    Process producer([&] {
      for (uint64_t i = 0;; ++i) {
        if (!q->Put(msgs[i % 2]).ok()) return 1;
      }
    });
    REQUIRE_OK(producer.Start());
    std::this_thread::sleep_for(std::chrono::microseconds(2000 + rng() % 8000));
    REQUIRE_OK(producer.Kill());
    REQUIRE_OK(producer.Join());
    // Drain: every message must be whole.
    std::string m;
    uint64_t seq;
    while (q->Get(&m, 0).ok()) {
      REQUIRE(CheckPattern(m, &seq));
      ++delivered;
    }
    if (round >= 10 && q->recoveries() > 0) break;
  }
  MESSAGE("recoveries after kills mid-put: "
          << q->recoveries() << ", messages delivered: " << delivered);
  CHECK(q->recoveries() > 0);  // We did hit the dead-owner path.
  CHECK(delivered > 0);
  REQUIRE_OK(q->Put("still works", 1000));
  std::string m;
  REQUIRE_OK(q->Get(&m, 1000));
  CHECK(m == "still works");
}

TEST_CASE("Queue: consumers killed mid-get never corrupt or hang the queue") {
  auto q = MakeQueue({.capacity_bytes = 64 << 20});
  constexpr int kMessages = 12;
  for (int i = 0; i < kMessages; ++i) REQUIRE_OK(q->Put(Pattern(i, 4 << 20)));
  std::mt19937 rng(777);
  for (int round = 0; round < 5; ++round) {
    Process consumer([&] {
      std::string m;
      while (q->Get(&m, 0).ok()) {
        REQUIRE_OK(q->Put(m));  // Put it back: keep the ring busy.
      }
      return 0;
    });
    REQUIRE_OK(consumer.Start());
    std::this_thread::sleep_for(std::chrono::microseconds(1000 + rng() % 4000));
    REQUIRE_OK(consumer.Kill());
    REQUIRE_OK(consumer.Join());
  }
  // At most one message per killed consumer can be lost (the one it held).
  std::string m;
  uint64_t seq;
  int left = 0;
  while (q->Get(&m, 200).ok()) {
    REQUIRE(CheckPattern(m, &seq));
    ++left;
  }
  CHECK(left >= kMessages - 5);
  CHECK(left <= kMessages);
  REQUIRE_OK(q->Put("ok", 0));
  REQUIRE_OK(q->Get(&m, 0));
  CHECK(m == "ok");
}

}  // namespace
}  // namespace crawler::mp
