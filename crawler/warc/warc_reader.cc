#include "crawler/warc/warc_reader.h"

#include "crawler/warc/gzip_member.h"

namespace crawler::warc {

Status WarcReader::Fail(Status status) {
  error_ = Status(status.code(), "at offset " + std::to_string(unit_offset_) +
                                     ": " + status.message());
  return error_;
}

StatusOr<bool> WarcReader::Next(ReadRecord* record) {
  if (!error_.ok()) return error_;
  while (unit_pos_ >= unit_.size()) {
    // The next member (or the plain file).
    if (plain_ || next_ >= file_.size()) return false;
    const std::string_view rest = file_.substr(next_);
    unit_offset_ = next_;
    unit_pos_ = 0;
    if (LooksGzipped(rest)) {
      StatusOr<InflatedMember> member =
          InflateMember(rest, options_.max_record_bytes);
      if (!member.ok()) return Fail(member.status());
      inflated_ = std::move(member->data);
      unit_ = inflated_;
      unit_length_ = member->compressed_size;
      next_ += member->compressed_size;
    } else if (rest.size() == 1 &&
               static_cast<unsigned char>(rest[0]) == 0x1f) {
      return Fail(Status(Code::kDataLoss,
                         "truncated gzip member (the file ends inside it)"));
    } else if (next_ == 0 && rest.substr(0, 5) == "WARC/") {
      plain_ = true;
      unit_ = file_;
      unit_length_ = file_.size();
      next_ = file_.size();
    } else {
      return Fail(Status(Code::kDataLoss,
                         "neither a gzip member nor a WARC record (corrupt)"));
    }
  }
  const std::string_view rest = unit_.substr(unit_pos_);
  if (plain_) unit_offset_ = unit_pos_;
  StatusOr<ParsedHeader> parsed = ParseHeader(rest);
  if (!parsed.ok()) {
    Status s = parsed.status();
    if (s.code() != Code::kDataLoss) {
      s = Status(Code::kDataLoss, s.message() + " (corrupt)");
    }
    return Fail(s);
  }
  if (parsed->content_length > options_.max_record_bytes) {
    return Fail(Status(Code::kResourceExhausted,
                       "a record block of " +
                           std::to_string(parsed->content_length) +
                           " bytes, over the limit of " +
                           std::to_string(options_.max_record_bytes)));
  }
  const size_t length = static_cast<size_t>(parsed->content_length);
  if (rest.size() - parsed->size < length) {
    return Fail(Status(Code::kDataLoss,
                       "the record block is shorter than its Content-Length " +
                           std::to_string(length) + " (truncated)"));
  }
  const std::string_view end = rest.substr(parsed->size + length, 4);
  if (end != kRecordEnd) {
    const bool cut = end.size() < 4 && kRecordEnd.substr(0, end.size()) == end;
    return Fail(Status(Code::kDataLoss,
                       cut ? "the record ends before its closing CRLF CRLF "
                             "(truncated)"
                           : "no CRLF CRLF after the record block (corrupt)"));
  }
  record->offset = unit_offset_;
  record->version = std::move(parsed->version);
  record->header = std::move(parsed->header);
  record->block.assign(rest.substr(parsed->size, length));
  const size_t consumed = parsed->size + length + kRecordEnd.size();
  record->stored_length = plain_ ? consumed : unit_length_;
  unit_pos_ += consumed;
  if (plain_) unit_offset_ = unit_pos_;
  return true;
}

}  // namespace crawler::warc
