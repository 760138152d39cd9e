// The WARC record header: named fields after a version line, ended by a
// blank line (WARC 1.1 section 4, "File and record model"); formatting and
// parsing (pure), and the WARC-Date form.
//
// A record is `header CRLF block CRLF CRLF`: the version line ("WARC/1.1"),
// "Name: value" lines, a blank line, then Content-Length bytes of block and
// two CRLFs.
//
// Thread-safety: values and pure functions.
#ifndef CRAWLER_WARC_WARC_RECORD_H_
#define CRAWLER_WARC_WARC_RECORD_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crawler/base/status.h"

namespace crawler::warc {

// The version line this package writes.
inline constexpr std::string_view kWarcVersion = "WARC/1.1";
// Bytes that end every record, after its block.
inline constexpr std::string_view kRecordEnd = "\r\n\r\n";

// The named fields of one record header, in order.
struct WarcHeader {
  std::vector<std::pair<std::string, std::string>> fields;

  // Appends a field.
  void Add(std::string name, std::string value) {
    fields.emplace_back(std::move(name), std::move(value));
  }
  // The value of the first field named `name` (case-insensitive, WARC 1.1
  // section 4); "" when there is none.
  std::string_view Get(std::string_view name) const;
  // True when a field named `name` is present.
  bool Has(std::string_view name) const;
};

// The header block: "WARC/1.1\r\n", one "Name: value\r\n" line per field,
// "\r\n". Control characters in a value (CR and LF included) are written
// as %XX, so a value can never end its line or inject a field.
std::string FormatHeader(const WarcHeader& header);

// The fields alone, one "Name: value\r\n" line each, values escaped as in
// FormatHeader: the application/warc-fields format (WARC 1.1 section 8.3),
// e.g. the block of a warcinfo record.
std::string FormatFields(const WarcHeader& fields);

// A header block parsed from the start of some bytes.
struct ParsedHeader {
  // The version line, e.g. "WARC/1.1".
  std::string version;
  WarcHeader header;
  // Bytes of the header block, its blank line included: the block starts
  // here.
  size_t size = 0;
  // The Content-Length field's value.
  uint64_t content_length = 0;
};

// Parses the header block at the start of `data`: a version line "WARC/"
// followed by a version, "Name: value" lines (CRLF or LF line ends; a line
// starting with a space or tab continues the previous value), and a blank
// line. Fails with DataLoss when `data` ends before the blank line
// (truncated) and InvalidArgument when the bytes are not a WARC header, a
// line has no colon, or Content-Length is missing or not a number; the
// message says which.
StatusOr<ParsedHeader> ParseHeader(std::string_view data);

// A WARC-Date (WARC 1.1 section 5.4): UTC, to the microsecond,
// "YYYY-MM-DDThh:mm:ss.ffffffZ".
std::string FormatWarcDate(int64_t unix_us);

// The 14-digit UTC timestamp "YYYYMMDDhhmmss" of file names and CDXJ keys.
std::string FormatTimestamp14(int64_t unix_us);

}  // namespace crawler::warc

#endif  // CRAWLER_WARC_WARC_RECORD_H_
