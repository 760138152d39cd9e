// CrawlConfig: everything a crawl file can set, as the option structs the
// crawl engine takes. It aggregates them and adds nothing of its own beyond
// what `crawler crawl` keeps outside them (seeds, output path): a crawl file
// and the equivalent `crawler crawl` command line produce the same values.
//
// Thread-safety: a value type.
#ifndef CRAWLER_CONFIG_CRAWL_CONFIG_H_
#define CRAWLER_CONFIG_CRAWL_CONFIG_H_

#include <string>
#include <vector>

#include "crawler/coordinator/crawl_job.h"
#include "crawler/fetch/fetch_options.h"

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
  // Keep the session-id query parameters that are otherwise stripped
  // (scope.keep_session_ids; the CLI adds the list when this is false).
  bool keep_session_ids = false;
  // The crawl: workers, limits, politeness, scope, robots, URL options.
  coordinator::CrawlJobOptions job;
  // Each worker's fetcher: user agent, timeouts, sizes, address policy, TLS.
  fetch::FetchOptions fetch;
};

}  // namespace crawler::config

#endif  // CRAWLER_CONFIG_CRAWL_CONFIG_H_
