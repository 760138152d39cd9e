// RenderReport: a self-contained page, every string from the web escaped,
// and sensible output for an empty crawl, one page and many hosts.
#include "crawler/report/render.h"

#include <regex>

#include "crawler/testing/test_util.h"

namespace crawler::report {
namespace {

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t p = haystack.find(needle); p != std::string::npos;
       p = haystack.find(needle, p + 1)) {
    ++n;
  }
  return n;
}

// Nothing is loaded from elsewhere, and nothing runs.
void CheckSelfContained(const std::string& html) {
  for (const char* banned :
       {"<script", "<link", "<img", "<iframe", "<object", "<embed",
        " src=", "url(", "@import", "href=\"javascript"}) {
    CHECK_MESSAGE(html.find(banned) == std::string::npos,
                  "found '" << banned << "'");
  }
  // No event handler attribute in any tag.
  CHECK_FALSE(std::regex_search(html, std::regex("<[^<>]*\\son[a-z]+\\s*=")));
}

ReportData OnePage() {
  ReportData d;
  d.title = "Crawl of http://a.test/";
  d.seeds = {"http://a.test/"};
  d.seed_count = 1;
  d.pages = d.ok = 1;
  d.bytes = 1500;
  d.seconds = 0.4;
  d.stop_reason = "done";
  d.pages_per_bucket = {1};
  d.statuses = {{200, 1}};
  d.content_types = {{"text/html", 1}};
  d.depths = {1};
  d.top_hosts = {{"http://a.test", 1}};
  d.slowest = {{"http://a.test/", 35, 200, ""}};
  return d;
}

TEST_SUITE("RenderReport") {
  TEST_CASE("An empty crawl has every section, each saying there is no data") {
    const std::string html = RenderReport(ReportData{});
    CheckSelfContained(html);
    CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
    for (const char* id :
         {"summary", "pages-per-second", "status-codes", "content-types",
          "depths", "top-hosts", "slowest-pages", "errors"}) {
      CHECK_MESSAGE(html.find("<section id=\"" + std::string(id) + "\">") !=
                        std::string::npos,
                    id);
    }
    CHECK(Count(html, "<svg") == 0);
    CHECK(Count(html, "class=\"empty\"") == 7);
    CHECK(html.find("No pages were fetched.") != std::string::npos);
    CHECK(html.find("No errors.") != std::string::npos);
  }

  TEST_CASE("One page draws every chart but the errors") {
    const std::string html = RenderReport(OnePage());
    CheckSelfContained(html);
    for (const char* id : {"pages-per-second", "status-codes", "content-types",
                           "depths", "top-hosts", "slowest-pages"}) {
      CHECK_MESSAGE(html.find("data-chart=\"" + std::string(id) + "\"") !=
                        std::string::npos,
                    id);
    }
    CHECK(html.find("data-chart=\"errors\"") == std::string::npos);
    CHECK(Count(html, "<svg") == 6);
    CHECK(Count(html, "<path class=\"line\"") == 1);
    CHECK(Count(html, "<path class=\"area\"") == 1);
    // status, content type, depth, host, slowest page: one bar each.
    CHECK(Count(html, "<rect class=\"bar\"") == 5);
    CHECK(html.find("fill=\"#59a14f\"") != std::string::npos);  // 2xx.
    CHECK(html.find("<a class=\"url\" href=\"http://a.test/\" "
                    "rel=\"nofollow noopener noreferrer\">") !=
          std::string::npos);
    // No bar is drawn with zero or negative width.
    std::regex zero("<rect class=\"bar\"[^>]*width=\"(0(\\.0)?|-[^\"]*)\"");
    CHECK_FALSE(std::regex_search(html, zero));
  }

  TEST_CASE("The changes section appears only with a crawl state") {
    ReportData d = OnePage();
    CHECK(RenderReport(d).find("id=\"changes\"") == std::string::npos);
    d.changes.emplace();
    d.changes->new_urls = 7;
    d.changes->changed = 3;
    d.changes->unchanged = 1234;
    d.changes->gone = 2;
    d.changes->vanished = 1;
    d.changes->due = 1239;
    const std::string html = RenderReport(d);
    CheckSelfContained(html);
    const size_t at = html.find("<section id=\"changes\">");
    REQUIRE(at != std::string::npos);
    const std::string section =
        html.substr(at, html.find("</section>", at) - at);
    CHECK(section.find("<dt>changed</dt><dd>3</dd>") != std::string::npos);
    CHECK(section.find("<dt>gone</dt><dd>2</dd>") != std::string::npos);
    CHECK(section.find(
              "<dt>of which vanished (no longer linked)</dt><dd>1</dd>") !=
          std::string::npos);
    CHECK(section.find("<dt>unchanged</dt><dd>1,234</dd>") !=
          std::string::npos);
  }

  TEST_CASE("Every string from the web is escaped") {
    ReportData d = OnePage();
    const std::string evil = "http://a.test/\"><script>alert(1)</script>'&";
    d.title = "<b>title</b>";
    d.seeds = {evil, "javascript:alert(1)"};
    d.content_types = {{"text/html\"><svg onload=alert(1)>", 1}};
    d.top_hosts = {{"<i>host</i>", 1}};
    d.slowest = {{evil, 10, 200, ""}};
    d.errors_by_class = {{"<err>", 1, {{evil, "message <b>& \"quoted\""}}}};
    d.stop_reason = "<stop>";
    const std::string html = RenderReport(d);
    CheckSelfContained(html);
    CHECK(html.find("<b>") == std::string::npos);
    CHECK(html.find("<i>") == std::string::npos);
    CHECK(html.find("<err>") == std::string::npos);
    CHECK(html.find("<stop>") == std::string::npos);
    CHECK(html.find("&lt;b&gt;title&lt;/b&gt;") != std::string::npos);
    CHECK(html.find("href=\"http://a.test/&quot;&gt;&lt;script&gt;alert(1)"
                    "&lt;/script&gt;&#39;&amp;\"") != std::string::npos);
    CHECK(html.find("&lt;svg onload=alert(1)&gt;") != std::string::npos);
    // A URL that is not http(s) is shown, never linked.
    CHECK(html.find("href=\"javascript") == std::string::npos);
    CHECK(html.find("<span class=\"url\">javascript:alert(1)</span>") !=
          std::string::npos);
  }

  TEST_CASE("Invalid UTF-8 and control characters become U+FFFD") {
    CHECK(HtmlEscape("a\xff"
                     "b") ==
          "a\xEF\xBF\xBD"
          "b");
    CHECK(HtmlEscape("\xC3\xA9") == "\xC3\xA9");                  // é stays.
    CHECK(HtmlEscape("\xC0\xAF") == "\xEF\xBF\xBD\xEF\xBF\xBD");  // Overlong.
    CHECK(HtmlEscape("\xED\xA0\x80").find("\xED") == std::string::npos);
    CHECK(HtmlEscape("x\x01y") == "x\xEF\xBF\xBDy");
    CHECK(HtmlEscape("\xE2\x82") == "\xEF\xBF\xBD\xEF\xBF\xBD");  // Cut short.
    CHECK(HtmlEscape("<&>\"'") == "&lt;&amp;&gt;&quot;&#39;");
  }

  TEST_CASE("Many hosts: one bar each, long labels shortened, full text kept") {
    ReportData d = OnePage();
    d.top_hosts.clear();
    for (int i = 0; i < 20; ++i) {
      d.top_hosts.push_back({"http://host" + std::to_string(i) + "." +
                                 std::string(80, 'x') + ".test",
                             static_cast<uint64_t>(1000 - i * 40)});
    }
    d.hosts_approximate = true;
    d.host_count_error = 12;
    const std::string html = RenderReport(d);
    CheckSelfContained(html);
    const size_t start = html.find("data-chart=\"top-hosts\"");
    const size_t end = html.find("</svg>", start);
    REQUIRE(start != std::string::npos);
    const std::string chart = html.substr(start, end - start);
    CHECK(Count(chart, "<rect class=\"bar\"") == 20);
    CHECK(Count(chart, "\xE2\x80\xA6") == 20);  // Labels cut with an ellipsis.
    CHECK(Count(chart, std::string(80, 'x') + ".test</title>") == 0);
    CHECK(Count(chart, std::string(80, 'x') + ".test: ") == 20);
    CHECK(html.find("too high by at most 12") != std::string::npos);
  }

  TEST_CASE("A long crawl's time axis uses minutes and hours") {
    ReportData d = OnePage();
    d.bucket_seconds = 64;
    d.pages_per_bucket.assign(300, 100);
    d.seconds = 64 * 300;
    const std::string html = RenderReport(d);
    CHECK(html.find(" h</text>") != std::string::npos);
    CHECK(html.find("64 s intervals") != std::string::npos);
  }
}

}  // namespace
}  // namespace crawler::report
