// RecordWriter: writes fetch results as output records, one line each, in a
// RecordFormat (JSON lines by default, or CSV: record_format.h) to a
// LineSink.
//
// Default fields, in this order (docs/output.md):
//   url, final_url, status, content_type, bytes, title, links, elapsed_ms,
//   error
// and for crawl records (a CrawlContext given) depth, referrer, location,
// canonical, noindex. final_url, status and content_type are null when no
// HTTP response arrived; title and links are null unless the body was parsed
// as HTML; error is null when the fetch succeeded (an HTTP 404 is a success:
// status says 404).
//
// Each record is written as it comes, in one LineSink::Write of a complete
// line: nothing waits in a buffer, and a run killed at any moment leaves
// only whole records (the format's header first, if it has one).
//
// Thread-safety: not thread-safe; one writer per output.
#ifndef CRAWLER_OUTPUT_RECORD_WRITER_H_
#define CRAWLER_OUTPUT_RECORD_WRITER_H_

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "crawler/base/status.h"
#include "crawler/ipc/messages.h"
#include "crawler/output/line_sink.h"
#include "crawler/output/record_format.h"

namespace crawler::output {

class RecordWriter {
 public:
  // Writes records in `format` to `sink` (not owned; must outlive the
  // writer).
  RecordWriter(LineSink& sink, std::unique_ptr<RecordFormat> format);
  // JSON lines with every field, to `file` (not owned; must stay open while
  // the writer is used). The writer writes to the file's descriptor, so
  // nothing may be waiting in the FILE's own buffer. `path` names it in
  // error messages.
  RecordWriter(std::FILE* file, std::string path);
  RecordWriter(const RecordWriter&) = delete;
  RecordWriter& operator=(const RecordWriter&) = delete;

  // Writes one record (the format's header before the first). Fails with
  // the errno text (e.g. "No space left on device") naming the output.
  Status Write(const ipc::FetchResult& result,
               const CrawlContext* crawl = nullptr);
  // Records are never buffered: this only writes the header when no record
  // was written yet, so that an empty CSV output still has one.
  Status Flush();

  // The output already holds the format's header (a file appended to):
  // none is written.
  void MarkHeaderWritten() { header_written_ = true; }

  // LineSink::Position() of the sink written to.
  int64_t position() const { return sink_->Position(); }

  uint64_t records() const { return records_; }

 private:
  Status WriteHeader();

  std::unique_ptr<LineSink> owned_sink_;
  LineSink* sink_;
  std::unique_ptr<RecordFormat> format_;
  bool header_written_ = false;
  std::string line_;  // Reused for each record.
  uint64_t records_ = 0;
};

}  // namespace crawler::output

#endif  // CRAWLER_OUTPUT_RECORD_WRITER_H_
