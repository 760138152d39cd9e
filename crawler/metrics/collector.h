// MetricsCollector: turns the crawl's records and state into MetricsSnapshot
// values, as a CrawlObserver (coordinator/crawl_observer.h), and hands each
// snapshot to a SnapshotSink (the metrics server process, or a fake).
//
// Counters come from the records (status classes, error classes, the
// latency histogram) and from the crawl's totals; gauges from the crawl's
// periodic state. Memory is bounded: a fixed set of status classes, at most
// MetricsOptions::max_error_classes error classes, the top host queues the
// crawl reports.
//
// Thread-safety: not thread-safe; the coordinator calls it from its thread.
#ifndef CRAWLER_METRICS_COLLECTOR_H_
#define CRAWLER_METRICS_COLLECTOR_H_

#include <cstddef>
#include <map>
#include <string>

#include "crawler/coordinator/crawl_observer.h"
#include "crawler/metrics/snapshot.h"

namespace crawler::metrics {

// Where snapshots go. Publish must not block the crawl for long, and must
// not fail it: a snapshot that cannot be delivered is dropped.
class SnapshotSink {
 public:
  virtual ~SnapshotSink() = default;
  virtual void Publish(const MetricsSnapshot& snapshot) = 0;
};

struct MetricsOptions {
  // Error classes with a label of their own; later ones count as "other".
  size_t max_error_classes = 40;
};

class MetricsCollector : public coordinator::CrawlObserver {
 public:
  // `sink` is not owned and must outlive the collector.
  explicit MetricsCollector(SnapshotSink* sink,
                            const MetricsOptions& options = {});
  MetricsCollector(const MetricsCollector&) = delete;
  MetricsCollector& operator=(const MetricsCollector&) = delete;

  void OnRecord(const ipc::FetchResult& record, coordinator::RecordKind kind,
                int depth, double elapsed_s) override;
  // Updates the snapshot from `state` and publishes it.
  void OnProgress(const coordinator::CrawlState& state) override;

  // The snapshot as of the last call.
  const MetricsSnapshot& snapshot() const { return snapshot_; }

 private:
  SnapshotSink* sink_;
  MetricsOptions options_;
  MetricsSnapshot snapshot_;
  std::map<std::string, uint64_t> errors_by_class_;
};

// The index in kStatusClasses of an HTTP status (0: no answer).
size_t StatusClassIndex(int status);

}  // namespace crawler::metrics

#endif  // CRAWLER_METRICS_COLLECTOR_H_
