// `crawler runs`: the runs a crawl state remembers (issue 6).
//
//   crawler runs --state DIR [--limit N] [--json]
//
// Lists the runs recorded in DIR/state.db, newest first: id, start (UTC),
// duration, outcome (run_summary.h's names; "running" for the run holding
// the state's lock now, "killed" for an earlier run that never ended),
// exit status, why it stopped, and its counts (pages, ok, errors, new,
// changed, unchanged, gone). --json prints one JSON object per line
// instead. Reads without taking the state's lock, so it works while a run
// is going on.
//
// Exit codes: 0 listed (also when there are no runs yet); 1 DIR holds no
// state or cannot be read; 2 usage error. `--help` prints the usage to
// `out`.
//
// Thread-safety: no shared state; writes only to `out` and `err`.
#ifndef CRAWLER_CLI_RUNS_COMMAND_H_
#define CRAWLER_CLI_RUNS_COMMAND_H_

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "crawler/state/state_store.h"

namespace crawler::cli {

// The arguments after "runs"; the exit code.
int RunRunsCommand(const std::vector<std::string>& args, std::FILE* out,
                   std::FILE* err);

// The outcome shown for `run`: "running" when it has not ended and
// `lock_holder` (the pid holding the state) is set and it is the newest
// run, "killed" when it never ended otherwise, else OutcomeName(exit code).
std::string RunOutcome(const state::RunInfo& run, bool newest,
                       std::optional<int> lock_holder);

// The table and the JSON lines (for tests).
std::string FormatRuns(const std::vector<state::RunInfo>& runs,
                       std::optional<int> lock_holder);
std::string RunsJson(const std::vector<state::RunInfo>& runs,
                     std::optional<int> lock_holder);

}  // namespace crawler::cli

#endif  // CRAWLER_CLI_RUNS_COMMAND_H_
