#include "crawler/output/record_writer.h"

namespace crawler::output {

RecordWriter::RecordWriter(LineSink& sink, std::unique_ptr<RecordFormat> format)
    : sink_(&sink), format_(std::move(format)) {}

RecordWriter::RecordWriter(std::FILE* file, std::string path)
    : owned_sink_(NewFdLineSink(fileno(file), std::move(path), false)),
      sink_(owned_sink_.get()),
      format_(NewRecordFormat(OutputFormat::kJsonLines, {})) {}

Status RecordWriter::WriteHeader() {
  if (header_written_) return Status::Ok();
  const std::string header = format_->Header();
  if (!header.empty()) RETURN_IF_ERROR(sink_->Write(header));
  header_written_ = true;
  return Status::Ok();
}

Status RecordWriter::Write(const ipc::FetchResult& result,
                           const CrawlContext* crawl) {
  RETURN_IF_ERROR(WriteHeader());
  line_.clear();
  format_->Append(&line_, result, crawl);
  RETURN_IF_ERROR(sink_->Write(line_));
  ++records_;
  return Status::Ok();
}

Status RecordWriter::Flush() { return WriteHeader(); }

}  // namespace crawler::output
