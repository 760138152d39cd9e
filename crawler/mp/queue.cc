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
constexpr uint32_t kLayoutVersion = 2;
constexpr uint64_t kRecordHeader = 8;
constexpr int64_t kMaxSleepMs = 50;

// A ring position packed with a message counter in one word, so that one
// store publishes (or consumes) a message: bits 0..39 hold the byte position
// in the ring (< capacity), bits 40..63 a message counter modulo 2^24. The
// number of queued messages is the counters' difference modulo 2^24; the ring
// holds at most capacity / 8 < 2^24 messages, so it never wraps ambiguously.
constexpr int kPosBits = 40;
constexpr uint64_t kPosMask = (uint64_t{1} << kPosBits) - 1;
constexpr uint64_t kCountMask = (uint64_t{1} << (64 - kPosBits)) - 1;
constexpr size_t kMaxCapacity = size_t{1} << 36;  // 64 GiB

uint64_t Pos(uint64_t packed) { return packed & kPosMask; }
uint64_t Count(uint64_t packed) { return packed >> kPosBits; }
uint64_t Advance(uint64_t packed, uint64_t bytes, uint64_t capacity) {
  uint64_t pos = (Pos(packed) + bytes) % capacity;
  uint64_t count = (Count(packed) + 1) & kCountMask;
  return pos | (count << kPosBits);
}

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

// Milliseconds to sleep before re-checking, or -1 when the deadline passed.
int64_t SleepMs(Clock::time_point deadline) {
  if (deadline == Clock::time_point::max()) return kMaxSleepMs;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                  deadline - Clock::now())
                  .count();
  if (left <= 0) return -1;
  return std::min<int64_t>(left, kMaxSleepMs);
}

Clock::time_point Deadline(int64_t timeout_ms) {
  return timeout_ms < 0 ? Clock::time_point::max()
                        : Clock::now() + std::chrono::milliseconds(timeout_ms);
}

}  // namespace

struct Queue::Shared {
  uint32_t magic;
  uint32_t version;
  uint64_t capacity;      // Ring bytes (multiple of 8).
  uint64_t max_messages;  // 0 = unbounded count.
  std::atomic<uint32_t> closed;
  std::atomic<uint64_t> recoveries;
  // Producers' side: their lock, the tail, and the consumers' wake-up word.
  alignas(64) pthread_mutex_t put_mu;
  alignas(64) std::atomic<uint64_t> tail;
  std::atomic<uint32_t> data_seq;      // Futex: bumped on publish / close.
  std::atomic<uint32_t> data_waiters;  // Consumers asleep or about to be.
  // Consumers' side.
  alignas(64) pthread_mutex_t get_mu;
  alignas(64) std::atomic<uint64_t> head;
  std::atomic<uint32_t> space_seq;      // Futex: bumped on consume / close.
  std::atomic<uint32_t> space_waiters;  // Producers asleep or about to be.
  alignas(64) char ring[];
};

namespace {

// Messages and bytes between head and tail.
struct Fill {
  uint64_t messages;
  uint64_t bytes;
};
Fill Used(uint64_t head, uint64_t tail, uint64_t capacity) {
  uint64_t messages = (Count(tail) - Count(head)) & kCountMask;
  if (messages == 0) return {0, 0};
  uint64_t bytes = (Pos(tail) + capacity - Pos(head)) % capacity;
  if (bytes == 0) bytes = capacity;  // Full to the byte.
  return {messages, bytes};
}

Status InitRobustMutex(pthread_mutex_t* mu) {
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
  int rc = pthread_mutex_init(mu, &attr);
  pthread_mutexattr_destroy(&attr);
  if (rc != 0) return ErrnoError("pthread_mutex_init", rc);
  return Status::Ok();
}

// Takes a robust mutex, spinning briefly first (glibc's robust mutexes do not
// spin adaptively, and the locks here are held for one memcpy). Returns true
// when the previous owner had died holding it.
StatusOr<bool> LockRobust(pthread_mutex_t* mu) {
  int rc = EBUSY;
  for (int i = 0; i < 128 && rc == EBUSY; ++i) {
#ifdef __GLIBC__
    // Test before test-and-set, so that spinning only reads the lock word.
    if (__atomic_load_n(&mu->__data.__lock, __ATOMIC_RELAXED) != 0) {
      CpuRelax();
      continue;
    }
#endif
    rc = pthread_mutex_trylock(mu);
    if (rc == EBUSY) CpuRelax();
  }
  // trylock may also have acquired a dead owner's lock (EOWNERDEAD).
  if (rc == EBUSY) rc = pthread_mutex_lock(mu);
  if (rc == 0) return false;
  if (rc == EOWNERDEAD) {
    pthread_mutex_consistent(mu);
    return true;
  }
  return InternalError(std::string("queue lock failed: ") + std::strerror(rc));
}

}  // namespace

StatusOr<std::unique_ptr<Queue>> Queue::Create(const QueueOptions& options) {
  if (options.capacity_bytes < 64 || options.capacity_bytes > kMaxCapacity) {
    return InvalidArgumentError(
        "queue capacity_bytes must be from 64 to 2^36, got " +
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
  s->closed.store(0);
  s->recoveries.store(0);
  s->tail.store(0);
  s->head.store(0);
  s->data_seq.store(0);
  s->data_waiters.store(0);
  s->space_seq.store(0);
  s->space_waiters.store(0);
  Status st = InitRobustMutex(&s->put_mu);
  if (st.ok()) st = InitRobustMutex(&s->get_mu);
  if (!st.ok()) {
    ::munmap(mem, bytes);
    return st;
  }
  return std::unique_ptr<Queue>(new Queue(s, bytes, options.spin_iterations));
}

Queue::~Queue() { ::munmap(shared_, mapping_bytes_); }

size_t Queue::max_message_bytes() const {
  return shared_->capacity - kRecordHeader;
}

Status Queue::LockPut() const {
  ASSIGN_OR_RETURN(bool recovered, LockRobust(&shared_->put_mu));
  if (recovered) {
    // A producer died inside Put. The tail is only ever written by one
    // store, so whatever it was copying was never published: nothing to do
    // but let everyone re-check.
    shared_->recoveries.fetch_add(1);
    shared_->space_seq.fetch_add(1);
    FutexWake(&shared_->space_seq, INT_MAX);
  }
  return Status::Ok();
}

Status Queue::LockGet() const {
  ASSIGN_OR_RETURN(bool recovered, LockRobust(&shared_->get_mu));
  if (recovered) {
    // A consumer died inside Get. The head is only ever written by one
    // store: the message it was copying is either still queued or was
    // consumed whole.
    shared_->recoveries.fetch_add(1);
    shared_->data_seq.fetch_add(1);
    FutexWake(&shared_->data_seq, INT_MAX);
  }
  return Status::Ok();
}

void Queue::UnlockPut() const { pthread_mutex_unlock(&shared_->put_mu); }
void Queue::UnlockGet() const { pthread_mutex_unlock(&shared_->get_mu); }

Status Queue::Put(std::string_view message, int64_t timeout_ms) {
  Shared* s = shared_;
  const uint64_t need = kRecordHeader + Align8(message.size());
  if (need > s->capacity) {
    return InvalidArgumentError("message of " + std::to_string(message.size()) +
                                " bytes can never fit a queue of " +
                                std::to_string(s->capacity) +
                                " bytes (raise QueueOptions.capacity_bytes)");
  }
  const Clock::time_point deadline = Deadline(timeout_ms);
  auto has_room = [&](uint64_t tail) {
    Fill f = Used(s->head.load(std::memory_order_seq_cst), tail, s->capacity);
    return s->capacity - f.bytes >= need &&
           (s->max_messages == 0 || f.messages < s->max_messages) &&
           f.messages < kCountMask;
  };
  RETURN_IF_ERROR(LockPut());
  uint64_t tail = s->tail.load(std::memory_order_relaxed);
  while (true) {
    if (s->closed.load()) {
      UnlockPut();
      return ClosedError("put on a closed queue");
    }
    if (has_room(tail)) break;
    int64_t sleep_ms = SleepMs(deadline);
    if (sleep_ms < 0) {
      UnlockPut();
      return DeadlineExceededError("queue still full after " +
                                   std::to_string(timeout_ms) + " ms");
    }
    // Announce the wait, then re-check: a consumer that frees room after
    // this point sees the waiter and bumps space_seq (see Get).
    s->space_waiters.fetch_add(1, std::memory_order_seq_cst);
    uint32_t seq = s->space_seq.load(std::memory_order_seq_cst);
    if (!has_room(tail) && !s->closed.load()) {
      UnlockPut();
      FutexWait(&s->space_seq, seq, sleep_ms);
      s->space_waiters.fetch_sub(1);
      RETURN_IF_ERROR(LockPut());
      tail = s->tail.load(std::memory_order_relaxed);
    } else {
      s->space_waiters.fetch_sub(1);
    }
  }
  // Copy header and payload past the tail, wrapping around the ring's end.
  uint64_t len = message.size();
  uint64_t off = Pos(tail);
  std::memcpy(s->ring + off, &len, sizeof len);
  off = (off + kRecordHeader) % s->capacity;
  size_t first = std::min<size_t>(message.size(), s->capacity - off);
  std::memcpy(s->ring + off, message.data(), first);
  if (first < message.size()) {
    std::memcpy(s->ring, message.data() + first, message.size() - first);
  }
  s->tail.store(Advance(tail, need, s->capacity),
                std::memory_order_seq_cst);  // Publish.
  const bool wake = s->data_waiters.load(std::memory_order_seq_cst) > 0;
  if (wake) s->data_seq.fetch_add(1);
  UnlockPut();
  if (wake) FutexWake(&s->data_seq, 1);
  return Status::Ok();
}

Status Queue::Get(std::string* message, int64_t timeout_ms) {
  Shared* s = shared_;
  const Clock::time_point deadline = Deadline(timeout_ms);
  auto has_data = [&](uint64_t head) {
    return Count(s->tail.load(std::memory_order_seq_cst)) != Count(head);
  };
  // Spin without the lock while empty: cheaper than a futex round trip when
  // a producer is about to publish.
  for (int i = 0; i < spin_; ++i) {
    if (Count(s->tail.load(std::memory_order_acquire)) !=
            Count(s->head.load(std::memory_order_relaxed)) ||
        s->closed.load(std::memory_order_relaxed)) {
      break;
    }
    CpuRelax();
  }
  RETURN_IF_ERROR(LockGet());
  uint64_t head = s->head.load(std::memory_order_relaxed);
  while (true) {
    if (has_data(head)) break;
    if (s->closed.load()) {
      UnlockGet();
      return ClosedError("queue closed");
    }
    int64_t sleep_ms = SleepMs(deadline);
    if (sleep_ms < 0) {
      UnlockGet();
      return DeadlineExceededError("queue still empty after " +
                                   std::to_string(timeout_ms) + " ms");
    }
    s->data_waiters.fetch_add(1, std::memory_order_seq_cst);
    uint32_t seq = s->data_seq.load(std::memory_order_seq_cst);
    if (!has_data(head) && !s->closed.load()) {
      UnlockGet();
      FutexWait(&s->data_seq, seq, sleep_ms);
      s->data_waiters.fetch_sub(1);
      RETURN_IF_ERROR(LockGet());
      head = s->head.load(std::memory_order_relaxed);
    } else {
      s->data_waiters.fetch_sub(1);
    }
  }
  uint64_t len;
  uint64_t off = Pos(head);
  std::memcpy(&len, s->ring + off, sizeof len);
  const uint64_t tail = s->tail.load(std::memory_order_acquire);
  if (kRecordHeader + Align8(len) > Used(head, tail, s->capacity).bytes) {
    UnlockGet();
    return DataLossError("queue record length " + std::to_string(len) +
                         " exceeds the published bytes");
  }
  off = (off + kRecordHeader) % s->capacity;
  message->resize(len);
  size_t first = std::min<size_t>(len, s->capacity - off);
  std::memcpy(message->data(), s->ring + off, first);
  if (first < len) std::memcpy(message->data() + first, s->ring, len - first);
  const uint64_t new_head =
      Advance(head, kRecordHeader + Align8(len), s->capacity);
  s->head.store(new_head, std::memory_order_seq_cst);  // Consume.
  const bool wake_space = s->space_waiters.load(std::memory_order_seq_cst) > 0;
  if (wake_space) s->space_seq.fetch_add(1);
  // More data and more sleeping consumers: pass the baton.
  const bool wake_data = has_data(new_head) && s->data_waiters.load() > 0;
  if (wake_data) s->data_seq.fetch_add(1);
  UnlockGet();
  if (wake_space) FutexWake(&s->space_seq, INT_MAX);
  if (wake_data) FutexWake(&s->data_seq, 1);
  return Status::Ok();
}

void Queue::Close() {
  Shared* s = shared_;
  s->closed.store(1);
  s->data_seq.fetch_add(1);
  s->space_seq.fetch_add(1);
  FutexWake(&s->data_seq, INT_MAX);
  FutexWake(&s->space_seq, INT_MAX);
}

uint64_t Queue::recoveries() const { return shared_->recoveries.load(); }

bool Queue::closed() const { return shared_->closed.load() != 0; }

size_t Queue::size() const {
  return Used(shared_->head.load(), shared_->tail.load(), shared_->capacity)
      .messages;
}

}  // namespace crawler::mp
