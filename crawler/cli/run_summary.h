// The run summary: one JSON object saying how a crawl run ended, for cron
// mailers, Airflow sensors and monitoring (issue 6). `crawler crawl` and
// `crawler run` write it when the run ends: to --summary-json FILE
// (output.summary_json) when given, and with a state always to
// STATE_DIR/last-run.json, each replaced atomically (written to a
// temporary file, then renamed), so a reader never sees half of one.
//
//   {"version": 1, "crawler": "0.1.0", "crawl_file": "nightly.yaml",
//    "state": "state/docs", "run": 12,
//    "started": "2026-11-26T02:00:00.120Z", "ended": "...",
//    "duration_s": 812.4,
//    "outcome": "success", "exit_code": 0, "stop_reason": "done",
//    "message": "",
//    "pages": 1200, "ok": 1180, "errors": 15, "skipped_type": 5,
//    "unfetched": 12, "status_classes": {"2xx": 1150, ...},
//    "errors_by_class": {"timeout": 3, ...},
//    "unfetched_by_class": {"blocked_by_robots": 12},
//    "bytes": 31457280, "hosts": 3, "robots_fetches": 3, "retries": 4,
//    "abandoned": 0, "error_rate": 0.0125,
//    "changes": {"new": 3, "changed": 40, "unchanged": 1100, "gone": 2,
//                "vanished": 1, "resumed": 0, "due": 1150, "not_due": 50},
//    "output": "docs.jsonl"}
//
// outcome is what the exit status means (exit_codes.h): "success" (0),
// "failed" (1), "usage_error" (2), "too_many_errors" (3), "refused" (4:
// the state was locked by another run; nothing was done), "interrupted"
// (130, 143). The counts are absent when the crawl never started
// (failed before it, refused); "changes" only with a state ("gone"
// counts the vanished URLs too: no longer linked from anything the run
// reached, docs/state.md); "run" and "state" only with a state.
//
// Thread-safety: pure functions, apart from WriteFileAtomically.
#ifndef CRAWLER_CLI_RUN_SUMMARY_H_
#define CRAWLER_CLI_RUN_SUMMARY_H_

#include <cstdint>
#include <optional>
#include <string>

#include "crawler/base/status.h"
#include "crawler/coordinator/crawl_job.h"

namespace crawler::cli {

// What is known about a run when it ends.
struct RunReport {
  std::string crawl_file;  // "" for `crawler crawl`.
  std::string state_dir;   // "" without a state.
  int64_t run_id = 0;      // The state's run id; 0 without one.
  int64_t started_ms = 0;  // Unix ms.
  int64_t ended_ms = 0;
  int exit_code = 0;
  // Why the run failed or was refused, as printed on stderr; "" otherwise.
  std::string message;
  // The crawl's summary, when it ran to its end (even interrupted).
  std::optional<coordinator::CrawlSummary> summary;
  std::string output_path;  // The records' file; "" for standard output.
};

// "success", "failed", "usage_error", "too_many_errors", "refused",
// "interrupted" (any exit code from 128 up), else "exit_N".
std::string OutcomeName(int exit_code);

// The JSON text of `report` (one line, with a final newline).
std::string RunSummaryJson(const RunReport& report);

// Writes `text` to `path` through PATH.tmp-PID and rename(2). Fails with a
// message naming the path.
Status WriteFileAtomically(const std::string& path, const std::string& text);

}  // namespace crawler::cli

#endif  // CRAWLER_CLI_RUN_SUMMARY_H_
