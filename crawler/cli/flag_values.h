// Parsers for command-line values, shared by the subcommands' flag parsers.
// Each error names the flag and the bad value and says what was expected.
#ifndef CRAWLER_CLI_FLAG_VALUES_H_
#define CRAWLER_CLI_FLAG_VALUES_H_

#include <cstdint>
#include <string>

#include "crawler/base/status.h"

namespace crawler::cli {

// An integer in [lo, hi].
StatusOr<int64_t> ParseInt(const std::string& flag, const std::string& v,
                           int64_t lo, int64_t hi);
// Seconds from 0.001 to 86400, possibly fractional, returned as ms.
StatusOr<int64_t> ParseSeconds(const std::string& flag, const std::string& v);
// Seconds from 0 to 86400, possibly fractional.
StatusOr<double> ParseSecondsOrZero(const std::string& flag,
                                    const std::string& v);
// A duration above 0 and up to 3650 days: a number of seconds, or a number
// followed by s, m, h or d ("90m", "1.5d"); returned in seconds.
StatusOr<double> ParseDuration(const std::string& flag, const std::string& v);
// A number from 0 to 1e6.
StatusOr<double> ParseNonNegative(const std::string& flag,
                                  const std::string& v);
// A byte count above 0 with an optional K, M or G suffix, up to 4G.
StatusOr<int64_t> ParseBytes(const std::string& flag, const std::string& v);

}  // namespace crawler::cli

#endif  // CRAWLER_CLI_FLAG_VALUES_H_
