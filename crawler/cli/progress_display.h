// ProgressDisplay: a job's progress on stderr, through a log::Console.
//
// Two modes:
// - kStatusLine, when stderr is a terminal: one line kept at the bottom and
//   rewritten in place a few times a second (log lines scroll above it),
//     1234 pages | 85.2/s | 1203 queued | 16 in flight | 3 errors | 12.3 MB |
//     2:05
//   the rate over the last five seconds; erased at the end.
// - kLines, for --progress when stderr is not a terminal (a log, cron): a
//   line every second, "crawler: 1234 pages (1200 ok, 3 errors), 1203
//   queued, ...", and a last one that starts with "done: ".
//
// It is told of progress as a ProgressListener (crawler fetch) or as a
// CrawlObserver (crawler crawl, from CrawlState).
//
// Thread-safety: not thread-safe; called from the job's thread.
#ifndef CRAWLER_CLI_PROGRESS_DISPLAY_H_
#define CRAWLER_CLI_PROGRESS_DISPLAY_H_

#include <deque>
#include <string>
#include <utility>

#include "crawler/base/clock.h"
#include "crawler/coordinator/crawl_observer.h"
#include "crawler/coordinator/progress.h"
#include "crawler/log/console.h"
#include "crawler/mp/shared_stats.h"

namespace crawler::cli {

class ProgressDisplay : public coordinator::ProgressListener,
                        public coordinator::CrawlObserver {
 public:
  enum class Mode {
    kStatusLine,  // A terminal: one line rewritten in place.
    kLines,       // Anything else: a line every so often.
  };

  struct Options {
    Mode mode = Mode::kLines;
    // kStatusLine: seconds between two redraws at most.
    double redraw_interval_s = 0.2;
    // kLines: seconds between two lines.
    double line_interval_s = 1.0;
    // kStatusLine: when the job ends, print the "done: " line after erasing
    // the status line (for a job without a summary of its own: fetch).
    bool final_line = false;
    // Workers' counters shown in kLines (may be null; for the crawl, whose
    // CrawlState does not carry them).
    const mp::SharedStats* stats = nullptr;
  };

  // `console` and `clock` are not owned and must outlive the display.
  ProgressDisplay(log::Console& console, const Clock& clock, Options options);
  ProgressDisplay(const ProgressDisplay&) = delete;
  ProgressDisplay& operator=(const ProgressDisplay&) = delete;

  // coordinator::ProgressListener.
  void OnProgress(const coordinator::ProgressSnapshot& snapshot) override;

  // coordinator::CrawlObserver.
  void OnRecord(const ipc::FetchResult&, coordinator::RecordKind, int,
                double) override {}
  void OnProgress(const coordinator::CrawlState& state) override;

  // The status line for `s`, with `rate` (done per second).
  static std::string StatusLine(const coordinator::ProgressSnapshot& s,
                                double rate);

 private:
  // Done per second over the last few seconds (the job's average until
  // there is enough history).
  double Rate(const coordinator::ProgressSnapshot& s, SteadyTime now);

  log::Console& console_;
  const Clock& clock_;
  Options options_;
  const SteadyTime start_;
  bool drawn_ = false;  // Something was shown since the start.
  SteadyTime last_shown_{};
  std::deque<std::pair<SteadyTime, uint64_t>> history_;  // (time, done).
};

}  // namespace crawler::cli

#endif  // CRAWLER_CLI_PROGRESS_DISPLAY_H_
