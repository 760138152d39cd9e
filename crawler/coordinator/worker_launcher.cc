#include "crawler/coordinator/worker_launcher.h"

#include <unistd.h>

#include <cstdio>

#include "crawler/ipc/messages.h"

namespace crawler::coordinator {

StatusOr<WorkerHandle> ForkWorkerLauncher::Launch(
    int index, const std::vector<int>& inherited_fds) {
  ASSIGN_OR_RETURN(auto ends, mp::Pipe());
  const int parent_fd = ends.first.fd();
  const int child_fd = ends.second.fd();
  std::vector<int> to_close = inherited_fds;
  to_close.push_back(parent_fd);
  mp::ProcessOptions popts;
  popts.name = "crawler-w" + std::to_string(index);
  popts.daemon = true;
  auto process = std::make_unique<mp::Process>(
      [this, to_close, child_fd, index]() {
        for (int fd : to_close) ::close(fd);
        mp::Connection conn(child_fd);
        StatusOr<std::unique_ptr<fetch::Fetcher>> fetcher = factory_();
        if (!fetcher.ok()) {
          std::fprintf(stderr, "crawler: worker %d: %s\n", index,
                       fetcher.status().ToString().c_str());
          return static_cast<int>(ipc::kWorkerExitFetcherInit);
        }
        Status s = worker::RunWorker(conn, **fetcher, options_);
        if (s.ok() || s.code() == Code::kClosed) {
          return static_cast<int>(ipc::kWorkerExitOk);
        }
        std::fprintf(stderr, "crawler: worker %d: %s\n", index,
                     s.ToString().c_str());
        // RunWorker's archive failure (worker.h).
        if (s.code() == Code::kFailedPrecondition) {
          return static_cast<int>(ipc::kWorkerExitArchive);
        }
        return static_cast<int>(ipc::kWorkerExitProtocolError);
      },
      popts);
  RETURN_IF_ERROR(process->Start());
  ends.second.Close();
  return WorkerHandle{std::move(ends.first), std::move(process)};
}

}  // namespace crawler::coordinator
