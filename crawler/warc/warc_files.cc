#include "crawler/warc/warc_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace crawler::warc {
namespace {

// Bytes appended between two write-back requests (sync_file_range(2) with
// SYNC_FILE_RANGE_WRITE): the disk writes the archive while the crawl goes
// on, so the fsync at Close waits for the last few MiB only, not the whole
// file. Without it, the two workers' fsyncs at the end of crawl_bench.sh's
// crawl (300 MB of stored members) took 0.18 s, 5 % of the run.
constexpr uint64_t kWriteBackEvery = 8 << 20;

Status Failed(const std::string& what, const std::string& path, int err) {
  return Status(Code::kUnavailable,
                what + " '" + path + "': " + std::strerror(err));
}

class PosixAppendFile : public AppendFile {
 public:
  PosixAppendFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixAppendFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  Status Append(std::string_view data) override {
    while (!data.empty()) {
      const ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return Failed("cannot write", path_, errno);
      }
      data.remove_prefix(static_cast<size_t>(n));
      appended_ += static_cast<uint64_t>(n);
    }
    if (appended_ - written_back_ >= kWriteBackEvery) {
      // Only a request: errors show up at the fsync in Close.
      (void)::sync_file_range(fd_, static_cast<off64_t>(written_back_),
                              static_cast<off64_t>(appended_ - written_back_),
                              SYNC_FILE_RANGE_WRITE);
      written_back_ = appended_;
    }
    return Status::Ok();
  }

  Status Close() override {
    if (fd_ < 0) return Status::Ok();
    const int fd = fd_;
    fd_ = -1;
    if (::fsync(fd) != 0) {
      const int err = errno;
      ::close(fd);
      return Failed("cannot sync", path_, err);
    }
    if (::close(fd) != 0) return Failed("cannot close", path_, errno);
    return Status::Ok();
  }

 private:
  int fd_;
  std::string path_;
  // Bytes appended so far, and how many of them write-back was requested
  // for.
  uint64_t appended_ = 0;
  uint64_t written_back_ = 0;
};

class PosixWarcFiles : public WarcFiles {
 public:
  bool Exists(const std::string& path) override {
    struct stat st;
    return ::lstat(path.c_str(), &st) == 0;
  }

  StatusOr<std::unique_ptr<AppendFile>> Create(
      const std::string& path) override {
    const int fd = ::open(
        path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return Failed("cannot create", path, errno);
    return std::unique_ptr<AppendFile>(new PosixAppendFile(fd, path));
  }

  Status Rename(const std::string& from, const std::string& to) override {
    if (::link(from.c_str(), to.c_str()) != 0) {
      return Failed("cannot rename '" + from + "' to", to, errno);
    }
    if (::unlink(from.c_str()) != 0)
      return Failed("cannot remove", from, errno);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<WarcFiles> NewPosixWarcFiles() {
  return std::make_unique<PosixWarcFiles>();
}

}  // namespace crawler::warc
