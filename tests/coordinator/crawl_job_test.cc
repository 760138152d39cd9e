// CrawlJob with real forked workers running the FakeFetcher (no network):
// the frontier, depth, dedup, limits, robots gating and crash handling.
#include "crawler/coordinator/crawl_job.h"

#include <poll.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "crawler/log/fake_logger.h"
#include "crawler/state/state_store.h"
#include "crawler/testing/fake_fetcher.h"
#include "crawler/testing/proc_util.h"
#include "crawler/testing/test_util.h"

namespace crawler::coordinator {
namespace {

using crawler::testing::ChildPids;
using crawler::testing::FakeFetcher;
using crawler::testing::TempDir;
using nlohmann::json;

// 0: the workers fetch from FakeFetcher; N > 0: from SiteFetcher's version
// N (a global: forked workers read their parent's value).
int g_site_version = 0;

// A small site that changes between runs, at http://site.test:
//   /          links /a, /b (versions 1 and 2; not 3) and /r; its body
//              differs in each version
//   /a         links /d
//   /r         301 to /e (a redirect hop, a link of its own)
//   /b /d /e   no links
//   others     404 (robots.txt too)
// Answers are ready at once.
class SiteFetcher : public fetch::Fetcher {
 public:
  void Start(fetch::FetchRequest request) override {
    fetch::FetchResponse r;
    r.id = request.id;
    r.url = request.url;
    r.final_url = r.url;
    const std::string host = "http://site.test";
    const std::string path = r.url.rfind(host, 0) == 0
                                 ? r.url.substr(host.size())
                                 : std::string("?");
    auto html = [&](const std::string& body) {
      r.status = 200;
      r.content_type = "text/html";
      r.body = "<!DOCTYPE html><html><body>" + body + "</body></html>";
      r.bytes = r.body.size();
    };
    const int v = g_site_version;
    if (path == "/") {
      html("version " + std::to_string(v) + " <a href=\"/a\">a</a>" +
           (v < 3 ? " <a href=\"/b\">b</a>" : "") + " <a href=\"/r\">r</a>");
    } else if (path == "/a") {
      html("<a href=\"/d\">d</a>");
    } else if (path == "/b" || path == "/d" || path == "/e") {
      html("page " + path);
    } else if (path == "/r") {
      r.status = 301;
      r.location = host + "/e";
    } else {
      r.status = 404;
      r.content_type = "text/plain";
      r.body = "not found";
      r.bytes = r.body.size();
    }
    ready_.push_back(std::move(r));
  }
  std::vector<fetch::FetchResponse> Poll(int wake_fd, int timeout_ms) override {
    if (ready_.empty() && wake_fd >= 0) {
      pollfd p{wake_fd, POLLIN, 0};
      (void)::poll(&p, 1, timeout_ms);
    }
    std::vector<fetch::FetchResponse> out = std::move(ready_);
    ready_.clear();
    return out;
  }
  int InFlight() const override { return static_cast<int>(ready_.size()); }

 private:
  std::vector<fetch::FetchResponse> ready_;
};

ForkWorkerLauncher FakeLauncher() {
  return ForkWorkerLauncher(
      []() -> StatusOr<std::unique_ptr<fetch::Fetcher>> {
        fetch::FetchOptions o;
        o.max_concurrency = 4;
        o.total_timeout_ms = 5000;
        std::unique_ptr<fetch::Fetcher> f;
        if (g_site_version > 0) {
          f = std::make_unique<SiteFetcher>();
        } else {
          f = std::make_unique<FakeFetcher>(o);
        }
        return f;
      },
      worker::WorkerOptions{});
}

CrawlJobOptions FastOptions() {
  CrawlJobOptions o;
  o.workers.workers = 2;
  o.workers.concurrency = 4;
  o.frontier.delay_s = 0;
  o.frontier.per_host = 8;
  o.retry_backoff_s = 0.01;
  return o;
}

struct CrawlRun {
  StatusOr<CrawlSummary> summary = InternalError("not run");
  std::vector<json> records;
  std::map<std::string, json> by_url;
};

// SystemClock whose wall time runs `offset` ahead: a later run, for the
// crawl state's due times.
class ShiftedClock : public SystemClock {
 public:
  explicit ShiftedClock(std::chrono::seconds offset) : offset_(offset) {}
  std::chrono::system_clock::time_point WallNow() const override {
    return SystemClock::WallNow() + offset_;
  }

 private:
  std::chrono::seconds offset_;
};

CrawlRun Crawl(const CrawlJobOptions& options,
               const std::vector<std::string>& seeds,
               const Clock* wall = nullptr) {
  static int counter = 0;
  const std::string path = TempDir() + "/crawl_" + std::to_string(getpid()) +
                           "_" + std::to_string(counter++) + ".jsonl";
  std::FILE* out = std::fopen(path.c_str(), "w+");
  REQUIRE(out != nullptr);
  CrawlRun run;
  {
    output::RecordWriter writer(out, path);
    ForkWorkerLauncher launcher = FakeLauncher();
    SystemClock system;
    run.summary = RunCrawlJob(options, seeds, writer, launcher,
                              wall != nullptr ? *wall : system);
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
    CHECK_MESSAGE(run.by_url.count(u) == 0, "fetched twice: " << u);
    run.by_url[u] = j;
    run.records.push_back(std::move(j));
  }
  CHECK_MESSAGE(ChildPids().empty(), "a worker outlived the crawl");
  return run;
}

const std::string kSite = "http://fake.test";

// The fake site: /page/N links to /page/N+1, /page/N+2 and /status/404.
// Depth is the depth at which the crawl first reached a URL: with fetches in
// parallel, a longer path can be found first (page/3 answers before page/2),
// so it can exceed the shortest-path depth, never the limit.
TEST_CASE(
    "Crawl: follows links to max depth, every URL once, depth and referrer") {
  CrawlJobOptions o = FastOptions();
  o.max_depth = 3;
  CrawlRun run = Crawl(o, {kSite + "/page/0"});
  REQUIRE_MESSAGE(run.summary.ok(), run.summary.status().ToString());
  // Shortest-path depths.
  std::map<std::string, int> bfs = {
      {"/page/0", 0}, {"/page/1", 1}, {"/page/2", 1}, {"/status/404", 1},
      {"/page/3", 2}, {"/page/4", 2}, {"/page/5", 3}, {"/page/6", 3}};
  for (const auto& [path, depth] : bfs) {
    CAPTURE(path);
    if (depth <= 2) REQUIRE(run.by_url.count(kSite + path) == 1);
    if (run.by_url.count(kSite + path) == 0) continue;
    CHECK(run.by_url[kSite + path]["depth"] >= depth);
  }
  for (const json& r : run.records) {
    CHECK(r["depth"] <= 3);
    CHECK(bfs.count(r["url"].get<std::string>().substr(kSite.size())) == 1);
  }
  CHECK(run.by_url[kSite + "/page/0"]["referrer"].is_null());
  CHECK(run.by_url[kSite + "/page/0"]["depth"] == 0);
  CHECK(run.by_url[kSite + "/page/1"]["referrer"] == kSite + "/page/0");
  CHECK(run.by_url[kSite + "/status/404"]["status"] == 404);
  CHECK(run.summary->robots_fetches == 1);  // /robots.txt: 404, allow all.
  CHECK(run.summary->stop_reason == "done");
  CHECK(run.summary->skipped_depth > 0);
  CHECK(run.summary->skipped_seen > 0);
  CHECK(run.records[0]["url"] == kSite + "/page/0");
}

TEST_CASE(
    "Crawl: --max-pages stops with exactly that many records and says so") {
  CrawlJobOptions o = FastOptions();
  o.max_depth = -1;  // The fake site is endless.
  o.max_pages = 25;
  CrawlRun run = Crawl(o, {kSite + "/page/0"});
  REQUIRE(run.summary.ok());
  CHECK(run.records.size() == 25);
  CHECK(run.summary->stop_reason == "max_pages");
  CHECK(run.summary->pages == 25);
}

TEST_CASE("Crawl: bad and out-of-scope seeds get error records; others crawl") {
  CrawlJobOptions o = FastOptions();
  o.max_depth = 0;
  o.scope.exclude = {"/page/9$"};
  CrawlRun run = Crawl(o, {"not a url", "ftp://fake.test/x", kSite + "/page/9",
                           kSite + "/page/1"});
  REQUIRE(run.summary.ok());
  CHECK(run.records.size() == 4);
  CHECK(run.by_url["not a url"]["error"].get<std::string>().rfind("bad_url: ",
                                                                  0) == 0);
  CHECK(run.by_url["ftp://fake.test/x"]["error"].get<std::string>().rfind(
            "unsupported_scheme: ", 0) == 0);
  CHECK(run.by_url[kSite + "/page/9"]["error"].get<std::string>().rfind(
            "out_of_scope: ", 0) == 0);
  CHECK(run.by_url[kSite + "/page/1"]["status"] == 200);
}

TEST_CASE("Crawl: transient failures are retried with backoff, then recorded") {
  CrawlJobOptions o = FastOptions();
  o.max_depth = 0;
  o.max_fetch_retries = 2;
  CrawlRun run =
      Crawl(o, {kSite + "/error", kSite + "/status/503", kSite + "/page/1"});
  REQUIRE(run.summary.ok());
  CHECK(run.records.size() == 3);
  CHECK(run.summary->retries == 4);  // Two each for /error and /status/503.
  const std::string error = run.by_url[kSite + "/error"]["error"];
  CHECK_MESSAGE(error.rfind("connect_failed", 0) == 0, error);
  CHECK(error.find("(3 attempts)") != std::string::npos);
  CHECK(run.by_url[kSite + "/status/503"]["error"] ==
        "too_many_retries: 3 attempts; the last answered HTTP 503");
  CHECK(run.by_url[kSite + "/status/503"]["status"] == 503);
}

TEST_CASE("Crawl: a URL that kills its worker is reported; the crawl goes on") {
  CrawlJobOptions o = FastOptions();
  o.max_depth = 1;
  CrawlRun run = Crawl(o, {kSite + "/crash", kSite + "/page/0"});
  REQUIRE(run.summary.ok());
  std::string e = run.by_url[kSite + "/crash"]["error"];
  CHECK(e.rfind("worker_crashed: worker killed by signal 9", 0) == 0);
  CHECK(run.by_url[kSite + "/page/1"]["status"] == 200);
  CHECK(run.summary->worker_restarts >= 3);
}

TEST_CASE(
    "Crawl: an invalid include pattern fails the crawl before any fetch") {
  CrawlJobOptions o = FastOptions();
  o.scope.include = {"(unclosed"};
  CrawlRun run = Crawl(o, {kSite + "/page/0"});
  REQUIRE_FALSE(run.summary.ok());
  CHECK(run.summary.status().message().find("(unclosed") != std::string::npos);
  CHECK(run.records.empty());
}

// Fault matrix N6: a host that fails everything is given up after the budget.
TEST_CASE(
    "Crawl: a host failing every fetch is given up after its error budget") {
  CrawlJobOptions o = FastOptions();
  o.max_depth = 0;
  o.max_fetch_retries = 0;
  o.host_error_budget = 5;
  o.workers.workers = 1;
  o.workers.concurrency = 1;  // One at a time: the count is exact.
  o.frontier.per_host = 1;
  std::vector<std::string> seeds;
  for (int i = 0; i < 30; ++i) {
    seeds.push_back(kSite + "/status/500?i=" + std::to_string(i));
  }
  seeds.push_back("http://other.test/page/1");
  o.scope.mode = scope::ScopeMode::kAny;
  CrawlRun run = Crawl(o, seeds);
  REQUIRE_MESSAGE(run.summary.ok(), run.summary.status().ToString());
  CHECK(run.records.size() == 31);  // Every URL ends in one record.
  int fetched = 0, given_up = 0;
  for (const json& r : run.records) {
    if (r["status"] == 500) ++fetched;
    if (r["error"].is_string() &&
        r["error"].get<std::string>().rfind("host_error_budget: ", 0) == 0) {
      ++given_up;
      CHECK(r["status"].is_null());
    }
  }
  CHECK(fetched == 5);
  CHECK(given_up == 25);
  CHECK(run.by_url["http://other.test/page/1"]["status"] == 200);
  CHECK(run.summary->unfetched == 25);
}

// Fault matrix N4: a host name that does not resolve is given up after
// 1 + max_fetch_retries lookups in a row, whichever URLs make them.
TEST_CASE("Crawl: a host name failing its lookups is given up for the crawl") {
  CrawlJobOptions o = FastOptions();
  o.max_depth = 0;
  o.max_fetch_retries = 2;
  o.workers.workers = 1;
  o.workers.concurrency = 1;
  o.frontier.per_host = 1;
  o.scope.mode = scope::ScopeMode::kAny;
  std::vector<std::string> seeds;
  for (int i = 0; i < 10; ++i) {
    seeds.push_back("http://nx.test/dns-error?i=" + std::to_string(i));
  }
  seeds.push_back("http://other.test/page/1");
  CrawlRun run = Crawl(o, seeds);
  REQUIRE_MESSAGE(run.summary.ok(), run.summary.status().ToString());
  CHECK(run.records.size() == 11);  // Every URL ends in one record.
  int looked_up = 0, given_up = 0;
  for (const json& r : run.records) {
    if (r["url"] == "http://other.test/page/1") continue;
    const std::string error = r["error"];
    CHECK_MESSAGE(error.rfind("dns_failed: ", 0) == 0, error);
    if (error.find("not looked up again") != std::string::npos) {
      if (error.find("Could not resolve host") != std::string::npos) {
        ++looked_up;  // The third failure in a row.
      } else {
        ++given_up;
      }
    }
  }
  CHECK(looked_up == 1);
  CHECK(given_up == 9);
  CHECK(run.summary->retries == 2);  // Then the host was given up.
  CHECK(run.summary->unfetched == 9);
  CHECK(run.by_url["http://other.test/page/1"]["status"] == 200);
}

TEST_CASE(
    "Crawl summary: pages by status class, errors by class, refused seeds "
    "apart") {
  CrawlJobOptions o = FastOptions();
  o.max_depth = 0;
  o.max_fetch_retries = 0;
  log::FakeLogger logger;
  o.logger = &logger;
  CrawlRun run =
      Crawl(o, {"not a url", kSite + "/page/1", kSite + "/status/404",
                kSite + "/status/302", kSite + "/error"});
  REQUIRE_MESSAGE(run.summary.ok(), run.summary.status().ToString());
  const CrawlSummary& s = *run.summary;
  CHECK(run.records.size() == 5);
  CHECK(s.pages == 4);
  CHECK(s.ok == 3);
  CHECK(s.errors == 1);
  CHECK(s.skipped_type == 0);
  CHECK(s.status_classes[0] == 1);  // /error: no answer.
  CHECK(s.status_classes[2] == 1);
  CHECK(s.status_classes[3] == 1);
  CHECK(s.status_classes[4] == 1);
  CHECK(s.status_classes[5] == 0);
  CHECK(s.error_classes ==
        std::map<std::string, uint64_t>{{"connect_failed", 1}});
  // A refused seed is not a fetched page with an error.
  CHECK(s.unfetched == 1);
  CHECK(s.unfetched_classes == std::map<std::string, uint64_t>{{"bad_url", 1}});
  CHECK(s.hosts == 1);
  CHECK(s.error_rate == doctest::Approx(0.25));
  CHECK_FALSE(s.error_rate_exceeded);  // Off by default.
  // Debug level: one line per record, passwords hidden.
  CHECK(logger.At(log::LogLevel::kDebug).size() == 5);
  CHECK(logger.Contains("404 " + kSite + "/status/404 (depth 0"));
  CHECK(logger.Contains("--- " + kSite + "/error (depth 0"));
}

TEST_CASE("Crawl: max_error_rate marks a crawl above it, not one at it") {
  CrawlJobOptions o = FastOptions();
  o.max_depth = 0;
  o.max_fetch_retries = 0;
  log::NullLogger quiet;
  o.logger = &quiet;
  const std::vector<std::string> seeds = {kSite + "/page/1", kSite + "/error",
                                          kSite + "/page/2", kSite + "/page/3"};
  o.max_error_rate = 0.25;
  CrawlRun at = Crawl(o, seeds);
  REQUIRE(at.summary.ok());
  CHECK(at.summary->error_rate == doctest::Approx(0.25));
  CHECK_FALSE(at.summary->error_rate_exceeded);
  o.max_error_rate = 0.2;
  CrawlRun above = Crawl(o, seeds);
  REQUIRE(above.summary.ok());
  CHECK(above.summary->error_rate_exceeded);
}

TEST_CASE("Crawl: why it stops goes to the logger, not to stderr directly") {
  CrawlJobOptions o = FastOptions();
  o.max_pages = 3;
  log::FakeLogger logger(log::LogLevel::kInfo);
  o.logger = &logger;
  CrawlRun run = Crawl(o, {kSite + "/page/0"});
  REQUIRE(run.summary.ok());
  CHECK(run.summary->stop_reason == "max_pages");
  const std::vector<std::string> info = logger.At(log::LogLevel::kInfo);
  REQUIRE(info.size() == 1);
  CHECK(info[0].rfind("stopping (max_pages): finishing ", 0) == 0);
  CHECK(logger.At(log::LogLevel::kDebug).empty());
}

// Sends SIGINT to this process after `ms` milliseconds, from a timer, not a
// thread (the crawl forks its workers: the process must stay
// single-threaded).
class SigintTimer {
 public:
  explicit SigintTimer(int ms) {
    sigevent ev{};
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGINT;
    REQUIRE(timer_create(CLOCK_MONOTONIC, &ev, &timer_) == 0);
    itimerspec when{};
    when.it_value.tv_sec = ms / 1000;
    when.it_value.tv_nsec = (ms % 1000) * 1000000L;
    REQUIRE(timer_settime(timer_, 0, &when, nullptr) == 0);
  }
  ~SigintTimer() { timer_delete(timer_); }

 private:
  timer_t timer_{};
};

TEST_CASE("Crawl: after SIGINT, requests in flight finish within the grace") {
  CrawlJobOptions o = FastOptions();
  o.max_depth = 0;
  o.interrupt_grace_s = 5;
  log::FakeLogger logger;
  o.logger = &logger;
  std::vector<std::string> seeds;
  for (int i = 0; i < 4; ++i) {
    seeds.push_back(kSite + "/slow/700?i=" + std::to_string(i));
  }
  for (int i = 0; i < 40; ++i) {
    seeds.push_back(kSite + "/slow/700?later=" + std::to_string(i));
  }
  o.workers.workers = 1;
  o.workers.concurrency = 4;
  const auto t0 = std::chrono::steady_clock::now();
  SigintTimer timer(300);
  CrawlRun run = Crawl(o, seeds);
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
          .count();
  REQUIRE(run.summary.ok());
  CHECK(run.summary->interrupted_by == SIGINT);
  CHECK(run.summary->stop_reason == "interrupted");
  CHECK(run.summary->abandoned == 0);
  CHECK(run.records.size() == 4);  // The four in flight, none after.
  for (const json& r : run.records) CHECK(r["status"] == 200);
  CHECK(took < 3.0);
  CHECK(
      logger.Contains("SIGINT received: interrupted; finishing 4 requests "
                      "in flight for up to 5 s"));
}

TEST_CASE("Crawl: after SIGINT and the grace period, the rest is abandoned") {
  CrawlJobOptions o = FastOptions();
  o.max_depth = 0;
  o.interrupt_grace_s = 0.5;
  log::FakeLogger logger;
  o.logger = &logger;
  std::vector<std::string> seeds;
  for (int i = 0; i < 4; ++i) {
    seeds.push_back(kSite + "/slow/4000?i=" + std::to_string(i));
  }
  o.workers.workers = 1;
  const auto t0 = std::chrono::steady_clock::now();
  SigintTimer timer(300);
  CrawlRun run = Crawl(o, seeds);  // Checks that no worker is left.
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
          .count();
  REQUIRE(run.summary.ok());
  CHECK(run.summary->interrupted_by == SIGINT);
  CHECK(run.summary->abandoned == 4);
  CHECK(run.records.empty());  // Abandoned requests have no record.
  CHECK(took < 2.5);           // 0.3 s + 0.5 s grace, not 4 s.
  CHECK(logger.Contains("grace period over: abandoning 4 requests"));
}

// Observers (the report, the metrics) see exactly the records written, in
// order, and the crawl's state periodically and once at the end.
class RecordingObserver : public CrawlObserver {
 public:
  void OnRecord(const ipc::FetchResult& r, RecordKind kind, int depth,
                double elapsed_s) override {
    urls.push_back(r.url);
    kinds.push_back(kind);
    depths.push_back(depth);
    CHECK(elapsed_s >= last_elapsed);
    last_elapsed = elapsed_s;
  }
  void OnProgress(const CrawlState& state) override {
    REQUIRE(state.totals != nullptr);
    CHECK_FALSE(saw_final);  // The final state comes last, once.
    if (state.final) {
      saw_final = true;
      final_pages = state.totals->pages;
      final_queued = state.queued;
      final_in_flight = state.in_flight;
      robots_ready = state.robots_ready;
    }
    ++progress_calls;
  }
  std::vector<std::string> urls;
  std::vector<RecordKind> kinds;
  std::vector<int> depths;
  double last_elapsed = 0;
  int progress_calls = 0;
  bool saw_final = false;
  uint64_t final_pages = 0;
  size_t final_queued = 1;
  size_t final_in_flight = 1;
  size_t robots_ready = 0;
};

TEST_CASE("Crawl: observers see every record in output order, then the end") {
  CrawlJobOptions o = FastOptions();
  o.max_depth = 2;
  RecordingObserver observer;
  o.observers.push_back(&observer);
  CrawlRun run = Crawl(o, {kSite + "/page/0", "ftp://bad.test/"});
  REQUIRE_MESSAGE(run.summary.ok(), run.summary.status().ToString());
  REQUIRE(observer.urls.size() == run.records.size());
  for (size_t i = 0; i < run.records.size(); ++i) {
    CHECK(observer.urls[i] == run.records[i]["url"]);
    CHECK(observer.depths[i] == run.records[i]["depth"]);
  }
  // The refused seed is the only record without a fetch.
  CHECK(observer.kinds[0] == RecordKind::kUnfetched);
  CHECK(std::count(observer.kinds.begin(), observer.kinds.end(),
                   RecordKind::kFetched) ==
        static_cast<long>(run.summary->pages));
  CHECK(observer.saw_final);
  CHECK(observer.progress_calls >= 1);
  CHECK(observer.final_pages == run.summary->pages);
  CHECK(observer.final_queued == 0);
  CHECK(observer.final_in_flight == 0);
  CHECK(observer.robots_ready == 1);
}

}  // namespace
}  // namespace crawler::coordinator

namespace crawler::coordinator {
namespace {

TEST_CASE(
    "Crawl with a state: resume after a limit, skip what is not due, "
    "re-fetch what is, judge it") {
  const std::string dir =
      TempDir() + "/crawl_state_" + std::to_string(getpid());
  auto store = state::OpenStateStore(dir);
  REQUIRE_MESSAGE(store.ok(), store.status().ToString());
  CrawlJobOptions o = FastOptions();
  o.max_depth = 3;
  o.state = store->get();
  const std::vector<std::string> seeds = {kSite + "/page/0"};
  // Run 1 stops at 3 pages; the rest stays queued in the state.
  o.max_pages = 3;
  REQUIRE((*store)->BeginRun(1, "").ok());
  CrawlRun first = Crawl(o, seeds);
  REQUIRE(first.summary.ok());
  CHECK(first.summary->stop_reason == "max_pages");
  CHECK(first.records.size() == 3);
  for (const json& r : first.records) CHECK(r["change"] == "new");
  store->reset();
  // Run 2 (a new process would reopen the state the same way) resumes.
  store = state::OpenStateStore(dir);
  REQUIRE(store.ok());
  CHECK((*store)->queued_urls() > 0);
  o.state = store->get();
  o.max_pages = 0;
  REQUIRE((*store)->BeginRun(2, "").ok());
  CrawlRun second = Crawl(o, seeds);
  REQUIRE(second.summary.ok());
  CHECK(second.summary->changes.resumed > 0);
  CHECK(second.summary->changes.not_due == 3);
  for (const auto& [u, r] : second.by_url) {
    CHECK_MESSAGE(first.by_url.count(u) == 0, "fetched again: " << u);
  }
  // Pages 0..6 (page N is ceil(N/2) links deep) and /status/404, all
  // fetched once across the two runs.
  CHECK(first.records.size() + second.records.size() == 8);
  CHECK(second.by_url.count(kSite + "/page/6") == 1);
  // Run 3, right away: nothing is due.
  store->reset();
  store = state::OpenStateStore(dir);
  REQUIRE(store.ok());
  o.state = store->get();
  REQUIRE((*store)->BeginRun(3, "").ok());
  CrawlRun third = Crawl(o, seeds);
  REQUIRE(third.summary.ok());
  CHECK(third.records.empty());
  CHECK(third.summary->changes.not_due == 8);
  // Run 4, two days later: everything is due and fetched again; the fake
  // serves the same bodies, so pages are unchanged by their content hash.
  store->reset();
  store = state::OpenStateStore(dir);
  REQUIRE(store.ok());
  o.state = store->get();
  REQUIRE((*store)->BeginRun(4, "").ok());
  ShiftedClock later(std::chrono::hours(48));
  CrawlRun fourth = Crawl(o, seeds, &later);
  REQUIRE(fourth.summary.ok());
  CHECK(fourth.summary->changes.due == 8);
  CHECK(fourth.records.size() == 8);
  CHECK(fourth.by_url.at(kSite + "/page/3")["change"] == "unchanged");
  // /status/404 had no content before and has none now: not judged.
  CHECK(fourth.summary->changes.unchanged == 7);
  CHECK(fourth.by_url.at(kSite + "/status/404")["change"].is_null());
}

TEST_CASE(
    "Crawl with a state: a page no longer linked vanishes (gone) once, after "
    "a complete run only") {
  const std::string dir =
      TempDir() + "/crawl_vanish_" + std::to_string(getpid());
  CrawlJobOptions o = FastOptions();
  const std::vector<std::string> seeds = {"http://site.test/"};
  auto run = [&](int version, std::chrono::hours later, int64_t max_pages) {
    auto store = state::OpenStateStore(dir);
    REQUIRE_MESSAGE(store.ok(), store.status().ToString());
    o.state = store->get();
    o.max_pages = max_pages;
    REQUIRE((*store)->BeginRun(1, "").ok());
    g_site_version = version;
    ShiftedClock clock(later);
    CrawlRun r = Crawl(o, seeds, &clock);
    g_site_version = 0;
    REQUIRE_MESSAGE(r.summary.ok(), r.summary.status().ToString());
    return r;
  };
  // Run 1: / /a /b /d /r (301) /e, all new.
  CrawlRun first = run(1, std::chrono::hours(0), 0);
  CHECK(first.summary->stop_reason == "done");
  CHECK(first.records.size() == 6);
  CHECK(first.summary->changes.new_urls == 6);
  CHECK(first.summary->changes.vanished == 0);
  // Run 2, 25 hours later: all due; / changed (interval x0.8: due again
  // 19.2 h later), the others unchanged (x1.4: 33.6 h).
  CrawlRun second = run(2, std::chrono::hours(25), 0);
  CHECK(second.records.size() == 6);
  CHECK(second.by_url.at("http://site.test/")["change"] == "changed");
  CHECK(second.summary->changes.unchanged == 5);
  CHECK(second.summary->changes.gone == 0);
  // Run 3, 45 hours after run 1: only / is due; it no longer links /b. The
  // run stops at its page limit: it did not reach everything, so nothing
  // vanishes.
  CrawlRun third = run(3, std::chrono::hours(45), 1);
  CHECK(third.summary->stop_reason == "max_pages");
  CHECK(third.records.size() == 1);
  CHECK(third.by_url.at("http://site.test/")["change"] == "changed");
  CHECK(third.summary->changes.gone == 0);
  // Run 4: nothing is due; a complete run. /b is no longer reachable: it
  // vanished. /d (behind /a, not fetched again) and /e (behind the
  // redirect /r) are still reached through the links kept.
  CrawlRun fourth = run(3, std::chrono::hours(46), 0);
  CHECK(fourth.summary->stop_reason == "done");
  REQUIRE(fourth.records.size() == 1);
  const json& b = fourth.records[0];
  CHECK(b["url"] == "http://site.test/b");
  CHECK(b["change"] == "gone");
  CHECK((!b.contains("status") || b["status"].is_null()));
  CHECK(b["error"].get<std::string>().rfind("vanished:", 0) == 0);
  CHECK(b["depth"] == 1);
  CHECK(fourth.summary->changes.gone == 1);
  CHECK(fourth.summary->changes.vanished == 1);
  CHECK(fourth.summary->unfetched_classes["vanished"] == 1);
  // Run 5: not reported again.
  CrawlRun fifth = run(3, std::chrono::hours(47), 0);
  CHECK(fifth.records.empty());
  CHECK(fifth.summary->changes.gone == 0);
  // Run 6: / links /b again (version 2): /b is fetched although not due,
  // and is new (what was known of it went when it vanished).
  CrawlRun sixth = run(2, std::chrono::hours(70), 0);
  CHECK(sixth.by_url.at("http://site.test/")["change"] == "changed");
  REQUIRE(sixth.by_url.count("http://site.test/b") == 1);
  CHECK(sixth.by_url.at("http://site.test/b")["change"] == "new");
  CHECK(sixth.summary->changes.vanished == 0);
}

}  // namespace
}  // namespace crawler::coordinator
