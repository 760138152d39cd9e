// RedisFrontier: a Frontier shared by several crawler nodes through one
// Redis server (issue 8). Every node runs the same coordinator with its own
// RedisFrontier on the same crawl name; the nodes take work from the shared
// frontier and push the links they discover to it.
//
// Keys: everything of one crawl is under "crawler:{NAME}:" (NAME = the
// crawl name), so several crawls share one Redis, and the braces make NAME
// a Redis Cluster hash tag: all keys of a crawl live in one hash slot, which
// multi-key Lua scripts need. docs/redis.md lists every key.
//
// Design (docs/redis.md has the long version and the measured figures):
//  * Seen-set: a URL is accepted once across all nodes. Its 64-bit
//    Fingerprint() is split into a bucket (the top seen_bucket_bits bits)
//    and the rest, a set member under 2^63, so that each bucket is a small
//    Redis set of integers (an intset: 8 bytes per member while a bucket
//    holds at most set-max-intset-entries, 512 by default).
//  * Host leases: a host's URLs are leased only by the node that holds the
//    host's lease (hown/hexp, expiring at Redis TIME + host_lease_ms and
//    renewed every maintenance_interval_ms). The holder keeps the host's
//    delay and concurrency locally, exactly as MemoryFrontier does, so
//    politeness holds across nodes; when it lets a host go it leaves the
//    time the host may next be contacted (hnext) for the next holder.
//  * Queues: each host's queued URLs are a sorted set in Redis (score = depth
//    * 2^40 + arrival), so any node can push links to any host; hosts with
//    queued URLs and no holder are in a sorted set by their best score, and
//    a node takes the shallowest ones (breadth-first across the crawl).
//  * URL leases: the holder pulls a host's URLs in batches into an in-flight
//    hash of that host (they stay there until Done()). A host whose lease
//    expires (its node died or was cut off) is reaped by any node's
//    maintenance: its in-flight URLs go back to its queue, except those
//    already claimed by ClaimRecord(). Nothing is lost. Lease time runs
//    only while some node reaches Redis: after a gap of more than half a
//    lease with no maintenance from any node (Redis down, restarted or cut
//    off from every node), every lease is extended by the gap first, so an
//    outage longer than the lease takes no host from a live node (this
//    assumes maintenance_interval_ms <= host_lease_ms / 4, as the CLI sets).
//  * Records: ClaimRecord(url) is an atomic SADD on a done-set: true only
//    the first time across all nodes, so no URL is recorded twice.
//  * Limits: a shared counter of leased pages (ReservePage/ReturnPage) makes
//    max_pages global.
//  * Round trips: Contains() answers from a local cache of fingerprints
//    known to be seen; Add() and MarkSeen() are queued locally and sent in
//    batches (one EVALSHA per add_batch operations, or when the oldest is
//    add_batch_ms old, and before Lease() and NextReady() answer); URLs are
//    pulled add_pull_batch at a time; maintenance is one EVALSHA a second.
//
// Differences from MemoryFrontier: Add() cannot know whether another node
// accepted the URL first, so it returns kAdded for every URL not known
// locally (the batch then drops it in Redis; stats() counts those); the
// per-host and per-path caps are enforced in Redis the same way (so Add()
// never returns kHostCapReached or kQueryVariantsCapReached). QueuedDeeper()
// is always false (a shallower path found later does not move a URL).
// queued() and seen() are the crawl-wide counters as of the last
// maintenance (at most maintenance_interval_ms old). LongestQueues() lists
// this node's held hosts and their pulled URLs.
//
// Redis unavailable: no call crashes or throws. Queued operations stay in
// memory (up to max_pending_ops) and are sent when Redis is back; Lease()
// serves only URLs already pulled; Acquire() returns false for hosts not
// held; NextReady() never returns nullopt (the crawl must not end because
// Redis is down). health() says what failed; every call tries to reconnect
// (at most once per reconnect_interval_ms).
//
// Requires Redis >= 6.2 (ZADD LT, ZPOPMIN with a count, TIME in scripts).
//
// Thread-safety: not thread-safe (the coordinator is single-threaded).
#ifndef CRAWLER_FRONTIER_REDIS_FRONTIER_H_
#define CRAWLER_FRONTIER_REDIS_FRONTIER_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "crawler/base/clock.h"
#include "crawler/base/status.h"
#include "crawler/frontier/frontier.h"
#include "crawler/frontier/frontier_options.h"
#include "crawler/frontier/seen_set.h"
#include "crawler/redis/redis_client.h"

namespace crawler::frontier {

struct RedisFrontierOptions {
  // The crawl's name: the key prefix is "crawler:{crawl_name}:". Nodes of
  // one crawl use the same name; another name is another crawl.
  std::string crawl_name = "crawl";
  // This node's id in Redis; "" = hostname-pid-random.
  std::string node_id;

  // --- Leases ---
  // A host lease lasts this long after its last renewal (Redis time). A
  // dead node's hosts and in-flight URLs return to the queue this long
  // after its last maintenance.
  int host_lease_ms = 30000;
  // Renewal of the held hosts, reaping of expired leases, this node's
  // heartbeat and a refresh of the crawl-wide counters: one round trip this
  // often (while the coordinator calls Lease, NextReady or Acquire).
  int maintenance_interval_ms = 1000;
  // Hosts this node holds at most.
  int max_held_hosts = 64;
  // Hosts taken per round trip when the node needs more.
  int take_batch = 8;
  // URLs pulled per host and round trip.
  int pull_batch = 32;
  // A held host with nothing to do (nothing pulled, in flight or waiting
  // for a retry) is given back after this long.
  int release_idle_ms = 2000;
  // When this node has nothing to lease, it looks for new hosts or URLs in
  // Redis at most this often.
  int idle_poll_ms = 100;
  // A host found held by another node is not asked for again (Acquire)
  // for this long.
  int held_elsewhere_recheck_ms = 1000;

  // --- Batching of Add() and MarkSeen() ---
  // Operations sent per round trip at most; a batch this big is sent at
  // once.
  int add_batch = 256;
  // A batch is sent when its oldest operation is this old (checked on the
  // next call).
  int add_batch_ms = 5;
  // Operations kept while Redis is unavailable; beyond this, new ones are
  // dropped (counted in stats().ops_dropped).
  size_t max_pending_ops = 1000000;

  // --- Seen-set layout ---
  // The seen-set and the done-set are split into 2^bits sets by the top
  // bits of the fingerprint (1..32). Each stays a compact intset while it
  // has at most 512 members: choose bits near log2(expected URLs / 256).
  int seen_bucket_bits = 16;

  // --- Connection ---
  redis::HiredisClient::Options connection;
};

// Counters of this node's work, for tests, benchmarks and logs.
struct RedisFrontierStats {
  uint64_t ops_sent = 0;        // Add/MarkSeen/Done operations sent.
  uint64_t remote_seen = 0;     // Add()s that Redis found already seen.
  uint64_t capped = 0;          // Add()s refused by a per-host/per-path cap.
  uint64_t ops_dropped = 0;     // Operations dropped (max_pending_ops).
  uint64_t hosts_taken = 0;     // Host leases taken.
  uint64_t hosts_released = 0;  // Host leases given back.
  uint64_t hosts_lost = 0;      // Host leases found expired at renewal.
  uint64_t hosts_reaped = 0;    // Expired leases of other nodes reaped.
  uint64_t urls_pulled = 0;     // URLs pulled from Redis.
  uint64_t round_trips = 0;     // Round trips to Redis.
};

// The crawl-wide progress, read by ReadFrontierProgress().
struct FrontierProgress {
  int64_t queued = 0;        // URLs in the host queues.
  int64_t in_flight = 0;     // URLs pulled by a node and not done.
  int64_t seen = 0;          // URLs accepted (the seen-set's size).
  int64_t done = 0;          // URLs recorded (ClaimRecord true).
  int64_t pages_leased = 0;  // The ReservePage counter.
  int64_t hosts_queued = 0;  // Hosts with queued URLs and no holder.
  int64_t hosts_held = 0;    // Hosts leased by a node.
  struct Node {
    std::string id;
    int64_t last_seen_ms_ago = 0;  // Since its last maintenance.
    int64_t held_hosts = 0;
    int64_t in_flight = 0;  // Leased to its coordinator, not yet Done.
    int64_t records = 0;    // ClaimRecord()s that returned true.
  };
  std::vector<Node> nodes;  // Sorted by id.
};

// Reads the progress of the crawl `crawl_name` (one round trip). Fails
// with the client's error (kUnavailable when Redis is unreachable).
StatusOr<FrontierProgress> ReadFrontierProgress(redis::RedisClient& client,
                                                const std::string& crawl_name);

class RedisFrontier : public Frontier {
 public:
  // Connects to `url` (redis://host[:port][/db]). Fails with
  // kInvalidArgument for a bad URL or bad options, kUnavailable when Redis
  // cannot be reached now. `clock` must outlive the frontier.
  static StatusOr<std::unique_ptr<RedisFrontier>> Create(
      const std::string& url, const FrontierOptions& options,
      const RedisFrontierOptions& redis_options, const Clock& clock);
  // Over any client (does not connect). REQUIRES: valid options
  // (seen_bucket_bits 1..32). `clock` must outlive the frontier.
  RedisFrontier(std::unique_ptr<redis::RedisClient> client,
                const FrontierOptions& options,
                const RedisFrontierOptions& redis_options, const Clock& clock);
  // Sends what is queued and gives back every held host: their pulled and
  // leased URLs that are not Done() go back to the queues. Errors are
  // ignored (the leases then expire).
  ~RedisFrontier() override;
  RedisFrontier(const RedisFrontier&) = delete;
  RedisFrontier& operator=(const RedisFrontier&) = delete;

  // --- Frontier ---
  AddResult Add(CrawlItem item) override;
  void MarkSeen(const std::string& url) override;
  bool Contains(const std::string& url) const override;
  bool QueuedDeeper(const std::string&, int) const override { return false; }
  // A leased URL to try again no earlier than `not_before`: it waits on
  // this node (still in flight in Redis, under the host's lease). If the
  // host's lease was lost meanwhile, it is forgotten here: the reaper has
  // already put it back in the queue.
  void Retry(CrawlItem item, SteadyTime not_before) override;
  std::optional<CrawlItem> Lease(SteadyTime now,
                                 const LeaseFilter& filter = {}) override;
  std::optional<SteadyTime> NextReady() const override;
  void Release(const std::string& host, const HostFeedback& feedback,
               SteadyTime now) override;
  // Takes the host's lease first when no node holds it (one round trip);
  // false when another node holds it (asked again after
  // held_elsewhere_recheck_ms), when this node already holds
  // max_held_hosts hosts, or Redis is unavailable.
  bool Acquire(const std::string& host, SteadyTime now) override;
  void Block(const std::string& host) override;
  void Unblock(const std::string& host) override;
  void SetCrawlDelay(const std::string& host, double seconds) override;
  size_t queued() const override;
  size_t seen() const override;
  // Bytes per URL of this node's local cache of seen fingerprints (the
  // Redis seen-set's figure is in docs/redis.md).
  double seen_bytes_per_url() const override { return known_.bytes_per_url(); }
  std::vector<std::pair<std::string, size_t>> LongestQueues(
      size_t n, size_t* queued_hosts) const override;

  // --- For the coordinator of a shared crawl ---
  // Claims the right to record `url`: true only the first time across all
  // nodes (an atomic SADD on the crawl's done-set), false when some node
  // claimed it before. Call it just before writing the URL's record and
  // write only on true. One round trip. Fails with kUnavailable when Redis
  // is unreachable (write nothing then; retry later). Idempotent for this
  // node: after a call that got no reply (its SADD may have been applied),
  // the next call for the URL is true if this node's claim is among its
  // last 4096 (key cl:NODE).
  StatusOr<bool> ClaimRecord(const std::string& url) override;
  // Ends a leased URL: it leaves the in-flight set (batched with Add()).
  // Call it after the URL's record was written and its links were Add()ed.
  // A URL not leased through this object is ignored.
  void Done(const std::string& url) override;
  // Counts one more page leased crawl-wide unless `max_pages` (> 0) pages
  // already were: true when counted. One round trip.
  StatusOr<bool> ReservePage(int64_t max_pages) override;
  // Gives one page back (a retry, or a reservation not used). One round
  // trip; an error is kept in health() (the count stays one too high).
  void ReturnPage() override;
  // The same, with its error.
  Status TryReturnPage();
  // The crawl-wide count of leased pages. One round trip.
  StatusOr<int64_t> pages_leased();

  // Sends every queued operation now. Fails with the client's error (the
  // operations stay queued).
  Status Flush();
  // OK, or the last failure talking to Redis (kUnavailable while it is
  // unreachable). The coordinator pauses and reports while it is not OK.
  Status health() const override;
  bool shared() const override { return true; }
  const std::string& node_id() const { return node_id_; }
  const std::string& key_prefix() const { return prefix_; }
  RedisFrontierStats stats() const;

  // Drops the connection and all local state without telling Redis, as
  // if the node had been killed: its leases expire on their own.
  void AbandonForTesting();

 private:
  struct Pulled {
    CrawlItem item;
    std::string member;  // Its member in the Redis queue / in-flight hash.
  };
  struct Host {
    bool held = false;
    std::deque<Pulled> buffer;  // Pulled, not yet leased; in score order.
    bool more = false;          // Redis had more queued at the last pull.
    int in_flight = 0;          // Leased or Acquire()d, not Release()d.
    int delayed = 0;            // Retries waiting on this node.
    int leased = 0;             // Leased to the coordinator, not Done().
    bool blocked = false;
    SteadyTime next_allowed{};
    double crawl_delay_s = 0;
    double last_response_s = 0;
    SteadyTime last_end{};
    SteadyTime last_pull{};
    SteadyTime idle_since{};
    SteadyTime elsewhere_until{};  // Held by another node until then.
  };
  struct Op {
    char kind;  // 'A' add, 'M' mark seen, 'D' done.
    std::string bucket;
    std::string fpm;
    std::string host;
    std::string qv;  // Fingerprint of the URL up to its '?', or "".
    std::string depth;
    std::string member;
  };
  struct Delayed {
    SteadyTime not_before;
    uint64_t seq;
    Pulled pulled;
  };
  struct Leased {
    std::string host;
    std::string member;
  };
  struct Counters {
    int64_t queued = 0, in_flight = 0, seen = 0, done = 0;
  };

  // Splits the fingerprint of `url` into its bucket (hex) and member.
  void Split(const std::string& url, std::string* bucket,
             std::string* fpm) const;
  std::string Member(const CrawlItem& item, const std::string& bucket,
                     const std::string& fpm) const;
  bool ParseMember(const std::string& host, const std::string& member,
                   CrawlItem* item) const;
  void Queue(Op op);
  // Sends the queued operations; errors go to health_.
  Status FlushOps() const;
  // Sends queued Add()s (and Done()s add_batch_ms old), promotes due
  // retries, and maintains when due.
  void Tick(SteadyTime now) const;
  // One round trip: gives back idle hosts (idle for release_idle_ms, or
  // all idle ones with `release_all_idle`), renews the others, reaps
  // expired leases, and refreshes the crawl-wide counters.
  Status Maintain(SteadyTime now, bool release_all_idle = false) const;
  // Nothing pulled, in flight, leased or waiting for a retry.
  bool Idle(const Host& host) const;
  // Takes up to `n` hosts with queued URLs; the number taken.
  int TakeHosts(SteadyTime now, int n);
  // Takes `host` if no node holds it; false if another does.
  StatusOr<bool> TakeHost(const std::string& host, SteadyTime now);
  // Pulls URLs of held hosts that ran out.
  int PullHosts(SteadyTime now);
  // Handles one host of a take/pull reply: {host, wait_ms, more, members}.
  void Received(const std::string& host, int64_t wait_ms, bool more,
                const redis::Reply& members, SteadyTime now) const;
  void Lost(const std::string& host) const;
  Duration Interval(const Host& host) const;
  bool Ready(const Host& host, SteadyTime now) const;
  void Fail(const Status& s) const;

  // mutable: NextReady() and the other const calls flush and maintain.
  mutable std::unique_ptr<redis::RedisClient> client_;
  FrontierOptions options_;
  RedisFrontierOptions redis_options_;
  const Clock& clock_;
  std::string node_id_;
  std::string prefix_;

  mutable std::unordered_map<std::string, Host> hosts_;
  mutable std::vector<Op> pending_;
  mutable SteadyTime pending_since_{};
  mutable size_t pending_adds_ = 0;       // Operations in pending_ but Done()s.
  mutable std::vector<Delayed> delayed_;  // A heap, earliest first.
  mutable uint64_t delayed_seq_ = 0;
  mutable std::unordered_map<std::string, Leased> leased_;  // By URL.
  // URLs whose last ClaimRecord() got no reply (it may have been applied).
  std::unordered_set<std::string> unknown_claims_;
  SeenSet known_;  // Fingerprints known to be seen crawl-wide.
  mutable Counters counters_;
  mutable int64_t hosts_queued_ = 0;
  mutable bool counters_known_ = false;
  mutable SteadyTime counters_at_{};
  mutable SteadyTime next_maintenance_{};
  mutable SteadyTime next_take_{};
  mutable Status health_;
  mutable RedisFrontierStats stats_;
};

}  // namespace crawler::frontier

#endif  // CRAWLER_FRONTIER_REDIS_FRONTIER_H_
