#include "crawler/coordinator/retry_after.h"

#include <array>
#include <cstddef>

namespace crawler::coordinator {
namespace {

using std::chrono::sys_seconds;

constexpr std::array<std::string_view, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                   "Thu", "Fri", "Sat"};
// RFC 850 day-name-l.
constexpr std::array<std::string_view, 7> kLongDays = {
    "Sunday",   "Monday", "Tuesday", "Wednesday",
    "Thursday", "Friday", "Saturday"};
constexpr std::array<std::string_view, 12> kMonths = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun",
    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

char ToLower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ToLower(a[i]) != ToLower(b[i])) return false;
  }
  return true;
}

// Optional whitespace (RFC 9110 5.6.3): spaces and tabs.
std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

// A cursor over the value; every Take* consumes only on success.
class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}

  bool AtEnd() const { return s_.empty(); }

  bool Take(char c) {
    if (s_.empty() || s_.front() != c) return false;
    s_.remove_prefix(1);
    return true;
  }

  bool TakeWord(std::string_view w) {
    if (s_.size() < w.size() || !EqualsIgnoreCase(s_.substr(0, w.size()), w)) {
      return false;
    }
    s_.remove_prefix(w.size());
    return true;
  }

  // Exactly `n` digits.
  std::optional<int> TakeDigits(size_t n) {
    if (s_.size() < n) return std::nullopt;
    int v = 0;
    for (size_t i = 0; i < n; ++i) {
      if (!IsDigit(s_[i])) return std::nullopt;
      v = v * 10 + (s_[i] - '0');
    }
    s_.remove_prefix(n);
    return v;
  }

  // One of `names` (case-insensitive); returns its index. (No name of a
  // list here is a prefix of another, so the first match is the only one.)
  template <size_t N>
  std::optional<int> TakeName(const std::array<std::string_view, N>& names) {
    for (size_t i = 0; i < N; ++i) {
      if (TakeWord(names[i])) return static_cast<int>(i);
    }
    return std::nullopt;
  }

 private:
  std::string_view s_;
};

// time-of-day = hour ":" minute ":" second (RFC 9110 5.6.7).
std::optional<std::chrono::seconds> TakeTime(Reader& r) {
  std::optional<int> h = r.TakeDigits(2);
  if (!h || !r.Take(':')) return std::nullopt;
  std::optional<int> m = r.TakeDigits(2);
  if (!m || !r.Take(':')) return std::nullopt;
  std::optional<int> s = r.TakeDigits(2);
  if (!s || *h > 23 || *m > 59 || *s > 60) return std::nullopt;
  return std::chrono::seconds(*h * 3600 + *m * 60 + *s);
}

std::optional<sys_seconds> MakeTime(int year, int month, int day,
                                    std::chrono::seconds time_of_day) {
  const std::chrono::year_month_day date{
      std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
      std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok()) return std::nullopt;
  return sys_seconds(std::chrono::sys_days(date)) + time_of_day;
}

// IMF-fixdate = day-name "," SP date1 SP time-of-day SP GMT
// date1 = day SP month SP year        ; e.g., 02 Jun 1982
std::optional<sys_seconds> ParseImfFixdate(std::string_view value) {
  Reader r(value);
  if (!r.TakeName(kDays) || !r.Take(',') || !r.Take(' ')) return std::nullopt;
  std::optional<int> day = r.TakeDigits(2);
  if (!day || !r.Take(' ')) return std::nullopt;
  std::optional<int> month = r.TakeName(kMonths);
  if (!month || !r.Take(' ')) return std::nullopt;
  std::optional<int> year = r.TakeDigits(4);
  if (!year || !r.Take(' ')) return std::nullopt;
  std::optional<std::chrono::seconds> time = TakeTime(r);
  if (!time || !r.Take(' ') || !r.TakeWord("GMT") || !r.AtEnd()) {
    return std::nullopt;
  }
  return MakeTime(*year, *month + 1, *day, *time);
}

// rfc850-date = day-name-l "," SP date2 SP time-of-day SP GMT
// date2 = day "-" month "-" 2DIGIT    ; e.g., 02-Jun-82
std::optional<sys_seconds> ParseRfc850(std::string_view value,
                                       sys_seconds now) {
  Reader r(value);
  if (!r.TakeName(kLongDays) || !r.Take(',') || !r.Take(' ')) {
    return std::nullopt;
  }
  std::optional<int> day = r.TakeDigits(2);
  if (!day || !r.Take('-')) return std::nullopt;
  std::optional<int> month = r.TakeName(kMonths);
  if (!month || !r.Take('-')) return std::nullopt;
  std::optional<int> yy = r.TakeDigits(2);
  if (!yy || !r.Take(' ')) return std::nullopt;
  std::optional<std::chrono::seconds> time = TakeTime(r);
  if (!time || !r.Take(' ') || !r.TakeWord("GMT") || !r.AtEnd()) {
    return std::nullopt;
  }
  // RFC 9110 5.6.7: a date that appears to be more than 50 years in the
  // future is in the most recent past year with the same last two digits.
  // Compared by year, as the rule is stated.
  const int this_year = static_cast<int>(
      std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(now))
          .year());
  int year = this_year - this_year % 100 + *yy;
  if (year > this_year + 50) year -= 100;
  if (year < 0) return std::nullopt;  // Only before year 50 of the era.
  return MakeTime(year, *month + 1, *day, *time);
}

// asctime-date = day-name SP date3 SP time-of-day SP year
// date3 = month SP ( 2DIGIT / ( SP DIGIT ))  ; e.g., Jun  2
std::optional<sys_seconds> ParseAsctime(std::string_view value) {
  Reader r(value);
  if (!r.TakeName(kDays) || !r.Take(' ')) return std::nullopt;
  std::optional<int> month = r.TakeName(kMonths);
  if (!month || !r.Take(' ')) return std::nullopt;
  std::optional<int> day;
  if (r.Take(' ')) {
    day = r.TakeDigits(1);
  } else {
    day = r.TakeDigits(2);
    if (!day) day = r.TakeDigits(1);
  }
  if (!day || !r.Take(' ')) return std::nullopt;
  std::optional<std::chrono::seconds> time = TakeTime(r);
  if (!time || !r.Take(' ')) return std::nullopt;
  std::optional<int> year = r.TakeDigits(4);
  if (!year || !r.AtEnd()) return std::nullopt;
  return MakeTime(*year, *month + 1, *day, *time);
}

void AppendTwoDigits(int v, std::string& out) {
  out += static_cast<char>('0' + v / 10);
  out += static_cast<char>('0' + v % 10);
}

}  // namespace

std::optional<sys_seconds> ParseHttpDate(std::string_view value,
                                         sys_seconds now) {
  value = TrimOws(value);
  // The forms differ from the fourth byte: ',' (IMF-fixdate), ' '
  // (asctime), a letter (RFC 850's long day name).
  if (value.size() < 4) return std::nullopt;
  if (value[3] == ',') return ParseImfFixdate(value);
  if (value[3] == ' ') return ParseAsctime(value);
  return ParseRfc850(value, now);
}

std::string FormatHttpDate(sys_seconds t) {
  const std::chrono::sys_days days = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day date(days);
  const std::chrono::weekday weekday(days);
  const int64_t secs = (t - days).count();
  const int year = static_cast<int>(date.year());
  std::string out;
  out.reserve(29);
  out += kDays[weekday.c_encoding()];
  out += ", ";
  AppendTwoDigits(static_cast<int>(static_cast<unsigned>(date.day())), out);
  out += ' ';
  out += kMonths[static_cast<unsigned>(date.month()) - 1];
  out += ' ';
  AppendTwoDigits(year / 100, out);
  AppendTwoDigits(year % 100, out);
  out += ' ';
  AppendTwoDigits(static_cast<int>(secs / 3600), out);
  out += ':';
  AppendTwoDigits(static_cast<int>(secs / 60 % 60), out);
  out += ':';
  AppendTwoDigits(static_cast<int>(secs % 60), out);
  out += " GMT";
  return out;
}

std::optional<int64_t> RetryAfterSeconds(
    std::string_view value, std::chrono::system_clock::time_point now,
    int64_t max_seconds) {
  value = TrimOws(value);
  if (value.empty()) return std::nullopt;
  // delay-seconds = 1*DIGIT (RFC 9110 10.2.3): saturates at max_seconds.
  if (IsDigit(value.front())) {
    int64_t secs = 0;
    for (const char c : value) {
      if (!IsDigit(c)) return std::nullopt;
      const int digit = c - '0';
      const bool over =
          max_seconds < digit || secs > (max_seconds - digit) / 10;
      secs = over ? max_seconds : secs * 10 + digit;
    }
    return secs;
  }
  const sys_seconds now_s = std::chrono::floor<std::chrono::seconds>(now);
  std::optional<sys_seconds> when = ParseHttpDate(value, now_s);
  if (!when) return std::nullopt;
  const int64_t delta = (*when - now_s).count();
  if (delta <= 0) return 0;
  return delta < max_seconds ? delta : max_seconds;
}

}  // namespace crawler::coordinator
