#include "crawler/state/content_hash.h"

#include <set>
#include <string>

#include "crawler/warc/digest.h"
#include "doctest/doctest.h"

namespace crawler::state {
namespace {

TEST_CASE("ContentHash: XXH3-128 in hex, labelled") {
  // xxHash's reference values of XXH3_128bits, seed 0, as high64 then
  // low64 (the xxHash project's test vectors).
  CHECK(ContentHash("") == "xxh128:99aa06d3014798d86001c324468d497f");
  CHECK(ContentHash("abc") == "xxh128:06b05ab6733a618578af5f94892f3950");
  const std::string h = ContentHash("<title>T</title>");
  CHECK(h.size() == 39);
  CHECK(h.rfind("xxh128:", 0) == 0);
  CHECK(h.find_first_not_of("0123456789abcdef", 7) == std::string::npos);
  CHECK(ContentHash("<title>T</title>") == h);  // Deterministic.
  // One byte more, or one changed, is another hash; NULs count.
  std::set<std::string> seen = {h};
  for (const std::string& body :
       {std::string("<title>T</title> "), std::string("<title>U</title>"),
        std::string("\0", 1), std::string("\0\0", 2)}) {
    CHECK(seen.insert(ContentHash(body)).second);
  }
}

TEST_CASE("ContentHash: SHA-1 when asked, as WARC digests it") {
  CHECK(ContentHash("abc", HashAlgorithm::kSha1) == warc::Sha1Digest("abc"));
  CHECK(ContentHash("abc", HashAlgorithm::kSha1).rfind("sha1:", 0) == 0);
}

TEST_CASE("AlgorithmOf: by the label") {
  CHECK(AlgorithmOf(ContentHash("x")) == HashAlgorithm::kXxh128);
  CHECK(AlgorithmOf(ContentHash("x", HashAlgorithm::kSha1)) ==
        HashAlgorithm::kSha1);
  CHECK(AlgorithmOf("sha1:QESTUY4PZY3EYH633XJTYDA4ST2XFSNA") ==
        HashAlgorithm::kSha1);
  CHECK(AlgorithmOf("") == HashAlgorithm::kXxh128);
  CHECK(AlgorithmOf("md5:abc") == HashAlgorithm::kXxh128);
  CHECK(AlgorithmOf("sha1") == HashAlgorithm::kXxh128);
}

}  // namespace
}  // namespace crawler::state
