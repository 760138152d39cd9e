// crawler: the command-line entry point. Wiring only: parse the arguments,
// build the concrete implementations, run, map the Status to an exit code.
//
// Exit codes (documented in `crawler --help` and README.md):
//   0   success
//   1   the job could not run or finish (message on stderr)
//   2   usage error (message names the bad argument), or an invalid crawl
//       file (`run`, `validate`: every error with file, line and column)
//   130 stopped by SIGINT, 143 stopped by SIGTERM
#include <signal.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "crawler/base/clock.h"
#include "crawler/cli/crawl_flags.h"
#include "crawler/cli/crawl_observers.h"
#include "crawler/cli/fetch_flags.h"
#include "crawler/cli/robots_command.h"
#include "crawler/cli/run_command.h"
#include "crawler/cli/url_command.h"
#include "crawler/cli/validate_command.h"
#include "crawler/coordinator/crawl_job.h"
#include "crawler/coordinator/fetch_job.h"
#include "crawler/coordinator/worker_launcher.h"
#include "crawler/fetch/curl_fetcher.h"
#include "crawler/mp/shared_stats.h"
#include "crawler/output/record_writer.h"
#include "crawler/worker/worker.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

const char* kUsage = R"(Usage: crawler COMMAND [OPTIONS]

A parallel web crawler: a coordinator process feeding URLs to fetcher worker
processes (libcurl, gumbo-parser).

Commands:
  crawl     start from seed URLs and follow links, politely, within a scope
            (crawler crawl --help)
  fetch     fetch a list of URLs in parallel, one JSON line per URL
            (crawler fetch --help)
  run       run the crawl a YAML crawl file describes; crawl's options
            override the file (crawler run --help)
  validate  check crawl files without fetching (crawler validate --help)
  robots    check URLs against a robots.txt file (crawler robots --help)
  url       resolve and normalize a link as the crawler does
            (crawler url --help)

Options:
  -h, --help       show this help
  -V, --version    print the version

Exit status: 0 success, 1 failure, 2 usage or crawl-file error, 130/143
interrupted.
)";

int Usage(const std::string& message) {
  std::fprintf(stderr, "crawler: %s\n", message.c_str());
  return kExitUsage;
}

constexpr char kInsecureWarning[] =
    "crawler: --insecure: TLS certificates are not verified\n";

// Live statistics: workers add to these counters in shared memory, the
// coordinator reads them for --progress. Created before any fork.
crawler::StatusOr<std::unique_ptr<crawler::mp::SharedStats>> MakeStats() {
  using namespace crawler;
  return mp::SharedStats::Create(
      {worker::kStatBytes, worker::kStatParsed, worker::kStatParseMicros});
}

int RunFetch(const std::vector<std::string>& args) {
  using namespace crawler;
  StatusOr<cli::FetchFlags> parsed = cli::ParseFetchFlags(args);
  if (!parsed.ok()) return Usage("fetch: " + parsed.status().message());
  cli::FetchFlags& flags = *parsed;
  if (flags.help) {
    std::fputs(cli::FetchUsage(), stdout);
    return kExitOk;
  }
  if (flags.fetch.insecure) std::fputs(kInsecureWarning, stderr);

  // Inputs: arguments, then --input, else standard input.
  std::FILE* input_file = nullptr;
  if (!flags.input.empty() && flags.input != "-") {
    input_file = std::fopen(flags.input.c_str(), "r");
    if (input_file == nullptr) {
      return Usage("fetch: cannot read --input '" + flags.input +
                   "': " + std::strerror(errno));
    }
  } else if (flags.input == "-" || flags.urls.empty()) {
    input_file = stdin;
  }
  coordinator::ListUrlSource arg_source(flags.urls);
  coordinator::FileUrlSource file_source(input_file);
  std::vector<coordinator::UrlSource*> sources = {&arg_source};
  if (input_file != nullptr) sources.push_back(&file_source);
  coordinator::ChainUrlSource input(sources);

  std::FILE* out = stdout;
  std::string out_name = "standard output";
  if (!flags.output.empty() && flags.output != "-") {
    out = std::fopen(flags.output.c_str(), "w");
    if (out == nullptr) {
      return Usage("fetch: cannot write -o '" + flags.output +
                   "': " + std::strerror(errno));
    }
    out_name = flags.output;
  }
  output::RecordWriter writer(out, out_name);

  StatusOr<std::unique_ptr<mp::SharedStats>> stats = MakeStats();
  if (!stats.ok()) {
    std::fprintf(stderr, "crawler: %s\n", stats.status().ToString().c_str());
    return kExitFailure;
  }
  flags.job.stats = stats->get();
  worker::WorkerOptions worker_options;
  worker_options.stats = stats->get();
  if (const char* crash = std::getenv("CRAWLER_TEST_CRASH_ON")) {
    worker_options.crash_on = crash;
  }
  if (const char* hang = std::getenv("CRAWLER_TEST_HANG_ON")) {
    worker_options.hang_on = hang;
  }
  fetch::FetchOptions fetch_options = flags.fetch;
  coordinator::ForkWorkerLauncher launcher(
      [fetch_options] { return fetch::NewCurlFetcher(fetch_options); },
      worker_options);

  StatusOr<coordinator::FetchJobSummary> summary =
      coordinator::RunFetchJob(flags.job, input, writer, launcher);
  if (input_file != nullptr && input_file != stdin) std::fclose(input_file);
  if (out != stdout && std::fclose(out) != 0 && summary.ok()) {
    summary = ErrnoError("closing " + out_name, errno);
  }
  if (!summary.ok()) {
    std::fprintf(stderr, "crawler: fetch failed: %s\n",
                 summary.status().message().c_str());
    return kExitFailure;
  }
  if (summary->interrupted_by != 0) return 128 + summary->interrupted_by;
  return kExitOk;
}

// The crawl that `flags` describe (from `crawler crawl` or `crawler run`).
int Crawl(crawler::cli::CrawlFlags& flags);

int RunCrawl(const std::vector<std::string>& args) {
  using namespace crawler;
  StatusOr<cli::CrawlFlags> parsed = cli::ParseCrawlFlags(args);
  if (!parsed.ok()) return Usage("crawl: " + parsed.status().message());
  cli::CrawlFlags& flags = *parsed;
  if (flags.help) {
    std::fputs(cli::CrawlUsage(), stdout);
    return kExitOk;
  }
  return Crawl(flags);
}

int Crawl(crawler::cli::CrawlFlags& flags) {
  using namespace crawler;
  if (flags.fetch.insecure) std::fputs(kInsecureWarning, stderr);
  std::vector<std::string> seeds = flags.seeds;
  for (const std::string& file : flags.seed_files) {
    StatusOr<std::vector<std::string>> more = cli::ReadSeedFile(file);
    if (!more.ok()) return Usage("crawl: --seeds: " + more.status().message());
    seeds.insert(seeds.end(), more->begin(), more->end());
  }
  if (seeds.empty()) {
    return Usage("crawl: no seed URLs (give URLs or --seeds FILE)");
  }
  // --report and --metrics; the metrics server process is forked here,
  // while this process has one thread.
  StatusOr<std::unique_ptr<cli::CrawlObservers>> observers =
      cli::CrawlObservers::Start(flags, seeds, stderr);
  if (!observers.ok()) {
    if (observers.status().code() == Code::kInvalidArgument) {
      return Usage("crawl: " + observers.status().message());
    }
    std::fprintf(stderr, "crawler: %s\n", observers.status().message().c_str());
    return kExitFailure;
  }
  (*observers)->Attach(&flags.job);
  std::FILE* out = stdout;
  std::string out_name = "standard output";
  if (!flags.output.empty() && flags.output != "-") {
    out = std::fopen(flags.output.c_str(), "w");
    if (out == nullptr) {
      return Usage("crawl: cannot write -o '" + flags.output +
                   "': " + std::strerror(errno));
    }
    out_name = flags.output;
  }
  output::RecordWriter writer(out, out_name);
  StatusOr<std::unique_ptr<mp::SharedStats>> stats = MakeStats();
  if (!stats.ok()) {
    std::fprintf(stderr, "crawler: %s\n", stats.status().ToString().c_str());
    return kExitFailure;
  }
  flags.job.stats = stats->get();
  worker::WorkerOptions worker_options;
  worker_options.stats = stats->get();
  worker_options.honour_nofollow = flags.job.honour_nofollow;
  worker_options.html.robots_token = flags.job.product_token;
  worker_options.url = flags.job.url;
  if (const char* crash = std::getenv("CRAWLER_TEST_CRASH_ON")) {
    worker_options.crash_on = crash;
  }
  if (const char* hang = std::getenv("CRAWLER_TEST_HANG_ON")) {
    worker_options.hang_on = hang;
  }
  fetch::FetchOptions fetch_options = flags.fetch;
  coordinator::ForkWorkerLauncher launcher(
      [fetch_options] { return fetch::NewCurlFetcher(fetch_options); },
      worker_options);
  SystemClock clock;
  StatusOr<coordinator::CrawlSummary> summary =
      coordinator::RunCrawlJob(flags.job, seeds, writer, launcher, clock);
  if (out != stdout && std::fclose(out) != 0 && summary.ok()) {
    summary = ErrnoError("closing " + out_name, errno);
  }
  Status finished = (*observers)->Finish(summary.status(), clock);
  if (!finished.ok() && summary.ok()) summary = finished;
  if (!summary.ok()) {
    std::fprintf(stderr, "crawler: crawl failed: %s\n",
                 summary.status().message().c_str());
    return kExitFailure;
  }
  const coordinator::CrawlSummary& s = *summary;
  std::fprintf(
      stderr,
      "crawler: crawl stopped (%s): %llu pages (%llu ok, %llu errors), "
      "%.1f MB, %llu robots.txt fetches, %llu sitemaps listed, %llu fetched "
      "(%llu URLs), %llu retries in %.1f s; skipped: "
      "%llu seen, %llu out of scope, %llu by robots.txt, %llu too deep, "
      "%llu over the per-host cap, %llu over the query-variant cap, %llu bad "
      "URLs; seen-set %llu URLs at %.1f bytes/URL%s\n",
      s.stop_reason.c_str(), static_cast<unsigned long long>(s.pages),
      static_cast<unsigned long long>(s.ok),
      static_cast<unsigned long long>(s.errors), s.bytes / 1e6,
      static_cast<unsigned long long>(s.robots_fetches),
      static_cast<unsigned long long>(s.sitemaps_listed),
      static_cast<unsigned long long>(s.sitemap_fetches),
      static_cast<unsigned long long>(s.sitemap_urls),
      static_cast<unsigned long long>(s.retries), s.seconds,
      static_cast<unsigned long long>(s.skipped_seen),
      static_cast<unsigned long long>(s.skipped_scope),
      static_cast<unsigned long long>(s.skipped_robots),
      static_cast<unsigned long long>(s.skipped_depth),
      static_cast<unsigned long long>(s.skipped_host_cap),
      static_cast<unsigned long long>(s.skipped_query_variants),
      static_cast<unsigned long long>(s.skipped_bad_url),
      static_cast<unsigned long long>(s.seen), s.seen_bytes_per_url,
      flags.fetch.insecure ? "; --insecure: TLS certificates not verified"
                           : "");
  if (s.interrupted_by != 0) return 128 + s.interrupted_by;
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  // Writes to a closed pipe (e.g. `crawler fetch ... | head`) must fail as
  // errors, not kill the coordinator.
  ::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::fputs(kUsage, stderr);
    return kExitUsage;
  }
  const std::string& cmd = args[0];
  if (cmd == "-h" || cmd == "--help" || cmd == "help") {
    std::fputs(kUsage, stdout);
    return kExitOk;
  }
  if (cmd == "-V" || cmd == "--version") {
    std::printf("crawler %s\n", crawler::cli::kCrawlerVersion);
    return kExitOk;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (cmd == "fetch") return RunFetch(rest);
  if (cmd == "crawl") return RunCrawl(rest);
  if (cmd == "robots") {
    return crawler::cli::RunRobotsCommand(rest, stdout, stderr);
  }
  if (cmd == "url") return crawler::cli::RunUrlCommand(rest, stdout, stderr);
  if (cmd == "run") {
    crawler::cli::RunPlan plan =
        crawler::cli::PrepareRunCommand(rest, stdout, stderr);
    if (plan.exit_code) return *plan.exit_code;
    return Crawl(plan.flags);
  }
  if (cmd == "validate") {
    return crawler::cli::RunValidateCommand(rest, stdout, stderr);
  }
  return Usage("unknown command '" + cmd +
               "' (commands: crawl, fetch, robots, run, url, validate; see "
               "crawler --help)");
}
