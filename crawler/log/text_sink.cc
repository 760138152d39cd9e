#include "crawler/log/text_sink.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>

namespace crawler::log {
namespace {

class FdTextSink : public TextSink {
 public:
  FdTextSink(int fd, bool owned) : fd_(fd), owned_(owned) {}
  ~FdTextSink() override {
    if (owned_) ::close(fd_);
  }
  FdTextSink(const FdTextSink&) = delete;
  FdTextSink& operator=(const FdTextSink&) = delete;

  Status Write(std::string_view text) override {
    while (!text.empty()) {
      const ssize_t n = ::write(fd_, text.data(), text.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoError("writing a message", errno);
      }
      text.remove_prefix(static_cast<size_t>(n));
    }
    return Status::Ok();
  }

  bool IsTerminal() const override { return ::isatty(fd_) == 1; }

  int Columns() const override {
    struct winsize ws {};
    if (::ioctl(fd_, TIOCGWINSZ, &ws) != 0) return 0;
    return ws.ws_col;
  }

 private:
  int fd_;
  bool owned_;
};

}  // namespace

TextSink& StandardError() {
  static FdTextSink* const sink = new FdTextSink(STDERR_FILENO, false);
  return *sink;
}

StatusOr<std::unique_ptr<TextSink>> OpenLogFile(const std::string& path) {
  const int fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
  if (fd < 0) return ErrnoError("cannot open log file '" + path + "'", errno);
  return std::unique_ptr<TextSink>(new FdTextSink(fd, true));
}

}  // namespace crawler::log
