#include "crawler/warc/warc_writer.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "crawler/warc/digest.h"

namespace crawler::warc {
namespace {

// Random bytes fetched from the kernel at a time (256 record ids).
constexpr size_t kRandomBatch = 4096;
// The group buffer grown past this (a big response) is not kept.
constexpr size_t kMaxGroupKept = 4 << 20;

// The file part of a path.
std::string BaseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

StatusOr<std::unique_ptr<WarcWriter>> WarcWriter::Create(
    const WarcOptions& options, WarcFiles* files, const Clock* clock,
    pid_t pid) {
  RETURN_IF_ERROR(ValidateWarcOptions(options));
  std::unique_ptr<WarcWriter> w(new WarcWriter(options, files, clock, pid));
  ASSIGN_OR_RETURN(w->gzip_, GzipCompressor::Create(options.compression_level));
  return w;
}

WarcWriter::~WarcWriter() = default;

int64_t WarcWriter::NowMicros() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             clock_->WallNow().time_since_epoch())
      .count();
}

std::string WarcWriter::NewRecordId() {
  if (random_.size() < 16) {
    random_.resize(kRandomBatch);
    size_t got = 0;
    while (got < random_.size()) {
      const ssize_t n =
          getrandom(random_.data() + got, random_.size() - got, 0);
      if (n < 0) {
        if (errno == EINTR) continue;
        // getrandom cannot fail on Linux >= 3.17 once the pool is ready;
        // keep the bytes already there rather than stop the crawl.
        break;
      }
      got += static_cast<size_t>(n);
    }
  }
  unsigned char b[16];
  std::memcpy(b, random_.data() + random_.size() - 16, 16);
  random_.resize(random_.size() - 16);
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // Version 4.
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122.
  // "<urn:uuid:" 8-4-4-4-12 hex digits ">" (RFC 4122 section 3), by hand:
  // with snprintf's 16 conversions, NewRecordId was 0.6 % of the CPU
  // samples of a crawl writing stored members.
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "<urn:uuid:";
  out.reserve(10 + 36 + 1);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 15]);
  }
  out.push_back('>');
  return out;
}

Status WarcWriter::OpenNext() {
  const int64_t now = NowMicros();
  const std::string stamp = FormatTimestamp14(now);
  // The first free serial number: a name is never reused, even one left by
  // an earlier process with the same pid.
  while (true) {
    char serial[16];
    std::snprintf(serial, sizeof(serial), "%05d", next_serial_++);
    final_path_ = options_.prefix + "-" + stamp + "-" + serial + "-" +
                  std::to_string(pid_) + ".warc.gz";
    open_path_ = final_path_ + ".open";
    if (!files_->Exists(final_path_) && !files_->Exists(open_path_)) break;
  }
  StatusOr<std::unique_ptr<AppendFile>> file = files_->Create(open_path_);
  if (!file.ok()) {
    open_path_.clear();
    broken_ = file.status().WithContext("warc");
    return broken_;
  }
  file_ = std::move(*file);
  file_bytes_ = 0;
  groups_in_file_ = 0;
  // The warcinfo record (WARC 1.1 section 6.2): application/warc-fields.
  WarcHeader info;
  info.fields = options_.info;
  const std::string fields = FormatFields(info);
  warcinfo_id_ = NewRecordId();
  WarcHeader h;
  h.Add("WARC-Type", "warcinfo");
  h.Add("WARC-Record-ID", warcinfo_id_);
  h.Add("WARC-Date", FormatWarcDate(now));
  h.Add("WARC-Filename", BaseName(final_path_));
  h.Add("Content-Type", "application/warc-fields");
  h.Add("WARC-Block-Digest", Sha1Digest(fields));
  h.Add("Content-Length", std::to_string(fields.size()));
  const std::string head = FormatHeader(h);
  std::string member;
  RETURN_IF_ERROR(gzip_->Compress({head, fields, kRecordEnd}, &member));
  Status s = file_->Append(member);
  if (!s.ok()) {
    broken_ = s.WithContext("warc");
    return broken_;
  }
  file_bytes_ = member.size();
  return Status::Ok();
}

Status WarcWriter::CompressGroup(const std::vector<Record>& records,
                                 std::string* out,
                                 std::vector<uint64_t>* sizes) {
  out->clear();
  sizes->clear();
  for (const Record& r : records) {
    size_t length = 0;
    for (std::string_view p : r.block) length += p.size();
    // The record's fields, then WARC-Warcinfo-ID and Content-Length (no
    // control characters to escape in either) before the blank line.
    std::string head = FormatHeader(r.header);
    head.resize(head.size() - 2);
    head.append("WARC-Warcinfo-ID: ");
    head.append(warcinfo_id_);
    head.append("\r\nContent-Length: ");
    head.append(std::to_string(length));
    head.append("\r\n\r\n");
    std::vector<std::string_view> pieces;
    pieces.reserve(r.block.size() + 2);
    pieces.push_back(head);
    pieces.insert(pieces.end(), r.block.begin(), r.block.end());
    pieces.push_back(kRecordEnd);
    const size_t before = out->size();
    if (r.compress) {
      RETURN_IF_ERROR(gzip_->Compress(pieces, out));
    } else {
      gzip_->Store(pieces, out);
    }
    sizes->push_back(out->size() - before);
  }
  return Status::Ok();
}

Status WarcWriter::Write(const std::vector<Record>& records,
                         std::vector<RecordLocation>* locations) {
  if (!broken_.ok()) return broken_;
  if (records.empty()) return Status::Ok();
  if (file_ == nullptr) RETURN_IF_ERROR(OpenNext());
  // Reused from group to group: no allocation for a typical exchange.
  std::string& group = group_;
  std::vector<uint64_t>& sizes = sizes_;
  RETURN_IF_ERROR(CompressGroup(records, &group, &sizes));
  if (groups_in_file_ > 0 &&
      file_bytes_ + group.size() > options_.max_file_bytes) {
    RETURN_IF_ERROR(Close());
    RETURN_IF_ERROR(OpenNext());
    // Compressed again: the records name the new file's warcinfo.
    RETURN_IF_ERROR(CompressGroup(records, &group, &sizes));
  }
  const uint64_t start = file_bytes_;
  Status s = file_->Append(group);
  if (!s.ok()) {
    broken_ = s.WithContext("warc");
    return broken_;
  }
  file_bytes_ += group.size();
  ++groups_in_file_;
  if (group.capacity() > kMaxGroupKept) std::string().swap(group);
  if (locations != nullptr) {
    uint64_t at = start;
    for (uint64_t size : sizes) {
      locations->push_back({final_path_, at, size});
      at += size;
    }
  }
  return Status::Ok();
}

Status WarcWriter::Close() {
  if (file_ == nullptr) return broken_;
  Status closed = file_->Close();
  file_.reset();
  if (!broken_.ok()) return broken_;  // Left ".open": it may end mid-member.
  if (!closed.ok()) {
    broken_ = closed.WithContext("warc");
    return broken_;
  }
  Status renamed = files_->Rename(open_path_, final_path_);
  if (!renamed.ok()) {
    broken_ = renamed.WithContext("warc");
    return broken_;
  }
  finished_.push_back(final_path_);
  open_path_.clear();
  return Status::Ok();
}

}  // namespace crawler::warc
