// The exit codes of `crawler` (crawler --help, README.md "Exit status").
// Only main maps results to them.
#ifndef CRAWLER_CLI_EXIT_CODES_H_
#define CRAWLER_CLI_EXIT_CODES_H_

namespace crawler::cli {

// The job did what was asked (per-URL failures are in the records).
inline constexpr int kExitOk = 0;
// The job could not run or finish: no worker, the output cannot be
// written... (the message is on stderr).
inline constexpr int kExitFailure = 1;
// A usage error, or an invalid crawl file (`run`, `validate`).
inline constexpr int kExitUsage = 2;
// The job ran to its end, but more of its fetched URLs ended with an error
// than --max-error-rate allows.
inline constexpr int kExitTooManyErrors = 3;
// Another run holds the --state directory (its pid is in the message);
// nothing was done.
inline constexpr int kExitStateLocked = 4;
// Stopped by a signal: 128 + its number (130 SIGINT, 143 SIGTERM), as a
// shell reports a process killed by it.
inline constexpr int kExitSignalBase = 128;

}  // namespace crawler::cli

#endif  // CRAWLER_CLI_EXIT_CODES_H_
