// `crawler validate`: checks crawl files without fetching anything, and
// prints the generated key reference.
//
//   crawler validate CRAWL.yaml...     check each file
//   crawler validate --print-reference a crawl file listing every key with
//                                      its default (seeds/reference.yaml)
//   crawler validate --print-markdown  the keys as a Markdown table (README)
//
// A valid file prints "FILE: ok (...)" on `out`, with the number of keys set
// and of seed URLs. An invalid one prints each problem on `err` as
// "FILE:LINE:COLUMN: KEY: MESSAGE" (config::ConfigError), then a count. The
// checks are crawler/config's (crawl_file.h) plus one that needs the CLI's
// seed-file reader: the seeds, inline and from files, must hold at least one
// URL. The defaults are `crawler crawl`'s (DefaultCrawlConfig()).
//
// Exit codes: 0 every file is valid (or a reference was printed); 2 some
// file is not, or a usage error (the CLI's usage/config error code).
//
// Thread-safety: no shared state; writes only to `out` and `err`.
#ifndef CRAWLER_CLI_VALIDATE_COMMAND_H_
#define CRAWLER_CLI_VALIDATE_COMMAND_H_

#include <cstdio>
#include <string>
#include <vector>

#include "crawler/config/env_substitution.h"

namespace crawler::cli {

// Runs `crawler validate ...`; `args` are the words after "validate".
int RunValidateCommand(
    const std::vector<std::string>& args, std::FILE* out, std::FILE* err,
    const config::EnvLookup& env = config::ProcessEnvironment());

// The text of `crawler validate --help`.
const char* ValidateUsage();

}  // namespace crawler::cli

#endif  // CRAWLER_CLI_VALIDATE_COMMAND_H_
