// The end of a job, in words and in an exit code.
//
// A crawl's summary is a few lines for people, then the last line that
// scripts grep ("crawl stopped (REASON): ..."):
//
//   pages by status: 2xx 110, 3xx 5, 4xx 3, 5xx 0, none 2
//   errors: timeout 2, connect_failed 1          (when there are errors)
//   not fetched: blocked_by_robots 12            (when some were given up)
//   12.3 MB from 3 hosts in 10.2 s, 11.8 pages/s
//   crawl stopped (done): 120 pages (110 ok, 3 errors, 7 skipped by type),
//       12.3 MB, ... skipped: ...; seen-set ...
//
// "none" counts the pages that got no HTTP answer; a skipped type
// (skipped_content_type: an answer that is not HTML, its body not read) is
// neither ok nor an error.
//
// Thread-safety: pure functions.
#ifndef CRAWLER_CLI_SUMMARY_H_
#define CRAWLER_CLI_SUMMARY_H_

#include <string>
#include <vector>

#include "crawler/coordinator/crawl_job.h"
#include "crawler/coordinator/fetch_job.h"

namespace crawler::cli {

// The summary lines of a crawl, without the "crawler: " prefix. `insecure`
// adds a note that TLS certificates were not verified to the last line.
std::vector<std::string> CrawlSummaryLines(const coordinator::CrawlSummary& s,
                                           bool insecure);

// Why a job that ran to its end fails with kExitTooManyErrors, e.g.
// "12.5% of the fetched pages ended with an error (5 of 40), more than
// --max-error-rate 10%"; `unit` is "pages" or "URLs".
std::string ErrorRateMessage(double rate, uint64_t errors, uint64_t total,
                             double max_rate, const std::string& unit);

// The exit code of a job that returned a summary: 128 + the signal when
// interrupted, kExitTooManyErrors when error_rate_exceeded, else kExitOk.
int CrawlExitCode(const coordinator::CrawlSummary& s);
int FetchExitCode(const coordinator::FetchJobSummary& s);

}  // namespace crawler::cli

#endif  // CRAWLER_CLI_SUMMARY_H_
