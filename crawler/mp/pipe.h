// Pipe: a duplex, message-oriented connection between two processes, the
// counterpart of Python's multiprocessing.Pipe().
//
// Pipe() returns two Connections over an AF_UNIX stream socketpair. Create it
// before fork; afterwards each process keeps one end and closes the other
// (Connection::Close). Each Send writes one frame: a 4-byte little-endian
// length, then the payload (use mp/wire.h to encode typed messages). Recv
// returns exactly one frame. A peer that dies mid-frame is reported as
// DataLoss, a clean peer exit as Closed; neither ever hangs the survivor when
// a timeout is given.
//
// Thread-safety: a Connection is not thread-safe; one thread per end.
// SIGPIPE is never raised by Send (MSG_NOSIGNAL).
#ifndef CRAWLER_MP_PIPE_H_
#define CRAWLER_MP_PIPE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "crawler/base/status.h"

namespace crawler::mp {

// Frames larger than this are refused by Send and treated as corruption by
// Recv.
inline constexpr size_t kMaxFrameBytes = size_t{256} << 20;

class Connection {
 public:
  Connection() = default;
  explicit Connection(int fd) : fd_(fd) {}
  ~Connection() { Close(); }
  Connection(Connection&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Sends one frame, blocking until it is written. Fails with Closed when the
  // peer is gone, InvalidArgument when the frame exceeds kMaxFrameBytes.
  Status Send(std::string_view payload);

  // Receives one frame into *payload. timeout_ms < 0 waits forever; 0 only
  // checks. Fails with DeadlineExceeded when nothing arrived in time (nothing
  // is consumed then), Closed when the peer closed between frames, DataLoss
  // when it closed mid-frame or sent a corrupt length.
  Status Recv(std::string* payload, int64_t timeout_ms = -1);

  // True when a frame (or EOF) can be read within timeout_ms.
  bool Poll(int64_t timeout_ms = 0);

  // Closes this end; the peer's Recv then reports Closed. Idempotent.
  void Close();

  bool is_open() const { return fd_ >= 0; }
  // The file descriptor, for poll(2)-based event loops. Owned by this object.
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

// Creates a connected pair. Both ends are close-on-exec.
StatusOr<std::pair<Connection, Connection>> Pipe();

}  // namespace crawler::mp

#endif  // CRAWLER_MP_PIPE_H_
