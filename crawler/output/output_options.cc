#include "crawler/output/output_options.h"

namespace crawler::output {

StatusOr<OutputFormat> ParseOutputFormat(std::string_view name) {
  if (name == "jsonl" || name == "json" || name == "jsonlines") {
    return OutputFormat::kJsonLines;
  }
  if (name == "csv") return OutputFormat::kCsv;
  return InvalidArgumentError("unknown format '" + std::string(name) +
                              "' (formats: jsonl, csv)");
}

const char* OutputFormatName(OutputFormat format) {
  switch (format) {
    case OutputFormat::kJsonLines:
      return "jsonl";
    case OutputFormat::kCsv:
      return "csv";
  }
  return "jsonl";
}

}  // namespace crawler::output
