// ReportCollector: what the report counts, and that its memory stays bounded
// whatever the crawl's size.
#include "crawler/report/collector.h"

#include "crawler/coordinator/crawl_job.h"
#include "crawler/testing/test_util.h"

namespace crawler::report {
namespace {

using coordinator::RecordKind;

ipc::FetchResult Page(const std::string& url, int status = 200,
                      int64_t ms = 10) {
  ipc::FetchResult r;
  r.url = url;
  r.status = status;
  r.elapsed_ms = ms;
  r.bytes = 1000;
  r.content_type = "text/html; charset=UTF-8";
  return r;
}

ipc::FetchResult Failed(const std::string& url, const std::string& cls) {
  ipc::FetchResult r;
  r.url = url;
  r.error_class = cls;
  r.error = cls + ": details about " + url;
  return r;
}

TEST_SUITE("ReportCollector") {
  TEST_CASE("Counts statuses, media types, depths, hosts and errors") {
    ReportOptions o;
    o.initial_bucket_seconds = 1;
    ReportCollector c(o);
    c.SetSeeds({"http://a.test/"});
    c.OnRecord(Page("http://a.test/"), RecordKind::kFetched, 0, 0.1);
    c.OnRecord(Page("http://a.test/x", 404), RecordKind::kFetched, 1, 0.2);
    ipc::FetchResult pdf = Page("http://b.test/f.pdf", 200, 900);
    pdf.content_type = "Application/PDF";
    c.OnRecord(pdf, RecordKind::kFetched, 1, 1.5);
    c.OnRecord(Failed("http://c.test/", "timeout"), RecordKind::kFetched, 2,
               2.5);
    c.OnRecord(Failed("http://a.test/private/", "blocked_by_robots"),
               RecordKind::kUnfetched, 2, 2.6);
    ReportData d = c.Data("now");
    CHECK(d.title == "Crawl of http://a.test/");
    CHECK(d.generated_at == "now");
    CHECK(d.pages == 4);
    CHECK(d.ok == 3);
    CHECK(d.unfetched == 1);
    CHECK(d.bytes == 3000);
    REQUIRE(d.pages_per_bucket.size() == 3);
    CHECK(d.pages_per_bucket[0] == 2);
    CHECK(d.pages_per_bucket[1] == 1);
    CHECK(d.pages_per_bucket[2] == 1);
    REQUIRE(d.statuses.size() == 3);
    CHECK(d.statuses[0].status == 0);
    CHECK(d.statuses[1].status == 200);
    CHECK(d.statuses[1].count == 2);
    REQUIRE(d.content_types.size() == 2);
    CHECK(d.content_types[0].label == "text/html");
    CHECK(d.content_types[0].count == 2);
    CHECK(d.content_types[1].label == "application/pdf");
    CHECK(d.depths == std::vector<uint64_t>{1, 2, 1});
    REQUIRE(d.top_hosts.size() == 3);
    CHECK(d.top_hosts[0].label == "http://a.test");
    CHECK(d.top_hosts[0].count == 2);
    CHECK_FALSE(d.hosts_approximate);
    REQUIRE(d.slowest.size() == 4);
    CHECK(d.slowest[0].url == "http://b.test/f.pdf");
    CHECK(d.slowest[0].elapsed_ms == 900);
    REQUIRE(d.errors_by_class.size() == 2);
    CHECK(d.errors_by_class[0].examples.size() == 1);
  }

  TEST_CASE("The crawl's totals and stop reason come from its final state") {
    ReportCollector c;
    c.OnRecord(Page("http://a.test/"), RecordKind::kFetched, 0, 0.1);
    coordinator::CrawlSummary totals;
    totals.pages = 1;
    totals.ok = 1;
    totals.errors = 1;  // A refused seed.
    totals.retries = 4;
    totals.robots_fetches = 1;
    totals.stop_reason = "max_pages";
    coordinator::CrawlState state;
    state.totals = &totals;
    state.elapsed_s = 3;
    state.seen = 9;
    c.OnProgress(state);
    CHECK(c.Data("").stop_reason == "");  // Still running.
    state.final = true;
    c.OnProgress(state);
    ReportData d = c.Data("");
    CHECK(d.stop_reason == "max_pages");
    CHECK(d.errors == 1);
    CHECK(d.retries == 4);
    CHECK(d.seen == 9);
    CHECK(d.seconds == 3);
    c.SetFailure("writing out.jsonl: No space left on device");
    CHECK(c.Data("").stop_reason ==
          "failed: writing out.jsonl: No space left on device");
  }

  TEST_CASE("Memory stays bounded on a huge crawl") {
    ReportOptions o;
    o.max_time_buckets = 50;
    o.host_counters = 64;
    o.top_hosts = 5;
    o.slowest_pages = 7;
    o.examples_per_error = 2;
    o.max_error_classes = 4;
    o.max_depth_bucket = 10;
    o.content_type_counters = 8;
    o.top_content_types = 3;
    o.max_string_bytes = 40;
    ReportCollector c(o);
    // 100,000 records over 10,000 seconds, 20,000 hosts; one hot host.
    for (int i = 0; i < 100000; ++i) {
      const std::string host =
          i % 2 == 0 ? "http://hot.test"
                     : "http://h" + std::to_string(i % 20000) + ".test";
      ipc::FetchResult r =
          Page(host + "/" + std::string(100, 'p') + std::to_string(i), 200,
               i % 1000);
      r.content_type = "type/" + std::to_string(i % 50);
      if (i % 10 == 0) {
        r.error_class = "class" + std::to_string(i % 70);
        r.error = r.error_class + ": x";
      }
      c.OnRecord(r, RecordKind::kFetched, i % 30, i / 10.0);
    }
    ReportData d = c.Data("");
    CHECK(d.pages_per_bucket.size() <= 50);
    CHECK(d.bucket_seconds >= 200);
    uint64_t total = 0;
    for (uint64_t n : d.pages_per_bucket) total += n;
    CHECK(total == 100000);
    REQUIRE(d.top_hosts.size() == 5);
    CHECK(d.top_hosts[0].label == "http://hot.test");
    CHECK(d.top_hosts[0].count >= 50000);
    CHECK(d.top_hosts[0].count <= 50000 + d.host_count_error);
    CHECK(d.hosts_approximate);
    CHECK(d.slowest.size() == 7);
    CHECK(d.slowest[0].elapsed_ms == 999);
    CHECK(d.slowest[0].url.size() <= 43);
    CHECK(d.errors_by_class.size() <= 5);
    for (const ErrorRow& e : d.errors_by_class) CHECK(e.examples.size() <= 2);
    CHECK(d.depths.size() == 11);
    CHECK(d.depth_capped);
    CHECK(d.content_types.size() == 4);  // 3 and "(other)".
    CHECK(d.content_types.back().label == "(other)");
    uint64_t typed = 0;
    for (const CountRow& row : d.content_types) typed += row.count;
    CHECK(typed == 100000);
  }

  TEST_CASE("Passwords in URLs never reach the report (fault matrix S7)") {
    ReportCollector c;
    c.SetSeeds({"http://ann:secret@a.test/"});
    c.OnRecord(Failed("http://ann:secret@a.test/", "timeout"),
               RecordKind::kFetched, 0, 0);
    ReportData d = c.Data("");
    CHECK(d.title.find("secret") == std::string::npos);
    CHECK(d.seeds[0].find("secret") == std::string::npos);
    CHECK(d.top_hosts[0].label == "http://a.test");
    CHECK(d.slowest[0].url.find("secret") == std::string::npos);
    CHECK(d.errors_by_class[0].examples[0].url.find("secret") ==
          std::string::npos);
    CHECK(d.errors_by_class[0].examples[0].message.find("secret") ==
          std::string::npos);
  }

  TEST_CASE("OriginOf and MediaType") {
    CHECK(OriginOf("https://u:p@Example.test:8443/a?b#c") ==
          "https://Example.test:8443");
    CHECK(OriginOf("http://a.test") == "http://a.test");
    CHECK(OriginOf("not a url") == "not a url");
    CHECK(MediaType(" Text/HTML ; charset=utf-8") == "text/html");
    CHECK(MediaType("") == "(none)");
  }
}

}  // namespace
}  // namespace crawler::report
