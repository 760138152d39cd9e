// CrawlJob on a shared frontier (docs/redis.md), with a fake one: a
// MemoryFrontier that says it is shared, whose records can be claimed by
// "another node", and whose health can fail. Real forked workers run the
// FakeFetcher (no network).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "crawler/coordinator/crawl_job.h"
#include "crawler/frontier/memory_frontier.h"
#include "crawler/log/fake_logger.h"
#include "crawler/testing/fake_fetcher.h"
#include "crawler/testing/test_util.h"

namespace crawler::coordinator {
namespace {

using crawler::testing::FakeFetcher;
using crawler::testing::TempDir;
using frontier::CrawlItem;
using nlohmann::json;

// A MemoryFrontier with the shared-frontier hooks of a fake Redis.
class FakeSharedFrontier : public frontier::Frontier {
 public:
  explicit FakeSharedFrontier(const frontier::FrontierOptions& o)
      : memory_(o) {}

  // URLs whose record another node wrote.
  std::set<std::string> claimed_elsewhere;
  // health() fails from the `fail_after_claims`-th claim on, for
  // `down_for` (forever when zero).
  int fail_after_claims = -1;
  std::chrono::milliseconds down_for{0};
  // Pages counted crawl-wide before this node started.
  int64_t pages_by_others = 0;

  std::set<std::string> done;
  int claims = 0;
  int64_t reserved = 0;

  bool shared() const override { return true; }
  StatusOr<bool> ClaimRecord(const std::string& url) override {
    if (!health().ok()) return health();
    if (fail_after_claims >= 0 && claims == fail_after_claims) {
      down_since_ = std::chrono::steady_clock::now();
      down_ = true;
      ++claims;
      return health();
    }
    ++claims;
    return claimed_elsewhere.count(url) == 0;
  }
  void Done(const std::string& url) override { done.insert(url); }
  StatusOr<bool> ReservePage(int64_t max_pages) override {
    if (!health().ok()) return health();
    if (max_pages > 0 && reserved + pages_by_others >= max_pages) return false;
    ++reserved;
    return true;
  }
  void ReturnPage() override { --reserved; }
  Status health() const override {
    if (!down_) return Status::Ok();
    if (down_for.count() > 0 &&
        std::chrono::steady_clock::now() - down_since_ >= down_for) {
      down_ = false;
      return Status::Ok();
    }
    return UnavailableError("fake Redis: connection refused");
  }

  // The rest: the MemoryFrontier's.
  frontier::AddResult Add(CrawlItem item) override {
    return memory_.Add(std::move(item));
  }
  void MarkSeen(const std::string& url) override { memory_.MarkSeen(url); }
  bool Contains(const std::string& url) const override {
    return memory_.Contains(url);
  }
  bool QueuedDeeper(const std::string& url, int depth) const override {
    return memory_.QueuedDeeper(url, depth);
  }
  void Retry(CrawlItem item, SteadyTime not_before) override {
    memory_.Retry(std::move(item), not_before);
  }
  std::optional<CrawlItem> Lease(SteadyTime now,
                                 const frontier::LeaseFilter& f) override {
    return memory_.Lease(now, f);
  }
  std::optional<SteadyTime> NextReady() const override {
    return memory_.NextReady();
  }
  void Release(const std::string& host, const frontier::HostFeedback& fb,
               SteadyTime now) override {
    memory_.Release(host, fb, now);
  }
  bool Acquire(const std::string& host, SteadyTime now) override {
    return memory_.Acquire(host, now);
  }
  void Block(const std::string& host) override { memory_.Block(host); }
  void Unblock(const std::string& host) override { memory_.Unblock(host); }
  void SetCrawlDelay(const std::string& host, double s) override {
    memory_.SetCrawlDelay(host, s);
  }
  size_t queued() const override { return memory_.queued(); }
  size_t seen() const override { return memory_.seen(); }
  double seen_bytes_per_url() const override {
    return memory_.seen_bytes_per_url();
  }
  std::vector<std::pair<std::string, size_t>> LongestQueues(
      size_t n, size_t* queued_hosts) const override {
    return memory_.LongestQueues(n, queued_hosts);
  }

 private:
  frontier::MemoryFrontier memory_;
  mutable bool down_ = false;
  std::chrono::steady_clock::time_point down_since_;
};

// One fetch at a time: the URLs reached within max_depth are the same in
// every run (in parallel, a longer path can be found first).
CrawlJobOptions FastOptions() {
  CrawlJobOptions o;
  o.workers.workers = 1;
  o.workers.concurrency = 1;
  o.frontier.delay_s = 0;
  o.frontier.per_host = 8;
  o.retry_backoff_s = 0.01;
  o.max_depth = 3;
  return o;
}

struct CrawlRun {
  StatusOr<CrawlSummary> summary = InternalError("not run");
  std::set<std::string> urls;  // Of the records written.
};

CrawlRun Crawl(const CrawlJobOptions& options,
               const std::vector<std::string>& seeds) {
  static int counter = 0;
  const std::string path = TempDir() + "/shared_" + std::to_string(getpid()) +
                           "_" + std::to_string(counter++) + ".jsonl";
  std::FILE* out = std::fopen(path.c_str(), "w+");
  REQUIRE(out != nullptr);
  CrawlRun run;
  {
    output::RecordWriter writer(out, path);
    ForkWorkerLauncher launcher(
        []() -> StatusOr<std::unique_ptr<fetch::Fetcher>> {
          fetch::FetchOptions o;
          o.max_concurrency = 4;
          o.total_timeout_ms = 5000;
          std::unique_ptr<fetch::Fetcher> f = std::make_unique<FakeFetcher>(o);
          return f;
        },
        worker::WorkerOptions{});
    SystemClock clock;
    run.summary = RunCrawlJob(options, seeds, writer, launcher, clock);
  }
  std::rewind(out);
  std::string text;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, out)) > 0) text.append(buf, n);
  std::fclose(out);
  std::remove(path.c_str());
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    json j = json::parse(line, nullptr, false);
    REQUIRE_MESSAGE(!j.is_discarded(), "not JSON: " << line);
    const std::string u = j["url"];
    CHECK_MESSAGE(run.urls.insert(u).second, "recorded twice: " << u);
  }
  return run;
}

const std::string kSite = "http://fake.test";

TEST_SUITE("CrawlJob on a shared frontier") {
  TEST_CASE("a record another node wrote is skipped; every URL is Done") {
    CrawlJobOptions o = FastOptions();
    // The same crawl on a one-node frontier: what all records are.
    const CrawlRun alone = Crawl(o, {kSite + "/page/0"});
    REQUIRE(alone.summary.ok());
    REQUIRE(alone.urls.count(kSite + "/page/2") == 1);

    FakeSharedFrontier shared(o.frontier);
    shared.claimed_elsewhere = {kSite + "/page/2", kSite + "/page/3"};
    o.shared_frontier = &shared;
    const CrawlRun run = Crawl(o, {kSite + "/page/0"});
    REQUIRE_MESSAGE(run.summary.ok(), run.summary.status().ToString());
    std::set<std::string> expected = alone.urls;
    expected.erase(kSite + "/page/2");
    expected.erase(kSite + "/page/3");
    CHECK(run.urls == expected);
    // Their links were still followed (page/4 and page/5 come from them).
    CHECK(run.urls.count(kSite + "/page/5") == 1);
    for (const std::string& u : alone.urls) {
      CHECK_MESSAGE(shared.done.count(u) == 1, u << " not Done");
    }
  }

  TEST_CASE("max_pages is counted by the frontier, other nodes' pages too") {
    CrawlJobOptions o = FastOptions();
    o.max_pages = 5;
    FakeSharedFrontier shared(o.frontier);
    shared.pages_by_others = 3;
    o.shared_frontier = &shared;
    const CrawlRun run = Crawl(o, {kSite + "/page/0"});
    REQUIRE_MESSAGE(run.summary.ok(), run.summary.status().ToString());
    CHECK(run.summary->pages == 2);
    CHECK(run.summary->stop_reason == "max_pages");
  }

  TEST_CASE("a short outage pauses the crawl, which then finishes whole") {
    CrawlJobOptions o = FastOptions();
    const CrawlRun alone = Crawl(o, {kSite + "/page/0"});
    REQUIRE(alone.summary.ok());
    log::FakeLogger logger(log::LogLevel::kInfo);
    o.logger = &logger;
    FakeSharedFrontier shared(o.frontier);
    shared.fail_after_claims = 3;
    shared.down_for = std::chrono::milliseconds(300);
    o.shared_frontier = &shared;
    const CrawlRun run = Crawl(o, {kSite + "/page/0"});
    REQUIRE_MESSAGE(run.summary.ok(), run.summary.status().ToString());
    CHECK(run.urls == alone.urls);
    CHECK(logger.Contains("frontier unavailable (fake Redis: connection "
                          "refused): paused; giving up after 60 s"));
    CHECK(logger.Contains("frontier available again after "));
  }

  TEST_CASE("an outage longer than the timeout fails the crawl: kUnavailable") {
    CrawlJobOptions o = FastOptions();
    o.frontier_unavailable_timeout_s = 0.3;
    log::FakeLogger logger(log::LogLevel::kInfo);
    o.logger = &logger;
    FakeSharedFrontier shared(o.frontier);
    shared.fail_after_claims = 2;
    o.shared_frontier = &shared;
    const auto t0 = std::chrono::steady_clock::now();
    const CrawlRun run = Crawl(o, {kSite + "/page/0"});
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
            .count();
    REQUIRE_FALSE(run.summary.ok());
    CHECK(run.summary.status().code() == Code::kUnavailable);
    CHECK(run.summary.status().message().find(
              "the frontier stayed unavailable for 0.3 s") == 0);
    CHECK(s < 10);
    CHECK(run.urls.size() == 2);  // The records claimed before the outage.
  }
}

}  // namespace
}  // namespace crawler::coordinator
