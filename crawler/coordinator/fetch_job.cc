#include "crawler/coordinator/fetch_job.h"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <deque>
#include <map>
#include <optional>
#include <unordered_map>

#include "crawler/ipc/messages.h"
#include "crawler/url/url.h"
#include "crawler/worker/worker.h"

namespace crawler::coordinator {
namespace {

using Clock = std::chrono::steady_clock;

volatile std::sig_atomic_t g_signal = 0;
volatile std::sig_atomic_t g_signal_count = 0;

void OnSignal(int signo) {
  g_signal = signo;
  g_signal_count = g_signal_count + 1;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' ||
                        s.front() == '\r' || s.front() == '\n')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' ||
                        s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// Installs the interrupt handlers for the job's lifetime.
class SignalScope {
 public:
  SignalScope() {
    g_signal = 0;
    g_signal_count = 0;
    struct sigaction sa {};
    sa.sa_handler = OnSignal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
  }
  ~SignalScope() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

struct Lease {
  uint64_t index = 0;  // Position in the input (the task id).
  std::string url;
  int attempts = 0;  // Times sent to a worker.
  int crashes = 0;   // Worker deaths charged to this URL (it was alone).
  Clock::time_point leased_at;  // When it was last sent to a worker.
  // Held by a worker that died along with other URLs: which one killed it is
  // unknown, so each suspect is retried alone on a worker, and an innocent
  // URL is not charged again for a neighbour's crash.
  bool solo = false;
};

struct Slot {
  WorkerHandle handle;
  std::unordered_map<uint64_t, Lease> in_flight;
  bool alive = false;
  bool solo = false;  // Running one suspect URL alone.
};

class Job {
 public:
  Job(const FetchJobOptions& options, UrlSource& input,
      output::RecordWriter& writer, WorkerLauncher& launcher)
      : options_(options),
        input_(input),
        writer_(writer),
        launcher_(launcher) {}

  StatusOr<FetchJobSummary> Run();

 private:
  // The event loop: lease, poll, collect, until the input is done.
  Status Loop();
  Status StartWorker(size_t i);
  Status Emit(ipc::FetchResult result);
  Status FillWorkers();
  Status HandleReadable(size_t i);
  // `why` overrides the cause taken from the worker's exit status.
  Status OnWorkerLost(size_t i, const std::string& why = "");
  // Kills workers holding a URL past the lease timeout.
  Status ReapHungWorkers();
  // Stages the next lease (a retry first, else the next input URL) in
  // staged_; false when there is none.
  bool StageNext();
  size_t InFlight() const;
  void Progress(bool final);

  const FetchJobOptions& options_;
  UrlSource& input_;
  output::RecordWriter& writer_;
  WorkerLauncher& launcher_;

  std::vector<Slot> slots_;
  std::deque<Lease> retries_;
  std::optional<Lease> staged_;
  bool input_done_ = false;
  bool stopping_ = false;
  uint64_t next_index_ = 0;
  // --ordered: finished records waiting for their predecessors.
  std::map<uint64_t, ipc::FetchResult> held_;
  uint64_t next_to_write_ = 0;
  FetchJobSummary summary_;
  Clock::time_point start_;
  Clock::time_point last_flush_;
  Clock::time_point last_progress_;
};

bool Job::StageNext() {
  if (staged_.has_value()) return true;
  if (!retries_.empty()) {
    staged_ = std::move(retries_.front());
    retries_.pop_front();
    return true;
  }
  if (input_done_ || stopping_) return false;
  std::string url;
  if (!input_.Next(&url)) {
    input_done_ = true;
    return false;
  }
  staged_ = Lease{next_index_++, std::move(url), 0, 0, {}, false};
  return true;
}

Status Job::StartWorker(size_t i) {
  std::vector<int> others;
  for (size_t k = 0; k < slots_.size(); ++k) {
    if (k != i && slots_[k].alive) others.push_back(slots_[k].handle.conn.fd());
  }
  ASSIGN_OR_RETURN(slots_[i].handle,
                   launcher_.Launch(static_cast<int>(i), others));
  slots_[i].alive = true;
  return Status::Ok();
}

Status Job::Emit(ipc::FetchResult result) {
  ++summary_.urls;
  if (result.error.empty()) {
    ++summary_.ok;
  } else {
    ++summary_.errors;
  }
  if (!options_.ordered) return writer_.Write(result);
  held_.emplace(result.id, std::move(result));
  while (!held_.empty() && held_.begin()->first == next_to_write_) {
    RETURN_IF_ERROR(writer_.Write(held_.begin()->second));
    held_.erase(held_.begin());
    ++next_to_write_;
  }
  return Status::Ok();
}

size_t Job::InFlight() const {
  size_t n = 0;
  for (const Slot& s : slots_) n += s.in_flight.size();
  return n;
}

Status Job::FillWorkers() {
  while (StageNext()) {
    Lease& lease = *staged_;
    if (lease.attempts == 0) {
      // Check the URL here so a bad one never costs a worker round trip.
      StatusOr<std::string> normalized = url::NormalizeUrl(lease.url);
      if (!normalized.ok()) {
        ipc::FetchResult r;
        r.id = lease.index;
        r.url = lease.url;
        const std::string& m = normalized.status().message();
        r.error_class = m.rfind("unsupported scheme", 0) == 0
                            ? "unsupported_scheme"
                            : "bad_url";
        r.error = r.error_class + ": " + m;
        r.tag = Tag::kPermanent;
        staged_.reset();
        RETURN_IF_ERROR(Emit(std::move(r)));
        continue;
      }
    }
    // A suspect needs an idle worker to itself; any other URL goes to the
    // least loaded worker that is not running a suspect.
    size_t best = slots_.size();
    size_t best_load = static_cast<size_t>(options_.concurrency);
    for (size_t i = 0; i < slots_.size(); ++i) {
      const Slot& s = slots_[i];
      if (!s.alive || s.solo) continue;
      if (lease.solo ? s.in_flight.empty() : s.in_flight.size() < best_load) {
        best = i;
        best_load = s.in_flight.size();
        if (lease.solo) break;
      }
    }
    if (best == slots_.size()) return Status::Ok();  // Wait for room.
    ++lease.attempts;
    lease.leased_at = Clock::now();
    ipc::FetchTask task;
    task.id = lease.index;
    task.url = lease.url;
    Slot& slot = slots_[best];
    slot.solo = lease.solo;
    const uint64_t id = lease.index;
    slot.in_flight.emplace(id, std::move(lease));
    staged_.reset();
    if (!slot.handle.conn.Send(ipc::Encode(task)).ok()) {
      RETURN_IF_ERROR(OnWorkerLost(best));
    }
  }
  return Status::Ok();
}

Status Job::ReapHungWorkers() {
  if (options_.lease_timeout_ms < 0) return Status::Ok();
  const auto now = Clock::now();
  const auto limit = std::chrono::milliseconds(options_.lease_timeout_ms);
  for (size_t i = 0; i < slots_.size(); ++i) {
    Slot& slot = slots_[i];
    if (!slot.alive) continue;
    for (const auto& [id, lease] : slot.in_flight) {
      if (now - lease.leased_at <= limit) continue;
      slot.handle.process->Kill();
      RETURN_IF_ERROR(OnWorkerLost(
          i, "worker (pid " + std::to_string(slot.handle.process->pid()) +
                 ") held a URL for more than " +
                 std::to_string(options_.lease_timeout_ms) +
                 " ms without answering and was killed"));
      break;
    }
  }
  return Status::Ok();
}

Status Job::OnWorkerLost(size_t i, const std::string& why) {
  Slot& slot = slots_[i];
  slot.alive = false;
  slot.handle.conn.Close();
  mp::Process& p = *slot.handle.process;
  if (!p.Join(2000).ok()) {
    p.Kill();
    p.Join();
  }
  const std::string cause = !why.empty()
                                ? why
                                : "worker " + p.ExitDescription() + " (pid " +
                                      std::to_string(p.pid()) + ")";
  // A URL alone on the worker is the certain culprit and is charged with the
  // crash. When the worker held several, which one killed it is unknown:
  // none is charged, and each is retried alone, so the culprit then shows
  // itself without taking innocent URLs down with it.
  const bool culprit_known = slot.in_flight.size() == 1;
  for (auto& [id, lease] : slot.in_flight) {
    lease.solo = true;
    if (culprit_known) ++lease.crashes;
    if (lease.crashes > options_.max_retries) {
      ipc::FetchResult r;
      r.id = lease.index;
      r.url = lease.url;
      r.error_class = "worker_crashed";
      r.error = "worker_crashed: " + cause +
                " while fetching this URL; gave up after " +
                std::to_string(lease.crashes) +
                (lease.crashes == 1 ? " attempt" : " attempts");
      r.tag = Tag::kWorkerLost;
      RETURN_IF_ERROR(Emit(std::move(r)));
    } else {
      retries_.push_back(std::move(lease));
    }
  }
  slot.in_flight.clear();
  slot.solo = false;
  std::fprintf(stderr, "crawler: %s; %s\n", cause.c_str(),
               summary_.worker_restarts <
                       static_cast<uint64_t>(options_.max_worker_restarts)
                   ? "starting a replacement"
                   : "restart limit reached, not replacing it");
  if (summary_.worker_restarts <
      static_cast<uint64_t>(options_.max_worker_restarts)) {
    ++summary_.worker_restarts;
    Status s = StartWorker(i);
    if (!s.ok()) {
      std::fprintf(stderr, "crawler: cannot replace worker: %s\n",
                   s.ToString().c_str());
    }
  }
  return Status::Ok();
}

Status Job::HandleReadable(size_t i) {
  Slot& slot = slots_[i];
  std::string frame;
  // Take every result that is already there.
  do {
    Status s = slot.handle.conn.Recv(&frame, 10000);
    if (!s.ok()) return OnWorkerLost(i);
    ipc::FetchResult r;
    if (!ipc::Decode(frame, &r).ok()) {
      slot.handle.process->Kill();
      return OnWorkerLost(i);
    }
    auto it = slot.in_flight.find(r.id);
    if (it == slot.in_flight.end()) continue;  // Not ours: ignore.
    r.url = it->second.url;  // Report the URL exactly as the input gave it.
    slot.in_flight.erase(it);
    if (slot.in_flight.empty()) slot.solo = false;
    RETURN_IF_ERROR(Emit(std::move(r)));
  } while (slot.handle.conn.Poll(0));
  return Status::Ok();
}

void Job::Progress(bool final) {
  double secs = std::chrono::duration<double>(Clock::now() - start_).count();
  std::string workers;
  if (const mp::SharedStats* stats = options_.stats; stats != nullptr) {
    // Read what the workers report through shared memory.
    int bytes = stats->Slot(worker::kStatBytes);
    int parsed = stats->Slot(worker::kStatParsed);
    int parse_us = stats->Slot(worker::kStatParseMicros);
    if (bytes >= 0 && parsed >= 0 && parse_us >= 0) {
      int64_t n = stats->Get(parsed);
      char buf[160];
      std::snprintf(buf, sizeof buf,
                    ", %.1f MB received, %lld pages parsed (%.2f ms each)",
                    stats->Get(bytes) / 1e6, static_cast<long long>(n),
                    n > 0 ? stats->Get(parse_us) / 1000.0 / n : 0.0);
      workers = buf;
    }
  }
  std::fprintf(stderr,
               "crawler: %s%llu URLs (%llu ok, %llu errors), %zu in flight, "
               "%.1f s, %.0f URLs/s%s\n",
               final ? "done: " : "",
               static_cast<unsigned long long>(summary_.urls),
               static_cast<unsigned long long>(summary_.ok),
               static_cast<unsigned long long>(summary_.errors), InFlight(),
               secs, secs > 0 ? summary_.urls / secs : 0.0, workers.c_str());
}

StatusOr<FetchJobSummary> Job::Run() {
  SignalScope signals;
  start_ = last_flush_ = last_progress_ = Clock::now();
  int n = options_.workers;
  if (n <= 0) {
    long cores = ::sysconf(_SC_NPROCESSORS_ONLN);
    n = cores > 0 ? static_cast<int>(cores) : 1;
  }
  slots_.resize(n);
  Status status;
  for (size_t i = 0; i < slots_.size() && status.ok(); ++i) {
    status = StartWorker(i).WithContext("starting worker " + std::to_string(i));
  }
  if (status.ok()) status = Loop();
  // Whatever happened, keep every record already made: records held back for
  // --ordered whose predecessors will never come (an interrupted or failed
  // job) are written anyway, in order, and the output is flushed.
  for (auto& [id, r] : held_) {
    Status w = writer_.Write(r);
    if (status.ok()) status = w;
  }
  held_.clear();
  Status flushed = writer_.Flush();
  if (status.ok()) status = flushed;
  // Closing the pipes tells the workers to exit.
  for (Slot& s : slots_) s.handle.conn.Close();
  for (Slot& s : slots_) {
    if (s.handle.process == nullptr) continue;
    if (!s.handle.process->Join(5000).ok()) {
      s.handle.process->Kill();
      s.handle.process->Join();
    }
  }
  if (!status.ok()) return status;
  summary_.seconds =
      std::chrono::duration<double>(Clock::now() - start_).count();
  if (options_.progress) Progress(true);
  return summary_;
}

Status Job::Loop() {
  std::vector<pollfd> fds;
  std::vector<size_t> owners;
  while (true) {
    if (g_signal != 0 && !stopping_) {
      stopping_ = true;
      summary_.interrupted_by = g_signal;
      std::fprintf(stderr,
                   "crawler: %s received: finishing %zu URLs in flight "
                   "(send it again to stop at once)\n",
                   strsignal(g_signal), InFlight());
    }
    if (g_signal_count >= 2) return Status::Ok();
    RETURN_IF_ERROR(FillWorkers());
    if (InFlight() == 0 && retries_.empty() && (input_done_ || stopping_)) {
      return Status::Ok();
    }
    fds.clear();
    owners.clear();
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
    int ready = ::poll(fds.data(), fds.size(), 250);
    if (ready > 0) {
      for (size_t k = 0; k < fds.size(); ++k) {
        if (fds[k].revents != 0) RETURN_IF_ERROR(HandleReadable(owners[k]));
      }
    }
    RETURN_IF_ERROR(ReapHungWorkers());
    auto now = Clock::now();
    if (now - last_flush_ > std::chrono::milliseconds(200)) {
      RETURN_IF_ERROR(writer_.Flush());
      last_flush_ = now;
    }
    if (options_.progress && now - last_progress_ > std::chrono::seconds(1)) {
      Progress(false);
      last_progress_ = now;
    }
  }
}

}  // namespace

bool FileUrlSource::Next(std::string* url) {
  char* line = nullptr;
  size_t cap = 0;
  while (true) {
    ssize_t n = ::getline(&line, &cap, file_);
    if (n < 0) {
      std::free(line);
      return false;
    }
    std::string_view t = Trim(std::string_view(line, static_cast<size_t>(n)));
    if (t.empty() || t.front() == '#') continue;
    url->assign(t);
    std::free(line);
    return true;
  }
}

bool ListUrlSource::Next(std::string* url) {
  while (next_ < urls_.size()) {
    std::string_view t = Trim(urls_[next_++]);
    if (t.empty()) continue;
    url->assign(t);
    return true;
  }
  return false;
}

bool ChainUrlSource::Next(std::string* url) {
  while (current_ < sources_.size()) {
    if (sources_[current_]->Next(url)) return true;
    ++current_;
  }
  return false;
}

StatusOr<FetchJobSummary> RunFetchJob(const FetchJobOptions& options,
                                      UrlSource& input,
                                      output::RecordWriter& writer,
                                      WorkerLauncher& launcher) {
  Job job(options, input, writer, launcher);
  return job.Run();
}

}  // namespace crawler::coordinator
