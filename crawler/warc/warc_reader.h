// WarcReader: the records of a WARC file, one by one, from its bytes (pure:
// no I/O; the caller maps or reads the file).
//
// Reads .warc.gz files whose records are gzip members of their own (as
// WarcWriter and the common tools write them), gzip files whose members hold
// several records (a whole file gzipped at once), and uncompressed .warc
// files, each member or record after the other. Records of every type are
// returned, unknown ones included (WARC 1.1 section 6.1: readers skip
// them; that is the caller's choice).
//
// A truncated or corrupt file is reported, never read past: Next() returns
// DataLoss with the offset of the member or record that is broken, and the
// records before it have been returned. A file in progress (".open") or
// left by a crashed writer ends this way when its last member is cut.
//
// Thread-safety: NOT thread-safe; the bytes must outlive the reader.
#ifndef CRAWLER_WARC_WARC_READER_H_
#define CRAWLER_WARC_WARC_READER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "crawler/base/status.h"
#include "crawler/warc/warc_record.h"

namespace crawler::warc {

struct WarcReaderOptions {
  // Largest gzip member (uncompressed) and largest record block read; a
  // bigger one is reported as ResourceExhausted with its offset.
  size_t max_record_bytes = size_t{1} << 30;
};

// One record read.
struct ReadRecord {
  // Offset in the file of the gzip member holding the record (of the record
  // itself in an uncompressed file), and that member's (or record's) length
  // in the file: what an index (CDXJ) stores to find it again.
  uint64_t offset = 0;
  uint64_t stored_length = 0;
  // The version line, e.g. "WARC/1.1".
  std::string version;
  WarcHeader header;
  // The content block: Content-Length bytes.
  std::string block;
};

class WarcReader {
 public:
  // Reads `file`, which must outlive the reader.
  explicit WarcReader(std::string_view file, WarcReaderOptions options = {})
      : file_(file), options_(options) {}
  WarcReader(const WarcReader&) = delete;
  WarcReader& operator=(const WarcReader&) = delete;

  // Reads the next record into `record`. Returns true when one was read,
  // false at the end of the file. Fails with DataLoss "...at offset N: ..."
  // when the record there is truncated (the file ends inside it) or
  // corrupt (bad gzip data, not a WARC header, a block shorter than its
  // Content-Length, no CRLF CRLF after it), and with ResourceExhausted for a
  // record over max_record_bytes; every later call fails the same way.
  StatusOr<bool> Next(ReadRecord* record);

  // Offset of the member or record read last (of the broken one after a
  // failure).
  uint64_t offset() const { return unit_offset_; }

 private:
  Status Fail(Status status);

  const std::string_view file_;
  const WarcReaderOptions options_;
  // The member (or the plain file region) being read, its offset and
  // length in the file, and how far into it the records have been read.
  std::string inflated_;
  std::string_view unit_;
  uint64_t unit_offset_ = 0;
  uint64_t unit_length_ = 0;
  size_t unit_pos_ = 0;
  // Where the next member starts in the file.
  uint64_t next_ = 0;
  bool plain_ = false;
  Status error_;
};

}  // namespace crawler::warc

#endif  // CRAWLER_WARC_WARC_READER_H_
