// Logger: where the crawler's messages go (warnings, notices, the summary,
// per-URL debug lines), by level.
//
// Code that has something to say takes a Logger& (or a Logger* that may be
// null, then uses DefaultLogger()) and never writes to stderr itself, so a
// test can give it a FakeLogger (fake_logger.h) and read what was said, and
// the CLI can send messages to the terminal, a log file, or both
// (console.h, file_logger.h, TeeLogger).
//
// A message is one line of text without its line break.
//
// Thread-safety: implementations here are not thread-safe; the coordinator
// that uses them is single-threaded.
#ifndef CRAWLER_LOG_LOGGER_H_
#define CRAWLER_LOG_LOGGER_H_

#include <string_view>

#include "crawler/log/log_options.h"

namespace crawler::log {

class Logger {
 public:
  virtual ~Logger() = default;

  // True when a message at `level` would be written somewhere: a caller
  // can skip building a message nobody will read.
  virtual bool Enabled(LogLevel level) const = 0;

  // Writes `message` (one line, no line break) if `level` is enabled.
  // Failures to write are ignored: there is nowhere left to report them.
  virtual void Log(LogLevel level, std::string_view message) = 0;

  void Error(std::string_view message) { Log(LogLevel::kError, message); }
  void Warn(std::string_view message) { Log(LogLevel::kWarn, message); }
  void Info(std::string_view message) { Log(LogLevel::kInfo, message); }
  void Debug(std::string_view message) { Log(LogLevel::kDebug, message); }
};

// Drops everything.
class NullLogger : public Logger {
 public:
  bool Enabled(LogLevel) const override { return false; }
  void Log(LogLevel, std::string_view) override {}
};

// Sends each message to two loggers (e.g. the terminal and a log file).
class TeeLogger : public Logger {
 public:
  // Both must outlive the TeeLogger.
  TeeLogger(Logger& first, Logger& second) : first_(first), second_(second) {}
  bool Enabled(LogLevel level) const override {
    return first_.Enabled(level) || second_.Enabled(level);
  }
  void Log(LogLevel level, std::string_view message) override {
    first_.Log(level, message);
    second_.Log(level, message);
  }

 private:
  Logger& first_;
  Logger& second_;
};

// The logger of code given none: standard error at level info, each line
// "crawler: MESSAGE", as a Console (console.h) without a status line.
Logger& DefaultLogger();

}  // namespace crawler::log

#endif  // CRAWLER_LOG_LOGGER_H_
