// Frontier: the crawl's queue of URLs to fetch, with per-host politeness.
//
// The coordinator owns the frontier. It adds discovered URLs (deduplicated by
// fingerprint), leases URLs whose host may be contacted now, and releases
// each host when its request ends, reporting what the host said (response
// time, Retry-After). The interface is small so that a shared, distributed
// backend (Redis) can replace the in-memory one.
//
// Ordering: breadth-first by default: among the hosts that may be contacted
// now, the URL with the lowest depth goes first.
//
// Thread-safety: implementations need not be thread-safe; the coordinator is
// single-threaded.
#ifndef CRAWLER_FRONTIER_FRONTIER_H_
#define CRAWLER_FRONTIER_FRONTIER_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "crawler/base/clock.h"
#include "crawler/base/status.h"

namespace crawler::frontier {

struct CrawlItem {
  std::string url;   // Normalized absolute URL.
  std::string host;  // Politeness key: the URL's origin.
  int depth = 0;     // Links followed from a seed (redirect hops do not count).
  std::string referrer;  // The page that linked here ("" for seeds).
  int attempts = 0;      // Fetch attempts already made (retries).
  int hops = 0;          // Redirect hops that led here.
};

enum class AddResult {
  kAdded,
  kSeen,            // Already accepted once in this crawl.
  kHostCapReached,  // FrontierOptions::per_host_cap URLs already accepted.
  // FrontierOptions::max_query_variants URLs with a query already accepted
  // for this URL's origin and path.
  kQueryVariantsCapReached,
  // Already queued, not yet leased, at a greater depth: now queued at this
  // item's depth and with its referrer (FrontierOptions::requeue_shallower).
  kShallower,
};

// What a host's answer says about when to contact it next.
struct HostFeedback {
  int64_t response_ms = 0;   // Duration of the request.
  double retry_after_s = 0;  // From a 429/503 Retry-After; 0 if none.
};

// What Lease() should do with the URL it is about to hand out.
enum class LeaseVerdict {
  kAccept,    // Lease it.
  kDrop,      // Forget it (e.g. robots.txt disallows it); no politeness used.
  kHoldHost,  // Keep it queued and block its host (e.g. robots.txt expired
              // and is being fetched again); the caller unblocks the host.
};
using LeaseFilter = std::function<LeaseVerdict(const CrawlItem&)>;

class Frontier {
 public:
  virtual ~Frontier() = default;

  // Accepts a URL unless its fingerprint was seen, its host is capped, or it
  // has a query and its path is capped (see AddResult).
  virtual AddResult Add(CrawlItem item) = 0;
  // Counts a URL as accepted without queuing it (one known from an earlier
  // run and not due again): Contains() is true for it and Add() returns
  // kSeen. The per-host and per-path caps do not count it.
  virtual void MarkSeen(const std::string& url) = 0;
  // True when the URL was already accepted (a cheap check before the costlier
  // ones a caller makes before Add).
  virtual bool Contains(const std::string& url) const = 0;
  // True when the URL is queued and not yet leased at a depth greater than
  // `depth`, i.e. Add() of it at `depth` would return kShallower. Always
  // false without FrontierOptions::requeue_shallower.
  virtual bool QueuedDeeper(const std::string& url, int depth) const = 0;
  // Queues a URL again (a retry; no dedup) no earlier than `not_before`.
  virtual void Retry(CrawlItem item, SteadyTime not_before) = 0;

  // The next URL whose host may be contacted at `now`, or nullopt. The host
  // counts it as in flight until Release(). `filter`, when given, sees each
  // candidate first (see LeaseVerdict).
  virtual std::optional<CrawlItem> Lease(SteadyTime now,
                                         const LeaseFilter& filter = {}) = 0;
  // When Lease() may next return a URL: now or later; nullopt when nothing
  // is queued or everything queued waits for a Release() or Unblock().
  virtual std::optional<SteadyTime> NextReady() const = 0;
  // Ends one request to `host` (leased or not: a robots.txt fetch counts
  // too when it was started with Acquire()).
  virtual void Release(const std::string& host, const HostFeedback& feedback,
                       SteadyTime now) = 0;
  // Takes a request slot of `host` outside Lease() (e.g. for robots.txt);
  // false when the host may not be contacted at `now`.
  virtual bool Acquire(const std::string& host, SteadyTime now) = 0;

  // A blocked host is not leased from (e.g. while its robots.txt is fetched).
  virtual void Block(const std::string& host) = 0;
  virtual void Unblock(const std::string& host) = 0;
  // Sets the host's robots.txt Crawl-delay (clamped to max_crawl_delay_s).
  virtual void SetCrawlDelay(const std::string& host, double seconds) = 0;

  // URLs queued (not leased), retries included.
  virtual size_t queued() const = 0;
  // URLs accepted so far (the seen-set's size).
  virtual size_t seen() const = 0;
  // The seen-set's bytes per URL.
  virtual double seen_bytes_per_url() const = 0;

  // The `n` hosts with the most URLs queued, most first (ties by name), with
  // their counts; *queued_hosts is set to the number of hosts with at least
  // one URL queued. For monitoring (a few calls a second).
  virtual std::vector<std::pair<std::string, size_t>> LongestQueues(
      size_t n, size_t* queued_hosts) const = 0;

  // --- Hooks for a frontier shared by several nodes (redis_frontier.h) ---
  // The defaults are what a frontier of one node needs; the coordinator
  // calls them for every backend.

  // True when other nodes crawl from the same frontier: a host may be held
  // by another node, which then fetches its robots.txt itself.
  virtual bool shared() const { return false; }
  // Claims the right to write `url`'s record: false when another node wrote
  // it. Called just before writing every record; kUnavailable when it
  // cannot tell now (write nothing yet, ask again later).
  virtual StatusOr<bool> ClaimRecord(const std::string& url) {
    (void)url;
    return true;
  }
  // Ends a leased URL, once its record is written and its links added.
  virtual void Done(const std::string& url) { (void)url; }
  // Counts one more page leased unless `max_pages` (> 0) already were:
  // true when counted. The default counts in this object.
  virtual StatusOr<bool> ReservePage(int64_t max_pages) {
    if (max_pages > 0 && pages_reserved_ >= max_pages) return false;
    ++pages_reserved_;
    return true;
  }
  // Gives back a page counted by ReservePage (a retry, a lease not made).
  virtual void ReturnPage() {
    if (pages_reserved_ > 0) --pages_reserved_;
  }
  // OK, or why the frontier cannot be used now (kUnavailable: the
  // coordinator pauses leasing until it is OK again).
  virtual Status health() const { return Status::Ok(); }

 private:
  int64_t pages_reserved_ = 0;  // The default ReservePage's count.
};

}  // namespace crawler::frontier

#endif  // CRAWLER_FRONTIER_FRONTIER_H_
