// Messages between the coordinator and its fetcher workers.
//
// Each message is a plain struct with explicit Encode/Decode through
// //crawler/mp:wire (framed, versioned). This package holds data only: it
// depends on neither the fetch engine nor the frontier; the worker and the
// coordinator convert to and from their own types.
//
// Direction and meaning of each MessageType:
//   kFetchTask   coordinator -> worker: fetch this URL. The worker answers
//                every task with exactly one kFetchResult, in any order.
//   kFetchResult worker -> coordinator: the outcome for one task id.
// End of stream: the coordinator closes its end of the pipe when it has no
// more work; the worker finishes what it holds, sends the results, and exits
// with kWorkerExitOk.
//
// Thread-safety: plain values.
#ifndef CRAWLER_IPC_MESSAGES_H_
#define CRAWLER_IPC_MESSAGES_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/base/status.h"

namespace crawler::ipc {

enum MessageType : uint8_t {
  kFetchTask = 1,
  kFetchResult = 2,
};

// Worker exit codes. They start at 100 so they cannot be mistaken for a
// shell's 126/127 or a signal's 128+N.
enum WorkerExitCode : int {
  kWorkerExitOk = 0,
  kWorkerExitProtocolError = 101,  // Garbage on the pipe.
  kWorkerExitFetcherInit = 102,    // The fetch engine could not start.
  kWorkerExitArchive = 103,        // Its WARC archive could not be written.
};

struct FetchTask {
  uint64_t id = 0;
  std::string url;
  bool want_links = false;  // Return the resolved link URLs, not just a count.
  bool want_body = false;   // Return the body (robots.txt), not parsed.
  bool want_sitemap = false;  // Parse the body as a sitemap (XML or text,
                              // maybe gzip): URLs in link_urls, child
                              // sitemaps in sitemaps.
  // A conditional request (RFC 9110 section 13.1): the ETag and the
  // Last-Modified value a previous fetch of this URL returned, sent as they
  // are in If-None-Match and If-Modified-Since (not to a redirect target);
  // "" sends none. A match answers 304 with no body, which is no error.
  std::string if_none_match;
  std::string if_modified_since;
  // Return FetchResult::content_hash. The body is then read whatever its
  // type (want_links alone skips a 2xx body that is not HTML).
  bool want_hash = false;
  // With want_hash: SHA-1 ("sha1:...") instead of the default XXH3
  // ("xxh128:...", crawler/state/content_hash.h), for a URL whose hash in
  // the crawl state is an older SHA-1 one.
  bool hash_sha1 = false;
};

struct FetchResult {
  uint64_t id = 0;
  std::string url;
  std::string final_url;  // After redirects; empty when nothing answered.
  int status = 0;         // HTTP status; 0 when no response.
  std::string content_type;
  uint64_t bytes = 0;                  // Decoded body bytes.
  bool parsed = false;                 // The body was HTML and was parsed.
  std::string title;                   // When parsed.
  int64_t links = 0;                   // Followable links found, when parsed.
  std::vector<std::string> link_urls;  // Resolved, when the task wanted them
                                       // (minus nofollow ones, when honoured).
  std::string canonical;    // Resolved <link rel=canonical>, when parsed.
  bool noindex = false;     // meta robots or X-Robots-Tag said noindex.
  bool nofollow = false;    // meta robots or X-Robots-Tag said nofollow.
  std::string location;     // Target of an unfollowed redirect.
  std::string retry_after;  // Raw Retry-After header.
  std::string body;         // When the task wanted it.
  std::vector<std::string> sitemaps;  // A sitemap index's child sitemaps.
  int64_t elapsed_ms = 0;
  std::string error;        // Empty when none: "<class>: <what happened>".
  std::string error_class;  // Taxonomy class, e.g. "timeout"; empty if none.
  Tag tag = Tag::kNone;     // What to do about the error.
  // The raw ETag and Last-Modified headers of the last response, "" when
  // absent (what FetchTask::if_none_match and if_modified_since take).
  std::string etag;
  std::string last_modified;
  // With FetchTask::want_hash, when the result has a 2xx status and no
  // error: "sha1:" + base32 of the SHA-1 of the whole decoded body, as in
  // WARC-Payload-Digest (an empty body has a hash too). "" otherwise: not
  // wanted, another status (a 304 included), or any error (a body over the
  // fetcher's cap, a parse_limit or sitemap_error of a complete one).
  std::string content_hash;
};

std::string Encode(const FetchTask& task);
std::string Encode(const FetchResult& result);
// Fail with DataLoss on a malformed or mistyped message, a truncated one
// included (such as one from a build with fewer fields: both ends must be
// the same build, see mp/wire.h).
Status Decode(std::string_view data, FetchTask* task);
Status Decode(std::string_view data, FetchResult* result);

}  // namespace crawler::ipc

#endif  // CRAWLER_IPC_MESSAGES_H_
