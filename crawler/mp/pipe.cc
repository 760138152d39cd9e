#include "crawler/mp/pipe.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace crawler::mp {
namespace {

using Clock = std::chrono::steady_clock;

int64_t RemainingMs(Clock::time_point deadline, bool forever) {
  if (forever) return -1;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                  deadline - Clock::now())
                  .count();
  return left < 0 ? 0 : left;
}

// Waits until fd is readable. Returns false on timeout.
bool WaitReadable(int fd, int64_t timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  while (true) {
    int t = timeout_ms < 0
                ? -1
                : static_cast<int>(std::min<int64_t>(timeout_ms, INT32_MAX));
    int r = ::poll(&p, 1, t);
    if (r > 0) return true;
    if (r == 0) return false;
    if (errno != EINTR) return true;  // Let read() report the error.
  }
}

}  // namespace

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    Close();
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

void Connection::Close() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

Status Connection::Send(std::string_view payload) {
  if (fd_ < 0) return ClosedError("send on a closed connection");
  if (payload.size() > kMaxFrameBytes) {
    return InvalidArgumentError("frame of " + std::to_string(payload.size()) +
                                " bytes exceeds the " +
                                std::to_string(kMaxFrameBytes) + "-byte limit");
  }
  uint32_t len = static_cast<uint32_t>(payload.size());
  unsigned char header[4] = {static_cast<unsigned char>(len),
                             static_cast<unsigned char>(len >> 8),
                             static_cast<unsigned char>(len >> 16),
                             static_cast<unsigned char>(len >> 24)};
  iovec iov[2] = {{header, sizeof header},
                  {const_cast<char*>(payload.data()), payload.size()}};
  int iovcnt = 2;
  iovec* cur = iov;
  while (iovcnt > 0) {
    msghdr msg{};
    msg.msg_iov = cur;
    msg.msg_iovlen = iovcnt;
    ssize_t n = ::sendmsg(fd_, &msg, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        pollfd p{fd_, POLLOUT, 0};
        ::poll(&p, 1, -1);
        continue;
      }
      if (errno == EPIPE || errno == ECONNRESET) {
        return ClosedError("peer closed the connection");
      }
      return ErrnoError("send", errno);
    }
    size_t left = static_cast<size_t>(n);
    while (iovcnt > 0 && left >= cur->iov_len) {
      left -= cur->iov_len;
      ++cur;
      --iovcnt;
    }
    if (iovcnt > 0) {
      cur->iov_base = static_cast<char*>(cur->iov_base) + left;
      cur->iov_len -= left;
    }
  }
  return Status::Ok();
}

bool Connection::Poll(int64_t timeout_ms) {
  if (fd_ < 0) return false;
  return WaitReadable(fd_, timeout_ms);
}

Status Connection::Recv(std::string* payload, int64_t timeout_ms) {
  if (fd_ < 0) return ClosedError("recv on a closed connection");
  const bool forever = timeout_ms < 0;
  const Clock::time_point deadline =
      Clock::now() + std::chrono::milliseconds(forever ? 0 : timeout_ms);
  unsigned char header[4];
  size_t got = 0;
  // Reads exactly n bytes into dst; `started` says whether part of this frame
  // was already consumed (so a timeout or EOF is a mid-frame failure).
  auto read_exact = [&](char* dst, size_t n, bool started) -> Status {
    size_t done = 0;
    while (done < n) {
      if (!WaitReadable(fd_, RemainingMs(deadline, forever))) {
        if (!started && done == 0) {
          return DeadlineExceededError("no message within " +
                                       std::to_string(timeout_ms) + " ms");
        }
        return DataLossError("peer stalled mid-message past the timeout");
      }
      ssize_t r = ::read(fd_, dst + done, n - done);
      if (r > 0) {
        done += static_cast<size_t>(r);
        started = true;
        continue;
      }
      if (r == 0) {
        if (!started) return ClosedError("peer closed the connection");
        return DataLossError("peer closed the connection mid-message");
      }
      if (errno == EINTR || errno == EAGAIN) continue;
      if (errno == ECONNRESET) {
        return started ? DataLossError("connection reset mid-message")
                       : ClosedError("connection reset by peer");
      }
      return ErrnoError("recv", errno);
    }
    return Status::Ok();
  };
  RETURN_IF_ERROR(read_exact(reinterpret_cast<char*>(header), 4, false));
  got = static_cast<size_t>(header[0]) | static_cast<size_t>(header[1]) << 8 |
        static_cast<size_t>(header[2]) << 16 |
        static_cast<size_t>(header[3]) << 24;
  if (got > kMaxFrameBytes) {
    return DataLossError("corrupt frame length " + std::to_string(got));
  }
  payload->resize(got);
  return read_exact(payload->data(), got, true);
}

StatusOr<std::pair<Connection, Connection>> Pipe() {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    return ErrnoError("socketpair", errno);
  }
  return std::make_pair(Connection(fds[0]), Connection(fds[1]));
}

}  // namespace crawler::mp
