#include "crawler/coordinator/crawl_job.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <optional>
#include <random>
#include <unordered_map>
#include <unordered_set>

#include "crawler/coordinator/fetch_job.h"
#include "crawler/coordinator/interrupts.h"
#include "crawler/coordinator/retry_after.h"
#include "crawler/frontier/memory_frontier.h"
#include "crawler/ipc/messages.h"
#include "crawler/output/json.h"
#include "crawler/robots/robots.h"
#include "crawler/state/content_hash.h"

namespace crawler::coordinator {
namespace {

using frontier::CrawlItem;
using frontier::LeaseVerdict;

constexpr int kMaxRobotsRedirects = 5;                    // RFC 9309 2.3.1.2
constexpr size_t kRobotsBodyLimit = 500 * 1024;           // RFC 9309 2.5
constexpr auto kRobotsLifetime = std::chrono::hours(24);  // RFC 9309 2.4

// "5 s", "0.5 s".
std::string FormatSeconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g s", s);
  return buf;
}

Duration Seconds(double s) {
  return std::chrono::duration_cast<Duration>(
      std::chrono::duration<double>(std::max(0.0, std::min(s, 1e7))));
}

bool Transient(const ipc::FetchResult& r) {
  if (!r.error.empty()) return r.tag == Tag::kRetryable;
  return r.status == 429 || r.status >= 500;
}

// One request to a worker.
struct Request {
  enum Kind { kPage, kRobots, kSitemap } kind = kPage;
  CrawlItem item;          // kPage.
  std::string origin;      // kRobots: the origin whose rules these are.
  std::string robots_url;  // kRobots, kSitemap: the URL fetched.
  int robots_hops = 0;
  int crashes = 0;    // Worker deaths charged to it (it was alone).
  bool solo = false;  // Retry alone (its worker died with company).
};

struct Robots {
  enum State { kUnknown, kQueued, kFetching, kReady } state = kUnknown;
  robots::RobotsPolicy policy = robots::RobotsPolicy::AllowAll();
  bool unreachable = false;  // Gave up: nothing of this origin is fetched.
  SteadyTime expires{};
  SteadyTime retry_at{};
  int failures = 0;
};

class CrawlJob {
 public:
  CrawlJob(const CrawlJobOptions& options, output::RecordWriter& writer,
           WorkerLauncher& launcher, const Clock& clock)
      : options_(options),
        writer_(writer),
        clock_(clock),
        logger_(options.logger != nullptr ? *options.logger
                                          : log::DefaultLogger()),
        own_frontier_(
            options.shared_frontier == nullptr
                ? std::make_unique<frontier::MemoryFrontier>(options.frontier)
                : nullptr),
        frontier_(options.shared_frontier != nullptr ? *options.shared_frontier
                                                     : *own_frontier_),
        workers_(options.workers, launcher, &logger_),
        rng_(std::random_device{}()) {}

  StatusOr<CrawlSummary> Run(const std::vector<std::string>& seeds);

 private:
  Status Loop();
  Status AddSeeds(const std::vector<std::string>& seeds);
  // Checks and queues a URL. `seed` URLs get an error record when refused.
  Status AddUrl(const std::string& url, int depth, const std::string& referrer,
                int hops, bool seed);
  // Counts (and reports, once per path) a URL refused by the frontier's
  // max_query_variants; a seed gets a trap_suspected record.
  Status QueryVariantsCapReached(const std::string& url, bool seed);
  // Writes the record of a fetched URL. With a shared frontier the record
  // is claimed first (Frontier::ClaimRecord): not written when another node
  // wrote it, and kept in unclaimed_ (*deferred = true) while the frontier
  // cannot say.
  // `links`: with a state, the page's links to keep (FetchedUrl::links).
  Status Record(const ipc::FetchResult& r, const CrawlItem& item,
                bool* deferred = nullptr, const std::string* links = nullptr);
  // Asks the frontier whether this node writes the record of `item.url`;
  // on an error keeps the record in unclaimed_ for later.
  enum class Claim { kWrite, kSkip, kDeferred };
  Claim ClaimRecord(const ipc::FetchResult& r, const CrawlItem& item,
                    RecordKind kind, const std::string* links = nullptr);
  // Writes the records kept while the frontier was unavailable, in order,
  // as long as it answers.
  Status WriteUnclaimed();
  // Pauses leasing while the frontier's health() is not OK (said once per
  // outage, and again when it is back); fails with kUnavailable when it
  // stays down longer than frontier_unavailable_timeout_s.
  Status CheckFrontier(SteadyTime now);
  // The parts of the record writers after the claim.
  Status WriteFetched(const ipc::FetchResult& r, const CrawlItem& item,
                      const std::string* links = nullptr);
  Status WriteUnfetched(const ipc::FetchResult& r, const CrawlItem& item);
  // Loads the state: queues the URLs left queued and the ones due, marks
  // the others seen (but those the last walk did not reach: they are
  // fetched again only when a link leads to them).
  Status LoadState();
  // Keeps a URL's outcome in the state; returns its change ("" when not
  // judged or without a state).
  StatusOr<std::string_view> Remember(const ipc::FetchResult& r,
                                      const CrawlItem& item,
                                      const std::string* links = nullptr);
  // At the end of a "done" run with a state: reports the URLs that
  // vanished (StateStore::Vanish), one record each.
  Status RecordVanished();
  // Records the URLs the lease filter dropped (terminal states without a
  // fetch).
  Status RecordDropped();
  Status RecordSeedError(const std::string& url, const std::string& error_class,
                         const std::string& message);
  Status Fill();
  Status StartRobots(const std::string& origin, SteadyTime now);
  Status Send(Request request, const std::string& url, bool want_links,
              bool want_body, bool want_sitemap = false);
  LeaseVerdict Filter(const CrawlItem& item);
  Status OnResult(ipc::FetchResult r);
  Status OnPage(Request req, ipc::FetchResult r);
  Status OnRobots(Request req, ipc::FetchResult r);
  Status OnSitemap(Request req, ipc::FetchResult r);
  // Queues a sitemap URL once (normalized), within max_sitemaps.
  void QueueSitemap(const std::string& url);
  Status OnLost(uint64_t id, bool alone, const std::string& cause);
  void RobotsFailed(Robots& rb, const std::string& origin, SteadyTime now);
  // The Retry-After of `r` in seconds (retry_after.h), at most
  // max_retry_after_s; nullopt when it has none or an unreadable one.
  std::optional<int64_t> RetryAfter(const ipc::FetchResult& r) const;
  // The retry delay after `attempts` failed attempts: retry_backoff_s
  // doubled per attempt, +-50% jitter.
  double Backoff(int attempts);
  void Stop(const std::string& reason);
  bool Idle() const;
  // Counts a record of a fetched URL in the summary.
  void Count(const ipc::FetchResult& r, const CrawlItem& item);
  // Counts a record of a URL given up without a fetch.
  void CountUnfetched(const ipc::FetchResult& r);
  // One line per record at debug level.
  void LogRecord(const ipc::FetchResult& r, int depth);
  // Tells the observers of a record, and of the crawl's state.
  void Notify(const ipc::FetchResult& r, RecordKind kind, int depth);
  void Observe(bool final);

  const CrawlJobOptions& options_;
  output::RecordWriter& writer_;
  const Clock& clock_;
  log::Logger& logger_;
  std::unique_ptr<frontier::Frontier> own_frontier_;
  frontier::Frontier& frontier_;
  WorkerSet workers_;
  Interrupts interrupts_;
  std::optional<scope::Scope> scope_;
  std::mt19937_64 rng_;
  const WorkerSet::ResultFn on_result_ = [this](ipc::FetchResult r) {
    return OnResult(std::move(r));
  };
  const WorkerSet::LostFn on_lost_ = [this](uint64_t id, bool alone,
                                            const std::string& cause) {
    return OnLost(id, alone, cause);
  };

  struct Dropped {
    CrawlItem item;
    std::string error_class;
    std::string message;
  };
  std::vector<Dropped> dropped_;
  // Records whose claim failed (the shared frontier was unavailable),
  // written when it answers again.
  struct Unclaimed {
    ipc::FetchResult r;
    CrawlItem item;
    RecordKind kind;
    std::optional<std::string> links;
  };
  std::deque<Unclaimed> unclaimed_;
  // The frontier's health() was not OK at the last check, since
  // outage_since_.
  bool paused_ = false;
  SteadyTime outage_since_;
  std::unordered_map<uint64_t, Request> in_flight_;
  std::deque<Request> suspects_;  // Retried alone on an idle worker.
  std::unordered_map<std::string, Robots> robots_;
  // Consecutive failed fetches per host (reset by a success); a host at the
  // budget is given up.
  std::unordered_map<std::string, int> host_failures_;
  // Consecutive dns_failed fetches per host (reset by any other result); over
  // max_fetch_retries, the host's name is given up (fault matrix N4).
  std::unordered_map<std::string, int> dns_failures_;
  std::deque<std::string> robots_queue_;   // Origins waiting for a fetch.
  std::deque<std::string> sitemap_queue_;  // Sitemap URLs waiting.
  std::unordered_set<std::string> sitemaps_seen_;
  // Paths (URLs up to '?') already reported over max_query_variants.
  std::unordered_set<std::string> trapped_paths_;
  uint64_t next_id_ = 1;
  bool stopping_ = false;
  // A signal came: the requests in flight have until grace_deadline_.
  bool interrupted_ = false;
  SteadyTime grace_deadline_;
  // The grace period ran out: the workers are killed, not waited for.
  bool abandon_ = false;
  std::unordered_set<std::string> hosts_;  // Origins with a fetched page.
  // With a state: what it knew of the queued URLs fetched before (their
  // validators for a conditional request, their hash, their interval).
  std::unordered_map<std::string, state::Previous> previous_;
  // With a state: where the end-of-run walk starts (the normalized seeds
  // and the URLs sitemaps gave).
  std::vector<std::string> roots_;
  // A sitemap could not be read: the roots may lack what it lists.
  bool sitemap_failed_ = false;
  int64_t run_start_ms_ = 0;  // Unix ms.
  CrawlSummary summary_;
  SteadyTime start_;
  SteadyTime last_flush_;
  SteadyTime last_commit_;
  SteadyTime last_observe_;
};

void CrawlJob::Stop(const std::string& reason) {
  if (stopping_) return;
  stopping_ = true;
  summary_.stop_reason = reason;
  logger_.Info("stopping (" + reason + "): finishing " +
               std::to_string(in_flight_.size()) + " requests in flight");
}

Status CrawlJob::RecordSeedError(const std::string& url,
                                 const std::string& error_class,
                                 const std::string& message) {
  ipc::FetchResult r;
  r.url = url;
  r.error_class = error_class;
  r.error = message.rfind(error_class + ":", 0) == 0
                ? message
                : error_class + ": " + message;
  r.tag = Tag::kPermanent;
  CrawlItem item;
  item.url = url;
  if (ClaimRecord(r, item, RecordKind::kUnfetched) != Claim::kWrite) {
    return Status::Ok();
  }
  return WriteUnfetched(r, item);
}

CrawlJob::Claim CrawlJob::ClaimRecord(const ipc::FetchResult& r,
                                      const CrawlItem& item, RecordKind kind,
                                      const std::string* links) {
  StatusOr<bool> claimed = frontier_.ClaimRecord(item.url);
  if (!claimed.ok()) {
    unclaimed_.push_back(
        {r, item, kind,
         links != nullptr ? std::optional<std::string>(*links) : std::nullopt});
    return Claim::kDeferred;
  }
  return *claimed ? Claim::kWrite : Claim::kSkip;
}

Status CrawlJob::WriteUnclaimed() {
  while (!unclaimed_.empty()) {
    Unclaimed& u = unclaimed_.front();
    StatusOr<bool> claimed = frontier_.ClaimRecord(u.item.url);
    if (!claimed.ok()) return Status::Ok();  // Still down: CheckFrontier.
    if (*claimed) {
      RETURN_IF_ERROR(
          u.kind == RecordKind::kFetched
              ? WriteFetched(u.r, u.item, u.links ? &*u.links : nullptr)
              : WriteUnfetched(u.r, u.item));
    }
    // Its links were added when it was deferred.
    if (u.kind == RecordKind::kFetched) frontier_.Done(u.item.url);
    unclaimed_.pop_front();
  }
  return Status::Ok();
}

Status CrawlJob::CheckFrontier(SteadyTime now) {
  const Status health = frontier_.health();
  if (health.ok()) {
    if (paused_) {
      paused_ = false;
      logger_.Info("frontier available again after " +
                   FormatSeconds(std::chrono::duration<double>(
                                     now - outage_since_)
                                     .count()) +
                   "; crawling on");
    }
    return Status::Ok();
  }
  if (!paused_) {
    paused_ = true;
    outage_since_ = now;
    logger_.Warn("frontier unavailable (" + health.message() +
                 "): paused; giving up after " +
                 FormatSeconds(options_.frontier_unavailable_timeout_s));
    return Status::Ok();
  }
  if (now - outage_since_ >=
      Seconds(options_.frontier_unavailable_timeout_s)) {
    return UnavailableError(
        "the frontier stayed unavailable for " +
        FormatSeconds(options_.frontier_unavailable_timeout_s) + ": " +
        health.message());
  }
  return Status::Ok();
}

Status CrawlJob::AddSeeds(const std::vector<std::string>& seeds) {
  std::vector<std::string> normalized;
  std::vector<std::string> originals;
  for (const std::string& s : seeds) {
    StatusOr<std::string> n = url::NormalizeUrl(s, options_.url);
    if (!n.ok()) {
      ++summary_.skipped_bad_url;
      const std::string& m = n.status().message();
      RETURN_IF_ERROR(
          RecordSeedError(s,
                          m.find("unsupported scheme") != std::string::npos
                              ? "unsupported_scheme"
                              : "bad_url",
                          m));
      continue;
    }
    normalized.push_back(*n);
    originals.push_back(s);
    if (options_.state != nullptr) roots_.push_back(*n);
  }
  StatusOr<scope::Scope> scope =
      scope::Scope::Create(options_.scope, normalized);
  if (!scope.ok()) return scope.status();
  scope_.emplace(std::move(scope).value());
  if (options_.state != nullptr) RETURN_IF_ERROR(LoadState());
  for (const std::string& u : normalized) {
    RETURN_IF_ERROR(AddUrl(u, 0, "", 0, /*seed=*/true));
  }
  return Status::Ok();
}

Status CrawlJob::AddUrl(const std::string& u, int depth,
                        const std::string& referrer, int hops, bool seed) {
  if (options_.max_depth >= 0 && depth > options_.max_depth) {
    ++summary_.skipped_depth;
    return Status::Ok();
  }
  // Most links of a site point at pages already seen: check that first, it
  // costs one hash, where the checks below parse the URL. A URL still
  // queued deeper than this path goes on (the frontier lowers its depth).
  if (frontier_.Contains(u) && !frontier_.QueuedDeeper(u, depth)) {
    ++summary_.skipped_seen;
    return Status::Ok();
  }
  StatusOr<url::UrlParts> parts = url::SplitUrl(u);
  if (!parts.ok()) {
    ++summary_.skipped_bad_url;
    return seed ? RecordSeedError(u, "bad_url", parts.status().message())
                : Status::Ok();
  }
  Status in_scope = scope_->Check(u, *parts);
  if (!in_scope.ok()) {
    ++summary_.skipped_scope;
    if (seed) {
      const std::string& m = in_scope.message();
      return RecordSeedError(u, m.substr(0, m.find(':')), m);
    }
    return Status::Ok();
  }
  const std::string origin = parts->origin();
  if (options_.robots) {
    Robots& rb = robots_[origin];
    // A seed that robots.txt disallows is reported now; any other URL is
    // checked when it is about to be leased, and gets its record then.
    if (seed && rb.state == Robots::kReady && !rb.unreachable &&
        !rb.policy.IsAllowed(parts->path_and_query)) {
      ++summary_.skipped_robots;
      return RecordSeedError(u, "blocked_by_robots",
                             "robots.txt of " + origin + " disallows this URL");
    }
    if (rb.state == Robots::kUnknown) {
      rb.state = Robots::kQueued;
      rb.retry_at = clock_.Now();
      robots_queue_.push_back(origin);
      frontier_.Block(origin);
    }
  }
  CrawlItem item;
  item.url = u;
  item.host = origin;
  item.depth = depth;
  item.referrer = referrer;
  item.hops = hops;
  switch (frontier_.Add(std::move(item))) {
    case frontier::AddResult::kAdded:
    case frontier::AddResult::kShallower:
      if (options_.state != nullptr) {
        RETURN_IF_ERROR(options_.state->Queue(u, depth, referrer));
      }
      break;
    case frontier::AddResult::kSeen:
      ++summary_.skipped_seen;
      break;
    case frontier::AddResult::kHostCapReached:
      ++summary_.skipped_host_cap;
      break;
    case frontier::AddResult::kQueryVariantsCapReached:
      return QueryVariantsCapReached(u, seed);
  }
  return Status::Ok();
}

Status CrawlJob::QueryVariantsCapReached(const std::string& u, bool seed) {
  ++summary_.skipped_query_variants;
  const std::string path = u.substr(0, u.find('?'));
  const std::string message =
      "trap_suspected: " +
      std::to_string(options_.frontier.max_query_variants) +
      " URLs with a query already accepted for " + path +
      " (limit max_query_variants)";
  // Said once per path: a query explosion refuses thousands of links.
  if (trapped_paths_.insert(path).second) {
    logger_.Warn(message +
                 "; its other query variants are skipped "
                 "(--max-query-variants)");
  }
  return seed ? RecordSeedError(u, "trap_suspected", message) : Status::Ok();
}

LeaseVerdict CrawlJob::Filter(const CrawlItem& item) {
  auto dns = dns_failures_.find(item.host);
  if (dns != dns_failures_.end() && dns->second > options_.max_fetch_retries) {
    dropped_.push_back({item, "dns_failed",
                        "the host name of " + item.host + " failed " +
                            std::to_string(dns->second) +
                            " lookups in a row; not looked up again"});
    return LeaseVerdict::kDrop;
  }
  if (options_.host_error_budget > 0) {
    auto it = host_failures_.find(item.host);
    if (it != host_failures_.end() &&
        it->second >= options_.host_error_budget) {
      dropped_.push_back(
          {item, "host_error_budget",
           item.host + " failed " + std::to_string(it->second) +
               " fetches in a row; the rest of that host is skipped"});
      return LeaseVerdict::kDrop;
    }
  }
  if (!options_.robots) return LeaseVerdict::kAccept;
  Robots& rb = robots_[item.host];
  if (rb.state == Robots::kUnknown) {
    // A host taken from a shared frontier, whose URLs another node added:
    // this node never queued its robots.txt. Fetch it first; the frontier
    // holds the host until OnRobots() unblocks it.
    rb.state = Robots::kQueued;
    rb.retry_at = clock_.Now();
    robots_queue_.push_back(item.host);
    return LeaseVerdict::kHoldHost;
  }
  if (rb.state != Robots::kReady) return LeaseVerdict::kHoldHost;
  if (rb.unreachable) {
    ++summary_.skipped_robots;
    dropped_.push_back({item, "robots_unreachable",
                        "robots.txt of " + item.host +
                            " stayed unreachable (5xx, 429 or no answer); "
                            "nothing of that origin is fetched"});
    return LeaseVerdict::kDrop;
  }
  if (clock_.Now() >= rb.expires) {
    // Cached for at most 24 hours (RFC 9309 2.4): fetch it again first.
    rb.state = Robots::kQueued;
    rb.retry_at = clock_.Now();
    robots_queue_.push_back(item.host);
    return LeaseVerdict::kHoldHost;
  }
  StatusOr<url::UrlParts> parts = url::SplitUrl(item.url);
  if (!parts.ok() || !rb.policy.IsAllowed(parts->path_and_query)) {
    ++summary_.skipped_robots;
    dropped_.push_back({item, "blocked_by_robots",
                        "robots.txt of " + item.host + " disallows this URL"});
    return LeaseVerdict::kDrop;
  }
  return LeaseVerdict::kAccept;
}

Status CrawlJob::Send(Request request, const std::string& u, bool want_links,
                      bool want_body, bool want_sitemap) {
  ipc::FetchTask task;
  task.id = next_id_++;
  task.url = u;
  task.want_links = want_links;
  task.want_body = want_body;
  task.want_sitemap = want_sitemap;
  if (options_.state != nullptr && request.kind == Request::kPage) {
    task.want_hash = true;
    auto prev = previous_.find(u);
    if (prev != previous_.end()) {
      task.if_none_match = prev->second.etag;
      task.if_modified_since = prev->second.last_modified;
      task.hash_sha1 = state::AlgorithmOf(prev->second.content_hash) ==
                       state::HashAlgorithm::kSha1;
    }
  }
  const bool solo = request.solo;
  in_flight_.emplace(task.id, std::move(request));
  return workers_.Dispatch(task, solo, on_lost_);
}

Status CrawlJob::StartRobots(const std::string& origin, SteadyTime now) {
  (void)now;
  Request req;
  req.kind = Request::kRobots;
  req.origin = origin;
  req.robots_url = origin + "/robots.txt";
  robots_[origin].state = Robots::kFetching;
  ++summary_.robots_fetches;
  const std::string u = req.robots_url;
  return Send(std::move(req), u, false, true);
}

Status CrawlJob::Fill() {
  // Once stopping, only the requests in flight finish.
  if (stopping_) return Status::Ok();
  const SteadyTime now = clock_.Now();
  // Suspects first, each alone on an idle worker.
  while (!suspects_.empty() && workers_.HasRoom(true)) {
    Request req = std::move(suspects_.front());
    suspects_.pop_front();
    const bool page = req.kind == Request::kPage;
    const bool robots = req.kind == Request::kRobots;
    const bool sitemap = req.kind == Request::kSitemap;
    const std::string u = page ? req.item.url : req.robots_url;
    // Its page was given back when it was lost: counted again.
    if (page) (void)frontier_.ReservePage(0);
    RETURN_IF_ERROR(Send(std::move(req), u, page, robots, sitemap));
  }
  // robots.txt before anything else of its origin; it counts for politeness.
  for (size_t n = robots_queue_.size(); n > 0 && workers_.HasRoom(false); --n) {
    std::string origin = std::move(robots_queue_.front());
    robots_queue_.pop_front();
    if (robots_[origin].retry_at > now || !frontier_.Acquire(origin, now)) {
      robots_queue_.push_back(std::move(origin));
      continue;
    }
    RETURN_IF_ERROR(StartRobots(origin, now));
  }
  // Sitemaps, politely: each takes its host's request slot.
  for (size_t n = sitemap_queue_.size(); n > 0 && workers_.HasRoom(false);
       --n) {
    std::string u = std::move(sitemap_queue_.front());
    sitemap_queue_.pop_front();
    StatusOr<url::UrlParts> parts = url::SplitUrl(u);
    if (!parts.ok()) continue;
    if (!frontier_.Acquire(parts->origin(), now)) {
      sitemap_queue_.push_back(std::move(u));
      continue;
    }
    Request req;
    req.kind = Request::kSitemap;
    req.origin = parts->origin();
    req.robots_url = u;
    ++summary_.sitemap_fetches;
    RETURN_IF_ERROR(Send(std::move(req), u, false, false, true));
  }
  const frontier::LeaseFilter filter = [this](const CrawlItem& item) {
    return Filter(item);
  };
  while (workers_.HasRoom(false)) {
    // max_pages counts the pages leased (crawl-wide with a shared
    // frontier), reserved before the lease and given back when none comes.
    bool reserved = false;
    if (options_.max_pages > 0) {
      if (frontier_.shared()) {
        // A reservation costs a round trip: only when a URL may be ready.
        std::optional<SteadyTime> ready = frontier_.NextReady();
        if (!ready || *ready > now) break;
      }
      StatusOr<bool> r = frontier_.ReservePage(options_.max_pages);
      if (!r.ok()) break;  // health() says why; the loop pauses.
      if (!*r) {
        // Reached: by this node's records, or by other nodes'.
        if (in_flight_.empty() && suspects_.empty()) Stop("max_pages");
        break;
      }
      reserved = true;
    }
    std::optional<CrawlItem> item = frontier_.Lease(now, filter);
    RETURN_IF_ERROR(RecordDropped());
    if (!item) {
      if (reserved) frontier_.ReturnPage();
      break;
    }
    Request req;
    req.kind = Request::kPage;
    const std::string u = item->url;
    req.item = std::move(*item);
    RETURN_IF_ERROR(Send(std::move(req), u, true, false));
  }
  return Status::Ok();
}

Status CrawlJob::RecordDropped() {
  for (Dropped& d : dropped_) {
    ipc::FetchResult r;
    r.url = d.item.url;
    r.error_class = d.error_class;
    r.error = d.error_class + ": " + d.message;
    r.tag =
        d.error_class == "host_error_budget" || d.error_class == "dns_failed"
            ? Tag::kPermanent
            : Tag::kRobotsDisallowed;
    if (ClaimRecord(r, d.item, RecordKind::kUnfetched) != Claim::kWrite) {
      continue;
    }
    Status written = WriteUnfetched(r, d.item);
    if (!written.ok()) {
      dropped_.clear();
      return written;
    }
  }
  dropped_.clear();
  return Status::Ok();
}

Status CrawlJob::WriteUnfetched(const ipc::FetchResult& r,
                                const CrawlItem& item) {
  CountUnfetched(r);
  LogRecord(r, item.depth);
  ASSIGN_OR_RETURN(std::string_view change, Remember(r, item));
  output::CrawlContext ctx{item.depth, item.referrer, change};
  RETURN_IF_ERROR(writer_.Write(r, &ctx));
  Notify(r, RecordKind::kUnfetched, item.depth);
  return Status::Ok();
}

void CrawlJob::Count(const ipc::FetchResult& r, const CrawlItem& item) {
  ++summary_.pages;
  summary_.bytes += r.bytes;
  if (r.error.empty()) {
    ++summary_.ok;
  } else if (r.error_class == "skipped_content_type") {
    ++summary_.skipped_type;
  } else {
    ++summary_.errors;
    ++summary_.error_classes[r.error_class.empty() ? "other" : r.error_class];
  }
  const int status_class =
      r.status >= 100 && r.status < 600 ? r.status / 100 : 0;
  ++summary_.status_classes[static_cast<size_t>(status_class)];
  if (hosts_.insert(item.host).second) summary_.hosts = hosts_.size();
}

void CrawlJob::CountUnfetched(const ipc::FetchResult& r) {
  ++summary_.unfetched;
  ++summary_.unfetched_classes[r.error_class];
}

void CrawlJob::LogRecord(const ipc::FetchResult& r, int depth) {
  if (!logger_.Enabled(log::LogLevel::kDebug)) return;
  std::string line = r.status != 0 ? std::to_string(r.status) : "---";
  line += " " + r.url;
  line += " (depth " + std::to_string(depth);
  if (r.status != 0 || !r.error.empty()) {
    line += ", " + std::to_string(r.bytes) + " bytes, " +
            std::to_string(r.elapsed_ms) + " ms";
  }
  line += ")";
  if (!r.error.empty()) line += " " + r.error;
  logger_.Debug(output::RedactUserinfo(line));
}

Status CrawlJob::Record(const ipc::FetchResult& r, const CrawlItem& item,
                        bool* deferred, const std::string* links) {
  switch (ClaimRecord(r, item, RecordKind::kFetched, links)) {
    case Claim::kWrite:
      break;
    case Claim::kSkip:  // Another node wrote it.
      return Status::Ok();
    case Claim::kDeferred:
      if (deferred != nullptr) *deferred = true;
      return Status::Ok();
  }
  return WriteFetched(r, item, links);
}

Status CrawlJob::WriteFetched(const ipc::FetchResult& r, const CrawlItem& item,
                              const std::string* links) {
  Count(r, item);
  LogRecord(r, item.depth);
  ASSIGN_OR_RETURN(std::string_view change, Remember(r, item, links));
  output::CrawlContext ctx{item.depth, item.referrer, change};
  RETURN_IF_ERROR(writer_.Write(r, &ctx));
  Notify(r, RecordKind::kFetched, item.depth);
  if (options_.max_pages > 0 &&
      summary_.pages >= static_cast<uint64_t>(options_.max_pages)) {
    Stop("max_pages");
  }
  if (options_.max_bytes > 0 &&
      summary_.bytes >= static_cast<uint64_t>(options_.max_bytes)) {
    Stop("max_bytes");
  }
  return Status::Ok();
}

Status CrawlJob::LoadState() {
  state::StateStore& store = *options_.state;
  std::vector<state::KnownUrl> to_queue;
  std::vector<std::string> not_due;
  RETURN_IF_ERROR(store.ForEachUrl([&](state::KnownUrl&& k) {
    // A page whose links the state does not know (kept by a schema-1
    // state) is asked for without validators: its body tells its links.
    if (!k.links_known) {
      k.previous.etag.clear();
      k.previous.last_modified.clear();
    }
    if (k.queued) {
      ++summary_.changes.resumed;
    } else if (k.unlinked != state::KnownUrl::kLinked) {
      // The last walk did not reach it: fetched only if a link leads to it
      // again (neither queued nor seen).
      ++summary_.changes.not_due;
      if (k.last_fetch_ms != 0) previous_[k.url] = std::move(k.previous);
      return;
    } else if (k.next_due_ms <= run_start_ms_) {
      ++summary_.changes.due;
    } else {
      ++summary_.changes.not_due;
      not_due.push_back(std::move(k.url));
      return;
    }
    to_queue.push_back(std::move(k));
  }));
  // Breadth-first across runs too: the shallowest first.
  std::stable_sort(to_queue.begin(), to_queue.end(),
                   [](const state::KnownUrl& a, const state::KnownUrl& b) {
                     return a.depth < b.depth;
                   });
  for (state::KnownUrl& k : to_queue) {
    if (k.last_fetch_ms != 0) previous_[k.url] = std::move(k.previous);
    RETURN_IF_ERROR(AddUrl(k.url, k.depth, k.referrer, 0, false));
  }
  for (const std::string& u : not_due) frontier_.MarkSeen(u);
  if (summary_.changes.resumed + summary_.changes.due +
          summary_.changes.not_due >
      0) {
    logger_.Info("state " + store.dir() + ": " +
                 std::to_string(summary_.changes.resumed) +
                 " URLs resumed from the last run, " +
                 std::to_string(summary_.changes.due) + " due again, " +
                 std::to_string(summary_.changes.not_due) + " not due");
  }
  return Status::Ok();
}

StatusOr<std::string_view> CrawlJob::Remember(const ipc::FetchResult& r,
                                              const CrawlItem& item,
                                              const std::string* links) {
  if (options_.state == nullptr) return std::string_view();
  auto prev = previous_.find(item.url);
  state::Observation seen;
  seen.status = r.status;
  seen.error = !r.error.empty();
  seen.content_hash = r.content_hash;
  seen.etag = r.etag;
  seen.last_modified = r.last_modified;
  state::FetchedUrl f;
  f.verdict = state::Judge(prev != previous_.end() ? &prev->second : nullptr,
                           seen, options_.revisit);
  f.url = item.url;
  f.depth = item.depth;
  f.referrer = item.referrer;
  f.status = r.status;
  f.error_class = r.error_class;
  f.fetch_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                   clock_.WallNow().time_since_epoch())
                   .count();
  f.next_due_ms =
      run_start_ms_ + static_cast<int64_t>(f.verdict.next_due_s * 1000);
  // A 2xx or 3xx with content tells its links; a 304 or a failure keeps
  // the ones known.
  if (links != nullptr && r.error.empty() && r.status >= 200 &&
      r.status < 400 && r.status != 304) {
    f.links = *links;
  }
  const state::Change change = f.verdict.change;
  RETURN_IF_ERROR(options_.state->Fetched(f));
  if (prev != previous_.end()) previous_.erase(prev);
  summary_.changes.Count(change);
  return state::ChangeName(change);
}

Status CrawlJob::RecordVanished() {
  // Only a run that reached everything it could tells what is no longer
  // reachable; a node of a shared frontier sees only its part.
  if (summary_.stop_reason != "done" || abandon_ || frontier_.shared()) {
    return Status::Ok();
  }
  if (sitemap_failed_) {
    logger_.Info("state " + options_.state->dir() +
                 ": a sitemap could not be read; vanished URLs are not "
                 "looked for in this run");
    return Status::Ok();
  }
  StatusOr<state::WalkResult> walk = options_.state->Vanish(
      roots_,
      [this](const std::string& url, int depth,
             const std::string& referrer) -> Status {
        ipc::FetchResult r;
        r.url = url;
        r.error_class = "vanished";
        r.error =
            "vanished: had content before; no page this crawl reached links "
            "to it any more (not fetched)";
        r.tag = Tag::kPermanent;
        ++summary_.changes.gone;
        ++summary_.changes.vanished;
        CountUnfetched(r);
        LogRecord(r, depth);
        output::CrawlContext ctx{depth, referrer,
                                 state::ChangeName(state::Change::kGone)};
        RETURN_IF_ERROR(writer_.Write(r, &ctx));
        Notify(r, RecordKind::kUnfetched, depth);
        return Status::Ok();
      });
  if (!walk.ok()) return walk.status();
  if (!walk->walked) {
    logger_.Info("state " + options_.state->dir() + ": " +
                 std::to_string(walk->links_unknown) +
                 " pages reached have links the state does not know yet "
                 "(kept by an older crawler); vanished URLs are reported "
                 "once they were fetched again");
  } else if (walk->unreached_recorded > 0) {
    logger_.Debug("state: " + std::to_string(walk->unreached_recorded) +
                  " URLs fetched again are no longer linked; the next "
                  "complete run reports them vanished unless linked again");
  }
  return Status::Ok();
}

Status CrawlJob::OnResult(ipc::FetchResult r) {
  auto it = in_flight_.find(r.id);
  if (it == in_flight_.end()) return Status::Ok();
  Request req = std::move(it->second);
  in_flight_.erase(it);
  if (req.kind == Request::kRobots) {
    return OnRobots(std::move(req), std::move(r));
  }
  if (req.kind == Request::kSitemap) {
    return OnSitemap(std::move(req), std::move(r));
  }
  return OnPage(std::move(req), std::move(r));
}

std::optional<int64_t> CrawlJob::RetryAfter(const ipc::FetchResult& r) const {
  if (r.retry_after.empty()) return std::nullopt;
  const double max = std::clamp(options_.frontier.max_retry_after_s, 0.0, 1e9);
  return RetryAfterSeconds(r.retry_after, clock_.WallNow(),
                           static_cast<int64_t>(max));
}

double CrawlJob::Backoff(int attempts) {
  std::uniform_real_distribution<double> jitter(0.5, 1.5);
  return options_.retry_backoff_s * std::pow(2.0, attempts) * jitter(rng_);
}

Status CrawlJob::OnPage(Request req, ipc::FetchResult r) {
  const SteadyTime now = clock_.Now();
  CrawlItem& item = req.item;
  const std::optional<int64_t> retry_after = RetryAfter(r);
  // A name that does not resolve fails every URL of its host, so DNS
  // failures count per host (fault matrix N4; libcurl reports NXDOMAIN and
  // a temporary failure alike): each one pauses the host for a backoff, so
  // that its other URLs do not look the name up meanwhile, and after
  // max_fetch_retries + 1 in a row the name is given up for the crawl: the
  // host's remaining URLs end as dns_failed without a lookup (Filter).
  double pause_s = static_cast<double>(retry_after.value_or(0));
  int dns_failures = 0;
  if (r.error_class == "dns_failed") {
    dns_failures = ++dns_failures_[item.host];
    if (dns_failures <= options_.max_fetch_retries) {
      pause_s = std::max(pause_s, Backoff(dns_failures - 1));
    }
  } else {
    dns_failures_.erase(item.host);
  }
  const bool name_dead = dns_failures > options_.max_fetch_retries;
  frontier_.Release(item.host, {r.elapsed_ms, pause_s}, now);
  if (Transient(r) && !name_dead &&
      item.attempts < options_.max_fetch_retries && !stopping_) {
    // Exponential backoff with jitter, or the server's Retry-After (fault
    // matrix F8: a date in the past means now; an unreadable value is
    // ignored).
    double backoff = Backoff(item.attempts);
    if (retry_after) backoff = static_cast<double>(*retry_after);
    ++item.attempts;
    ++summary_.retries;
    frontier_.ReturnPage();
    frontier_.Retry(std::move(item), now + Seconds(backoff));
    return Status::Ok();
  }
  r.url = item.url;
  if (Transient(r)) {
    ++host_failures_[item.host];
    if (item.attempts > 0) {
      // The retries ran out. A network failure keeps its class (what went
      // wrong) and says how often; an HTTP 429/5xx answer, which has no
      // error class, ends as too_many_retries (fault matrix N5).
      const std::string attempts =
          std::to_string(item.attempts + 1) + " attempts";
      if (r.error.empty()) {
        r.error = "too_many_retries: " + attempts +
                  "; the last answered HTTP " + std::to_string(r.status);
        r.error_class = "too_many_retries";
        r.tag = Tag::kRetryable;
      } else {
        r.error += " (" + attempts + ")";
      }
    }
  } else {
    host_failures_.erase(item.host);
  }
  if (name_dead) {
    r.error += "; its host name failed " + std::to_string(dns_failures) +
               " lookups in a row and is not looked up again in this crawl";
  }
  // A redirect: the target is a new URL of its own, checked like a link.
  std::string target;
  if (r.status >= 300 && r.status < 400 && !r.location.empty()) {
    if (item.hops >= options_.max_redirects) {
      r.error_class = "too_many_redirects";
      r.error = "too_many_redirects: " + std::to_string(item.hops + 1) +
                " redirects in a row (limit " +
                std::to_string(options_.max_redirects) + ")";
      r.tag = Tag::kPermanent;
    } else {
      StatusOr<std::string> n = url::NormalizeUrl(r.location, options_.url);
      if (n.ok()) {
        target = *n;
      } else {
        r.error_class = "bad_redirect";
        r.error = "bad_redirect: " + n.status().message();
        r.tag = Tag::kPermanent;
      }
    }
  }
  // With a state, the page's links are kept for the end-of-run walk
  // (vanished URLs): the redirect target, or the links the worker found,
  // normalized, before the scope check (out of scope URLs never have
  // content in the state, so they change nothing in the walk).
  std::string links;
  if (options_.state != nullptr) {
    std::vector<uint64_t> fps;
    fps.reserve(r.link_urls.size() + 1);
    if (!target.empty()) fps.push_back(state::LinkFingerprint(target));
    for (const std::string& link : r.link_urls) {
      fps.push_back(state::LinkFingerprint(link));
    }
    links = state::EncodeLinks(std::move(fps));
  }
  bool deferred = false;
  RETURN_IF_ERROR(
      Record(r, item, &deferred, options_.state != nullptr ? &links : nullptr));
  if (!target.empty()) {
    RETURN_IF_ERROR(AddUrl(target, item.depth, item.url, item.hops + 1, false));
  }
  // Links arrive normalized by the worker (session ids stripped with the
  // same UrlOptions), so they go straight to admission.
  for (const std::string& link : r.link_urls) {
    RETURN_IF_ERROR(AddUrl(link, item.depth + 1, item.url, 0, false));
  }
  // A deferred record ends its URL when it is written (WriteUnclaimed).
  if (!deferred) frontier_.Done(item.url);
  return Status::Ok();
}

void CrawlJob::RobotsFailed(Robots& rb, const std::string& origin,
                            SteadyTime now) {
  if (rb.failures < options_.robots_retries && !stopping_) {
    rb.state = Robots::kQueued;
    rb.retry_at =
        now + Seconds(options_.robots_retry_s * std::pow(2.0, rb.failures));
    ++rb.failures;
    robots_queue_.push_back(origin);
    return;
  }
  // Still unreachable: complete disallow (RFC 9309 2.3.1.4) for this crawl.
  logger_.Warn("robots.txt of " + origin + " unreachable after " +
               std::to_string(rb.failures + 1) +
               " attempts; skipping that origin");
  rb.state = Robots::kReady;
  rb.unreachable = true;
  rb.policy = robots::RobotsPolicy::DisallowAll();
  rb.expires = now + kRobotsLifetime;
  frontier_.Unblock(origin);
}

Status CrawlJob::OnRobots(Request req, ipc::FetchResult r) {
  const SteadyTime now = clock_.Now();
  Robots& rb = robots_[req.origin];
  if (req.robots_hops == 0) {
    frontier_.Release(
        req.origin,
        {r.elapsed_ms, static_cast<double>(RetryAfter(r).value_or(0))}, now);
  }
  // RFC 9309 2.3.1.2: follow up to five redirects, even to other hosts; the
  // rules found apply to the original origin.
  if (r.error.empty() && r.status >= 300 && r.status < 400 &&
      !r.location.empty()) {
    if (req.robots_hops < kMaxRobotsRedirects) {
      StatusOr<std::string> next = url::NormalizeUrl(r.location);
      if (next.ok()) {
        req.robots_hops++;
        req.robots_url = *next;
        const std::string u = req.robots_url;
        return Send(std::move(req), u, false, true);
      }
    }
    r.status = 404;  // Too many or bad redirects: "unavailable".
  }
  std::optional<robots::RobotsPolicy> policy;
  // A robots.txt larger than the fetch cap is parsed up to RFC 9309's limit.
  const bool cut_at_cap = r.error_class == "too_large" && r.status == 200 &&
                          r.body.size() >= kRobotsBodyLimit;
  if ((!r.error.empty() && !cut_at_cap) || r.status == 429 || r.status >= 500 ||
      r.status < 200) {
    RobotsFailed(rb, req.origin, now);  // Unreachable (2.3.1.4).
    return Status::Ok();
  }
  if (r.status >= 400) {
    // Unavailable (2.3.1.3): allow, unless 401/403 are set to disallow.
    policy =
        (options_.robots_auth_disallows && (r.status == 401 || r.status == 403))
            ? robots::RobotsPolicy::DisallowAll()
            : robots::RobotsPolicy::AllowAll();
  } else if (r.status >= 300) {
    policy = robots::RobotsPolicy::AllowAll();  // A redirect with no target.
  } else {
    std::string_view body = r.body;
    if (body.size() > kRobotsBodyLimit) body = body.substr(0, kRobotsBodyLimit);
    policy = robots::RobotsPolicy::Parse(body, options_.product_token);
  }
  rb.policy = std::move(*policy);
  rb.state = Robots::kReady;
  rb.unreachable = false;
  rb.failures = 0;
  rb.expires = now + kRobotsLifetime;
  if (std::optional<double> d = rb.policy.crawl_delay_seconds()) {
    frontier_.SetCrawlDelay(req.origin, *d);
  }
  summary_.sitemaps_listed += rb.policy.sitemaps().size();
  if (options_.sitemaps) {
    for (const std::string& sm : rb.policy.sitemaps()) QueueSitemap(sm);
  }
  frontier_.Unblock(req.origin);
  return Status::Ok();
}

void CrawlJob::QueueSitemap(const std::string& u) {
  StatusOr<std::string> n = url::NormalizeUrl(u);
  if (!n.ok()) return;
  // A sitemap is fetched only from within the crawl's scope (fault matrix
  // R12): robots.txt may point anywhere.
  if (!scope_->Check(*n).ok()) {
    ++summary_.skipped_scope;
    return;
  }
  if (sitemaps_seen_.size() >= static_cast<size_t>(options_.max_sitemaps)) {
    return;
  }
  if (!sitemaps_seen_.insert(*n).second) return;  // Index loops end here.
  sitemap_queue_.push_back(*n);
}

Status CrawlJob::OnSitemap(Request req, ipc::FetchResult r) {
  const SteadyTime now = clock_.Now();
  frontier_.Release(
      req.origin,
      {r.elapsed_ms, static_cast<double>(RetryAfter(r).value_or(0))}, now);
  if (!r.error.empty() || r.status != 200) {
    sitemap_failed_ = true;
    logger_.Warn(
        "sitemap " + req.robots_url + ": " +
        (!r.error.empty() ? r.error : "HTTP " + std::to_string(r.status)) +
        "; skipped");
    return Status::Ok();
  }
  for (const std::string& child : r.sitemaps) QueueSitemap(child);
  summary_.sitemap_urls += r.link_urls.size();
  for (const std::string& link : r.link_urls) {
    StatusOr<std::string> n = url::NormalizeUrl(link, options_.url);
    if (!n.ok()) {
      ++summary_.skipped_bad_url;
      continue;
    }
    if (options_.state != nullptr) roots_.push_back(*n);
    RETURN_IF_ERROR(AddUrl(*n, 0, req.robots_url, 0, false));
  }
  return Status::Ok();
}

Status CrawlJob::OnLost(uint64_t id, bool alone, const std::string& cause) {
  auto it = in_flight_.find(id);
  if (it == in_flight_.end()) return Status::Ok();
  Request req = std::move(it->second);
  in_flight_.erase(it);
  const SteadyTime now = clock_.Now();
  if (req.kind == Request::kRobots) {
    if (req.robots_hops == 0) frontier_.Release(req.origin, {}, now);
    RobotsFailed(robots_[req.origin], req.origin, now);
    return Status::Ok();
  }
  if (req.kind == Request::kSitemap) {
    frontier_.Release(req.origin, {}, now);
    // A sitemap that kills a worker is not worth a second try.
    sitemap_failed_ = true;
    logger_.Warn("sitemap " + req.robots_url + ": " + cause + "; skipped");
    return Status::Ok();
  }
  frontier_.Release(req.item.host, {}, now);
  // Charged only when it was alone on the worker; retried alone either way.
  req.solo = true;
  if (alone) ++req.crashes;
  if (req.crashes <= options_.max_crash_retries) {
    frontier_.ReturnPage();  // Counted again when it is sent (Fill).
    suspects_.push_back(std::move(req));
    return Status::Ok();
  }
  ipc::FetchResult r;
  r.url = req.item.url;
  r.error_class = "worker_crashed";
  r.error = "worker_crashed: " + cause +
            " while fetching this URL; gave up after " +
            std::to_string(req.crashes) +
            (req.crashes == 1 ? " attempt" : " attempts");
  r.tag = Tag::kWorkerLost;
  bool deferred = false;
  RETURN_IF_ERROR(Record(r, req.item, &deferred));
  if (!deferred) frontier_.Done(req.item.url);
  return Status::Ok();
}

bool CrawlJob::Idle() const {
  if (!in_flight_.empty() || !unclaimed_.empty()) return false;
  if (stopping_) return true;
  // With a shared frontier, a robots.txt fetch queued for a host another
  // node holds does not keep this node going: the holder fetches it itself
  // (Filter), and NextReady() is not nullopt while any node has work.
  const bool robots_waiting = !robots_queue_.empty() && !frontier_.shared();
  return suspects_.empty() && !robots_waiting && sitemap_queue_.empty() &&
         !frontier_.NextReady().has_value();
}

void CrawlJob::Notify(const ipc::FetchResult& r, RecordKind kind, int depth) {
  if (options_.observers.empty()) return;
  const double elapsed =
      std::chrono::duration<double>(clock_.Now() - start_).count();
  for (CrawlObserver* o : options_.observers) {
    o->OnRecord(r, kind, depth, elapsed);
  }
}

void CrawlJob::Observe(bool final) {
  if (options_.observers.empty()) return;
  CrawlState state;
  state.elapsed_s =
      std::chrono::duration<double>(clock_.Now() - start_).count();
  state.stopping = stopping_;
  state.final = final;
  state.totals = &summary_;
  state.queued = frontier_.queued();
  state.in_flight = in_flight_.size();
  state.seen = frontier_.seen();
  state.worker_restarts = workers_.restarts();
  for (const auto& [origin, rb] : robots_) {
    if (rb.state != Robots::kReady) {
      ++state.robots_pending;
    } else if (rb.unreachable) {
      ++state.robots_unreachable;
    } else {
      ++state.robots_ready;
    }
  }
  for (auto& [origin, queued] : frontier_.LongestQueues(
           options_.observe_top_hosts, &state.queued_hosts)) {
    state.top_queues.push_back({std::move(origin), queued});
  }
  for (CrawlObserver* o : options_.observers) o->OnProgress(state);
}

Status CrawlJob::Loop() {
  while (true) {
    const SteadyTime now = clock_.Now();
    if (interrupts_.signal() != 0 && !interrupted_) {
      interrupted_ = true;
      summary_.interrupted_by = interrupts_.signal();
      grace_deadline_ = now + Seconds(options_.interrupt_grace_s);
      logger_.Warn(std::string(SignalName(interrupts_.signal())) +
                   " received: interrupted; finishing " +
                   std::to_string(in_flight_.size()) +
                   " requests in flight for up to " +
                   FormatSeconds(options_.interrupt_grace_s) +
                   " (send it again to stop at once)");
      // A signal wins over a limit that stopped the crawl before it.
      stopping_ = true;
      summary_.stop_reason = "interrupted";
    }
    if (interrupted_ && !in_flight_.empty() && now >= grace_deadline_) {
      summary_.abandoned = in_flight_.size();
      logger_.Warn("grace period over: abandoning " +
                   std::to_string(in_flight_.size()) +
                   " requests in flight (they have no record)");
      abandon_ = true;
      return Status::Ok();
    }
    if (options_.max_duration_s > 0 &&
        now - start_ >= Seconds(options_.max_duration_s)) {
      Stop("max_duration");
    }
    RETURN_IF_ERROR(CheckFrontier(now));
    if (!paused_) {
      RETURN_IF_ERROR(WriteUnclaimed());
      RETURN_IF_ERROR(Fill());
    }
    if (Idle()) return Status::Ok();
    // Sleep until a result arrives or the frontier has a URL ready.
    int timeout_ms = 250;
    if (std::optional<SteadyTime> ready = frontier_.NextReady()) {
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    *ready - clock_.Now())
                    .count();
      timeout_ms = static_cast<int>(std::clamp<int64_t>(ms + 1, 0, 250));
    }
    if (!workers_.HasRoom(false)) timeout_ms = 250;
    RETURN_IF_ERROR(workers_.Poll(timeout_ms, on_result_, on_lost_));
    const SteadyTime after = clock_.Now();
    if (after - last_flush_ > std::chrono::milliseconds(200)) {
      RETURN_IF_ERROR(writer_.Flush());
      last_flush_ = after;
    }
    if (options_.state != nullptr &&
        after - last_commit_ >= Seconds(options_.state_commit_interval_s)) {
      RETURN_IF_ERROR(options_.state->Commit(writer_.position()));
      last_commit_ = after;
    }
    if (after - last_observe_ >= Seconds(options_.observe_interval_s)) {
      Observe(false);
      last_observe_ = after;
    }
  }
}

StatusOr<CrawlSummary> CrawlJob::Run(const std::vector<std::string>& seeds) {
  start_ = last_flush_ = last_commit_ = last_observe_ = clock_.Now();
  summary_.with_state = options_.state != nullptr;
  run_start_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(
                      clock_.WallNow().time_since_epoch())
                      .count();
  Status status = AddSeeds(seeds);
  if (status.ok()) status = workers_.Start();
  if (status.ok()) status = Loop();
  Status flushed = writer_.Flush();
  if (status.ok()) status = flushed;
  if (status.ok() && options_.state != nullptr) {
    status = RecordVanished();
    if (status.ok()) status = writer_.Flush();
    if (status.ok()) status = options_.state->Commit(writer_.position());
  }
  if (abandon_) {
    workers_.Kill();
  } else {
    workers_.Shutdown();
  }
  Observe(/*final=*/true);
  if (!status.ok()) return status;
  summary_.seen = frontier_.seen();
  summary_.seen_bytes_per_url = frontier_.seen_bytes_per_url();
  summary_.worker_restarts = workers_.restarts();
  summary_.seconds =
      std::chrono::duration<double>(clock_.Now() - start_).count();
  if (summary_.pages > 0) {
    summary_.error_rate = static_cast<double>(summary_.errors) /
                          static_cast<double>(summary_.pages);
  }
  summary_.error_rate_exceeded = options_.max_error_rate >= 0 &&
                                 summary_.error_rate > options_.max_error_rate;
  return summary_;
}

}  // namespace

StatusOr<CrawlSummary> RunCrawlJob(const CrawlJobOptions& options,
                                   const std::vector<std::string>& seeds,
                                   output::RecordWriter& writer,
                                   WorkerLauncher& launcher,
                                   const Clock& clock) {
  CrawlJob job(options, writer, launcher, clock);
  return job.Run(seeds);
}

}  // namespace crawler::coordinator
