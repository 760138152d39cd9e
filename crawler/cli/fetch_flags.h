// Command-line parsing for `crawler fetch`.
//
// Pure: turns argv into a FetchFlags struct or a usage error whose message
// names the bad argument and says what was expected. Tested in
// tests/cli/fetch_flags_test.cc; main.cc only wires the result together.
#ifndef CRAWLER_CLI_FETCH_FLAGS_H_
#define CRAWLER_CLI_FETCH_FLAGS_H_

#include <string>
#include <vector>

#include "crawler/base/status.h"
#include "crawler/coordinator/fetch_job.h"
#include "crawler/fetch/fetch_options.h"
#include "crawler/log/log_options.h"
#include "crawler/output/output_options.h"
#include "crawler/warc/warc_options.h"

namespace crawler::cli {

struct FetchFlags {
  bool help = false;
  std::vector<std::string> urls;  // Positional arguments.
  std::string input;              // --input FILE ("-" = stdin).
  std::string output;             // -o FILE ("" or "-" = stdout).
  // Record format and fields (--format, --fields).
  output::OutputOptions records;
  // How much is said on stderr, and the log file (--quiet, --verbose,
  // --log-level, --log-file).
  log::LogOptions log;
  coordinator::FetchJobOptions job;
  fetch::FetchOptions fetch;
  // --warc PREFIX, --warc-max-size BYTES: the WARC output; prefix "" for
  // none (then fetch.capture_exchanges stays false).
  warc::WarcOptions warc;
};

// Parses the arguments after "fetch". Fails with InvalidArgument, e.g.
// "--workers expects an integer from 1 to 256, got 'x'".
StatusOr<FetchFlags> ParseFetchFlags(const std::vector<std::string>& args);

// The text of `crawler fetch --help`.
const char* FetchUsage();

}  // namespace crawler::cli

#endif  // CRAWLER_CLI_FETCH_FLAGS_H_
