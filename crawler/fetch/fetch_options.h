// FetchOptions: the limits and switches of one Fetcher.
//
// A plain value type; the defaults are the crawler's production defaults
// (tests shorten the timeouts and set allow_private_addresses). Fetcher
// factories validate the values and reject nonsensical ones.
//
// Thread-safety: a value type; copy it freely.
#ifndef CRAWLER_FETCH_FETCH_OPTIONS_H_
#define CRAWLER_FETCH_FETCH_OPTIONS_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace crawler::fetch {

struct FetchOptions {
  // Sent as the User-Agent header.
  std::string user_agent = "crawler/0.1";
  // Redirects followed per fetch; one more is too_many_redirects. 0 disables
  // following (the 3xx itself is returned). Must be >= 0.
  int max_redirects = 10;
  // Deadline for establishing a connection (including DNS), in ms. > 0.
  int64_t connect_timeout_ms = 10000;
  // Deadline for the whole transfer, redirects included, in ms. > 0.
  int64_t total_timeout_ms = 30000;
  // Abort when the transfer is slower than this many bytes/s ... (0: off)
  int64_t low_speed_limit_bytes = 1;
  // ... for this many seconds.
  int64_t low_speed_time_s = 15;
  // Cap on the decoded body (after Content-Encoding); exceeding it ends the
  // transfer as too_large with the first max_body_bytes bytes kept. > 0.
  size_t max_body_bytes = 16 << 20;
  // Transfers at once in one Fetcher. > 0.
  int max_concurrency = 16;
  // Whether connecting to loopback, private, link-local, CGNAT and unspecified
  // addresses is allowed (tests set true; crawls keep it false against SSRF).
  bool allow_private_addresses = false;
  // Whether FetchResponse::body is filled (bytes is counted either way).
  bool keep_body = true;
};

}  // namespace crawler::fetch

#endif  // CRAWLER_FETCH_FETCH_OPTIONS_H_
