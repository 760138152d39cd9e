#include "crawler/output/record_writer.h"

#include <cerrno>

#include "crawler/output/json.h"

namespace crawler::output {
namespace {

constexpr size_t kFlushBytes = 64 << 10;

}  // namespace

namespace {

// A string field that may quote a URL: passwords in userinfo are hidden.
void AppendUrlish(std::string* out, std::string_view s) {
  if (s.find('@') == std::string_view::npos) {
    AppendJsonString(out, s);
  } else {
    AppendJsonString(out, RedactUserinfo(s));
  }
}

}  // namespace

std::string FormatRecord(const ipc::FetchResult& r, const CrawlContext* crawl) {
  std::string out;
  out.reserve(256 + r.url.size() + r.final_url.size() + r.title.size() +
              r.error.size());
  const bool answered = r.status != 0;
  out.append("{\"url\":");
  AppendUrlish(&out, r.url);
  out.append(",\"final_url\":");
  if (answered) {
    AppendUrlish(&out, r.final_url);
  } else {
    out.append("null");
  }
  out.append(",\"status\":");
  out.append(answered ? std::to_string(r.status) : "null");
  out.append(",\"content_type\":");
  if (answered && !r.content_type.empty()) {
    AppendJsonString(&out, r.content_type);
  } else {
    out.append("null");
  }
  out.append(",\"bytes\":");
  out.append(std::to_string(r.bytes));
  out.append(",\"title\":");
  if (r.parsed) {
    AppendJsonString(&out, r.title);
  } else {
    out.append("null");
  }
  out.append(",\"links\":");
  out.append(r.parsed ? std::to_string(r.links) : "null");
  out.append(",\"elapsed_ms\":");
  out.append(std::to_string(r.elapsed_ms));
  out.append(",\"error\":");
  if (r.error.empty()) {
    out.append("null");
  } else {
    AppendUrlish(&out, r.error);
  }
  if (crawl != nullptr) {
    auto string_or_null = [&out](const std::string& s) {
      if (s.empty()) {
        out.append("null");
      } else {
        AppendUrlish(&out, s);
      }
    };
    out.append(",\"depth\":");
    out.append(std::to_string(crawl->depth));
    out.append(",\"referrer\":");
    string_or_null(crawl->referrer);
    out.append(",\"location\":");
    string_or_null(r.location);
    out.append(",\"canonical\":");
    string_or_null(r.canonical);
    out.append(",\"noindex\":");
    out.append(r.noindex ? "true" : "false");
  }
  out.append("}\n");
  return out;
}

Status RecordWriter::Write(const ipc::FetchResult& result,
                           const CrawlContext* crawl) {
  buffer_ += FormatRecord(result, crawl);
  ++records_;
  if (buffer_.size() >= kFlushBytes) {
    if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_) !=
        buffer_.size()) {
      return ErrnoError("writing " + path_, errno);
    }
    buffer_.clear();
  }
  return Status::Ok();
}

Status RecordWriter::Flush() {
  if (!buffer_.empty()) {
    if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_) !=
        buffer_.size()) {
      return ErrnoError("writing " + path_, errno);
    }
    buffer_.clear();
  }
  if (std::fflush(file_) != 0) return ErrnoError("flushing " + path_, errno);
  return Status::Ok();
}

}  // namespace crawler::output
