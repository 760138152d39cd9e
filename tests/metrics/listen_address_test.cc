// --metrics values: defaults to loopback, IP literals only, port range.
#include "crawler/metrics/listen_address.h"

#include "crawler/testing/test_util.h"

namespace crawler::metrics {
namespace {

TEST_SUITE("ListenAddress") {
  TEST_CASE("A port alone listens on 127.0.0.1") {
    for (const char* text : {"9464", ":9464"}) {
      StatusOr<ListenAddress> a = ParseListenAddress(text);
      REQUIRE_MESSAGE(a.ok(), text << ": " << a.status().ToString());
      CHECK(a->host == "127.0.0.1");
      CHECK(a->port == 9464);
      CHECK(a->loopback);
    }
  }

  TEST_CASE("localhost and loopback literals are loopback") {
    CHECK(ParseListenAddress("localhost:1")->host == "127.0.0.1");
    CHECK(ParseListenAddress("127.1.2.3:80")->loopback);
    StatusOr<ListenAddress> v6 = ParseListenAddress("[::1]:0");
    REQUIRE(v6.ok());
    CHECK(v6->host == "::1");
    CHECK(v6->port == 0);
    CHECK(v6->loopback);
  }

  TEST_CASE("A non-loopback address is accepted only written out") {
    StatusOr<ListenAddress> any = ParseListenAddress("0.0.0.0:9464");
    REQUIRE(any.ok());
    CHECK_FALSE(any->loopback);
    StatusOr<ListenAddress> v6 = ParseListenAddress("[::]:9464");
    REQUIRE(v6.ok());
    CHECK_FALSE(v6->loopback);
    StatusOr<ListenAddress> lan = ParseListenAddress("192.168.1.5:9464");
    REQUIRE(lan.ok());
    CHECK_FALSE(lan->loopback);
  }

  TEST_CASE("Bad values are refused with what was expected") {
    for (const char* text :
         {"", "abc", "example.com:9464", "127.0.0.1:", "127.0.0.1:65536",
          "127.0.0.1:-1", "127.0.0.1:9x", "::1:9464", "[::1]9464", "[::1]",
          "[zz]:1", "1.2.3:80", "999999999"}) {
      StatusOr<ListenAddress> a = ParseListenAddress(text);
      CHECK_MESSAGE(!a.ok(), "accepted '" << text << "'");
      if (!a.ok()) CHECK(a.status().code() == Code::kInvalidArgument);
    }
    CHECK(ParseListenAddress("example.com:1")
              .status()
              .message()
              .find("not an IP address") != std::string::npos);
  }

  TEST_CASE("FormatHostPort brackets IPv6") {
    CHECK(FormatHostPort("127.0.0.1", 80) == "127.0.0.1:80");
    CHECK(FormatHostPort("::1", 80) == "[::1]:80");
  }
}

}  // namespace
}  // namespace crawler::metrics
