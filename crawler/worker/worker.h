// The fetcher worker: the body of each worker process.
//
// A worker reads FetchTasks from its pipe to the coordinator, keeps up to the
// fetcher's concurrency of them in flight, parses each HTML body (gumbo) for
// its title and links, and sends one FetchResult per task back. Parsing
// happens here, never in the coordinator: a hostile page can at worst kill a
// worker, which the coordinator replaces.
//
// Thread-safety: single-threaded by design (see mp/process.h).
#ifndef CRAWLER_WORKER_WORKER_H_
#define CRAWLER_WORKER_WORKER_H_

#include <string>

#include "crawler/base/status.h"
#include "crawler/fetch/fetcher.h"
#include "crawler/html/html_extractor.h"
#include "crawler/ipc/messages.h"
#include "crawler/mp/pipe.h"
#include "crawler/mp/shared_stats.h"

namespace crawler::worker {

struct WorkerOptions {
  // Limits for the HTML parser.
  html::HtmlOptions html;
  // Test hook: a worker that receives a URL containing this string kills
  // itself with SIGKILL before fetching it (deterministic crash tests). Empty
  // disables it; the CLI sets it from $CRAWLER_TEST_CRASH_ON.
  std::string crash_on;
  // Test hook: a worker that receives a URL containing this string stops
  // responding (sleeps forever), as a worker stuck in a parser would. The
  // CLI sets it from $CRAWLER_TEST_HANG_ON.
  std::string hang_on;
  // Live statistics shared with the coordinator (may be null). The worker
  // adds to the counters named in kWorkerStats, created before the fork.
  mp::SharedStats* stats = nullptr;
};

// Counters a worker updates in WorkerOptions::stats.
inline constexpr const char* kStatBytes = "bytes_received";
inline constexpr const char* kStatParsed = "pages_parsed";
inline constexpr const char* kStatParseMicros = "parse_us";

// Serves tasks from `conn` until the coordinator closes it and every task in
// flight has been answered. Returns OK then; DataLoss when the coordinator
// sends garbage; Closed when the coordinator disappears.
Status RunWorker(mp::Connection& conn, fetch::Fetcher& fetcher,
                 const WorkerOptions& options);

// Turns a fetch response into the result sent to the coordinator: copies the
// metadata and, when the body is HTML, extracts the title and counts (or,
// with want_links, resolves) the followable links. Pure: no I/O.
ipc::FetchResult BuildResult(fetch::FetchResponse response, bool want_links,
                             const html::HtmlOptions& options);

// True when a response with this Content-Type (and body, for sniffing when
// the type is missing) should be parsed as HTML.
bool LooksLikeHtml(std::string_view content_type, std::string_view body);

}  // namespace crawler::worker

#endif  // CRAWLER_WORKER_WORKER_H_
