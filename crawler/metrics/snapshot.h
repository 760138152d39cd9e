// MetricsSnapshot: the figures `/metrics` and `/status` serve, as the
// coordinator sends them to the metrics server process a few times a second
// (metrics_server.h), encoded with mp/wire.h.
//
// Label cardinality is bounded by construction: status classes are fixed,
// error classes are capped (MetricsOptions::max_error_classes, the rest in
// "other") and host queues are the top N plus one "other" entry.
#ifndef CRAWLER_METRICS_SNAPSHOT_H_
#define CRAWLER_METRICS_SNAPSHOT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crawler/base/status.h"

namespace crawler::metrics {

// Status classes of fetched records, in label order. "none": no HTTP answer
// (a fetch error); "other": a status outside 100-599.
inline constexpr const char* kStatusClasses[] = {"1xx", "2xx",  "3xx",  "4xx",
                                                 "5xx", "none", "other"};
inline constexpr size_t kStatusClassCount = 7;

// Upper bounds (seconds) of the fetch latency histogram's buckets; the last,
// +Inf, bucket is implicit.
inline constexpr double kLatencyBounds[] = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
inline constexpr size_t kLatencyBoundCount = 13;

struct NamedCount {
  std::string name;
  uint64_t value = 0;
};

struct MetricsSnapshot {
  // "starting" (no crawl state yet), "running", "stopping" (a limit or a
  // signal stopped leasing; requests in flight finish) or "done".
  std::string state = "starting";
  std::string stop_reason;  // Set once stopping.
  double elapsed_s = 0;

  // Counters.
  uint64_t pages_by_class[kStatusClassCount] = {};  // Fetched records.
  uint64_t ok = 0;         // Fetched records without an error.
  uint64_t errors = 0;     // Records with an error (crawl summary's count).
  uint64_t unfetched = 0;  // Records of URLs dropped without a fetch.
  std::vector<NamedCount> errors_by_class;  // All records with an error.
  uint64_t bytes = 0;                       // Body bytes received.
  uint64_t retries = 0;
  uint64_t robots_fetches = 0;
  uint64_t robots_blocked = 0;  // URLs skipped because of robots.txt.
  uint64_t worker_restarts = 0;
  uint64_t accepted = 0;  // URLs accepted into the frontier.

  // Gauges.
  uint64_t queued = 0;
  uint64_t in_flight = 0;
  uint64_t queued_hosts = 0;            // Hosts with a URL queued.
  std::vector<NamedCount> host_queues;  // The longest, by origin.
  uint64_t other_hosts_queued = 0;      // URLs queued at every other host.
  uint64_t robots_ready = 0;
  uint64_t robots_pending = 0;
  uint64_t robots_unreachable = 0;

  // Fetch latency histogram (transfer time of fetched records): counts per
  // bucket of kLatencyBounds, not cumulative, plus the +Inf bucket last.
  uint64_t latency_buckets[kLatencyBoundCount + 1] = {};
  double latency_sum_s = 0;
  uint64_t latency_count = 0;
};

std::string EncodeSnapshot(const MetricsSnapshot& snapshot);
// Fails with DataLoss on a malformed message.
Status DecodeSnapshot(std::string_view data, MetricsSnapshot* snapshot);

}  // namespace crawler::metrics

#endif  // CRAWLER_METRICS_SNAPSHOT_H_
