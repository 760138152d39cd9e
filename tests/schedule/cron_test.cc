// Cron expressions: parse errors, Matches(), and Next() in UTC, fixed zones,
// fake zones with a chosen transition, and real zones with daylight saving.
//
// Expected instants were worked out independently of the implementation:
// calendar facts with Python's datetime, zone offsets and transitions with
// Python's zoneinfo (and `TZ=... date -d @SECONDS`).
#include "crawler/schedule/cron.h"

#include <doctest/doctest.h>
#include <time.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "crawler/base/status.h"

namespace crawler::schedule {
namespace {

// "2026-03-08T07:00:00Z" -> seconds since the epoch.
int64_t Utc(const std::string& iso) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  char z = 0;
  if (std::sscanf(iso.c_str(), "%d-%d-%dT%d:%d:%d%c", &y, &mo, &d, &h, &mi, &s,
                  &z) != 7 ||
      z != 'Z') {
    FAIL("bad ISO time in the test table: " << iso);
  }
  struct tm tm_buf = {};
  tm_buf.tm_year = y - 1900;
  tm_buf.tm_mon = mo - 1;
  tm_buf.tm_mday = d;
  tm_buf.tm_hour = h;
  tm_buf.tm_min = mi;
  tm_buf.tm_sec = s;
  return static_cast<int64_t>(timegm(&tm_buf));
}

std::string Iso(std::optional<int64_t> t) {
  if (!t) return "none";
  time_t tt = static_cast<time_t>(*t);
  struct tm tm_buf;
  gmtime_r(&tt, &tm_buf);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm_buf);
  return buf;
}

CronExpression MustParse(const std::string& text) {
  StatusOr<CronExpression> e = CronExpression::Parse(text);
  REQUIRE_MESSAGE(e.ok(), text << ": " << e.status().ToString());
  return *e;
}

// Sets TZ for the scope (and tzset()s), restoring the previous value on
// exit, also when a REQUIRE fails and unwinds.
class ScopedTz {
 public:
  explicit ScopedTz(const std::string& tz) {
    const char* old = std::getenv("TZ");
    had_old_ = old != nullptr;
    if (had_old_) old_ = old;
    setenv("TZ", tz.c_str(), 1);
    tzset();
  }
  ~ScopedTz() {
    if (had_old_) {
      setenv("TZ", old_.c_str(), 1);
    } else {
      unsetenv("TZ");
    }
    tzset();
  }
  ScopedTz(const ScopedTz&) = delete;
  ScopedTz& operator=(const ScopedTz&) = delete;

 private:
  bool had_old_ = false;
  std::string old_;
};

// The daylight-saving tests need real zone data: fail (not skip) without it.
void RequireTzdata(const std::string& zone) {
  const char* dir = std::getenv("TZDIR");
  const std::string path =
      std::string(dir != nullptr ? dir : "/usr/share/zoneinfo") + "/" + zone;
  REQUIRE_MESSAGE(std::filesystem::exists(path),
                  path << " is missing: install the tzdata package "
                          "(apt-get install tzdata) to run the "
                          "daylight-saving tests");
}

// A zone with one transition: `before_s` east of UTC before `at`, `after_s`
// from `at` on. No tzdata needed.
class OneTransitionZone : public TimeZone {
 public:
  OneTransitionZone(int64_t at, int before_s, int after_s)
      : at_(at), before_s_(before_s), after_s_(after_s) {}
  int UtcOffsetSeconds(int64_t unix_s) const override {
    return unix_s < at_ ? before_s_ : after_s_;
  }

 private:
  int64_t at_;
  int before_s_;
  int after_s_;
};

// ---------------------------------------------------------------------------
// Parsing.

struct ErrorCase {
  const char* text;
  const char* message;  // Expected substring.
};

const ErrorCase kErrorCases[] = {
    {"",
     "expected 5 fields (minute hour day-of-month month day-of-week), "
     "got 0"},
    {"   ", "expected 5 fields"},
    {"* * * *",
     "expected 5 fields (minute hour day-of-month month day-of-week), got 4"},
    {"0 * * * * *", "got 6"},
    {"0 0 1 1 * 2026", "got 6"},
    {"60 * * * *", "minute: '60' is out of range 0-59"},
    {"* 24 * * *", "hour: '24' is out of range 0-23"},
    {"* * 0 * *", "day-of-month: '0' is out of range 1-31"},
    {"* * 32 * *", "day-of-month: '32' is out of range 1-31"},
    {"* * * 0 *", "month: '0' is out of range 1-12 (or jan-dec)"},
    {"* * * 13 *", "month: '13' is out of range 1-12 (or jan-dec)"},
    {"* * * * 8", "day-of-week: '8' is out of range 0-7 (or sun-sat)"},
    {"99999999999 * * * *", "minute: '99999999999' is out of range 0-59"},
    {"*/0 * * * *", "minute: step 0 in '*/0' is out of range 1-60"},
    {"* 1-5/0 * * *", "hour: step 0 in '1-5/0'"},
    {"*/61 * * * *", "minute: step 61 in '*/61' is out of range 1-60"},
    {"* * * * */9", "day-of-week: step 9 in '*/9' is out of range 1-8"},
    {"*/ * * * *", "minute: step missing after '/' in '*/'"},
    {"*/x * * * *", "minute: step 'x' in '*/x' is not a number"},
    {"/5 * * * *", "minute: '/5' has no value before '/'"},
    {"5-1 * * * *", "minute: range '5-1' is reversed (5 > 1)"},
    {"0 22-2 * * *", "use a list such as '22-23,0-2'"},
    {"* * * * fri-mon", "day-of-week: range 'fri-mon' is reversed (5 > 1)"},
    {"* * * dec-jan *", "month: range 'dec-jan' is reversed (12 > 1)"},
    {"1,,2 * * * *", "minute: empty item in '1,,2'"},
    {"1,2, * * * *", "minute: empty item in '1,2,'"},
    {",1 * * * *", "minute: empty item in ',1'"},
    {"0 0 * * mon,", "day-of-week: empty item in 'mon,'"},
    {"1x * * * *", "minute: '1x' is not a number; allowed 0-59"},
    {"mon * * * *", "minute: 'mon' is not a number; allowed 0-59"},
    {"0 0 L * *", "day-of-month: 'L' is not a number; allowed 1-31"},
    {"0 0 ? * *", "day-of-month: '?' is not a number"},
    {"0 0 * * 1#2", "day-of-week: '1#2' is not a number or a day name"},
    {"* * * foo *",
     "month: 'foo' is not a number or a month name; allowed "
     "1-12 (or jan-dec)"},
    {"* * * january *", "write the first three letters, jan"},
    {"* * * * funday", "day-of-week: 'funday' is not a number or a day name"},
    {"* * * * monday", "write the first three letters, mon"},
    {"*-5 * * * *",
     "minute: '*-5' is not valid: '*' can only be followed "
     "by a step"},
    {"1- * * * *", "minute: range '1-' needs a value on each side of '-'"},
    {"-1 * * * *", "minute: range '-1' needs a value on each side of '-'"},
    {"1-2-3 * * * *", "minute: '2-3' is not a number"},
    {"1.5 * * * *", "minute: '1.5' is not a number"},
    {"@reboot", "@reboot is not supported: "},
    {"@REBOOT", "@reboot is not supported: "},
    {"@every 5m", "unknown macro '@every'"},
    {"@daily 0", "@daily stands for all five fields; nothing may follow it"},
    {"0 0 30 2 *", "day-of-month 30 never falls in february"},
    {"0 0 30 feb */2", "day-of-month 30 never falls in february"},
    {"0 0 30,31 2 *", "day-of-month 30 or 31 never falls in february"},
    {"0 0 31 2,4,6 *",
     "day-of-month 31 never falls in february, april or june"},
    {"0 0 31 apr-jun/2,9,11 *",
     "day-of-month 31 never falls in april, june, september or november"},
};

TEST_CASE("parse errors name the field, the item and what is allowed") {
  for (const ErrorCase& c : kErrorCases) {
    CAPTURE(c.text);
    StatusOr<CronExpression> e = CronExpression::Parse(c.text);
    REQUIRE_FALSE(e.ok());
    CHECK(e.status().code() == Code::kInvalidArgument);
    const std::string& message = e.status().message();
    CHECK_MESSAGE(
        message.find(c.message) != std::string::npos,
        "message: " << message << "\nexpected to contain: " << c.message);
  }
}

TEST_CASE("valid expressions parse; text() is trimmed, fields() expanded") {
  struct Case {
    const char* text;
    const char* want_text;
    const char* want_fields;
  };
  const Case cases[] = {
      {"0 0 * * *", "0 0 * * *", "0 0 * * *"},
      {" \t0  9 * *\tMon-FRI \n", "0  9 * *\tMon-FRI", "0 9 * * Mon-FRI"},
      {"@yearly", "@yearly", "0 0 1 1 *"},
      {"@annually", "@annually", "0 0 1 1 *"},
      {"@monthly", "@monthly", "0 0 1 * *"},
      {"@weekly", "@weekly", "0 0 * * 0"},
      {"@daily", "@daily", "0 0 * * *"},
      {"  @midnight ", "@midnight", "0 0 * * *"},
      {"@hourly", "@hourly", "0 * * * *"},
      // Both day fields restricted: day-of-week can match, so no error.
      {"0 0 30 2 mon", "0 0 30 2 mon", "0 0 30 2 mon"},
      {"0 0 29 2 *", "0 0 29 2 *", "0 0 29 2 *"},
      {"0 0 31 1-12 *", "0 0 31 1-12 *", "0 0 31 1-12 *"},
      {"*/60 */24 */31 */12 */8", "*/60 */24 */31 */12 */8",
       "*/60 */24 */31 */12 */8"},
      {"0-59 0-23 1-31 1-12 0-7", "0-59 0-23 1-31 1-12 0-7",
       "0-59 0-23 1-31 1-12 0-7"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    CronExpression e = MustParse(c.text);
    CHECK(e.text() == c.want_text);
    CHECK(e.fields() == c.want_fields);
  }
}

// ---------------------------------------------------------------------------
// Matches().

struct MatchCase {
  const char* text;
  int month, day, weekday, hour, minute;
  bool want;
};

const MatchCase kMatchCases[] = {
    {"* * * * *", 1, 1, 4, 0, 0, true},
    {"* * * * *", 12, 31, 6, 23, 59, true},
    {"* * * * *", 13, 1, 0, 0, 0, false},  // Out-of-range inputs.
    {"* * * * *", 1, 0, 0, 0, 0, false},
    {"* * * * *", 1, 1, 0, 24, 0, false},
    {"* * * * *", 1, 1, 0, 0, 60, false},
    {"*/15 9-17 * jan-mar,DEC *", 2, 1, 0, 9, 45, true},
    {"*/15 9-17 * jan-mar,DEC *", 2, 1, 0, 9, 40, false},
    {"*/15 9-17 * jan-mar,DEC *", 4, 1, 0, 9, 45, false},
    {"*/15 9-17 * jan-mar,DEC *", 12, 1, 0, 17, 0, true},
    {"*/15 9-17 * jan-mar,DEC *", 1, 1, 0, 18, 0, false},
    {"5/20 * * * *", 1, 1, 0, 0, 45, true},
    {"5/20 * * * *", 1, 1, 0, 0, 5, true},
    {"5/20 * * * *", 1, 1, 0, 0, 0, false},
    {"1-30/7 * * * *", 1, 1, 0, 0, 29, true},
    {"1-30/7 * * * *", 1, 1, 0, 0, 30, false},
    // 7 and 0 are both Sunday; names in any case.
    {"* * * * 7", 1, 4, 0, 0, 0, true},
    {"* * * * 7", 1, 5, 1, 0, 0, false},
    {"* * * * 0", 1, 4, 0, 0, 0, true},
    {"* * * * SuN", 1, 4, 0, 0, 0, true},
    {"* * * * fri-sun", 1, 4, 0, 0, 0, true},  // "sun" ending a range is 7.
    {"* * * * fri-sun", 1, 2, 5, 0, 0, true},
    {"* * * * fri-sun", 1, 5, 1, 0, 0, false},
    {"* * * * 5-7", 1, 4, 0, 0, 0, true},
    // Both day fields restricted: either matches (crontab(5)).
    {"0 0 13 * fri", 1, 13, 2, 0, 0, true},   // The 13th, a Tuesday.
    {"0 0 13 * fri", 1, 16, 5, 0, 0, true},   // A Friday, the 16th.
    {"0 0 13 * fri", 1, 14, 3, 0, 0, false},  // Neither.
    {"0 0 13 * fri", 1, 13, 2, 0, 1, false},  // Wrong minute.
    {"0 0 1 * 1-5", 2, 1, 0, 0, 0, true},
    {"0 0 1 * 1-5", 2, 2, 1, 0, 0, true},
    {"0 0 1 * 1-5", 2, 7, 6, 0, 0, false},
    // One day field starts with '*': a day must match both.
    {"0 0 13 * *", 1, 13, 2, 0, 0, true},
    {"0 0 13 * *", 1, 16, 5, 0, 0, false},
    {"0 0 * * fri", 1, 16, 5, 0, 0, true},
    {"0 0 * * fri", 1, 13, 2, 0, 0, false},
    {"0 0 */2 * mon", 1, 5, 1, 0, 0, true},    // Odd day, Monday.
    {"0 0 */2 * mon", 1, 12, 1, 0, 0, false},  // Even day.
    {"0 0 */2 * mon", 1, 3, 6, 0, 0, false},   // Odd day, Saturday.
    {"0 0 13 * */7", 1, 13, 2, 0, 0, false},   // '*/7' = Sunday only.
    {"0 0 13 * */7", 9, 13, 0, 0, 0, true},
    {"@weekly", 1, 4, 0, 0, 0, true},
    {"@weekly", 1, 5, 1, 0, 0, false},
};

TEST_CASE("Matches: fields, names, steps and the day-of-month/week rule") {
  for (const MatchCase& c : kMatchCases) {
    CAPTURE(c.text);
    CAPTURE(c.month);
    CAPTURE(c.day);
    CAPTURE(c.weekday);
    CAPTURE(c.hour);
    CAPTURE(c.minute);
    CronExpression e = MustParse(c.text);
    CHECK(e.Matches(c.month, c.day, c.weekday, c.hour, c.minute) == c.want);
  }
}

// ---------------------------------------------------------------------------
// Next() in fixed zones.

struct NextCase {
  const char* text;
  int offset_s;       // Of the FixedTimeZone.
  const char* after;  // UTC.
  const char* want;   // UTC, or "none".
};

const NextCase kFixedCases[] = {
    // Strictly after; seconds are ignored.
    {"* * * * *", 0, "2026-01-01T00:00:00Z", "2026-01-01T00:01:00Z"},
    {"* * * * *", 0, "2026-01-01T00:00:30Z", "2026-01-01T00:01:00Z"},
    {"0 0 * * *", 0, "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"},
    {"0 0 * * *", 0, "2025-12-31T23:59:59Z", "2026-01-01T00:00:00Z"},
    // Steps.
    {"*/15 * * * *", 0, "2026-01-01T00:00:00Z", "2026-01-01T00:15:00Z"},
    {"*/15 * * * *", 0, "2026-01-01T00:07:30Z", "2026-01-01T00:15:00Z"},
    {"*/15 * * * *", 0, "2026-01-01T00:45:00Z", "2026-01-01T01:00:00Z"},
    {"1-30/7 * * * *", 0, "2026-01-01T00:23:00Z", "2026-01-01T00:29:00Z"},
    {"1-30/7 * * * *", 0, "2026-01-01T00:29:00Z", "2026-01-01T01:01:00Z"},
    {"5/20 * * * *", 0, "2026-01-01T00:25:00Z", "2026-01-01T00:45:00Z"},
    {"5/20 * * * *", 0, "2026-01-01T00:45:00Z", "2026-01-01T01:05:00Z"},
    {"0 9-17/4 * * *", 0, "2026-01-01T13:00:00Z", "2026-01-01T17:00:00Z"},
    {"0 9-17/4 * * *", 0, "2026-01-01T17:00:00Z", "2026-01-02T09:00:00Z"},
    // Lists.
    {"0,30 8,20 * * *", 0, "2026-01-01T08:30:00Z", "2026-01-01T20:00:00Z"},
    {"0,30 8,20 * * *", 0, "2026-01-01T20:30:00Z", "2026-01-02T08:00:00Z"},
    {"10,5,50-52 * * * *", 0, "2026-01-01T00:10:00Z", "2026-01-01T00:50:00Z"},
    // Month names, mixed case. 2026-01-01 is a Thursday.
    {"0 0 1 jan,JUL *", 0, "2026-02-01T00:00:00Z", "2026-07-01T00:00:00Z"},
    {"0 0 1 jan,JUL *", 0, "2026-07-01T00:00:00Z", "2027-01-01T00:00:00Z"},
    {"0 0 1 Mar-May *", 0, "2026-05-01T00:00:00Z", "2027-03-01T00:00:00Z"},
    // Day names; 7 = 0 = Sunday.
    {"0 12 * * Mon-Fri", 0, "2026-01-02T12:00:00Z", "2026-01-05T12:00:00Z"},
    {"0 12 * * Mon-Fri", 0, "2026-01-03T12:00:00Z", "2026-01-05T12:00:00Z"},
    {"0 0 * * 7", 0, "2026-01-01T00:00:00Z", "2026-01-04T00:00:00Z"},
    {"0 0 * * 0", 0, "2026-01-01T00:00:00Z", "2026-01-04T00:00:00Z"},
    {"0 0 * * sun", 0, "2026-01-04T00:00:00Z", "2026-01-11T00:00:00Z"},
    {"0 0 * * fri-sun", 0, "2026-01-03T00:00:00Z", "2026-01-04T00:00:00Z"},
    {"0 0 * * fri-sun", 0, "2026-01-04T00:00:00Z", "2026-01-09T00:00:00Z"},
    // OR rule: every Friday and every 13th. 2026-02-13 and 2026-03-13 are
    // Fridays; 2026-04-13 is a Monday.
    {"0 0 13 * fri", 0, "2026-02-01T00:00:00Z", "2026-02-06T00:00:00Z"},
    {"0 0 13 * fri", 0, "2026-04-10T00:00:00Z", "2026-04-13T00:00:00Z"},
    {"0 0 13 * fri", 0, "2026-04-13T00:00:00Z", "2026-04-17T00:00:00Z"},
    // AND when one field starts with '*': "*/2" is odd days, and Mondays.
    // Mondays in January 2026: 5, 12, 19, 26.
    {"0 0 */2 * mon", 0, "2026-01-01T00:00:00Z", "2026-01-05T00:00:00Z"},
    {"0 0 */2 * mon", 0, "2026-01-05T00:00:00Z", "2026-01-19T00:00:00Z"},
    {"0 0 13 * *", 0, "2026-01-13T00:00:00Z", "2026-02-13T00:00:00Z"},
    {"0 0 * * fri", 0, "2026-02-06T00:00:00Z", "2026-02-13T00:00:00Z"},
    // Month ends.
    {"0 0 31 * *", 0, "2026-01-31T00:00:00Z", "2026-03-31T00:00:00Z"},
    {"0 0 31 * *", 0, "2026-03-31T00:00:00Z", "2026-05-31T00:00:00Z"},
    {"0 0 31 * *", 0, "2026-08-01T00:00:00Z", "2026-08-31T00:00:00Z"},
    {"0 0 31 * *", 0, "2026-08-31T00:00:00Z", "2026-10-31T00:00:00Z"},
    {"0 12 30 * *", 0, "2026-01-30T12:00:00Z", "2026-03-30T12:00:00Z"},
    {"0 12 30 * *", 0, "2028-01-30T12:00:00Z", "2028-03-30T12:00:00Z"},
    // Leap days.
    {"0 0 29 2 *", 0, "2026-03-01T00:00:00Z", "2028-02-29T00:00:00Z"},
    {"0 0 29 2 *", 0, "2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"},
    {"0 0 29 2 *", 0, "2028-02-28T23:59:59Z", "2028-02-29T00:00:00Z"},
    {"0 0 * 2 *", 0, "2027-02-28T00:00:00Z", "2028-02-01T00:00:00Z"},
    {"0 0 * 2 *", 0, "2028-02-28T00:00:00Z", "2028-02-29T00:00:00Z"},
    {"0 0 29 2 */7", 0, "2026-03-01T00:00:00Z", "2032-02-29T00:00:00Z"},
    // Feb 29 on a Sunday after 2032 is in 2060: beyond the 8-year search.
    {"0 0 29 2 */7", 0, "2032-03-01T00:00:00Z", "none"},
    // Year wrap.
    {"59 23 31 12 *", 0, "2026-12-31T23:58:00Z", "2026-12-31T23:59:00Z"},
    {"* * * * *", 0, "2026-12-31T23:59:00Z", "2027-01-01T00:00:00Z"},
    {"0 0 1 1 *", 0, "2026-12-31T23:59:59Z", "2027-01-01T00:00:00Z"},
    {"0 0 1 1 *", 0, "2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z"},
    // Macros.
    {"@hourly", 0, "2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z"},
    {"@daily", 0, "2026-01-01T00:00:01Z", "2026-01-02T00:00:00Z"},
    {"@midnight", 0, "2026-01-01T23:59:00Z", "2026-01-02T00:00:00Z"},
    {"@weekly", 0, "2026-01-01T00:00:00Z", "2026-01-04T00:00:00Z"},
    {"@monthly", 0, "2026-01-15T00:00:00Z", "2026-02-01T00:00:00Z"},
    {"@yearly", 0, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"},
    {"@annually", 0, "2026-06-01T00:00:00Z", "2027-01-01T00:00:00Z"},
    // Before 1970.
    {"0 0 1 1 *", 0, "1969-06-01T00:00:00Z", "1970-01-01T00:00:00Z"},
    {"0 0 29 2 *", 0, "1950-01-01T00:00:00Z", "1952-02-29T00:00:00Z"},
    // Fixed offsets: civil times of the zone.
    {"0 9 * * *", 19800, "2026-01-01T00:00:00Z", "2026-01-01T03:30:00Z"},
    {"0 9 * * *", 19800, "2026-01-01T03:30:00Z", "2026-01-02T03:30:00Z"},
    {"0 0 1 * *", -28800, "2026-01-31T12:00:00Z", "2026-02-01T08:00:00Z"},
    {"30 23 31 12 *", 50400, "2026-06-01T00:00:00Z", "2026-12-31T09:30:00Z"},
    {"0 0 * * mon", -36000, "2026-01-05T09:59:00Z", "2026-01-05T10:00:00Z"},
};

TEST_CASE("Next in fixed zones: steps, lists, names, day rules, month ends") {
  for (const NextCase& c : kFixedCases) {
    CAPTURE(c.text);
    CAPTURE(c.offset_s);
    CAPTURE(c.after);
    CronExpression e = MustParse(c.text);
    std::unique_ptr<TimeZone> zone = FixedTimeZone(c.offset_s);
    CHECK(Iso(e.Next(Utc(c.after), *zone)) == c.want);
  }
}

// Follows Next() from `start` and returns the first `n` results.
std::vector<std::string> Chain(const CronExpression& e, const TimeZone& zone,
                               const std::string& start, int n) {
  std::vector<std::string> out;
  std::optional<int64_t> t = Utc(start);
  for (int i = 0; i < n && t; ++i) {
    t = e.Next(*t, zone);
    out.push_back(Iso(t));
  }
  return out;
}

TEST_CASE("Next with a fake zone: a gap runs once, after the gap") {
  // Clocks go forward at 2027-06-15 12:00 UTC from +0 to +1: civil 12:00 to
  // 12:59 do not exist that day.
  OneTransitionZone zone(Utc("2027-06-15T12:00:00Z"), 0, 3600);
  CronExpression e = MustParse("30 12 * * *");
  CHECK(Iso(e.Next(Utc("2027-06-15T00:00:00Z"), zone)) ==
        "2027-06-15T12:00:00Z");
  CHECK(Iso(e.Next(Utc("2027-06-15T12:00:00Z"), zone)) ==
        "2027-06-16T11:30:00Z");
  CHECK(Iso(e.Next(Utc("2027-06-15T11:59:59Z"), zone)) ==
        "2027-06-15T12:00:00Z");

  // Every 20 minutes: 11:40 (civil 11:40), then the gap (12:00, 12:20 and
  // 12:40 all map to 12:00 UTC) once, then 13:20 civil = 12:20 UTC.
  CHECK(Chain(MustParse("*/20 * * * *"), zone, "2027-06-15T11:30:00Z", 4) ==
        std::vector<std::string>{"2027-06-15T11:40:00Z", "2027-06-15T12:00:00Z",
                                 "2027-06-15T12:20:00Z",
                                 "2027-06-15T12:40:00Z"});
}

TEST_CASE("Next with a fake zone: a repeated hour runs at its first time") {
  // Clocks go back at 2027-06-15 12:00 UTC from +1 to +0: civil 12:00 to
  // 12:59 happen twice (11:00-11:59 and 12:00-12:59 UTC).
  OneTransitionZone zone(Utc("2027-06-15T12:00:00Z"), 3600, 0);
  CronExpression e = MustParse("30 12 * * *");
  CHECK(Iso(e.Next(Utc("2027-06-15T00:00:00Z"), zone)) ==
        "2027-06-15T11:30:00Z");
  CHECK(Iso(e.Next(Utc("2027-06-15T11:30:00Z"), zone)) ==
        "2027-06-16T12:30:00Z");
  // In the second 12:xx hour, 12:30 has already run.
  CHECK(Iso(e.Next(Utc("2027-06-15T12:10:00Z"), zone)) ==
        "2027-06-16T12:30:00Z");

  // Every 20 minutes: civil 12:00, 12:20, 12:40 once each (first time),
  // then civil 13:00 = 13:00 UTC.
  CHECK(Chain(MustParse("*/20 * * * *"), zone, "2027-06-15T10:50:00Z", 5) ==
        std::vector<std::string>{"2027-06-15T11:00:00Z", "2027-06-15T11:20:00Z",
                                 "2027-06-15T11:40:00Z", "2027-06-15T13:00:00Z",
                                 "2027-06-15T13:20:00Z"});
}

// ---------------------------------------------------------------------------
// Next() in real zones (LocalTimeZone with TZ set).

struct ZoneCase {
  const char* zone;
  const char* text;
  const char* after;  // UTC.
  const char* want;   // UTC.
};

const ZoneCase kZoneCases[] = {
    // New York 2026: Mar 8 02:00 EST -> 03:00 EDT (07:00 UTC).
    // 02:30 does not exist: run at 03:00 EDT, once.
    {"America/New_York", "30 2 * * *", "2026-03-08T05:00:00Z",  // 00:00 EST
     "2026-03-08T07:00:00Z"},                                   // 03:00 EDT
    {"America/New_York", "30 2 * * *", "2026-03-08T07:00:00Z",
     "2026-03-09T06:30:00Z"},  // 02:30 EDT
    {"America/New_York", "0 3 * * *", "2026-03-08T05:00:00Z",
     "2026-03-08T07:00:00Z"},
    {"America/New_York", "59 1 * * *", "2026-03-08T05:00:00Z",
     "2026-03-08T06:59:00Z"},  // 01:59 EST
    // Nov 1 02:00 EDT -> 01:00 EST (06:00 UTC): 01:00 happens twice, runs
    // at the first (01:00 EDT = 05:00 UTC) only.
    {"America/New_York", "0 1 * * *", "2026-10-31T16:00:00Z",
     "2026-11-01T05:00:00Z"},
    {"America/New_York", "0 1 * * *", "2026-11-01T05:00:00Z",
     "2026-11-02T06:00:00Z"},  // 01:00 EST
    {"America/New_York", "0 1 * * *", "2026-11-01T06:00:00Z",
     "2026-11-02T06:00:00Z"},
    {"America/New_York", "30 1 * * *", "2026-11-01T05:45:00Z",
     "2026-11-02T06:30:00Z"},
    {"America/New_York", "0 2 * * *", "2026-11-01T04:00:00Z",
     "2026-11-01T07:00:00Z"},  // 02:00 EST
    // Berlin 2026: Mar 29 02:00 CET -> 03:00 CEST; Oct 25 03:00 CEST ->
    // 02:00 CET.
    {"Europe/Berlin", "30 2 * * *", "2026-03-28T23:00:00Z",
     "2026-03-29T01:00:00Z"},  // 03:00 CEST
    {"Europe/Berlin", "30 2 * * *", "2026-03-29T01:00:00Z",
     "2026-03-30T00:30:00Z"},
    {"Europe/Berlin", "30 2 * * *", "2026-10-24T23:00:00Z",
     "2026-10-25T00:30:00Z"},  // 02:30 CEST
    {"Europe/Berlin", "30 2 * * *", "2026-10-25T00:30:00Z",
     "2026-10-26T01:30:00Z"},  // 02:30 CET, next day
    // Lord Howe (a 30-minute shift): 2026-10-04 02:00 +10:30 -> 02:30 +11;
    // 2026-04-05 02:00 +11 -> 01:30 +10:30.
    {"Australia/Lord_Howe", "15 2 * * *", "2026-10-03T13:30:00Z",
     "2026-10-03T15:30:00Z"},  // 02:30 +11
    {"Australia/Lord_Howe", "15 2 * * *", "2026-10-03T15:30:00Z",
     "2026-10-04T15:15:00Z"},
    {"Australia/Lord_Howe", "45 1 * * *", "2026-04-04T13:00:00Z",
     "2026-04-04T14:45:00Z"},  // 01:45 +11
    {"Australia/Lord_Howe", "45 1 * * *", "2026-04-04T14:45:00Z",
     "2026-04-05T15:15:00Z"},  // 01:45 +10:30, next day
};

TEST_CASE("Next in zones with daylight saving (tzdata)") {
  RequireTzdata("America/New_York");
  RequireTzdata("Europe/Berlin");
  RequireTzdata("Australia/Lord_Howe");
  {
    // glibc falls back to UTC silently for a zone it cannot load.
    ScopedTz tz("America/New_York");
    std::unique_ptr<TimeZone> zone = LocalTimeZone();
    REQUIRE_MESSAGE(
        zone->UtcOffsetSeconds(Utc("2026-01-15T12:00:00Z")) == -18000,
        "TZ=America/New_York did not load: install the tzdata package");
    CHECK(zone->UtcOffsetSeconds(Utc("2026-07-15T12:00:00Z")) == -14400);
  }
  for (const ZoneCase& c : kZoneCases) {
    CAPTURE(c.zone);
    CAPTURE(c.text);
    CAPTURE(c.after);
    ScopedTz tz(c.zone);
    CronExpression e = MustParse(c.text);
    CHECK(Iso(e.Next(Utc(c.after), *LocalTimeZone())) == c.want);
  }
}

TEST_CASE("every 30 minutes across New York's transitions (tzdata)") {
  RequireTzdata("America/New_York");
  ScopedTz tz("America/New_York");
  std::unique_ptr<TimeZone> zone = LocalTimeZone();
  CronExpression e = MustParse("*/30 * * * *");
  // Spring: 01:30 EST, then 02:00/02:30 (skipped) once at 03:00 EDT, 03:30.
  CHECK(Chain(e, *zone, "2026-03-08T06:15:00Z", 3) ==
        std::vector<std::string>{"2026-03-08T06:30:00Z", "2026-03-08T07:00:00Z",
                                 "2026-03-08T07:30:00Z"});
  // Fall: 01:00 and 01:30 EDT; their repeats in EST do not run again;
  // then 02:00 EST.
  CHECK(Chain(e, *zone, "2026-11-01T04:45:00Z", 4) ==
        std::vector<std::string>{"2026-11-01T05:00:00Z", "2026-11-01T05:30:00Z",
                                 "2026-11-01T07:00:00Z",
                                 "2026-11-01T07:30:00Z"});
}

TEST_CASE("TZ is restored after a ScopedTz") {
  const char* before = std::getenv("TZ");
  const std::string saved = before != nullptr ? before : "<unset>";
  { ScopedTz tz("Europe/Berlin"); }
  const char* after = std::getenv("TZ");
  CHECK((after != nullptr ? after : "<unset>") == saved);
}

}  // namespace
}  // namespace crawler::schedule
