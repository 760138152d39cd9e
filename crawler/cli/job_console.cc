#include "crawler/cli/job_console.h"

namespace crawler::cli {

std::optional<ProgressDisplay::Mode> ChooseProgressMode(
    bool forced, bool stderr_terminal, bool records_to_terminal,
    log::LogLevel level) {
  // A status line needs a terminal of its own: records written to the same
  // terminal would be torn by its carriage returns.
  const bool status_line = stderr_terminal && !records_to_terminal;
  if (forced) {
    return status_line ? ProgressDisplay::Mode::kStatusLine
                       : ProgressDisplay::Mode::kLines;
  }
  if (status_line && level != log::LogLevel::kError) {
    return ProgressDisplay::Mode::kStatusLine;
  }
  return std::nullopt;
}

StatusOr<std::unique_ptr<JobConsole>> JobConsole::Open(const Options& options,
                                                       log::TextSink& err,
                                                       const Clock& clock) {
  std::unique_ptr<JobConsole> c(new JobConsole());
  const bool to_file = !options.log.file.empty();
  c->console_ = std::make_unique<log::Console>(
      err, to_file ? log::LogLevel::kError : options.log.level);
  c->logger_ = c->console_.get();
  if (to_file) {
    ASSIGN_OR_RETURN(c->file_, log::OpenLogFile(options.log.file));
    c->file_logger_ =
        std::make_unique<log::FileLogger>(*c->file_, options.log.level, clock);
    c->tee_ = std::make_unique<log::TeeLogger>(*c->console_, *c->file_logger_);
    c->logger_ = c->tee_.get();
  }
  std::optional<ProgressDisplay::Mode> mode =
      ChooseProgressMode(options.progress, c->console_->is_terminal(),
                         options.records_to_terminal, options.log.level);
  if (mode.has_value()) {
    ProgressDisplay::Options display;
    display.mode = *mode;
    display.final_line = options.final_line;
    display.stats = options.stats;
    c->progress_ =
        std::make_unique<ProgressDisplay>(*c->console_, clock, display);
  }
  return c;
}

}  // namespace crawler::cli
