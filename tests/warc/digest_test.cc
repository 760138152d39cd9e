// sha1:BASE32 digests (WARC 1.1 sections 5.8 and 5.9) and RFC 4648 base32.
#include "crawler/warc/digest.h"

#include <string>

#include "crawler/testing/test_util.h"

namespace crawler::warc {
namespace {

TEST_SUITE("Digest") {
  TEST_CASE("RFC 4648 section 10 base32 test vectors") {
    CHECK(Base32("") == "");
    CHECK(Base32("f") == "MY======");
    CHECK(Base32("fo") == "MZXQ====");
    CHECK(Base32("foo") == "MZXW6===");
    CHECK(Base32("foob") == "MZXW6YQ=");
    CHECK(Base32("fooba") == "MZXW6YTB");
    CHECK(Base32("foobar") == "MZXW6YTBOI======");
  }

  TEST_CASE("SHA-1 of known inputs, labelled as WARC writers do") {
    // FIPS 180 "abc": a9993e36 4706816a ba3e2571 7850c26c 9cd0d89d.
    CHECK(Sha1Digest("abc") == "sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE5");
    // The empty string: da39a3ee 5e6b4b0d 3255bfef 95601890 afd80709.
    CHECK(Sha1Digest("") == "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ");
  }

  TEST_CASE("incremental updates equal one call; Finish starts over") {
    Sha1 sha1;
    sha1.Update("a");
    sha1.Update("");
    sha1.Update("bc");
    CHECK(sha1.Finish() == Sha1Digest("abc"));
    sha1.Update("abc");
    CHECK(sha1.Finish() == Sha1Digest("abc"));
    CHECK(sha1.Finish() == Sha1Digest(""));
    const std::string big(1 << 20, 'x');
    for (size_t i = 0; i < big.size(); i += 4096) {
      sha1.Update(std::string_view(big).substr(i, 4096));
    }
    CHECK(sha1.Finish() == Sha1Digest(big));
  }
}

}  // namespace
}  // namespace crawler::warc
