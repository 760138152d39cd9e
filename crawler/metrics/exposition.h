// The bodies of the metrics server's two pages, rendered from a snapshot.
//
// RenderPrometheus: the Prometheus text exposition format, version 0.0.4
// (served as "text/plain; version=0.0.4; charset=utf-8"): for each metric
// family a "# HELP" and a "# TYPE" line, then its samples, one per line;
// counters are named *_total; the fetch latency histogram has cumulative
// *_bucket{le="..."} samples ending with le="+Inf", then *_sum and *_count.
// Label values escape backslash, double quote and line feed; bytes outside
// printable ASCII become '?'. The metric list is in docs/operations.md.
//
// RenderStatusJson: the same figures as one JSON object, for people and
// scripts (`/status`).
//
// `snapshot_age_s`: seconds since the coordinator sent the snapshot.
//
// Pure. Thread-safety: pure functions.
#ifndef CRAWLER_METRICS_EXPOSITION_H_
#define CRAWLER_METRICS_EXPOSITION_H_

#include <string>

#include "crawler/metrics/snapshot.h"

namespace crawler::metrics {

inline constexpr char kPrometheusContentType[] =
    "text/plain; version=0.0.4; charset=utf-8";

std::string RenderPrometheus(const MetricsSnapshot& snapshot,
                             double snapshot_age_s);

std::string RenderStatusJson(const MetricsSnapshot& snapshot,
                             double snapshot_age_s);

}  // namespace crawler::metrics

#endif  // CRAWLER_METRICS_EXPOSITION_H_
