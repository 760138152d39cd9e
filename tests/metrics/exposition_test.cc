// /metrics and /status bodies from snapshots, checked with a strict reader
// of the Prometheus text format (prometheus_text.h) and nlohmann::json; the
// collector that builds the snapshots from records and crawl state.
#include "crawler/metrics/exposition.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "crawler/coordinator/crawl_job.h"
#include "crawler/metrics/collector.h"
#include "crawler/metrics/snapshot.h"
#include "crawler/testing/test_util.h"
#include "tests/metrics/prometheus_text.h"

namespace crawler::metrics {
namespace {

using crawler::testing::ParsePromText;
using crawler::testing::PromText;

class FakeSink : public SnapshotSink {
 public:
  void Publish(const MetricsSnapshot& s) override { published.push_back(s); }
  std::vector<MetricsSnapshot> published;
};

ipc::FetchResult Page(int status, int64_t ms,
                      const std::string& error_class = "") {
  ipc::FetchResult r;
  r.url = "http://a.test/x";
  r.status = status;
  r.elapsed_ms = ms;
  r.bytes = 100;
  if (!error_class.empty()) {
    r.error_class = error_class;
    r.error = error_class + ": something";
  }
  return r;
}

PromText Parse(const std::string& body) {
  StatusOr<PromText> text = ParsePromText(body);
  REQUIRE_MESSAGE(text.ok(), text.status().ToString() << "\n" << body);
  return *text;
}

TEST_SUITE("Exposition") {
  TEST_CASE("An empty snapshot is valid exposition text with every family") {
    PromText t = Parse(RenderPrometheus(MetricsSnapshot{}, 0));
    for (const char* family :
         {"crawler_crawl_state", "crawler_pages_total", "crawler_errors_total",
          "crawler_body_bytes_total", "crawler_queued_urls",
          "crawler_in_flight_requests", "crawler_host_queued_urls",
          "crawler_robots_cache_entries", "crawler_worker_restarts_total",
          "crawler_fetch_duration_seconds"}) {
      CHECK_MESSAGE(t.Family(family) != nullptr, family);
    }
    CHECK(t.Value("crawler_crawl_state", {{"state", "starting"}}) == 1);
    CHECK(t.Value("crawler_fetch_duration_seconds_count") == 0);
    CHECK(t.Family("crawler_fetch_duration_seconds")->type == "histogram");
  }

  TEST_CASE("The collector counts records and publishes the crawl's state") {
    FakeSink sink;
    MetricsCollector c(&sink);
    c.OnRecord(Page(200, 3), coordinator::RecordKind::kFetched, 0, 0.1);
    c.OnRecord(Page(200, 40), coordinator::RecordKind::kFetched, 1, 0.2);
    c.OnRecord(Page(404, 70), coordinator::RecordKind::kFetched, 1, 0.3);
    c.OnRecord(Page(503, 2000), coordinator::RecordKind::kFetched, 1, 0.4);
    c.OnRecord(Page(0, 100000, "timeout"), coordinator::RecordKind::kFetched, 2,
               0.5);
    c.OnRecord(Page(0, 0, "blocked_by_robots"),
               coordinator::RecordKind::kUnfetched, 2, 0.6);
    coordinator::CrawlSummary totals;
    totals.pages = 5;
    totals.ok = 4;
    totals.errors = 1;
    totals.unfetched = 1;
    totals.bytes = 500;
    totals.robots_fetches = 2;
    totals.skipped_robots = 1;
    coordinator::CrawlState state;
    state.totals = &totals;
    state.elapsed_s = 1.5;
    state.queued = 30;
    state.in_flight = 4;
    state.seen = 40;
    state.worker_restarts = 1;
    state.robots_ready = 2;
    state.robots_pending = 1;
    state.top_queues = {{"http://a.test", 20}, {"http://b.test", 6}};
    state.queued_hosts = 5;
    c.OnProgress(state);
    REQUIRE(sink.published.size() == 1);
    const MetricsSnapshot& s = sink.published[0];
    CHECK(s.state == "running");
    CHECK(s.other_hosts_queued == 4);

    PromText t = Parse(RenderPrometheus(s, 0.25));
    CHECK(t.Value("crawler_pages_total", {{"class", "2xx"}}) == 2);
    CHECK(t.Value("crawler_pages_total", {{"class", "4xx"}}) == 1);
    CHECK(t.Value("crawler_pages_total", {{"class", "5xx"}}) == 1);
    CHECK(t.Value("crawler_pages_total", {{"class", "none"}}) == 1);
    CHECK(t.Value("crawler_errors_total", {{"class", "timeout"}}) == 1);
    CHECK(t.Value("crawler_errors_total", {{"class", "blocked_by_robots"}}) ==
          1);
    CHECK(t.Value("crawler_body_bytes_total") == 500);
    CHECK(t.Value("crawler_queued_urls") == 30);
    CHECK(t.Value("crawler_in_flight_requests") == 4);
    CHECK(t.Value("crawler_host_queued_urls", {{"origin", "http://a.test"}}) ==
          20);
    CHECK(t.Value("crawler_host_queued_urls", {{"origin", "other"}}) == 4);
    CHECK(t.Value("crawler_robots_cache_entries", {{"state", "ready"}}) == 2);
    CHECK(t.Value("crawler_robots_cache_entries", {{"state", "pending"}}) == 1);
    CHECK(t.Value("crawler_worker_restarts_total") == 1);
    CHECK(t.Value("crawler_snapshot_age_seconds") == 0.25);
    // 3 ms, 40 ms, 70 ms, 2 s, 100 s: cumulative buckets.
    CHECK(t.Value("crawler_fetch_duration_seconds_bucket", {{"le", "0.005"}}) ==
          1);
    CHECK(t.Value("crawler_fetch_duration_seconds_bucket", {{"le", "0.05"}}) ==
          2);
    CHECK(t.Value("crawler_fetch_duration_seconds_bucket", {{"le", "0.1"}}) ==
          3);
    CHECK(t.Value("crawler_fetch_duration_seconds_bucket", {{"le", "2.5"}}) ==
          4);
    CHECK(t.Value("crawler_fetch_duration_seconds_bucket", {{"le", "60"}}) ==
          4);
    CHECK(t.Value("crawler_fetch_duration_seconds_bucket", {{"le", "+Inf"}}) ==
          5);
    CHECK(t.Value("crawler_fetch_duration_seconds_count") == 5);
    CHECK(t.Value("crawler_fetch_duration_seconds_sum") ==
          doctest::Approx(102.113));

    nlohmann::json j = nlohmann::json::parse(RenderStatusJson(s, 0.25));
    CHECK(j["state"] == "running");
    CHECK(j["pages"] == 5);
    CHECK(j["queued"] == 30);
    CHECK(j["host_queues"][0]["origin"] == "http://a.test");
    CHECK(j["pages_by_class"]["2xx"] == 2);
    CHECK(j["robots"]["fetches"] == 2);

    state.final = true;
    totals.stop_reason = "max_pages";
    c.OnProgress(state);
    CHECK(sink.published.back().state == "done");
    CHECK(sink.published.back().stop_reason == "max_pages");
  }

  TEST_CASE("Error classes are capped; label values are escaped") {
    MetricsOptions options;
    options.max_error_classes = 3;
    FakeSink sink;
    MetricsCollector c(&sink, options);
    for (int i = 0; i < 10; ++i) {
      c.OnRecord(Page(0, 1, "class" + std::to_string(i)),
                 coordinator::RecordKind::kFetched, 0, 0);
    }
    coordinator::CrawlSummary totals;
    coordinator::CrawlState state;
    state.totals = &totals;
    state.top_queues = {{"http://x\"y\\z\n\xff", 1}};
    c.OnProgress(state);
    PromText t = Parse(RenderPrometheus(sink.published[0], 0));
    CHECK(t.Family("crawler_errors_total")->samples.size() == 4);
    CHECK(t.Value("crawler_errors_total", {{"class", "other"}}) == 7);
    CHECK(t.Value("crawler_host_queued_urls",
                  {{"origin", "http://x\"y\\z\n?"}}) == 1);
    nlohmann::json j =
        nlohmann::json::parse(RenderStatusJson(sink.published[0], 0));
    CHECK(j["host_queues"].size() == 1);
  }

  TEST_CASE("A snapshot survives encoding; garbage is DataLoss") {
    MetricsSnapshot s;
    s.state = "stopping";
    s.stop_reason = "interrupted";
    s.pages_by_class[1] = 7;
    s.errors_by_class = {{"timeout", 3}};
    s.host_queues = {{"http://a", 9}};
    s.latency_buckets[3] = 2;
    s.latency_sum_s = 0.125;
    s.latency_count = 2;
    MetricsSnapshot back;
    REQUIRE_OK(DecodeSnapshot(EncodeSnapshot(s), &back));
    CHECK(RenderPrometheus(back, 1) == RenderPrometheus(s, 1));
    std::string data = EncodeSnapshot(s);
    CHECK(DecodeSnapshot(data.substr(0, data.size() - 1), &back).code() ==
          Code::kDataLoss);
    CHECK(DecodeSnapshot(data + "x", &back).code() == Code::kDataLoss);
  }
}

TEST_SUITE("PromTextReader") {
  // The reader itself must refuse what the format forbids.
  TEST_CASE("Refuses malformed exposition text") {
    const char* bad[] = {
        "# HELP a_total x\n# TYPE a_total counter\na_total 1",  // No final LF.
        "a 1\n",                                                // No TYPE.
        "# HELP a x\n# TYPE a gauge\n1a 1\n",
        "# HELP a x\n# TYPE a gauge\na{1b=\"x\"} 1\n",
        "# HELP a x\n# TYPE a gauge\na{b=\"x\\t\"} 1\n",
        "# HELP a x\n# TYPE a gauge\na{b=\"x\",b=\"y\"} 1\n",
        "# HELP a x\n# TYPE a gauge\na one\n",
        "# HELP a x\n# TYPE a gauge\na 1\n# HELP a y\n",
        "# HELP a x\n# TYPE a counter\na 1\n",  // Counter without _total.
        "# HELP a x\n# TYPE a gauge\na 1\n\n",
        "# HELP a x\n# TYPE a gauge\n# HELP b x\n# TYPE b gauge\na 1\nb "
        "1\na{c=\"d\"} 1\n",
        "# HELP h x\n# TYPE h histogram\nh_bucket{le=\"1\"} "
        "2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n",
        "# HELP h x\n# TYPE h histogram\nh_bucket{le=\"1\"} "
        "1\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n",
        "# HELP h x\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum "
        "1\nh_count 1\n",
    };
    for (const char* body : bad) {
      CHECK_MESSAGE(!ParsePromText(body).ok(), "accepted:\n" << body);
    }
    CHECK(ParsePromText("# HELP h x\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\n"
                        "h_bucket{le=\"+Inf\"} 2\nh_sum 1.5\nh_count 2\n")
              .ok());
  }
}

}  // namespace
}  // namespace crawler::metrics
