// CDXJ index lines for the response records of WARC files, so that replay
// tools find a capture without reading the files (issue 7, point 3): one
// line per response,
//
//   SURT-KEY TIMESTAMP {"url":...,"mime":...,"status":...,"digest":...,
//                       "length":...,"offset":...,"filename":...}
//
// sorted as bytes (what `LC_ALL=C sort` does), which is the order replay
// tools binary-search. Pure: records in, lines out (`crawler warc cdxj`
// reads the files).
//
// The key is the URL's SURT form (Sort-friendly URI Reordering
// Transform): the scheme and fragment dropped, the host lower-cased
// without a leading "www.", its labels reversed and joined by ',' (an IP
// address too), ":PORT" when the port is not the scheme's default, ')',
// then the path and query lower-cased with the query's parameters sorted:
// "https://www.Example.com:8443/A?b=2&a=1" is "com,example:8443)/a?a=1&b=2".
// The URL is first normalized as the crawler does (crawler/url).
//
// Thread-safety: pure functions.
#ifndef CRAWLER_WARC_CDXJ_H_
#define CRAWLER_WARC_CDXJ_H_

#include <string>
#include <string_view>

#include "crawler/base/status.h"
#include "crawler/warc/warc_reader.h"

namespace crawler::warc {

// The SURT key of an absolute http(s) URL (see above). Fails with
// InvalidArgument when the URL does not parse.
StatusOr<std::string> SurtKey(std::string_view url);

// The CDXJ line (no line end) of `record`, read from the file named
// `filename` (written as given, usually the base name): for a 'response'
// or 'revisit' record with a WARC-Target-URI; "" for any other record.
// Fails with InvalidArgument when its URI or WARC-Date cannot be read.
// "mime" is the HTTP Content-Type's media type ("unk" when none), "status"
// the HTTP status, "digest" the WARC-Payload-Digest (a sha1 one without its
// "sha1:" label); "length" and "offset" are those of the record's gzip
// member (ReadRecord); every value is a JSON string. warcio's `cdx-index`
// writes the same lines for the crawler's files (checked by
// //tests/e2e:warc_interop_test).
StatusOr<std::string> CdxjLine(const ReadRecord& record,
                               std::string_view filename);

}  // namespace crawler::warc

#endif  // CRAWLER_WARC_CDXJ_H_
