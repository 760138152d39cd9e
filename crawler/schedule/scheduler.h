// The loop of `crawler schedule`: start a run at each time a cron
// expression names, one run at a time, until told to stop (issue 6).
//
// Runs never overlap: the next run time is computed when a run ends, from
// the later of its end and its scheduled time, so the times that passed
// while it ran are skipped (and counted in a message), as a crontab entry
// guarded by a lock would skip them. A stop request (SIGTERM, SIGINT) while
// waiting ends the loop at once; during a run it is passed on to the run
// (which stops gracefully and keeps its state) and the loop ends when the
// run has.
//
// Every side effect (time, sleeping, starting a run, messages) goes
// through ScheduleHost, so the loop is tested with a fake clock.
//
// Thread-safety: RunSchedule runs on the caller's thread; the host is only
// called from it.
#ifndef CRAWLER_SCHEDULE_SCHEDULER_H_
#define CRAWLER_SCHEDULE_SCHEDULER_H_

#include <cstdint>
#include <string>

#include "crawler/schedule/cron.h"

namespace crawler::schedule {

// What the loop needs from the world.
class ScheduleHost {
 public:
  virtual ~ScheduleHost() = default;
  // Wall-clock time, Unix seconds.
  virtual int64_t NowUnixSeconds() = 0;
  // Waits until NowUnixSeconds() >= unix_s, or a stop request; returns
  // false when a stop was requested (before or during the wait). Must
  // re-read the clock while waiting, so that a clock set forward (NTP,
  // suspend) does not delay the run.
  virtual bool SleepUntil(int64_t unix_s) = 0;
  // Runs one crawl to its end and returns its exit status. A stop request
  // during the run is passed on to it; the call still waits for its end.
  virtual int RunOnce(int64_t scheduled_unix_s) = 0;
  // Whether a stop was requested.
  virtual bool StopRequested() = 0;
  // One line for the scheduler's log.
  virtual void Log(const std::string& line) = 0;
};

struct SchedulerOptions {
  // Start the first run at once, then follow the schedule.
  bool run_now = false;
  // End after this many runs (0: never, until a stop request).
  int max_runs = 0;
};

// How the loop ended.
struct ScheduleResult {
  int runs = 0;            // Runs started.
  int skipped = 0;         // Scheduled times skipped while a run went on.
  int last_exit_code = 0;  // Of the last run; 0 if none ran.
  bool stopped = false;    // Ended by a stop request.
};

// Runs the loop. Times are `cron`'s civil times in `zone`. Returns when a
// stop was requested or after options.max_runs runs; fails (kInternal)
// only when `cron` has no next time (a zone whose clock never reaches one).
StatusOr<ScheduleResult> RunSchedule(const CronExpression& cron,
                                     const TimeZone& zone,
                                     const SchedulerOptions& options,
                                     ScheduleHost& host);

// "2026-11-26 02:30:00 +0100" in `zone` (for messages).
std::string FormatLocalTime(int64_t unix_s, const TimeZone& zone);

}  // namespace crawler::schedule

#endif  // CRAWLER_SCHEDULE_SCHEDULER_H_
