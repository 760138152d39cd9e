// Queue: a bounded, many-producer many-consumer message queue shared by
// processes, the counterpart of Python's multiprocessing.Queue.
//
// Create the Queue before fork(); every process forked afterwards shares it
// (the ring lives in a MAP_SHARED anonymous mapping). Messages are byte
// strings (encode typed messages with mp/wire.h); each Put is delivered to
// exactly one Get, in FIFO order.
//
// Bounds: the ring holds at most `capacity_bytes` of messages (each takes its
// size rounded up to 8 bytes, plus an 8-byte header) and, when
// `max_messages` > 0, at most that many. Put blocks while the queue is full.
//
// Crash safety: producers share one process-shared robust mutex and
// consumers another, so a producer and a consumer never wait for each other.
// The ring's tail (write position and message count, packed in one 64-bit
// word) is written only by the producer holding the put lock, and the head
// only by the consumer holding the get lock. A producer copies its message
// past the tail and publishes it with a single store of the tail; a consumer
// copies a message out and consumes it with a single store of the head. If a
// process dies at any point inside Put or Get (SIGKILL included), the ring is
// consistent as it stands: a half-written message was never published, a
// half-read one is still there. The next process to take that lock is told by
// the kernel (EOWNERDEAD), marks the lock consistent and carries on. Waiters
// sleep on futexes for at most 50 ms at a time and re-check, so a process
// killed between publishing and waking others cannot leave them hanging. A
// message that a consumer had already taken when it died is lost with it, as
// with any consumer crash.
//
// Thread-safety: Put, Get and Close may be called concurrently from any
// threads of any processes sharing the queue.
#ifndef CRAWLER_MP_QUEUE_H_
#define CRAWLER_MP_QUEUE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "crawler/base/status.h"

namespace crawler::mp {

struct QueueOptions {
  // Size of the shared ring. The largest message is capacity_bytes - 16.
  // Memory is touched lazily, so a large ring only costs what is used.
  size_t capacity_bytes = size_t{64} << 20;
  // Maximum number of queued messages; 0 means bounded by bytes only.
  size_t max_messages = 0;
  // Lock-free checks before sleeping on a futex; a few microseconds of
  // spinning saves two system calls per message when both sides are busy.
  int spin_iterations = 2000;
};

class Queue {
 public:
  // Creates a queue. Fails with InvalidArgument for a capacity under 64 bytes
  // and with the errno text when the shared mapping cannot be made.
  static StatusOr<std::unique_ptr<Queue>> Create(
      const QueueOptions& options = {});
  ~Queue();

  Queue(const Queue&) = delete;
  Queue& operator=(const Queue&) = delete;

  // Appends a message, waiting up to timeout_ms (< 0: forever) for room.
  // Fails with Closed after Close(), DeadlineExceeded when still full at the
  // deadline, InvalidArgument when the message can never fit.
  Status Put(std::string_view message, int64_t timeout_ms = -1);

  // Removes the oldest message into *message, waiting up to timeout_ms
  // (< 0: forever). Fails with DeadlineExceeded when still empty at the
  // deadline, and with Closed once the queue is closed and drained.
  Status Get(std::string* message, int64_t timeout_ms = -1);

  // Closes the queue for every process: Put fails from now on, Get drains
  // what is left and then fails with Closed, and every waiter wakes up.
  void Close();

  bool closed() const;
  // Messages queued right now (a snapshot; may change at once).
  size_t size() const;
  size_t max_message_bytes() const;
  // How many times a process found the lock held by a dead process and
  // repaired the queue (monitoring and tests).
  uint64_t recoveries() const;

  struct Shared;  // Layout of the shared mapping (queue.cc).

 private:
  Queue(Shared* shared, size_t mapping_bytes, int spin)
      : shared_(shared), mapping_bytes_(mapping_bytes), spin_(spin) {}

  Status LockPut() const;
  Status LockGet() const;
  void UnlockPut() const;
  void UnlockGet() const;

  Shared* shared_;
  size_t mapping_bytes_;
  int spin_;
};

}  // namespace crawler::mp

#endif  // CRAWLER_MP_QUEUE_H_
