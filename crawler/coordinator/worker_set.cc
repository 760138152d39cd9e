#include "crawler/coordinator/worker_set.h"

#include <poll.h>
#include <unistd.h>

namespace crawler::coordinator {

using Clock = std::chrono::steady_clock;

WorkerSet::WorkerSet(const WorkerSetOptions& options, WorkerLauncher& launcher,
                     log::Logger* logger)
    : options_(options),
      launcher_(launcher),
      logger_(logger != nullptr ? *logger : log::DefaultLogger()) {
  int n = options_.workers;
  if (n <= 0) {
    long cores = ::sysconf(_SC_NPROCESSORS_ONLN);
    n = cores > 0 ? static_cast<int>(cores) : 1;
  }
  slots_.resize(n);
}

WorkerSet::~WorkerSet() { Shutdown(); }

Status WorkerSet::Start() {
  for (size_t i = 0; i < slots_.size(); ++i) {
    RETURN_IF_ERROR(
        StartWorker(i).WithContext("starting worker " + std::to_string(i)));
  }
  return Status::Ok();
}

Status WorkerSet::StartWorker(size_t i) {
  std::vector<int> others;
  for (size_t k = 0; k < slots_.size(); ++k) {
    if (k != i && slots_[k].alive) others.push_back(slots_[k].handle.conn.fd());
  }
  ASSIGN_OR_RETURN(slots_[i].handle,
                   launcher_.Launch(static_cast<int>(i), others));
  slots_[i].alive = true;
  slots_[i].solo = false;
  return Status::Ok();
}

size_t WorkerSet::in_flight() const {
  size_t n = 0;
  for (const Slot& s : slots_) n += s.tasks.size();
  return n;
}

bool WorkerSet::HasRoom(bool solo) const {
  for (const Slot& s : slots_) {
    if (!s.alive || s.solo) continue;
    if (solo ? s.tasks.empty()
             : s.tasks.size() < static_cast<size_t>(options_.concurrency)) {
      return true;
    }
  }
  return false;
}

Status WorkerSet::Dispatch(const ipc::FetchTask& task, bool solo,
                           const LostFn& lost) {
  size_t best = slots_.size();
  size_t best_load = static_cast<size_t>(options_.concurrency);
  for (size_t i = 0; i < slots_.size(); ++i) {
    const Slot& s = slots_[i];
    if (!s.alive || s.solo) continue;
    if (solo ? s.tasks.empty() : s.tasks.size() < best_load) {
      best = i;
      best_load = s.tasks.size();
      if (solo) break;
    }
  }
  if (best == slots_.size()) {
    return FailedPreconditionError("no worker has room for task " +
                                   std::to_string(task.id));
  }
  Slot& slot = slots_[best];
  slot.solo = solo;
  slot.tasks.emplace(task.id, Clock::now());
  if (!slot.handle.conn.Send(ipc::Encode(task)).ok()) {
    return OnLost(best, "", lost);
  }
  return Status::Ok();
}

Status WorkerSet::OnLost(size_t i, const std::string& why, const LostFn& lost) {
  Slot& slot = slots_[i];
  slot.alive = false;
  slot.handle.conn.Close();
  mp::Process& p = *slot.handle.process;
  if (!p.Join(2000).ok()) {
    p.Kill();
    p.Join();
  }
  if (p.exit_code() == ipc::kWorkerExitArchive) {
    // The disk is full or the WARC directory unwritable: a replacement
    // would fail the same way, and the archive would miss pages.
    return Status(Code::kUnavailable,
                  "a worker could not write its WARC files (pid " +
                      std::to_string(p.pid()) +
                      ", its message is above); stopping");
  }
  const std::string cause = !why.empty()
                                ? why
                                : "worker " + p.ExitDescription() + " (pid " +
                                      std::to_string(p.pid()) + ")";
  std::unordered_map<uint64_t, Clock::time_point> tasks;
  tasks.swap(slot.tasks);
  slot.solo = false;
  const bool replace =
      restarts_ < static_cast<uint64_t>(options_.max_worker_restarts);
  logger_.Warn(cause + "; " +
               (replace ? "starting a replacement"
                        : "restart limit reached, not replacing it"));
  if (replace) {
    ++restarts_;
    Status s = StartWorker(i);
    if (!s.ok()) logger_.Error("cannot replace worker: " + s.ToString());
  }
  const bool alone = tasks.size() == 1;
  for (const auto& [id, since] : tasks) {
    RETURN_IF_ERROR(lost(id, alone, cause));
  }
  return Status::Ok();
}

Status WorkerSet::HandleReadable(size_t i, const ResultFn& result,
                                 const LostFn& lost) {
  Slot& slot = slots_[i];
  std::string frame;
  do {
    Status s = slot.handle.conn.Recv(&frame, 10000);
    if (!s.ok()) return OnLost(i, "", lost);
    ipc::FetchResult r;
    if (!ipc::Decode(frame, &r).ok()) {
      slot.handle.process->Kill();
      return OnLost(i, "", lost);
    }
    if (slot.tasks.erase(r.id) == 0) continue;  // Not a task it holds.
    if (slot.tasks.empty()) slot.solo = false;
    RETURN_IF_ERROR(result(std::move(r)));
  } while (slot.alive && slot.handle.conn.Poll(0));
  return Status::Ok();
}

Status WorkerSet::ReapHung(const LostFn& lost) {
  if (options_.lease_timeout_ms < 0) return Status::Ok();
  const auto now = Clock::now();
  const auto limit = std::chrono::milliseconds(options_.lease_timeout_ms);
  for (size_t i = 0; i < slots_.size(); ++i) {
    Slot& slot = slots_[i];
    if (!slot.alive) continue;
    for (const auto& [id, since] : slot.tasks) {
      if (now - since <= limit) continue;
      slot.handle.process->Kill();
      RETURN_IF_ERROR(OnLost(i,
                             "worker (pid " +
                                 std::to_string(slot.handle.process->pid()) +
                                 ") held a URL for more than " +
                                 std::to_string(options_.lease_timeout_ms) +
                                 " ms without answering and was killed",
                             lost));
      break;
    }
  }
  return Status::Ok();
}

Status WorkerSet::Poll(int timeout_ms, const ResultFn& result,
                       const LostFn& lost) {
  std::vector<pollfd> fds;
  std::vector<size_t> owners;
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (!slots_[i].alive) continue;
    fds.push_back({slots_[i].handle.conn.fd(), POLLIN, 0});
    owners.push_back(i);
  }
  if (fds.empty()) {
    return UnavailableError(
        "every worker died and none could be replaced (see the messages "
        "above); records written so far are kept");
  }
  int ready = ::poll(fds.data(), fds.size(), timeout_ms);
  if (ready > 0) {
    for (size_t k = 0; k < fds.size(); ++k) {
      if (fds[k].revents != 0 && slots_[owners[k]].alive) {
        RETURN_IF_ERROR(HandleReadable(owners[k], result, lost));
      }
    }
  }
  return ReapHung(lost);
}

void WorkerSet::Kill() {
  for (Slot& s : slots_) {
    if (s.handle.process == nullptr) continue;
    s.handle.process->Kill();
    s.handle.conn.Close();
    s.handle.process->Join();
    s.handle.process.reset();
    s.tasks.clear();
    s.solo = false;
    s.alive = false;
  }
}

void WorkerSet::Shutdown() {
  for (Slot& s : slots_) s.handle.conn.Close();
  for (Slot& s : slots_) {
    if (s.handle.process == nullptr) continue;
    if (!s.handle.process->Join(5000).ok()) {
      s.handle.process->Kill();
      s.handle.process->Join();
    }
    s.handle.process.reset();
    s.alive = false;
  }
}

}  // namespace crawler::coordinator
