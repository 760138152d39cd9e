// WarcWriter: WARC/1.1 records into a series of .warc.gz files.
//
// Each record is compressed as its own gzip member (WARC 1.1 Annex A), so
// any record can be read from its offset alone. Files are named
// PREFIX-YYYYMMDDhhmmss-NNNNN-PID.warc.gz (WarcOptions::prefix) and are
// written under that name plus ".open" until they are closed: on rotation,
// when a write would take the file past WarcOptions::max_file_bytes, and on
// Close(). A reader therefore never mistakes a file in progress for a
// finished one. Each file begins with a warcinfo record (WARC 1.1 section
// 6.2) holding WarcOptions::info, and every record the writer adds names it
// in WARC-Warcinfo-ID.
//
// Records are written in groups (one Write call: e.g. an exchange's request
// and response), all members of a group in one write to one file; rotation
// happens only between groups.
//
// Crash behaviour: a process that dies while writing leaves its current
// file with the ".open" suffix. Each group is appended with one write(2)
// after it is compressed, so the file holds whole members up to the last
// group written, plus at most the beginning of one group; a reader reads it
// up to that point (WarcReader reports the cut member with its offset).
//
// Thread-safety: NOT thread-safe. One writer per process: create it after
// fork() (its random record ids must not be shared with another process).
#ifndef CRAWLER_WARC_WARC_WRITER_H_
#define CRAWLER_WARC_WARC_WRITER_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/base/clock.h"
#include "crawler/base/status.h"
#include "crawler/warc/gzip_member.h"
#include "crawler/warc/warc_files.h"
#include "crawler/warc/warc_options.h"
#include "crawler/warc/warc_record.h"

namespace crawler::warc {

// Where a written record is: for indexes (CDXJ).
struct RecordLocation {
  // The file's final name (without ".open"), as WarcOptions::prefix makes
  // it (with its directory).
  std::string file;
  // Offset of the record's gzip member in the file, and its length.
  uint64_t offset = 0;
  uint64_t length = 0;
};

class WarcWriter {
 public:
  // One record to write.
  struct Record {
    // The named fields, without Content-Length and WARC-Warcinfo-ID: the
    // writer appends those two, in that order, after these.
    WarcHeader header;
    // The block, as pieces written one after the other (not copied).
    std::vector<std::string_view> block;
    // False: the member is written as stored blocks whatever the level (a
    // block whose payload is compressed already: deflating it again costs
    // CPU and saves next to nothing).
    bool compress = true;
  };

  // A writer for `options` (which must pass ValidateWarcOptions). `files`
  // and `clock` must outlive it; `pid` goes into the file names (the
  // caller's getpid()). Nothing is created until the first Write(), so a
  // process that writes nothing leaves no file. Fails with InvalidArgument
  // for bad options and Internal when the compressor cannot start.
  static StatusOr<std::unique_ptr<WarcWriter>> Create(
      const WarcOptions& options, WarcFiles* files, const Clock* clock,
      pid_t pid);

  // Does not close the current file: a writer destroyed without Close()
  // leaves it with its ".open" suffix, as a crash would.
  ~WarcWriter();
  WarcWriter(const WarcWriter&) = delete;
  WarcWriter& operator=(const WarcWriter&) = delete;

  // Writes `records` as one group, each as its own gzip member, to the
  // current file, beginning a new file first when the group would take the
  // current one past max_file_bytes (and it holds anything besides its
  // warcinfo). Appends each record's location to `locations` when not null.
  // Fails with Unavailable when a file cannot be created or written; the
  // writer is then broken: every later Write() fails with the same error
  // and Close() leaves the file ".open".
  Status Write(const std::vector<Record>& records,
               std::vector<RecordLocation>* locations = nullptr);

  // Closes the current file, if any, and renames it to its final name.
  // Idempotent. Fails with Unavailable when the file cannot be closed or
  // renamed, or with the error that broke the writer.
  Status Close();

  // A new record id: "<urn:uuid:...>", a random (version 4) UUID from
  // getrandom(2).
  std::string NewRecordId();

  // The final names of the files closed so far, in order.
  const std::vector<std::string>& finished_files() const { return finished_; }
  // The file being written, with its ".open" suffix; "" when none is.
  const std::string& open_path() const { return open_path_; }

 private:
  WarcWriter(const WarcOptions& options, WarcFiles* files, const Clock* clock,
             pid_t pid)
      : options_(options), files_(files), clock_(clock), pid_(pid) {}

  // Begins the next file and writes its warcinfo record.
  Status OpenNext();
  // Compresses `records` for the current file into `out`.
  Status CompressGroup(const std::vector<Record>& records, std::string* out,
                       std::vector<uint64_t>* sizes);
  int64_t NowMicros() const;

  const WarcOptions options_;
  WarcFiles* const files_;
  const Clock* const clock_;
  const pid_t pid_;
  std::unique_ptr<GzipCompressor> gzip_;
  // The current file, or null.
  std::unique_ptr<AppendFile> file_;
  std::string open_path_;
  std::string final_path_;
  std::string warcinfo_id_;
  uint64_t file_bytes_ = 0;
  uint64_t groups_in_file_ = 0;
  // The serial number of the next file.
  int next_serial_ = 0;
  std::vector<std::string> finished_;
  // Set when a write failed.
  Status broken_;
  // Random bytes for record ids, used from the back.
  std::string random_;
  // The compressed members of the group being written, and their sizes.
  std::string group_;
  std::vector<uint64_t> sizes_;
};

}  // namespace crawler::warc

#endif  // CRAWLER_WARC_WARC_WRITER_H_
