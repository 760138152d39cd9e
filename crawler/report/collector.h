// ReportCollector: gathers the figures of the crawl report while the crawl
// runs, as a CrawlObserver (coordinator/crawl_observer.h) of its records.
//
// Memory is bounded whatever the crawl's size: pages over time are counted
// in at most ReportOptions::max_time_buckets buckets (neighbours are merged,
// doubling the bucket width, when the crawl outlasts them); hosts and
// content types are counted with the Space-Saving algorithm (Metwally,
// Agrawal, El Abbadi, "Efficient Computation of Frequent and Top-k Elements
// in Data Streams", 2005) in a fixed number of counters, exact as long as
// there are no more distinct values than counters; the slowest pages are a
// bounded heap; each error class keeps a count and a few examples; strings
// are cut to max_string_bytes.
//
// Pure: no I/O, no clock (times come with the records).
//
// Thread-safety: not thread-safe; the coordinator calls it from its thread.
#ifndef CRAWLER_REPORT_COLLECTOR_H_
#define CRAWLER_REPORT_COLLECTOR_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crawler/coordinator/crawl_observer.h"
#include "crawler/report/report_data.h"

namespace crawler::report {

struct ReportOptions {
  // Time buckets of the pages-per-second chart kept at most: a 30 s crawl
  // is drawn in 0.25 s steps, an hour-long one in 32 s steps.
  size_t max_time_buckets = 120;
  // Width of a time bucket at the start, in seconds.
  double initial_bucket_seconds = 0.25;
  // Hosts counted (Space-Saving counters) and hosts shown.
  size_t host_counters = 1000;
  size_t top_hosts = 20;
  // Content types counted and shown (the rest are "(other)").
  size_t content_type_counters = 200;
  size_t top_content_types = 12;
  // Distinct HTTP statuses counted one by one; once there are this many,
  // records with yet another status are counted as status -1 ("other").
  size_t max_statuses = 100;
  // Slowest fetches shown.
  size_t slowest_pages = 20;
  // Error classes kept (the rest count as "other") and examples per class.
  size_t max_error_classes = 50;
  size_t examples_per_error = 3;
  // Depths counted one by one; deeper records share the last bucket.
  int max_depth_bucket = 100;
  // URLs and messages are cut to this many bytes (at a character boundary).
  size_t max_string_bytes = 300;
  // Seeds listed in the report.
  size_t max_seeds = 10;
};

class ReportCollector : public coordinator::CrawlObserver {
 public:
  explicit ReportCollector(const ReportOptions& options = {});
  ~ReportCollector() override;
  ReportCollector(const ReportCollector&) = delete;
  ReportCollector& operator=(const ReportCollector&) = delete;

  // The seeds as given on the command line (or in the crawl file).
  void SetSeeds(const std::vector<std::string>& seeds);

  void OnRecord(const ipc::FetchResult& record, coordinator::RecordKind kind,
                int depth, double elapsed_s) override;
  // Keeps the totals of the last state (stop reason, counts, duration).
  void OnProgress(const coordinator::CrawlState& state) override;

  // The report's figures so far. `generated_at` is shown as is.
  ReportData Data(const std::string& generated_at) const;

  // A failure that ended the crawl, shown as its stop reason.
  void SetFailure(const std::string& message);

 private:
  class TopCounter;  // Space-Saving.

  void CountTime(double elapsed_s);

  ReportOptions options_;
  std::vector<std::string> seeds_;
  uint64_t seed_count_ = 0;
  double bucket_seconds_;
  std::vector<uint64_t> buckets_;
  std::map<int, uint64_t> statuses_;
  std::unique_ptr<TopCounter> content_types_;
  std::unique_ptr<TopCounter> hosts_;
  std::vector<uint64_t> depths_;
  std::vector<SlowPage> slowest_;  // A min-heap on elapsed_ms.
  std::map<std::string, ErrorRow> errors_;
  // From the last CrawlState.
  uint64_t retries_ = 0;
  uint64_t robots_fetches_ = 0;
  uint64_t worker_restarts_ = 0;
  uint64_t seen_ = 0;
  std::optional<state::ChangeCounts> changes_;
  std::string stop_reason_;
  uint64_t pages_ = 0;
  uint64_t ok_ = 0;
  uint64_t errors_total_ = 0;
  uint64_t unfetched_ = 0;
  uint64_t bytes_ = 0;
  double last_elapsed_s_ = 0;
  std::string failure_;
};

// "scheme://host[:port]" of an absolute URL, without userinfo; the URL
// itself when it has no "://".
std::string OriginOf(const std::string& url);

// A Content-Type as a media type: lower case, parameters and spaces removed;
// "(none)" when empty.
std::string MediaType(const std::string& content_type);

}  // namespace crawler::report

#endif  // CRAWLER_REPORT_COLLECTOR_H_
