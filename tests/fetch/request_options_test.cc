#include "crawler/fetch/request_options.h"

#include <string>
#include <vector>

#include "crawler/fetch/fetch_options.h"
#include "crawler/testing/test_util.h"

namespace crawler::fetch {
namespace {

// The message of a failed status, "" when it is OK.
std::string Why(const Status& s) { return s.ok() ? "" : s.message(); }

std::string Origin_(const std::string& text) {
  StatusOr<Origin> o = ParseOrigin(text);
  REQUIRE_MESSAGE(o.ok(), o.status().ToString());
  return FormatOrigin(*o);
}

TEST_SUITE("RequestOptions") {
  TEST_CASE("RFC 6454: an origin is scheme, host and port; https by default") {
    CHECK(Origin_("api.example.com") == "https://api.example.com:443");
    CHECK(Origin_("https://API.Example.COM/") == "https://api.example.com:443");
    CHECK(Origin_("http://a.test") == "http://a.test:80");
    CHECK(Origin_("HTTP://a.test:8080") == "http://a.test:8080");
    CHECK(Origin_("a.test:8443") == "https://a.test:8443");
    CHECK(Origin_("127.0.0.1:80") == "https://127.0.0.1:80");
    CHECK(Origin_("http://[::1]:8080") == "http://[::1]:8080");
    CHECK(Origin_("[FE80::1]") == "https://[fe80::1]:443");
  }

  TEST_CASE("Origins with a path, credentials or another scheme are refused") {
    for (const char* bad :
         {"", "ftp://a.test", "http://", "http://a.test/path", "a.test?q",
          "a.test#f", "user:pw@a.test", "a.test:0", "a.test:65536",
          "a.test:http", "a..test", ".a.test", "a.test.", "ünï.test", "[::1",
          "[zz::1]", "a test", "a.test\r\n"}) {
      CAPTURE(bad);
      CHECK_FALSE(ParseOrigin(bad).ok());
    }
    // The message never quotes user information.
    CHECK(Why(ParseOrigin("user:S3CR3T@a.test").status()).find("credentials") !=
          std::string::npos);
  }

  TEST_CASE("RFC 9110 5.1: an extra header is a token, a colon and a value") {
    CHECK(*ParseRequestHeader("X-Test: hello") == "X-Test: hello");
    CHECK(*ParseRequestHeader("Accept-Language:fr") == "Accept-Language: fr");
    CHECK(*ParseRequestHeader("X-Spaces: \t a  b \t") == "X-Spaces: a  b");
    CHECK(*ParseRequestHeader("X-Tab: a\tb") == "X-Tab: a\tb");
    CHECK(*ParseRequestHeader("X-Colon: a:b") == "X-Colon: a:b");
    CHECK(*ParseRequestHeader("X-Latin1: caf\xe9") == "X-Latin1: caf\xe9");
    CHECK(*ParseRequestHeader("!#$%&'*+-.^_`|~: ok") == "!#$%&'*+-.^_`|~: ok");
    for (const char* bad :
         {"X-Test", "X-Test hello", "X Test: a", "X-Test : a", ": a",
          "X-Test:", "X-Test:   ", "X(y): a", "X-\xe9: a"}) {
      CAPTURE(bad);
      CHECK_FALSE(ParseRequestHeader(bad).ok());
    }
  }

  TEST_CASE("Fault matrix S8: CR, LF and NUL are refused in names and values") {
    using std::string_literals::operator""s;
    for (const std::string& bad :
         {"X-A: b\r\nX-Injected: 1"s, "X-A: b\nX-Injected: 1"s, "X-A: b\r"s,
          "X-A: a\0b"s, "X-A\r\nX-Injected: 1"s, "X\0A: b"s, "X-A: \x7f"s,
          "X-A: \x01"s}) {
      CAPTURE(bad);
      StatusOr<std::string> h = ParseRequestHeader(bad);
      REQUIRE_FALSE(h.ok());
      // The message names the character and never carries it.
      CHECK(h.status().message().find_first_of(std::string("\r\n\0", 3)) ==
            std::string::npos);
      CHECK(h.status().message().find("control character") !=
            std::string::npos);
    }
    CHECK(Why(ParseRequestHeader("X-A: b\r\nc").status()).find("(CR)") !=
          std::string::npos);
    CHECK(Why(ParseRequestHeader("X-A: b\nc").status()).find("(LF)") !=
          std::string::npos);
    CHECK(Why(ParseRequestHeader(std::string("X-A: b\0c", 8)).status())
              .find("(NUL)") != std::string::npos);
  }

  TEST_CASE("Host, framing, User-Agent and credential headers are refused") {
    for (const char* name :
         {"Host", "host", "HOST", "Content-Length", "Transfer-Encoding", "TE",
          "Trailer", "Connection", "Keep-Alive", "Proxy-Connection", "Upgrade",
          "User-Agent", "Authorization", "Proxy-Authorization", "Cookie"}) {
      CAPTURE(name);
      StatusOr<std::string> h = ParseRequestHeader(std::string(name) + ": x");
      REQUIRE_FALSE(h.ok());
      CHECK(h.status().message().find("not allowed") != std::string::npos);
    }
    CHECK(Why(ParseRequestHeader("Authorization: Bearer t").status())
              .find("--auth") != std::string::npos);
    CHECK(Why(ParseRequestHeader("Cookie: a=b").status()).find("--cookies") !=
          std::string::npos);
    // Names that merely start like one are fine.
    CHECK(ParseRequestHeader("Hostname: x").ok());
    CHECK(ParseRequestHeader("X-Authorization-Hint: x").ok());
  }

  TEST_CASE("A header over 8 KiB is refused") {
    CHECK(ParseRequestHeader("X-A: " + std::string(8000, 'a')).ok());
    CHECK_FALSE(ParseRequestHeader("X-A: " + std::string(8200, 'a')).ok());
  }

  TEST_CASE("Proxy URLs: http, https, socks5, socks5h, with a port") {
    for (const char* ok :
         {"http://proxy.example:3128", "HTTPS://proxy.example:443/",
          "socks5://127.0.0.1:1080", "socks5h://[::1]:1080"}) {
      CAPTURE(ok);
      CHECK_OK(CheckProxyUrl(ok));
    }
    for (const char* bad :
         {"", "proxy.example:3128", "http://proxy.example",
          "socks4://p.example:1080", "socks://p.example:1080",
          "ftp://p.example:21", "http://p.example:0", "http://p.example:x",
          "http://p.example:3128/path", "http://p.example:3128?q",
          "http://:3128", "http://p example:3128"}) {
      CAPTURE(bad);
      CHECK_FALSE(CheckProxyUrl(bad).ok());
    }
  }

  TEST_CASE("Fault matrix S10: a proxy URL with credentials is not quoted") {
    const Status s = CheckProxyUrl("http://user:S3CR3T@proxy.example:3128");
    REQUIRE_FALSE(s.ok());
    CHECK(s.message().find("S3CR3T") == std::string::npos);
    CHECK(s.message().find("--proxy-user-env") != std::string::npos);
  }

  TEST_CASE("No-proxy entries") {
    for (const char* ok : {"*", "a.test", ".a.test", "127.0.0.1", "10.0.0.0/8",
                           "::1", "[::1]", "fd00::/8"}) {
      CAPTURE(ok);
      CHECK_OK(CheckNoProxyEntry(ok));
    }
    for (const char* bad : {"", "a.test,b.test", "a test", "a.test\n", "*.a"}) {
      CAPTURE(bad);
      CHECK_FALSE(CheckNoProxyEntry(bad).ok());
    }
  }

  TEST_CASE("Proxy credentials: USER:PASSWORD, never quoted") {
    CHECK_OK(CheckProxyCredentials("user:S3CR3T"));
    CHECK_OK(CheckProxyCredentials("user:"));
    CHECK_OK(CheckProxyCredentials("user:pa:ss"));
    for (const char* bad :
         {"userS3CR3T", ":S3CR3T", "user:S3CR3T\r\n", "user\n:S3CR3T"}) {
      CAPTURE(bad);
      const Status s = CheckProxyCredentials(bad);
      REQUIRE_FALSE(s.ok());
      CHECK(s.message().find("S3CR3T") == std::string::npos);
    }
    CHECK_FALSE(CheckProxyCredentials("u:" + std::string(5000, 'p')).ok());
  }

  TEST_CASE("RFC 7617: basic credentials are user-id ':' password") {
    CHECK_OK(CheckAuthSecret(AuthScheme::kBasic, "user:S3CR3T"));
    CHECK_OK(CheckAuthSecret(AuthScheme::kBasic, "user:"));
    CHECK_OK(CheckAuthSecret(AuthScheme::kBasic, "us er:pa ss"));
    for (const char* bad : {"", "S3CR3T", ":S3CR3T", "user:S3CR3T\n"}) {
      CAPTURE(bad);
      const Status s = CheckAuthSecret(AuthScheme::kBasic, bad);
      REQUIRE_FALSE(s.ok());
      CHECK(s.message().find("S3CR3T") == std::string::npos);
    }
  }

  TEST_CASE("RFC 6750 2.1: a bearer token is a b64token") {
    for (const char* ok : {"abc", "S3CR3T-._~+/xyz", "abc==", "a="}) {
      CAPTURE(ok);
      CHECK_OK(CheckAuthSecret(AuthScheme::kBearer, ok));
    }
    for (const char* bad : {"", "=", "S3CR3T tok", "S3CR3T\r\nX: y", "S3CR3T=x",
                            "S3CR3T,", "S3CR3T\""}) {
      CAPTURE(bad);
      const Status s = CheckAuthSecret(AuthScheme::kBearer, bad);
      REQUIRE_FALSE(s.ok());
      CHECK(s.message().find("S3CR3T") == std::string::npos);
    }
  }

  TEST_CASE("Authentication scheme names") {
    CHECK(*ParseAuthScheme("basic") == AuthScheme::kBasic);
    CHECK(*ParseAuthScheme("Bearer") == AuthScheme::kBearer);
    CHECK_FALSE(ParseAuthScheme("digest").ok());
    CHECK(std::string(AuthSchemeName(AuthScheme::kBearer)) == "bearer");
  }

  TEST_CASE("ValidateRequestOptions checks the whole") {
    FetchOptions o;
    CHECK_OK(ValidateRequestOptions(o));
    o.headers = {"X-A: b"};
    o.proxy = "http://p.example:3128";
    o.proxy_credentials = "u:S3CR3T";
    o.no_proxy = {"a.test", "10.0.0.0/8"};
    o.auth = {{"https://a.test:443", AuthScheme::kBearer, "S3CR3T"},
              {"http://a.test:80", AuthScheme::kBasic, "u:S3CR3T"}};
    CHECK_OK(ValidateRequestOptions(o));

    FetchOptions bad = o;
    bad.headers = {"X-A:b"};  // Not as ParseRequestHeader writes it.
    CHECK_FALSE(ValidateRequestOptions(bad).ok());
    bad = o;
    bad.headers.assign(kMaxRequestHeaders + 1, "X-A: b");
    CHECK_FALSE(ValidateRequestOptions(bad).ok());
    bad = o;
    bad.proxy.clear();
    CHECK(Why(ValidateRequestOptions(bad)).find("without a proxy") !=
          std::string::npos);
    bad = o;
    bad.proxy.clear();
    bad.proxy_credentials.clear();
    CHECK_FALSE(ValidateRequestOptions(bad).ok());  // no_proxy alone.
    bad = o;
    bad.auth[0].origin = "a.test";  // Not in the scheme://host:port form.
    CHECK(Why(ValidateRequestOptions(bad)).find("https://a.test:443") !=
          std::string::npos);
    bad = o;
    bad.auth[1].origin = "https://a.test:443";
    CHECK(Why(ValidateRequestOptions(bad)).find("two entries") !=
          std::string::npos);
    bad = o;
    bad.auth[0].secret = "S3CR3T token";
    CHECK_FALSE(ValidateRequestOptions(bad).ok());
    CHECK(Why(ValidateRequestOptions(bad)).find("S3CR3T") == std::string::npos);
  }
}

}  // namespace
}  // namespace crawler::fetch
