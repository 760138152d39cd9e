// Cron expressions: parsing crontab(5)'s five fields and finding the next
// matching instant in a time zone (see cron.h).
#include "crawler/schedule/cron.h"

#include <time.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crawler/base/status.h"

namespace crawler::schedule {
namespace {

constexpr int64_t kSecondsPerDay = 86400;
// How far Next() looks ahead: 8 years of days (leap days included).
constexpr int64_t kSearchDays = 8 * 366;
// Instants further than this from the epoch (about 31,700 years) are not
// searched: civil-date arithmetic on them could overflow.
constexpr int64_t kMaxAbsInstant = int64_t{1} << 40;

// ---------------------------------------------------------------------------
// Time zones.

class LocalZone : public TimeZone {
 public:
  int UtcOffsetSeconds(int64_t unix_s) const override {
    time_t t = static_cast<time_t>(unix_s);
    struct tm tm_buf;
    if (localtime_r(&t, &tm_buf) == nullptr) return 0;
    return static_cast<int>(tm_buf.tm_gmtoff);
  }
};

class FixedZone : public TimeZone {
 public:
  explicit FixedZone(int offset_s) : offset_s_(offset_s) {}
  int UtcOffsetSeconds(int64_t /*unix_s*/) const override { return offset_s_; }

 private:
  const int offset_s_;
};

// ---------------------------------------------------------------------------
// Civil dates (proleptic Gregorian), after Howard Hinnant's date algorithms.

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Days since 1970-01-01 of year `y`, month `m` (1-12), day `d` (1-31).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = FloorDiv(y, 400);
  const int64_t yoe = y - era * 400;                                   // 0-399
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;  // 0-365
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;  // 0-146096
  return era * 146097 + doe - 719468;
}

struct CivilDate {
  int64_t year;
  int month;  // 1-12
  int day;    // 1-31
};

CivilDate CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = FloorDiv(z, 146097);
  const int64_t doe = z - era * 146097;  // 0-146096
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);  // 0-365
  const int64_t mp = (5 * doy + 2) / 153;                       // 0-11
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

// 0 = Sunday; 1970-01-01 was a Thursday.
int WeekdayFromDays(int64_t z) {
  int64_t w = (z + 4) % 7;
  return static_cast<int>(w < 0 ? w + 7 : w);
}

// The instant at which `zone` shows the civil time `local` (seconds since
// 1970-01-01 00:00 as if it were UTC). A civil time that happens twice maps
// to its first occurrence; one that does not happen (skipped when clocks go
// forward) maps to the first instant after the gap, i.e. the earliest
// instant whose civil time is later. nullopt if the zone is too odd to say.
std::optional<int64_t> CivilToInstant(int64_t local, const TimeZone& zone) {
  const int offsets[3] = {zone.UtcOffsetSeconds(local - kSecondsPerDay),
                          zone.UtcOffsetSeconds(local),
                          zone.UtcOffsetSeconds(local + kSecondsPerDay)};
  std::optional<int64_t> best;
  for (int offset : offsets) {
    const int64_t t = local - offset;
    if (zone.UtcOffsetSeconds(t) == offset && (!best || t < *best)) best = t;
  }
  if (best) return best;

  // A gap: before it the clock shows less than `local`, after it more.
  // Find the instant where it jumps past `local`.
  const int lo_offset = *std::min_element(offsets, offsets + 3);
  const int hi_offset = *std::max_element(offsets, offsets + 3);
  int64_t lo = local - hi_offset;
  int64_t hi = local - lo_offset;
  auto civil = [&zone](int64_t t) { return t + zone.UtcOffsetSeconds(t); };
  if (lo >= hi || civil(lo) >= local || civil(hi) <= local) return std::nullopt;
  while (hi - lo > 1) {  // Invariant: civil(lo) <= local < civil(hi).
    const int64_t mid = lo + (hi - lo) / 2;
    if (civil(mid) > local) {
      hi = mid;
    } else {
      lo = mid;
    }
  }
  return hi;
}

// ---------------------------------------------------------------------------
// Parsing.

constexpr std::string_view kBlanks = " \t\r\n\v\f";
constexpr std::string_view kFieldList =
    "minute hour day-of-month month day-of-week";

constexpr std::string_view kMonthNames[] = {"jan", "feb", "mar", "apr",
                                            "may", "jun", "jul", "aug",
                                            "sep", "oct", "nov", "dec"};
constexpr std::string_view kMonthFullNames[] = {
    "january", "february", "march",     "april",   "may",      "june",
    "july",    "august",   "september", "october", "november", "december"};
constexpr std::string_view kWeekdayNames[] = {"sun", "mon", "tue", "wed",
                                              "thu", "fri", "sat"};

struct FieldSpec {
  std::string_view name;
  int min;
  int max;
  // Three-letter names for min, min+1, ...; empty if the field has none.
  const std::string_view* names;
  int name_count;
  std::string_view name_range;  // "jan-dec"
  std::string_view name_kind;   // "month" in "not a number or a month name"
};

constexpr FieldSpec kFields[5] = {
    {"minute", 0, 59, nullptr, 0, "", ""},
    {"hour", 0, 23, nullptr, 0, "", ""},
    {"day-of-month", 1, 31, nullptr, 0, "", ""},
    {"month", 1, 12, kMonthNames, 12, "jan-dec", "month"},
    {"day-of-week", 0, 7, kWeekdayNames, 7, "sun-sat", "day"},
};

std::string Allowed(const FieldSpec& f) {
  std::string s = std::to_string(f.min) + "-" + std::to_string(f.max);
  if (f.names != nullptr) s += " (or " + std::string(f.name_range) + ")";
  return s;
}

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

Status FieldError(const FieldSpec& f, std::string message) {
  return InvalidArgumentError(std::string(f.name) + ": " + message);
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      parts.push_back(s.substr(start));
      return parts;
    }
    parts.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

std::vector<std::string_view> SplitBlanks(std::string_view s) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (true) {
    i = s.find_first_not_of(kBlanks, i);
    if (i == std::string_view::npos) return words;
    size_t end = s.find_first_of(kBlanks, i);
    if (end == std::string_view::npos) end = s.size();
    words.push_back(s.substr(i, end - i));
    i = end;
  }
}

std::string_view Trim(std::string_view s) {
  const size_t begin = s.find_first_not_of(kBlanks);
  if (begin == std::string_view::npos) return {};
  const size_t end = s.find_last_not_of(kBlanks);
  return s.substr(begin, end - begin + 1);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Decimal digits only; values above 9999 saturate (they are out of range of
// every field anyway). nullopt if `s` is empty or has a non-digit.
std::optional<int> ParseNumber(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int value = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    value = std::min(value * 10 + (c - '0'), 10000);
  }
  return value;
}

// One value of a field: a number in range, or a name. `item` is the whole
// item, for messages. A name "sun" at the end of a day-of-week range means 7.
StatusOr<int> ParseValue(const FieldSpec& f, std::string_view text,
                         std::string_view item, bool range_end) {
  if (text.empty()) {
    return FieldError(f, "range " + Quote(item) +
                             " needs a value on each side of '-' (allowed " +
                             Allowed(f) + ")");
  }
  if (std::optional<int> n = ParseNumber(text)) {
    if (*n < f.min || *n > f.max) {
      return FieldError(f, Quote(text) + " is out of range " + Allowed(f));
    }
    return *n;
  }
  if (f.names != nullptr) {
    const std::string lower = Lower(text);
    for (int i = 0; i < f.name_count; ++i) {
      if (lower == f.names[i]) {
        const int value = f.min + i;
        // "fri-sun": Sunday ending a day-of-week range is 7.
        return (range_end && f.max == 7 && value == 0) ? 7 : value;
      }
    }
    std::string hint;
    if (f.name_kind == "month") {
      for (int i = 0; i < 12; ++i) {
        if (lower == kMonthFullNames[i]) {
          hint = " (write the first three letters, " +
                 std::string(kMonthNames[i]) + ")";
        }
      }
    } else if (lower.size() > 3) {
      for (int i = 0; i < 7; ++i) {
        if (lower.compare(0, 3, kWeekdayNames[i]) == 0) {
          hint = " (write the first three letters, " +
                 std::string(kWeekdayNames[i]) + ")";
        }
      }
    }
    return FieldError(f, Quote(text) + " is not a number or a " +
                             std::string(f.name_kind) + " name; allowed " +
                             Allowed(f) + hint);
  }
  return FieldError(f, Quote(text) + " is not a number; allowed " + Allowed(f));
}

// Parses one field into the values it selects (as a bitset over min..max).
StatusOr<std::vector<bool>> ParseField(const FieldSpec& f,
                                       std::string_view field) {
  std::vector<bool> selected(f.max + 1, false);
  for (std::string_view item : Split(field, ',')) {
    if (item.empty()) {
      return FieldError(f, "empty item in " + Quote(field) +
                               " (a comma must stand between two items, "
                               "with no blanks)");
    }
    std::string_view base = item;
    int step = 1;
    bool has_step = false;
    if (const size_t slash = item.find('/'); slash != std::string_view::npos) {
      base = item.substr(0, slash);
      const std::string_view step_text = item.substr(slash + 1);
      if (step_text.empty()) {
        return FieldError(f, "step missing after '/' in " + Quote(item) +
                                 " (write '/n' with n >= 1)");
      }
      std::optional<int> n = ParseNumber(step_text);
      if (!n) {
        return FieldError(f, "step " + Quote(step_text) + " in " + Quote(item) +
                                 " is not a number");
      }
      const int max_step = f.max - f.min + 1;
      if (*n < 1 || *n > max_step) {
        return FieldError(
            f, "step " + std::string(step_text) + " in " + Quote(item) +
                   " is out of range 1-" + std::to_string(max_step) +
                   (*n == 0 ? " (a step must be at least 1)" : ""));
      }
      step = *n;
      has_step = true;
    }
    int first = 0;
    int last = 0;
    if (base == "*") {
      first = f.min;
      last = f.max;
    } else if (base.empty()) {
      return FieldError(f, Quote(item) + " has no value before '/' (write " +
                               "'*/n' or 'a/n' or 'a-b/n')");
    } else if (base.front() == '*') {
      return FieldError(f, Quote(item) +
                               " is not valid: '*' can only be followed by "
                               "a step '/n' (allowed " +
                               Allowed(f) + ")");
    } else if (const size_t dash = base.find('-');
               dash != std::string_view::npos) {
      ASSIGN_OR_RETURN(first, ParseValue(f, base.substr(0, dash), item, false));
      ASSIGN_OR_RETURN(last, ParseValue(f, base.substr(dash + 1), item, true));
      if (first > last) {
        return FieldError(
            f, "range " + Quote(base) + " is reversed (" +
                   std::to_string(first) + " > " + std::to_string(last) +
                   "); ranges do not wrap around, write the smaller value "
                   "first or use a list such as '" +
                   std::to_string(first) + "-" + std::to_string(f.max) + "," +
                   std::to_string(f.min) + "-" + std::to_string(last) + "'");
      }
    } else {
      ASSIGN_OR_RETURN(first, ParseValue(f, base, item, false));
      // "a/n" means "a-MAX/n"; a plain value is just itself.
      last = has_step ? f.max : first;
    }
    for (int v = first; v <= last; v += step) selected[v] = true;
  }
  return selected;
}

int MaxDaysInMonth(int month) {
  static constexpr int kDays[13] = {0,  31, 29, 31, 30, 31, 30,
                                    31, 31, 30, 31, 30, 31};
  return kDays[month];
}

// "a", "a or b", "a, b or c".
std::string JoinOr(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? " or " : ", ";
    out += items[i];
  }
  return out;
}

// crontab(5): when both day fields are restricted a day matches if either
// does; otherwise it must match both (a field that is just '*' matches every
// day, one like '*/2' only the days it selects).
bool DayMatches(bool day_restricted, bool weekday_restricted, bool day_ok,
                bool weekday_ok) {
  if (day_restricted && weekday_restricted) return day_ok || weekday_ok;
  return day_ok && weekday_ok;
}

struct Macro {
  std::string_view name;
  std::string_view fields;
};

constexpr Macro kMacros[] = {
    {"@yearly", "0 0 1 1 *"},  {"@annually", "0 0 1 1 *"},
    {"@monthly", "0 0 1 * *"}, {"@weekly", "0 0 * * 0"},
    {"@daily", "0 0 * * *"},   {"@midnight", "0 0 * * *"},
    {"@hourly", "0 * * * *"},
};

}  // namespace

std::unique_ptr<TimeZone> LocalTimeZone() {
  return std::make_unique<LocalZone>();
}

std::unique_ptr<TimeZone> FixedTimeZone(int offset_s) {
  return std::make_unique<FixedZone>(offset_s);
}

StatusOr<CronExpression> CronExpression::Parse(std::string_view text) {
  CronExpression expr;
  const std::string_view trimmed = Trim(text);
  expr.text_ = std::string(trimmed);
  std::vector<std::string_view> words = SplitBlanks(trimmed);

  if (!words.empty() && words[0].front() == '@') {
    const std::string name = Lower(words[0]);
    if (name == "@reboot") {
      return InvalidArgumentError(
          "@reboot is not supported: a crawl schedule has no boot to run "
          "at; use a time, e.g. @daily or '0 3 * * *'");
    }
    const Macro* macro = nullptr;
    for (const Macro& m : kMacros) {
      if (name == m.name) macro = &m;
    }
    if (macro == nullptr) {
      return InvalidArgumentError(
          "unknown macro " + Quote(words[0]) +
          "; allowed @yearly, @annually, @monthly, @weekly, @daily, "
          "@midnight, @hourly, or five fields (" +
          std::string(kFieldList) + ")");
    }
    if (words.size() > 1) {
      return InvalidArgumentError(
          std::string(macro->name) +
          " stands for all five fields; nothing may follow it, got " +
          Quote(trimmed));
    }
    expr.fields_ = std::string(macro->fields);
    words = SplitBlanks(macro->fields);
  } else {
    if (words.size() != 5) {
      std::string message = "expected 5 fields (" + std::string(kFieldList) +
                            "), got " + std::to_string(words.size());
      if (words.size() == 6) {
        message +=
            " (seconds, years and a crontab user name are not supported)";
      } else if (words.empty()) {
        message += " (the expression is empty)";
      }
      return InvalidArgumentError(message);
    }
    for (size_t i = 0; i < words.size(); ++i) {
      if (i > 0) expr.fields_ += ' ';
      expr.fields_ += words[i];
    }
  }

  std::vector<bool> values[5];
  for (int i = 0; i < 5; ++i) {
    ASSIGN_OR_RETURN(values[i], ParseField(kFields[i], words[i]));
  }
  for (int v = 0; v < 60; ++v) expr.minutes_[v] = values[0][v];
  for (int v = 0; v < 24; ++v) expr.hours_[v] = values[1][v];
  for (int v = 1; v <= 31; ++v) expr.days_[v] = values[2][v];
  for (int v = 1; v <= 12; ++v) expr.months_[v] = values[3][v];
  for (int v = 0; v < 7; ++v) expr.weekdays_[v] = values[4][v];
  if (values[4][7]) expr.weekdays_[0] = true;  // 7 is Sunday too.
  expr.day_restricted_ = words[2].front() != '*';
  expr.weekday_restricted_ = words[4].front() != '*';

  // With day-of-week unrestricted, a day must match day-of-month: refuse a
  // day-of-month that no selected month has (it would never run).
  if (!expr.weekday_restricted_) {
    bool possible = false;
    for (int m = 1; m <= 12 && !possible; ++m) {
      if (!expr.months_[m]) continue;
      for (int d = 1; d <= MaxDaysInMonth(m) && !possible; ++d) {
        possible = expr.days_[d];
      }
    }
    if (!possible) {
      std::vector<std::string> days;
      std::vector<std::string> months;
      for (int d = 1; d <= 31; ++d) {
        if (expr.days_[d]) days.push_back(std::to_string(d));
      }
      for (int m = 1; m <= 12; ++m) {
        if (expr.months_[m])
          months.push_back(std::string(kMonthFullNames[m - 1]));
      }
      return InvalidArgumentError(
          "day-of-month " + JoinOr(days) + " never falls in " + JoinOr(months) +
          ", so " + Quote(expr.fields_) + " would never run");
    }
  }
  return expr;
}

bool CronExpression::Matches(int month, int day, int weekday, int hour,
                             int minute) const {
  if (month < 1 || month > 12 || day < 1 || day > 31 || weekday < 0 ||
      weekday > 7 || hour < 0 || hour > 23 || minute < 0 || minute > 59) {
    return false;
  }
  if (!minutes_[minute] || !hours_[hour] || !months_[month]) return false;
  return DayMatches(day_restricted_, weekday_restricted_, days_[day],
                    weekdays_[weekday % 7]);
}

std::optional<int64_t> CronExpression::Next(int64_t after_unix_s,
                                            const TimeZone& zone) const {
  if (after_unix_s > kMaxAbsInstant || after_unix_s < -kMaxAbsInstant) {
    return std::nullopt;
  }
  // The civil time of `after`; matches before its minute cannot be later
  // than `after` (the earliest occurrence of a civil time is not later than
  // any other), so the search starts at that minute.
  const int64_t local = after_unix_s + zone.UtcOffsetSeconds(after_unix_s);
  const int64_t start_day = FloorDiv(local, kSecondsPerDay);
  const int64_t start_second = local - start_day * kSecondsPerDay;
  const int start_hour = static_cast<int>(start_second / 3600);
  const int start_minute = static_cast<int>(start_second % 3600 / 60);

  int64_t day = start_day;
  while (day < start_day + kSearchDays) {
    const CivilDate date = CivilFromDays(day);
    if (!months_[date.month]) {  // Skip to the 1st of the next month.
      day = date.month == 12 ? DaysFromCivil(date.year + 1, 1, 1)
                             : DaysFromCivil(date.year, date.month + 1, 1);
      continue;
    }
    if (DayMatches(day_restricted_, weekday_restricted_, days_[date.day],
                   weekdays_[WeekdayFromDays(day)])) {
      const bool first_day = day == start_day;
      for (int hour = first_day ? start_hour : 0; hour < 24; ++hour) {
        if (!hours_[hour]) continue;
        const bool first_hour = first_day && hour == start_hour;
        for (int minute = first_hour ? start_minute : 0; minute < 60;
             ++minute) {
          if (!minutes_[minute]) continue;
          const int64_t candidate =
              day * kSecondsPerDay + hour * 3600 + minute * 60;
          const std::optional<int64_t> instant =
              CivilToInstant(candidate, zone);
          if (instant && *instant > after_unix_s) return instant;
        }
      }
    }
    ++day;
  }
  return std::nullopt;
}

}  // namespace crawler::schedule
