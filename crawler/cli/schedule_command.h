// `crawler cron` and `crawler schedule`: running a crawl file on the
// schedule its `schedule.cron` key gives (issue 6, docs/state.md).
//
//   crawler cron CRAWL.yaml [--log FILE] [--cwd DIR] [-- RUN OPTIONS]
//
// prints a crontab(5) entry (two comment lines, then the entry) that runs
// `crawler run CRAWL.yaml` at those times: the crawler binary and the
// crawl file by absolute path (cron's PATH is short), `cd` into the
// working directory first (the current one, or --cwd; relative output,
// state and log paths in the file are taken from it, as when the file is
// run by hand), and both output streams appended to the log file
// (--log, else schedule.log, else STATE_DIR/crawl.log with a state, else
// CRAWL_FILE_NAME.log), with cron's special '%' escaped. The log's
// directory is created now if needed, and the log opened once, so that a
// path cron could not write fails here rather than at the first run. Install it
// with
// `(crontab -l 2>/dev/null; crawler cron CRAWL.yaml) | crontab -`.
//
//   crawler schedule CRAWL.yaml [--run-now] [--max-runs N] [--log FILE]
//                    [-- RUN OPTIONS]
//
// is that scheduler in the foreground, for hosts without cron (containers,
// systemd services): it starts `crawler run CRAWL.yaml` as a child process
// at each time, in the local time zone (TZ), one run at a time (times that
// pass during a run are skipped and said so), and stops on SIGTERM or
// SIGINT: at once while waiting; during a run it passes the signal on and
// waits for the run to stop gracefully (its state kept). The runs'
// messages go to --log / schedule.log when set, else to this process's
// stderr; the scheduler's own lines go to stderr.
//
// Exit codes: 0 stopped by a signal (or `cron` printed its line); with
// --max-runs, the last run's exit status; 1 `cron` cannot write the log,
// or `schedule` found no next time; 2 usage error, an invalid crawl file,
// or one without schedule.cron. (A run that cannot be started counts as a
// run that exited with status 1; the scheduler goes on.)
//
// Thread-safety: `schedule` installs signal handlers; one per process.
#ifndef CRAWLER_CLI_SCHEDULE_COMMAND_H_
#define CRAWLER_CLI_SCHEDULE_COMMAND_H_

#include <cstdio>
#include <string>
#include <vector>

namespace crawler::cli {

// The arguments after "cron"; the exit code. `self` is the crawler binary
// to name in the line ("" for this process's own, /proc/self/exe).
int RunCronCommand(const std::vector<std::string>& args, std::FILE* out,
                   std::FILE* err, const std::string& self = "");

// The arguments after "schedule"; the exit code.
int RunScheduleCommand(const std::vector<std::string>& args, std::FILE* out,
                       std::FILE* err);

// `word` for a crontab line: as it is when it holds only letters, digits
// and _./:=@+,- ; otherwise in single quotes for sh(1) ('it'\''s'), with
// '%' escaped as \% (crontab(5): an unescaped % ends the command).
std::string CrontabQuote(const std::string& word);

}  // namespace crawler::cli

#endif  // CRAWLER_CLI_SCHEDULE_COMMAND_H_
