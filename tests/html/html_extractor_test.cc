#include "crawler/html/html_extractor.h"

#include <chrono>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/testing/test_util.h"

namespace crawler::html {
namespace {

HtmlDocument MustExtract(std::string_view body, const HtmlOptions& o = {}) {
  StatusOr<HtmlDocument> doc = ExtractHtml(body, o);
  REQUIRE_OK(doc.status());
  return *std::move(doc);
}

std::string Repeat(std::string_view unit, int n) {
  std::string s;
  s.reserve(unit.size() * n);
  for (int i = 0; i < n; ++i) s.append(unit);
  return s;
}

bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = s[i];
    size_t len = c < 0x80         ? 1
                 : (c >> 5) == 6  ? 2
                 : (c >> 4) == 14 ? 3
                 : (c >> 3) == 30 ? 4
                                  : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    }
    i += len;
  }
  return true;
}

TEST_CASE("title is the first title's text with whitespace collapsed") {
  HtmlDocument d = MustExtract(
      "<html><head><title>\n  Hello \t\r\n  World  </title>"
      "<title>second</title></head><body>x</body></html>");
  CHECK(d.title == "Hello World");
  CHECK(MustExtract("<title>A &amp; B</title>").title == "A & B");
}

TEST_CASE("a document without a title has an empty title") {
  CHECK(MustExtract("<p>no title here</p>").title.empty());
  CHECK(MustExtract("").title.empty());
  CHECK(MustExtract("<svg><title>icon</title></svg>").title.empty());
}

TEST_CASE(
    "hrefs of a and area come in document order, trimmed, empty dropped") {
  HtmlDocument d = MustExtract(
      "<a href=' /one '>1</a><a>no href</a><a href=''>e</a><a href='  '>w</a>"
      "<map><area href=\"/two\"></map><div><a href=\"\n/three\t\">3</a></div>"
      "<link href=/not-a-link><a href=http://x/four?a=1&amp;b=2>4</a>");
  CHECK(d.hrefs == std::vector<std::string>{"/one", "/two", "/three",
                                            "http://x/four?a=1&b=2"});
  CHECK_FALSE(d.links_truncated);
}

TEST_CASE("links inside template contents are not returned") {
  HtmlDocument d =
      MustExtract("<template><a href=/hidden>h</a></template><a href=/shown>");
  CHECK(d.hrefs == std::vector<std::string>{"/shown"});
}

TEST_CASE("base href is the first base element with an href") {
  HtmlDocument d = MustExtract(
      "<head><base target=_top><base href=' http://b.example/dir/ '>"
      "<base href=/other/></head>");
  CHECK(d.base_href == "http://b.example/dir/");
  CHECK(MustExtract("<a href=x>").base_href.empty());
}

TEST_CASE("IsFollowableHref accepts relative and http(s) links only") {
  struct Case {
    const char* href;
    bool followable;
  };
  const Case cases[] = {
      {"http://a/b", true},
      {"HTTPS://a/b", true},
      {"hTtP:relative", true},
      {"page.html", true},
      {"/abs/path?q=1#f", true},
      {"?query", true},
      {"//host/x", true},
      {"../up", true},
      {" http://a/ ", true},
      {"a/b:c", true},
      {"#frag", false},
      {"#", false},
      {"javascript:void(0)", false},
      {"JavaScript:alert(1)", false},
      {"java\nscript:alert(1)", false},
      {"mailto:a@b.c", false},
      {"data:text/html,x", false},
      {"tel:+123", false},
      {"ftp://a/", false},
      {"httpx://a/", false},
      {"", false},
      {"  ", false},
  };
  for (const Case& c : cases) {
    CAPTURE(c.href);
    CHECK(IsFollowableHref(c.href) == c.followable);
  }
}

TEST_CASE("a document nested 300,000 deep is refused quickly") {
  const auto start = std::chrono::steady_clock::now();
  StatusOr<HtmlDocument> d = ExtractHtml(Repeat("<div>", 300000));
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  REQUIRE_FALSE(d.ok());
  CHECK(d.status().code() == Code::kResourceExhausted);
  CHECK(d.status().tag() == Tag::kPermanent);
  CHECK(d.status().message() ==
        "HTML nesting depth exceeds 1000 (limit html max_depth)");
  CHECK(secs < 1.0);
}

TEST_CASE("deep nesting tricks are refused too") {
  // Each of these nests ~2,000 elements deep in a real HTML parser.
  const char* units[] = {
      "<div/>",                          // "/>" is ignored on HTML tags.
      "<span><div></span></div>",        // </span> ignored past <div>.
      "<td><div></td>",                  // <td> outside a table ignored.
      "<form><div></form>",              // </form> leaves the div open.
      "<body><div></body>",              // </body> pops nothing.
      "<b><div></b>",                    // Adoption agency.
      "<div><script>'</div>'</script>",  // Script text is not markup.
      "<div><!-- </div> -->",            // Nor are comments.
      "<div><p title='</div>'>",         // Nor attribute values.
      "<svg><foreignObject><div/>",      // HTML inside SVG.
      "<svg><p><div/>",                  // <p> leaves SVG content.
      "<svg><font color=red><div/>",     // So does <font color>.
      "<select><template><div>",         // Templates nest in <select>.
  };
  for (const std::string unit : units) {
    CAPTURE(unit);
    StatusOr<HtmlDocument> d = ExtractHtml(Repeat(unit, 2000));
    CHECK(d.status().code() == Code::kResourceExhausted);
  }
}

TEST_CASE("flat documents with many unclosed optional tags are accepted") {
  const std::string body = "<ul>" + Repeat("<li>item <a href=x>x</a>", 5000) +
                           "</ul>" + Repeat("<p>para", 5000) + "<table>" +
                           Repeat("<tr><td>a<td>b", 5000) + "</table><select>" +
                           Repeat("<option>o", 5000) + "</select>" +
                           Repeat("<img src=x><br><input>", 5000) +
                           Repeat("<div><span><b>x</div>", 5000) +
                           Repeat("<svg><path d='M0'/><circle/></svg>", 5000) +
                           Repeat("<table><tr><td>x</table>", 5000) +
                           Repeat("<dl><dt>a<dd>b</dl>", 5000);
  HtmlDocument d = MustExtract(body);
  CHECK(d.hrefs.size() == 5000);
}

TEST_CASE("max_depth is configurable") {
  HtmlOptions o;
  o.max_depth = 10;
  CHECK(ExtractHtml(Repeat("<div>", 10), o).ok());
  StatusOr<HtmlDocument> d = ExtractHtml(Repeat("<div>", 11), o);
  CHECK(d.status().message() ==
        "HTML nesting depth exceeds 10 (limit html max_depth)");
}

std::string ManyAttributes(int n) {
  std::string body = "<title>t</title><a";
  for (int i = 0; i < n; ++i) body += " a" + std::to_string(i) + "=\"v>\"";
  return body + " href=/last>x</a><a href=/next>";
}

TEST_CASE("an element with 100,000 attributes is refused quickly") {
  const auto start = std::chrono::steady_clock::now();
  StatusOr<HtmlDocument> d = ExtractHtml(ManyAttributes(100000));
  CHECK(std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count() < 1.0);
  CHECK(d.status().code() == Code::kResourceExhausted);
  CHECK(d.status().message() ==
        "HTML element has more than 1000 attributes (limit html "
        "max_attributes)");
}

TEST_CASE("an element with 999 attributes parses") {
  HtmlDocument d = MustExtract(ManyAttributes(999));
  CHECK(d.title == "t");
  CHECK(d.hrefs == std::vector<std::string>{"/last", "/next"});
}

TEST_CASE("invalid UTF-8 and NUL bytes give a valid UTF-8 title") {
  using std::string_literals::operator""s;
  const std::string body =
      "<title>caf\xC3\xA9 \xFF\xFE bad \xE2\x82 x\0y</title>"
      "<a href='/\xC0\xAF'>x</a>\0<a href=/z>"s;
  HtmlDocument d = MustExtract(body);
  CHECK(IsValidUtf8(d.title));
  CHECK(d.title.rfind("caf\xC3\xA9 ", 0) == 0);
  CHECK(d.title.find("\xEF\xBF\xBD") != std::string::npos);
  CHECK(d.hrefs.size() == 2);
  CHECK(d.hrefs.back() == "/z");
}

TEST_CASE("a body over max_input_bytes is refused") {
  HtmlOptions o;
  o.max_input_bytes = 100;
  StatusOr<HtmlDocument> d = ExtractHtml(std::string(101, 'x'), o);
  CHECK(d.status().code() == Code::kResourceExhausted);
  CHECK(d.status().message() ==
        "HTML body of 101 bytes exceeds 100 (limit html max_input_bytes)");
  CHECK(ExtractHtml(std::string(100, 'x'), o).ok());
}

TEST_CASE("hrefs beyond max_links are dropped and flagged") {
  HtmlOptions o;
  o.max_links = 3;
  HtmlDocument d = MustExtract(Repeat("<a href=/x>", 2) + "<a href=/y>", o);
  CHECK(d.hrefs.size() == 3);
  CHECK_FALSE(d.links_truncated);
  d = MustExtract(Repeat("<a href=/x>", 5) + "<title>late</title>", o);
  CHECK(d.hrefs.size() == 3);
  CHECK(d.links_truncated);
  CHECK(d.title == "late");
}

TEST_CASE("unclosed tag soup still yields title and links") {
  HtmlDocument d = MustExtract(
      "<html><title>Soup<body><p><b><i>x</b></i><table><tr><td><a "
      "href=/a>a<td><a href=/b>b</table><a href=/c <div><<>><a href=/d");
  CHECK(d.title ==
        "Soup<body><p><b><i>x</b></i><table><tr><td><a href=/a>a"
        "<td><a href=/b>b</table><a href=/c <div><<>><a href=/d");
  HtmlDocument e = MustExtract(
      "<title>Soup</title><p><b><i>x</b></i><table><tr><td><a "
      "href=/a>a<td><a href=/b>b</table><font><a href=/c>c<div><a href=/d>");
  CHECK(e.title == "Soup");
  CHECK(e.hrefs == std::vector<std::string>{"/a", "/b", "/c", "/d"});
}

// ---------------------------------------------------------------------------
// links, canonical and robots directives.
// ---------------------------------------------------------------------------

// A Link in a compact, printable form: "a /x", "link! /y" ('!' = nofollow).
std::string Show(const Link& l) {
  const char* kind = l.kind == LinkKind::kAnchor ? "a"
                     : l.kind == LinkKind::kLink ? "link"
                                                 : "frame";
  return std::string(kind) + (l.nofollow ? "! " : " ") + l.url;
}

// The links of `body`, shown and joined with " | " (readable when a check
// fails).
std::string Links(std::string_view body, const HtmlOptions& o = {}) {
  std::string out;
  for (const Link& l : MustExtract(body, o).links) {
    if (!out.empty()) out += " | ";
    out += Show(l);
  }
  return out;
}

using Strings = std::vector<std::string>;

std::string Join(std::initializer_list<std::string_view> shown) {
  std::string out;
  for (std::string_view s : shown) {
    if (!out.empty()) out += " | ";
    out += s;
  }
  return out;
}

TEST_CASE("links: every kind, in document order") {
  const char* body =
      "<html><head><link rel=alternate hreflang=de href=/de>"
      "<link rel=next href=/p2><link rel=prev href=/p0>"
      "<link rel=alternate type=application/rss+xml href=/feed></head>"
      "<body><a href=/a>a</a><map><area href=/area></map>"
      "<iframe src=/if></iframe><a href=/b>b</a></body></html>";
  CHECK(Links(body) == Join({"link /de", "link /p2", "link /p0", "link /feed",
                             "a /a", "a /area", "frame /if", "a /b"}));
  HtmlDocument d = MustExtract(body);
  CHECK(d.links[0].kind == LinkKind::kLink);
  CHECK(d.links[4].kind == LinkKind::kAnchor);
  CHECK(d.links[6].kind == LinkKind::kFrame);
  CHECK_FALSE(d.links[0].nofollow);
  // hrefs is unchanged: a and area only.
  CHECK(d.hrefs == Strings{"/a", "/area", "/b"});
}

TEST_CASE("links: frame src in a frameset document") {
  CHECK(Links("<html><head><title>f</title></head><frameset cols='50%,50%'>"
              "<frame src=/left><frameset rows='*,*'><frame src=' /top '>"
              "<frame src=/bottom><frame></frameset></frameset></html>") ==
        Join({"frame /left", "frame /top", "frame /bottom"}));
}

TEST_CASE("links: nothing inside noframes or iframe content is a link") {
  // <noframes> and <iframe> content is raw text for the HTML parser.
  CHECK(Links("<frameset><frame src=/f><noframes><a href=/nf>x</a>"
              "<frame src=/nf2></noframes></frameset>") == Join({"frame /f"}));
  CHECK(Links("<body><noframes><a href=/nf>x</a></noframes><a href=/ok>") ==
        Join({"a /ok"}));
  // The first </iframe> ends the outer iframe's text, as in browsers.
  CHECK(Links("<iframe src=/outer><a href=/in-iframe><iframe src=/inner>"
              "</iframe><a href=/after></iframe><a href=/last>") ==
        Join({"frame /outer", "a /after", "a /last"}));
  // A <frame> outside a frameset is dropped by the parser.
  CHECK(Links("<body><frame src=/stray><a href=/a>") == Join({"a /a"}));
}

TEST_CASE("links: rel=nofollow in any case and among other tokens") {
  CHECK(Links("<a href=/1 rel=nofollow><a href=/2 rel=NoFollow>"
              "<a href=/3 rel='noopener nofollow'>"
              "<a href=/4 rel='  noopener   \t nofollow\n noreferrer '>"
              "<a href=/5 rel='noopener,nofollow'>"
              "<a href=/6 rel='nofollower nofollow-x'><a href=/7 rel=''>"
              "<a href=/8><area href=/9 rel=nofollow>"
              "<link rel='next nofollow' href=/10>") ==
        Join({"a! /1", "a! /2", "a! /3", "a! /4", "a! /5", "a /6", "a /7",
              "a /8", "a! /9", "link! /10"}));
}

TEST_CASE("links: link rel other than alternate, next, prev is not returned") {
  CHECK(Links("<link rel=stylesheet href=/s.css><link rel=icon href=/i.png>"
              "<link rel='shortcut icon' href=/f.ico>"
              "<link rel='alternate stylesheet' href=/alt.css>"
              "<link rel=canonical href=/canon><link rel=preload href=/pre>"
              "<link href=/no-rel><link rel=NEXT href=/next>"
              "<link rel=' Alternate ' href=/alt><link rel=next>"
              "<link rel=next href='  '>") ==
        Join({"link /next", "link /alt"}));
}

TEST_CASE("canonical is the first link rel=canonical with an href") {
  HtmlDocument d = MustExtract(
      "<head><link rel=canonical><link rel=CANONICAL href=' http://x/c '>"
      "<link rel=canonical href=/second></head><a href=/a>");
  CHECK(d.canonical == "http://x/c");
  CHECK(d.links.size() == 1);  // canonical is not a link.
  CHECK(MustExtract("<a rel=canonical href=/a>").canonical.empty());
  CHECK(MustExtract("<link rel=alternate href=/a>").canonical.empty());
  CHECK(MustExtract("<template><link rel=canonical href=/t></template>")
            .canonical.empty());
}

TEST_CASE("meta robots: noindex, nofollow, none, in any case") {
  struct Case {
    const char* html;
    bool noindex;
    bool nofollow;
  };
  const Case cases[] = {
      {"<meta name=robots content=noindex>", true, false},
      {"<meta name=robots content=nofollow>", false, true},
      {"<meta name=robots content='noindex, nofollow'>", true, true},
      {"<meta name=robots content='NOINDEX,NOFOLLOW'>", true, true},
      {"<meta name=robots content='noindex nofollow'>", true, true},
      {"<meta name=robots content=none>", true, true},
      {"<meta name=robots content=None>", true, true},
      {"<meta name=ROBOTS content=noindex>", true, false},
      {"<meta name=' Robots ' content=noindex>", true, false},
      {"<meta name=robots content='index, follow'>", false, false},
      {"<meta name=robots content=all>", false, false},
      {"<meta name=robots content='max-snippet:-1, noarchive'>", false, false},
      {"<meta name=robots content='noindexes, nofollowing'>", false, false},
      {"<meta name=robots>", false, false},
      {"<meta content=noindex>", false, false},
      {"<meta name=description content='noindex nofollow'>", false, false},
      {"<meta name=googlebot content=noindex>", false, false},
      {"<meta name=robots content=noindex><meta name=robots content=nofollow>",
       true, true},
      {"<body><meta name=robots content=nofollow>", false, true},
      {"<template><meta name=robots content=none></template>", false, false},
  };
  for (const Case& c : cases) {
    CAPTURE(c.html);
    HtmlDocument d = MustExtract(c.html);
    CHECK(d.meta_noindex == c.noindex);
    CHECK(d.meta_nofollow == c.nofollow);
  }
}

TEST_CASE("meta robots: name=product token obeyed only when set") {
  HtmlOptions o;
  o.robots_token = "crawler";
  HtmlDocument d = MustExtract("<meta name=Crawler content=nofollow>", o);
  CHECK(d.meta_nofollow);
  CHECK_FALSE(d.meta_noindex);
  d = MustExtract("<meta name=googlebot content=none>", o);  // Another bot.
  CHECK_FALSE(d.meta_noindex);
  CHECK_FALSE(d.meta_nofollow);
  d = MustExtract(
      "<meta name=crawler content=noindex>"
      "<meta name=robots content=nofollow>",
      o);
  CHECK(d.meta_noindex);
  CHECK(d.meta_nofollow);
  d = MustExtract("<meta name=crawler content=noindex>");  // No token set.
  CHECK_FALSE(d.meta_noindex);
}

TEST_CASE("ParseXRobotsTag: directives, user-agent prefixes, none") {
  struct Case {
    const char* header;
    bool noindex;
    bool nofollow;
  };
  const Case cases[] = {
      {"", false, false},
      {"noindex", true, false},
      {"nofollow", false, true},
      {"NoIndex, NOFOLLOW", true, true},
      {"none", true, true},
      {"all", false, false},
      {"noarchive, nosnippet", false, false},
      {"noindex,nofollow", true, true},
      {"  noindex  ,  ", true, false},
      {"max-snippet: 20, max-image-preview: large", false, false},
      {"unavailable_after: 25 Jun 2010 15:00:00 PST", false, false},
      {"unavailable_after: Friday, 25-Jun-10 15:00:00 PST, nofollow", false,
       true},
      {"crawler: noindex", true, false},
      {"CRAWLER: none", true, true},
      {"googlebot: noindex", false, false},
      {"googlebot: none, crawler: nofollow", false, true},
      {"otherbot: noindex, nofollow", false, false},  // Both for otherbot.
      {"noindex, googlebot: nofollow", true, false},
      {"crawler: max-snippet: 0, noindex", true, false},
      {"crawler-news: noindex", false, false},
      {"crawler : noindex", true, false},
      {"noindexing, nofollower", false, false},
      {": noindex", true, false},  // Empty prefix: not an agent.
  };
  for (const Case& c : cases) {
    CAPTURE(c.header);
    const RobotsDirectives d = ParseXRobotsTag(c.header, "crawler");
    CHECK(d.noindex == c.noindex);
    CHECK(d.nofollow == c.nofollow);
  }
  // Without a product token only unprefixed directives apply.
  CHECK_FALSE(ParseXRobotsTag("crawler: noindex", "").noindex);
  CHECK(ParseXRobotsTag("noindex", "").noindex);
}

TEST_CASE("links on broken HTML") {
  // Unclosed tags, unquoted and duplicate attributes, whitespace inside.
  CHECK(Links("<div><p><a href=/one>1<a href=/two rel=nofollow>2"
              "<table><tr><td><a href=/three><iframe src=/f>") ==
        Join({"a /one", "a! /two", "a /three", "frame /f"}));
  CHECK(Links("<a href=/first href=/second rel=nofollow rel=follow>"
              "<a rel=x rel=nofollow href=/dup-rel>"
              "<iframe src=/if1 src=/if2></iframe>") ==
        Join({"a! /first", "a /dup-rel", "frame /if1"}));
  CHECK(Links("<a href=\"\n  /wrapped\n/path.html \t\">x</a>"
              "<a href='/a b'>y</a><link rel=next href=\"\r\n/n\r\n\">") ==
        Join({"a /wrapped\n/path.html", "a /a b", "link /n"}));
  CHECK(Links("<a href=/x?a=1&amp;b=2&lt;>x</a><a HREF=/upper REL=NOFOLLOW>"
              "<a href=/unterminated") == Join({"a /x?a=1&b=2<", "a! /upper"}));
}

TEST_CASE("links inside template, SVG and MathML are not returned") {
  CHECK(Links("<template><a href=/t><link rel=next href=/tl>"
              "<iframe src=/ti></iframe></template>"
              "<svg><a href=/svg-a><a xlink:href=/svg-x></a></svg>"
              "<math><a href=/math></math><a href=/shown>") ==
        Join({"a /shown"}));
}

TEST_CASE("max_links caps links like hrefs") {
  HtmlOptions o;
  o.max_links = 3;
  HtmlDocument d = MustExtract(
      "<link rel=next href=/n><a href=/a><iframe src=/f></iframe>"
      "<a href=/b><a href=/c><title>late</title>"
      "<link rel=canonical href=/canon>"
      "<meta name=robots content=nofollow>",
      o);
  CHECK(d.hrefs == Strings{"/a", "/b", "/c"});
  std::vector<std::string> shown;
  for (const Link& l : d.links) shown.push_back(Show(l));
  CHECK(shown == Strings{"link /n", "a /a", "frame /f"});
  CHECK(d.links_truncated);
  // The rest of the document is still read.
  CHECK(d.title == "late");
  CHECK(d.canonical == "/canon");
  CHECK(d.meta_nofollow);
  d = MustExtract("<a href=/a><link rel=prev href=/p><a href=/b>", o);
  CHECK(d.links.size() == 3);
  CHECK_FALSE(d.links_truncated);
}

}  // namespace
}  // namespace crawler::html
