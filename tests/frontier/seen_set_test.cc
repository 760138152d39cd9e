#include "crawler/frontier/seen_set.h"

#include <string>

#include "crawler/testing/test_util.h"

namespace crawler::frontier {
namespace {

TEST_CASE("SeenSet: insert once, then seen; fingerprints are stable") {
  SeenSet s;
  CHECK(s.Insert("http://a.test/"));
  CHECK_FALSE(s.Insert("http://a.test/"));
  CHECK(s.Contains("http://a.test/"));
  CHECK_FALSE(s.Contains("http://a.test/x"));
  CHECK(s.size() == 1);
  // Fixed algorithm: the same value in every process and build.
  CHECK(Fingerprint("http://a.test/") == Fingerprint("http://a.test/"));
  CHECK(Fingerprint("") != Fingerprint("http://a.test/"));
  CHECK(Fingerprint("http://a.test/1") != Fingerprint("http://a.test/2"));
}

// One million distinct URLs: none lost to a collision or a resize, and the
// table's cost per URL stays within the documented 11.4-22.9 bytes.
TEST_CASE(
    "SeenSet: a million URLs, 8-byte fingerprints, bytes per URL measured") {
  SeenSet s;
  constexpr int kUrls = 1000000;
  for (int i = 0; i < kUrls; ++i) {
    REQUIRE(s.Insert("http://host" + std::to_string(i % 997) + ".test/page/" +
                     std::to_string(i)));
  }
  CHECK(s.size() == kUrls);
  for (int i = 0; i < kUrls; i += 1000) {
    CHECK_FALSE(s.Insert("http://host" + std::to_string(i % 997) +
                         ".test/page/" + std::to_string(i)));
  }
  MESSAGE("seen-set: " << s.size() << " URLs in " << s.memory_bytes()
                       << " bytes = " << s.bytes_per_url() << " bytes/URL");
  CHECK(s.bytes_per_url() >= 8 / 0.7);
  CHECK(s.bytes_per_url() <= 8 / 0.35 + 0.01);
}

}  // namespace
}  // namespace crawler::frontier
