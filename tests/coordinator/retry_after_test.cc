// Retry-After and HTTP-date parsing (fault matrix F8): RFC 9110 sections
// 10.2.3 (Retry-After) and 5.6.7 (the three HTTP-date forms).
#include "crawler/coordinator/retry_after.h"

#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <string>

#include "crawler/testing/test_util.h"

namespace crawler::coordinator {
namespace {

using std::chrono::seconds;
using std::chrono::sys_seconds;

// 2026-01-01 00:00:00 UTC, a Thursday.
const sys_seconds kNow{seconds(1767225600)};
constexpr int64_t kMax = 3600;

struct Case {
  const char* value;
  std::optional<int64_t> seconds;  // nullopt: no usable value.
};

void CheckCases(std::initializer_list<Case> cases, int64_t max = kMax) {
  for (const Case& c : cases) {
    CAPTURE(std::string(c.value));
    CHECK(RetryAfterSeconds(c.value, kNow, max) == c.seconds);
  }
}

TEST_SUITE("RetryAfterSeconds") {
  TEST_CASE("RFC9110 10.2.3: delay-seconds, capped") {
    CheckCases({
        {"0", 0},
        {"7", 7},
        {"120", 120},
        {"007", 7},
        {"3600", 3600},
        {"3601", kMax},
        {"99999999", kMax},  // The fault server's "huge" value (N5).
        {"99999999999999999999999999999999", kMax},
    });
    // The cap is the caller's; digits never overflow.
    CheckCases({{"5", 0}}, 0);
    constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
    CheckCases({{"9223372036854775807", kInt64Max},
                {"9223372036854775808", kInt64Max},
                {"92233720368547758070", kInt64Max}},
               kInt64Max);
  }

  TEST_CASE("RFC9110 5.5: optional whitespace around the value is ignored") {
    CheckCases({
        {" 7", 7},
        {"7 ", 7},
        {"\t 7 \t", 7},
        {"  Thu, 01 Jan 2026 00:00:10 GMT\t", 10},
    });
  }

  TEST_CASE("garbage gives no value: the caller's default backoff") {
    CheckCases({
        {"", std::nullopt},
        {"   ", std::nullopt},
        {"-1", std::nullopt},
        {"+5", std::nullopt},
        {"5s", std::nullopt},
        {"1.5", std::nullopt},
        {"5 6", std::nullopt},
        {"5, 6", std::nullopt},
        {"0x10", std::nullopt},
        {"soon", std::nullopt},
        {"soon-ish", std::nullopt},  // The fault server's garbage (N5).
        {"\n7", std::nullopt},       // Only spaces and tabs are OWS.
        {"7\r", std::nullopt},
        {"2026-01-01T00:00:10Z", std::nullopt},  // ISO 8601 is not HTTP.
    });
    CHECK_FALSE(RetryAfterSeconds(std::string("7\0", 2), kNow, kMax));
  }

  TEST_CASE("RFC9110 5.6.7: an HTTP-date counts from now; the past is 0") {
    CheckCases({
        {"Thu, 01 Jan 2026 00:00:10 GMT", 10},
        {"Thu, 01 Jan 2026 01:00:00 GMT", 3600},
        {"Fri, 02 Jan 2026 00:00:00 GMT", kMax},
        {"Thu, 01 Jan 2026 00:00:00 GMT", 0},  // Now.
        {"Wed, 31 Dec 2025 23:59:59 GMT", 0},
        {"Sun, 06 Nov 1994 08:49:37 GMT", 0},
        {"Fri, 31 Dec 9999 23:59:59 GMT", kMax},
    });
    CheckCases({{"Fri, 02 Jan 2026 00:00:00 GMT", 86400}}, 1000000);
    // `now` is rounded down to the second.
    CHECK(RetryAfterSeconds("Thu, 01 Jan 2026 00:00:10 GMT",
                            kNow + std::chrono::milliseconds(999), kMax) == 10);
    // A delay does not depend on now.
    CHECK(RetryAfterSeconds("7", sys_seconds(seconds(0)), kMax) == 7);
  }

  TEST_CASE("RFC9110 5.6.7: the obsolete RFC 850 and asctime forms") {
    CheckCases({
        {"Thursday, 01-Jan-26 00:00:10 GMT", 10},
        {"Sunday, 06-Nov-94 08:49:37 GMT", 0},  // 1994, not 2094.
        {"Thu Jan  1 00:00:10 2026", 10},
        {"Thu Jan 01 00:00:10 2026", 10},  // Lenient: "01" and "1".
        {"Thu Jan 1 00:00:10 2026", 10},
        {"Sun Nov  6 08:49:37 1994", 0},
    });
  }
}

TEST_SUITE("ParseHttpDate") {
  // The example instant of RFC 9110 5.6.7 in its three forms.
  const sys_seconds kExample{seconds(784111777)};

  TEST_CASE("RFC9110 5.6.7: the three forms name the same instant") {
    CHECK(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT", kNow) == kExample);
    CHECK(ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT", kNow) == kExample);
    CHECK(ParseHttpDate("Sun Nov  6 08:49:37 1994", kNow) == kExample);
  }

  TEST_CASE("lenient: letter case, weekday, leap second") {
    CHECK(ParseHttpDate("sun, 06 NOV 1994 08:49:37 gmt", kNow) == kExample);
    CHECK(ParseHttpDate("SUNDAY, 06-nov-94 08:49:37 GMT", kNow) == kExample);
    // A wrong day name is ignored.
    CHECK(ParseHttpDate("Mon, 06 Nov 1994 08:49:37 GMT", kNow) == kExample);
    // Second 60 is the first second of the next minute.
    CHECK(ParseHttpDate("Sun, 06 Nov 1994 08:48:60 GMT", kNow) ==
          kExample - seconds(37));
    CHECK(ParseHttpDate("Sun, 29 Feb 2024 00:00:00 GMT", kNow).has_value());
  }

  TEST_CASE("RFC9110 5.6.7: a two-digit year is at most 50 years ahead") {
    // now is in 2026: "76" is 2076 (50 years ahead), "77" is 1977.
    CHECK(ParseHttpDate("Friday, 01-Jan-76 00:00:00 GMT", kNow) ==
          ParseHttpDate("Fri, 01 Jan 2076 00:00:00 GMT", kNow));
    CHECK(ParseHttpDate("Saturday, 01-Jan-77 00:00:00 GMT", kNow) ==
          ParseHttpDate("Sat, 01 Jan 1977 00:00:00 GMT", kNow));
    CHECK(ParseHttpDate("Monday, 01-Jan-00 00:00:00 GMT", kNow) ==
          ParseHttpDate("Sat, 01 Jan 2000 00:00:00 GMT", kNow));
  }

  TEST_CASE("refuses other layouts, zones and impossible dates") {
    for (const char* bad : {
             "",
             "Sun",
             "Sun, 06 Nov 1994 08:49:37",      // No zone.
             "Sun, 06 Nov 1994 08:49:37 UTC",  // Only GMT.
             "Sun, 06 Nov 1994 08:49:37 +0000",
             "Sun, 06 Nov 1994 08:49:37 GMT x",  // Trailing text.
             "Sun, 6 Nov 1994 08:49:37 GMT",     // Day in 2 digits.
             "Sun, 06 Nov 94 08:49:37 GMT",      // Year in 4 digits.
             "Sun,06 Nov 1994 08:49:37 GMT",
             "Sun, 06  Nov 1994 08:49:37 GMT",
             "Sun, 06 November 1994 08:49:37 GMT",
             "Sun, 06 Nov 1994 8:49:37 GMT",
             "Sun, 06 Nov 1994 08:49 GMT",
             "Sun, 32 Nov 1994 08:49:37 GMT",  // Day 32.
             "Sun, 31 Nov 1994 08:49:37 GMT",  // 31 November.
             "Thu, 29 Feb 2025 00:00:00 GMT",  // Not a leap year.
             "Sun, 00 Nov 1994 08:49:37 GMT",
             "Sun, 06 Nov 1994 24:00:00 GMT",
             "Sun, 06 Nov 1994 08:60:00 GMT",
             "Sun, 06 Nov 1994 08:49:61 GMT",
             "Sunday, 06-Nov-1994 08:49:37 GMT",  // RFC 850: 2 digits.
             "Sun, 06-Nov-94 08:49:37 GMT",       // RFC 850: long name.
             "Sunday, 06 Nov 94 08:49:37 GMT",
             "Sun Nov  6 08:49:37 94",  // asctime: 4 digits.
             "Sun Nov  6 08:49:37 1994 GMT",
             "Sun Nov   6 08:49:37 1994",
             "Sun Nov 006 08:49:37 1994",
             "Xyz, 06 Nov 1994 08:49:37 GMT",
         }) {
      CAPTURE(std::string(bad));
      CHECK_FALSE(ParseHttpDate(bad, kNow).has_value());
    }
  }
}

TEST_SUITE("FormatHttpDate") {
  TEST_CASE("RFC9110 5.6.7: IMF-fixdate") {
    CHECK(FormatHttpDate(sys_seconds(seconds(784111777))) ==
          "Sun, 06 Nov 1994 08:49:37 GMT");
    CHECK(FormatHttpDate(kNow) == "Thu, 01 Jan 2026 00:00:00 GMT");
    CHECK(FormatHttpDate(sys_seconds(seconds(0))) ==
          "Thu, 01 Jan 1970 00:00:00 GMT");
  }

  TEST_CASE("round-trips through ParseHttpDate over years 0000-9999") {
    const auto first = ParseHttpDate("Sat, 01 Jan 0000 00:00:00 GMT", kNow);
    const auto last = ParseHttpDate("Fri, 31 Dec 9999 23:59:59 GMT", kNow);
    REQUIRE(first.has_value());
    REQUIRE(last.has_value());
    CHECK(FormatHttpDate(*first) == "Sat, 01 Jan 0000 00:00:00 GMT");
    CHECK(FormatHttpDate(*last) == "Fri, 31 Dec 9999 23:59:59 GMT");
    std::mt19937_64 rng(42);
    std::uniform_int_distribution<int64_t> any(
        first->time_since_epoch().count(), last->time_since_epoch().count());
    for (int i = 0; i < 10000; ++i) {
      const sys_seconds t{seconds(any(rng))};
      const std::string text = FormatHttpDate(t);
      CAPTURE(text);
      CHECK(ParseHttpDate(text, kNow) == t);
    }
  }
}

}  // namespace
}  // namespace crawler::coordinator
