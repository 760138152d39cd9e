// CDXJ index lines: the SURT key and the JSON of a response record.
#include "crawler/warc/cdxj.h"

#include <string>

#include "crawler/testing/test_util.h"

namespace crawler::warc {
namespace {

TEST_SUITE("Cdxj") {
  TEST_CASE("SURT keys") {
    CHECK(SurtKey("http://example.com/").value() == "com,example)/");
    CHECK(SurtKey("https://www.Example.com:8443/A/B?b=2&a=1#frag").value() ==
          "com,example:8443)/a/b?a=1&b=2");
    CHECK(SurtKey("http://a.b.example.co.uk:80/x").value() ==
          "uk,co,example,b,a)/x");
    CHECK(SurtKey("https://example.com:443").value() == "com,example)/");
    CHECK(SurtKey("http://127.0.0.1:8080/p?q").value() ==
          "1,0,0,127:8080)/p?q");
    CHECK(SurtKey("http://[::1]:8080/").value() == "[::1]:8080)/");
    CHECK(SurtKey("http://www/").value() == "www)/");
    CHECK(SurtKey("not a url").status().code() == Code::kInvalidArgument);
  }

  TEST_CASE("a response record's line") {
    ReadRecord r;
    r.offset = 1234;
    r.stored_length = 567;
    r.header.Add("WARC-Type", "response");
    r.header.Add("WARC-Target-URI", "http://www.example.com/a?x=\"1\"");
    r.header.Add("WARC-Date", "2026-01-02T03:04:05.678901Z");
    r.header.Add("WARC-Payload-Digest", "sha1:ABC");
    r.block =
        "HTTP/1.1 404 Not Found\r\nContent-Type: Text/HTML; charset=utf-8\r\n"
        "\r\nbody";
    CHECK(CdxjLine(r, "f.warc.gz").value() ==
          "com,example)/a?x=%221%22 20260102030405 "
          "{\"url\":\"http://www.example.com/a?x=\\\"1\\\"\",\"mime\":"
          "\"text/html\",\"status\":\"404\",\"digest\":\"ABC\",\"length\":"
          "\"567\",\"offset\":\"1234\",\"filename\":\"f.warc.gz\"}");
  }

  TEST_CASE("only responses and revisits are indexed") {
    ReadRecord r;
    r.header.Add("WARC-Type", "request");
    r.header.Add("WARC-Target-URI", "http://a.test/");
    r.header.Add("WARC-Date", "2026-01-02T03:04:05Z");
    CHECK(CdxjLine(r, "f").value().empty());
    r.header.fields[0].second = "warcinfo";
    CHECK(CdxjLine(r, "f").value().empty());
    r.header.fields[0].second = "revisit";
    const std::string line = CdxjLine(r, "f").value();
    CHECK(line.rfind("test,a)/ 20260102030405 {", 0) == 0);
    CHECK(line.find("\"mime\":\"warc/revisit\"") != std::string::npos);
    r.header.fields[2].second = "yesterday";
    CHECK(CdxjLine(r, "f").status().code() == Code::kInvalidArgument);
  }
}

}  // namespace
}  // namespace crawler::warc
