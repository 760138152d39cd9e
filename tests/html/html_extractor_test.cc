#include "crawler/html/html_extractor.h"

#include <chrono>
#include <string>
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

}  // namespace
}  // namespace crawler::html
