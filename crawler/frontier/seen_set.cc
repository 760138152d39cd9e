#include "crawler/frontier/seen_set.h"

namespace crawler::frontier {
namespace {

uint64_t NonZero(uint64_t fp) { return fp == 0 ? 1 : fp; }

}  // namespace

uint64_t Fingerprint(std::string_view url) {
  // FNV-1a, 64-bit (offset basis and prime from the FNV specification).
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : url) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  // splitmix64 finalizer: spreads FNV's weak low bits over the whole word.
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return h;
}

SeenSet::SeenSet() : slots_(1024, 0) {}

bool SeenSet::Contains(std::string_view url) const {
  const uint64_t fp = NonZero(Fingerprint(url));
  const size_t mask = slots_.size() - 1;
  for (size_t i = fp & mask;; i = (i + 1) & mask) {
    if (slots_[i] == 0) return false;
    if (slots_[i] == fp) return true;
  }
}

bool SeenSet::InsertFingerprint(uint64_t fp) {
  fp = NonZero(fp);
  if ((size_ + 1) * 10 > slots_.size() * 7) Grow();
  const size_t mask = slots_.size() - 1;
  for (size_t i = fp & mask;; i = (i + 1) & mask) {
    if (slots_[i] == fp) return false;
    if (slots_[i] == 0) {
      slots_[i] = fp;
      ++size_;
      return true;
    }
  }
}

void SeenSet::Grow() {
  std::vector<uint64_t> old;
  old.swap(slots_);
  slots_.assign(old.size() * 2, 0);
  const size_t mask = slots_.size() - 1;
  for (uint64_t fp : old) {
    if (fp == 0) continue;
    size_t i = fp & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = fp;
  }
}

}  // namespace crawler::frontier
