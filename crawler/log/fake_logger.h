// FakeLogger: a Logger for tests that keeps every message with its level.
//
// Thread-safety: not thread-safe.
#ifndef CRAWLER_LOG_FAKE_LOGGER_H_
#define CRAWLER_LOG_FAKE_LOGGER_H_

#include <string>
#include <utility>
#include <vector>

#include "crawler/log/logger.h"

namespace crawler::log {

class FakeLogger : public Logger {
 public:
  struct Entry {
    LogLevel level;
    std::string message;
  };

  // Keeps messages at `level` or more severe (all by default).
  explicit FakeLogger(LogLevel level = LogLevel::kDebug) : level_(level) {}

  bool Enabled(LogLevel level) const override { return level <= level_; }
  void Log(LogLevel level, std::string_view message) override {
    if (Enabled(level)) entries_.push_back({level, std::string(message)});
  }

  const std::vector<Entry>& entries() const { return entries_; }
  // The messages at `level`, in order.
  std::vector<std::string> At(LogLevel level) const {
    std::vector<std::string> out;
    for (const Entry& e : entries_) {
      if (e.level == level) out.push_back(e.message);
    }
    return out;
  }
  // True when a message at any level contains `text`.
  bool Contains(std::string_view text) const {
    for (const Entry& e : entries_) {
      if (e.message.find(text) != std::string::npos) return true;
    }
    return false;
  }

 private:
  LogLevel level_;
  std::vector<Entry> entries_;
};

}  // namespace crawler::log

#endif  // CRAWLER_LOG_FAKE_LOGGER_H_
