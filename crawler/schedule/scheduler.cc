#include "crawler/schedule/scheduler.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace crawler::schedule {

std::string FormatLocalTime(int64_t unix_s, const TimeZone& zone) {
  const int offset = zone.UtcOffsetSeconds(unix_s);
  const time_t shifted = static_cast<time_t>(unix_s + offset);
  struct tm tm {};
  gmtime_r(&shifted, &tm);
  char buf[64];
  const int a = std::abs(offset);
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d %02d:%02d:%02d %c%02d%02d",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec, offset < 0 ? '-' : '+', a / 3600,
                a / 60 % 60);
  return buf;
}

StatusOr<ScheduleResult> RunSchedule(const CronExpression& cron,
                                     const TimeZone& zone,
                                     const SchedulerOptions& options,
                                     ScheduleHost& host) {
  ScheduleResult result;
  auto next_after = [&](int64_t t) -> StatusOr<int64_t> {
    std::optional<int64_t> n = cron.Next(t, zone);
    if (!n) {
      return InternalError("schedule '" + cron.text() +
                           "': no time matches it in the next 8 years");
    }
    return *n;
  };
  int64_t next;
  if (options.run_now) {
    next = host.NowUnixSeconds();
  } else {
    ASSIGN_OR_RETURN(next, next_after(host.NowUnixSeconds()));
  }
  while (true) {
    if (!options.run_now || result.runs > 0) {
      host.Log("next run at " + FormatLocalTime(next, zone));
    }
    if (!host.SleepUntil(next)) {
      result.stopped = true;
      host.Log("stopped (no run in progress)");
      return result;
    }
    ++result.runs;
    const int64_t started = host.NowUnixSeconds();
    host.Log("run " + std::to_string(result.runs) + " starting (scheduled " +
             FormatLocalTime(next, zone) + ")");
    result.last_exit_code = host.RunOnce(next);
    const int64_t ended = host.NowUnixSeconds();
    host.Log("run " + std::to_string(result.runs) + " ended with exit status " +
             std::to_string(result.last_exit_code) + " after " +
             std::to_string(std::max<int64_t>(ended - started, 0)) + " s");
    if (host.StopRequested()) {
      result.stopped = true;
      host.Log("stopped (after the run in progress)");
      return result;
    }
    if (options.max_runs > 0 && result.runs >= options.max_runs) {
      return result;
    }
    // No overlap: times that passed during the run are skipped.
    ASSIGN_OR_RETURN(int64_t n, next_after(std::max(next, started)));
    int skipped = 0;
    while (n <= ended && skipped < 100000) {
      ++skipped;
      ASSIGN_OR_RETURN(n, next_after(n));
    }
    if (skipped > 0) {
      result.skipped += skipped;
      host.Log("skipped " + std::to_string(skipped) + " scheduled run" +
               (skipped == 1 ? "" : "s") +
               " while the previous one was still going (runs never "
               "overlap)");
    }
    next = n;
  }
}

}  // namespace crawler::schedule
