// WorkerLauncher: how the coordinator gets a worker process and a pipe to it.
//
// The coordinator depends on this interface only. The production launcher
// (ForkWorkerLauncher) forks an mp::Process running worker::RunWorker with a
// Fetcher made by a factory after the fork; tests give it a fake Fetcher, so
// the coordinator's dispatch, ordering, retry and crash handling are tested
// with real processes but without a network.
//
// Thread-safety: single-threaded, like the coordinator.
#ifndef CRAWLER_COORDINATOR_WORKER_LAUNCHER_H_
#define CRAWLER_COORDINATOR_WORKER_LAUNCHER_H_

#include <functional>
#include <memory>
#include <vector>

#include "crawler/base/status.h"
#include "crawler/fetch/fetcher.h"
#include "crawler/mp/pipe.h"
#include "crawler/mp/process.h"
#include "crawler/worker/worker.h"

namespace crawler::coordinator {

struct WorkerHandle {
  mp::Connection conn;                   // The coordinator's end.
  std::unique_ptr<mp::Process> process;  // Started.
};

class WorkerLauncher {
 public:
  virtual ~WorkerLauncher() = default;
  // Starts worker number `index`. `inherited_fds` are the coordinator's ends
  // of the other workers' pipes: the new worker must close them so that each
  // worker sees EOF when the coordinator closes its pipe.
  virtual StatusOr<WorkerHandle> Launch(
      int index, const std::vector<int>& inherited_fds) = 0;
};

// Makes the fetch engine inside the worker, after the fork.
using FetcherFactory =
    std::function<StatusOr<std::unique_ptr<fetch::Fetcher>>()>;

class ForkWorkerLauncher : public WorkerLauncher {
 public:
  ForkWorkerLauncher(FetcherFactory factory, worker::WorkerOptions options)
      : factory_(std::move(factory)), options_(std::move(options)) {}
  StatusOr<WorkerHandle> Launch(int index,
                                const std::vector<int>& inherited_fds) override;

 private:
  FetcherFactory factory_;
  worker::WorkerOptions options_;
};

}  // namespace crawler::coordinator

#endif  // CRAWLER_COORDINATOR_WORKER_LAUNCHER_H_
