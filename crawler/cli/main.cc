// crawler: the command-line entry point. Wiring only: parse the arguments,
// build the concrete implementations, run, map the Status to an exit code.
//
// Exit codes (exit_codes.h; documented in `crawler --help` and README.md):
//   0   success
//   1   the job could not run or finish (message on stderr)
//   2   usage error (message names the bad argument), or an invalid crawl
//       file (`run`, `validate`: every error with file, line and column)
//   3   the job ended with more errors than --max-error-rate allows
//   4   refused: another run holds the --state directory
//   130 stopped by SIGINT, 143 stopped by SIGTERM
#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "crawler/base/clock.h"
#include "crawler/cli/crawl_flags.h"
#include "crawler/cli/crawl_observers.h"
#include "crawler/cli/exit_codes.h"
#include "crawler/cli/fetch_flags.h"
#include "crawler/cli/job_console.h"
#include "crawler/cli/robots_command.h"
#include "crawler/cli/run_command.h"
#include "crawler/cli/run_summary.h"
#include "crawler/cli/runs_command.h"
#include "crawler/cli/schedule_command.h"
#include "crawler/cli/shared_crawl.h"
#include "crawler/cli/status_command.h"
#include "crawler/cli/summary.h"
#include "crawler/cli/url_command.h"
#include "crawler/cli/validate_command.h"
#include "crawler/cli/warc_command.h"
#include "crawler/cli/warc_flags.h"
#include "crawler/coordinator/crawl_job.h"
#include "crawler/coordinator/fetch_job.h"
#include "crawler/coordinator/worker_launcher.h"
#include "crawler/fetch/curl_fetcher.h"
#include "crawler/frontier/redis_frontier.h"
#include "crawler/log/text_sink.h"
#include "crawler/mp/shared_stats.h"
#include "crawler/output/line_sink.h"
#include "crawler/output/record_fields.h"
#include "crawler/output/record_format.h"
#include "crawler/output/record_writer.h"
#include "crawler/state/state_store.h"
#include "crawler/worker/worker.h"

namespace {

using crawler::cli::kExitFailure;
using crawler::cli::kExitOk;
using crawler::cli::kExitUsage;

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
  status    the progress of a crawl shared through Redis (crawl --frontier)
            (crawler status --help)
  url       resolve and normalize a link as the crawler does
            (crawler url --help)
  warc      list the records of WARC files, print an archived body
            (crawler warc --help)
  runs      list the runs a crawl state remembers (crawler runs --help)
  cron      print the crontab line that runs a crawl file on its
            schedule.cron (crawler cron --help)
  schedule  run a crawl file on its schedule.cron in the foreground, for
            hosts without cron (crawler schedule --help)

Options:
  -h, --help       show this help
  -V, --version    print the version

Exit status: 0 success, 1 failure, 2 usage or crawl-file error, 3 more
errors than --max-error-rate allows, 4 refused: another run holds the
--state directory, 130/143 interrupted (SIGINT/SIGTERM; a
second Ctrl-C stops at once).
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

// Where the records go (-o), in their format and fields.
struct Records {
  std::unique_ptr<crawler::output::LineSink> sink;
  std::unique_ptr<crawler::output::RecordWriter> writer;
};

// With a crawl state, records are appended to the file, cut back first to
// what the state's last run committed (state_store.h).
crawler::StatusOr<Records> OpenRecords(
    const std::string& path, const crawler::output::OutputOptions& options,
    crawler::output::RecordKind kind,
    const crawler::state::StateStore* state = nullptr) {
  using namespace crawler;
  ASSIGN_OR_RETURN(std::vector<output::Field> fields,
                   output::ResolveFields(options.fields, kind));
  Records r;
  int64_t cut = 0;
  StatusOr<std::unique_ptr<output::LineSink>> sink =
      state == nullptr ? output::OpenLineSink(path)
                       : output::OpenLineSinkForAppend(
                             path, state::OutputToKeep(*state, path), &cut);
  if (!sink.ok()) return sink.status().WithContext("-o");
  if (cut > 0) {
    std::fprintf(stderr,
                 "crawler: %s: removed the last %lld bytes, records the "
                 "state %s had not committed (their URLs are fetched again)\n",
                 path.c_str(), static_cast<long long>(cut),
                 state->dir().c_str());
  }
  r.sink = std::move(*sink);
  r.writer = std::make_unique<output::RecordWriter>(
      *r.sink, output::NewRecordFormat(options.format, std::move(fields)));
  if (r.sink->Position() > 0) r.writer->MarkHeaderWritten();
  return r;
}

int64_t UnixMs(const crawler::Clock& clock) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             clock.WallNow().time_since_epoch())
      .count();
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
  // --warc: each worker writes its own WARC files (docs/warc.md).
  warc::ArchiveFactory archive;
  if (!flags.warc.prefix.empty()) {
    StatusOr<warc::ArchiveFactory> made = cli::MakeWarcArchiveFactory(
        flags.warc, std::string("crawler/") + cli::kCrawlerVersion,
        {{"http-header-user-agent", flags.fetch.user_agent},
         {"robots", "ignore"},
         {"description", "crawler fetch"}});
    if (!made.ok()) return Usage("fetch: " + made.status().message());
    archive = std::move(*made);
  }

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

  StatusOr<Records> records =
      OpenRecords(flags.output, flags.records, output::RecordKind::kFetch);
  if (!records.ok()) return Usage("fetch: " + records.status().message());

  StatusOr<std::unique_ptr<mp::SharedStats>> stats = MakeStats();
  if (!stats.ok()) {
    std::fprintf(stderr, "crawler: %s\n", stats.status().ToString().c_str());
    return kExitFailure;
  }
  flags.job.stats = stats->get();
  SystemClock clock;
  cli::JobConsole::Options console_options;
  console_options.log = flags.log;
  console_options.progress = flags.job.progress;
  console_options.records_to_terminal = records->sink->IsTerminal();
  console_options.final_line = true;
  console_options.stats = stats->get();
  StatusOr<std::unique_ptr<cli::JobConsole>> console =
      cli::JobConsole::Open(console_options, log::StandardError(), clock);
  if (!console.ok()) return Usage("fetch: " + console.status().message());
  log::Logger& logger = (*console)->logger();
  flags.job.logger = &logger;
  if ((*console)->progress() != nullptr) {
    flags.job.progress_listener = (*console)->progress();
    flags.job.progress_interval_s = 0.2;
  }
  worker::WorkerOptions worker_options;
  worker_options.stats = stats->get();
  if (const char* crash = std::getenv("CRAWLER_TEST_CRASH_ON")) {
    worker_options.crash_on = crash;
  }
  if (const char* hang = std::getenv("CRAWLER_TEST_HANG_ON")) {
    worker_options.hang_on = hang;
  }
  worker_options.archive = archive;
  fetch::FetchOptions fetch_options = flags.fetch;
  coordinator::ForkWorkerLauncher launcher(
      [fetch_options] { return fetch::NewCurlFetcher(fetch_options); },
      worker_options);

  StatusOr<coordinator::FetchJobSummary> summary =
      coordinator::RunFetchJob(flags.job, input, *records->writer, launcher);
  if (input_file != nullptr && input_file != stdin) std::fclose(input_file);
  Status closed = records->sink->Close();
  if (!closed.ok() && summary.ok()) summary = closed;
  if (!summary.ok()) {
    logger.Error("fetch failed: " + summary.status().message());
    return kExitFailure;
  }
  const coordinator::FetchJobSummary& s = *summary;
  if (s.error_rate_exceeded && s.interrupted_by == 0) {
    logger.Error(cli::ErrorRateMessage(s.error_rate, s.errors, s.urls,
                                       flags.job.max_error_rate, "URLs"));
  }
  return cli::FetchExitCode(s);
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

int CrawlRun(crawler::cli::CrawlFlags& flags, crawler::cli::RunReport* report) {
  using namespace crawler;
  // Every way out says why in the run summary too.
  auto usage = [&](const std::string& m) {
    report->message = m;
    return Usage(m);
  };
  auto fail = [&](const std::string& m, int code = kExitFailure) {
    report->message = m;
    std::fprintf(stderr, "crawler: %s\n", m.c_str());
    return code;
  };
  if (flags.fetch.insecure) std::fputs(kInsecureWarning, stderr);
  std::vector<std::string> seeds = flags.seeds;
  for (const std::string& file : flags.seed_files) {
    StatusOr<std::vector<std::string>> more = cli::ReadSeedFile(file);
    if (!more.ok()) return usage("crawl: --seeds: " + more.status().message());
    seeds.insert(seeds.end(), more->begin(), more->end());
  }
  if (seeds.empty()) {
    return usage("crawl: no seed URLs (give URLs or --seeds FILE)");
  }
  SystemClock clock;
  // --frontier: a crawl shared through Redis (docs/redis.md). Each node
  // writes its own output file, named after its id. Not with --state for
  // now: a state keeps one node's view of a crawl (its queue, its records'
  // offsets) that the shared frontier now owns.
  std::unique_ptr<frontier::RedisFrontier> shared;
  std::string output_path = flags.output;
  if (!flags.frontier_url.empty()) {
    if (!flags.state.empty()) {
      return usage(
          "crawl: --frontier and --state cannot be used together yet (the "
          "state would resume one node's part of a crawl that the shared "
          "frontier owns; docs/redis.md)");
    }
    frontier::RedisFrontierOptions redis_options;
    redis_options.crawl_name = flags.crawl_name.empty()
                                   ? cli::DefaultCrawlName(seeds)
                                   : flags.crawl_name;
    redis_options.node_id =
        flags.node_id.empty() ? cli::DefaultNodeId() : flags.node_id;
    redis_options.host_lease_ms = static_cast<int>(
        std::clamp<int64_t>(flags.frontier_lease_ms, 1, 1 << 30));
    // Hosts held at once: about what this node's transfer slots can serve
    // (twice them, 8 to 64), so that the first node started does not take
    // every host of a small crawl while the others wait.
    const int workers = flags.job.workers.workers > 0
                            ? flags.job.workers.workers
                            : static_cast<int>(std::max(
                                  1u, std::thread::hardware_concurrency()));
    redis_options.max_held_hosts =
        std::clamp(2 * workers * flags.job.workers.concurrency, 8, 64);
    // Renewed a few times per lease, at most once a second.
    redis_options.maintenance_interval_ms =
        std::clamp(redis_options.host_lease_ms / 4, 1, 1000);
    StatusOr<std::unique_ptr<frontier::RedisFrontier>> made =
        frontier::RedisFrontier::Create(flags.frontier_url, flags.job.frontier,
                                        redis_options, clock);
    if (!made.ok()) {
      return fail(
          "--frontier " + flags.frontier_url + ": " + made.status().message(),
          made.status().code() == Code::kInvalidArgument ? kExitUsage
                                                         : kExitFailure);
    }
    shared = std::move(*made);
    flags.job.shared_frontier = shared.get();
    output_path = cli::NodeOutputPath(flags.output, shared->node_id());
    // WARC files too: PREFIX.NODE-...warc.gz.
    if (!flags.warc.prefix.empty()) {
      flags.warc.prefix =
          cli::NodeWarcPrefix(flags.warc.prefix, shared->node_id());
    }
  }
  // --state: opened (and locked) before anything else starts.
  std::unique_ptr<state::StateStore> state;
  if (!flags.state.empty()) {
    StatusOr<std::unique_ptr<state::StateStore>> opened =
        state::OpenStateStore(flags.state);
    if (!opened.ok()) {
      const Code code = opened.status().code();
      return fail(opened.status().message(),
                  code == Code::kFailedPrecondition ? cli::kExitStateLocked
                  : code == Code::kInvalidArgument  ? kExitUsage
                                                    : kExitFailure);
    }
    state = std::move(*opened);
    report->state_dir = state->dir();
  }
  // --warc: each worker writes its own WARC files (docs/warc.md).
  warc::ArchiveFactory archive;
  if (!flags.warc.prefix.empty()) {
    StatusOr<warc::ArchiveFactory> made = cli::MakeWarcArchiveFactory(
        flags.warc, std::string("crawler/") + cli::kCrawlerVersion,
        {{"http-header-user-agent", flags.fetch.user_agent},
         {"robots", flags.job.robots ? "classic" : "ignore"},
         {"description", "crawler crawl of " + std::to_string(seeds.size()) +
                             " seed URLs, scope " +
                             scope::ScopeModeName(flags.job.scope.mode) +
                             ", max depth " +
                             std::to_string(flags.job.max_depth)}});
    if (!made.ok()) return usage("crawl: " + made.status().message());
    archive = std::move(*made);
  }
  // --report and --metrics; the metrics server process is forked here,
  // while this process has one thread.
  StatusOr<std::unique_ptr<cli::CrawlObservers>> observers =
      cli::CrawlObservers::Start(flags, seeds, stderr);
  if (!observers.ok()) {
    if (observers.status().code() == Code::kInvalidArgument) {
      return usage("crawl: " + observers.status().message());
    }
    return fail(observers.status().message());
  }
  (*observers)->Attach(&flags.job);
  StatusOr<Records> records = OpenRecords(
      output_path, flags.records, output::RecordKind::kCrawl, state.get());
  if (!records.ok()) return usage("crawl: " + records.status().message());
  if (state != nullptr) {
    StatusOr<int64_t> run =
        state->BeginRun(UnixMs(clock), flags.output == "-" ? "" : flags.output,
                        std::max<int64_t>(records->sink->Position(), 0));
    if (!run.ok()) return fail(run.status().message());
    report->run_id = *run;
    flags.job.state = state.get();
  }
  StatusOr<std::unique_ptr<mp::SharedStats>> stats = MakeStats();
  if (!stats.ok()) return fail(stats.status().ToString());
  flags.job.stats = stats->get();
  cli::JobConsole::Options console_options;
  console_options.log = flags.log;
  console_options.progress = flags.job.progress;
  console_options.records_to_terminal = records->sink->IsTerminal();
  console_options.stats = stats->get();
  StatusOr<std::unique_ptr<cli::JobConsole>> console =
      cli::JobConsole::Open(console_options, log::StandardError(), clock);
  if (!console.ok()) return usage("crawl: " + console.status().message());
  log::Logger& logger = (*console)->logger();
  flags.job.logger = &logger;
  if ((*console)->progress() != nullptr) {
    flags.job.observers.push_back((*console)->progress());
  }
  if (shared != nullptr) {
    logger.Info("shared crawl '" + shared->key_prefix() + "' on " +
                flags.frontier_url + " as node " + shared->node_id() +
                (output_path != flags.output ? ", records to " + output_path
                                             : std::string()));
  }
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
  worker_options.archive = archive;
  fetch::FetchOptions fetch_options = flags.fetch;
  coordinator::ForkWorkerLauncher launcher(
      [fetch_options] { return fetch::NewCurlFetcher(fetch_options); },
      worker_options);
  StatusOr<coordinator::CrawlSummary> summary = coordinator::RunCrawlJob(
      flags.job, seeds, *records->writer, launcher, clock);
  Status closed = records->sink->Close();
  if (!closed.ok() && summary.ok()) summary = closed;
  Status finished = (*observers)->Finish(summary.status(), clock);
  if (!finished.ok() && summary.ok()) summary = finished;
  if (!summary.ok()) {
    report->message = "crawl failed: " + summary.status().message();
    logger.Error(report->message);
    if (state != nullptr) {
      // What was committed stays; the run is marked failed.
      (void)state->EndRun(UnixMs(clock), "failed", kExitFailure, {},
                          records->writer->position());
    }
    return kExitFailure;
  }
  const coordinator::CrawlSummary& s = *summary;
  report->summary = s;
  if (state != nullptr) {
    Status ended =
        state->EndRun(UnixMs(clock), s.stop_reason, cli::CrawlExitCode(s),
                      {{"pages", static_cast<int64_t>(s.pages)},
                       {"ok", static_cast<int64_t>(s.ok)},
                       {"errors", static_cast<int64_t>(s.errors)},
                       {"unfetched", static_cast<int64_t>(s.unfetched)},
                       {"resumed", static_cast<int64_t>(s.changes.resumed)},
                       {"due", static_cast<int64_t>(s.changes.due)},
                       {"not_due", static_cast<int64_t>(s.changes.not_due)},
                       {"new", static_cast<int64_t>(s.changes.new_urls)},
                       {"changed", static_cast<int64_t>(s.changes.changed)},
                       {"unchanged", static_cast<int64_t>(s.changes.unchanged)},
                       {"gone", static_cast<int64_t>(s.changes.gone)},
                       {"vanished", static_cast<int64_t>(s.changes.vanished)}},
                      records->writer->position());
    if (!ended.ok()) {
      report->message = "crawl state: " + ended.message();
      logger.Error(report->message);
      return kExitFailure;
    }
  }
  if (s.error_rate_exceeded && s.interrupted_by == 0) {
    report->message = cli::ErrorRateMessage(s.error_rate, s.errors, s.pages,
                                            flags.job.max_error_rate, "pages");
    logger.Error(report->message);
  }
  // The summary; its last line says why the crawl stopped.
  for (const std::string& line :
       cli::CrawlSummaryLines(s, flags.fetch.insecure)) {
    logger.Info(line);
  }
  return cli::CrawlExitCode(s);
}

// Runs the crawl, then writes its run summary (run_summary.h).
int Crawl(crawler::cli::CrawlFlags& flags) {
  using namespace crawler;
  SystemClock clock;
  cli::RunReport report;
  report.crawl_file = flags.crawl_file;
  report.started_ms = UnixMs(clock);
  report.output_path = flags.output == "-" ? "" : flags.output;
  report.exit_code = CrawlRun(flags, &report);
  report.ended_ms = UnixMs(clock);
  const std::string json = cli::RunSummaryJson(report);
  std::vector<std::string> paths;
  // The state's copy only when this run held the state (not when refused).
  if (!report.state_dir.empty()) {
    paths.push_back(report.state_dir + "/last-run.json");
  }
  if (!flags.summary_json.empty()) paths.push_back(flags.summary_json);
  for (const std::string& path : paths) {
    Status written = cli::WriteFileAtomically(path, json);
    if (!written.ok()) {
      std::fprintf(stderr, "crawler: run summary: %s\n",
                   written.message().c_str());
      // Whoever reads the summary would miss this run: not a success.
      if (report.exit_code == kExitOk) report.exit_code = kExitFailure;
    }
  }
  return report.exit_code;
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
  if (cmd == "status") {
    return crawler::cli::RunStatusCommand(rest, stdout, stderr);
  }
  if (cmd == "run") {
    crawler::cli::RunPlan plan =
        crawler::cli::PrepareRunCommand(rest, stdout, stderr);
    if (plan.exit_code) return *plan.exit_code;
    return Crawl(plan.flags);
  }
  if (cmd == "validate") {
    return crawler::cli::RunValidateCommand(rest, stdout, stderr);
  }
  if (cmd == "warc") return crawler::cli::RunWarcCommand(rest, stdout, stderr);
  if (cmd == "runs") return crawler::cli::RunRunsCommand(rest, stdout, stderr);
  if (cmd == "cron") return crawler::cli::RunCronCommand(rest, stdout, stderr);
  if (cmd == "schedule") {
    return crawler::cli::RunScheduleCommand(rest, stdout, stderr);
  }
  return Usage("unknown command '" + cmd +
               "' (commands: crawl, cron, fetch, robots, run, runs, schedule, "
               "status, url, validate, warc; "
               "see crawler --help)");
}
