// MemoryFrontier: the in-memory Frontier of a single-machine crawl.
//
// Each host has its own queue, ordered by (depth, arrival). A scheduling heap
// holds the hosts that could send a request (queued URLs, a free slot, not
// blocked), keyed by the time they may next be contacted and their best
// depth, so Lease() is O(log hosts) whatever the number of hosts.
//
// Thread-safety: not thread-safe.
#ifndef CRAWLER_FRONTIER_MEMORY_FRONTIER_H_
#define CRAWLER_FRONTIER_MEMORY_FRONTIER_H_

#include <cstdint>
#include <queue>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "crawler/frontier/frontier.h"
#include "crawler/frontier/frontier_options.h"
#include "crawler/frontier/seen_set.h"

namespace crawler::frontier {

class MemoryFrontier : public Frontier {
 public:
  explicit MemoryFrontier(const FrontierOptions& options) : options_(options) {}

  AddResult Add(CrawlItem item) override;
  bool Contains(const std::string& url) const override {
    return seen_.Contains(url);
  }
  void MarkSeen(const std::string& url) override { seen_.Insert(url); }
  bool QueuedDeeper(const std::string& url, int depth) const override;
  void Retry(CrawlItem item, SteadyTime not_before) override;
  std::optional<CrawlItem> Lease(SteadyTime now,
                                 const LeaseFilter& filter = {}) override;
  std::optional<SteadyTime> NextReady() const override;
  void Release(const std::string& host, const HostFeedback& feedback,
               SteadyTime now) override;
  bool Acquire(const std::string& host, SteadyTime now) override;
  void Block(const std::string& host) override;
  void Unblock(const std::string& host) override;
  void SetCrawlDelay(const std::string& host, double seconds) override;
  size_t queued() const override { return queued_; }
  size_t seen() const override { return seen_.size(); }
  double seen_bytes_per_url() const override { return seen_.bytes_per_url(); }

  // URLs waiting for a retry are not counted. O(hosts log n).
  std::vector<std::pair<std::string, size_t>> LongestQueues(
      size_t n, size_t* queued_hosts) const override;

 private:
  struct Queued {
    int depth;
    uint64_t seq;
    CrawlItem item;
  };
  struct QueuedOrder {
    bool operator()(const Queued& a, const Queued& b) const {
      return a.depth != b.depth ? a.depth > b.depth : a.seq > b.seq;
    }
  };
  struct Host {
    std::priority_queue<Queued, std::vector<Queued>, QueuedOrder> queue;
    int in_flight = 0;
    SteadyTime next_allowed{};
    double crawl_delay_s = 0;
    double last_response_s = 0;
    SteadyTime last_end{};  // When the last request to it ended.
    bool blocked = false;
    int64_t accepted = 0;
    uint64_t version = 0;  // Invalidates older scheduling entries.
  };
  struct Slot {
    SteadyTime ready;
    int depth;
    uint64_t seq;
    std::string host;
    uint64_t version;
  };
  struct SlotOrder {
    bool operator()(const Slot& a, const Slot& b) const {
      if (a.ready != b.ready) return a.ready > b.ready;
      if (a.depth != b.depth) return a.depth > b.depth;
      return a.seq > b.seq;
    }
  };
  struct Delayed {
    SteadyTime not_before;
    uint64_t seq;
    CrawlItem item;
  };
  struct DelayedOrder {
    bool operator()(const Delayed& a, const Delayed& b) const {
      return a.not_before != b.not_before ? a.not_before > b.not_before
                                          : a.seq > b.seq;
    }
  };

  Host& HostOf(const std::string& host) { return hosts_[host]; }
  void Enqueue(CrawlItem item);
  // (Re)computes the host's entry in the scheduling heap.
  void Schedule(const std::string& name, Host& host);
  Duration Interval(const Host& host) const;
  void PromoteDelayed(SteadyTime now);
  // Drops invalid entries from the top of the heap.
  void CleanTop() const;
  // Pops the host queue's entries that a shallower copy replaced (see
  // requeue_shallower).
  void DropReplaced(Host& host);

  FrontierOptions options_;
  SeenSet seen_;
  std::unordered_map<std::string, Host> hosts_;
  // URLs with a query accepted per path: the Fingerprint of the URL up to
  // its '?' -> count (max_query_variants). Only paths that had a URL with a
  // query have an entry (about 40 bytes each).
  std::unordered_map<uint64_t, int64_t> query_variants_;
  // requeue_shallower: Fingerprint of each URL with an entry in a host
  // queue -> which entry is live. The others (replaced by a shallower copy)
  // are skipped when they come up; the record goes when the last entry does.
  struct Live {
    uint64_t seq;  // The live entry's Queued::seq.
    int depth;     // Its depth; -1 once it is leased or dropped.
    int replaced;  // Replaced entries still in the host queue.
  };
  std::unordered_map<uint64_t, Live> live_;
  // Forgets one popped entry of `url` (live or replaced); true if it was the
  // live one.
  bool Popped(const std::string& url, uint64_t seq);
  mutable std::priority_queue<Slot, std::vector<Slot>, SlotOrder> ready_;
  std::priority_queue<Delayed, std::vector<Delayed>, DelayedOrder> delayed_;
  uint64_t seq_ = 0;
  size_t queued_ = 0;
};

}  // namespace crawler::frontier

#endif  // CRAWLER_FRONTIER_MEMORY_FRONTIER_H_
