#include "crawler/url/url.h"

#include <cctype>
#include <random>
#include <string>
#include <vector>

#include "crawler/testing/test_util.h"

namespace crawler::url {
namespace {

std::string MustNormalize(std::string_view url, const UrlOptions& o = {}) {
  StatusOr<std::string> r = NormalizeUrl(url, o);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return *r;
}

struct Case {
  const char* in;
  const char* out;
};

void CheckResolves(const UrlResolver& r, const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    CAPTURE(std::string(c.in));
    StatusOr<std::string> got = r.Resolve(c.in);
    REQUIRE_MESSAGE(got.ok(), got.status().ToString());
    CHECK(*got == c.out);
  }
}

TEST_SUITE("NormalizeUrl") {
  TEST_CASE("puts http(s) URLs in one normal form") {
    const Case cases[] = {
        {"http://example.com/a", "http://example.com/a"},
        {"HTTP://ExAmple.COM/Path/CASE", "http://example.com/Path/CASE"},
        {"HtTpS://WWW.Example.com", "https://www.example.com/"},
        {"http://a.com:80/x", "http://a.com/x"},
        {"http://a.com:080/x", "http://a.com/x"},
        {"https://a.com:443/x", "https://a.com/x"},
        {"http://a.com:443/x", "http://a.com:443/x"},
        {"https://a.com:8443/x", "https://a.com:8443/x"},
        {"http://a.com:/x", "http://a.com/x"},
        {"http://a.com/b/./c/../d/", "http://a.com/b/d/"},
        {"http://a.com/../../x", "http://a.com/x"},
        {"http://a.com/x#frag", "http://a.com/x"},
        {"http://a.com/x?q=1#", "http://a.com/x?q=1"},
        {"http://a.com", "http://a.com/"},
        {"http://a.com?q", "http://a.com/?q"},
        {"http://a.com/x?", "http://a.com/x"},
        {"http://a.com/x?#f", "http://a.com/x"},
        {"http://[::1]:80/", "http://[::1]/"},
        {"http://[0:0::1]/", "http://[::1]/"},
        {"http://[::FFFF:7F00:1]/", "http://[::ffff:7f00:1]/"},
        {"http://user:pw@A.com/", "http://user:pw@a.com/"},
        // curl's host normalization: IPv4 notations and percent-encoded
        // hosts.
        {"http://2130706433/", "http://127.0.0.1/"},
        {"http://0x7f.1/", "http://127.0.0.1/"},
        {"http://127.1/", "http://127.0.0.1/"},
        {"http://ex%41mple.com/", "http://example.com/"},
    };
    for (const Case& c : cases) {
      CAPTURE(std::string(c.in));
      CHECK(MustNormalize(c.in) == c.out);
    }
  }

  TEST_CASE("converts IDN hosts to punycode") {
    const Case cases[] = {
        {"http://b\xC3\xBC"
         "cher.example/",
         "http://xn--bcher-kva.example/"},
        {"http://B\xC3\xBC"
         "cher.Example/",
         "http://xn--bcher-kva.example/"},
        {"http://B\xC3\x9C"
         "CHER.EXAMPLE/",
         "http://xn--bcher-kva.example/"},
        {"http://\xE2\x98\x83.net/x", "http://xn--n3h.net/x"},
        {"http://fa\xC3\x9F.de/", "http://xn--fa-hia.de/"},
        // Fullwidth 'A' maps to 'a' (UTS #46).
        {"http://\xEF\xBC\xA1.com/", "http://a.com/"},
        {"https://\xD0\xBF\xD1\x80\xD0\xB8\xD0\xBC\xD0\xB5\xD1\x80.\xD1\x80\xD1"
         "\x84:443/",
         "https://xn--e1afmkfd.xn--p1ai/"},
        {"http://XN--BCHER-KVA.example/", "http://xn--bcher-kva.example/"},
    };
    for (const Case& c : cases) {
      CAPTURE(std::string(c.in));
      CHECK(MustNormalize(c.in) == c.out);
    }
    StatusOr<std::string> bad = NormalizeUrl("http://a\xFF.com/");
    CHECK(bad.status().code() == Code::kInvalidArgument);
    CHECK(bad.status().message() ==
          "malformed URL 'http://a\xFF.com/': the host is not a valid "
          "internationalized domain name");
  }

  TEST_CASE("normalizes percent-encoding (RFC 3986 6.2.2.1, 6.2.2.2)") {
    const Case cases[] = {
        // Hex digits upper-cased; unreserved characters decoded.
        {"http://a.com/%7e%41%5a%61%7A%30%39%2D%2E%5F%7E",
         "http://a.com/~AZaz09-._~"},
        {"http://a.com/%c3%bc", "http://a.com/%C3%BC"},
        // Reserved characters stay encoded: "%2F" is not '/'.
        {"http://a.com/a%2fb%2Fc?x=%2f&y=%3D%26",
         "http://a.com/a%2Fb%2Fc?x=%2F&y=%3D%26"},
        {"http://a.com/?q=%20%2b+", "http://a.com/?q=%20%2B+"},
        // Reserved characters are kept as written.
        {"http://a.com/!$&'()*+,;=:@?a=b&c=d/?:@",
         "http://a.com/!$&'()*+,;=:@?a=b&c=d/?:@"},
        // Bytes not allowed raw are encoded; a stray '%' becomes "%25".
        {"http://a.com/\xC3\xBC?\xC3\xBC", "http://a.com/%C3%BC?%C3%BC"},
        {"http://a.com/a|b{c}^`\"<>[]",
         "http://a.com/a%7Cb%7Bc%7D%5E%60%22%3C%3E[]"},
        {"http://a.com/%zz%", "http://a.com/%25zz%25"},
        {"http://a.com/%4", "http://a.com/%254"},
        {"http://a.com/%2541", "http://a.com/%2541"},
        // Decoding "%2E" makes dot-segments, which are then removed.
        {"http://a.com/b/%2e%2E/c/%2e/d", "http://a.com/c/d"},
        {"http://a.com/%2e%2e/%2e%2e/x", "http://a.com/x"},
        {"http://a.com/x?%2e%2e/y", "http://a.com/x?../y"},
    };
    for (const Case& c : cases) {
      CAPTURE(std::string(c.in));
      CHECK(MustNormalize(c.in) == c.out);
    }
  }

  TEST_CASE("strips query and path parameters by pattern") {
    UrlOptions o;
    o.strip_query_params = {"utm_*", "jsessionid", "phpsessid", "sid"};
    const Case cases[] = {
        {"http://a.com/?utm_source=x&utm_medium=y", "http://a.com/"},
        {"http://a.com/p?a=1&UTM_Source=x&b=2", "http://a.com/p?a=1&b=2"},
        {"http://a.com/p?a=1&&utm_x=1&", "http://a.com/p?a=1"},
        {"http://a.com/p?PHPSESSID=abc&id=7", "http://a.com/p?id=7"},
        {"http://a.com/p?sid=1&sidx=2&xsid=3", "http://a.com/p?sidx=2&xsid=3"},
        {"http://a.com/p?sid", "http://a.com/p"},
        {"http://a.com/p?utm%5Fsource=x&k=v", "http://a.com/p?k=v"},
        {"http://a.com/p;jsessionid=0123456789ABCDEF?x=1",
         "http://a.com/p?x=1"},
        {"http://a.com/a;JSESSIONID=1;v=2/b;jsessionid=2",
         "http://a.com/a;v=2/b"},
        {"http://a.com/p;x=1?a=b", "http://a.com/p;x=1?a=b"},
        {"http://a.com/p?a=1&b=2", "http://a.com/p?a=1&b=2"},
        {"http://a.com/p?&&", "http://a.com/p?&&"},
    };
    for (const Case& c : cases) {
      CAPTURE(std::string(c.in));
      CHECK(MustNormalize(c.in, o) == c.out);
    }
    // Glob syntax: '?' is one character, '*' any run.
    o.strip_query_params = {"s?d", "*ref*"};
    CHECK(MustNormalize("http://a.com/?sid=1&sd=2&href=3&x=4", o) ==
          "http://a.com/?sd=2&x=4");
    // Without patterns nothing is removed.
    CHECK(MustNormalize("http://a.com/p;jsessionid=1?utm_source=2") ==
          "http://a.com/p;jsessionid=1?utm_source=2");
  }

  TEST_CASE("sorts query parameters when asked (fault matrix T5)") {
    UrlOptions o;
    o.sort_query = true;
    const Case cases[] = {
        {"http://a.com/p?b=2&a=1", "http://a.com/p?a=1&b=2"},
        {"http://a.com/p?a=1&b=2", "http://a.com/p?a=1&b=2"},
        // Exact repeats and empty parameters go; other repeats stay.
        {"http://a.com/p?b=2&a=1&b=2&&a=1", "http://a.com/p?a=1&b=2"},
        {"http://a.com/p?a=2&a=1", "http://a.com/p?a=1&a=2"},
        {"http://a.com/p?&&", "http://a.com/p"},
        // After percent-encoding normalization: %61 is 'a'.
        {"http://a.com/p?z=%7e&%61=%2f", "http://a.com/p?a=%2F&z=~"},
        {"http://a.com/p?b&a", "http://a.com/p?a&b"},
        {"http://a.com/p", "http://a.com/p"},
    };
    for (const Case& c : cases) {
      CAPTURE(std::string(c.in));
      CHECK(MustNormalize(c.in, o) == c.out);
    }
    // With strip_query_params, and through a resolver.
    o.strip_query_params = {"r"};
    CHECK(MustNormalize("http://a.com/p?r=7&b=2&a=1", o) ==
          "http://a.com/p?a=1&b=2");
    StatusOr<UrlResolver> r = UrlResolver::Create("http://a.com/x?z=1&y=2", o);
    REQUIRE_OK(r.status());
    CHECK(r->base() == "http://a.com/x?y=2&z=1");
    CheckResolves(*r, {{"q?d=4&c=3&r=9", "http://a.com/q?c=3&d=4"},
                       {"plain", "http://a.com/plain"}});
    // Off by default.
    CHECK(MustNormalize("http://a.com/p?b=2&a=1") == "http://a.com/p?b=2&a=1");
  }

  TEST_CASE("rejects malformed URLs with curl's reason") {
    const char* bad[] = {
        "not a url",
        "//host/no-scheme",
        "/just/a/path",
        "http://",
        "http://a:99999/",
        "http://exa mple.com/",
        "http://a.com/b c",
        "http://a.com/\r\nSet-Cookie: x",
        "http://a.com/\x01",
        "",
        "http:g",
        "http://a b/",
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
    // A NUL byte would silently cut the URL short in curl's C API.
    r = NormalizeUrl(std::string_view("http://a/b\0c", 12));
    CHECK(r.status().message() ==
          "malformed URL 'http://a/b\\x00c': contains a NUL byte");
  }

  TEST_CASE("rejects schemes other than http and https") {
    struct SchemeCase {
      const char* url;
      const char* scheme;
    };
    const SchemeCase cases[] = {
        {"javascript:alert(1)", "javascript"},
        {"JavaScript:void(0)", "javascript"},
        {"mailto:a@b.example", "mailto"},
        {"ftp://a/", "ftp"},
        {"file:///etc/passwd", "file"},
        {"gopher://a/", "gopher"},
        {"dict://a/", "dict"},
        {"data:text/html,x", "data"},
    };
    for (const SchemeCase& c : cases) {
      CAPTURE(std::string(c.url));
      StatusOr<std::string> r = NormalizeUrl(c.url);
      CHECK(r.status().code() == Code::kInvalidArgument);
      CHECK(r.status().tag() == Tag::kPermanent);
      CHECK(r.status().message() ==
            "unsupported scheme '" + std::string(c.scheme) + "' in '" + c.url +
                "' (only http and https are fetched)");
    }
  }

  TEST_CASE("refuses URLs longer than max_length") {
    const std::string path(8192 - std::string("http://a/").size(), 'x');
    CHECK(NormalizeUrl("http://a/" + path).ok());
    StatusOr<std::string> r = NormalizeUrl("http://a/" + path + "x");
    CHECK(r.status().code() == Code::kInvalidArgument);
    CHECK(r.status().message() ==
          "URL longer than 8192 bytes (limit url max_length)");
    // Encoding can make the result longer than the input.
    UrlOptions o;
    o.max_length = 15;
    CHECK(MustNormalize("http://a/\xC3\xBC", o) == "http://a/%C3%BC");
    CHECK(NormalizeUrl("http://a/\xC3\xBC\xC3\xBC", o).status().message() ==
          "URL longer than 15 bytes (limit url max_length)");
    // A 100 KB href is refused before curl parses it.
    CHECK(NormalizeUrl("http://a/" + std::string(100000, 'y'))
              .status()
              .message() ==
          "URL longer than 8192 bytes (limit url max_length)");
  }
}

TEST_SUITE("CleanHref") {
  TEST_CASE("does what browsers do before parsing an href, but CR and LF") {
    const Case cases[] = {
        {"", ""},
        {"   ", ""},
        {"  /a b  ", "/a b"},
        {"\x01\x1F /x \x7F", "/x \x7F"},  // DEL is not a C0 control.
        {"\t/a\tb\tc\r\n", "/abc"},
        {"java\tscript:alert(1)", "javascript:alert(1)"},
        // Fault matrix C4: a CR or LF inside is kept (Resolve refuses it);
        // at the ends it is trimmed like any C0 control.
        {"\r\n/a\tb\nc\rd\r\n", "/ab\nc\rd"},
        {"java\nscript:alert(1)", "java\nscript:alert(1)"},
        {"\\\\host\\a\\b?c\\d#e\\f", "//host/a/b?c\\d#e\\f"},
        {"http:\\\\host\\x", "http://host/x"},
        {"HTTPS:\\\\host\\x", "HTTPS://host/x"},
        {"a\\b#c\\d", "a/b#c\\d"},
        {"mailto:a\\b", "mailto:a\\b"},
        {"foo:\\\\x", "foo:\\\\x"},
        {"1a:\\b", "1a:/b"},  // Not a scheme: a relative reference.
        {"\xC2\xA0x\xC2\xA0", "\xC2\xA0x\xC2\xA0"},  // Only ASCII is stripped.
    };
    for (const Case& c : cases) {
      CAPTURE(std::string(c.in));
      CHECK(CleanHref(c.in) == c.out);
    }
    // Embedded NULs count as C0 controls.
    CHECK(CleanHref(std::string_view("\0/x\0", 4)) == "/x");
  }
}

TEST_SUITE("UrlResolver") {
  TEST_CASE("resolves every RFC 3986 section 5.4 example") {
    StatusOr<UrlResolver> r = UrlResolver::Create("http://a/b/c/d;p?q");
    REQUIRE_OK(r.status());
    CHECK(r->base() == "http://a/b/c/d;p?q");
    // Results carry our normalization (no fragment, "/" for an empty path).
    // "g:h" is a non-http scheme, see below.
    CheckResolves(*r, {
                          // 5.4.1 normal examples.
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
                          {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
                          {"g;x=1/../y", "http://a/b/c/y"},
                          {"g?y/./x", "http://a/b/c/g?y/./x"},
                          {"g?y/../x", "http://a/b/c/g?y/../x"},
                          {"g#s/./x", "http://a/b/c/g"},
                          {"g#s/../x", "http://a/b/c/g"},
                          // "http:g": the backward-compatible reading, as
                          // browsers do (the strict one is not an http URL).
                          {"http:g", "http://a/b/c/g"},
                      });
  }

  TEST_CASE("resolves absolute and scheme-relative references") {
    StatusOr<UrlResolver> r = UrlResolver::Create("http://a/b/c/d;p?q");
    REQUIRE_OK(r.status());
    CheckResolves(
        *r, {
                {"HTTPS://Other.Example:443/x#f", "https://other.example/x"},
                {"http://x.com:80", "http://x.com/"},
                {"//B\xC3\xBC"
                 "cher.example/\xC3\xBC",
                 "http://xn--bcher-kva.example/%C3%BC"},
                {"http:/g", "http://a/g"},
                {"HTTP:?y", "http://a/b/c/d;p?y"},
                {"http:", "http://a/b/c/d;p?q"},
                {"http:#f", "http://a/b/c/d;p?q"},
                {"https:g", "https://g/"},
                {"https:/g/x", "https://g/x"},
                {"https:///g", "https://g/"},
                {"http:///g", "http://g/"},
                {"//[::1]:80/", "http://[::1]/"},
                {"http://0x7f.1/", "http://127.0.0.1/"},
            });
    StatusOr<UrlResolver> s = UrlResolver::Create("https://a/b");
    REQUIRE_OK(s.status());
    CheckResolves(*s, {{"//g", "https://g/"},
                       {"http:g", "http://g/"},
                       {"https:g", "https://a/g"}});
  }

  TEST_CASE("cleans hrefs as browsers do: whitespace, controls, backslashes") {
    StatusOr<UrlResolver> r = UrlResolver::Create("http://a/b/c/d;p?q");
    REQUIRE_OK(r.status());
    CheckResolves(*r, {
                          {"  g  ", "http://a/b/c/g"},
                          {"\n\t g \r\n", "http://a/b/c/g"},
                          {"\x01\x1Fg\x1F", "http://a/b/c/g"},
                          {"g\th\ti\tj", "http://a/b/c/ghij"},
                          {"a b", "http://a/b/c/a%20b"},
                          {"a b?c d", "http://a/b/c/a%20b?c%20d"},
                          {"http://x.example/a b?c d#e f",
                           "http://x.example/a%20b?c%20d"},
                          {"g\x01h\x7F", "http://a/b/c/g%01h%7F"},
                          {"\\g", "http://a/g"},
                          {"\\\\g\\h", "http://g/h"},
                          {"..\\g", "http://a/b/g"},
                          {"g\\h?x\\y", "http://a/b/c/g/h?x%5Cy"},
                          {"http:\\\\host\\p", "http://host/p"},
                          {"HTTPS:\\/host/p", "https://host/p"},
                          {"/ \xC3\xBC ", "http://a/%20%C3%BC"},
                          {"  #frag  ", "http://a/b/c/d;p?q"},
                          {" \t\n", "http://a/b/c/d;p?q"},
                      });
    // A space in the host stays an error; so do raw NULs in absolute URLs.
    StatusOr<std::string> s = r->Resolve("http://exa mple.com/");
    CHECK(s.status().code() == Code::kInvalidArgument);
    CHECK(s.status().tag() == Tag::kPermanent);
    CHECK(s.status().message() ==
          "malformed URL 'http://exa mple.com/': Bad hostname");
    CHECK_FALSE(r->Resolve("http://").ok());
    CHECK_FALSE(r->Resolve("http://a:99999/").ok());
    CHECK_FALSE(r->Resolve("https:").ok());
    CHECK_FALSE(r->Resolve("http://a\xFF.com/").ok());
  }

  TEST_CASE("refuses a CR or LF inside an href (fault matrix C4)") {
    // Browsers remove them (WHATWG URL); the crawler drops the link instead.
    // Percent-encoded, they are ordinary bytes of the path.
    StatusOr<UrlResolver> r = UrlResolver::Create("http://a/b/c/d;p?q");
    REQUIRE_OK(r.status());
    for (const char* href :
         {"/page/\r\n1", "/page/\n1", "/page/\r1", "g\th\ni\rj", "x\r\ny",
          "http://a/x\r\nSet-Cookie: y", "http://a\n.example/", "?q=1\n2",
          " \t/a\r\nb \n", "java\nscript:alert(1)"}) {
      CAPTURE(std::string(href));
      StatusOr<std::string> s = r->Resolve(href);
      CHECK(s.status().code() == Code::kInvalidArgument);
      CHECK(s.status().tag() == Tag::kPermanent);
      CHECK(s.status().message().find("CR or LF inside the reference") !=
            std::string::npos);
    }
    CHECK(r->Resolve("/page/\r\n1").status().message() ==
          "malformed URL '/page/\\x0d\\x0a1': CR or LF inside the reference");
    CheckResolves(*r, {{"/page/%0D%0A1", "http://a/page/%0D%0A1"},
                       {"\r\n/page/1\r\n", "http://a/page/1"}});
  }

  TEST_CASE("refuses links to non-http schemes") {
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
    // The message quotes the href as found, before cleaning.
    StatusOr<std::string> j = r->Resolve(" java\tscript:alert(1)");
    CHECK(j.status().message() ==
          "unsupported scheme 'javascript' in ' java\\x09script:alert(1)' "
          "(only http and https are fetched)");
    for (const char* href : {"data:text/html,x", "file:///etc/passwd",
                             "gopher://a/", "dict://a/", "tel:+123"}) {
      CAPTURE(std::string(href));
      CHECK(r->Resolve(href).status().code() == Code::kInvalidArgument);
    }
  }

  TEST_CASE("applies the options to results") {
    UrlOptions o;
    o.strip_query_params = {"utm_*", "jsessionid"};
    StatusOr<UrlResolver> r =
        UrlResolver::Create("http://a/x;jsessionid=1?utm_a=1", o);
    REQUIRE_OK(r.status());
    CHECK(r->base() == "http://a/x");
    CheckResolves(*r, {{"y;jsessionid=2?k=v&utm_b=2", "http://a/y?k=v"},
                       {"?utm_c=3", "http://a/x"}});
  }

  TEST_CASE("Create needs an absolute http(s) base") {
    CHECK_FALSE(UrlResolver::Create("/relative").ok());
    CHECK_FALSE(UrlResolver::Create("ftp://a/").ok());
    CHECK(UrlResolver::Create("https://A.example").ok());
  }

  TEST_CASE("refuses hrefs and results longer than max_length") {
    UrlOptions o;
    o.max_length = 20;
    StatusOr<UrlResolver> res = UrlResolver::Create("http://a.ex/", o);
    REQUIRE_OK(res.status());
    CHECK(res->Resolve("short").ok());
    // The reference is short but the resolved URL is not.
    CHECK(res->Resolve("a/long/path").status().message() ==
          "URL longer than 20 bytes (limit url max_length)");
    CHECK(res->Resolve(std::string(21, ' ')).status().message() ==
          "URL longer than 20 bytes (limit url max_length)");
  }
}

TEST_SUITE("SplitUrl") {
  TEST_CASE("gives scheme, host, port, path and query, and the origin") {
    struct SplitCase {
      const char* url;
      const char* scheme;
      const char* host;
      int port;
      const char* path_and_query;
      const char* origin;
    };
    const SplitCase cases[] = {
        {"http://a.com/", "http", "a.com", 80, "/", "http://a.com"},
        {"https://a.com/x?y=1", "https", "a.com", 443, "/x?y=1",
         "https://a.com"},
        {"http://a.com:8080/p;q?r", "http", "a.com", 8080, "/p;q?r",
         "http://a.com:8080"},
        {"https://a.com:80/", "https", "a.com", 80, "/", "https://a.com:80"},
        {"http://[::1]:9/", "http", "[::1]", 9, "/", "http://[::1]:9"},
        {"http://127.0.0.1/%C3%BC", "http", "127.0.0.1", 80, "/%C3%BC",
         "http://127.0.0.1"},
        {"http://u:p@a.com/", "http", "a.com", 80, "/", "http://a.com"},
        // Not normalized: normalized first.
        {"HTTP://A.COM:80/%7e%c3?x#f", "http", "a.com", 80, "/~%C3?x",
         "http://a.com"},
        {"https://B\xC3\xBC"
         "cher.example:443",
         "https", "xn--bcher-kva.example", 443, "/",
         "https://xn--bcher-kva.example"},
    };
    for (const SplitCase& c : cases) {
      CAPTURE(std::string(c.url));
      StatusOr<UrlParts> p = SplitUrl(c.url);
      REQUIRE_OK(p.status());
      CHECK(p->scheme == c.scheme);
      CHECK(p->host == c.host);
      CHECK(p->port == c.port);
      CHECK(p->path_and_query == c.path_and_query);
      CHECK(p->origin() == c.origin);
    }
  }

  TEST_CASE("fails like NormalizeUrl") {
    CHECK(SplitUrl("ftp://a/").status().message() ==
          "unsupported scheme 'ftp' in 'ftp://a/' (only http and https are "
          "fetched)");
    CHECK(SplitUrl("/x").status().code() == Code::kInvalidArgument);
  }
}

// Builds URLs and hrefs from pieces that stress the normalizer: case, ports,
// dot-segments, percent-encodings of every kind, raw bytes, parameters.
class UrlGenerator {
 public:
  explicit UrlGenerator(uint32_t seed) : rng_(seed) {}

  std::string Url() {
    static const char* kSchemes[] = {"http", "HTTP", "https", "HtTpS"};
    static const char* kHosts[] = {"a.com",
                                   "A.CoM",
                                   "b\xC3\xBC"
                                   "cher.example",
                                   "[::1]",
                                   "[0:0::1]",
                                   "127.1",
                                   "0x7f.0.0.1",
                                   "xn--n3h.net",
                                   "ex%41mple.org",
                                   "u:p@h.io",
                                   "sub.example.co.uk"};
    static const char* kPorts[] = {"", "", ":80", ":443", ":8080", ":", ":080"};
    std::string u = Pick(kSchemes);
    u += "://";
    u += Pick(kHosts);
    u += Pick(kPorts);
    return u + Rest();
  }

  std::string Href() {
    static const char* kStarts[] = {"",  "/",  "//h.com/",    "./",     "../",
                                    "?", "#",  "http:",       "https:", "\\",
                                    " ", "\t", "http://X.com"};
    return Pick(kStarts) + Rest();
  }

 private:
  std::string Rest() {
    static const char* kSegments[] = {
        "a",   "B",     ".",     "..",     "%2e",      "%2E%2e",        "%41",
        "%7e", "%2f",   "%2F",   "%c3%bc", "\xC3\xBC", "%zz",           "%",
        "%4",  "%%41",  "%25",   "~",      ";x=1",     ";jsessionid=9", "a b",
        "|",   "{}",    "[x]",   "",       "\\",       "%00",           "%20",
        "+",   "%2541", "%252e", "@:!$"};
    static const char* kParams[] = {
        "a=1",          "utm_source=x", "UTM_X=%41", "sid=1",
        "b=%2f",        "c=%7E",        "",          "d",
        "e=\xC3\xBC",   "f=%",          "g=%2e%2E",  "h=a+b",
        "jsessionid=1", "i=/../",       "%75tm_y=2"};
    std::string s;
    const int segments = Below(6);
    for (int i = 0; i < segments; ++i) {
      s += "/";
      s += Pick(kSegments);
    }
    if (Below(2) == 0) {
      s += "?";
      const int params = Below(5);
      for (int i = 0; i < params; ++i) {
        if (i > 0) s += "&";
        s += Pick(kParams);
      }
    }
    if (Below(4) == 0) s += "#frag%41";
    return s;
  }

  int Below(int n) {
    return std::uniform_int_distribution<int>(0, n - 1)(rng_);
  }
  template <size_t N>
  std::string Pick(const char* (&items)[N]) {
    return items[Below(static_cast<int>(N))];
  }

  std::mt19937 rng_;
};

TEST_CASE("Property: normalization is idempotent and keeps the scheme") {
  UrlGenerator gen(20240601);
  UrlOptions strip;
  strip.strip_query_params = {"utm_*", "jsessionid", "sid"};
  UrlOptions sorted = strip;
  sorted.sort_query = true;
  StatusOr<UrlResolver> resolver =
      UrlResolver::Create("http://base.example/d1/d2/page?q=1", strip);
  REQUIRE_OK(resolver.status());
  int normalized = 0;
  int resolved = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string u = gen.Url();
    for (const UrlOptions* o : {static_cast<const UrlOptions*>(nullptr),
                                static_cast<const UrlOptions*>(&strip),
                                static_cast<const UrlOptions*>(&sorted)}) {
      const UrlOptions options = o != nullptr ? *o : UrlOptions{};
      StatusOr<std::string> n = NormalizeUrl(u, options);
      if (!n.ok()) continue;
      ++normalized;
      StatusOr<std::string> again = NormalizeUrl(*n, options);
      REQUIRE_MESSAGE(again.ok(), u, " -> ", *n, ": ",
                      again.status().ToString());
      REQUIRE_MESSAGE(*again == *n, u);
      // The scheme never changes (only its case).
      const std::string scheme = n->substr(0, n->find(':'));
      std::string lower_input_scheme = u.substr(0, scheme.size());
      for (char& c : lower_input_scheme) c = static_cast<char>(std::tolower(c));
      CHECK(lower_input_scheme == scheme);
      // SplitUrl's parts put back together give the URL again (no user
      // info in these).
      if (n->find('@') == std::string::npos) {
        StatusOr<UrlParts> p = SplitUrl(*n);
        REQUIRE_OK(p.status());
        CHECK(p->origin() + p->path_and_query == *n);
      }
    }
    const std::string href = gen.Href();
    StatusOr<std::string> r = resolver->Resolve(href);
    if (!r.ok()) continue;
    ++resolved;
    StatusOr<std::string> again = NormalizeUrl(*r, strip);
    REQUIRE_MESSAGE(again.ok(), href, " -> ", *r, ": ",
                    again.status().ToString());
    REQUIRE_MESSAGE(*again == *r, href);
    CHECK(resolver->Resolve(*r).value() == *r);
  }
  // Most generated inputs are valid, so the property is really exercised.
  CHECK(normalized > 45000);
  CHECK(resolved > 18000);
}

// Found by fuzzing (fuzz/crashes/url): both broke normalize(normalize(u))
// == normalize(u).
TEST_CASE(
    "Fuzz regressions: a DEL in a host is refused; a percent-encoded IPv4 host "
    "is normalized") {
  CHECK_FALSE(NormalizeUrl("http://%7F/").ok());
  auto r = UrlResolver::Create("http://example.com/a/b");
  REQUIRE(r.ok());
  CHECK_FALSE(r->Resolve("https:\x7f").ok());
  for (const char* u : {"http://%31%32%37.1/", "http://127.1/",
                        "http://0x7f.1/", "http://%30x7f.1/"}) {
    CAPTURE(u);
    StatusOr<std::string> n = NormalizeUrl(u);
    REQUIRE(n.ok());
    CHECK(*n == "http://127.0.0.1/");
    CHECK(*NormalizeUrl(*n) == *n);
  }
  CHECK(*NormalizeUrl("http://%31/") == "http://0.0.0.1/");
  CHECK(*NormalizeUrl("http://cafe.be/") == "http://cafe.be/");  // Hex letters.
}

}  // namespace
}  // namespace crawler::url
