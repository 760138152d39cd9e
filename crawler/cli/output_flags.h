// Command-line flags for what a job writes and how it ends, shared by
// `crawler fetch` and `crawler crawl` (and so `crawler run`):
//
//   --format jsonl|csv       record format (default jsonl)
//   --fields a,b,c           the record fields written, in that order
//   -q, --quiet              only errors on stderr (--log-level error)
//   -v, --verbose            one line per URL (--log-level debug)
//   --log-level LEVEL        error, warn, info (default) or debug
//   --log-file FILE          messages to FILE (appended, timestamped)
//   --grace-period SEC       after Ctrl-C, time the requests in flight get
//   --max-error-rate RATE    exit 3 when more of the pages failed
//
// Pure: parses into the option structs; the last of --quiet, --verbose and
// --log-level wins.
#ifndef CRAWLER_CLI_OUTPUT_FLAGS_H_
#define CRAWLER_CLI_OUTPUT_FLAGS_H_

#include <functional>
#include <string>

#include "crawler/base/status.h"
#include "crawler/log/log_options.h"
#include "crawler/output/output_options.h"
#include "crawler/output/record_fields.h"

namespace crawler::cli {

// Where the parsed values go (none may be null; not owned).
struct OutputFlagTargets {
  output::OutputOptions* records;
  log::LogOptions* log;
  double* interrupt_grace_s;
  double* max_error_rate;
  // Which fields --fields may name.
  output::RecordKind kind = output::RecordKind::kCrawl;
};

// If `flag` (without an inline "=value") is one of the flags above, parses
// it into `targets` and returns true: `value` gives the flag's value (and
// fails when there is none), `no_value` fails when a switch was given one.
// Returns false, consuming nothing, for any other flag. Fails with
// InvalidArgument naming the flag and what was expected; an unknown field
// lists the valid ones.
StatusOr<bool> ParseOutputFlag(
    const std::string& flag,
    const std::function<StatusOr<std::string>()>& value,
    const std::function<Status()>& no_value, const OutputFlagTargets& targets);

// A fraction from 0 to 1 ("0.05") or a percentage ("5%"), as a fraction.
StatusOr<double> ParseRate(const std::string& flag, const std::string& v);

}  // namespace crawler::cli

#endif  // CRAWLER_CLI_OUTPUT_FLAGS_H_
