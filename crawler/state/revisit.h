// Revisit policy of incremental re-crawls: what a fetch says about a URL
// fetched before (new, changed, unchanged, gone), and when to fetch it
// again. Pure functions of their inputs: no I/O, no clock.
//
// The interval adapts per URL in the spirit of Nutch's
// AdaptiveFetchSchedule: a page found unchanged is revisited
// (1 + inc_rate) times later than last time, a changed one (1 - dec_rate)
// times sooner, always within [min_interval_s, max_interval_s]. Intervals
// count from the start of the run that fetched the URL, so a daily cron job
// finds yesterday's pages due however long yesterday's run took.
//
// Thread-safety: plain values and functions.
#ifndef CRAWLER_STATE_REVISIT_H_
#define CRAWLER_STATE_REVISIT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace crawler::state {

struct RevisitOptions {
  // Interval after the first successful fetch of a URL, in seconds.
  double initial_interval_s = 86400;
  // Bounds of the adapted interval, in seconds.
  double min_interval_s = 3600;
  double max_interval_s = 30 * 86400;
  // Unchanged: interval *= 1 + inc_rate. Changed: interval *= 1 - dec_rate.
  double inc_rate = 0.4;
  double dec_rate = 0.2;
};

enum class Change {
  kNone,       // Not judged: a failure, or an answer that says nothing.
  kNew,        // First answer with content (2xx, 3xx) for this URL.
  kChanged,    // 2xx with another content hash, or another 3xx status.
  kUnchanged,  // 304 Not Modified, the same content hash, the same 3xx.
  kGone,       // 404 or 410 where there was content before (or vanished:
               // no longer linked, StateStore::Vanish).
};

// "new", "changed", "unchanged", "gone"; "" for kNone.
std::string_view ChangeName(Change change);

// A run's change report: what it took over from the state, and its records
// by change.
struct ChangeCounts {
  uint64_t resumed = 0;  // URLs left queued by the last run.
  uint64_t due = 0;      // Known URLs due again.
  uint64_t not_due = 0;  // Known URLs not due (not fetched).
  uint64_t new_urls = 0;
  uint64_t changed = 0;
  uint64_t unchanged = 0;
  uint64_t gone = 0;
  // ... of which vanished: not fetched, no longer linked from the seeds
  // (StateStore::Vanish); the others answered 404 or 410.
  uint64_t vanished = 0;

  // Counts one record's change (kNone counts nowhere).
  void Count(Change change);
};

// What the state remembers of a URL's last answer with content.
struct Previous {
  int ok_status = 0;         // Last 2xx or 3xx status; 0: never had content.
  std::string content_hash;  // Of that 2xx body ("sha1:..."); "" if none.
  std::string etag;          // Validators of that answer ("" if none).
  std::string last_modified;
  double interval_s = 0;  // Current revisit interval; 0: none yet.
};

// One fetch's outcome, as the coordinator recorded it.
struct Observation {
  int status = 0;            // HTTP status; 0 when no answer.
  bool error = false;        // The fetch failed (no complete answer).
  std::string content_hash;  // Of the body, for a 2xx; "" if none.
  std::string etag;          // Validators of this answer.
  std::string last_modified;
};

// What to remember after `observed`, and when to fetch again.
struct Verdict {
  Change change = Change::kNone;
  Previous next;          // Becomes the URL's Previous.
  double interval_s = 0;  // next.interval_s.
  double next_due_s = 0;  // Seconds after the run's start.
};

// `previous` is null for a URL never fetched before.
Verdict Judge(const Previous* previous, const Observation& observed,
              const RevisitOptions& options);

// Checks the options: positive bounds, min <= initial <= max, rates in
// [0, 1). Returns "" when fine, else what is wrong.
std::string CheckRevisitOptions(const RevisitOptions& options);

}  // namespace crawler::state

#endif  // CRAWLER_STATE_REVISIT_H_
