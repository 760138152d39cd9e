// Cron expressions: when `crawler schedule` starts a run, and what
// `crawler cron` checks before it prints a crontab line (issue 6).
//
// The syntax is crontab(5)'s five fields, separated by blanks:
//
//   minute (0-59)  hour (0-23)  day-of-month (1-31)  month (1-12 or
//   jan-dec)  day-of-week (0-7 or sun-sat; 0 and 7 are Sunday)
//
// Each field is `*` or a comma-separated list of items; an item is a value,
// a range `a-b` (a <= b), `*`, either followed by an optional step `/n`
// (n >= 1); `a/n` means `a-MAX/n`. Names (three letters, any case) are
// accepted in the month and day-of-week fields, also in ranges ("mon-fri").
// The macros @yearly (= @annually), @monthly, @weekly, @daily (=
// @midnight) and @hourly stand for their usual expansions; @reboot is
// refused (there is no "boot" for a crawl file).
//
// Day-of-month and day-of-week (crontab(5)): when both fields are
// restricted (neither starts with `*`), a day matches if EITHER matches;
// when one starts with `*`, a day must match both (i.e. the other one).
//
// Time zones and daylight saving: times are the civil (wall-clock) times
// of a TimeZone. A matching civil time that does not exist that day (it
// falls in the hour skipped when clocks go forward) runs at the first
// instant after the gap, once; a civil time that happens twice (the hour
// repeated when clocks go back) runs at its first occurrence only. This is
// what Debian's cron does for jobs at fixed times.
//
// Parsing and Next() are pure functions of their inputs (the TimeZone is
// an input); thread-safe once built.
#ifndef CRAWLER_SCHEDULE_CRON_H_
#define CRAWLER_SCHEDULE_CRON_H_

#include <bitset>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "crawler/base/status.h"

namespace crawler::schedule {

// A time zone: the offset from UTC in effect at each instant.
class TimeZone {
 public:
  virtual ~TimeZone() = default;
  // Seconds east of UTC in effect at `unix_s` (-18000 for New York in
  // winter, -14400 in summer).
  virtual int UtcOffsetSeconds(int64_t unix_s) const = 0;
};

// The process's local time zone, as localtime_r(3) sees it (the TZ
// environment variable, else /etc/localtime). Changes to TZ made before a
// call (followed by tzset()) are seen by later calls.
std::unique_ptr<TimeZone> LocalTimeZone();

// A zone with no daylight saving, `offset_s` seconds east of UTC.
std::unique_ptr<TimeZone> FixedTimeZone(int offset_s);

class CronExpression {
 public:
  // Parses `text` (surrounding blanks ignored). Fails with
  // kInvalidArgument and a message naming the field, the item and what is
  // allowed ("day-of-week: '8' is out of range 0-7 (or sun-sat)"), also
  // for an expression that can never match ("day-of-month 30 never falls
  // in february").
  static StatusOr<CronExpression> Parse(std::string_view text);

  // The first matching instant strictly after `after_unix_s` (seconds;
  // matches are whole minutes, so the result is a multiple of 60 unless a
  // daylight-saving gap moved it, see above), in `zone`. nullopt only if
  // none exists within the next 8 years (for an expression Parse accepted
  // only with a restricted day-of-month and a day-of-week like "*/7", e.g.
  // "0 0 29 2 */7": February 29th on a Sunday, 28 years apart; also callers
  // must not loop forever on a bad zone).
  std::optional<int64_t> Next(int64_t after_unix_s, const TimeZone& zone) const;

  // The text as given (trimmed), e.g. for the crontab line.
  const std::string& text() const { return text_; }
  // The text with a macro expanded ("@daily" -> "0 0 * * *"), what a
  // crontab line carries.
  const std::string& fields() const { return fields_; }

  // Whether a civil time matches (month 1-12, day 1-31, weekday 0-6 with
  // 0 = Sunday, hour 0-23, minute 0-59).
  bool Matches(int month, int day, int weekday, int hour, int minute) const;

 private:
  CronExpression() = default;

  std::string text_;
  std::string fields_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;             // Bit 0 unused.
  std::bitset<13> months_;           // Bit 0 unused.
  std::bitset<7> weekdays_;          // 0 = Sunday.
  bool day_restricted_ = false;      // Day-of-month did not start with '*'.
  bool weekday_restricted_ = false;  // Day-of-week did not start with '*'.
};

}  // namespace crawler::schedule

#endif  // CRAWLER_SCHEDULE_CRON_H_
