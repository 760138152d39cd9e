#include "crawler/metrics/collector.h"

#include <algorithm>

#include "crawler/coordinator/crawl_job.h"

namespace crawler::metrics {

size_t StatusClassIndex(int status) {
  if (status == 0) return 5;                     // none
  if (status < 100 || status > 599) return 6;    // other
  return static_cast<size_t>(status / 100 - 1);  // 1xx..5xx
}

MetricsCollector::MetricsCollector(SnapshotSink* sink,
                                   const MetricsOptions& options)
    : sink_(sink), options_(options) {}

void MetricsCollector::OnRecord(const ipc::FetchResult& r,
                                coordinator::RecordKind kind, int depth,
                                double elapsed_s) {
  (void)depth;
  (void)elapsed_s;
  if (kind == coordinator::RecordKind::kFetched) {
    ++snapshot_.pages_by_class[StatusClassIndex(r.status)];
    const double seconds = std::max<int64_t>(0, r.elapsed_ms) / 1000.0;
    size_t bucket = 0;
    while (bucket < kLatencyBoundCount && seconds > kLatencyBounds[bucket]) {
      ++bucket;
    }
    ++snapshot_.latency_buckets[bucket];
    snapshot_.latency_sum_s += seconds;
    ++snapshot_.latency_count;
  }
  if (!r.error.empty()) {
    std::string name = r.error_class.empty() ? "other" : r.error_class;
    auto it = errors_by_class_.find(name);
    if (it == errors_by_class_.end() &&
        errors_by_class_.size() >= options_.max_error_classes) {
      name = "other";
    }
    ++errors_by_class_[name];
  }
}

void MetricsCollector::OnProgress(const coordinator::CrawlState& state) {
  MetricsSnapshot& s = snapshot_;
  const coordinator::CrawlSummary& totals = *state.totals;
  s.state = state.final ? "done" : state.stopping ? "stopping" : "running";
  s.stop_reason = state.final || state.stopping ? totals.stop_reason : "";
  s.elapsed_s = state.elapsed_s;
  s.ok = totals.ok;
  s.errors = totals.errors;
  s.unfetched = totals.unfetched;
  s.bytes = totals.bytes;
  s.retries = totals.retries;
  s.robots_fetches = totals.robots_fetches;
  s.robots_blocked = totals.skipped_robots;
  s.worker_restarts = state.worker_restarts;
  s.accepted = state.seen;
  s.queued = state.queued;
  s.in_flight = state.in_flight;
  s.queued_hosts = state.queued_hosts;
  s.host_queues.clear();
  uint64_t listed = 0;
  for (const coordinator::HostQueue& q : state.top_queues) {
    s.host_queues.push_back({q.origin, q.queued});
    listed += q.queued;
  }
  // The frontier's count also holds URLs waiting for a retry.
  s.other_hosts_queued = state.queued > listed ? state.queued - listed : 0;
  s.robots_ready = state.robots_ready;
  s.robots_pending = state.robots_pending;
  s.robots_unreachable = state.robots_unreachable;
  s.errors_by_class.clear();
  for (const auto& [name, count] : errors_by_class_) {
    s.errors_by_class.push_back({name, count});
  }
  if (sink_ != nullptr) sink_->Publish(s);
}

}  // namespace crawler::metrics
