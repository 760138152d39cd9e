#include "crawler/state/content_hash.h"

#include <xxhash.h>

#include "crawler/warc/digest.h"

namespace crawler::state {

std::string ContentHash(std::string_view body, HashAlgorithm algorithm) {
  if (algorithm == HashAlgorithm::kSha1) return warc::Sha1Digest(body);
  const XXH128_hash_t h = XXH3_128bits(body.data(), body.size());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "xxh128:";
  out.reserve(out.size() + 32);
  for (const uint64_t half : {h.high64, h.low64}) {
    for (int shift = 60; shift >= 0; shift -= 4) {
      out += kHex[(half >> shift) & 0xf];
    }
  }
  return out;
}

HashAlgorithm AlgorithmOf(std::string_view hash) {
  return hash.substr(0, 5) == "sha1:" ? HashAlgorithm::kSha1
                                      : HashAlgorithm::kXxh128;
}

}  // namespace crawler::state
