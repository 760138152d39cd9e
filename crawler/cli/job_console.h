// JobConsole: where a job's messages and progress go, set up from the
// flags (--quiet, --verbose, --log-level, --log-file, --progress):
//
// - Messages at the chosen level go to stderr as "crawler: MESSAGE"; with
//   --log-file they go to the file instead (timestamped), and stderr keeps
//   the errors only, so a failure is never silent.
// - Progress (ChooseProgressMode): on a terminal, a status line refreshed
//   in place, unless --quiet or the records themselves go to that terminal;
//   elsewhere nothing, unless --progress asks for a line every second.
//
// Thread-safety: not thread-safe; main's thread only.
#ifndef CRAWLER_CLI_JOB_CONSOLE_H_
#define CRAWLER_CLI_JOB_CONSOLE_H_

#include <memory>
#include <optional>

#include "crawler/base/clock.h"
#include "crawler/base/status.h"
#include "crawler/cli/progress_display.h"
#include "crawler/log/console.h"
#include "crawler/log/file_logger.h"
#include "crawler/log/log_options.h"
#include "crawler/log/logger.h"
#include "crawler/log/text_sink.h"

namespace crawler::cli {

// How progress is shown, if at all: `forced` is --progress.
std::optional<ProgressDisplay::Mode> ChooseProgressMode(
    bool forced, bool stderr_terminal, bool records_to_terminal,
    log::LogLevel level);

class JobConsole {
 public:
  struct Options {
    log::LogOptions log;
    // --progress: show progress even when stderr is not a terminal.
    bool progress = false;
    // The records go to the terminal stderr is on (stdout is a terminal).
    bool records_to_terminal = false;
    // On a terminal, leave a "done: " line when the job ends (fetch, which
    // prints no summary).
    bool final_line = false;
    // Workers' counters for the progress lines (may be null; not owned).
    const mp::SharedStats* stats = nullptr;
  };

  // `err` (standard error, or a fake) and `clock` are not owned and must
  // outlive the JobConsole. Fails when the log file cannot be opened.
  static StatusOr<std::unique_ptr<JobConsole>> Open(const Options& options,
                                                    log::TextSink& err,
                                                    const Clock& clock);
  JobConsole(const JobConsole&) = delete;
  JobConsole& operator=(const JobConsole&) = delete;

  // Where the job's messages go.
  log::Logger& logger() { return *logger_; }
  // The progress display, or null when progress is not shown.
  ProgressDisplay* progress() { return progress_.get(); }

 private:
  JobConsole() = default;

  std::unique_ptr<log::Console> console_;
  std::unique_ptr<log::TextSink> file_;
  std::unique_ptr<log::FileLogger> file_logger_;
  std::unique_ptr<log::TeeLogger> tee_;
  log::Logger* logger_ = nullptr;
  std::unique_ptr<ProgressDisplay> progress_;
};

}  // namespace crawler::cli

#endif  // CRAWLER_CLI_JOB_CONSOLE_H_
