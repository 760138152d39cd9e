// WarcFiles: the file operations of a WarcWriter, behind an interface so
// that the writer's naming, rotation and error handling can be tested with
// a fake (disk full, a name taken) as well as on a real directory.
//
// Thread-safety: implementations are not required to be thread-safe.
#ifndef CRAWLER_WARC_WARC_FILES_H_
#define CRAWLER_WARC_WARC_FILES_H_

#include <memory>
#include <string>
#include <string_view>

#include "crawler/base/status.h"

namespace crawler::warc {

// A file open for appending.
class AppendFile {
 public:
  virtual ~AppendFile() = default;
  // Appends `data` whole (retrying short writes). Fails with Unavailable
  // naming the file and the system's reason (e.g. no space left).
  virtual Status Append(std::string_view data) = 0;
  // Flushes to stable storage and closes. Called at most once.
  virtual Status Close() = 0;
};

class WarcFiles {
 public:
  virtual ~WarcFiles() = default;
  // True when something exists at `path`.
  virtual bool Exists(const std::string& path) = 0;
  // Creates `path`, which must not exist yet (O_EXCL), for appending, with
  // mode 0644 before the umask. Fails with Unavailable naming it and why.
  virtual StatusOr<std::unique_ptr<AppendFile>> Create(
      const std::string& path) = 0;
  // Renames `from` to `to`, never replacing an existing `to` (a hard link,
  // then unlink of `from`). Fails with Unavailable naming both and why.
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
};

// The real file system (POSIX open, write, fsync, link, unlink). Appended
// data is handed to the disk every few MiB (sync_file_range), so Close's
// fsync has little left to wait for.
std::unique_ptr<WarcFiles> NewPosixWarcFiles();

}  // namespace crawler::warc

#endif  // CRAWLER_WARC_WARC_FILES_H_
