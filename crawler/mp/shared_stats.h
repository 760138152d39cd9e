// SharedStats: named 64-bit counters and gauges in shared memory, updated by
// every process and read by any, the role Python's multiprocessing.Manager
// (or Value) plays for a crawl's live statistics.
//
// The set of names is fixed at creation, before fork(); children inherit the
// mapping. Updates are lock-free atomics, so a process killed mid-update
// cannot corrupt anything or block anyone.
//
// Thread-safety: every method is safe from any thread of any process.
#ifndef CRAWLER_MP_SHARED_STATS_H_
#define CRAWLER_MP_SHARED_STATS_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crawler/base/status.h"

namespace crawler::mp {

class SharedStats {
 public:
  // Creates one slot per name, all zero. Fails with InvalidArgument on an
  // empty or duplicate name.
  static StatusOr<std::unique_ptr<SharedStats>> Create(
      const std::vector<std::string>& names);
  ~SharedStats();
  SharedStats(const SharedStats&) = delete;
  SharedStats& operator=(const SharedStats&) = delete;

  // Index of a name, or -1. Resolve once, then update by index.
  int Slot(std::string_view name) const;

  // Counter update: adds delta (may be negative).
  void Add(int slot, int64_t delta) {
    values_[slot].fetch_add(delta, std::memory_order_relaxed);
  }
  // Gauge update: sets the value.
  void Set(int slot, int64_t value) {
    values_[slot].store(value, std::memory_order_relaxed);
  }
  // High-water mark: raises the value to at least `value`.
  void Max(int slot, int64_t value);
  int64_t Get(int slot) const {
    return values_[slot].load(std::memory_order_relaxed);
  }

  // Every name with its current value, in creation order.
  std::vector<std::pair<std::string, int64_t>> Snapshot() const;

 private:
  SharedStats(std::vector<std::string> names, std::atomic<int64_t>* values,
              size_t bytes)
      : names_(std::move(names)), values_(values), bytes_(bytes) {}

  std::vector<std::string> names_;  // Private copy in each process.
  std::atomic<int64_t>* values_;    // In the shared mapping.
  size_t bytes_;
};

}  // namespace crawler::mp

#endif  // CRAWLER_MP_SHARED_STATS_H_
