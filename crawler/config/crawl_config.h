// CrawlConfig: everything a crawl file can set, as the option structs the
// crawl engine takes. It aggregates them and adds nothing of its own beyond
// what `crawler crawl` keeps outside them (seeds, output path, report,
// metrics address, WARC output; cli::CrawlFlags holds the same): a crawl file
// and the equivalent `crawler crawl` command line produce the same values.
//
// Thread-safety: a value type.
#ifndef CRAWLER_CONFIG_CRAWL_CONFIG_H_
#define CRAWLER_CONFIG_CRAWL_CONFIG_H_

#include <optional>
#include <string>
#include <vector>

#include "crawler/coordinator/crawl_job.h"
#include "crawler/fetch/fetch_options.h"
#include "crawler/log/log_options.h"
#include "crawler/metrics/listen_address.h"
#include "crawler/output/output_options.h"
#include "crawler/warc/warc_options.h"

namespace crawler::config {

struct CrawlConfig {
  // Seed URLs written in the file (seeds.urls), as written.
  std::vector<std::string> seeds;
  // Seed list files (seeds.files), relative ones already resolved against
  // the crawl file's directory.
  std::vector<std::string> seed_files;
  // Where records go (output.path): "" or "-" for standard output; relative
  // to the working directory, like `-o`.
  std::string output;
  // Record format and fields (output.format, output.fields).
  output::OutputOptions records;
  // Message level and log file (logging.level, logging.file; the file
  // relative to the working directory, like `--log-file`).
  log::LogOptions log;
  // The HTML crawl report's path (output.report), relative to the working
  // directory like `--report`; "" for none.
  std::string report;
  // Where /metrics and /status are served (metrics.listen); unset for
  // nowhere.
  std::optional<metrics::ListenAddress> metrics;
  // The WARC output (output.warc, output.warc_max_size): the prefix
  // relative to the working directory like `--warc`, "" for none.
  warc::WarcOptions warc;
  // Keep the session-id query parameters that are otherwise stripped
  // (scope.keep_session_ids; the CLI adds the list when this is false).
  bool keep_session_ids = false;
  // The state directory (state.dir), relative to the working directory like
  // `--state`; "" for none.
  std::string state;
  // Where the run's summary (JSON) is also written (output.summary_json),
  // relative to the working directory like `--summary-json`; "" for none.
  std::string summary_json;
  // When the crawl runs on a schedule (schedule.cron, five-field cron
  // syntax, see crawler/schedule/cron.h; "" for none) and where the runs
  // started by `crawler cron`'s line or `crawler schedule` write their
  // messages (schedule.log, relative to the working directory; "" for the
  // default, see `crawler cron --help`). Only those two commands read them.
  std::string schedule_cron;
  std::string schedule_log;
  // A crawl shared through Redis (frontier.url, frontier.crawl_name,
  // frontier.node_id, frontier.lease): "" url for none; "" crawl name:
  // the first seed's host; "" node id: hostname-pid.
  std::string frontier_url;
  std::string crawl_name;
  std::string node_id;
  int64_t frontier_lease_ms = 30000;
  // The crawl: workers, limits, politeness, scope, robots, URL options.
  coordinator::CrawlJobOptions job;
  // Each worker's fetcher: user agent, timeouts, sizes, address policy, TLS,
  // headers, cookies, proxy and authentication (the secrets already read
  // from the environment).
  fetch::FetchOptions fetch;
};

}  // namespace crawler::config

#endif  // CRAWLER_CONFIG_CRAWL_CONFIG_H_
