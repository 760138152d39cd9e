// CrawlObserver: a read-only view of a running crawl, for consumers that are
// not the record output (the HTML report, the metrics exporter).
//
// RunCrawlJob calls each observer of CrawlJobOptions::observers:
// - OnRecord for every record, right after the RecordWriter took it, in the
//   order of the output;
// - OnProgress with the crawl's state every
//   CrawlJobOptions::observe_interval_s seconds (at most as often as the
//   crawl loop turns, which waits at most 250 ms), and once more at the end
//   with `final` set.
// Observers must be cheap and must not fail the crawl: they return nothing.
// Every reference passed is valid only during the call.
//
// Thread-safety: called from the coordinator's thread only.
#ifndef CRAWLER_COORDINATOR_CRAWL_OBSERVER_H_
#define CRAWLER_COORDINATOR_CRAWL_OBSERVER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "crawler/ipc/messages.h"

namespace crawler::coordinator {

struct CrawlSummary;  // crawl_job.h

// What a record stands for.
enum class RecordKind {
  kFetched,    // A URL that was fetched (an answer, or a fetch error).
  kUnfetched,  // A URL or seed given up without a fetch (blocked_by_robots,
               // robots_unreachable, host_error_budget, a refused seed).
};

// One host's queue in the frontier.
struct HostQueue {
  std::string origin;  // "scheme://host[:port]".
  size_t queued = 0;   // URLs waiting in its queue.
};

struct CrawlState {
  double elapsed_s = 0;   // Since the crawl started.
  bool stopping = false;  // A limit or a signal stopped the leasing.
  bool final = false;     // The crawl is over; the last call.
  // Running totals (CrawlSummary's seen, worker_restarts and seconds are
  // only set at the end: use the fields below). Never null.
  const CrawlSummary* totals = nullptr;
  size_t queued = 0;     // URLs in the frontier.
  size_t in_flight = 0;  // Requests held by workers.
  uint64_t seen = 0;     // URLs accepted into the frontier so far.
  uint64_t worker_restarts = 0;
  // robots.txt cache, by origin: rules known, fetch waiting or running,
  // given up as unreachable.
  size_t robots_ready = 0;
  size_t robots_pending = 0;
  size_t robots_unreachable = 0;
  // The CrawlJobOptions::observe_top_hosts longest host queues, longest
  // first, and how many hosts have a URL queued at all.
  std::vector<HostQueue> top_queues;
  size_t queued_hosts = 0;
};

class CrawlObserver {
 public:
  virtual ~CrawlObserver() = default;

  // One record as written (docs/output.md); `depth` is the record's depth
  // field, `elapsed_s` the seconds since the crawl started.
  virtual void OnRecord(const ipc::FetchResult& record, RecordKind kind,
                        int depth, double elapsed_s) = 0;

  // The crawl's state, periodically and at the end.
  virtual void OnProgress(const CrawlState& state) = 0;
};

}  // namespace crawler::coordinator

#endif  // CRAWLER_COORDINATOR_CRAWL_OBSERVER_H_
