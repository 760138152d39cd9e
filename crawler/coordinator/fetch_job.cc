#include "crawler/coordinator/fetch_job.h"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <deque>
#include <map>
#include <optional>
#include <unordered_map>

#include "crawler/coordinator/interrupts.h"
#include "crawler/coordinator/worker_set.h"
#include "crawler/ipc/messages.h"
#include "crawler/output/json.h"
#include "crawler/url/url.h"
#include "crawler/worker/worker.h"

namespace crawler::coordinator {
namespace {

using Clock = std::chrono::steady_clock;

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

struct Lease {
  uint64_t index = 0;  // Position in the input (the task id).
  std::string url;
  int attempts = 0;  // Times sent to a worker.
  int crashes = 0;   // Worker deaths charged to this URL (it was alone).
  // Held by a worker that died along with other URLs: which one killed it is
  // unknown, so each suspect is retried alone on a worker, and an innocent
  // URL is not charged again for a neighbour's crash.
  bool solo = false;
};

class Job {
 public:
  Job(const FetchJobOptions& options, UrlSource& input,
      output::RecordWriter& writer, WorkerLauncher& launcher)
      : options_(options),
        input_(input),
        writer_(writer),
        logger_(options.logger != nullptr ? *options.logger
                                          : log::DefaultLogger()),
        workers_({options.workers, options.concurrency,
                  options.lease_timeout_ms, options.max_worker_restarts},
                 launcher, &logger_) {}

  StatusOr<FetchJobSummary> Run();

 private:
  // The event loop: lease, poll, collect, until the input is done.
  Status Loop();
  Status Emit(ipc::FetchResult result);
  Status FillWorkers();
  Status OnResult(ipc::FetchResult result);
  Status OnLost(uint64_t id, bool alone, const std::string& cause);
  // Stages the next lease (a retry first, else the next input URL) in
  // staged_; false when there is none.
  bool StageNext();
  void Progress(bool final);

  const FetchJobOptions& options_;
  UrlSource& input_;
  output::RecordWriter& writer_;
  log::Logger& logger_;
  WorkerSet workers_;
  Interrupts interrupts_;
  const WorkerSet::ResultFn on_result_ = [this](ipc::FetchResult r) {
    return OnResult(std::move(r));
  };
  const WorkerSet::LostFn on_lost_ = [this](uint64_t id, bool alone,
                                            const std::string& cause) {
    return OnLost(id, alone, cause);
  };

  std::unordered_map<uint64_t, Lease> in_flight_;
  std::deque<Lease> retries_;
  std::optional<Lease> staged_;
  bool input_done_ = false;
  bool stopping_ = false;
  Clock::time_point grace_deadline_;
  bool abandon_ = false;  // The grace period ran out.
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
  staged_ = Lease{next_index_++, std::move(url), 0, 0, false};
  return true;
}

Status Job::Emit(ipc::FetchResult result) {
  ++summary_.urls;
  summary_.bytes += result.bytes;
  if (result.error.empty()) {
    ++summary_.ok;
  } else {
    ++summary_.errors;
    ++summary_.error_classes[result.error_class.empty() ? "other"
                                                        : result.error_class];
  }
  const int status_class =
      result.status >= 100 && result.status < 600 ? result.status / 100 : 0;
  ++summary_.status_classes[static_cast<size_t>(status_class)];
  if (logger_.Enabled(log::LogLevel::kDebug)) {
    std::string line =
        result.status != 0 ? std::to_string(result.status) : "---";
    line += " " + result.url + " (" + std::to_string(result.bytes) +
            " bytes, " + std::to_string(result.elapsed_ms) + " ms)";
    if (!result.error.empty()) line += " " + result.error;
    logger_.Debug(output::RedactUserinfo(line));
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
    if (!workers_.HasRoom(lease.solo)) return Status::Ok();  // Wait for room.
    ++lease.attempts;
    ipc::FetchTask task;
    task.id = lease.index;
    task.url = lease.url;
    const bool solo = lease.solo;
    in_flight_.emplace(task.id, std::move(lease));
    staged_.reset();
    RETURN_IF_ERROR(workers_.Dispatch(task, solo, on_lost_));
  }
  return Status::Ok();
}

Status Job::OnResult(ipc::FetchResult r) {
  auto it = in_flight_.find(r.id);
  if (it == in_flight_.end()) return Status::Ok();
  r.url = it->second.url;  // Report the URL exactly as the input gave it.
  in_flight_.erase(it);
  return Emit(std::move(r));
}

// A URL alone on the worker is the certain culprit and is charged with the
// crash. When the worker held several, which one killed it is unknown: none
// is charged, and each is retried alone, so the culprit then shows itself
// without taking innocent URLs down with it.
Status Job::OnLost(uint64_t id, bool alone, const std::string& cause) {
  auto it = in_flight_.find(id);
  if (it == in_flight_.end()) return Status::Ok();
  Lease lease = std::move(it->second);
  in_flight_.erase(it);
  lease.solo = true;
  if (alone) ++lease.crashes;
  if (lease.crashes <= options_.max_retries) {
    retries_.push_back(std::move(lease));
    return Status::Ok();
  }
  ipc::FetchResult r;
  r.id = lease.index;
  r.url = lease.url;
  r.error_class = "worker_crashed";
  r.error = "worker_crashed: " + cause +
            " while fetching this URL; gave up after " +
            std::to_string(lease.crashes) +
            (lease.crashes == 1 ? " attempt" : " attempts");
  r.tag = Tag::kWorkerLost;
  return Emit(std::move(r));
}

void Job::Progress(bool final) {
  if (options_.progress_listener == nullptr) return;
  ProgressSnapshot p;
  p.unit = "URLs";
  p.done = summary_.urls;
  p.ok = summary_.ok;
  p.errors = summary_.errors;
  p.bytes = summary_.bytes;
  p.in_flight = in_flight_.size();
  p.elapsed_s = std::chrono::duration<double>(Clock::now() - start_).count();
  p.workers = WorkerStatsLine(options_.stats);
  if (stopping_) p.stopping = "interrupted";
  p.final = final;
  options_.progress_listener->OnProgress(p);
}

StatusOr<FetchJobSummary> Job::Run() {
  start_ = last_flush_ = last_progress_ = Clock::now();
  Status status = workers_.Start();
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
  if (abandon_) {
    workers_.Kill();
  } else {
    workers_.Shutdown();  // Closing the pipes tells the workers to exit.
  }
  Progress(true);
  if (!status.ok()) return status;
  summary_.worker_restarts = workers_.restarts();
  summary_.seconds =
      std::chrono::duration<double>(Clock::now() - start_).count();
  if (summary_.urls > 0) {
    summary_.error_rate = static_cast<double>(summary_.errors) /
                          static_cast<double>(summary_.urls);
  }
  summary_.error_rate_exceeded = options_.max_error_rate >= 0 &&
                                 summary_.error_rate > options_.max_error_rate;
  return summary_;
}

Status Job::Loop() {
  while (true) {
    if (interrupts_.signal() != 0 && !stopping_) {
      stopping_ = true;
      summary_.interrupted_by = interrupts_.signal();
      grace_deadline_ =
          Clock::now() + std::chrono::duration_cast<Clock::duration>(
                             std::chrono::duration<double>(std::clamp(
                                 options_.interrupt_grace_s, 0.0, 86400.0)));
      char grace[32];
      std::snprintf(grace, sizeof grace, "%g s", options_.interrupt_grace_s);
      logger_.Warn(std::string(SignalName(interrupts_.signal())) +
                   " received: finishing " + std::to_string(in_flight_.size()) +
                   " URLs in flight for up to " + grace +
                   " (send it again to stop at once)");
    }
    if (stopping_ && !in_flight_.empty() && Clock::now() >= grace_deadline_) {
      summary_.abandoned = in_flight_.size();
      logger_.Warn("grace period over: abandoning " +
                   std::to_string(in_flight_.size()) +
                   " URLs in flight (they have no record)");
      abandon_ = true;
      return Status::Ok();
    }
    RETURN_IF_ERROR(FillWorkers());
    if (in_flight_.empty() && retries_.empty() && !staged_ &&
        (input_done_ || stopping_)) {
      return Status::Ok();
    }
    RETURN_IF_ERROR(workers_.Poll(250, on_result_, on_lost_));
    auto now = Clock::now();
    if (now - last_flush_ > std::chrono::milliseconds(200)) {
      RETURN_IF_ERROR(writer_.Flush());
      last_flush_ = now;
    }
    if (options_.progress_listener != nullptr &&
        now - last_progress_ >=
            std::chrono::duration<double>(options_.progress_interval_s)) {
      Progress(false);
      last_progress_ = now;
    }
  }
}

}  // namespace

std::string WorkerStatsLine(const mp::SharedStats* stats) {
  if (stats == nullptr) return "";
  // What the workers report through shared memory.
  int bytes = stats->Slot(worker::kStatBytes);
  int parsed = stats->Slot(worker::kStatParsed);
  int parse_us = stats->Slot(worker::kStatParseMicros);
  if (bytes < 0 || parsed < 0 || parse_us < 0) return "";
  int64_t n = stats->Get(parsed);
  char buf[160];
  std::snprintf(buf, sizeof buf,
                ", %.1f MB received, %lld pages parsed (%.2f ms each)",
                stats->Get(bytes) / 1e6, static_cast<long long>(n),
                n > 0 ? stats->Get(parse_us) / 1000.0 / n : 0.0);
  return buf;
}

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
