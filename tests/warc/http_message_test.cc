// HTTP heads and chunked payloads of archived messages: the payload
// (entity-body with the transfer coding removed, WARC 1.1 section 6.3.2).
#include "crawler/warc/http_message.h"

#include <string>

#include "crawler/testing/test_util.h"

namespace crawler::warc {
namespace {

std::string Payload(const std::string& message, Status* status = nullptr) {
  StatusOr<HttpHead> head = ParseHttpHead(message);
  REQUIRE_OK(head.status());
  std::string out;
  Status s =
      ForEachPayloadPiece(*head, std::string_view(message).substr(head->size),
                          [&](std::string_view p) { out.append(p); });
  if (status != nullptr) *status = s;
  return out;
}

TEST_SUITE("HttpMessage") {
  TEST_CASE("a response head: status, fields, where the body starts") {
    const std::string m =
        "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nX-A: 1\r\n"
        "X-A: 2\r\n\r\nbody";
    StatusOr<HttpHead> h = ParseHttpHead(m);
    REQUIRE_OK(h.status());
    CHECK(h->start_line == "HTTP/1.1 404 Not Found");
    CHECK(h->status == 404);
    CHECK(h->Get("content-type") == "text/html");
    CHECK(h->Get("X-A") == "1, 2");
    CHECK(m.substr(h->size) == "body");
    CHECK(!h->Chunked());
  }

  TEST_CASE("a request head has no status; HTTP/2 rendering is read too") {
    StatusOr<HttpHead> r = ParseHttpHead("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    REQUIRE_OK(r.status());
    CHECK(r->status == 0);
    StatusOr<HttpHead> h2 = ParseHttpHead("HTTP/2 200 \r\nserver: x\r\n\r\n");
    REQUIRE_OK(h2.status());
    CHECK(h2->status == 200);
  }

  TEST_CASE("a head without its blank line is DataLoss") {
    CHECK(ParseHttpHead("HTTP/1.1 200 OK\r\nA: b\r\n").status().code() ==
          Code::kDataLoss);
  }

  TEST_CASE("RFC 9112 7.1: chunks, extensions and trailers") {
    const std::string m =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5;ext=1\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\n"
        "Trailer-Field: x\r\n\r\n";
    Status s;
    CHECK(Payload(m, &s) == "hello 0123456789");
    CHECK_OK(s);
  }

  TEST_CASE(
      "Transfer-Encoding 'gzip, chunked' is chunked; 'chunked, gzip' not") {
    StatusOr<HttpHead> a = ParseHttpHead(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n");
    StatusOr<HttpHead> b = ParseHttpHead(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n");
    CHECK(a->Chunked());
    CHECK(!b->Chunked());
  }

  TEST_CASE("a cut chunked body gives what is there and DataLoss") {
    const std::string head =
        "HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\n\r\n";
    Status s;
    CHECK(Payload(head + "5\r\nhel", &s) == "hel");
    CHECK(s.code() == Code::kDataLoss);
    CHECK(Payload(head + "5\r\nhello\r\n", &s) == "hello");
    CHECK(s.code() == Code::kDataLoss);
    CHECK(Payload(head + "zz\r\n", &s).empty());
    CHECK(s.code() == Code::kDataLoss);
    CHECK(s.message().find("malformed chunk-size") != std::string::npos);
    CHECK(Payload(head + "0\r\n", &s).empty());
    CHECK(s.code() == Code::kDataLoss);
  }

  TEST_CASE("a Content-Length body is the payload as it is") {
    Status s;
    CHECK(Payload("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc", &s) ==
          "abc");
    CHECK_OK(s);
  }
}

}  // namespace
}  // namespace crawler::warc
