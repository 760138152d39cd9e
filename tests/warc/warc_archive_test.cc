// Exchanges as request and response records (WARC 1.1 sections 6.3 and
// 6.5): the fields, the pairing, and both digests recomputed from what is
// read back.
#include "crawler/warc/warc_archive.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "crawler/testing/test_util.h"
#include "crawler/warc/digest.h"
#include "crawler/warc/warc_reader.h"

namespace crawler::warc {
namespace {

// A chunked gzip response: the payload (entity-body, transfer coding
// removed) is the two chunks' data.
const char kChunkedBody[] =
    "4\r\nWiki\r\n6;ext\r\npedia \r\n0\r\nX-T: 1\r\n\r\n";
const char kPayload[] = "Wikipedia ";

fetch::Exchange MakeExchange() {
  fetch::Exchange e;
  e.url = "http://a.test:8080/path?q=1";
  e.ip_address = "127.0.0.1";
  e.sent_unix_us = 1767225600000000LL + 250000;
  e.request = "GET /path?q=1 HTTP/1.1\r\nHost: a.test:8080\r\n\r\n";
  e.response = std::string(
                   "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                   "Transfer-Encoding: chunked\r\n\r\n") +
               kChunkedBody;
  return e;
}

std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  REQUIRE(d != nullptr);
  while (dirent* e = ::readdir(d)) {
    const std::string n = e->d_name;
    if (n != "." && n != "..") out.push_back(n);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST_SUITE("WarcArchive") {
  TEST_CASE("an exchange becomes a request and a response record") {
    const fetch::Exchange e = MakeExchange();
    std::vector<WarcWriter::Record> rs =
        ExchangeRecords(e, "<urn:uuid:req>", "<urn:uuid:resp>");
    REQUIRE(rs.size() == 2);
    const WarcHeader& q = rs[0].header;
    const WarcHeader& p = rs[1].header;
    CHECK(q.Get("WARC-Type") == "request");
    CHECK(p.Get("WARC-Type") == "response");
    CHECK(q.Get("WARC-Record-ID") == "<urn:uuid:req>");
    CHECK(p.Get("WARC-Record-ID") == "<urn:uuid:resp>");
    // Section 5.7: each names the other.
    CHECK(q.Get("WARC-Concurrent-To") == "<urn:uuid:resp>");
    CHECK(p.Get("WARC-Concurrent-To") == "<urn:uuid:req>");
    // Section 5.4: one capture event, one date.
    CHECK(q.Get("WARC-Date") == "2026-01-01T00:00:00.250000Z");
    CHECK(p.Get("WARC-Date") == q.Get("WARC-Date"));
    CHECK(q.Get("WARC-Target-URI") == e.url);
    CHECK(p.Get("WARC-Target-URI") == e.url);
    CHECK(q.Get("WARC-IP-Address") == "127.0.0.1");
    CHECK(p.Get("WARC-IP-Address") == "127.0.0.1");
    CHECK(q.Get("Content-Type") == "application/http; msgtype=request");
    CHECK(p.Get("Content-Type") == "application/http; msgtype=response");
    CHECK(q.Get("WARC-Block-Digest") == Sha1Digest(e.request));
    CHECK(p.Get("WARC-Block-Digest") == Sha1Digest(e.response));
    // Section 6.3.2: the payload is the entity-body, chunking removed.
    CHECK(p.Get("WARC-Payload-Digest") == Sha1Digest(kPayload));
    CHECK(!q.Has("WARC-Payload-Digest"));  // A GET has no body.
    CHECK(!p.Has("WARC-Truncated"));
    REQUIRE(rs[1].block.size() == 1);
    CHECK(rs[1].block[0] == e.response);  // Stored as received.
  }

  TEST_CASE("a truncated exchange; no IP address through a proxy") {
    fetch::Exchange e = MakeExchange();
    e.truncated = "length";
    e.ip_address.clear();
    // Cut after the second chunk: the last chunk and trailer are missing.
    e.response = e.response.substr(0, e.response.size() - 13);
    std::vector<WarcWriter::Record> rs =
        ExchangeRecords(e, "<urn:uuid:a>", "<urn:uuid:b>");
    CHECK(rs[1].header.Get("WARC-Truncated") == "length");
    CHECK(!rs[0].header.Has("WARC-IP-Address"));
    CHECK(!rs[1].header.Has("WARC-IP-Address"));
    // "the payload is considered truncated at the same position".
    CHECK(rs[1].header.Get("WARC-Payload-Digest") == Sha1Digest("Wikipedia "));
  }

  TEST_CASE("a request with a body gets a payload digest") {
    fetch::Exchange e = MakeExchange();
    e.request = "POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc";
    std::vector<WarcWriter::Record> rs =
        ExchangeRecords(e, "<urn:uuid:a>", "<urn:uuid:b>");
    CHECK(rs[0].header.Get("WARC-Payload-Digest") == Sha1Digest("abc"));
  }

  TEST_CASE("304 Not Modified: a revisit record, server-not-modified") {
    fetch::Exchange e = MakeExchange();
    e.request =
        "GET /path?q=1 HTTP/1.1\r\nHost: a.test:8080\r\n"
        "If-None-Match: \"v1\"\r\n\r\n";
    e.response = "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\n\r\n";
    std::vector<WarcWriter::Record> rs =
        ExchangeRecords(e, "<urn:uuid:a>", "<urn:uuid:b>");
    REQUIRE(rs.size() == 2);
    CHECK(rs[0].header.Get("WARC-Type") == "request");
    CHECK(rs[0].header.Get("WARC-Concurrent-To") == "<urn:uuid:b>");
    const WarcHeader& h = rs[1].header;
    CHECK(h.Get("WARC-Type") == "revisit");
    CHECK(h.Get("WARC-Profile") ==
          "http://netpreserve.org/warc/1.1/revisit/server-not-modified");
    CHECK(h.Get("WARC-Record-ID") == "<urn:uuid:b>");
    CHECK(h.Get("WARC-Concurrent-To") == "<urn:uuid:a>");
    CHECK(h.Get("WARC-Target-URI") == e.url);
    CHECK(h.Get("WARC-Refers-To-Target-URI") == e.url);
    CHECK(h.Get("Content-Type") == "application/http; msgtype=response");
    // The block is the 304 as received; no payload, so no payload digest.
    REQUIRE(rs[1].block.size() == 1);
    CHECK(rs[1].block[0] == e.response);
    CHECK(h.Get("WARC-Block-Digest") == Sha1Digest(e.response));
    CHECK(!h.Has("WARC-Payload-Digest"));
    // Any other status stays a response record.
    for (const char* status : {"200 OK", "301 Moved", "404 Not Found"}) {
      CAPTURE(status);
      e.response = std::string("HTTP/1.1 ") + status + "\r\n\r\n";
      rs = ExchangeRecords(e, "<urn:uuid:a>", "<urn:uuid:b>");
      CHECK(rs[1].header.Get("WARC-Type") == "response");
      CHECK(!rs[1].header.Has("WARC-Profile"));
      CHECK(!rs[1].header.Has("WARC-Refers-To-Target-URI"));
    }
  }

  TEST_CASE("a content-coded response is not compressed again") {
    struct Case {
      const char* field;  // The response's Content-Encoding line, if any.
      bool compress;
    };
    const Case cases[] = {
        {"", true},
        {"Content-Encoding: identity\r\n", true},
        {"Content-Encoding: \r\n", true},
        {"Content-Encoding: gzip\r\n", false},
        {"content-encoding: BR\r\n", false},
        {"Content-Encoding: identity, zstd\r\n", false},
        {"Content-Encoding: deflate\r\n", false},
    };
    for (const Case& c : cases) {
      CAPTURE(c.field);
      fetch::Exchange e = MakeExchange();
      e.response = std::string("HTTP/1.1 200 OK\r\n") + c.field +
                   "Content-Length: 4\r\n\r\nbody";
      std::vector<WarcWriter::Record> rs = ExchangeRecords(e, "<a>", "<b>");
      REQUIRE(rs.size() == 2);
      CHECK(rs[0].compress);  // The request.
      CHECK(rs[1].compress == c.compress);
      // The digests do not depend on it.
      CHECK(rs[1].header.Get("WARC-Payload-Digest") == Sha1Digest("body"));
    }
  }

  TEST_CASE("archive, close, read back with digests recomputed") {
    const std::string dir = testing::TempDir() + "/warc_archive_test";
    ::mkdir(dir.c_str(), 0755);
    WarcOptions o;
    o.prefix = dir + "/t";
    o.info = {{"software", "test"}};
    auto archive = NewWarcArchive(o);
    REQUIRE_OK(archive.status());
    std::vector<fetch::Exchange> exchanges = {MakeExchange(), MakeExchange()};
    exchanges[1].url = "http://a.test:8080/other";
    REQUIRE_OK((*archive)->Archive(exchanges));
    std::vector<std::string> names = ListDir(dir);
    REQUIRE(names.size() == 1);
    CHECK(names[0].size() > 5);
    CHECK(names[0].substr(names[0].size() - 5) == ".open");
    REQUIRE_OK((*archive)->Close());
    names = ListDir(dir);
    REQUIRE(names.size() == 1);
    const std::string expected_end =
        "-00000-" + std::to_string(::getpid()) + ".warc.gz";
    CHECK(names[0].substr(names[0].size() - expected_end.size()) ==
          expected_end);
    const std::string bytes = ReadFile(dir + "/" + names[0]);
    WarcReader reader(bytes);
    std::vector<ReadRecord> rs;
    ReadRecord r;
    StatusOr<bool> next = true;
    while ((next = reader.Next(&r)).ok() && *next) rs.push_back(r);
    REQUIRE_OK(next.status());
    REQUIRE(rs.size() == 5);
    CHECK(rs[0].header.Get("WARC-Type") == "warcinfo");
    for (size_t i = 1; i < rs.size(); ++i) {
      CHECK(rs[i].header.Get("WARC-Block-Digest") == Sha1Digest(rs[i].block));
    }
    CHECK(rs[2].block == exchanges[0].response);
    CHECK(rs[4].header.Get("WARC-Target-URI") == "http://a.test:8080/other");
    CHECK(rs[4].header.Get("WARC-Payload-Digest") == Sha1Digest(kPayload));
    CHECK(rs[1].header.Get("WARC-Concurrent-To") ==
          rs[2].header.Get("WARC-Record-ID"));
    ::unlink((dir + "/" + names[0]).c_str());
  }
}

}  // namespace
}  // namespace crawler::warc
