// Console: the crawler's standard error, shared by log lines and, on a
// terminal, one status line kept below them.
//
// Log lines are "crawler: MESSAGE\n" (control characters in MESSAGE become
// '?', so a hostile URL cannot move the cursor or change the terminal).
// On a terminal, SetStatus() keeps one line at the bottom that is rewritten
// in place ("\r", the text, erase to the end of the line), cut to the
// terminal's width so it never wraps; a log line written meanwhile erases
// it, is printed, and the status line is drawn again below it, each in one
// write. When standard error is not a terminal (a pipe, a file, cron),
// SetStatus() writes nothing.
//
// Thread-safety: not thread-safe.
#ifndef CRAWLER_LOG_CONSOLE_H_
#define CRAWLER_LOG_CONSOLE_H_

#include <string>
#include <string_view>

#include "crawler/log/logger.h"
#include "crawler/log/text_sink.h"

namespace crawler::log {

class Console : public Logger {
 public:
  // Writes to `err` (not owned; must outlive the Console). Messages at
  // `level` or more severe are shown.
  Console(TextSink& err, LogLevel level);
  // Erases the status line if one is shown.
  ~Console() override;
  Console(const Console&) = delete;
  Console& operator=(const Console&) = delete;

  bool Enabled(LogLevel level) const override { return level <= level_; }
  void Log(LogLevel level, std::string_view message) override;

  // Writes "crawler: LINE\n" whatever the level (progress lines on a
  // stream that is not a terminal, when asked for).
  void PrintLine(std::string_view line);

  // On a terminal, shows `line` as the status line (replacing the previous
  // one); elsewhere does nothing.
  void SetStatus(std::string_view line);
  // Erases the status line, if one is shown.
  void ClearStatus();

  // True when standard error is a terminal (checked once, at construction).
  bool is_terminal() const { return terminal_; }

 private:
  void WriteLine(std::string_view line);

  TextSink& err_;
  LogLevel level_;
  bool terminal_;
  std::string status_;  // The status line shown, or "" when none.
};

}  // namespace crawler::log

#endif  // CRAWLER_LOG_CONSOLE_H_
