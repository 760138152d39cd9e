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
#include "crawler/url/url.h"
#include "crawler/warc/exchange_archive.h"

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
  // Honour rel=nofollow, meta robots and X-Robots-Tag (see ResultOptions).
  bool honour_nofollow = true;
  // How links are resolved (see ResultOptions::url).
  url::UrlOptions url;
  // Live statistics shared with the coordinator (may be null). The worker
  // adds to the counters named in kWorkerStats, created before the fork.
  mp::SharedStats* stats = nullptr;
  // Makes the archive that keeps the exchanges of every fetch (`--warc`;
  // the fetcher must capture them: FetchOptions::capture_exchanges), called
  // once inside the worker process; empty: no archive.
  warc::ArchiveFactory archive;
};

// Counters a worker updates in WorkerOptions::stats.
inline constexpr const char* kStatBytes = "bytes_received";
inline constexpr const char* kStatParsed = "pages_parsed";
inline constexpr const char* kStatParseMicros = "parse_us";

// Serves tasks from `conn` until the coordinator closes it and every task in
// flight has been answered. Returns OK then; DataLoss when the coordinator
// sends garbage; Closed when the coordinator disappears.
//
// With an archive (WorkerOptions::archive), the exchanges of each response
// are archived before its result is sent, and the archive is closed when
// the worker has answered everything (also after the coordinator is gone).
// Such a worker ignores SIGTERM as well as SIGINT, so that a signal sent
// to the whole process group ends the crawl through the coordinator and
// every file is closed. An archive that cannot be made or written stops
// the worker at once with FailedPrecondition ("warc: ..."; results not yet
// sent are lost, the files stay as they are).
Status RunWorker(mp::Connection& conn, fetch::Fetcher& fetcher,
                 const WorkerOptions& options);

// What BuildResult should return besides the metadata.
struct ResultOptions {
  // Resolve the page's links (a, area, link rel=alternate|next|prev, frame,
  // iframe) against <base href> or the page URL; without it, only count the
  // followable a/area hrefs.
  bool want_links = false;
  // Return the body as is (robots.txt), capped at body_limit bytes.
  bool want_body = false;
  // Parse the body as a sitemap: its URLs in link_urls, the child sitemaps
  // of an index in sitemaps (crawler/sitemap; XML without DTDs or entities,
  // gzip with a decompressed-size cap).
  bool want_sitemap = false;
  // Set FetchResult::content_hash (crawler/state's ContentHash of the whole
  // decoded body: XXH3, or SHA-1 with hash_sha1) when the result has a 2xx
  // status and no error.
  bool want_hash = false;
  bool hash_sha1 = false;
  size_t body_limit = 512 * 1024;
  // Drop rel=nofollow links, and every link when meta robots or X-Robots-Tag
  // says nofollow; report noindex.
  bool honour_nofollow = true;
  html::HtmlOptions html;
  // Link resolution: URL length limit and the query and path parameters
  // (session ids) to strip.
  url::UrlOptions url;
};

// Turns a fetch response into the result sent to the coordinator: copies the
// metadata (validators included) and, when the body is HTML, extracts the
// title and the links (see ResultOptions), the canonical URL and the robots
// directives; a 304 Not Modified has no body and is never parsed. Pure.
ipc::FetchResult BuildResult(fetch::FetchResponse response,
                             const ResultOptions& options);
// The same with want_links and default ResultOptions otherwise.
ipc::FetchResult BuildResult(fetch::FetchResponse response, bool want_links,
                             const html::HtmlOptions& options);

// True when a response with this Content-Type (and body, for sniffing when
// the type is missing) should be parsed as HTML.
bool LooksLikeHtml(std::string_view content_type, std::string_view body);

}  // namespace crawler::worker

#endif  // CRAWLER_WORKER_WORKER_H_
