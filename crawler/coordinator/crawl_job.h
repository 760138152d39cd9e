// CrawlJob: `crawler crawl`, start from seeds and follow links.
//
// The coordinator owns the frontier (crawler/frontier): it adds seeds and
// discovered links after normalizing them (crawler/url) and checking them
// against the scope (crawler/scope) and the depth limit; it fetches each
// origin's robots.txt (RFC 9309) before any other URL of that origin and
// drops what it disallows; it leases URLs to the workers as per-host
// politeness allows, and follows redirects itself, one hop at a time, so that
// every hop passes the same checks. Workers fetch, parse, and return the
// page's links, which join the frontier one level deeper.
//
// Every URL the crawl accepts ends in one record (docs/output.md): a page, an
// error, a redirect hop (status 3xx, "location"), or a terminal state
// without a fetch (blocked_by_robots, robots_unreachable). Seeds that cannot
// be crawled (bad URL, out of scope) get an error record too; discovered
// links refused at admission (seen, out of scope, too deep, over the per-host
// cap or the per-path query-variant cap) are only counted in the summary; the
// first refusal of a path by the query-variant cap is also reported on
// stderr ("crawler: trap_suspected: ...").
//
// The crawl ends when the frontier is empty, or when a limit is reached
// (max pages, max bytes, max duration) or on SIGINT/SIGTERM: it then stops
// leasing, lets the requests in flight finish, and says why it stopped. After
// a signal the requests in flight get interrupt_grace_s seconds; those still
// running then are abandoned without a record (their workers are killed). A
// second signal ends the process at once (interrupts.h).
//
// A shared frontier (several nodes on one crawl, docs/redis.md): every
// record is claimed first (Frontier::ClaimRecord; not written when another
// node wrote it), each leased URL is ended with Done() once its record is
// written and its links added, max_pages counts pages crawl-wide
// (ReservePage), leasing pauses while the frontier is unavailable (failing
// after frontier_unavailable_timeout_s), and a host taken from the frontier
// gets its robots.txt fetched by the node that leases it.
//
// Messages (a robots.txt given up, a suspected trap, a bad sitemap, a dead
// worker, why the crawl stops; one line per record at debug level) go to
// options.logger. Progress is for observers (crawl_observer.h).
//
// Thread-safety: Run() must be called from a single-threaded process (it
// forks workers; see mp/process.h).
#ifndef CRAWLER_COORDINATOR_CRAWL_JOB_H_
#define CRAWLER_COORDINATOR_CRAWL_JOB_H_

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "crawler/base/clock.h"
#include "crawler/base/status.h"
#include "crawler/coordinator/crawl_observer.h"
#include "crawler/coordinator/worker_launcher.h"
#include "crawler/coordinator/worker_set.h"
#include "crawler/frontier/frontier.h"
#include "crawler/frontier/frontier_options.h"
#include "crawler/log/logger.h"
#include "crawler/mp/shared_stats.h"
#include "crawler/output/record_writer.h"
#include "crawler/scope/scope.h"
#include "crawler/state/revisit.h"
#include "crawler/state/state_store.h"
#include "crawler/url/url.h"

namespace crawler::coordinator {

struct CrawlJobOptions {
  // Worker processes, transfers per worker, hung-worker timeout.
  WorkerSetOptions workers;
  // Extra attempts for a URL whose worker died while it was alone on it.
  int max_crash_retries = 2;
  // Extra attempts after a transient failure (timeout, reset, 5xx, 429).
  int max_fetch_retries = 2;
  // First retry delay in seconds; doubled at each attempt, with +-50% jitter.
  double retry_backoff_s = 1.0;
  // Links followed from a seed; deeper links are skipped. < 0: no limit.
  int max_depth = 20;
  // Stop after this many fetched URLs (records); 0: no limit.
  int64_t max_pages = 0;
  // Stop after this many body bytes; 0: no limit.
  int64_t max_bytes = 0;
  // Stop after this many seconds; 0: no limit.
  double max_duration_s = 0;
  // A host whose last this-many fetches in a row failed (after their
  // retries: network errors, timeouts, 5xx, 429) is given up for the rest of
  // the crawl: its queued URLs end as host_error_budget (fault matrix N6).
  // 0 disables.
  int host_error_budget = 5;
  // Redirect hops followed from one URL.
  int max_redirects = 10;
  // Fetch and honour robots.txt.
  bool robots = true;
  // robots.txt answered 401 or 403 means "disallow all" (RFC 9309 says
  // "allow": the default).
  bool robots_auth_disallows = false;
  // Honour rel=nofollow, meta robots and X-Robots-Tag nofollow (the workers
  // drop those links).
  bool honour_nofollow = true;
  // The product token matched against robots.txt user-agent lines.
  std::string product_token = "crawler";
  // An unreachable robots.txt (5xx, 429, network error, cut short) is
  // retried this many times, first after robots_retry_s seconds (doubling);
  // meanwhile nothing of that origin is fetched (RFC 9309 2.3.1.4).
  int robots_retries = 2;
  double robots_retry_s = 30;
  // Fetch the sitemaps that robots.txt lists (Sitemap: lines; XML, text or
  // gzip, sitemap indexes followed) and add their URLs to the crawl as
  // seeds (depth 0, still subject to the scope and robots.txt).
  bool sitemaps = false;
  // Sitemap files fetched at most, indexes included.
  int max_sitemaps = 1000;
  // Show progress on stderr even when it is not a terminal (--progress,
  // logging.progress). Read by the CLI, which draws progress from
  // CrawlObserver::OnProgress; the crawl itself prints none.
  bool progress = false;
  // Where messages go (not owned; must outlive the run); null:
  // log::DefaultLogger(), stderr at info level.
  log::Logger* logger = nullptr;
  // After SIGINT/SIGTERM, seconds the requests in flight get to finish
  // before they are abandoned (no record) and the crawl ends; 0: none.
  double interrupt_grace_s = 5.0;
  // The crawl "finished with too many errors" (CrawlSummary::
  // error_rate_exceeded) when more than this fraction of its fetched pages
  // ended with an error (errors / pages); < 0: never.
  double max_error_rate = -1;
  // Workers' live statistics for the progress line (may be null).
  const mp::SharedStats* stats = nullptr;
  // Told of every record and, periodically, of the crawl's state (not owned;
  // each must outlive the crawl; crawl_observer.h).
  std::vector<CrawlObserver*> observers;
  // Seconds between two CrawlObserver::OnProgress calls.
  double observe_interval_s = 0.25;
  // Longest host queues listed in CrawlState::top_queues.
  size_t observe_top_hosts = 10;
  // The crawl's memory between runs (not owned; null: none), opened, locked
  // and begun (StateStore::BeginRun) by the caller, who also ends the run.
  // With it the crawl resumes the URLs the last run left queued, fetches
  // the known URLs that are due again (with If-None-Match and
  // If-Modified-Since from their last answer) and skips the other known
  // ones; every record's outcome is kept, judged against the last one
  // (the records' "change" field), and committed with the output's offset
  // every state_commit_interval_s and at the end (docs/state.md).
  state::StateStore* state = nullptr;
  // Seconds between two commits of the state. Each commit rewrites the
  // B-tree pages its URLs touched, so fewer commits write less; a coordinator
  // killed with SIGKILL loses at most this much work (fetched again).
  double state_commit_interval_s = 1.0;
  // When known URLs are due again (with a state).
  state::RevisitOptions revisit;
  // The frontier to crawl from (not owned; must outlive the run; used only
  // from the coordinator's thread); null: an in-memory one
  // (frontier::MemoryFrontier) built from `frontier`.
  frontier::Frontier* shared_frontier = nullptr;
  // While the frontier's health() is not OK (a shared frontier whose Redis
  // is unreachable), leasing pauses, with a warning, and records wait for
  // their claim; after this many seconds the crawl fails with kUnavailable.
  double frontier_unavailable_timeout_s = 60;
  frontier::FrontierOptions frontier;
  scope::ScopeOptions scope;
  url::UrlOptions url;
};

struct CrawlSummary {
  uint64_t pages = 0;   // Records of fetched URLs (redirect hops included).
  uint64_t ok = 0;      // ... without an error.
  uint64_t errors = 0;  // ... with an error, skipped_type excluded.
  // ... ended as skipped_content_type: an answer of a type that is not
  // parsed, whose body was not read. A skip, not a failure.
  uint64_t skipped_type = 0;
  // Fetched pages by the class of their HTTP status: [1] to [5] count 1xx
  // to 5xx, [0] the pages without an answer.
  std::array<uint64_t, 6> status_classes{};
  // The errors by class ("timeout", "connect_failed"...).
  std::map<std::string, uint64_t> error_classes;
  // Records of URLs given up without a fetch: seeds refused (bad_url,
  // out_of_scope, blocked_by_robots...) and queued URLs dropped
  // (blocked_by_robots, robots_unreachable, host_error_budget).
  uint64_t unfetched = 0;
  // Those by class.
  std::map<std::string, uint64_t> unfetched_classes;
  uint64_t hosts = 0;  // Origins with at least one fetched page.
  uint64_t bytes = 0;  // Body bytes received.
  uint64_t robots_fetches = 0;
  uint64_t sitemaps_listed = 0;  // Sitemap: lines found in robots.txt files.
  uint64_t sitemap_fetches = 0;
  uint64_t sitemap_urls = 0;  // URLs the sitemaps gave.
  uint64_t retries = 0;       // Transient-failure retries.
  // Links and seeds not crawled, by reason.
  uint64_t skipped_seen = 0;
  uint64_t skipped_scope = 0;
  uint64_t skipped_robots = 0;
  uint64_t skipped_depth = 0;
  uint64_t skipped_host_cap = 0;
  // Over FrontierOptions::max_query_variants for their path (a query
  // explosion, fault matrix T5: trap_suspected).
  uint64_t skipped_query_variants = 0;
  uint64_t skipped_bad_url = 0;  // Malformed or not http(s).
  uint64_t seen = 0;             // URLs accepted into the frontier.
  double seen_bytes_per_url = 0;
  uint64_t worker_restarts = 0;
  double seconds = 0;
  // "done" (nothing left), "max_pages", "max_bytes", "max_duration",
  // "interrupted".
  std::string stop_reason = "done";
  int interrupted_by = 0;  // The signal, when interrupted.
  // Requests in flight abandoned when the grace period after a signal ran
  // out; they have no record.
  uint64_t abandoned = 0;
  // errors / pages (0 without pages), and whether it is above
  // CrawlJobOptions::max_error_rate.
  double error_rate = 0;
  bool error_rate_exceeded = false;
  // With a state (CrawlJobOptions::state): the change report.
  bool with_state = false;
  state::ChangeCounts changes;
};

// Runs the crawl from `seeds` (absolute URLs as given by the user). Fails
// only when the crawl cannot run (bad options, no worker, the output cannot
// be written); everything about single URLs is in the records.
StatusOr<CrawlSummary> RunCrawlJob(const CrawlJobOptions& options,
                                   const std::vector<std::string>& seeds,
                                   output::RecordWriter& writer,
                                   WorkerLauncher& launcher,
                                   const Clock& clock);

}  // namespace crawler::coordinator

#endif  // CRAWLER_COORDINATOR_CRAWL_JOB_H_
