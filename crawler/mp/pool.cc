#include "crawler/mp/pool.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <exception>

namespace crawler::mp {
namespace {

using Clock = std::chrono::steady_clock;
constexpr uint8_t kTaskType = 12;
constexpr uint8_t kReplyType = 13;

}  // namespace

StatusOr<std::unique_ptr<Pool>> Pool::Create(const PoolOptions& options) {
  PoolOptions opts = options;
  if (opts.processes <= 0) {
    long n = ::sysconf(_SC_NPROCESSORS_ONLN);
    opts.processes = n > 0 ? static_cast<int>(n) : 1;
  }
  if (opts.max_retries < 0) opts.max_retries = 0;
  std::unique_ptr<Pool> pool(new Pool(opts));
  pool->workers_.resize(opts.processes);
  for (size_t i = 0; i < pool->workers_.size(); ++i) {
    RETURN_IF_ERROR(pool->StartWorker(i));
  }
  return pool;
}

Pool::~Pool() {
  if (!joined_) Terminate();
}

Status Pool::StartWorker(size_t index) {
  ASSIGN_OR_RETURN(auto ends, Pipe());
  Worker& w = workers_[index];
  w.task = 0;
  // Install our end first: the child closes every owner end it inherits,
  // this one included, so that it sees EOF when the owner closes it.
  w.conn = std::move(ends.first);
  Connection child_end = std::move(ends.second);
  ProcessOptions popts;
  popts.name = options_.name + "-" + std::to_string(index);
  popts.daemon = true;
  const int child_fd = child_end.fd();
  w.process = std::make_unique<Process>(
      [this, child_fd]() {
        WorkerLoop(Connection(child_fd));
        return 0;
      },
      popts);
  Status s = w.process->Start();
  // The parent keeps only its own end. (In the child, child_fd was adopted
  // by the lambda; the child never destroys this frame because it _exits.)
  child_end.Close();
  if (!s.ok()) {
    w.conn.Close();
    return s;
  }
  ++workers_started_;
  return Status::Ok();
}

void Pool::WorkerLoop(Connection conn) {
  // Close the owner's ends of every pipe (ours and the other workers'), so
  // that each worker sees EOF as soon as the owner closes its end.
  for (size_t i = 0; i < workers_.size(); ++i) workers_[i].conn.Close();
  std::string frame;
  while (true) {
    Status s = conn.Recv(&frame);
    if (!s.ok()) return;  // Owner closed the pipe (or died): exit quietly.
    Decoder d(frame);
    uint64_t id = 0, invoker = 0, fn = 0;
    std::string payload;
    Status decoded = d.Header(kTaskType);
    if (decoded.ok()) decoded = d.U64(&id);
    if (decoded.ok()) decoded = d.U64(&invoker);
    if (decoded.ok()) decoded = d.U64(&fn);
    if (decoded.ok()) decoded = d.Bytes(&payload);
    Status error;
    std::string result;
    if (!decoded.ok()) {
      error = decoded.WithContext("bad task frame");
    } else {
      try {
        StatusOr<std::string> r = reinterpret_cast<Invoker>(invoker)(
            static_cast<uintptr_t>(fn), payload);
        if (r.ok()) {
          result = std::move(r).value();
        } else {
          error = r.status();
        }
      } catch (const std::exception& e) {
        error = InternalError(std::string("task threw: ") + e.what());
      } catch (...) {
        error = InternalError("task threw a non-standard exception");
      }
    }
    Encoder reply(kReplyType);
    reply.U64(id).Bool(error.ok());
    if (error.ok()) {
      reply.Bytes(result);
    } else {
      reply.U64(static_cast<uint64_t>(error.code()))
          .U64(static_cast<uint64_t>(error.tag()))
          .Bytes(error.message());
    }
    if (!conn.Send(reply.data()).ok()) return;
  }
}

uint64_t Pool::Submit(Invoker invoker, uintptr_t fn, std::string payload) {
  uint64_t id = next_id_++;
  Task& t = tasks_[id];
  t.invoker = invoker;
  t.fn = fn;
  t.payload = std::move(payload);
  if (closed_ || terminated_) {
    t.done = true;
    t.error = ClosedError("task submitted to a closed pool");
  } else {
    pending_.push_back(id);
  }
  return id;
}

bool Pool::IsDone(uint64_t id) const {
  auto it = tasks_.find(id);
  return it == tasks_.end() || it->second.done;
}

StatusOr<std::string> Pool::TakeResult(uint64_t id) {
  auto it = tasks_.find(id);
  if (it == tasks_.end()) {
    return FailedPreconditionError("result of task " + std::to_string(id) +
                                   " was already taken");
  }
  Task t = std::move(it->second);
  tasks_.erase(it);
  if (!t.error.ok()) return t.error;
  return std::move(t.result);
}

void Pool::Finish(uint64_t id, Status error, std::string result) {
  auto it = tasks_.find(id);
  if (it == tasks_.end()) return;
  it->second.done = true;
  it->second.error = std::move(error);
  it->second.result = std::move(result);
  it->second.payload.clear();
}

Status Pool::Dispatch() {
  for (size_t i = 0; i < workers_.size() && !pending_.empty(); ++i) {
    Worker& w = workers_[i];
    if (w.task != 0 || !w.conn.is_open()) continue;
    uint64_t id = pending_.front();
    pending_.pop_front();
    Task& t = tasks_[id];
    ++t.attempts;
    Encoder e(kTaskType);
    e.U64(id)
        .U64(reinterpret_cast<uintptr_t>(t.invoker))
        .U64(t.fn)
        .Bytes(t.payload);
    w.task = id;
    if (options_.task_timeout_ms >= 0) {
      w.deadline =
          Clock::now() + std::chrono::milliseconds(options_.task_timeout_ms);
    }
    if (!w.conn.Send(e.data()).ok()) OnWorkerLost(i, "");
  }
  return Status::Ok();
}

void Pool::OnWorkerLost(size_t index, std::string_view why) {
  Worker& w = workers_[index];
  w.conn.Close();
  if (w.process != nullptr && !w.process->Join(2000).ok()) {
    w.process->Kill();
    w.process->Join();
  }
  std::string cause =
      why.empty() ? "worker " + w.process->ExitDescription() : std::string(why);
  uint64_t id = std::exchange(w.task, 0);
  if (id != 0) {
    Task& t = tasks_[id];
    if (!why.empty()) {
      Finish(id, DeadlineExceededError(cause), "");
    } else if (t.attempts > options_.max_retries) {
      Finish(
          id,
          UnavailableError(cause + " (pid " + std::to_string(w.process->pid()) +
                           ") while running the task; gave up after " +
                           std::to_string(t.attempts) + " attempts")
              .WithTag(Tag::kWorkerLost),
          "");
    } else {
      pending_.push_front(id);
    }
  }
  if (!terminated_) {
    Status s = StartWorker(index);
    if (!s.ok()) {
      // Without a replacement this slot stays closed; the others go on.
      w.conn.Close();
    }
  }
}

Status Pool::Pump(int64_t timeout_ms) {
  RETURN_IF_ERROR(Dispatch());
  const auto start = Clock::now();
  auto deadline =
      start + std::chrono::milliseconds(timeout_ms < 0 ? 0 : timeout_ms);
  std::vector<pollfd> fds;
  std::vector<size_t> owners;
  for (size_t i = 0; i < workers_.size(); ++i) {
    if (!workers_[i].conn.is_open()) continue;
    fds.push_back({workers_[i].conn.fd(), POLLIN, 0});
    owners.push_back(i);
  }
  int64_t wait = timeout_ms;
  for (const Worker& w : workers_) {
    if (w.task != 0 && options_.task_timeout_ms >= 0) {
      int64_t left = std::max<int64_t>(
          0, std::chrono::duration_cast<std::chrono::milliseconds>(w.deadline -
                                                                   Clock::now())
                     .count() +
                 1);
      wait = wait < 0 ? left : std::min(wait, left);
    }
  }
  if (fds.empty()) return UnavailableError("pool has no live workers");
  int n = ::poll(
      fds.data(), fds.size(),
      wait < 0 ? -1 : static_cast<int>(std::min<int64_t>(wait, INT32_MAX)));
  if (n > 0) {
    for (size_t k = 0; k < fds.size(); ++k) {
      if (fds[k].revents == 0) continue;
      size_t i = owners[k];
      Worker& w = workers_[i];
      std::string frame;
      Status s = w.conn.Recv(&frame, 10000);
      if (!s.ok()) {
        OnWorkerLost(i, "");
        continue;
      }
      Decoder d(frame);
      uint64_t id = 0;
      bool ok = false;
      Status decoded = d.Header(kReplyType);
      if (decoded.ok()) decoded = d.U64(&id);
      if (decoded.ok()) decoded = d.Bool(&ok);
      if (!decoded.ok() || id != w.task) {
        // A worker speaking garbage is as good as lost.
        w.process->Kill();
        OnWorkerLost(i, "");
        continue;
      }
      w.task = 0;
      if (ok) {
        std::string result;
        Status r = d.Bytes(&result);
        Finish(id, r, std::move(result));
      } else {
        uint64_t code = 0, tag = 0;
        std::string message;
        Status r = d.U64(&code);
        if (r.ok()) r = d.U64(&tag);
        if (r.ok()) r = d.Bytes(&message);
        if (!r.ok()) {
          Finish(id, r, "");
        } else {
          Finish(
              id,
              Status(static_cast<Code>(code), message, static_cast<Tag>(tag)),
              "");
        }
      }
    }
  }
  // Kill workers whose task ran past its time limit.
  if (options_.task_timeout_ms >= 0) {
    auto now = Clock::now();
    for (size_t i = 0; i < workers_.size(); ++i) {
      Worker& w = workers_[i];
      if (w.task == 0 || now < w.deadline) continue;
      w.process->Kill();
      OnWorkerLost(i, "task timed out after " +
                          std::to_string(options_.task_timeout_ms) +
                          " ms; its worker (pid " +
                          std::to_string(w.process->pid()) + ") was killed");
    }
  }
  (void)deadline;
  return Dispatch();
}

bool Pool::WaitFor(uint64_t id, int64_t timeout_ms) {
  const auto deadline =
      Clock::now() + std::chrono::milliseconds(timeout_ms < 0 ? 0 : timeout_ms);
  while (!IsDone(id)) {
    int64_t left = -1;
    if (timeout_ms >= 0) {
      left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                   Clock::now())
                 .count();
      if (left < 0) left = 0;
    }
    if (!Pump(left).ok()) {
      // No live worker can ever finish it.
      if (!IsDone(id))
        Finish(id, UnavailableError("pool has no live workers"), "");
      break;
    }
    if (timeout_ms >= 0 && Clock::now() >= deadline) break;
  }
  return IsDone(id);
}

uint64_t Pool::WaitForAny(const std::unordered_map<uint64_t, size_t>& ids,
                          int64_t timeout_ms) {
  const auto deadline =
      Clock::now() + std::chrono::milliseconds(timeout_ms < 0 ? 0 : timeout_ms);
  while (true) {
    for (const auto& [id, index] : ids) {
      if (IsDone(id)) return id;
    }
    int64_t left = -1;
    if (timeout_ms >= 0) {
      left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                   Clock::now())
                 .count();
      if (left <= 0) return 0;
    }
    if (!Pump(left).ok()) {
      for (const auto& [id, index] : ids) {
        if (!IsDone(id))
          Finish(id, UnavailableError("pool has no live workers"), "");
      }
    }
  }
}

void Pool::Close() { closed_ = true; }

Status Pool::Join(int64_t timeout_ms) {
  if (!closed_ && !terminated_) {
    return FailedPreconditionError(
        "Pool::Join() before Close() or Terminate()");
  }
  const auto deadline =
      Clock::now() + std::chrono::milliseconds(timeout_ms < 0 ? 0 : timeout_ms);
  auto busy = [this] {
    if (!pending_.empty()) return true;
    for (const Worker& w : workers_) {
      if (w.task != 0) return true;
    }
    return false;
  };
  while (!terminated_ && busy()) {
    int64_t left = -1;
    if (timeout_ms >= 0) {
      left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                   Clock::now())
                 .count();
      if (left <= 0) {
        return DeadlineExceededError("pool tasks still running after " +
                                     std::to_string(timeout_ms) + " ms");
      }
    }
    if (!Pump(left).ok()) break;
  }
  // Closing our ends tells idle workers to exit.
  for (Worker& w : workers_) w.conn.Close();
  for (Worker& w : workers_) {
    if (w.process == nullptr) continue;
    if (!w.process->Join(5000).ok()) {
      w.process->Kill();
      w.process->Join();
    }
  }
  joined_ = true;
  return Status::Ok();
}

void Pool::Terminate() {
  terminated_ = true;
  closed_ = true;
  for (Worker& w : workers_) {
    if (w.process != nullptr) w.process->Kill();
    w.conn.Close();
  }
  for (Worker& w : workers_) {
    if (w.process != nullptr) w.process->Join();
    w.task = 0;
  }
  pending_.clear();
  for (auto& [id, t] : tasks_) {
    if (!t.done) {
      t.done = true;
      t.error = ClosedError("pool terminated before the task finished");
    }
  }
  joined_ = true;
}

std::vector<pid_t> Pool::worker_pids() const {
  std::vector<pid_t> pids;
  for (const Worker& w : workers_) {
    if (w.process != nullptr && w.conn.is_open())
      pids.push_back(w.process->pid());
  }
  return pids;
}

}  // namespace crawler::mp
