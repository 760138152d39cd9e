// GzipCompressor (ISA-L's igzip, and stored members at level 0) and
// InflateMember: every level's members are single, complete gzip members
// (RFC 1952) that zlib, an independent decoder, inflates to the input, CRC
// and length checked; stored members span several 64 KiB blocks; the
// level mapping (IgzipLevelFor).
#include "crawler/warc/gzip_member.h"

#include <zlib.h>

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/testing/test_util.h"

namespace crawler::warc {
namespace {

// Inflates `member` with zlib directly (not through InflateMember): true
// when it is exactly one complete gzip member whose data is `expected`.
bool ZlibInflatesTo(const std::string& member, const std::string& expected) {
  z_stream z = {};
  if (inflateInit2(&z, 15 + 16) != Z_OK) return false;
  std::string out(expected.size() + 1, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(member.data()));
  z.avail_in = static_cast<uInt>(member.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&z, Z_FINISH);
  const size_t produced = out.size() - z.avail_out;
  const bool whole = z.avail_in == 0;  // Nothing after the member.
  inflateEnd(&z);
  out.resize(produced);
  return rc == Z_STREAM_END && whole && out == expected;
}

std::string Html(size_t n) {
  std::string s;
  std::mt19937 rng(7);
  static const char* kWords[] = {"<p>",    "</p>",   "<a href=\"/x/", "\">",
                                 "</a>",   "crawl",  "archive",       "the ",
                                 "record", "member", "\r\n",          "<div>"};
  while (s.size() < n) s += kWords[rng() % 12];
  s.resize(n);
  return s;
}

std::string Random(size_t n) {
  std::mt19937 rng(11);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

TEST_SUITE("gzip_member") {
  TEST_CASE("IgzipLevelFor: 0 stored, 1-3 igzip 0-2, 4-12 igzip 3") {
    CHECK(IgzipLevelFor(0) == -1);
    CHECK(IgzipLevelFor(1) == 0);
    CHECK(IgzipLevelFor(2) == 1);
    CHECK(IgzipLevelFor(3) == 2);
    for (int level = 4; level <= 12; ++level) CHECK(IgzipLevelFor(level) == 3);
    CHECK(kDefaultGzipLevel == 1);
  }

  TEST_CASE("bad levels are refused") {
    CHECK(GzipCompressor::Create(-1).status().code() == Code::kInvalidArgument);
    CHECK(GzipCompressor::Create(13).status().code() == Code::kInvalidArgument);
  }

  TEST_CASE("every level: one member, inflated by zlib to the input") {
    const std::vector<std::string> inputs = {
        "",          "a",          Html(100),      Html(15500),
        Html(70000), Random(1000), Random(140000), std::string(200000, 'z')};
    for (int level = kMinGzipLevel; level <= kMaxGzipLevel; ++level) {
      CAPTURE(level);
      auto gz = GzipCompressor::Create(level);
      REQUIRE_OK(gz.status());
      for (const std::string& in : inputs) {
        CAPTURE(in.size());
        std::string member;
        REQUIRE_OK((*gz)->Compress({in}, &member));
        CHECK(LooksGzipped(member));
        CHECK(ZlibInflatesTo(member, in));
        StatusOr<InflatedMember> m = InflateMember(member, 1 << 20);
        REQUIRE_OK(m.status());
        CHECK(m->data == in);
        CHECK(m->compressed_size == member.size());
        if (level == 0) {
          // Stored: the input plus 5 bytes a block of at most 65535, the
          // 10-byte header and the 8-byte trailer.
          const size_t blocks = in.empty() ? 1 : (in.size() + 65534) / 65535;
          CHECK(member.size() == in.size() + 5 * blocks + 18);
        }
      }
    }
  }

  TEST_CASE("pieces: one member of their concatenation, appended to out") {
    const std::string a = Html(40000), b = "\r\n", c = Html(90000);
    for (int level : {0, 1, 2, 3, 4, 12}) {
      CAPTURE(level);
      auto gz = GzipCompressor::Create(level);
      REQUIRE_OK(gz.status());
      std::string out = "prefix";
      REQUIRE_OK((*gz)->Compress({a, b, "", c}, &out));
      CHECK(out.substr(0, 6) == "prefix");
      const std::string member = out.substr(6);
      CHECK(ZlibInflatesTo(member, a + b + c));
      // A second member after the first: each stands alone.
      const size_t first = out.size();
      REQUIRE_OK((*gz)->Compress({c}, &out));
      CHECK(ZlibInflatesTo(out.substr(first), c));
    }
  }

  TEST_CASE("compression: higher levels are not bigger on HTML") {
    const std::string page = Html(15500);
    size_t previous = 0;
    for (int level : {0, 1, 2, 3, 4}) {
      auto gz = GzipCompressor::Create(level);
      REQUIRE_OK(gz.status());
      std::string member;
      REQUIRE_OK((*gz)->Compress({page}, &member));
      CAPTURE(level);
      if (level == 0) {
        CHECK(member.size() > page.size());
      } else {
        CHECK(member.size() < page.size() / 2);
        CHECK(member.size() <= previous);
      }
      previous = member.size();
    }
  }
}

}  // namespace
}  // namespace crawler::warc
