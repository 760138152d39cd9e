// RecordFormat: how one fetch result becomes one line of output (a format
// strategy for RecordWriter).
//
// Two formats (docs/output.md):
// - JSON lines: one JSON object per line, the chosen fields in order, nulls
//   written as null; with the default fields this is byte for byte the
//   format of FormatRecord.
// - CSV (RFC 4180): a header line of field names, then one row per record;
//   lines end in CRLF (RFC 4180 section 2.1); a field holding a comma, a
//   double quote, CR or LF is enclosed in double quotes with its quotes
//   doubled (section 2.5-2.7); an empty string is written "" and a null as
//   nothing, so the two stay apart; true/false for booleans. Text is UTF-8
//   without a byte order mark.
// In both, strings are valid UTF-8 (an invalid byte becomes U+FFFD) and the
// password of a URL's userinfo is hidden ("http://ann:***@host/").
//
// A record is always one complete line (a CSV field with a line break
// stays inside its quotes), which RecordWriter writes in one piece.
//
// Thread-safety: formats are immutable after construction; Append and
// Header may be called from many threads.
#ifndef CRAWLER_OUTPUT_RECORD_FORMAT_H_
#define CRAWLER_OUTPUT_RECORD_FORMAT_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/ipc/messages.h"
#include "crawler/output/output_options.h"
#include "crawler/output/record_fields.h"

namespace crawler::output {

// Where a crawled page sits in the crawl. A crawl record has the fetch
// fields followed by: depth, referrer (null for seeds), location (the target
// of a redirect, else null), canonical (the page's <link rel=canonical>,
// else null), noindex (true when meta robots or X-Robots-Tag said so),
// change (with a crawl state: "new", "changed", "unchanged" or "gone"
// against the state's last answer for the URL, else null).
struct CrawlContext {
  int depth = 0;
  std::string referrer;
  std::string_view change;  // "" for null.
};

class RecordFormat {
 public:
  virtual ~RecordFormat() = default;

  // Text written once, before the first record: CSV's header line, "" for
  // JSON lines.
  virtual std::string Header() const = 0;

  // Appends one record to *out as one complete line, line break included.
  // `crawl` is null for a fetch job's records; crawl fields then are null.
  virtual void Append(std::string* out, const ipc::FetchResult& result,
                      const CrawlContext* crawl) const = 0;
};

// The format `format` writing `fields` in that order. An empty `fields`
// means every field of each record as it comes: the fetch fields, plus the
// crawl fields when a record has a CrawlContext (CSV needs its header first,
// so give it the fields: ResolveFields).
std::unique_ptr<RecordFormat> NewRecordFormat(OutputFormat format,
                                              std::vector<Field> fields);

// Appends `s` as one CSV field (RFC 4180): quoted, with quotes doubled,
// when it holds a comma, a double quote, CR or LF, or is empty; invalid
// UTF-8 bytes become U+FFFD.
void AppendCsvField(std::string* out, std::string_view s);

// Formats one result as a JSON object followed by '\n', every field; with
// `crawl`, adds the crawl fields.
std::string FormatRecord(const ipc::FetchResult& result,
                         const CrawlContext* crawl = nullptr);

}  // namespace crawler::output

#endif  // CRAWLER_OUTPUT_RECORD_FORMAT_H_
