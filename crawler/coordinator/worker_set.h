// WorkerSet: the coordinator's worker processes and the tasks each one holds.
//
// Each worker has its own pipe, so the set always knows which task ids a
// worker holds. Dispatch() sends a task to the least-loaded live worker, up
// to `concurrency` per worker; a "solo" task goes only to an idle worker and
// has it to itself (used to retry the URLs of a worker that died, one at a
// time, so that the one that kills workers shows itself). Poll() collects
// results, notices dead workers (EOF on the pipe; the exit status gives the
// cause) and workers that held a task longer than the lease timeout (killed),
// replaces them, and reports every task they held as lost, saying whether it
// was alone on the worker (then it is the certain culprit).
//
// Thread-safety: single-threaded, like the coordinator. Workers are forked
// from the calling thread (see mp/process.h).
#ifndef CRAWLER_COORDINATOR_WORKER_SET_H_
#define CRAWLER_COORDINATOR_WORKER_SET_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "crawler/base/status.h"
#include "crawler/coordinator/worker_launcher.h"
#include "crawler/ipc/messages.h"
#include "crawler/log/logger.h"

namespace crawler::coordinator {

struct WorkerSetOptions {
  // Worker processes; 0 means one per online CPU.
  int workers = 0;
  // Tasks in flight per worker.
  int concurrency = 16;
  // A worker holding one task longer than this (ms) is killed as hung; < 0
  // disables.
  int64_t lease_timeout_ms = -1;
  // Replacements allowed in the set's lifetime before a slot stays empty.
  int max_worker_restarts = 100;
};

class WorkerSet {
 public:
  using ResultFn = std::function<Status(ipc::FetchResult)>;
  // A task lost with its worker: `alone` when it was the worker's only task;
  // `cause` says what happened ("worker killed by signal 9 (Killed) (pid N)").
  using LostFn = std::function<Status(uint64_t task_id, bool alone,
                                      const std::string& cause)>;

  // `logger` (may be null: log::DefaultLogger()) hears of dead and
  // replaced workers; it must outlive the set.
  WorkerSet(const WorkerSetOptions& options, WorkerLauncher& launcher,
            log::Logger* logger = nullptr);
  ~WorkerSet();
  WorkerSet(const WorkerSet&) = delete;
  WorkerSet& operator=(const WorkerSet&) = delete;

  // Starts the workers. Fails when one cannot be started.
  Status Start();

  // True when Dispatch(…, solo) would find a worker now.
  bool HasRoom(bool solo) const;
  // Sends the task. REQUIRES: HasRoom(solo). A worker that turns out to be
  // dead is handled as in Poll (its tasks, this one included, go to `lost`).
  Status Dispatch(const ipc::FetchTask& task, bool solo, const LostFn& lost);

  // Waits up to timeout_ms for results and handles what happened: each
  // result goes to `result`, each task of a dead or hung worker to `lost`.
  // Fails only when a callback fails, or with Unavailable when no worker is
  // alive and none can be started.
  Status Poll(int timeout_ms, const ResultFn& result, const LostFn& lost);

  size_t in_flight() const;
  uint64_t restarts() const { return restarts_; }
  int size() const { return static_cast<int>(slots_.size()); }

  // Closes every pipe (workers exit when idle) and reaps the workers.
  void Shutdown();
  // Kills every worker at once (SIGKILL), whatever it holds, and reaps it:
  // for a job that stops without waiting for the requests in flight. Their
  // tasks are forgotten, not reported as lost.
  void Kill();

 private:
  struct Slot {
    WorkerHandle handle;
    std::unordered_map<uint64_t, std::chrono::steady_clock::time_point> tasks;
    bool alive = false;
    bool solo = false;
  };
  Status StartWorker(size_t i);
  Status HandleReadable(size_t i, const ResultFn& result, const LostFn& lost);
  Status OnLost(size_t i, const std::string& why, const LostFn& lost);
  Status ReapHung(const LostFn& lost);

  WorkerSetOptions options_;
  WorkerLauncher& launcher_;
  log::Logger& logger_;
  std::vector<Slot> slots_;
  uint64_t restarts_ = 0;
};

}  // namespace crawler::coordinator

#endif  // CRAWLER_COORDINATOR_WORKER_SET_H_
