#include "crawler/mp/queue.h"

#include <linux/futex.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>

namespace crawler::mp {

namespace {

constexpr uint32_t kMagic = 0x43525155;  // "CRQU"
constexpr uint32_t kLayoutVersion = 1;
constexpr uint64_t kRecordHeader = 8;
constexpr int64_t kMaxSleepMs = 50;

uint64_t Align8(uint64_t n) { return (n + 7) & ~uint64_t{7}; }

void FutexWait(std::atomic<uint32_t>* word, uint32_t expected,
               int64_t timeout_ms) {
  timespec ts{static_cast<time_t>(timeout_ms / 1000),
              static_cast<long>((timeout_ms % 1000) * 1000000)};
  ::syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAIT, expected,
            &ts, nullptr, 0);
}

void FutexWake(std::atomic<uint32_t>* word, int count) {
  ::syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAKE, count,
            nullptr, nullptr, 0);
}

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

using Clock = std::chrono::steady_clock;

}  // namespace

struct Queue::Shared {
  uint32_t magic;
  uint32_t version;
  uint64_t capacity;      // Ring bytes (multiple of 8).
  uint64_t max_messages;  // 0 = unbounded count.
  pthread_mutex_t mu;     // Robust, process-shared.
  // Logical offsets; position in the ring is offset % capacity. Written only
  // under `mu`, read without it by spinners (hence atomic).
  std::atomic<uint64_t> head;
  std::atomic<uint64_t> tail;
  uint64_t count;  // Under mu.
  std::atomic<uint32_t> closed;
  std::atomic<uint32_t> data_seq;   // Futex word: bumped on publish/close.
  std::atomic<uint32_t> space_seq;  // Futex word: bumped on consume/close.
  std::atomic<uint32_t> data_waiters;
  std::atomic<uint32_t> space_waiters;
  std::atomic<uint64_t> recoveries;
  alignas(64) char ring[];
};

StatusOr<std::unique_ptr<Queue>> Queue::Create(const QueueOptions& options) {
  if (options.capacity_bytes < 64) {
    return InvalidArgumentError(
        "queue capacity_bytes must be at least 64, got " +
        std::to_string(options.capacity_bytes));
  }
  uint64_t capacity = Align8(options.capacity_bytes);
  size_t bytes = sizeof(Shared) + capacity;
  void* mem = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) return ErrnoError("mmap queue ring", errno);
  Shared* s = new (mem) Shared;
  s->magic = kMagic;
  s->version = kLayoutVersion;
  s->capacity = capacity;
  s->max_messages = options.max_messages;
  s->head.store(0);
  s->tail.store(0);
  s->count = 0;
  s->closed.store(0);
  s->data_seq.store(0);
  s->space_seq.store(0);
  s->data_waiters.store(0);
  s->space_waiters.store(0);
  s->recoveries.store(0);
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
  int rc = pthread_mutex_init(&s->mu, &attr);
  pthread_mutexattr_destroy(&attr);
  if (rc != 0) {
    ::munmap(mem, bytes);
    return ErrnoError("pthread_mutex_init", rc);
  }
  return std::unique_ptr<Queue>(new Queue(s, bytes, options.spin_iterations));
}

Queue::~Queue() { ::munmap(shared_, mapping_bytes_); }

size_t Queue::max_message_bytes() const {
  return shared_->capacity - kRecordHeader - 8;
}

Status Queue::Lock() const {
  // Brief trylock spin first: glibc's robust mutexes do not spin adaptively,
  // and a lock held for a small memcpy is usually free a moment later.
  int rc = EBUSY;
  for (int i = 0; i < 64 && rc == EBUSY; ++i) {
    rc = pthread_mutex_trylock(&shared_->mu);
    if (rc == EBUSY) CpuRelax();
  }
  // trylock may also acquire a dead owner's lock (EOWNERDEAD).
  if (rc == EBUSY) rc = pthread_mutex_lock(&shared_->mu);
  if (rc == 0) return Status::Ok();
  if (rc == EOWNERDEAD) {
    // The previous owner died inside Put or Get. Everything published is
    // intact (publishing is one store of `tail`, consuming one store of
    // `head`); only `count` may be stale, so recount it from the records.
    Shared* s = shared_;
    uint64_t n = 0;
    uint64_t pos = s->head.load(std::memory_order_relaxed);
    const uint64_t tail = s->tail.load(std::memory_order_relaxed);
    while (pos < tail) {
      uint64_t len;
      uint64_t off = pos % s->capacity;  // Headers never straddle (8-aligned).
      std::memcpy(&len, s->ring + off, sizeof len);
      pos += kRecordHeader + Align8(len);
      ++n;
    }
    s->count = n;
    s->recoveries.fetch_add(1);
    s->data_seq.fetch_add(1);
    s->space_seq.fetch_add(1);
    pthread_mutex_consistent(&s->mu);
    FutexWake(&s->data_seq, INT_MAX);
    FutexWake(&s->space_seq, INT_MAX);
    return Status::Ok();
  }
  return InternalError(std::string("queue lock failed: ") + std::strerror(rc));
}

void Queue::Unlock() const { pthread_mutex_unlock(&shared_->mu); }

Status Queue::Put(std::string_view message, int64_t timeout_ms) {
  Shared* s = shared_;
  const uint64_t need = kRecordHeader + Align8(message.size());
  if (need > s->capacity) {
    return InvalidArgumentError("message of " + std::to_string(message.size()) +
                                " bytes can never fit a queue of " +
                                std::to_string(s->capacity) +
                                " bytes (raise QueueOptions.capacity_bytes)");
  }
  const auto deadline =
      Clock::now() + std::chrono::milliseconds(timeout_ms < 0 ? 0 : timeout_ms);
  RETURN_IF_ERROR(Lock());
  while (true) {
    if (s->closed.load()) {
      Unlock();
      return ClosedError("put on a closed queue");
    }
    uint64_t used = s->tail.load(std::memory_order_relaxed) -
                    s->head.load(std::memory_order_relaxed);
    if (s->capacity - used >= need &&
        (s->max_messages == 0 || s->count < s->max_messages)) {
      break;
    }
    int64_t wait_ms = kMaxSleepMs;
    if (timeout_ms >= 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                      deadline - Clock::now())
                      .count();
      if (left <= 0) {
        Unlock();
        return DeadlineExceededError("queue still full after " +
                                     std::to_string(timeout_ms) + " ms");
      }
      wait_ms = std::min<int64_t>(wait_ms, left);
    }
    uint32_t seq = s->space_seq.load();
    s->space_waiters.fetch_add(1);
    Unlock();
    FutexWait(&s->space_seq, seq, wait_ms);
    s->space_waiters.fetch_sub(1);
    RETURN_IF_ERROR(Lock());
  }
  // Write header and payload past the tail, wrapping around the ring end.
  const uint64_t tail = s->tail.load(std::memory_order_relaxed);
  uint64_t len = message.size();
  uint64_t off = tail % s->capacity;
  std::memcpy(s->ring + off, &len, sizeof len);
  off = (off + kRecordHeader) % s->capacity;
  size_t first = std::min<size_t>(message.size(), s->capacity - off);
  std::memcpy(s->ring + off, message.data(), first);
  if (first < message.size()) {
    std::memcpy(s->ring, message.data() + first, message.size() - first);
  }
  ++s->count;
  s->tail.store(tail + need, std::memory_order_release);  // Publish.
  s->data_seq.fetch_add(1);
  const bool wake = s->data_waiters.load() > 0;
  Unlock();
  if (wake) FutexWake(&s->data_seq, 1);
  return Status::Ok();
}

Status Queue::Get(std::string* message, int64_t timeout_ms) {
  Shared* s = shared_;
  const auto deadline =
      Clock::now() + std::chrono::milliseconds(timeout_ms < 0 ? 0 : timeout_ms);
  // Spin without the lock while empty: cheaper than a futex round trip when
  // a producer is about to publish.
  for (int i = 0; i < spin_; ++i) {
    if (s->tail.load(std::memory_order_acquire) !=
            s->head.load(std::memory_order_relaxed) ||
        s->closed.load(std::memory_order_relaxed)) {
      break;
    }
    CpuRelax();
  }
  RETURN_IF_ERROR(Lock());
  while (true) {
    if (s->tail.load(std::memory_order_relaxed) !=
        s->head.load(std::memory_order_relaxed)) {
      break;
    }
    if (s->closed.load()) {
      Unlock();
      return ClosedError("queue closed");
    }
    int64_t wait_ms = kMaxSleepMs;
    if (timeout_ms >= 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                      deadline - Clock::now())
                      .count();
      if (left <= 0) {
        Unlock();
        return DeadlineExceededError("queue still empty after " +
                                     std::to_string(timeout_ms) + " ms");
      }
      wait_ms = std::min<int64_t>(wait_ms, left);
    }
    uint32_t seq = s->data_seq.load();
    s->data_waiters.fetch_add(1);
    Unlock();
    FutexWait(&s->data_seq, seq, wait_ms);
    s->data_waiters.fetch_sub(1);
    RETURN_IF_ERROR(Lock());
  }
  const uint64_t head = s->head.load(std::memory_order_relaxed);
  uint64_t len;
  uint64_t off = head % s->capacity;
  std::memcpy(&len, s->ring + off, sizeof len);
  if (kRecordHeader + Align8(len) >
      s->tail.load(std::memory_order_relaxed) - head) {
    Unlock();
    return DataLossError("queue record length " + std::to_string(len) +
                         " exceeds the published bytes");
  }
  off = (off + kRecordHeader) % s->capacity;
  message->resize(len);
  size_t first = std::min<size_t>(len, s->capacity - off);
  std::memcpy(message->data(), s->ring + off, first);
  if (first < len) std::memcpy(message->data() + first, s->ring, len - first);
  --s->count;
  s->head.store(head + kRecordHeader + Align8(len),
                std::memory_order_release);  // Consume.
  s->space_seq.fetch_add(1);
  const bool wake_space = s->space_waiters.load() > 0;
  // More data and more sleeping consumers: pass the baton.
  const bool wake_data = s->tail.load(std::memory_order_relaxed) !=
                             s->head.load(std::memory_order_relaxed) &&
                         s->data_waiters.load() > 0;
  Unlock();
  if (wake_space) FutexWake(&s->space_seq, INT_MAX);
  if (wake_data) FutexWake(&s->data_seq, 1);
  return Status::Ok();
}

void Queue::Close() {
  Shared* s = shared_;
  if (Lock().ok()) {
    s->closed.store(1);
    s->data_seq.fetch_add(1);
    s->space_seq.fetch_add(1);
    Unlock();
  } else {
    s->closed.store(1);
  }
  FutexWake(&s->data_seq, INT_MAX);
  FutexWake(&s->space_seq, INT_MAX);
}

uint64_t Queue::recoveries() const { return shared_->recoveries.load(); }

bool Queue::closed() const { return shared_->closed.load() != 0; }

size_t Queue::size() const {
  if (!Lock().ok()) return 0;
  size_t n = shared_->count;
  Unlock();
  return n;
}

}  // namespace crawler::mp
