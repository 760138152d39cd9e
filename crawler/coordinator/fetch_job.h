// FetchJob: `crawler fetch`, the "Pool.map over a list of URLs".
//
// The coordinator (this code, single-threaded) reads URLs from a UrlSource,
// checks each one, and leases it to one of N worker processes over that
// worker's pipe, keeping up to `concurrency` URLs in flight per worker.
// Workers fetch (libcurl multi), parse HTML (gumbo), and answer each URL
// with one result, which is written as one JSON line.
//
// Every input URL gets exactly one output record:
// - a malformed URL or a non-http(s) scheme: an error record, never fetched;
// - a network failure, timeout, 404...: a record saying so;
// - a worker that dies (signal, abort, exit) while holding URLs: the worker
//   is replaced and its URLs are leased again, up to `max_retries` more
//   times; then the record says "worker_crashed: worker killed by signal 9
//   (Killed) ...". Nothing already written is lost and the job goes on.
//
// Interrupts: the first SIGINT/SIGTERM stops leasing new URLs and waits up to
// interrupt_grace_s for the ones in flight (their records are written; those
// still running then are abandoned without a record); a second one ends the
// process at once (interrupts.h).
//
// Messages (a dead worker, a signal) go to options.logger, progress to
// options.progress_listener.
//
// Thread-safety: Run() must be called from a single-threaded process (it
// forks workers at any time; see mp/process.h).
#ifndef CRAWLER_COORDINATOR_FETCH_JOB_H_
#define CRAWLER_COORDINATOR_FETCH_JOB_H_

#include <array>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>

#include "crawler/base/status.h"
#include "crawler/coordinator/progress.h"
#include "crawler/coordinator/worker_launcher.h"
#include "crawler/log/logger.h"
#include "crawler/mp/shared_stats.h"
#include "crawler/output/record_writer.h"

namespace crawler::coordinator {

struct FetchJobOptions {
  // Worker processes; 0 means one per online CPU.
  int workers = 0;
  // URLs in flight per worker (its libcurl multi concurrency).
  int concurrency = 16;
  // Write records in input order instead of completion order.
  bool ordered = false;
  // Extra attempts for a URL whose worker died while holding it.
  int max_retries = 2;
  // A worker holding one URL for longer than this (milliseconds) is taken to
  // be hung, killed and replaced like a crashed one; < 0 disables. The CLI
  // sets it to the transfer timeout plus 10 s.
  int64_t lease_timeout_ms = -1;
  // Worker replacements allowed in one job before giving up on a slot.
  int max_worker_restarts = 100;
  // Show progress on stderr even when it is not a terminal (--progress).
  // Read by the CLI, which gives a progress_listener; the job prints none.
  bool progress = false;
  // Told of the job's progress every progress_interval_s seconds and once at
  // the end (not owned; must outlive the run); may be null.
  ProgressListener* progress_listener = nullptr;
  // Seconds between two reports to progress_listener.
  double progress_interval_s = 1.0;
  // Where messages go (not owned; must outlive the run); null:
  // log::DefaultLogger(), stderr at info level.
  log::Logger* logger = nullptr;
  // After SIGINT/SIGTERM, seconds the URLs in flight get to finish before
  // they are abandoned (no record) and the job ends; 0: none.
  double interrupt_grace_s = 5.0;
  // The job "finished with too many errors" (FetchJobSummary::
  // error_rate_exceeded) when more than this fraction of its records have
  // an error; < 0: never.
  double max_error_rate = -1;
  // Live statistics updated by the workers (see worker.h), shown in the
  // progress line; may be null.
  const mp::SharedStats* stats = nullptr;
};

// One URL per line; blank lines and lines starting with '#' are skipped,
// surrounding whitespace is trimmed.
class UrlSource {
 public:
  virtual ~UrlSource() = default;
  // Next URL, or false at the end.
  virtual bool Next(std::string* url) = 0;
};

// Reads lines from a FILE* (not owned), lazily: a million-line input is never
// held in memory.
class FileUrlSource : public UrlSource {
 public:
  explicit FileUrlSource(std::FILE* file) : file_(file) {}
  bool Next(std::string* url) override;

 private:
  std::FILE* file_;
};

// A fixed list (command-line arguments).
class ListUrlSource : public UrlSource {
 public:
  explicit ListUrlSource(std::vector<std::string> urls)
      : urls_(std::move(urls)) {}
  bool Next(std::string* url) override;

 private:
  std::vector<std::string> urls_;
  size_t next_ = 0;
};

// Reads the sources one after another.
class ChainUrlSource : public UrlSource {
 public:
  explicit ChainUrlSource(std::vector<UrlSource*> sources)
      : sources_(std::move(sources)) {}
  bool Next(std::string* url) override;

 private:
  std::vector<UrlSource*> sources_;
  size_t current_ = 0;
};

struct FetchJobSummary {
  uint64_t urls = 0;    // Records written.
  uint64_t ok = 0;      // Records without an error.
  uint64_t errors = 0;  // Records with an error.
  uint64_t bytes = 0;   // Body bytes received.
  // Records by the class of their HTTP status: [1] to [5] count 1xx to
  // 5xx, [0] the records without an answer.
  std::array<uint64_t, 6> status_classes{};
  // The errors by class ("timeout", "bad_url"...).
  std::map<std::string, uint64_t> error_classes;
  uint64_t worker_restarts = 0;  // Workers replaced after dying.
  double seconds = 0;
  int interrupted_by = 0;  // Signal that stopped the job, or 0.
  // URLs in flight abandoned when the grace period after a signal ran out.
  uint64_t abandoned = 0;
  // errors / urls (0 without records), and whether it is above
  // FetchJobOptions::max_error_rate.
  double error_rate = 0;
  bool error_rate_exceeded = false;
};

// The workers' live statistics as ", 12.3 MB received, 456 pages parsed
// (0.61 ms each)" for progress lines; "" when `stats` is null.
std::string WorkerStatsLine(const mp::SharedStats* stats);

// Runs the job. Fails only when the job itself cannot go on (no worker can be
// started, the output cannot be written); per-URL failures are records.
StatusOr<FetchJobSummary> RunFetchJob(const FetchJobOptions& options,
                                      UrlSource& input,
                                      output::RecordWriter& writer,
                                      WorkerLauncher& launcher);

}  // namespace crawler::coordinator

#endif  // CRAWLER_COORDINATOR_FETCH_JOB_H_
