#include "crawler/cli/run_command.h"

#include "crawler/config/crawl_file.h"

namespace crawler::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitUsage = 2;

bool IsHelp(const std::string& a) { return a == "-h" || a == "--help"; }

}  // namespace

const char* RunUsage() {
  return R"usage(Usage: crawler run CRAWL.yaml [CRAWL OPTIONS] [URL...]

Runs the crawl that the crawl file CRAWL.yaml describes (docs/config.md; every
key is in seeds/reference.yaml). The file is checked first, as `crawler
validate` checks it: if anything in it is wrong, every problem is reported as
FILE:LINE:COLUMN: KEY: MESSAGE and nothing is fetched.

Any option of `crawler crawl` (crawler crawl --help) may follow the file and
overrides the key that sets the same option: `crawler run site.yaml
--max-pages 100` crawls at most 100 pages whatever limits.max_pages says.
URLs and repeatable options (--include, --seeds, ...) add to the file's lists.

  -h, --help    show this help

Exit status: as crawler crawl; 2 also when the crawl file has an error.
)usage";
}

config::CrawlConfig ToCrawlConfig(const CrawlFlags& flags) {
  config::CrawlConfig c;
  c.seeds = flags.seeds;
  c.seed_files = flags.seed_files;
  c.output = flags.output;
  c.records = flags.records;
  c.log = flags.log;
  c.report = flags.report;
  c.metrics = flags.metrics;
  c.warc = flags.warc;
  c.keep_session_ids = flags.keep_session_ids;
  c.state = flags.state;
  c.summary_json = flags.summary_json;
  c.frontier_url = flags.frontier_url;
  c.crawl_name = flags.crawl_name;
  c.node_id = flags.node_id;
  c.frontier_lease_ms = flags.frontier_lease_ms;
  c.job = flags.job;
  c.fetch = flags.fetch;
  return c;
}

CrawlFlags ToCrawlFlags(const config::CrawlConfig& config) {
  CrawlFlags f;
  f.seeds = config.seeds;
  f.seed_files = config.seed_files;
  f.output = config.output;
  f.records = config.records;
  f.log = config.log;
  f.report = config.report;
  f.metrics = config.metrics;
  f.warc = config.warc;
  f.keep_session_ids = config.keep_session_ids;
  f.state = config.state;
  f.summary_json = config.summary_json;
  f.frontier_url = config.frontier_url;
  f.crawl_name = config.crawl_name;
  f.node_id = config.node_id;
  f.frontier_lease_ms = config.frontier_lease_ms;
  f.job = config.job;
  f.fetch = config.fetch;
  return f;
}

config::CrawlConfig DefaultCrawlConfig() {
  return ToCrawlConfig(DefaultCrawlFlags());
}

RunPlan PrepareRunCommand(const std::vector<std::string>& args, std::FILE* out,
                          std::FILE* err, const config::EnvLookup& env) {
  RunPlan plan;
  for (const std::string& a : args) {
    if (a == "--") break;
    if (IsHelp(a)) {
      std::fputs(RunUsage(), out);
      plan.exit_code = kExitOk;
      return plan;
    }
  }
  if (args.empty() || (args[0].size() > 1 && args[0][0] == '-')) {
    std::fputs(
        "crawler: run: expected the crawl file first (crawler run CRAWL.yaml "
        "[OPTIONS]; see crawler run --help)\n",
        err);
    plan.exit_code = kExitUsage;
    return plan;
  }
  const std::string& path = args[0];
  config::LoadedCrawlFile file =
      config::LoadCrawlFile(path, DefaultCrawlConfig(), env);
  if (!file.ok()) {
    for (const config::ConfigError& e : file.errors) {
      std::fprintf(err, "%s\n", e.ToString().c_str());
    }
    std::fprintf(err,
                 "crawler: run: %s has %zu error%s; nothing was fetched "
                 "(crawler validate checks a file without running it)\n",
                 path.c_str(), file.errors.size(),
                 file.errors.size() == 1 ? "" : "s");
    plan.exit_code = kExitUsage;
    return plan;
  }
  StatusOr<CrawlFlags> flags =
      ParseCrawlFlags(std::vector<std::string>(args.begin() + 1, args.end()),
                      ToCrawlFlags(file.config));
  if (!flags.ok()) {
    std::fprintf(err, "crawler: run: %s\n", flags.status().message().c_str());
    plan.exit_code = kExitUsage;
    return plan;
  }
  plan.flags = std::move(*flags);
  plan.flags.crawl_file = path;
  return plan;
}

}  // namespace crawler::cli
