// `crawler run CRAWL.yaml [crawl flags...]`: the crawl a crawl file
// describes (crawler/config, docs/config.md), with `crawler crawl`'s flags
// on top.
//
// The file is loaded and validated first, exactly as `crawler validate`
// does; if it has any error, every error is written to `err` (one per line,
// "FILE:LINE:COLUMN: KEY: MESSAGE") and nothing is fetched. The file's values
// then become the starting point of the `crawl` flag parser
// (ParseCrawlFlags(args, base)), so a flag overrides the key that sets the
// same option (`--max-pages 100` beats limits.max_pages) and URLs and
// repeatable flags add to the file's lists. The crawl itself is `crawl`'s.
//
// Arguments: the crawl file comes first; everything after it is parsed as
// `crawler crawl` arguments. `-h`/`--help` anywhere prints RunUsage().
//
// Thread-safety: no shared state; writes only to `out` and `err`.
#ifndef CRAWLER_CLI_RUN_COMMAND_H_
#define CRAWLER_CLI_RUN_COMMAND_H_

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "crawler/cli/crawl_flags.h"
#include "crawler/config/crawl_config.h"
#include "crawler/config/env_substitution.h"

namespace crawler::cli {

// What `crawler run` should do next.
struct RunPlan {
  // Set when the command is over: the help was printed (0), or a usage or
  // crawl-file error was written to `err` (2, the usage exit code).
  std::optional<int> exit_code;
  // Otherwise: the crawl to run, as `crawler crawl` would run it.
  CrawlFlags flags;
};

// Loads the crawl file named by args[0] and parses the rest of `args` on top
// (see the file comment). ${NAME} in the file is looked up with `env`.
RunPlan PrepareRunCommand(
    const std::vector<std::string>& args, std::FILE* out, std::FILE* err,
    const config::EnvLookup& env = config::ProcessEnvironment());

// The text of `crawler run --help`.
const char* RunUsage();

// The values a crawl file starts from: `crawler crawl`'s defaults
// (DefaultCrawlFlags()), as a CrawlConfig.
config::CrawlConfig DefaultCrawlConfig();

// The conversions between the two aggregates of the same options. Neither
// computes derived values (see ParseCrawlFlags).
config::CrawlConfig ToCrawlConfig(const CrawlFlags& flags);
CrawlFlags ToCrawlFlags(const config::CrawlConfig& config);

}  // namespace crawler::cli

#endif  // CRAWLER_CLI_RUN_COMMAND_H_
