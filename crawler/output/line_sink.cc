#include "crawler/output/line_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace crawler::output {
namespace {

class FdLineSink : public LineSink {
 public:
  FdLineSink(int fd, std::string name, bool owned, int64_t position = -1)
      : fd_(fd), name_(std::move(name)), owned_(owned), position_(position) {}
  ~FdLineSink() override {
    if (owned_ && fd_ >= 0) ::close(fd_);
  }
  FdLineSink(const FdLineSink&) = delete;
  FdLineSink& operator=(const FdLineSink&) = delete;

  Status Write(std::string_view text) override {
    if (fd_ < 0) return ClosedError("writing " + name_ + ": closed");
    while (!text.empty()) {
      const ssize_t n = ::write(fd_, text.data(), text.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoError("writing " + name_, errno);
      }
      text.remove_prefix(static_cast<size_t>(n));
      if (position_ >= 0) position_ += n;
    }
    return Status::Ok();
  }

  Status Close() override {
    const int fd = fd_;
    fd_ = -1;
    if (fd < 0 || !owned_) return Status::Ok();
    if (::close(fd) != 0 && errno != EINTR) {
      return ErrnoError("closing " + name_, errno);
    }
    return Status::Ok();
  }

  bool IsTerminal() const override { return fd_ >= 0 && ::isatty(fd_) == 1; }

  const std::string& name() const override { return name_; }

  int64_t Position() const override { return position_; }

 private:
  int fd_;
  std::string name_;
  bool owned_;
  int64_t position_;  // -1: not tracked.
};

}  // namespace

StatusOr<std::unique_ptr<LineSink>> OpenLineSink(const std::string& path) {
  if (path.empty() || path == "-") {
    return NewFdLineSink(STDOUT_FILENO, "standard output", false);
  }
  const int fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) return ErrnoError("cannot write '" + path + "'", errno);
  return std::unique_ptr<LineSink>(
      std::make_unique<FdLineSink>(fd, path, true, 0));
}

StatusOr<std::unique_ptr<LineSink>> OpenLineSinkForAppend(
    const std::string& path, std::optional<int64_t> keep, int64_t* cut_bytes) {
  if (cut_bytes != nullptr) *cut_bytes = 0;
  if (path.empty() || path == "-") return OpenLineSink(path);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0) return ErrnoError("cannot write '" + path + "'", errno);
  off_t size = ::lseek(fd, 0, SEEK_END);
  if (size < 0) {
    const int err = errno;
    ::close(fd);
    return ErrnoError("cannot append to '" + path + "'", err);
  }
  if (keep && *keep >= 0 && size > *keep) {
    if (::ftruncate(fd, *keep) != 0 || ::lseek(fd, *keep, SEEK_SET) < 0) {
      const int err = errno;
      ::close(fd);
      return ErrnoError("cannot cut '" + path + "' back", err);
    }
    if (cut_bytes != nullptr) *cut_bytes = size - *keep;
    size = *keep;
  }
  return std::unique_ptr<LineSink>(
      std::make_unique<FdLineSink>(fd, path, true, size));
}

std::unique_ptr<LineSink> NewFdLineSink(int fd, std::string name, bool owned) {
  return std::make_unique<FdLineSink>(fd, std::move(name), owned);
}

}  // namespace crawler::output
