// LogOptions: how much the crawler says and where (--log-level, --quiet,
// --verbose, --log-file).
//
// Thread-safety: value types and pure functions.
#ifndef CRAWLER_LOG_LOG_OPTIONS_H_
#define CRAWLER_LOG_LOG_OPTIONS_H_

#include <string>
#include <string_view>

#include "crawler/base/status.h"

namespace crawler::log {

// Message levels, most severe first. A logger at level L shows the messages
// of L and of every level before it.
enum class LogLevel {
  kError = 0,  // The job, or a part of it, cannot go on.
  kWarn = 1,   // Something was skipped or given up (robots.txt unreachable,
               // a suspected trap, a bad sitemap).
  kInfo = 2,   // What the job is doing: why it stops, its summary.
  kDebug = 3,  // One line per URL and other detail.
};

struct LogOptions {
  // The least severe level shown (--log-level; --quiet is error, --verbose
  // is debug).
  LogLevel level = LogLevel::kInfo;
  // Messages go to this file (appended, one timestamped line each) instead
  // of standard error, where errors still appear too (--log-file); "": none.
  std::string file;
};

// "error", "warn" (or "warning"), "info" or "debug". Fails with
// InvalidArgument naming the accepted values.
StatusOr<LogLevel> ParseLogLevel(std::string_view name);

// "error", "warn", "info" or "debug".
const char* LogLevelName(LogLevel level);

}  // namespace crawler::log

#endif  // CRAWLER_LOG_LOG_OPTIONS_H_
