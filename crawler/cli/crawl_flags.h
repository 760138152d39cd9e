// Command-line parsing for `crawler crawl`.
//
// Pure: turns the words after "crawl" into a CrawlFlags struct or a usage
// error naming the bad argument and what was expected.
#ifndef CRAWLER_CLI_CRAWL_FLAGS_H_
#define CRAWLER_CLI_CRAWL_FLAGS_H_

#include <optional>
#include <string>
#include <vector>

#include "crawler/base/status.h"
#include "crawler/coordinator/crawl_job.h"
#include "crawler/fetch/fetch_options.h"
#include "crawler/log/log_options.h"
#include "crawler/metrics/listen_address.h"
#include "crawler/output/output_options.h"
#include "crawler/warc/warc_options.h"

namespace crawler::cli {

inline constexpr const char* kCrawlerVersion = "0.1.0";
// The default User-Agent names the crawler and its version; robots.txt groups
// are matched on its product token, "crawler".
inline constexpr const char* kDefaultUserAgent = "crawler/0.1.0";
// Query and path (";name=") parameters stripped from every URL unless
// --keep-session-ids: session ids of common server stacks.
inline constexpr const char* kSessionIdParams[] = {
    "jsessionid", "phpsessid", "aspsessionid*", "sid", "cfid", "cftoken"};

struct CrawlFlags {
  bool help = false;
  std::vector<std::string> seeds;       // Positional URLs.
  std::vector<std::string> seed_files;  // --seeds FILE (repeatable).
  std::string output;                   // -o FILE ("" or "-": stdout).
  // Record format and fields (--format, --fields).
  output::OutputOptions records;
  // How much is said on stderr, and the log file (--quiet, --verbose,
  // --log-level, --log-file).
  log::LogOptions log;
  // --keep-session-ids: kSessionIdParams are not added to
  // job.url.strip_query_params.
  bool keep_session_ids = false;
  coordinator::CrawlJobOptions job;
  fetch::FetchOptions fetch;
  // --report FILE: write the crawl report (HTML) there; "" for none.
  std::string report;
  // --metrics ADDR:PORT: serve /metrics and /status there while crawling;
  // unset for none.
  std::optional<metrics::ListenAddress> metrics;
  // --warc PREFIX, --warc-max-size BYTES: the WARC output; prefix "" for
  // none. fetch.capture_exchanges is derived from it.
  warc::WarcOptions warc;
  // --state DIR: the crawl's state between runs (resume, re-crawl); "" for
  // none.
  std::string state;
  // --summary-json FILE: also write the run's summary (JSON, run_summary.h)
  // there when it ends; "" for none. With a state it is always written to
  // DIR/last-run.json too.
  std::string summary_json;
  // Not a flag: the crawl file `crawler run` loaded ("" for `crawl`), named
  // in the run summary.
  std::string crawl_file;
  // A crawl shared by several nodes through Redis (docs/redis.md).
  // --frontier redis://HOST[:PORT][/DB]; "" for a crawl of one node.
  std::string frontier_url;
  // --crawl-name NAME: the shared crawl's name ("": the first seed's host).
  std::string crawl_name;
  // --node-id ID: this node's id ("": hostname-pid).
  std::string node_id;
  // --frontier-lease SEC: a host lease lasts this long after its last
  // renewal: a dead node's URLs return to the queue after it (ms).
  int64_t frontier_lease_ms = 30000;
};

// The values `crawler crawl` starts from before any flag: the engine's
// defaults with kDefaultUserAgent.
CrawlFlags DefaultCrawlFlags();

// Parses the arguments after "crawl". Fails with InvalidArgument.
StatusOr<CrawlFlags> ParseCrawlFlags(const std::vector<std::string>& args);

// The same, on top of `base` instead of DefaultCrawlFlags() (`crawler run`
// passes the values of a crawl file): a flag overrides base's value, a
// repeatable flag or a URL adds to base's list. Derived values are computed
// after the flags, from the result: fetch.capture_exchanges (from
// warc.prefix), fetch.max_redirects (0),
// fetch.max_concurrency, job.product_token, the session-id parameters
// (unless keep_session_ids), and job.workers.lease_timeout_ms when base's is
// negative (fetch.total_timeout_ms + 10 s). base must not hold derived
// values already (it must not come from ParseCrawlFlags).
StatusOr<CrawlFlags> ParseCrawlFlags(const std::vector<std::string>& args,
                                     CrawlFlags base);

// The text of `crawler crawl --help`.
const char* CrawlUsage();

// Reads a seed file: one URL per line, blank lines and '#' comments ignored,
// surrounding whitespace trimmed. Fails with NotFound naming the file.
StatusOr<std::vector<std::string>> ReadSeedFile(const std::string& path);

}  // namespace crawler::cli

#endif  // CRAWLER_CLI_CRAWL_FLAGS_H_
