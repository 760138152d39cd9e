// The fields of an output record, by name (docs/output.md).
//
// Every record has the fetch fields; crawl records add the crawl fields.
// A writer may be told to write only some fields, in any order
// (`--fields status,url`); ResolveFields checks such a list.
//
// Thread-safety: pure functions over constant tables.
#ifndef CRAWLER_OUTPUT_RECORD_FIELDS_H_
#define CRAWLER_OUTPUT_RECORD_FIELDS_H_

#include <string>
#include <string_view>
#include <vector>

#include "crawler/base/status.h"

namespace crawler::output {

enum class Field {
  // Fetch fields, in their documented order.
  kUrl,
  kFinalUrl,
  kStatus,
  kContentType,
  kBytes,
  kTitle,
  kLinks,
  kElapsedMs,
  kError,
  // Crawl fields, after them.
  kDepth,
  kReferrer,
  kLocation,
  kCanonical,
  kNoindex,
  kChange,
};

// Which job writes the records: a crawl's have the crawl fields too.
enum class RecordKind { kFetch, kCrawl };

// The field's name in records and headers ("final_url").
std::string_view FieldName(Field field);

// Every field of a record of `kind`, in the documented order.
const std::vector<Field>& AllFields(RecordKind kind);

// The fields named by `names`, in that order; AllFields(kind) when `names`
// is empty. Fails with InvalidArgument on an unknown name, a crawl field in
// a fetch job, or a name given twice; the message lists the valid names.
StatusOr<std::vector<Field>> ResolveFields(
    const std::vector<std::string>& names, RecordKind kind);

// Splits a comma-separated list ("url, status") into trimmed names. Fails
// with InvalidArgument on an empty list or an empty name ("url,,status").
StatusOr<std::vector<std::string>> SplitFieldList(std::string_view list);

}  // namespace crawler::output

#endif  // CRAWLER_OUTPUT_RECORD_FIELDS_H_
