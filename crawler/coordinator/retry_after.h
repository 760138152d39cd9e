// Retry-After (RFC 9110 section 10.2.3) and HTTP-date (section 5.6.7)
// parsing, for the crawl's 429/503 handling (fault matrix N5 and F8).
//
// A Retry-After field value is either delay-seconds (1*DIGIT) or an
// HTTP-date. An HTTP-date has three forms, all of which a recipient must
// accept (RFC 9110 5.6.7):
//   IMF-fixdate  "Sun, 06 Nov 1994 08:49:37 GMT"   (the one senders use)
//   RFC 850      "Sunday, 06-Nov-94 08:49:37 GMT"  (obsolete)
//   asctime      "Sun Nov  6 08:49:37 1994"        (obsolete)
//
// What is accepted, beyond the grammar:
//   - leading and trailing spaces and tabs (optional whitespace around a
//     field value, RFC 9110 5.5) are ignored; nothing else may surround the
//     value ("5s", "+5", "-1", "1.5" and "5, 6" are not delay-seconds);
//   - day and month names in any letter case; the day name is not checked
//     against the date (a wrong weekday is ignored, not an error);
//   - the asctime day of month as " 6" (the grammar's form), "6" or "06";
//   - second 60 (a leap second, as RFC 5322 allows), counted as the first
//     second of the next minute.
// Refused: any other layout, a time zone other than "GMT", an impossible
// date ("30 Feb") or time ("24:00:00").
//
// A two-digit RFC 850 year is read as RFC 9110 5.6.7 says: a year that
// appears to be more than 50 years in the future is the most recent past
// year with the same last two digits.
//
// Times are std::chrono::sys_seconds, which holds any year 0000-9999 of the
// grammar without overflow.
//
// Everything here is pure (no I/O, no global state, no locale, no time
// zone) and thread-safe.
#ifndef CRAWLER_COORDINATOR_RETRY_AFTER_H_
#define CRAWLER_COORDINATOR_RETRY_AFTER_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace crawler::coordinator {

// Parses `value` as an HTTP-date in any of its three forms (see the file
// comment) and returns the instant it names; nullopt when it is not one.
// `now` is only used for the two-digit years of the RFC 850 form.
std::optional<std::chrono::sys_seconds> ParseHttpDate(
    std::string_view value, std::chrono::sys_seconds now);

// The IMF-fixdate of `t`, e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
// REQUIRES: t is in the years 0000-9999 (ParseHttpDate of the result then
// gives t back).
std::string FormatHttpDate(std::chrono::sys_seconds t);

// The delay a Retry-After field value asks for, in whole seconds, clamped to
// [0, max_seconds]:
//   delay-seconds  that many seconds ("120"; any number of digits, leading
//                  zeros allowed; a huge value gives max_seconds);
//   HTTP-date      the seconds from `now` (rounded down to the second) to
//                  that date; 0 when the date is not in the future (retry
//                  now).
// Returns nullopt when `value` is empty, only whitespace, or neither form
// ("soon", "-1", "1.5"): the caller then uses its own backoff, as when there
// is no Retry-After at all.
// REQUIRES: max_seconds >= 0.
std::optional<int64_t> RetryAfterSeconds(
    std::string_view value, std::chrono::system_clock::time_point now,
    int64_t max_seconds);

}  // namespace crawler::coordinator

#endif  // CRAWLER_COORDINATOR_RETRY_AFTER_H_
