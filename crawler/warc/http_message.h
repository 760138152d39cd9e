// The HTTP messages inside request and response records (application/http,
// WARC 1.1 sections 6.3 and 6.5): their head, and their payload with the
// chunked transfer coding removed (pure).
//
// The fetcher stores messages as they crossed the network, so a chunked
// body keeps its framing; the payload that WARC-Payload-Digest covers and
// that `crawler warc cat` prints is the body without it (WARC 1.1 section
// 6.3.2: the entity-body "with any transfer-encoding removed"). libcurl
// removes the framing while it fetches but cannot be handed stored bytes,
// hence this decoder.
//
// Thread-safety: values and pure functions.
#ifndef CRAWLER_WARC_HTTP_MESSAGE_H_
#define CRAWLER_WARC_HTTP_MESSAGE_H_

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crawler/base/status.h"

namespace crawler::warc {

// The head of an HTTP/1.x message (or libcurl's HTTP/1-style rendering of
// an HTTP/2 one).
struct HttpHead {
  // The first line without its line end: "HTTP/1.1 200 OK" or
  // "GET /path HTTP/1.1".
  std::string start_line;
  // A response's status code; 0 for a request or an unreadable code.
  int status = 0;
  // Header fields in order, names and values as received (values trimmed).
  std::vector<std::pair<std::string, std::string>> headers;
  // Bytes of the head, its blank line included: the body starts here.
  size_t size = 0;

  // The values of every field named `name` (case-insensitive), joined with
  // ", " (RFC 9110 section 5.3); "" when there is none.
  std::string Get(std::string_view name) const;
  // True when the last transfer coding of Transfer-Encoding is "chunked".
  bool Chunked() const;
};

// Parses the head at the start of `message`: a start line, header lines
// (CRLF or LF ends; obsolete line folding joined with a space) and the
// blank line. Fails with DataLoss when `message` ends before the blank line.
StatusOr<HttpHead> ParseHttpHead(std::string_view message);

// Decodes a body in the chunked transfer coding (RFC 9112 section 7.1):
// calls `piece` with each chunk's data, in order, and skips chunk
// extensions and trailer fields. Returns OK after the last chunk; DataLoss
// when the body ends early or a chunk-size line is malformed (the pieces
// before the fault have been delivered).
Status DecodeChunked(std::string_view body,
                     const std::function<void(std::string_view)>& piece);

// Calls `piece` with the payload of the message whose head is `head` and
// whose body is `body`: the body itself, or its chunks when `head` says
// chunked. The same errors as DecodeChunked.
Status ForEachPayloadPiece(const HttpHead& head, std::string_view body,
                           const std::function<void(std::string_view)>& piece);

}  // namespace crawler::warc

#endif  // CRAWLER_WARC_HTTP_MESSAGE_H_
