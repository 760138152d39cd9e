// FileLogger: messages as timestamped lines in a log file (--log-file):
//
//   2026-01-01T12:00:00.123Z warn robots.txt of http://a.test unreachable ...
//
// The time is UTC wall-clock time from a Clock, so tests can fix it.
//
// Thread-safety: not thread-safe.
#ifndef CRAWLER_LOG_FILE_LOGGER_H_
#define CRAWLER_LOG_FILE_LOGGER_H_

#include <string_view>

#include "crawler/base/clock.h"
#include "crawler/log/logger.h"
#include "crawler/log/text_sink.h"

namespace crawler::log {

class FileLogger : public Logger {
 public:
  // Writes to `file` (not owned); `clock` gives the times. Both must
  // outlive the logger. Messages at `level` or more severe are written.
  FileLogger(TextSink& file, LogLevel level, const Clock& clock)
      : file_(file), level_(level), clock_(clock) {}
  FileLogger(const FileLogger&) = delete;
  FileLogger& operator=(const FileLogger&) = delete;

  bool Enabled(LogLevel level) const override { return level <= level_; }
  // One line, written with one write(2): "TIME LEVEL MESSAGE\n" (control
  // characters in MESSAGE become '?').
  void Log(LogLevel level, std::string_view message) override;

 private:
  TextSink& file_;
  LogLevel level_;
  const Clock& clock_;
};

}  // namespace crawler::log

#endif  // CRAWLER_LOG_FILE_LOGGER_H_
