// UTC time stamps for messages, records and summaries, so that every
// place that prints a time spells it the same way.
//
// Thread-safety: pure functions (gmtime_r).
#ifndef CRAWLER_BASE_TIME_FORMAT_H_
#define CRAWLER_BASE_TIME_FORMAT_H_

#include <cstdint>
#include <cstdio>
#include <ctime>
#include <string>

namespace crawler {

// RFC 3339 with milliseconds: "2026-11-26T02:00:00.120Z".
inline std::string Rfc3339Millis(int64_t unix_ms) {
  const std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
  const int ms = static_cast<int>(unix_ms % 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[80];  // Room for any int the fields could hold.
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec, ms < 0 ? 0 : ms);
  return buf;
}

// For people: "2026-11-26 02:00:00" (UTC, no zone written).
inline std::string UtcDateTime(int64_t unix_s) {
  const std::time_t secs = static_cast<std::time_t>(unix_s);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

}  // namespace crawler

#endif  // CRAWLER_BASE_TIME_FORMAT_H_
