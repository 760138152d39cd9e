#include "crawler/cli/flag_values.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace crawler::cli {

StatusOr<int64_t> ParseInt(const std::string& flag, const std::string& v,
                           int64_t lo, int64_t hi) {
  char* end = nullptr;
  errno = 0;
  long long x = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || errno != 0 || x < lo || x > hi) {
    return InvalidArgumentError(flag + " expects an integer from " +
                                std::to_string(lo) + " to " +
                                std::to_string(hi) + ", got '" + v + "'");
  }
  return static_cast<int64_t>(x);
}

// Seconds, possibly fractional ("2.5"), returned as milliseconds.
StatusOr<int64_t> ParseSeconds(const std::string& flag, const std::string& v) {
  char* end = nullptr;
  errno = 0;
  double x = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || errno != 0 || !std::isfinite(x) ||
      x < 0.001 || x > 86400) {
    return InvalidArgumentError(flag +
                                " expects a number of seconds from 0.001 to "
                                "86400, got '" +
                                v + "'");
  }
  return static_cast<int64_t>(x * 1000 + 0.5);
}

// A byte count with an optional K, M or G suffix (powers of 1024).
StatusOr<int64_t> ParseBytes(const std::string& flag, const std::string& v) {
  char* end = nullptr;
  errno = 0;
  long long x = std::strtoll(v.c_str(), &end, 10);
  int64_t mult = 1;
  std::string suffix = end != nullptr ? end : "";
  if (suffix == "K" || suffix == "k")
    mult = 1 << 10;
  else if (suffix == "M" || suffix == "m")
    mult = 1 << 20;
  else if (suffix == "G" || suffix == "g")
    mult = int64_t{1} << 30;
  else if (!suffix.empty())
    x = -1;
  if (v.empty() || errno != 0 || x <= 0 || x > (int64_t{4} << 30) / mult) {
    return InvalidArgumentError(flag +
                                " expects a byte count above 0 (suffix K, M "
                                "or G allowed) up to 4G, got '" +
                                v + "'");
  }
  return x * mult;
}

StatusOr<double> ParseSecondsOrZero(const std::string& flag,
                                    const std::string& v) {
  char* end = nullptr;
  errno = 0;
  double x = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || errno != 0 || !std::isfinite(x) || x < 0 ||
      x > 86400) {
    return InvalidArgumentError(flag +
                                " expects a number of seconds from 0 to "
                                "86400, got '" +
                                v + "'");
  }
  return x;
}

StatusOr<double> ParseDuration(const std::string& flag, const std::string& v) {
  char* end = nullptr;
  errno = 0;
  double x = std::strtod(v.c_str(), &end);
  double unit = 1;
  if (end != nullptr && *end != '\0' && end[1] == '\0') {
    switch (*end) {
      case 's':
        unit = 1;
        ++end;
        break;
      case 'm':
        unit = 60;
        ++end;
        break;
      case 'h':
        unit = 3600;
        ++end;
        break;
      case 'd':
        unit = 86400;
        ++end;
        break;
      default:
        break;
    }
  }
  x *= unit;
  if (v.empty() || end == v.c_str() || *end != '\0' || errno != 0 ||
      !std::isfinite(x) || x <= 0 || x > 3650.0 * 86400) {
    return InvalidArgumentError(
        flag +
        " expects a duration above 0 and up to 3650d: seconds, or a number "
        "with s, m, h or d (90m, 1.5d), got '" +
        v + "'");
  }
  return x;
}

StatusOr<double> ParseNonNegative(const std::string& flag,
                                  const std::string& v) {
  char* end = nullptr;
  errno = 0;
  double x = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || errno != 0 || !std::isfinite(x) || x < 0 ||
      x > 1e6) {
    return InvalidArgumentError(
        flag + " expects a number from 0 to 1000000, got '" + v + "'");
  }
  return x;
}

}  // namespace crawler::cli
