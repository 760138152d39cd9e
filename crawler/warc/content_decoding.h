// Content codings of an archived HTTP payload (RFC 9110 section 8.4):
// gzip and deflate with zlib, br with libbrotli's decoder, zstd with libzstd
// (every coding the fetcher's Accept-Encoding offers), so that `crawler
// warc cat` prints a body as the server meant it. Pure: bytes in, bytes out.
//
// Thread-safety: pure functions.
#ifndef CRAWLER_WARC_CONTENT_DECODING_H_
#define CRAWLER_WARC_CONTENT_DECODING_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/base/status.h"

namespace crawler::warc {

// The codings a Content-Encoding value lists, in order (comma-separated,
// blanks around items trimmed), identity and empty items left out: empty
// when the body is not content-coded. The views point into
// `content_encoding`.
std::vector<std::string_view> ContentCodings(std::string_view content_encoding);

// Removes the codings listed in `content_encoding` (a Content-Encoding
// value: comma-separated, applied in order, so removed last first) from
// `data`: gzip and x-gzip, deflate (zlib-wrapped or raw), br, zstd;
// identity and empty items are skipped. Fails with InvalidArgument naming
// an unknown coding, DataLoss when the data is corrupt or cut short (the
// message names the coding), and ResourceExhausted when the output would
// exceed `max_bytes`.
StatusOr<std::string> DecodeContent(std::string_view data,
                                    std::string_view content_encoding,
                                    size_t max_bytes);

}  // namespace crawler::warc

#endif  // CRAWLER_WARC_CONTENT_DECODING_H_
