#include "crawler/mp/shared_stats.h"

#include <sys/mman.h>

#include <cerrno>

namespace crawler::mp {

StatusOr<std::unique_ptr<SharedStats>> SharedStats::Create(
    const std::vector<std::string>& names) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i].empty()) return InvalidArgumentError("empty stat name");
    for (size_t j = 0; j < i; ++j) {
      if (names[i] == names[j]) {
        return InvalidArgumentError("duplicate stat name '" + names[i] + "'");
      }
    }
  }
  size_t bytes =
      std::max<size_t>(1, names.size()) * sizeof(std::atomic<int64_t>);
  void* mem = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) return ErrnoError("mmap shared stats", errno);
  auto* values = static_cast<std::atomic<int64_t>*>(mem);
  for (size_t i = 0; i < names.size(); ++i)
    new (&values[i]) std::atomic<int64_t>(0);
  return std::unique_ptr<SharedStats>(new SharedStats(names, values, bytes));
}

SharedStats::~SharedStats() { ::munmap(values_, bytes_); }

int SharedStats::Slot(std::string_view name) const {
  for (size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name) return static_cast<int>(i);
  }
  return -1;
}

void SharedStats::Max(int slot, int64_t value) {
  int64_t cur = values_[slot].load(std::memory_order_relaxed);
  while (cur < value && !values_[slot].compare_exchange_weak(
                            cur, value, std::memory_order_relaxed)) {
  }
}

std::vector<std::pair<std::string, int64_t>> SharedStats::Snapshot() const {
  std::vector<std::pair<std::string, int64_t>> out;
  out.reserve(names_.size());
  for (size_t i = 0; i < names_.size(); ++i)
    out.emplace_back(names_[i], Get(i));
  return out;
}

}  // namespace crawler::mp
