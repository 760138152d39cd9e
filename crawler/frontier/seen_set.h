// SeenSet: which URLs the crawl has already accepted, stored as fixed-size
// 64-bit fingerprints of the normalized URL rather than the strings.
//
// Fingerprint: FNV-1a over the bytes, then the splitmix64 finalizer for
// avalanche; deterministic across processes, builds and machines, so a later
// shared (Redis) frontier can use the same values. With 64-bit fingerprints
// the chance that any two of n URLs collide (and one is wrongly skipped) is
// about n^2 / 2^65: 3e-4 at 100 million URLs. It is not keyed, so a hostile
// site could construct colliding URLs to hide one of its own pages; that
// costs the crawl nothing else.
//
// Storage: open addressing over a power-of-two array of uint64, at most 70%
// full, so 8 / 0.7..0.35 = 11.4-22.9 bytes per URL (bytes_per_url() reports
// the current figure).
//
// Thread-safety: not thread-safe.
#ifndef CRAWLER_FRONTIER_SEEN_SET_H_
#define CRAWLER_FRONTIER_SEEN_SET_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace crawler::frontier {

// The 64-bit fingerprint of a (normalized) URL.
uint64_t Fingerprint(std::string_view url);

class SeenSet {
 public:
  SeenSet();
  // True when the URL was not in the set (it is now).
  bool Insert(std::string_view url) {
    return InsertFingerprint(Fingerprint(url));
  }
  bool Contains(std::string_view url) const;
  bool InsertFingerprint(uint64_t fp);

  size_t size() const { return size_; }
  // Bytes of the table itself.
  size_t memory_bytes() const { return slots_.size() * sizeof(uint64_t); }
  double bytes_per_url() const {
    return size_ == 0 ? 0 : static_cast<double>(memory_bytes()) / size_;
  }

 private:
  void Grow();
  std::vector<uint64_t> slots_;  // 0 = empty; fingerprint 0 is stored as 1.
  size_t size_ = 0;
};

}  // namespace crawler::frontier

#endif  // CRAWLER_FRONTIER_SEEN_SET_H_
