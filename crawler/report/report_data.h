// ReportData: everything the crawl report (`--report FILE.html`) shows, as
// plain values. ReportCollector (collector.h) fills it from a crawl's
// records; RenderReport (render.h) turns it into HTML. Its size is bounded
// whatever the crawl's size: the lists are capped by ReportOptions.
//
// Strings come from the web (URLs, content types, error messages) and are
// kept as they arrived, cut to ReportOptions::max_string_bytes; the renderer
// escapes them.
#ifndef CRAWLER_REPORT_REPORT_DATA_H_
#define CRAWLER_REPORT_REPORT_DATA_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crawler/state/revisit.h"

namespace crawler::report {

// A label and how many records had it.
struct CountRow {
  std::string label;
  uint64_t count = 0;
};

struct StatusRow {
  // HTTP status; 0: no response (a fetch error); -1: any other status, once
  // ReportOptions::max_statuses distinct ones were counted.
  int status = 0;
  uint64_t count = 0;
};

struct SlowPage {
  std::string url;
  int64_t elapsed_ms = 0;
  int status = 0;           // 0: no response.
  std::string error_class;  // Empty when the fetch succeeded.
};

struct ErrorExample {
  std::string url;
  std::string message;  // The record's error field.
};

struct ErrorRow {
  std::string error_class;  // "timeout", "blocked_by_robots", ...
  uint64_t count = 0;
  std::vector<ErrorExample> examples;  // The first few seen.
};

struct ReportData {
  // Shown as the page's title and heading, e.g. "Crawl of https://a/".
  std::string title = "Crawl report";
  // When the report was written, as text (e.g. "2026-11-25 10:00:00 UTC").
  std::string generated_at;
  // Seeds as given (the first few) and how many there were.
  std::vector<std::string> seeds;
  uint64_t seed_count = 0;

  // Totals, as in the crawl's summary line.
  uint64_t pages = 0;      // Records of fetched URLs.
  uint64_t ok = 0;         // ... without an error.
  uint64_t errors = 0;     // ... with an error, and refused seeds.
  uint64_t unfetched = 0;  // Records of URLs dropped without a fetch.
  uint64_t bytes = 0;      // Body bytes received.
  uint64_t retries = 0;
  uint64_t robots_fetches = 0;
  uint64_t worker_restarts = 0;
  uint64_t seen = 0;  // URLs accepted into the frontier.
  double seconds = 0;
  std::string stop_reason;  // "done", "max_pages", "interrupted", ...

  // With a crawl state (--state): the change report (docs/state.md).
  std::optional<state::ChangeCounts> changes;

  // Fetched records per time bucket of bucket_seconds, from the start.
  double bucket_seconds = 1;
  std::vector<uint64_t> pages_per_bucket;

  // Fetched records by HTTP status, in status order.
  std::vector<StatusRow> statuses;
  // Answered records by media type (lower case, no parameters; "(none)"
  // without a Content-Type), most first; "(other)" last when types had to
  // be merged to stay within the cap.
  std::vector<CountRow> content_types;
  // Records by depth: depths[d] records at depth d. When depth_capped, the
  // last entry counts that depth and every deeper one.
  std::vector<uint64_t> depths;
  bool depth_capped = false;
  // Hosts (origins) with the most fetched records, most first. When
  // hosts_approximate, there were more hosts than the collector tracks and
  // each count may be too high by at most host_count_error.
  std::vector<CountRow> top_hosts;
  bool hosts_approximate = false;
  uint64_t host_count_error = 0;
  // The slowest fetches, slowest first.
  std::vector<SlowPage> slowest;
  // Records with an error, by class, most first.
  std::vector<ErrorRow> errors_by_class;
};

}  // namespace crawler::report

#endif  // CRAWLER_REPORT_REPORT_DATA_H_
