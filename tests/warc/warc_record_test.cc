// The WARC record header (WARC 1.1 section 4): formatting, parsing, and the
// WARC-Date form (section 5.4).
#include "crawler/warc/warc_record.h"

#include <string>

#include "crawler/testing/test_util.h"

namespace crawler::warc {
namespace {

TEST_SUITE("WarcRecord") {
  TEST_CASE("format then parse gives the fields back in order") {
    WarcHeader h;
    h.Add("WARC-Type", "response");
    h.Add("WARC-Target-URI", "http://example.com/a?b=c");
    h.Add("WARC-Concurrent-To", "<urn:uuid:1>");
    h.Add("WARC-Concurrent-To", "<urn:uuid:2>");
    h.Add("Content-Length", "12");
    const std::string text = FormatHeader(h);
    CHECK(text.rfind("WARC/1.1\r\nWARC-Type: response\r\n", 0) == 0);
    CHECK(text.substr(text.size() - 4) == "\r\n\r\n");
    StatusOr<ParsedHeader> p = ParseHeader(text + "hello world!\r\n\r\n");
    REQUIRE_OK(p.status());
    CHECK(p->version == "WARC/1.1");
    CHECK(p->size == text.size());
    CHECK(p->content_length == 12);
    CHECK(p->header.fields == h.fields);
    CHECK(p->header.Get("warc-type") == "response");
    CHECK(p->header.Get("WARC-Concurrent-To") == "<urn:uuid:1>");
    CHECK(!p->header.Has("WARC-Truncated"));
  }

  TEST_CASE("a value cannot end its line or inject a field") {
    WarcHeader h;
    h.Add("WARC-Target-URI", "http://x/\r\nWARC-Type: revisit");
    h.Add("Content-Length", "0");
    StatusOr<ParsedHeader> p = ParseHeader(FormatHeader(h));
    REQUIRE_OK(p.status());
    REQUIRE(p->header.fields.size() == 2);
    CHECK(p->header.Get("WARC-Target-URI") ==
          "http://x/%0D%0AWARC-Type: revisit");
    CHECK(!p->header.Has("WARC-Type"));
  }

  TEST_CASE("LF line ends, folded values and spaces are read") {
    StatusOr<ParsedHeader> p = ParseHeader(
        "WARC/1.0\nWARC-Type:  warcinfo \nX-Long: one\n  two\n"
        "Content-Length: 0\n\n");
    REQUIRE_OK(p.status());
    CHECK(p->version == "WARC/1.0");
    CHECK(p->header.Get("WARC-Type") == "warcinfo");
    CHECK(p->header.Get("X-Long") == "one two");
  }

  TEST_CASE("bad headers: truncated (DataLoss) or not WARC (InvalidArgument)") {
    CHECK(ParseHeader("WARC/1.1\r\nWARC-Type: x\r\n").status().code() ==
          Code::kDataLoss);
    CHECK(ParseHeader("WAR").status().code() == Code::kDataLoss);
    CHECK(ParseHeader("").status().code() == Code::kDataLoss);
    CHECK(ParseHeader("HTTP/1.1 200 OK\r\n\r\n").status().code() ==
          Code::kInvalidArgument);
    CHECK(ParseHeader("WARC/1.1\r\nno colon\r\n\r\n").status().code() ==
          Code::kInvalidArgument);
    CHECK(ParseHeader("WARC/1.1\r\nWARC-Type: x\r\n\r\n").status().code() ==
          Code::kInvalidArgument);  // No Content-Length.
    CHECK(
        ParseHeader("WARC/1.1\r\nContent-Length: 1x\r\n\r\n").status().code() ==
        Code::kInvalidArgument);
  }

  TEST_CASE("WARC 1.1 section 5.4: UTC dates to the microsecond") {
    CHECK(FormatWarcDate(0) == "1970-01-01T00:00:00.000000Z");
    CHECK(FormatWarcDate(1767225600123456LL) == "2026-01-01T00:00:00.123456Z");
    CHECK(FormatTimestamp14(1767225600123456LL) == "20260101000000");
    CHECK(FormatWarcDate(-1) == "1969-12-31T23:59:59.999999Z");
    CHECK(FormatWarcDate(1795705449000007LL) == "2026-11-26T15:04:09.000007Z");
  }

  TEST_CASE("application/warc-fields") {
    WarcHeader f;
    f.Add("software", "crawler/0.1.0");
    f.Add("robots", "classic");
    CHECK(FormatFields(f) == "software: crawler/0.1.0\r\nrobots: classic\r\n");
  }
}

}  // namespace
}  // namespace crawler::warc
