// OutputOptions: how records are written (format and fields); where they go
// (a path, or standard output) is the caller's.
//
// Header-only options of //crawler/output, aggregated by the CLI and by
// crawl files (docs/output.md).
//
// Thread-safety: value types and pure functions.
#ifndef CRAWLER_OUTPUT_OUTPUT_OPTIONS_H_
#define CRAWLER_OUTPUT_OUTPUT_OPTIONS_H_

#include <string>
#include <string_view>
#include <vector>

#include "crawler/base/status.h"

namespace crawler::output {

enum class OutputFormat {
  kJsonLines,  // One JSON object per line (JSON Lines), the default.
  kCsv,        // RFC 4180 CSV: a header line, then one row per record.
};

struct OutputOptions {
  // The record format (--format jsonl|csv).
  OutputFormat format = OutputFormat::kJsonLines;
  // The fields written, in this order, by name (--fields a,b,c); empty:
  // every field of the job's records in the documented order. Checked with
  // ResolveFields (record_fields.h).
  std::vector<std::string> fields;
};

// "jsonl" (also "json", "jsonlines") or "csv". Fails with InvalidArgument
// naming the accepted values.
StatusOr<OutputFormat> ParseOutputFormat(std::string_view name);

// "jsonl" or "csv".
const char* OutputFormatName(OutputFormat format);

}  // namespace crawler::output

#endif  // CRAWLER_OUTPUT_OUTPUT_OPTIONS_H_
