#include "crawler/warc/warc_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace crawler::warc {
namespace {

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
