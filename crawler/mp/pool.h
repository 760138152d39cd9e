// Pool: a fixed set of worker processes running tasks, the counterpart of
// Python's multiprocessing.Pool (apply, apply_async, map, imap_unordered,
// close, join, terminate).
//
// A task is a plain function `Out f(In)` (no captures) and an argument; the
// argument and result cross the process boundary through Codec<T>
// (mp/codec.h). Workers are fork()ed from the pool's owner and never exec, so
// a function's address is the same in the owner and in every worker; the
// pool sends that address with each task, and it never leaves the process
// tree. Each worker runs one task at a time over its own Pipe, so the pool
// always knows which task a worker holds.
//
// Failures:
// - A worker that dies while running a task (signal, abort, exit) is
//   replaced at once, and the task is run again, up to
//   PoolOptions::max_retries more times; then the task fails with a
//   kWorkerLost-tagged Unavailable status naming the cause ("worker killed by
//   signal 9 (Killed)"). Other tasks are not affected.
// - A task running longer than task_timeout_ms has its worker killed and
//   fails with DeadlineExceeded (a hang is not retried).
// - An exception escaping the task fails that task (Internal); the worker
//   lives on.
//
// Progress without threads: the pool has no helper thread (forking must stay
// safe, see process.h). Work moves forward inside the pool's own calls:
// AsyncResult::Get/Ready/Wait, Map, UnorderedResults::Next, Join and Pump.
//
// Thread-safety: not thread-safe; use a Pool from the thread that created it.
#ifndef CRAWLER_MP_POOL_H_
#define CRAWLER_MP_POOL_H_

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "crawler/base/status.h"
#include "crawler/mp/codec.h"
#include "crawler/mp/pipe.h"
#include "crawler/mp/process.h"
#include "crawler/mp/wire.h"

namespace crawler::mp {

struct PoolOptions {
  // Worker processes; 0 means one per online CPU.
  int processes = 0;
  // Extra attempts for a task whose worker died while running it.
  int max_retries = 2;
  // Per-task time limit in milliseconds; < 0 means none.
  int64_t task_timeout_ms = -1;
  // Worker process names are "<name>-<index>".
  std::string name = "pool";
};

class Pool;

// The pending result of ApplyAsync (Python's AsyncResult).
template <typename Out>
class AsyncResult {
 public:
  // True when the result is available (drives the pool without blocking).
  bool Ready();
  // Waits up to timeout_ms (< 0: forever); true when ready.
  bool Wait(int64_t timeout_ms = -1);
  // Waits up to timeout_ms (< 0: forever) and returns the result or the
  // task's error; DeadlineExceeded if not ready in time (the task goes on).
  StatusOr<Out> Get(int64_t timeout_ms = -1);

 private:
  friend class Pool;
  template <typename>
  friend class UnorderedResults;
  AsyncResult(Pool* pool, uint64_t id) : pool_(pool), id_(id) {}
  Pool* pool_;
  uint64_t id_;
};

// Results of ImapUnordered, in completion order.
template <typename Out>
class UnorderedResults {
 public:
  struct Item {
    size_t index;  // Position of the input.
    StatusOr<Out> result;
  };
  // The next finished result, or nullopt when all were returned.
  std::optional<Item> Next();

 private:
  friend class Pool;
  UnorderedResults(Pool* pool, std::vector<uint64_t> ids);
  Pool* pool_;
  std::unordered_map<uint64_t, size_t> remaining_;  // task id -> index
};

class Pool {
 public:
  // Starts the workers. Fails when a fork fails or the caller has threads.
  static StatusOr<std::unique_ptr<Pool>> Create(
      const PoolOptions& options = {});
  // Terminates the workers if Join() was not called.
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // Runs fn(arg) in a worker and waits for the result.
  template <typename Out, typename In>
  StatusOr<Out> Apply(Out (*fn)(In), const std::decay_t<In>& arg) {
    return ApplyAsync(fn, arg).Get();
  }

  // Queues fn(arg) and returns at once. After Close() or Terminate() the
  // result is a Closed error.
  template <typename Out, typename In>
  AsyncResult<Out> ApplyAsync(Out (*fn)(In), const std::decay_t<In>& arg) {
    Encoder e(kArgType);
    Codec<std::decay_t<In>>::Encode(arg, e);
    return AsyncResult<Out>(
        this,
        Submit(&Invoke<Out, In>, reinterpret_cast<uintptr_t>(fn), e.Take()));
  }

  // Runs fn over every input; results come back in input order, each one a
  // value or that task's error (unlike Python, one failure does not hide the
  // other results).
  template <typename Out, typename In>
  std::vector<StatusOr<Out>> Map(Out (*fn)(In),
                                 const std::vector<std::decay_t<In>>& inputs) {
    std::vector<AsyncResult<Out>> pending;
    pending.reserve(inputs.size());
    for (const auto& in : inputs) pending.push_back(ApplyAsync(fn, in));
    std::vector<StatusOr<Out>> out;
    out.reserve(inputs.size());
    for (auto& p : pending) out.push_back(p.Get());
    return out;
  }

  // Runs fn over every input; iterate the results as tasks finish.
  template <typename Out, typename In>
  UnorderedResults<Out> ImapUnordered(
      Out (*fn)(In), const std::vector<std::decay_t<In>>& inputs) {
    std::vector<uint64_t> ids;
    ids.reserve(inputs.size());
    for (const auto& in : inputs) ids.push_back(ApplyAsync(fn, in).id_);
    return UnorderedResults<Out>(this, std::move(ids));
  }

  // No more tasks may be submitted; queued ones still run.
  void Close();
  // Waits (up to timeout_ms, < 0: forever) until every task is finished and
  // the workers have exited. REQUIRES: Close() or Terminate() was called
  // (FailedPrecondition otherwise).
  Status Join(int64_t timeout_ms = -1);
  // Kills the workers now; unfinished tasks fail with Closed.
  void Terminate();

  // Drives the pool for up to timeout_ms: dispatches tasks, collects results,
  // handles worker deaths and timeouts.
  Status Pump(int64_t timeout_ms);

  int processes() const { return static_cast<int>(workers_.size()); }
  // Pids of the current workers (for monitoring and tests).
  std::vector<pid_t> worker_pids() const;
  // Workers started so far, replacements included.
  int workers_started() const { return workers_started_; }

  // --- Untyped core, used by the templates above. ---
  using Invoker = StatusOr<std::string> (*)(uintptr_t fn,
                                            std::string_view payload);
  uint64_t Submit(Invoker invoker, uintptr_t fn, std::string payload);
  bool IsDone(uint64_t id) const;
  // The result of a finished task (removes it). REQUIRES: IsDone(id).
  StatusOr<std::string> TakeResult(uint64_t id);
  // Pumps until task `id` is done or timeout_ms passes; true when done.
  bool WaitFor(uint64_t id, int64_t timeout_ms);
  // Pumps until any of `ids` is done; returns it, or 0 on timeout.
  uint64_t WaitForAny(const std::unordered_map<uint64_t, size_t>& ids,
                      int64_t timeout_ms);

  static constexpr uint8_t kArgType = 10;
  static constexpr uint8_t kResultType = 11;

 private:
  template <typename Out, typename In>
  static StatusOr<std::string> Invoke(uintptr_t fn, std::string_view payload) {
    Decoder d(payload);
    RETURN_IF_ERROR(d.Header(kArgType));
    std::decay_t<In> arg{};
    RETURN_IF_ERROR(Codec<std::decay_t<In>>::Decode(d, &arg));
    RETURN_IF_ERROR(d.Done());
    Out out = reinterpret_cast<Out (*)(In)>(fn)(arg);
    Encoder e(kResultType);
    Codec<Out>::Encode(out, e);
    return e.Take();
  }

  struct Task {
    Invoker invoker = nullptr;
    uintptr_t fn = 0;
    std::string payload;
    int attempts = 0;
    bool done = false;
    Status error;        // When done and failed.
    std::string result;  // When done and OK.
  };
  struct Worker {
    std::unique_ptr<Process> process;
    Connection conn;
    uint64_t task = 0;  // 0 when idle.
    std::chrono::steady_clock::time_point deadline;
  };

  explicit Pool(PoolOptions options) : options_(std::move(options)) {}
  Status StartWorker(size_t index);
  void WorkerLoop(Connection conn);
  void OnWorkerLost(size_t index, std::string_view why);
  void Finish(uint64_t id, Status error, std::string result);
  Status Dispatch();

  PoolOptions options_;
  std::vector<Worker> workers_;
  std::unordered_map<uint64_t, Task> tasks_;
  std::deque<uint64_t> pending_;
  uint64_t next_id_ = 1;
  bool closed_ = false;
  bool terminated_ = false;
  bool joined_ = false;
  int workers_started_ = 0;
};

template <typename Out>
bool AsyncResult<Out>::Ready() {
  return pool_->WaitFor(id_, 0);
}

template <typename Out>
bool AsyncResult<Out>::Wait(int64_t timeout_ms) {
  return pool_->WaitFor(id_, timeout_ms);
}

template <typename Out>
StatusOr<Out> AsyncResult<Out>::Get(int64_t timeout_ms) {
  if (!pool_->WaitFor(id_, timeout_ms)) {
    return DeadlineExceededError("task not finished after " +
                                 std::to_string(timeout_ms) + " ms");
  }
  ASSIGN_OR_RETURN(std::string bytes, pool_->TakeResult(id_));
  Decoder d(bytes);
  RETURN_IF_ERROR(d.Header(Pool::kResultType));
  Out out{};
  RETURN_IF_ERROR(Codec<Out>::Decode(d, &out));
  RETURN_IF_ERROR(d.Done());
  return out;
}

template <typename Out>
UnorderedResults<Out>::UnorderedResults(Pool* pool, std::vector<uint64_t> ids)
    : pool_(pool) {
  for (size_t i = 0; i < ids.size(); ++i) remaining_[ids[i]] = i;
}

template <typename Out>
std::optional<typename UnorderedResults<Out>::Item>
UnorderedResults<Out>::Next() {
  if (remaining_.empty()) return std::nullopt;
  uint64_t id = pool_->WaitForAny(remaining_, -1);
  size_t index = remaining_[id];
  remaining_.erase(id);
  AsyncResult<Out> r(pool_, id);
  return Item{index, r.Get()};
}

}  // namespace crawler::mp

#endif  // CRAWLER_MP_POOL_H_
