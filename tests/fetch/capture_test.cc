// FetchOptions::capture_exchanges through the libcurl fetcher, against
// tests/testdata/fault_server.py on loopback: each request as sent and each
// response as received (chunked framing and gzip coding intact, as libcurl
// 7.88's debug callback hands them over), one exchange per redirect hop,
// credentials redacted, and the WARC-Truncated reason of a fetch that ended
// early.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "crawler/fetch/curl_fetcher.h"
#include "crawler/fetch/fetch_options.h"
#include "crawler/fetch/fetcher.h"
#include "crawler/testing/fault_server.h"
#include "crawler/testing/test_util.h"

namespace crawler::fetch {
namespace {

using ::crawler::testing::FaultServer;
using Clock = std::chrono::steady_clock;

FaultServer& Server() {
  static std::unique_ptr<FaultServer> server = [] {
    auto s = FaultServer::Start();
    REQUIRE_MESSAGE(s.ok(), s.status().ToString());
    return std::move(s).value();
  }();
  return *server;
}

FetchOptions CaptureOptions() {
  FetchOptions o;
  o.allow_private_addresses = true;
  o.resolve = {Server().ResolveFlag()};
  o.connect_timeout_ms = 1000;
  o.total_timeout_ms = 5000;
  o.capture_exchanges = true;
  return o;
}

FetchResponse FetchOne(const FetchOptions& options, FetchRequest request) {
  auto made = NewCurlFetcher(options);
  REQUIRE_MESSAGE(made.ok(), made.status().ToString());
  Fetcher& fetcher = **made;
  const std::string url = request.url;
  fetcher.Start(std::move(request));
  const auto start = Clock::now();
  std::vector<FetchResponse> got;
  while (got.empty() && Clock::now() - start < std::chrono::seconds(10)) {
    got = fetcher.Poll(-1, 200);
  }
  REQUIRE_MESSAGE(got.size() == 1, "no response for " << url);
  return std::move(got[0]);
}

FetchResponse FetchOne(const FetchOptions& options, const std::string& url) {
  return FetchOne(options, FetchRequest{1, url});
}

// The body of a captured response: what follows its blank line.
std::string BodyOf(const std::string& message) {
  const size_t end = message.find("\r\n\r\n");
  REQUIRE(end != std::string::npos);
  return message.substr(end + 4);
}

std::string HeadOf(const std::string& message) {
  return message.substr(0, message.find("\r\n\r\n") + 4);
}

TEST_SUITE("Exchange capture") {
  TEST_CASE("off by default: no exchanges") {
    FetchOptions o = CaptureOptions();
    o.capture_exchanges = false;
    FetchResponse r = FetchOne(o, Server().Url("/echo"));
    REQUIRE(r.error.ok());
    CHECK(r.exchanges.empty());
  }

  TEST_CASE("the request as the server read it") {
    // /echo answers with the raw bytes of the request it received.
    FetchResponse r = FetchOne(CaptureOptions(), Server().Url("/echo"));
    REQUIRE_MESSAGE(r.error.ok(), r.error.ToString());
    REQUIRE(r.exchanges.size() == 1);
    const Exchange& e = r.exchanges[0];
    CHECK(e.url == Server().Url("/echo"));
    CHECK(e.ip_address == "127.0.0.1");
    CHECK(e.request == r.body);
    CHECK(e.request.rfind("GET /echo HTTP/1.1\r\n", 0) == 0);
    CHECK(e.response.rfind("HTTP/1.1 200 ", 0) == 0);
    CHECK(BodyOf(e.response) == r.body);
    CHECK(e.truncated.empty());
    const int64_t now_us =
        std::chrono::duration_cast<std::chrono::microseconds>(
            std::chrono::system_clock::now().time_since_epoch())
            .count();
    CHECK(e.sent_unix_us <= now_us);
    CHECK(e.sent_unix_us > now_us - 60 * 1000000LL);
  }

  TEST_CASE("libcurl 7.88 DATA_IN: chunked framing and gzip bytes as sent") {
    // A gzip body sent chunked: the capture holds the chunk-size lines and
    // the compressed bytes, byte for byte what the server wrote, while the
    // body libcurl delivers is de-chunked and decoded (3000 zero bytes).
    const std::string target = "/bomb?enc=gzip&size=3000";
    FetchResponse r = FetchOne(CaptureOptions(), Server().Url(target));
    REQUIRE_MESSAGE(r.error.ok(), r.error.ToString());
    CHECK(r.body == std::string(3000, '\0'));
    REQUIRE(r.exchanges.size() == 1);
    const Exchange& e = r.exchanges[0];
    CHECK(HeadOf(e.response).find("Transfer-Encoding: chunked\r\n") !=
          std::string::npos);
    CHECK(HeadOf(e.response).find("Content-Encoding: gzip\r\n") !=
          std::string::npos);
    const std::string body = BodyOf(e.response);
    // The first chunk starts with the gzip magic after its size line.
    const size_t line = body.find("\r\n");
    REQUIRE(line != std::string::npos);
    CHECK(body.substr(line + 2, 2) == "\x1f\x8b");
    CHECK(body.size() >= 5);
    CHECK(body.substr(body.size() - 5) == "0\r\n\r\n");
    StatusOr<testing::RawResponse> raw = Server().Get(target);
    REQUIRE_MESSAGE(raw.ok(), raw.status().ToString());
    CHECK(body == raw->body);
  }

  TEST_CASE("a Content-Length body as sent") {
    FetchResponse r = FetchOne(CaptureOptions(), Server().Url("/big?cl=70000"));
    REQUIRE_MESSAGE(r.error.ok(), r.error.ToString());
    REQUIRE(r.exchanges.size() == 1);
    CHECK(BodyOf(r.exchanges[0].response) == std::string(70000, 'x'));
    CHECK(HeadOf(r.exchanges[0].response).find("Content-Length: 70000\r\n") !=
          std::string::npos);
  }

  TEST_CASE("one exchange per redirect hop libcurl follows") {
    FetchResponse r =
        FetchOne(CaptureOptions(), Server().Url("/redirect?chain=2"));
    REQUIRE_MESSAGE(r.error.ok(), r.error.ToString());
    REQUIRE(r.exchanges.size() == 3);
    CHECK(r.exchanges[0].url == Server().Url("/redirect?chain=2"));
    CHECK(r.exchanges[1].url == Server().Url("/redirect?chain=1&code=302"));
    CHECK(r.exchanges[2].url == Server().Url("/redirect?chain=0&code=302"));
    CHECK(r.exchanges[0].response.rfind("HTTP/1.1 302 ", 0) == 0);
    CHECK(r.exchanges[1].response.rfind("HTTP/1.1 302 ", 0) == 0);
    CHECK(r.exchanges[2].response.rfind("HTTP/1.1 200 ", 0) == 0);
    CHECK(r.exchanges[1].request.rfind(
              "GET /redirect?chain=1&code=302 HTTP/1.1\r\n", 0) == 0);
  }

  TEST_CASE("the same hops when the fetcher follows them itself (cookies)") {
    FetchOptions o = CaptureOptions();
    o.cookies = true;
    FetchResponse r = FetchOne(o, Server().Url("/redirect?chain=1"));
    REQUIRE_MESSAGE(r.error.ok(), r.error.ToString());
    REQUIRE(r.exchanges.size() == 2);
    CHECK(r.exchanges[1].url == Server().Url("/redirect?chain=0&code=302"));
  }

  TEST_CASE("credentials never reach the capture") {
    FetchOptions o = CaptureOptions();
    o.auth = {{"http://auth.test:" + std::to_string(Server().port()),
               AuthScheme::kBasic, "ann:s3cret"}};
    FetchResponse r = FetchOne(o, Server().Url("auth.test", "/echo"));
    REQUIRE_MESSAGE(r.error.ok(), r.error.ToString());
    REQUIRE(r.exchanges.size() == 1);
    // The server got them ...
    CHECK(r.body.find("Authorization: Basic YW5uOnMzY3JldA==\r\n") !=
          std::string::npos);
    // ... the capture has the header without its value.
    const std::string& req = r.exchanges[0].request;
    CHECK(req.find("Authorization: [redacted]\r\n") != std::string::npos);
    CHECK(req.find("YW5u") == std::string::npos);
    CHECK(BodyOf(r.exchanges[0].response).find("YW5u") != std::string::npos);
  }

  TEST_CASE("a password in the URL is written ***") {
    FetchResponse r = FetchOne(CaptureOptions(),
                               "http://ann:s3cret@127.0.0.1:" +
                                   std::to_string(Server().port()) + "/echo");
    REQUIRE_MESSAGE(r.error.ok(), r.error.ToString());
    REQUIRE(r.exchanges.size() == 1);
    CHECK(r.exchanges[0].url == "http://ann:***@127.0.0.1:" +
                                    std::to_string(Server().port()) + "/echo");
    CHECK(r.exchanges[0].request.find("Authorization: [redacted]\r\n") !=
          std::string::npos);
  }

  TEST_CASE("WARC-Truncated reasons of fetches that end early") {
    FetchOptions o = CaptureOptions();
    SUBCASE("length: over the body cap") {
      FetchRequest req{1, Server().Url("/big?cl=100000")};
      req.max_body_bytes = 10000;
      req.keep_truncated = true;
      FetchResponse r = FetchOne(o, req);
      CHECK(r.error_class == "too_large");
      REQUIRE(r.exchanges.size() == 1);
      CHECK(r.exchanges[0].truncated == "length");
      CHECK(BodyOf(r.exchanges[0].response).size() >= 10000);
      CHECK(BodyOf(r.exchanges[0].response).size() < 100000);
    }
    SUBCASE("length: refused from its Content-Length, head only") {
      FetchRequest req{1, Server().Url("/big?cl=100000")};
      req.max_body_bytes = 10000;
      FetchResponse r = FetchOne(o, req);
      CHECK(r.error_class == "too_large");
      REQUIRE(r.exchanges.size() == 1);
      CHECK(r.exchanges[0].truncated == "length");
      CHECK(BodyOf(r.exchanges[0].response).empty());
    }
    SUBCASE("disconnect: a reset mid-body") {
      FetchResponse r = FetchOne(o, Server().Url("/reset?at=mid"));
      CHECK(r.error_class == "connection_lost");
      REQUIRE(r.exchanges.size() == 1);
      CHECK(r.exchanges[0].truncated == "disconnect");
    }
    SUBCASE("time: a body slower than the timeout") {
      o.total_timeout_ms = 800;
      FetchResponse r =
          FetchOne(o, Server().Url("/trickle?phase=body&bps=200&total=1000"));
      CHECK(r.error_class == "timeout");
      REQUIRE(r.exchanges.size() == 1);
      CHECK(r.exchanges[0].truncated == "time");
    }
    SUBCASE("unspecified: a type not wanted, body not read") {
      FetchRequest req{1,
                       Server().Url("/ctype?declared=image/png&actual=html")};
      req.accept_content_types = {"text/html"};
      FetchResponse r = FetchOne(o, req);
      CHECK(r.error_class == "skipped_content_type");
      REQUIRE(r.exchanges.size() == 1);
      CHECK(r.exchanges[0].truncated == "unspecified");
    }
    SUBCASE("nothing answered: no exchange") {
      FetchResponse r = FetchOne(o, Server().Url("/reset?at=0"));
      CHECK(!r.error.ok());
      CHECK(r.exchanges.empty());
    }
  }
}

}  // namespace
}  // namespace crawler::fetch
