// StateStore: what a crawl remembers between runs (issue 6): every URL it
// accepted, whether it is still queued, what its last answer was, its
// validators, content hash and revisit schedule, and one row per run.
//
// A run uses it in this order:
//   BeginRun  -> ForEachUrl (load the frontier and the seen-set) ->
//   { Queue / Fetched ... Commit }* -> EndRun.
// Queue and Fetched are batched: they take effect together at the next
// Commit(), which also stores the byte offset the run's output had reached
// when those records were written. A process killed between two commits
// loses only the uncommitted batch, whose URLs are still queued in the
// state and are fetched again by the next run; the next run cuts the output
// file back to the committed offset first, so no record is written twice
// (OutputToKeep).
//
// Queue, Fetched and Commit do not wait for the disk: they hand the write
// to the store's own writer thread, which applies each batch and commits
// it, in order, in the background (a commit of a 20,000-URL state wrote
// 10-15 MB and kept the coordinator from its workers for 5-10 ms). A
// failure of the writer is returned by the next call, and by every call
// after it; nothing is committed after a failure (EndRun fails too, and
// the run stays open as if killed). The other calls wait for the writer
// to be idle first. The store never checkpoints its WAL on the caller's
// thread: the writer does, when the WAL passes 32 MiB, and the WAL left
// at the end of a run (state.db-wal, part of the state: copy the whole
// directory) is checkpointed by the next run's writer.
//
// The SQLite implementation (OpenStateStore) keeps the database in WAL
// mode in DIR/state.db and holds an exclusive lock on DIR/lock for as long
// as it is open: a second process opening the same DIR fails at once with
// kFailedPrecondition naming the holder's pid. The lock is a POSIX record
// lock (fcntl F_SETLK), which the kernel drops when its process dies, even
// by SIGKILL, and which forked worker processes do not inherit (a flock()
// lock would stay held by orphaned workers of a killed coordinator).
//
// Thread-safety: not thread-safe; one store per process, used by one
// thread (the coordinator's). The writer thread is an mp::ForkGuard: it
// stops while mp::Process forks (worker processes, the metrics server), so
// the process forks single-threaded. Forked children must not use it.
#ifndef CRAWLER_STATE_STATE_STORE_H_
#define CRAWLER_STATE_STATE_STORE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crawler/base/status.h"
#include "crawler/state/links.h"  // FetchedUrl::links.
#include "crawler/state/revisit.h"

namespace crawler::state {

// A URL as the state knows it, loaded at the start of a run.
struct KnownUrl {
  std::string url;  // Normalized.
  int depth = 0;
  std::string referrer;
  // Queued when the last run stopped (not fetched yet, or in flight).
  bool queued = false;
  // Its last answer with content, validators, hash and interval.
  Previous previous;
  int64_t last_fetch_ms = 0;  // Unix ms of the last attempt; 0: never.
  int64_t next_due_ms = 0;    // Unix ms when a re-crawl fetches it again.
  // Whether the state knows the links of its last parsed answer (false for
  // a URL never parsed, and for pages kept by a schema-1 state).
  bool links_known = false;
  // The last walk (Vanish) did not reach it: kUnreached, when that run
  // fetched it anyway (due again), kVanished, when it was reported
  // vanished. Either way a run fetches it again only when a link leads to
  // it.
  int unlinked = 0;
  static constexpr int kLinked = 0;
  static constexpr int kUnreached = 1;
  static constexpr int kVanished = 2;
};

// The outcome of one URL in this run, to remember.
struct FetchedUrl {
  std::string url;
  int depth = 0;
  std::string referrer;
  int status = 0;           // HTTP status; 0: none.
  std::string error_class;  // "" when fetched.
  int64_t fetch_ms = 0;     // Unix ms.
  Verdict verdict;          // Judge()'s: change, what to keep, when next.
  int64_t next_due_ms = 0;  // Unix ms.
  // The links of the answer (EncodeLinks in links.h): for a 2xx or 3xx
  // with content, the fingerprints of its links (a 3xx: its Location);
  // nullopt keeps the ones known (a 304, a failure). A kGone verdict
  // clears them.
  std::optional<std::string> links;
};

// The end-of-run walk (StateStore::Vanish).
struct WalkResult {
  // False when a URL the walk reached has content but links the state does
  // not know (a page kept by a schema-1 state, not parsed since): nothing
  // was marked then.
  bool walked = false;
  int64_t urls = 0;     // Known URLs.
  int64_t reached = 0;  // ... reached from the roots.
  // URLs with content before that the walk did not reach and this run did
  // not record: reported vanished now.
  int64_t vanished = 0;
  // Not reached either, but recorded by this run (due again, or resumed):
  // they keep their record; the next complete run that does not record
  // them reports them vanished.
  int64_t unreached_recorded = 0;
  int64_t links_unknown = 0;  // Reached URLs with content and unknown links.
};

// A run, as recorded.
struct RunInfo {
  int64_t id = 0;
  int64_t started_ms = 0;
  int64_t ended_ms = 0;  // 0: it never ended (killed, or still running).
  std::string stop_reason;
  int exit_code = -1;
  // The output file and the bytes of it that hold committed records.
  std::string output_path;
  int64_t output_offset = 0;
  // Its totals (pages, new, changed, unchanged, gone...), as given to
  // EndRun.
  std::map<std::string, int64_t> counts;
};

class StateStore {
 public:
  virtual ~StateStore() = default;

  // The state directory.
  virtual const std::string& dir() const = 0;
  // The newest run before this one; nullopt for a new state.
  virtual const std::optional<RunInfo>& last_run() const = 0;
  // URLs queued when the last run stopped.
  virtual int64_t queued_urls() const = 0;

  // Starts a run at `now_ms` whose records go to `output_path` ("" for
  // standard output), a file already `output_offset` bytes long (what is
  // there stays, even if the run is killed before its first commit);
  // returns its id. Fails if a run was already begun.
  virtual StatusOr<int64_t> BeginRun(int64_t now_ms,
                                     const std::string& output_path,
                                     int64_t output_offset = 0) = 0;
  // Calls `fn` once per known URL (in no particular order). Fails on a
  // database error.
  virtual Status ForEachUrl(const std::function<void(KnownUrl&&)>& fn) = 0;
  // The URL joined the frontier (batched).
  virtual Status Queue(const std::string& url, int depth,
                       const std::string& referrer) = 0;
  // The URL reached its terminal state in this run (batched): no longer
  // queued; its answer, verdict and next due time are kept.
  virtual Status Fetched(const FetchedUrl& fetched) = 0;
  // At the end of a run that reached everything it could (stop reason
  // "done"): walks from `roots` (normalized URLs: the seeds, and URLs that
  // sitemaps gave) over the links kept (FetchedUrl::links) and marks every
  // URL with content before (a 2xx or 3xx kept) that the walk does not
  // reach and that this run did not record: it is "vanished" (its change
  // "gone"), loses what was kept of its content, is not loaded into the
  // frontier by later runs unless a link leads to it again (a later walk
  // that reaches it makes it due: fetched by the next run), and
  // `on_vanished(url, depth, referrer)` is called for it first (the caller
  // writes its record). Batched, like Fetched. Not reported twice.
  virtual StatusOr<WalkResult> Vanish(
      const std::vector<std::string>& roots,
      const std::function<Status(const std::string& url, int depth,
                                 const std::string& referrer)>&
          on_vanished) = 0;
  // Ends the batch: the writer commits it, together with the output offset
  // reached, in the background (a process killed before that commit loses
  // the batch, as if killed before this call).
  virtual Status Commit(int64_t output_offset) = 0;
  // Ends the run (waits for the writer, and commits what is left). Does
  // not checkpoint the WAL.
  virtual Status EndRun(int64_t now_ms, const std::string& stop_reason,
                        int exit_code,
                        const std::map<std::string, int64_t>& counts,
                        int64_t output_offset) = 0;
};

// Opens (creating it and DIR if needed) the state in `dir` and locks it.
// Fails with kFailedPrecondition when another process holds the lock,
// kInvalidArgument when DIR is not a directory or the database is not one
// of ours, kInternal on other errors; each message names the path.
StatusOr<std::unique_ptr<StateStore>> OpenStateStore(const std::string& dir);

// The bytes of `output_path` to keep before a run appends to it: the last
// run's committed offset when it wrote to the same path, otherwise nullopt
// (keep everything). Both paths are compared as given.
std::optional<int64_t> OutputToKeep(const StateStore& store,
                                    const std::string& output_path);

// The runs recorded in the state in `dir`, newest first, at most `limit`
// of them (0: all). Opens the database read-only and does not take the
// lock, so it works while a run is going on (that run shows with
// ended_ms 0). Fails with kNotFound when DIR holds no state.db,
// kInvalidArgument when it is not one of ours.
StatusOr<std::vector<RunInfo>> ReadRuns(const std::string& dir, int limit = 0);

// The pid of the process holding the lock of the state in `dir` (a run in
// progress), or nullopt when none does. Does not take the lock.
std::optional<int> LockHolder(const std::string& dir);

}  // namespace crawler::state

#endif  // CRAWLER_STATE_STATE_STORE_H_
