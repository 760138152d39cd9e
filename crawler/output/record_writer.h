// RecordWriter: writes fetch results as JSON lines (one object per line).
//
// Fields, in this order (docs/output.md):
//   url, final_url, status, content_type, bytes, title, links, elapsed_ms,
//   error
// final_url, status and content_type are null when no HTTP response arrived;
// title and links are null unless the body was parsed as HTML; error is null
// when the fetch succeeded (an HTTP 404 is a success: status says 404).
//
// Thread-safety: not thread-safe; one writer per output.
#ifndef CRAWLER_OUTPUT_RECORD_WRITER_H_
#define CRAWLER_OUTPUT_RECORD_WRITER_H_

#include <cstdio>
#include <string>

#include "crawler/base/status.h"
#include "crawler/ipc/messages.h"

namespace crawler::output {

// Where a crawled page sits in the crawl. A crawl record has the fetch
// fields followed by: depth, referrer (null for seeds), location (the target
// of a redirect, else null), canonical (the page's <link rel=canonical>,
// else null), noindex (true when meta robots or X-Robots-Tag said so).
struct CrawlContext {
  int depth = 0;
  std::string referrer;
};

// Formats one result as a JSON object followed by '\n'; with `crawl`, adds
// the crawl fields.
std::string FormatRecord(const ipc::FetchResult& result,
                         const CrawlContext* crawl = nullptr);

class RecordWriter {
 public:
  // Writes to `file` (not owned; must stay open while the writer is used).
  // `path` names it in error messages.
  RecordWriter(std::FILE* file, std::string path)
      : file_(file), path_(std::move(path)) {}
  RecordWriter(const RecordWriter&) = delete;
  RecordWriter& operator=(const RecordWriter&) = delete;

  // Buffers one record; writes out in large blocks. Fails with the errno text
  // (e.g. "No space left on device") naming the path.
  Status Write(const ipc::FetchResult& result,
               const CrawlContext* crawl = nullptr);
  // Writes out everything buffered and flushes the stream.
  Status Flush();

  uint64_t records() const { return records_; }

 private:
  std::FILE* file_;
  std::string path_;
  std::string buffer_;
  uint64_t records_ = 0;
};

}  // namespace crawler::output

#endif  // CRAWLER_OUTPUT_RECORD_WRITER_H_
