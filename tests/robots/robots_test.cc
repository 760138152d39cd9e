// Tests of crawler/robots: the RFC 9309 parser and matcher. Test names cite
// the RFC section they check; "Lenient:" marks a decision the RFC leaves to
// the implementation (documented in robots.h).
#include "crawler/robots/robots.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crawler/testing/test_util.h"

namespace crawler::robots {
namespace {

bool Allowed(std::string_view body, std::string_view agent,
             std::string_view path) {
  return RobotsPolicy::Parse(body, agent).IsAllowed(path);
}

std::string Repeat(std::string_view unit, size_t n) {
  std::string s;
  s.reserve(unit.size() * n);
  for (size_t i = 0; i < n; ++i) s.append(unit);
  return s;
}

double MillisecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now() - start)
      .count();
}

TEST_SUITE("Robots") {
  TEST_CASE(
      "RFC 9309 2.2.1: the product token is [A-Za-z_-] up to the first "
      "other character") {
    CHECK(ProductToken("Crawler/0.1 (+https://x)") == "Crawler");
    CHECK(ProductToken("Foobot") == "Foobot");
    CHECK(ProductToken("foo-bot_2") == "foo-bot_");
    CHECK(ProductToken("  Mozilla/5.0 (compatible)") == "Mozilla");
    CHECK(ProductToken("Foo Bar") == "Foo");
    CHECK(ProductToken("/1.0").empty());
    CHECK(ProductToken("").empty());
    CHECK(ProductToken("*").empty());
    CHECK(ProductToken("\xC3\xA9t\xC3\xA9").empty());
  }

  TEST_CASE("RFC 9309 2.1: groups of the RFC's example each get their rules") {
    // RFC 9309 section 2.1: consecutive user-agent lines share a group; a group
    // may be empty.
    const char* body =
        "user-agent: a\n"
        "disallow: /c\n"
        "\n"
        "user-agent: b\n"
        "disallow: /d\n"
        "\n"
        "user-agent: e\n"
        "user-agent: f\n"
        "disallow: /g\n"
        "\n"
        "user-agent: h\n";
    CHECK_FALSE(Allowed(body, "a", "/c"));
    CHECK(Allowed(body, "a", "/d"));
    CHECK_FALSE(Allowed(body, "b", "/d"));
    CHECK(Allowed(body, "b", "/c"));
    CHECK_FALSE(Allowed(body, "e", "/g"));
    CHECK_FALSE(Allowed(body, "f", "/g"));
    CHECK(Allowed(body, "f", "/c"));
    CHECK(Allowed(body, "h", "/c"));
    CHECK(Allowed(body, "h", "/g"));
    CHECK(Allowed(body, "other", "/c"));  // No group and no '*': allow.
  }

  TEST_CASE(
      "RFC 9309 2.1: rules before the first user-agent line are ignored") {
    const char* body =
        "disallow: /before\n"
        "crawl-delay: 9\n"
        "user-agent: *\n"
        "disallow: /after\n";
    RobotsPolicy p = RobotsPolicy::Parse(body, "bot");
    CHECK(p.IsAllowed("/before"));
    CHECK_FALSE(p.IsAllowed("/after"));
    CHECK_FALSE(p.crawl_delay_seconds().has_value());
    CHECK(Allowed("disallow: /\n", "bot", "/x"));
  }

  TEST_CASE(
      "RFC 9309 2.1: blank lines and comments between user-agent lines "
      "keep one group") {
    const char* body =
        "user-agent: a\n"
        "\n"
        "# a comment\n"
        "user-agent: b\n"
        "disallow: /x\n";
    CHECK_FALSE(Allowed(body, "a", "/x"));
    CHECK_FALSE(Allowed(body, "b", "/x"));
  }

  TEST_CASE("RFC 9309 2.2.1: user-agent matching is case-insensitive") {
    const char* body =
        "User-Agent: FooBot\n"
        "Disallow: /foo\n";
    CHECK_FALSE(Allowed(body, "foobot", "/foo"));
    CHECK_FALSE(Allowed(body, "FOOBOT", "/foo"));
    CHECK_FALSE(Allowed(body, "FooBot/2.1 (+https://foo.example)", "/foo"));
    CHECK(Allowed(body, "FooBotX", "/foo"));  // Exact token, not a prefix.
    CHECK(Allowed(body, "Foo", "/foo"));
  }

  TEST_CASE(
      "RFC 9309 2.2.1: the product token of a user-agent line is its "
      "leading [A-Za-z_-] run") {
    const char* body =
        "user-agent: Foo Bar\n"
        "disallow: /a\n"
        "user-agent: Baz/1.2\n"
        "disallow: /b\n";
    CHECK_FALSE(Allowed(body, "foo", "/a"));
    CHECK(Allowed(body, "bar", "/a"));
    CHECK_FALSE(Allowed(body, "baz", "/b"));
  }

  TEST_CASE("RFC 9309 2.2.1: groups matching the token are merged (figure 2)") {
    const char* body =
        "user-agent: ExampleBot\n"
        "disallow: /foo\n"
        "disallow: /bar\n"
        "\n"
        "user-agent: ExampleBot\n"
        "disallow: /baz\n";
    RobotsPolicy p = RobotsPolicy::Parse(body, "ExampleBot");
    CHECK_FALSE(p.IsAllowed("/foo"));
    CHECK_FALSE(p.IsAllowed("/bar"));
    CHECK_FALSE(p.IsAllowed("/baz"));
    CHECK(p.IsAllowed("/qux"));
    CHECK(p.rule_count() == 3);
  }

  TEST_CASE(
      "RFC 9309 2.2.1: merging differently spelled groups, longest match "
      "across them") {
    const char* body =
        "user-agent: examplebot\n"
        "disallow: /shop/\n"
        "user-agent: *\n"
        "disallow: /\n"
        "user-agent: EXAMPLEBOT\n"
        "allow: /shop/public/\n";
    CHECK_FALSE(Allowed(body, "ExampleBot", "/shop/cart"));
    CHECK(Allowed(body, "ExampleBot", "/shop/public/x"));
    CHECK(Allowed(body, "ExampleBot", "/elsewhere"));  // '*' not inherited.
    CHECK_FALSE(Allowed(body, "OtherBot", "/elsewhere"));
  }

  TEST_CASE("RFC 9309 2.2.1: '*' applies only when no group matches") {
    const char* body =
        "user-agent: *\n"
        "disallow: /private\n"
        "\n"
        "user-agent: foobot\n"
        "disallow: /foo-only\n";
    // A specific group does not inherit '*' rules.
    CHECK(Allowed(body, "foobot", "/private"));
    CHECK_FALSE(Allowed(body, "foobot", "/foo-only"));
    CHECK_FALSE(Allowed(body, "barbot", "/private"));
    CHECK(Allowed(body, "barbot", "/foo-only"));
    // An empty product token matches only '*'.
    CHECK_FALSE(Allowed(body, "", "/private"));
    CHECK_FALSE(Allowed(body, "/1.0", "/private"));
  }

  TEST_CASE("RFC 9309 2.2.1: several '*' groups are merged") {
    const char* body =
        "user-agent: *\n"
        "disallow: /a\n"
        "user-agent: foo\n"
        "disallow: /f\n"
        "user-agent: *\n"
        "disallow: /b\n";
    CHECK_FALSE(Allowed(body, "bar", "/a"));
    CHECK_FALSE(Allowed(body, "bar", "/b"));
    CHECK(Allowed(body, "bar", "/f"));
  }

  TEST_CASE(
      "RFC 9309 2.2.1: a matching group without rules allows everything") {
    const char* body =
        "user-agent: *\n"
        "disallow: /\n"
        "user-agent: quietbot\n";
    CHECK(Allowed(body, "quietbot", "/anything"));
    CHECK_FALSE(Allowed(body, "loudbot", "/anything"));
  }

  TEST_CASE("RFC 9309 2.2.1: no matching group and no '*' group allows all") {
    CHECK(Allowed("user-agent: foo\ndisallow: /\n", "bar", "/x"));
    CHECK(Allowed("", "bar", "/x"));
    CHECK(Allowed("# only a comment\n", "bar", "/x"));
  }

  TEST_CASE("RFC 9309 2.2.2: longest match wins") {
    const char* body =
        "user-agent: *\n"
        "disallow: /x/page.html\n"
        "allow: /x/\n"
        "disallow: /y/\n"
        "allow: /y\n"
        "allow: /page\n"
        "disallow: /*.html\n";
    CHECK_FALSE(Allowed(body, "bot", "/x/page.html"));
    CHECK(Allowed(body, "bot", "/x/other"));
    // "/*.html" (7 octets) is longer than "/x/" (3).
    CHECK_FALSE(Allowed(body, "bot", "/x/other.html"));
    CHECK_FALSE(Allowed(body, "bot", "/y/z"));
    CHECK(Allowed(body, "bot", "/y"));
    CHECK(Allowed(body, "bot", "/yz"));
    // "/page" (5) is shorter than "/*.html" (7): disallowed.
    CHECK_FALSE(Allowed(body, "bot", "/page.html"));
    CHECK(Allowed(body, "bot", "/pages"));
  }

  TEST_CASE("RFC 9309 2.2.2: allow wins a tie of equal length") {
    CHECK(Allowed("user-agent: *\nallow: /\ndisallow: /\n", "bot", "/x"));
    CHECK(Allowed("user-agent: *\ndisallow: /\nallow: /\n", "bot", "/x"));
    CHECK(Allowed("user-agent: *\ndisallow: /a*\nallow: /a$\n", "bot", "/a"));
    CHECK(Allowed("user-agent: *\ndisallow: /folder\nallow: /folder\n", "bot",
                  "/folder/page"));
  }

  TEST_CASE(
      "RFC 9309 2.2.2: no matching rule allows; an empty disallow "
      "disallows nothing") {
    CHECK(Allowed("user-agent: *\ndisallow: /a\n", "bot", "/b"));
    CHECK(Allowed("user-agent: *\ndisallow:\n", "bot", "/"));
    CHECK(Allowed("user-agent: *\ndisallow:   # comment\n", "bot", "/x"));
    RobotsPolicy p = RobotsPolicy::Parse("user-agent: *\ndisallow:\n", "bot");
    CHECK(p.rule_count() == 0);
    // An empty allow does not widen anything either.
    CHECK_FALSE(Allowed("user-agent: *\nallow:\ndisallow: /\n", "bot", "/x"));
  }

  TEST_CASE(
      "RFC 9309 2.2.2: matching is case-sensitive and starts at the "
      "first octet") {
    const char* body = "user-agent: *\ndisallow: /Secret\n";
    CHECK_FALSE(Allowed(body, "bot", "/Secret/x"));
    CHECK(Allowed(body, "bot", "/secret/x"));
    CHECK(Allowed(body, "bot", "/a/Secret"));
    // A pattern that starts with neither '/' nor '*' cannot match.
    CHECK(Allowed("user-agent: *\ndisallow: Secret\n", "bot", "/Secret"));
  }

  TEST_CASE("RFC 9309 2.2.2: /robots.txt is always allowed") {
    CHECK(Allowed("user-agent: *\ndisallow: /\n", "bot", "/robots.txt"));
    CHECK(Allowed("user-agent: *\ndisallow: /robots.txt\n", "bot",
                  "/robots.txt"));
    CHECK(Allowed("user-agent: *\ndisallow: /*.txt$\n", "bot", "/robots.txt"));
    CHECK(RobotsPolicy::DisallowAll().IsAllowed("/robots.txt"));
    CHECK_FALSE(RobotsPolicy::DisallowAll().IsAllowed("/robots.txt.bak"));
    CHECK_FALSE(
        Allowed("user-agent: *\ndisallow: /\n", "bot", "/robots.txt?x"));
  }

  TEST_CASE("RFC 9309 2.2.2: the allow/disallow example of the section") {
    const char* body =
        "user-agent: *\n"
        "allow: /example/page/\n"
        "disallow: /example/page/disallowed.gif\n";
    CHECK(Allowed(body, "bot", "/example/page/"));
    CHECK(Allowed(body, "bot", "/example/page/allowed.gif"));
    CHECK_FALSE(Allowed(body, "bot", "/example/page/disallowed.gif"));
  }

  TEST_CASE("RFC 9309 2.2.2: percent-encoding examples of the section") {
    // Path, then the path it is matched as (RFC 9309 section 2.2.2 table).
    CHECK(NormalizePathForMatching("/foo/bar?baz=quz") == "/foo/bar?baz=quz");
    CHECK(NormalizePathForMatching("/foo/bar?baz=https://foo.bar") ==
          "/foo/bar?baz=https://foo.bar");
    CHECK(NormalizePathForMatching("/foo/bar/\xE3\x83\x84") ==
          "/foo/bar/%E3%83%84");
    CHECK(NormalizePathForMatching("/foo/bar/%E3%83%84") ==
          "/foo/bar/%E3%83%84");
    CHECK(NormalizePathForMatching("/foo/bar/%62%61%7A") == "/foo/bar/baz");
    // The same through rules.
    CHECK_FALSE(Allowed("user-agent: *\ndisallow: /foo/bar/baz\n", "bot",
                        "/foo/bar/%62%61%7A"));
    CHECK_FALSE(Allowed("user-agent: *\ndisallow: /foo/bar/%62%61%7A\n", "bot",
                        "/foo/bar/baz"));
    CHECK_FALSE(
        Allowed("user-agent: *\ndisallow: /foo/bar?baz=https://foo.bar\n",
                "bot", "/foo/bar?baz=https://foo.bar&x=1"));
  }

  TEST_CASE("RFC 9309 2.2.2: non-ASCII octets equal their percent-encoding") {
    const char* raw = "user-agent: *\ndisallow: /foo/bar/\xE3\x83\x84\n";
    const char* encoded = "user-agent: *\ndisallow: /foo/bar/%E3%83%84\n";
    const char* lower = "user-agent: *\ndisallow: /foo/bar/%e3%83%84\n";
    for (const char* body : {raw, encoded, lower}) {
      CAPTURE(body);
      CHECK_FALSE(Allowed(body, "bot", "/foo/bar/\xE3\x83\x84"));
      CHECK_FALSE(Allowed(body, "bot", "/foo/bar/%E3%83%84"));
      CHECK_FALSE(Allowed(body, "bot", "/foo/bar/%e3%83%84/x"));
      CHECK(Allowed(body, "bot", "/foo/bar/"));
    }
  }

  TEST_CASE("RFC 9309 2.2.2: hex digits are case-insensitive (%aa vs %AA)") {
    CHECK_FALSE(Allowed("user-agent: *\ndisallow: /a%aa\n", "bot", "/a%AA"));
    CHECK_FALSE(Allowed("user-agent: *\ndisallow: /a%AA\n", "bot", "/a%aa"));
    CHECK(NormalizePathForMatching("/%2f%3a%c3%a9") == "/%2F%3A%C3%A9");
  }

  TEST_CASE(
      "RFC 9309 2.2.2: encoded reserved characters stay distinct from raw "
      "ones") {
    const char* body = "user-agent: *\ndisallow: /a%2Fb\n";
    CHECK_FALSE(Allowed(body, "bot", "/a%2fb"));
    CHECK(Allowed(body, "bot", "/a/b"));
    CHECK(Allowed("user-agent: *\ndisallow: /a/b\n", "bot", "/a%2Fb"));
    CHECK(Allowed("user-agent: *\ndisallow: /a?b\n", "bot", "/a%3Fb"));
    // Encoded unreserved characters are decoded: %7E is '~', %2D is '-'.
    CHECK_FALSE(
        Allowed("user-agent: *\ndisallow: /~user\n", "bot", "/%7Euser"));
    CHECK_FALSE(Allowed("user-agent: *\ndisallow: /%2D\n", "bot", "/-"));
  }

  TEST_CASE(
      "Lenient: characters never allowed raw in a URI are encoded; a "
      "stray '%' is %25") {
    CHECK(NormalizePathForMatching("/a b") == "/a%20b");
    CHECK(NormalizePathForMatching("/a\"<>\\^`{|}") ==
          "/a%22%3C%3E%5C%5E%60%7B%7C%7D");
    CHECK(NormalizePathForMatching("/100%") == "/100%25");
    CHECK(NormalizePathForMatching("/%zz%4") == "/%25zz%254");
    CHECK(NormalizePathForMatching("") == "/");
    CHECK(NormalizePathForMatching("?q=1") == "/?q=1");
    CHECK_FALSE(Allowed("user-agent: *\ndisallow: /a b\n", "bot", "/a%20b"));
    CHECK_FALSE(Allowed("user-agent: *\ndisallow: /100%\n", "bot", "/100%25"));
  }

  TEST_CASE("RFC 9309 2.2.3: special characters of the section's figure") {
    // '#' starts a comment, '$' ends the pattern, '*' is any sequence.
    const char* body =
        "User-Agent: *\n"
        "Allow: / # comment in line\n"
        "# comment on its own line\n"
        "Disallow: /this/path/exactly$\n"
        "Disallow: /that/*/exactly\n";
    CHECK(Allowed(body, "bot", "/"));
    CHECK_FALSE(Allowed(body, "bot", "/this/path/exactly"));
    CHECK(Allowed(body, "bot", "/this/path/exactly/not"));
    CHECK(Allowed(body, "bot", "/this/path/exactly?q"));
    CHECK_FALSE(Allowed(body, "bot", "/that/a/b/exactly"));
    CHECK_FALSE(Allowed(body, "bot", "/that//exactly/more"));
    CHECK(Allowed(body, "bot", "/that/exactly"));
  }

  TEST_CASE(
      "RFC 9309 2.2.3: %2A and %24 match a literal '*' and '$' (figure "
      "6)") {
    const char* body =
        "user-agent: *\n"
        "disallow: /path/file-with-a-%2A.html\n"
        "disallow: /path/foo-%24\n";
    CHECK_FALSE(Allowed(body, "bot", "/path/file-with-a-*.html"));
    CHECK_FALSE(Allowed(body, "bot", "/path/file-with-a-%2a.html"));
    CHECK(Allowed(body, "bot", "/path/file-with-a-x.html"));
    CHECK_FALSE(Allowed(body, "bot", "/path/foo-$"));
    CHECK_FALSE(Allowed(body, "bot", "/path/foo-%24"));
    CHECK(Allowed(body, "bot", "/path/foo-"));
  }

  TEST_CASE("RFC 9309 2.2.3: '*' and '$' wildcard cases") {
    const char* body =
        "user-agent: *\n"
        "disallow: /foo/*/qux\n"
        "disallow: /bar$\n"
        "disallow: *.gif$\n"
        "disallow: /a*b*c$\n"
        "disallow: /mid$dle\n"
        "disallow: /star*$\n";
    CHECK_FALSE(Allowed(body, "bot", "/foo/x/qux"));
    CHECK_FALSE(Allowed(body, "bot", "/foo/x/y/qux/z"));
    CHECK(Allowed(body, "bot", "/foo/qux"));
    CHECK_FALSE(Allowed(body, "bot", "/bar"));
    CHECK(Allowed(body, "bot", "/bar/"));
    CHECK(Allowed(body, "bot", "/barn"));
    CHECK_FALSE(Allowed(body, "bot", "/img/x.gif"));
    CHECK(Allowed(body, "bot", "/img/x.gif?size=2"));
    CHECK(Allowed(body, "bot", "/img/x.gifs"));
    CHECK_FALSE(Allowed(body, "bot", "/abc"));
    CHECK_FALSE(Allowed(body, "bot", "/a-b-c-bc"));
    CHECK(Allowed(body, "bot", "/abcd"));
    CHECK(Allowed(body, "bot", "/acb"));
    // A '$' that does not end the pattern is a literal.
    CHECK_FALSE(Allowed(body, "bot", "/mid$dle"));
    CHECK(Allowed(body, "bot", "/mid"));
    // "*$" anchors nothing.
    CHECK_FALSE(Allowed(body, "bot", "/star/anything"));
    // A '$' in the path is data, not an anchor.
    CHECK(Allowed("user-agent: *\ndisallow: /x$\n", "bot", "/x$"));
  }

  TEST_CASE("RFC 9309 5.1: the simple example") {
    const char* body =
        "User-Agent: *\n"
        "Disallow: *.gif$\n"
        "Disallow: /example/\n"
        "Allow: /publications/\n"
        "\n"
        "User-Agent: foobot\n"
        "Disallow:/\n"
        "Allow:/example/page.html\n"
        "Allow:/example/allowed.gif\n"
        "\n"
        "User-Agent: barbot\n"
        "User-Agent: bazbot\n"
        "Disallow: /example/page.html\n"
        "\n"
        "User-Agent: quxbot\n"
        "\n"
        "EOF\n";
    // Any other crawler: the '*' group.
    CHECK_FALSE(Allowed(body, "otherbot", "/example/page.html"));
    CHECK_FALSE(Allowed(body, "otherbot", "/pic.gif"));
    CHECK(Allowed(body, "otherbot", "/publications/"));
    CHECK(Allowed(body, "otherbot", "/publications/a.gif"));
    CHECK(Allowed(body, "otherbot", "/other.html"));
    // foobot: only the two allowed paths.
    CHECK(Allowed(body, "foobot", "/example/page.html"));
    CHECK(Allowed(body, "foobot", "/example/allowed.gif"));
    CHECK_FALSE(Allowed(body, "foobot", "/"));
    CHECK_FALSE(Allowed(body, "foobot", "/example/other.html"));
    CHECK_FALSE(Allowed(body, "foobot", "/publications/"));
    // barbot and bazbot share a group.
    CHECK_FALSE(Allowed(body, "barbot", "/example/page.html"));
    CHECK_FALSE(Allowed(body, "bazbot", "/example/page.html"));
    CHECK(Allowed(body, "barbot", "/example/other.html"));
    CHECK(Allowed(body, "bazbot", "/pic.gif"));
    // quxbot's group is empty: everything is allowed.
    CHECK(Allowed(body, "quxbot", "/example/page.html"));
    CHECK(Allowed(body, "quxbot", "/pic.gif"));
  }

  TEST_CASE("RFC 9309 5.2: the longest match example") {
    const char* body =
        "User-Agent: foobot\n"
        "Allow: /example/page/\n"
        "Disallow: /example/page/disallowed.gif\n";
    CHECK(Allowed(body, "foobot", "/example/page/"));
    CHECK(Allowed(body, "foobot", "/example/page/allowed.gif"));
    CHECK_FALSE(Allowed(body, "foobot", "/example/page/disallowed.gif"));
  }

  TEST_CASE(
      "RFC 9309 2.1: CR, LF and CRLF line ends, with or without a final "
      "newline") {
    for (const char* eol : {"\n", "\r", "\r\n"}) {
      CAPTURE(eol);
      const std::string body = std::string("user-agent: a") + eol +
                               "disallow: /a" + eol + eol + "user-agent: b" +
                               eol + "disallow: /b";
      CHECK_FALSE(Allowed(body, "a", "/a"));
      CHECK(Allowed(body, "a", "/b"));
      CHECK_FALSE(Allowed(body, "b", "/b"));
      CHECK(Allowed(body, "b", "/a"));
    }
    const char* mixed = "user-agent: *\r\ndisallow: /x\rdisallow: /y\n\r\n";
    CHECK_FALSE(Allowed(mixed, "bot", "/x"));
    CHECK_FALSE(Allowed(mixed, "bot", "/y"));
  }

  TEST_CASE(
      "RFC 9309 2.3: a UTF-8 byte order mark is skipped, whole or "
      "partial") {
    const char* full = "\xEF\xBB\xBFuser-agent: *\ndisallow: /x\n";
    const char* two = "\xEF\xBBuser-agent: *\ndisallow: /x\n";
    const char* one = "\xEFuser-agent: *\ndisallow: /x\n";
    for (const char* body : {full, two, one}) {
      CHECK_FALSE(Allowed(body, "bot", "/x"));
    }
    // A broken BOM spoils only the first line.
    CHECK(Allowed("\xEF\x11user-agent: *\ndisallow: /x\n", "bot", "/x"));
    // A BOM later in the file is not skipped.
    CHECK(
        Allowed("user-agent: *\n\xEF\xBB\xBF"
                "disallow: /x\n",
                "bot", "/x"));
  }

  TEST_CASE("RFC 9309 2.2.1: keys are case-insensitive") {
    const char* body =
        "USER-AGENT: *\n"
        "DisAllow: /a\n"
        "ALLOW: /a/b\n"
        "CRAWL-DELAY: 2\n"
        "SiteMap: https://example.com/s.xml\n";
    RobotsPolicy p = RobotsPolicy::Parse(body, "bot");
    CHECK_FALSE(p.IsAllowed("/a"));
    CHECK(p.IsAllowed("/a/b"));
    CHECK(p.crawl_delay_seconds() == std::optional<double>(2));
    CHECK(p.sitemaps() ==
          std::vector<std::string>{"https://example.com/s.xml"});
  }

  TEST_CASE("Lenient: common key typos and a missing colon are accepted") {
    CHECK_FALSE(Allowed("useragent: *\ndisallow: /x\n", "bot", "/x"));
    CHECK_FALSE(Allowed("user agent: *\ndisallow: /x\n", "bot", "/x"));
    CHECK_FALSE(Allowed("user-agent: *\ndisalow: /x\n", "bot", "/x"));
    CHECK_FALSE(Allowed("user-agent: *\ndissallow: /x\n", "bot", "/x"));
    CHECK_FALSE(Allowed("user-agent: *\ndisallow /x\n", "bot", "/x"));
    CHECK_FALSE(Allowed("user-agent *\ndisallow /x\n", "bot", "/x"));
    // Missing colon with more than one word after the key: not a directive.
    CHECK(Allowed("user-agent: *\ndisallow /x /y\n", "bot", "/x"));
    RobotsPolicy p = RobotsPolicy::Parse(
        "user-agent: *\ncrawldelay: 3\nsite-map: https://e.com/a.xml\n", "bot");
    CHECK(p.crawl_delay_seconds() == std::optional<double>(3));
    CHECK(p.sitemaps().size() == 1);
  }

  TEST_CASE(
      "RFC 9309 2.3.1.5: garbage lines are skipped, parseable rules "
      "used") {
    const char* body =
        "<html><body>Not a robots.txt</body></html>\n"
        "user-agent: *\n"
        "this is not a directive\n"
        ": no key\n"
        "noise-key: value\n"
        "disallow: /x\n"
        "\x01\x02\x03\xff\xfe\n"
        "disallow: /y\n";
    CHECK_FALSE(Allowed(body, "bot", "/x"));
    CHECK_FALSE(Allowed(body, "bot", "/y"));
    CHECK(Allowed(body, "bot", "/z"));
    CHECK(Allowed("<!DOCTYPE html><html><p>Disallow all</p></html>", "bot",
                  "/x"));
  }

  TEST_CASE("RFC 9309 3: NULs and binary bodies do not crash") {
    std::string body("user-agent: *\0\ndisallow: /a\0b\n", 30);
    RobotsPolicy p = RobotsPolicy::Parse(body, "bot");
    CHECK(p.IsAllowed("/a"));  // "user-agent: *\0" is not a '*' line.
    std::mt19937 rng(7);
    for (int round = 0; round < 50; ++round) {
      std::string junk(4096, '\0');
      for (char& c : junk) c = static_cast<char>(rng() & 0xFF);
      if (round % 2 == 0) junk = "user-agent: *\n" + junk;
      RobotsPolicy q = RobotsPolicy::Parse(junk, "bot");
      (void)q.IsAllowed("/x");
      (void)q.IsAllowed(junk.substr(0, 200));
    }
    CHECK(Allowed(std::string("\0\0\0", 3), "bot", "/x"));
  }

  TEST_CASE("RFC 9309 2.2.4: Sitemap lines do not end a group") {
    const char* body =
        "user-agent: a\n"
        "sitemap: https://example.com/1.xml\n"
        "user-agent: b\n"
        "disallow: /x\n"
        "sitemap: https://example.com/2.xml\n"
        "disallow: /y\n";
    CHECK_FALSE(Allowed(body, "a", "/x"));
    CHECK_FALSE(Allowed(body, "a", "/y"));
    CHECK_FALSE(Allowed(body, "b", "/y"));
    // Unknown records do not end a group either.
    CHECK_FALSE(
        Allowed("user-agent: a\nhost: example.com\nuser-agent: b\n"
                "disallow: /x\n",
                "a", "/x"));
  }

  TEST_CASE(
      "RFC 9309 2.2.4: every Sitemap line is recorded, whatever the "
      "group") {
    const char* body =
        "sitemap: https://example.com/before.xml\n"
        "user-agent: other\n"
        "Sitemap:   https://example.com/other.xml   # trailing comment\n"
        "sitemap:\n"
        "user-agent: *\n"
        "sitemap: /relative.xml\n"
        "sitemap: https://example.com/before.xml\n";
    RobotsPolicy p = RobotsPolicy::Parse(body, "bot");
    CHECK(p.sitemaps() == std::vector<std::string>{
                              "https://example.com/before.xml",
                              "https://example.com/other.xml",
                              "/relative.xml",
                              "https://example.com/before.xml",
                          });
    CHECK(RobotsPolicy::AllowAll().sitemaps().empty());
  }

  TEST_CASE("Lenient: Crawl-delay forms") {
    auto delay = [](std::string_view value) {
      return RobotsPolicy::Parse(
                 "user-agent: *\ncrawl-delay: " + std::string(value) + "\n",
                 "bot")
          .crawl_delay_seconds();
    };
    CHECK(delay("10") == std::optional<double>(10));
    CHECK(delay("0.5") == std::optional<double>(0.5));
    CHECK(delay(".5") == std::optional<double>(0.5));
    CHECK(delay("0") == std::optional<double>(0));
    CHECK(delay("86400") == std::optional<double>(86400));
    CHECK(delay("10s") == std::optional<double>(10));
    CHECK(delay("2 seconds") == std::optional<double>(2));
    CHECK_FALSE(delay("-1").has_value());
    CHECK_FALSE(delay("abc").has_value());
    CHECK_FALSE(delay("").has_value());
    CHECK_FALSE(delay(".").has_value());
    CHECK_FALSE(delay("1e3").has_value());
    CHECK_FALSE(delay("10 minutes").has_value());
    CHECK_FALSE(delay("nan").has_value());
    CHECK_FALSE(delay("inf").has_value());
    CHECK_FALSE(delay(Repeat("9", 400)).has_value());  // Not finite.
    CHECK_FALSE(RobotsPolicy::AllowAll().crawl_delay_seconds().has_value());
  }

  TEST_CASE(
      "Lenient: Crawl-delay comes from the selected group, the largest "
      "when several") {
    const char* body =
        "user-agent: *\n"
        "crawl-delay: 5\n"
        "user-agent: foo\n"
        "crawl-delay: 1\n"
        "crawl-delay: abc\n"
        "user-agent: foo\n"
        "crawl-delay: 3\n"
        "user-agent: bar\n"
        "disallow: /\n";
    CHECK(RobotsPolicy::Parse(body, "foo").crawl_delay_seconds() ==
          std::optional<double>(3));
    CHECK(RobotsPolicy::Parse(body, "other").crawl_delay_seconds() ==
          std::optional<double>(5));
    // bar's group has no crawl-delay, and '*' is not inherited.
    CHECK_FALSE(RobotsPolicy::Parse(body, "bar").crawl_delay_seconds());
  }

  TEST_CASE(
      "Lenient: a Crawl-delay line belongs to its group and ends the "
      "user-agent run") {
    const char* body =
        "user-agent: a\n"
        "crawl-delay: 4\n"
        "user-agent: b\n"
        "disallow: /x\n";
    RobotsPolicy a = RobotsPolicy::Parse(body, "a");
    CHECK(a.IsAllowed("/x"));
    CHECK(a.crawl_delay_seconds() == std::optional<double>(4));
    RobotsPolicy b = RobotsPolicy::Parse(body, "b");
    CHECK_FALSE(b.IsAllowed("/x"));
    CHECK_FALSE(b.crawl_delay_seconds().has_value());
  }

  TEST_CASE("RFC 9309 2.5: only the first 500 KiB are parsed") {
    std::string body = "user-agent: *\ndisallow: /early\n";
    while (body.size() < kMaxRobotsBytes + 1000) body += "# filler line\n";
    body += "disallow: /late\n";
    RobotsPolicy p = RobotsPolicy::Parse(body, "bot");
    CHECK_FALSE(p.IsAllowed("/early"));
    CHECK(p.IsAllowed("/late"));  // The decisive rule is past the limit.
    // Without the limit the same rule applies.
    CHECK_FALSE(Allowed("user-agent: *\ndisallow: /late\n", "bot", "/late"));
  }

  TEST_CASE("RFC 9309 2.5: the line cut by the limit is dropped") {
    const std::string head = "user-agent: *\n";
    // A rule whose line straddles the limit: "disallow: /cut" + more.
    std::string body = head;
    body +=
        "#" + std::string(kMaxRobotsBytes - head.size() - 2 - 5, 'x') + "\n";
    body += "disallow: /cutmore\n";  // Starts 5 bytes before the limit.
    REQUIRE(body.size() > kMaxRobotsBytes);
    RobotsPolicy cut = RobotsPolicy::Parse(body, "bot");
    CHECK(cut.IsAllowed("/cut"));
    CHECK(cut.IsAllowed("/cutmore"));
    // A line that ends exactly at the limit is kept.
    std::string exact = head;
    const std::string rule = "disallow: /kept";
    exact += "#" +
             std::string(kMaxRobotsBytes - head.size() - rule.size() - 2, 'x') +
             "\n";
    exact += rule;
    REQUIRE(exact.size() == kMaxRobotsBytes);
    exact += "\ndisallow: /dropped\n";
    RobotsPolicy kept = RobotsPolicy::Parse(exact, "bot");
    CHECK_FALSE(kept.IsAllowed("/kept"));
    CHECK(kept.IsAllowed("/dropped"));
    // A body of exactly the limit with no final newline keeps its last line.
    std::string whole = exact.substr(0, kMaxRobotsBytes);
    CHECK_FALSE(Allowed(whole, "bot", "/kept"));
  }

  TEST_CASE("RFC 9309 2.5: a single 600 KiB line is dropped without a crash") {
    std::string body = "user-agent: *\ndisallow: /";
    body += std::string(600 * 1024, 'a');
    RobotsPolicy p = RobotsPolicy::Parse(body, "bot");
    CHECK(p.IsAllowed("/a"));
    CHECK(p.rule_count() == 0);
  }

  TEST_CASE("Lenient: lines over 16 KiB are truncated, never crash") {
    // A 100 KB disallow line is cut to kMaxLineBytes: its start still applies.
    std::string body = "user-agent: *\ndisallow: /long" +
                       std::string(100 * 1000, 'x') + "\ndisallow: /next\n";
    RobotsPolicy p = RobotsPolicy::Parse(body, "bot");
    CHECK_FALSE(p.IsAllowed("/long" + std::string(20 * 1000, 'x')));
    CHECK(p.IsAllowed("/long"));
    CHECK_FALSE(p.IsAllowed("/next"));  // The following line is intact.
    // A 100 KB user-agent line.
    CHECK(Allowed(
        "user-agent: " + std::string(100 * 1000, 'b') + "\ndisallow: /\n",
        "bot", "/x"));
  }

  TEST_CASE("RFC 9309 2.2.3: a pathological pattern matches in bounded time") {
    // Many wildcards against a 16 KB path that almost matches: a backtracking
    // matcher takes exponential time here.
    const std::string many_stars = "/" + Repeat("*a", 3000) + "*b";
    const std::string kmp_killer = "/*" + Repeat("a", 8000) + "b";
    const std::string body = "user-agent: *\ndisallow: " + many_stars +
                             "\ndisallow: " + kmp_killer + "\n";
    RobotsPolicy p = RobotsPolicy::Parse(body, "bot");
    REQUIRE(p.rule_count() == 2);
    const std::string path = "/" + Repeat("a", 16 * 1024);
    // The fastest of five runs, so that a busy machine does not fail the test.
    double best_ms = 1e9;
    for (int run = 0; run < 5; ++run) {
      const auto start = std::chrono::steady_clock::now();
      CHECK(p.IsAllowed(path));
      CHECK_FALSE(p.IsAllowed(path + "b"));
      best_ms = std::min(best_ms, MillisecondsSince(start));
    }
    CAPTURE(best_ms);
    CHECK(best_ms < 10.0);
  }

  TEST_CASE("RFC 9309 2.3.1: AllowAll and DisallowAll") {
    CHECK(RobotsPolicy::AllowAll().IsAllowed("/"));
    CHECK(RobotsPolicy::AllowAll().IsAllowed("/any/thing?x=1"));
    CHECK_FALSE(RobotsPolicy::DisallowAll().IsAllowed("/"));
    CHECK_FALSE(RobotsPolicy::DisallowAll().IsAllowed("/any/thing?x=1"));
    CHECK(RobotsPolicy::AllowAll().rule_count() == 0);
  }

  TEST_CASE("RFC 9309 2.2.2: the query is part of the matched path") {
    const char* body =
        "user-agent: *\n"
        "disallow: /*?sessionid=\n"
        "disallow: /search?\n";
    CHECK_FALSE(Allowed(body, "bot", "/page?sessionid=1"));
    CHECK_FALSE(Allowed(body, "bot", "/search?q=x"));
    CHECK(Allowed(body, "bot", "/search"));
    CHECK(Allowed(body, "bot", "/page?id=1"));
  }

  // A reference matcher for patterns of '/', 'a', 'b', '*' and a final '$':
  // dynamic programming over (pattern position, path position).
  bool ReferenceMatch(std::string_view pattern, std::string_view path) {
    bool anchored = !pattern.empty() && pattern.back() == '$';
    if (anchored) pattern.remove_suffix(1);
    const size_t m = pattern.size();
    const size_t n = path.size();
    // can[i][j]: pattern[0, i) matches path[0, j) exactly.
    std::vector<std::vector<bool>> can(m + 1, std::vector<bool>(n + 1, false));
    can[0][0] = true;
    for (size_t i = 1; i <= m; ++i) {
      for (size_t j = 0; j <= n; ++j) {
        if (pattern[i - 1] == '*') {
          can[i][j] = can[i - 1][j] || (j > 0 && can[i][j - 1]);
        } else {
          can[i][j] =
              j > 0 && can[i - 1][j - 1] && pattern[i - 1] == path[j - 1];
        }
      }
    }
    if (anchored) return can[m][n];
    for (size_t j = 0; j <= n; ++j) {
      if (can[m][j]) return true;
    }
    return false;
  }

  std::string RandomString(std::mt19937 & rng, std::string_view alphabet,
                           size_t max_len) {
    const size_t len = rng() % (max_len + 1);
    std::string s;
    for (size_t i = 0; i < len; ++i) s += alphabet[rng() % alphabet.size()];
    return s;
  }

  TEST_CASE(
      "RFC 9309 2.2.3: wildcard matching agrees with a reference "
      "matcher") {
    std::mt19937 rng(20240917);
    for (int round = 0; round < 3000; ++round) {
      std::string pattern = "/" + RandomString(rng, "ab*/", 6);
      if (rng() % 3 == 0) pattern += '$';
      const std::string path = "/" + RandomString(rng, "ab/", 8);
      CAPTURE(pattern);
      CAPTURE(path);
      const bool disallowed =
          !Allowed("user-agent: *\ndisallow: " + pattern + "\n", "bot", path);
      CHECK(disallowed == ReferenceMatch(pattern, path));
    }
  }

  TEST_CASE(
      "RFC 9309 2.2.2: shuffling the rules of a group never changes a "
      "verdict") {
    std::mt19937 rng(42);
    for (int round = 0; round < 200; ++round) {
      std::vector<std::string> rules;
      const size_t count = 1 + rng() % 8;
      for (size_t i = 0; i < count; ++i) {
        std::string pattern = "/" + RandomString(rng, "ab*/", 4);
        if (rng() % 4 == 0) pattern += '$';
        if (rng() % 5 == 0) pattern = "/%61" + pattern.substr(1);  // "%61" = a.
        rules.push_back(std::string(rng() % 2 == 0 ? "allow: " : "disallow: ") +
                        pattern);
      }
      std::vector<std::string> paths;
      for (int i = 0; i < 20; ++i) {
        paths.push_back("/" + RandomString(rng, "ab/", 6));
      }
      auto build = [](const std::vector<std::string>& r) {
        std::string body = "user-agent: bot\n";
        for (const std::string& line : r) body += line + "\n";
        return RobotsPolicy::Parse(body, "bot");
      };
      const RobotsPolicy original = build(rules);
      for (int shuffle = 0; shuffle < 5; ++shuffle) {
        std::shuffle(rules.begin(), rules.end(), rng);
        const RobotsPolicy shuffled = build(rules);
        // Splitting the group in two groups of the same agent changes nothing.
        std::string split = "user-agent: bot\n";
        for (size_t i = 0; i < rules.size(); ++i) {
          if (i == rules.size() / 2) split += "user-agent: BOT\n";
          split += rules[i] + "\n";
        }
        const RobotsPolicy two_groups = RobotsPolicy::Parse(split, "bot");
        for (const std::string& path : paths) {
          CAPTURE(path);
          CHECK(original.IsAllowed(path) == shuffled.IsAllowed(path));
          CHECK(original.IsAllowed(path) == two_groups.IsAllowed(path));
        }
      }
    }
  }

  TEST_CASE(
      "RFC 9309 2.2.2: an allow equal to each disallow allows "
      "everything") {
    std::mt19937 rng(9309);
    for (int round = 0; round < 200; ++round) {
      std::string body = "user-agent: *\n";
      for (int i = 0; i < 4; ++i) {
        const std::string pattern = "/" + RandomString(rng, "ab*/", 4);
        body += "disallow: " + pattern + "\nallow: " + pattern + "\n";
      }
      const std::string path = "/" + RandomString(rng, "ab/", 6);
      CAPTURE(body);
      CHECK(Allowed(body, "bot", path));
    }
  }

}  // TEST_SUITE("Robots")

}  // namespace
}  // namespace crawler::robots
