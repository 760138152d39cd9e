// Tutorial idea 4: several processes put messages on a Queue that the parent
// reads.
//
// Python:
//   q = Queue()
//   ps = [Process(target=producer, args=(q, i)) for i in range(3)]
//   start all; for _ in range(9): print(q.get()); join all
//
// Messages are bytes: typed values are encoded with mp/wire.h (here a
// producer number and a sequence number). The Queue is created before the
// fork, so every child shares its ring.
#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "crawler/mp/process.h"
#include "crawler/mp/queue.h"
#include "crawler/mp/wire.h"

namespace {

constexpr int kProducers = 3;
constexpr int kPerProducer = 3;
constexpr uint8_t kMessageType = 1;

}  // namespace

int main() {
  using crawler::Status;
  auto queue = crawler::mp::Queue::Create();
  if (!queue.ok()) {
    std::fprintf(stderr, "queue: %s\n", queue.status().ToString().c_str());
    return 1;
  }
  crawler::mp::Queue& q = **queue;
  std::vector<std::unique_ptr<crawler::mp::Process>> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.push_back(std::make_unique<crawler::mp::Process>([&q, p] {
      for (int seq = 0; seq < kPerProducer; ++seq) {
        crawler::mp::Encoder e(kMessageType);
        e.I64(p).I64(seq).Bytes("item " + std::to_string(p * 10 + seq));
        if (!q.Put(e.data()).ok()) return 1;
      }
      return 0;
    }));
    if (Status s = producers.back()->Start(); !s.ok()) {
      std::fprintf(stderr, "start: %s\n", s.ToString().c_str());
      return 1;
    }
  }
  // The parent reads exactly what was put. Messages from different producers
  // interleave in any order; each producer's own messages stay in order.
  std::vector<std::string> lines;
  std::map<int64_t, int64_t> next_seq;
  bool in_order = true;
  for (int i = 0; i < kProducers * kPerProducer; ++i) {
    std::string m;
    if (Status s = q.Get(&m, 10000); !s.ok()) {
      std::fprintf(stderr, "get: %s\n", s.ToString().c_str());
      return 1;
    }
    crawler::mp::Decoder d(m);
    int64_t producer = 0, seq = 0;
    std::string text;
    Status s = d.Header(kMessageType);
    if (s.ok()) s = d.I64(&producer);
    if (s.ok()) s = d.I64(&seq);
    if (s.ok()) s = d.Bytes(&text);
    if (s.ok()) s = d.Done();
    if (!s.ok()) {
      std::fprintf(stderr, "decode: %s\n", s.ToString().c_str());
      return 1;
    }
    in_order &= next_seq[producer]++ == seq;
    lines.push_back("producer " + std::to_string(producer) + " message " +
                    std::to_string(seq) + ": " + text);
  }
  for (auto& p : producers) {
    if (Status s = p->Join(); !s.ok() || p->exit_code() != 0) {
      std::fprintf(stderr, "producer failed: %s\n",
                   p->ExitDescription().c_str());
      return 1;
    }
  }
  std::sort(lines.begin(), lines.end());
  std::printf("received %zu messages (sorted here; they arrive interleaved):\n",
              lines.size());
  for (const auto& l : lines) std::printf("%s\n", l.c_str());
  std::printf("each producer's messages arrived in order: %s\n",
              in_order ? "yes" : "no");
  std::printf("queue empty: %s\n", q.size() == 0 ? "yes" : "no");
  return 0;
}
