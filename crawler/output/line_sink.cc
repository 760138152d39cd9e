#include "crawler/output/line_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace crawler::output {
namespace {

class FdLineSink : public LineSink {
 public:
  FdLineSink(int fd, std::string name, bool owned)
      : fd_(fd), name_(std::move(name)), owned_(owned) {}
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

 private:
  int fd_;
  std::string name_;
  bool owned_;
};

}  // namespace

StatusOr<std::unique_ptr<LineSink>> OpenLineSink(const std::string& path) {
  if (path.empty() || path == "-") {
    return NewFdLineSink(STDOUT_FILENO, "standard output", false);
  }
  const int fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) return ErrnoError("cannot write '" + path + "'", errno);
  return NewFdLineSink(fd, path, true);
}

std::unique_ptr<LineSink> NewFdLineSink(int fd, std::string name, bool owned) {
  return std::make_unique<FdLineSink>(fd, std::move(name), owned);
}

}  // namespace crawler::output
