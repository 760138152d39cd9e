// Progress of a running job, for a status line: a ProgressSnapshot of the
// job's counters, handed to a ProgressListener every so often and once at
// the end (FetchJobOptions::progress_listener; a crawl tells its
// CrawlObservers, from whose CrawlState the CLI builds the same snapshot).
//
// The job only counts; how progress looks (a line rewritten in place on a
// terminal, a line a second elsewhere) is the listener's business.
//
// Thread-safety: a snapshot is a value; listeners are called from the job's
// thread.
#ifndef CRAWLER_COORDINATOR_PROGRESS_H_
#define CRAWLER_COORDINATOR_PROGRESS_H_

#include <cstdint>
#include <string>

namespace crawler::coordinator {

struct ProgressSnapshot {
  // What `done` counts: "pages" (crawl) or "URLs" (fetch).
  std::string unit = "pages";
  uint64_t done = 0;     // Records of fetched URLs.
  uint64_t ok = 0;       // ... without an error.
  uint64_t errors = 0;   // ... with an error (skips excluded).
  uint64_t skipped = 0;  // ... skipped_content_type: not an error.
  uint64_t bytes = 0;    // Body bytes of those records.
  // URLs waiting to be fetched; -1 when the job cannot know (fetch reads
  // its input lazily).
  int64_t queued = -1;
  uint64_t in_flight = 0;  // Requests the workers hold.
  // URLs accepted into the crawl so far; -1 for fetch.
  int64_t seen = -1;
  double elapsed_s = 0;
  // The workers' own counters: ", 12.3 MB received, 456 pages parsed
  // (0.61 ms each)", or "" (WorkerStatsLine).
  std::string workers;
  // Why the job is stopping ("interrupted", "max_pages"...); "" while it
  // runs on.
  std::string stopping;
  bool final = false;  // The last snapshot, after the job ended.
};

class ProgressListener {
 public:
  virtual ~ProgressListener() = default;
  virtual void OnProgress(const ProgressSnapshot& snapshot) = 0;
};

// The snapshot as one line of text, e.g. "done: 21 URLs (21 ok, 0 errors),
// 0 in flight, 0.4 s, 52 URLs/s, ...": what a job given no listener logs.
std::string FormatProgressLine(const ProgressSnapshot& snapshot);

}  // namespace crawler::coordinator

#endif  // CRAWLER_COORDINATOR_PROGRESS_H_
