#include "crawler/url/url.h"

#include <string>

#include "crawler/testing/test_util.h"

namespace crawler::url {
namespace {

std::string MustNormalize(std::string_view url) {
  StatusOr<std::string> r = NormalizeUrl(url);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return *r;
}

TEST_CASE("NormalizeUrl puts http(s) URLs in one normal form") {
  struct Case {
    const char* in;
    const char* out;
  };
  const Case cases[] = {
      {"http://example.com/a", "http://example.com/a"},
      {"HTTP://ExAmple.COM/Path/CASE", "http://example.com/Path/CASE"},
      {"HtTpS://WWW.Example.com", "https://www.example.com/"},
      {"http://a.com:80/x", "http://a.com/x"},
      {"https://a.com:443/x", "https://a.com/x"},
      {"http://a.com:443/x", "http://a.com:443/x"},
      {"https://a.com:8443/x", "https://a.com:8443/x"},
      {"http://a.com/b/./c/../d/", "http://a.com/b/d/"},
      {"http://a.com/../../x", "http://a.com/x"},
      {"http://a.com/x#frag", "http://a.com/x"},
      {"http://a.com/x?q=1#", "http://a.com/x?q=1"},
      {"http://a.com", "http://a.com/"},
      {"http://a.com?q", "http://a.com/?q"},
      {"http://a.com/%7e%41?x=%2F&y=%20", "http://a.com/%7e%41?x=%2F&y=%20"},
      {"http://B\xC3\xBC"
       "cher.Example/",
       "http://b\xC3\xBC"
       "cher.example/"},
      {"http://[::1]:80/", "http://[::1]/"},
      {"http://user:pw@a.com/", "http://user:pw@a.com/"},
  };
  for (const Case& c : cases) {
    CAPTURE(std::string(c.in));
    CHECK(MustNormalize(c.in) == c.out);
  }
}

TEST_CASE("UrlResolver resolves the RFC 3986 section 5.4.1 examples") {
  StatusOr<UrlResolver> r = UrlResolver::Create("http://a/b/c/d;p?q");
  REQUIRE_OK(r.status());
  CHECK(r->base() == "http://a/b/c/d;p?q");
  struct Case {
    const char* href;
    const char* out;
  };
  // RFC 3986 5.4.1 normal examples; results carry our normalization (no
  // fragment, "/" for an empty path). "g:h" is a non-http scheme, see below.
  const Case cases[] = {
      {"g", "http://a/b/c/g"},
      {"./g", "http://a/b/c/g"},
      {"g/", "http://a/b/c/g/"},
      {"/g", "http://a/g"},
      {"//g", "http://g/"},
      {"?y", "http://a/b/c/d;p?y"},
      {"g?y", "http://a/b/c/g?y"},
      {"#s", "http://a/b/c/d;p?q"},
      {"g#s", "http://a/b/c/g"},
      {"g?y#s", "http://a/b/c/g?y"},
      {";x", "http://a/b/c/;x"},
      {"g;x", "http://a/b/c/g;x"},
      {"g;x?y#s", "http://a/b/c/g;x?y"},
      {"", "http://a/b/c/d;p?q"},
      {".", "http://a/b/c/"},
      {"./", "http://a/b/c/"},
      {"..", "http://a/b/"},
      {"../", "http://a/b/"},
      {"../g", "http://a/b/g"},
      {"../..", "http://a/"},
      {"../../", "http://a/"},
      {"../../g", "http://a/g"},
      // 5.4.2 abnormal examples.
      {"../../../g", "http://a/g"},
      {"../../../../g", "http://a/g"},
      {"/./g", "http://a/g"},
      {"/../g", "http://a/g"},
      {"g.", "http://a/b/c/g."},
      {".g", "http://a/b/c/.g"},
      {"g..", "http://a/b/c/g.."},
      {"..g", "http://a/b/c/..g"},
      {"./../g", "http://a/b/g"},
      {"./g/.", "http://a/b/c/g/"},
      {"g/./h", "http://a/b/c/g/h"},
      {"g/../h", "http://a/b/c/h"},
      // Absolute references and normalization of the result.
      {"HTTPS://Other.Example:443/x#f", "https://other.example/x"},
      {"http://x.com:80", "http://x.com/"},
  };
  for (const Case& c : cases) {
    CAPTURE(std::string(c.href));
    StatusOr<std::string> got = r->Resolve(c.href);
    REQUIRE_MESSAGE(got.ok(), got.status().ToString());
    CHECK(*got == c.out);
  }
}

TEST_CASE("Resolve refuses links to non-http schemes and malformed links") {
  StatusOr<UrlResolver> r = UrlResolver::Create("https://site.example/dir/");
  REQUIRE_OK(r.status());
  StatusOr<std::string> g = r->Resolve("g:h");
  CHECK(g.status().code() == Code::kInvalidArgument);
  CHECK(g.status().message() ==
        "unsupported scheme 'g' in 'g:h' (only http and https are fetched)");
  StatusOr<std::string> m = r->Resolve("mailto:someone@example.com");
  CHECK(m.status().message() ==
        "unsupported scheme 'mailto' in 'mailto:someone@example.com' (only "
        "http and https are fetched)");
  StatusOr<std::string> f = r->Resolve("ftp://files.example/x");
  CHECK(f.status().message() ==
        "unsupported scheme 'ftp' in 'ftp://files.example/x' (only http and "
        "https are fetched)");
  StatusOr<std::string> s = r->Resolve("a b");
  CHECK(s.status().code() == Code::kInvalidArgument);
  CHECK(s.status().tag() == Tag::kPermanent);
  CHECK(s.status().message() ==
        "malformed URL 'a b': contains a space or control character");
  CHECK_FALSE(r->Resolve("http://x.example/a b").ok());
  CHECK_FALSE(r->Resolve("http://").ok());
  CHECK_FALSE(r->Resolve("http://a:99999/").ok());
  CHECK_FALSE(r->Resolve("x\r\ny").ok());
}

TEST_CASE("UrlResolver::Create needs an absolute http(s) base") {
  CHECK_FALSE(UrlResolver::Create("/relative").ok());
  CHECK_FALSE(UrlResolver::Create("ftp://a/").ok());
  CHECK(UrlResolver::Create("https://A.example").ok());
}

TEST_CASE("NormalizeUrl rejects malformed URLs with curl's reason") {
  const char* bad[] = {
      "not a url",         "//host/no-scheme",
      "/just/a/path",      "http://",
      "http://a:99999/",   "http://exa mple.com/",
      "http://a.com/b c",  "http://a.com/\r\nSet-Cookie: x",
      "http://a.com/\x01", "",
  };
  for (const char* url : bad) {
    CAPTURE(std::string(url));
    StatusOr<std::string> r = NormalizeUrl(url);
    CHECK(r.status().code() == Code::kInvalidArgument);
    CHECK(r.status().tag() == Tag::kPermanent);
    CHECK(r.status().message().rfind("malformed URL '", 0) == 0);
  }
  StatusOr<std::string> r = NormalizeUrl("http://a.com/b c");
  CHECK(r.status().message() == "malformed URL 'http://a.com/b c': Bad path");
  r = NormalizeUrl("http://a/\r\n");
  CHECK(r.status().message() ==
        "malformed URL 'http://a/\\x0d\\x0a': Bad path");
}

TEST_CASE("NormalizeUrl rejects schemes other than http and https") {
  struct Case {
    const char* url;
    const char* scheme;
  };
  const Case cases[] = {
      {"javascript:alert(1)", "javascript"},
      {"JavaScript:void(0)", "javascript"},
      {"mailto:a@b.example", "mailto"},
      {"ftp://a/", "ftp"},
      {"file:///etc/passwd", "file"},
      {"gopher://a/", "gopher"},
      {"data:text/html,x", "data"},
  };
  for (const Case& c : cases) {
    CAPTURE(std::string(c.url));
    StatusOr<std::string> r = NormalizeUrl(c.url);
    CHECK(r.status().code() == Code::kInvalidArgument);
    CHECK(r.status().tag() == Tag::kPermanent);
    CHECK(r.status().message() == "unsupported scheme '" +
                                      std::string(c.scheme) + "' in '" + c.url +
                                      "' (only http and https are fetched)");
  }
}

TEST_CASE("URLs longer than max_length are refused") {
  const std::string path(8192 - std::string("http://a/").size(), 'x');
  CHECK(NormalizeUrl("http://a/" + path).ok());
  StatusOr<std::string> r = NormalizeUrl("http://a/" + path + "x");
  CHECK(r.status().code() == Code::kInvalidArgument);
  CHECK(r.status().message() ==
        "URL longer than 8192 bytes (limit url max_length)");
  UrlOptions o;
  o.max_length = 20;
  StatusOr<UrlResolver> res = UrlResolver::Create("http://a.ex/", o);
  REQUIRE_OK(res.status());
  CHECK(res->Resolve("short").ok());
  // The reference is short but the resolved URL is not.
  CHECK(res->Resolve("a/long/path").status().message() ==
        "URL longer than 20 bytes (limit url max_length)");
}

}  // namespace
}  // namespace crawler::url
