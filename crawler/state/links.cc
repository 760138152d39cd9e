#include "crawler/state/links.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>

#include "crawler/frontier/seen_set.h"

namespace crawler::state {

uint64_t LinkFingerprint(std::string_view url) {
  return frontier::Fingerprint(url);
}

std::string EncodeLinks(std::vector<uint64_t> fps) {
  std::sort(fps.begin(), fps.end());
  fps.erase(std::unique(fps.begin(), fps.end()), fps.end());
  std::string out(fps.size() * 8, '\0');
  if constexpr (std::endian::native == std::endian::little) {
    if (!fps.empty()) std::memcpy(out.data(), fps.data(), out.size());
    return out;
  }
  for (size_t i = 0; i < fps.size(); ++i) {
    for (int b = 0; b < 8; ++b) {
      out[i * 8 + b] = static_cast<char>((fps[i] >> (8 * b)) & 0xff);
    }
  }
  return out;
}

namespace {

uint64_t At(std::string_view blob, size_t i) {
  uint64_t v = 0;
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(&v, blob.data() + i * 8, 8);
    return v;
  }
  for (int b = 7; b >= 0; --b) {
    v = (v << 8) | static_cast<unsigned char>(blob[i * 8 + b]);
  }
  return v;
}

}  // namespace

std::vector<uint64_t> DecodeLinks(std::string_view blob) {
  std::vector<uint64_t> out(blob.size() / 8);
  for (size_t i = 0; i < out.size(); ++i) out[i] = At(blob, i);
  return out;
}

std::vector<char> Reach(const std::vector<uint64_t>& nodes,
                        const std::vector<std::string>& links,
                        const std::vector<uint64_t>& roots) {
  // An open-addressing table from fingerprint to node index (linear
  // probing, at most half full): the walk looks up every link of every
  // reached page, 30-odd per page, and std::unordered_map's node per entry
  // made that the walk's main cost.
  size_t capacity = 16;
  while (capacity < 2 * nodes.size()) capacity *= 2;
  const size_t mask = capacity - 1;
  constexpr uint32_t kEmpty = UINT32_MAX;
  std::vector<uint64_t> keys(capacity);
  std::vector<uint32_t> slots(capacity, kEmpty);
  // The fingerprints are already well mixed (splitmix64's finalizer).
  for (size_t i = 0; i < nodes.size(); ++i) {
    size_t h = nodes[i] & mask;
    while (slots[h] != kEmpty && keys[h] != nodes[i]) h = (h + 1) & mask;
    if (slots[h] == kEmpty) {  // The first of duplicate nodes wins.
      keys[h] = nodes[i];
      slots[h] = static_cast<uint32_t>(i);
    }
  }
  std::vector<char> reached(nodes.size(), 0);
  std::vector<uint32_t> queue;
  queue.reserve(nodes.size());
  auto visit = [&](uint64_t fp) {
    size_t h = fp & mask;
    while (slots[h] != kEmpty) {
      if (keys[h] == fp) {
        const uint32_t n = slots[h];
        if (!reached[n]) {
          reached[n] = 1;
          queue.push_back(n);
        }
        return;
      }
      h = (h + 1) & mask;
    }
  };
  for (uint64_t r : roots) visit(r);
  for (size_t head = 0; head < queue.size(); ++head) {
    const uint32_t n = queue[head];
    if (n >= links.size()) continue;
    const std::string_view blob = links[n];
    for (size_t i = 0; i < blob.size() / 8; ++i) visit(At(blob, i));
  }
  return reached;
}

}  // namespace crawler::state
