#include "crawler/state/state_store.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>
#include <utility>
#include <vector>

#include "crawler/mp/fork_guard.h"
#include "crawler/state/links.h"

namespace crawler::state {
namespace {

// 2: urls.links (the fingerprints of a parsed page's links; NULL: not known
// yet) and urls.unlinked (vanished URLs).
// 3: urls keyed by the URL's 64-bit fingerprint (urls.id, LinkFingerprint
// as a signed integer: the seen-set's), not by its text: SQLite's B-tree
// search compared URL texts sharing long prefixes, half of the writer
// thread's CPU. Two URLs with one fingerprint share a row, as they share
// the seen-set's slot (the crawl never fetches the second).
// Versions 1 and 2 are migrated in place.
constexpr int kSchemaVersion = 3;

// Version 1 -> 2, in one transaction.
constexpr const char* kMigrate1To2 = R"sql(
BEGIN IMMEDIATE;
ALTER TABLE urls ADD COLUMN links BLOB;
ALTER TABLE urls ADD COLUMN unlinked INTEGER NOT NULL DEFAULT 0;
UPDATE meta SET value='2' WHERE key='schema_version';
COMMIT;
)sql";

// The columns of urls (version 3).
constexpr const char* kUrlsColumns =
    "id INTEGER PRIMARY KEY, "
    "url TEXT NOT NULL, "
    "depth INTEGER NOT NULL, "
    "referrer TEXT NOT NULL DEFAULT '', "
    "queued INTEGER NOT NULL, "
    "status INTEGER NOT NULL DEFAULT 0, "
    "error_class TEXT NOT NULL DEFAULT '', "
    "first_fetch INTEGER NOT NULL DEFAULT 0, "
    "last_fetch INTEGER NOT NULL DEFAULT 0, "
    "ok_status INTEGER NOT NULL DEFAULT 0, "
    "content_hash TEXT NOT NULL DEFAULT '', "
    "etag TEXT NOT NULL DEFAULT '', "
    "last_modified TEXT NOT NULL DEFAULT '', "
    "interval_s REAL NOT NULL DEFAULT 0, "
    "next_due INTEGER NOT NULL DEFAULT 0, "
    "last_change TEXT NOT NULL DEFAULT '', "
    "last_run INTEGER NOT NULL DEFAULT 0, "
    "links BLOB, "
    "unlinked INTEGER NOT NULL DEFAULT 0";

// Version 2 -> 3, in one transaction. crawler_fp() is the key (Key()),
// registered on the connection by Init.
std::string Migrate2To3() {
  constexpr const char* kColumns =
      "url, depth, referrer, queued, status, error_class, first_fetch, "
      "last_fetch, ok_status, content_hash, etag, last_modified, interval_s, "
      "next_due, last_change, last_run, links, unlinked";
  return std::string("BEGIN IMMEDIATE; CREATE TABLE urls_v3(") + kUrlsColumns +
         "); INSERT OR REPLACE INTO urls_v3(id, " + kColumns +
         ") SELECT crawler_fp(url), " + kColumns +
         " FROM urls; DROP TABLE urls; ALTER TABLE urls_v3 RENAME TO urls; "
         "UPDATE meta SET value='3' WHERE key='schema_version'; COMMIT;";
}

std::string Schema() {
  return std::string(
             "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value "
             "TEXT NOT NULL); CREATE TABLE IF NOT EXISTS urls(") +
         kUrlsColumns + R"sql();
CREATE TABLE IF NOT EXISTS runs(
  id INTEGER PRIMARY KEY,
  started INTEGER NOT NULL,
  ended INTEGER NOT NULL DEFAULT 0,
  stop_reason TEXT NOT NULL DEFAULT '',
  exit_code INTEGER NOT NULL DEFAULT -1,
  output_path TEXT NOT NULL DEFAULT '',
  output_offset INTEGER NOT NULL DEFAULT 0,
  counts TEXT NOT NULL DEFAULT ''
);
)sql";
}

// The key of a URL's row (version 3): its link fingerprint as SQLite's
// signed 64-bit integer.
int64_t Key(std::string_view url) {
  return static_cast<int64_t>(LinkFingerprint(url));
}

// "key=value key=value": the run's counts, readable with sqlite3 too.
std::string EncodeCounts(const std::map<std::string, int64_t>& counts) {
  std::string out;
  for (const auto& [k, v] : counts) {
    if (!out.empty()) out += ' ';
    out += k + "=" + std::to_string(v);
  }
  return out;
}

std::map<std::string, int64_t> DecodeCounts(const std::string& text) {
  std::map<std::string, int64_t> out;
  std::istringstream in(text);
  std::string item;
  while (in >> item) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos) continue;
    out[item.substr(0, eq)] = std::strtoll(item.c_str() + eq + 1, nullptr, 10);
  }
  return out;
}

std::string Text(sqlite3_stmt* s, int col) {
  const unsigned char* t = sqlite3_column_text(s, col);
  return t == nullptr ? std::string()
                      : std::string(reinterpret_cast<const char*>(t),
                                    sqlite3_column_bytes(s, col));
}

// The columns ReadRunRow reads, in its order.
constexpr const char* kSelectRuns =
    "SELECT id, started, ended, stop_reason, exit_code, output_path, "
    "output_offset, counts FROM runs";

RunInfo ReadRunRow(sqlite3_stmt* s) {
  RunInfo r;
  r.id = sqlite3_column_int64(s, 0);
  r.started_ms = sqlite3_column_int64(s, 1);
  r.ended_ms = sqlite3_column_int64(s, 2);
  r.stop_reason = Text(s, 3);
  r.exit_code = sqlite3_column_int(s, 4);
  r.output_path = Text(s, 5);
  r.output_offset = sqlite3_column_int64(s, 6);
  r.counts = DecodeCounts(Text(s, 7));
  return r;
}

class Statement {
 public:
  Statement() = default;
  ~Statement() { Finalize(); }
  void Finalize() {
    sqlite3_finalize(stmt_);
    stmt_ = nullptr;
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  sqlite3_stmt** out() { return &stmt_; }
  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

// Lock files this process holds (device, inode). A POSIX record lock is
// per process: a second open of the same state in this process would get
// it again, and closing that second descriptor would drop the first's lock.
std::mutex held_mu;
std::set<std::pair<dev_t, ino_t>>& HeldLocks() {
  static auto* held = new std::set<std::pair<dev_t, ino_t>>();
  return *held;
}

class SqliteStateStore : public StateStore, public mp::ForkGuard {
 public:
  SqliteStateStore(std::string dir, int lock_fd, std::pair<dev_t, ino_t> id)
      : dir_(std::move(dir)), lock_fd_(lock_fd), lock_id_(id) {}
  ~SqliteStateStore() override {
    // Batches handed over by Commit() are committed first; calls after the
    // last Commit() are lost, as when the process is killed.
    mp::UnregisterForkGuard(this);
    StopWriter();
    if (in_txn_) Exec("ROLLBACK");
    queue_.Finalize();
    fetched_.Finalize();
    fetched_update_.Finalize();
    offset_.Finalize();
    sqlite3_close(db_);
    close(lock_fd_);  // Releases the lock.
    std::lock_guard<std::mutex> l(held_mu);
    HeldLocks().erase(lock_id_);
  }

  Status Init();

  // mp::ForkGuard: the writer thread stops while the coordinator forks a
  // worker (a batch handed over is committed first; the calls after it
  // wait for the new thread).
  void StopThreadsForFork() override { StopWriter(); }
  void RestartThreadsAfterFork() override { StartWriter(); }

  const std::string& dir() const override { return dir_; }
  const std::optional<RunInfo>& last_run() const override { return last_; }
  int64_t queued_urls() const override { return queued_urls_; }

  StatusOr<int64_t> BeginRun(int64_t now_ms, const std::string& output_path,
                             int64_t output_offset) override;
  Status ForEachUrl(const std::function<void(KnownUrl&&)>& fn) override;
  Status Queue(const std::string& url, int depth,
               const std::string& referrer) override;
  Status Fetched(const FetchedUrl& f) override;
  StatusOr<WalkResult> Vanish(
      const std::vector<std::string>& roots,
      const std::function<Status(const std::string&, int, const std::string&)>&
          on_vanished) override;
  Status Commit(int64_t output_offset) override;
  Status EndRun(int64_t now_ms, const std::string& stop_reason, int exit_code,
                const std::map<std::string, int64_t>& counts,
                int64_t output_offset) override;

 private:
  // The writes handed to the writer thread are appended to one byte log
  // (OpLog), not kept as objects: a record costs the caller a copy into a
  // buffer that is reused, and no allocation the writer thread would free
  // (glibc's arenas made those frees cost the caller as much as SQLite's
  // work; perf).
  class OpLog;
  // When this many calls wait for the writer, it applies them (in the open
  // transaction, uncommitted) and the caller waits until it has: a stalled
  // disk must not fill the memory.
  static constexpr size_t kMaxWaiting = 200000;
  // The writer applies the calls as they come, this many at a time, so
  // that little is left to do when the caller waits for it (Sync).
  static constexpr size_t kWakeEvery = 256;

  // The writer thread: applies each batch ending in a Commit() call.
  void WriterLoop();
  void StartWriter();
  void StopWriter();
  Status Apply(const std::string& log);
  // Appends one call to pending_ with `write` (OpLog's Put* functions).
  template <typename Write>
  Status Hand(bool commit, Write write);
  // Waits until the writer is idle, then applies what is left on this
  // thread (uncommitted) and returns the first failure of any write. After
  // it, this thread may use db_ until its next Queue/Fetched/Commit call.
  Status Sync();
  Status DoQueue(std::string_view url, int depth, std::string_view referrer);
  struct FetchedView;
  Status DoFetched(const FetchedView& f);
  void BindFetched(sqlite3_stmt* s, const FetchedView& f);
  Status DoCommit(int64_t output_offset);

  Status Error(const std::string& what) const {
    return InternalError("state " + db_path_ + ": " + what + ": " +
                         sqlite3_errmsg(db_) +
                         " (is the disk full? the state directory is "
                         "unchanged up to the last commit)");
  }
  Status Exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string m = err != nullptr ? err : "error";
      sqlite3_free(err);
      return InternalError("state " + db_path_ + ": " + m);
    }
    return Status::Ok();
  }
  Status Prepare(const char* sql, Statement* s) {
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, s->out(),
                           nullptr) != SQLITE_OK) {
      return Error("preparing a statement");
    }
    return Status::Ok();
  }
  Status Begin() {
    if (in_txn_) return Status::Ok();
    RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    in_txn_ = true;
    return Status::Ok();
  }
  Status Step(sqlite3_stmt* s, const char* what) {
    const int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) return Error(what);
    return Status::Ok();
  }

  std::string dir_;
  std::string db_path_;
  int lock_fd_ = -1;
  std::pair<dev_t, ino_t> lock_id_;
  sqlite3* db_ = nullptr;
  std::optional<RunInfo> last_;
  int64_t queued_urls_ = 0;
  int64_t run_id_ = 0;
  bool in_txn_ = false;
  // Guards the fields below; cv_ tells the writer about work and the
  // caller about an idle writer.
  std::mutex mu_;
  std::condition_variable cv_;
  std::string pending_;          // OpLog of the calls not taken yet.
  size_t pending_calls_ = 0;     // ... how many.
  bool commit_waiting_ = false;  // ... one of them is a Commit().
  bool writing_ = false;         // The writer holds a batch.
  bool stop_ = false;
  Status error_;  // The first failure of a write; every later call fails.
  std::thread writer_;
  // Frames in the WAL after the last commit (sqlite3_wal_hook), and when
  // the writer checkpoints. Used with db_.
  int wal_frames_ = 0;
  int checkpoint_frames_ = 8192;
  Statement queue_;
  Statement fetched_;
  Statement fetched_update_;
  Statement offset_;
};

Status SqliteStateStore::Init() {
  db_path_ = dir_ + "/state.db";
  if (sqlite3_open_v2(
          db_path_.c_str(), &db_,
          SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
          nullptr) != SQLITE_OK) {
    return InvalidArgumentError(
        "state " + db_path_ + ": cannot open: " +
        (db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory"));
  }
  sqlite3_busy_timeout(db_, 5000);
  // No checkpoint when the store closes: copying the WAL into state.db and
  // syncing it took 30-40 ms at the end of a 19,000-page crawl, with every
  // worker idle. The WAL (state.db-wal, part of the state) is checkpointed
  // by the writer thread of the next run instead (WriterLoop).
  sqlite3_db_config(db_, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  // WAL: a commit appends to the log instead of rewriting pages, and
  // synchronous=NORMAL syncs only at checkpoints: a killed process loses
  // nothing committed (only a power loss may lose the last commits).
  // 16 KiB pages for a new state (an existing one keeps its own): rows of
  // 500-600 bytes (a URL, its referrer, 30-odd link fingerprints) fill
  // 4 KiB pages after a few inserts, and every split costs; state_bench
  // wrote a URL in 15 % less CPU (9.6 -> 8.1 us).
  RETURN_IF_ERROR(Exec("PRAGMA page_size=16384"));
  RETURN_IF_ERROR(Exec("PRAGMA journal_mode=WAL"));
  RETURN_IF_ERROR(Exec("PRAGMA synchronous=NORMAL"));
  // Only checkpoints sync the disk in that mode, and each one takes
  // milliseconds (4.4 ms per fdatasync measured on the benchmark machine,
  // 59 of them in a 19,000-page crawl at SQLite's default of one
  // checkpoint per 1,000 WAL pages): checkpoint every 32 MiB of WAL
  // instead (2,048 pages of 16 KiB), on the writer thread.
  int page_size = 4096;
  {
    Statement s;
    RETURN_IF_ERROR(Prepare("PRAGMA page_size", &s));
    if (sqlite3_step(s.get()) == SQLITE_ROW) {
      page_size = std::max(512, sqlite3_column_int(s.get(), 0));
    }
  }
  checkpoint_frames_ = (32 << 20) / page_size;
  // The writer thread checkpoints (WriterLoop), never a commit of the
  // coordinator's thread; a checkpoint leaves the WAL file at most 64 MiB.
  sqlite3_wal_autocheckpoint(db_, 0);
  sqlite3_wal_hook(
      db_,
      [](void* self, sqlite3*, const char*, int frames) {
        static_cast<SqliteStateStore*>(self)->wal_frames_ = frames;
        return SQLITE_OK;
      },
      this);
  RETURN_IF_ERROR(Exec("PRAGMA journal_size_limit=67108864"));
  // A run's batch touches most of the table's pages (URLs come in no key
  // order). With SQLite's default 2 MB cache, a state of 20,000 URLs
  // (12 MB) spilled dirty pages to the WAL in the middle of a transaction
  // and read them back (strace -f -c of a 19,001-page crawl, slowed to 33 s
  // by strace: 103,774 pwrite64 and 72,886 pread64; with this cache 56,765
  // and 6,564). Up to 64 MiB, allocated as used, keeps it in memory.
  RETURN_IF_ERROR(Exec("PRAGMA cache_size=-65536"));
  Status schema = Exec(Schema().c_str());
  if (!schema.ok()) {
    return InvalidArgumentError(schema.message() +
                                " (not a crawler state database? use an "
                                "empty directory for --state)");
  }
  {
    Statement s;
    RETURN_IF_ERROR(
        Prepare("SELECT value FROM meta WHERE key='schema_version'", &s));
    if (sqlite3_step(s.get()) == SQLITE_ROW) {
      int version = sqlite3_column_int(s.get(), 0);
      s.Finalize();
      if (version == 1 || version == 2) {
        // crawler_fp(url): the key of version 3.
        sqlite3_create_function_v2(
            db_, "crawler_fp", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
            [](sqlite3_context* c, int, sqlite3_value** v) {
              const unsigned char* t = sqlite3_value_text(v[0]);
              const int n = sqlite3_value_bytes(v[0]);
              sqlite3_result_int64(
                  c, Key(std::string_view(
                         t != nullptr ? reinterpret_cast<const char*>(t) : "",
                         static_cast<size_t>(n))));
            },
            nullptr, nullptr, nullptr);
      }
      const std::string migrate2 = Migrate2To3();
      for (const auto& [from, sql] :
           {std::pair<int, const char*>{1, kMigrate1To2},
            {2, migrate2.c_str()}}) {
        if (version != from) continue;
        Status migrated = Exec(sql);
        if (!migrated.ok()) {
          (void)Exec("ROLLBACK");
          return InternalError(
              migrated.message() +
              " (migrating the state from schema version " +
              std::to_string(from) + " to " + std::to_string(from + 1) +
              "; it is as version " + std::to_string(from) + " left it)");
        }
        version = from + 1;
      }
      if (version != kSchemaVersion) {
        return InvalidArgumentError(
            "state " + db_path_ + ": schema version " +
            std::to_string(version) + ", this crawler reads version " +
            std::to_string(kSchemaVersion) + "; use another --state directory");
      }
    } else {
      RETURN_IF_ERROR(
          Exec("INSERT INTO meta(key, value) VALUES('schema_version', '3')"));
    }
  }
  {
    Statement s;
    RETURN_IF_ERROR(Prepare(
        (std::string(kSelectRuns) + " ORDER BY id DESC LIMIT 1").c_str(), &s));
    if (sqlite3_step(s.get()) == SQLITE_ROW) last_ = ReadRunRow(s.get());
  }
  {
    Statement s;
    RETURN_IF_ERROR(Prepare("SELECT count(*) FROM urls WHERE queued=1", &s));
    if (sqlite3_step(s.get()) == SQLITE_ROW) {
      queued_urls_ = sqlite3_column_int64(s.get(), 0);
    }
  }
  RETURN_IF_ERROR(
      Prepare("INSERT INTO urls(id, url, depth, referrer, queued) "
              "VALUES(?4, ?1, ?2, ?3, 1) "
              "ON CONFLICT(id) DO UPDATE SET queued=1, depth=?2, referrer=?3",
              &queue_));
  RETURN_IF_ERROR(Prepare(
      "INSERT INTO urls(id, url, depth, referrer, queued, status, "
      "error_class, first_fetch, last_fetch, ok_status, content_hash, etag, "
      "last_modified, interval_s, next_due, last_change, last_run, links) "
      "VALUES(?16, ?1, ?2, ?3, 0, ?4, ?5, ?6, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
      "?13, ?14, ?15) ON CONFLICT(id) DO UPDATE SET queued=0, status=?4, "
      "error_class=?5, first_fetch=CASE WHEN first_fetch=0 THEN ?6 ELSE "
      "first_fetch END, last_fetch=?6, ok_status=?7, content_hash=?8, "
      "etag=?9, last_modified=?10, interval_s=?11, next_due=?12, "
      "last_change=?13, last_run=?14, links=CASE WHEN ?15 IS NULL THEN links "
      "ELSE ?15 END, unlinked=0",
      &fetched_));
  // The same for a row that exists (nearly always: queued first): one
  // B-tree search instead of the upsert's two.
  RETURN_IF_ERROR(Prepare(
      "UPDATE urls SET queued=0, status=?4, error_class=?5, "
      "first_fetch=CASE WHEN first_fetch=0 THEN ?6 ELSE first_fetch END, "
      "last_fetch=?6, ok_status=?7, content_hash=?8, etag=?9, "
      "last_modified=?10, interval_s=?11, next_due=?12, last_change=?13, "
      "last_run=?14, links=CASE WHEN ?15 IS NULL THEN links ELSE ?15 END, "
      "unlinked=0 WHERE id=?16",
      &fetched_update_));
  RETURN_IF_ERROR(
      Prepare("UPDATE runs SET output_offset=?1 WHERE id=?2", &offset_));
  StartWriter();
  mp::RegisterForkGuard(this);
  return Status::Ok();
}

void SqliteStateStore::StartWriter() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = false;
  }
  writer_ = std::thread([this] { WriterLoop(); });
}

void SqliteStateStore::StopWriter() {
  if (!writer_.joinable()) return;
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  writer_.join();
}

StatusOr<int64_t> SqliteStateStore::BeginRun(int64_t now_ms,
                                             const std::string& output_path,
                                             int64_t output_offset) {
  if (run_id_ != 0) return FailedPreconditionError("a run was already begun");
  RETURN_IF_ERROR(Sync());
  Statement s;
  RETURN_IF_ERROR(
      Prepare("INSERT INTO runs(started, output_path, output_offset) "
              "VALUES(?1, ?2, ?3)",
              &s));
  sqlite3_bind_int64(s.get(), 1, now_ms);
  sqlite3_bind_text(s.get(), 2, output_path.data(),
                    static_cast<int>(output_path.size()), SQLITE_TRANSIENT);
  sqlite3_bind_int64(s.get(), 3, std::max<int64_t>(output_offset, 0));
  if (sqlite3_step(s.get()) != SQLITE_DONE) return Error("starting a run");
  run_id_ = sqlite3_last_insert_rowid(db_);
  return run_id_;
}

Status SqliteStateStore::ForEachUrl(const std::function<void(KnownUrl&&)>& fn) {
  RETURN_IF_ERROR(Sync());
  Statement s;
  RETURN_IF_ERROR(Prepare(
      "SELECT url, depth, referrer, queued, ok_status, content_hash, etag, "
      "last_modified, interval_s, last_fetch, next_due, links IS NOT NULL, "
      "unlinked FROM urls",
      &s));
  int rc;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    KnownUrl k;
    k.url = Text(s.get(), 0);
    k.depth = sqlite3_column_int(s.get(), 1);
    k.referrer = Text(s.get(), 2);
    k.queued = sqlite3_column_int(s.get(), 3) != 0;
    k.previous.ok_status = sqlite3_column_int(s.get(), 4);
    k.previous.content_hash = Text(s.get(), 5);
    k.previous.etag = Text(s.get(), 6);
    k.previous.last_modified = Text(s.get(), 7);
    k.previous.interval_s = sqlite3_column_double(s.get(), 8);
    k.last_fetch_ms = sqlite3_column_int64(s.get(), 9);
    k.next_due_ms = sqlite3_column_int64(s.get(), 10);
    k.links_known = sqlite3_column_int(s.get(), 11) != 0;
    k.unlinked = sqlite3_column_int(s.get(), 12);
    fn(std::move(k));
  }
  if (rc != SQLITE_DONE) return Error("reading the URLs");
  return Status::Ok();
}

void BindText(sqlite3_stmt* s, int i, std::string_view v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
}

// What Fetched() keeps of a FetchedUrl, as read back from the log.
struct SqliteStateStore::FetchedView {
  std::string_view url, referrer, error_class, content_hash, etag,
      last_modified, links;
  int depth = 0, status = 0, ok_status = 0;
  int64_t fetch_ms = 0, next_due_ms = 0;
  double interval_s = 0;
  Change change = Change::kNone;
  enum : uint8_t { kKeepLinks, kSetLinks, kClearLinks } links_op = kKeepLinks;
};

// The byte log: each call is a tag byte, then its fields as raw bytes
// (native order: it never leaves the process) and strings as a length and
// the bytes.
class SqliteStateStore::OpLog {
 public:
  enum Tag : uint8_t { kQueue, kFetched, kCommit };

  static void PutQueue(std::string& log, const std::string& url, int depth,
                       const std::string& referrer) {
    log += static_cast<char>(kQueue);
    Put(log, depth);
    PutString(log, url);
    PutString(log, referrer);
  }
  static void PutFetched(std::string& log, const FetchedUrl& f) {
    log += static_cast<char>(kFetched);
    const Previous& p = f.verdict.next;
    Put(log, f.depth);
    Put(log, f.status);
    Put(log, p.ok_status);
    Put(log, f.fetch_ms);
    Put(log, f.next_due_ms);
    Put(log, p.interval_s);
    Put(log, static_cast<uint8_t>(f.verdict.change));
    const uint8_t links_op = f.links.has_value() ? FetchedView::kSetLinks
                             : f.verdict.change == Change::kGone
                                 ? FetchedView::kClearLinks
                                 : FetchedView::kKeepLinks;
    Put(log, links_op);
    for (const std::string* v : {&f.url, &f.referrer, &f.error_class,
                                 &p.content_hash, &p.etag, &p.last_modified}) {
      PutString(log, *v);
    }
    PutString(log, f.links.has_value() ? std::string_view(*f.links) : "");
  }
  static void PutCommit(std::string& log, int64_t offset) {
    log += static_cast<char>(kCommit);
    Put(log, offset);
  }

  explicit OpLog(const std::string& log) : log_(log) {}
  bool Done() const { return at_ >= log_.size(); }
  Tag NextTag() { return static_cast<Tag>(log_[at_++]); }
  void GetQueue(std::string_view* url, int* depth, std::string_view* ref) {
    Get(depth);
    *url = GetString();
    *ref = GetString();
  }
  void GetFetched(FetchedView* f) {
    Get(&f->depth);
    Get(&f->status);
    Get(&f->ok_status);
    Get(&f->fetch_ms);
    Get(&f->next_due_ms);
    Get(&f->interval_s);
    uint8_t change = 0, links_op = 0;
    Get(&change);
    Get(&links_op);
    f->change = static_cast<Change>(change);
    f->links_op = static_cast<decltype(f->links_op)>(links_op);
    for (std::string_view* v :
         {&f->url, &f->referrer, &f->error_class, &f->content_hash, &f->etag,
          &f->last_modified, &f->links}) {
      *v = GetString();
    }
  }
  int64_t GetCommit() {
    int64_t offset = 0;
    Get(&offset);
    return offset;
  }

 private:
  template <typename T>
  static void Put(std::string& log, T v) {
    log.append(reinterpret_cast<const char*>(&v), sizeof(v));
  }
  static void PutString(std::string& log, std::string_view v) {
    Put(log, static_cast<uint32_t>(v.size()));
    log.append(v.data(), v.size());
  }
  template <typename T>
  void Get(T* v) {
    std::memcpy(v, log_.data() + at_, sizeof(T));
    at_ += sizeof(T);
  }
  std::string_view GetString() {
    uint32_t n = 0;
    Get(&n);
    std::string_view v(log_.data() + at_, n);
    at_ += n;
    return v;
  }

  const std::string& log_;
  size_t at_ = 0;
};

template <typename Write>
Status SqliteStateStore::Hand(bool commit, Write write) {
  std::unique_lock<std::mutex> l(mu_);
  if (pending_calls_ >= kMaxWaiting) {
    // The writer applies them (without committing) before more come.
    cv_.notify_all();
    cv_.wait(l,
             [this] { return pending_calls_ < kMaxWaiting || !error_.ok(); });
  }
  if (!error_.ok()) return error_;
  write(pending_);
  ++pending_calls_;
  if (commit) commit_waiting_ = true;
  if (commit || pending_calls_ % kWakeEvery == 0) {
    l.unlock();
    cv_.notify_all();
  }
  return Status::Ok();
}

void SqliteStateStore::WriterLoop() {
  std::string batch;  // Swapped with pending_: both buffers are reused.
  while (true) {
    {
      std::unique_lock<std::mutex> l(mu_);
      writing_ = false;
      cv_.notify_all();
      cv_.wait(l, [this] {
        return stop_ || commit_waiting_ || pending_calls_ >= kWakeEvery;
      });
      if (stop_ && !commit_waiting_) {
        // What no Commit() handed over waits: for the next writer (after a
        // fork), or for the destructor's rollback (as if killed).
        return;
      }
      // Everything there is: applied in the open transaction, committed
      // by its kCommit (ops after the last one wait in that transaction
      // for the next).
      batch.clear();
      batch.swap(pending_);
      pending_calls_ = 0;
      commit_waiting_ = false;
      writing_ = true;
    }
    Status s = Apply(batch);
    if (s.ok() && !in_txn_ && wal_frames_ >= checkpoint_frames_) {
      // PASSIVE: copies what no reader (`crawler runs`) still needs, and
      // syncs the database; the next commit starts the WAL over.
      if (sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                    nullptr, nullptr) == SQLITE_OK) {
        wal_frames_ = 0;
      }
    }
    if (!s.ok()) {
      std::lock_guard<std::mutex> l(mu_);
      if (error_.ok()) error_ = s;
      pending_.clear();
      pending_calls_ = 0;
    }
  }
}

Status SqliteStateStore::Apply(const std::string& log) {
  OpLog in(log);
  while (!in.Done()) {
    switch (in.NextTag()) {
      case OpLog::kQueue: {
        std::string_view url, referrer;
        int depth = 0;
        in.GetQueue(&url, &depth, &referrer);
        RETURN_IF_ERROR(DoQueue(url, depth, referrer));
        break;
      }
      case OpLog::kFetched: {
        FetchedView f;
        in.GetFetched(&f);
        RETURN_IF_ERROR(DoFetched(f));
        break;
      }
      case OpLog::kCommit:
        RETURN_IF_ERROR(DoCommit(in.GetCommit()));
        break;
    }
  }
  return Status::Ok();
}

Status SqliteStateStore::Sync() {
  std::string rest;
  {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [this] { return !writing_ && !commit_waiting_; });
    if (!error_.ok()) return error_;
    rest.swap(pending_);
    pending_calls_ = 0;
  }
  // Nothing is waiting for the writer now, and only this thread hands it
  // work: db_ is this thread's.
  Status s = Apply(rest);
  if (!s.ok()) {
    std::lock_guard<std::mutex> l(mu_);
    if (error_.ok()) error_ = s;
  }
  return s;
}

Status SqliteStateStore::Queue(const std::string& url, int depth,
                               const std::string& referrer) {
  return Hand(false, [&](std::string& log) {
    OpLog::PutQueue(log, url, depth, referrer);
  });
}

Status SqliteStateStore::Fetched(const FetchedUrl& f) {
  return Hand(false, [&](std::string& log) { OpLog::PutFetched(log, f); });
}

Status SqliteStateStore::Commit(int64_t output_offset) {
  return Hand(true,
              [&](std::string& log) { OpLog::PutCommit(log, output_offset); });
}

Status SqliteStateStore::DoQueue(std::string_view url, int depth,
                                 std::string_view referrer) {
  RETURN_IF_ERROR(Begin());
  sqlite3_stmt* s = queue_.get();
  BindText(s, 1, url);
  sqlite3_bind_int(s, 2, depth);
  BindText(s, 3, referrer);
  sqlite3_bind_int64(s, 4, Key(url));
  return Step(s, "queueing a URL");
}

Status SqliteStateStore::DoFetched(const FetchedView& f) {
  RETURN_IF_ERROR(Begin());
  BindFetched(fetched_update_.get(), f);
  RETURN_IF_ERROR(Step(fetched_update_.get(), "recording a URL"));
  if (sqlite3_changes(db_) > 0) return Status::Ok();
  BindFetched(fetched_.get(), f);
  return Step(fetched_.get(), "recording a URL");
}

void SqliteStateStore::BindFetched(sqlite3_stmt* s, const FetchedView& f) {
  BindText(s, 1, f.url);
  sqlite3_bind_int(s, 2, f.depth);
  BindText(s, 3, f.referrer);
  sqlite3_bind_int(s, 4, f.status);
  BindText(s, 5, f.error_class);
  sqlite3_bind_int64(s, 6, f.fetch_ms);
  sqlite3_bind_int(s, 7, f.ok_status);
  BindText(s, 8, f.content_hash);
  BindText(s, 9, f.etag);
  BindText(s, 10, f.last_modified);
  sqlite3_bind_double(s, 11, f.interval_s);
  sqlite3_bind_int64(s, 12, f.next_due_ms);
  BindText(s, 13, ChangeName(f.change));
  sqlite3_bind_int64(s, 14, run_id_);
  sqlite3_bind_int64(s, 16, Key(f.url));
  if (f.links_op == FetchedView::kSetLinks) {
    // Zero bytes bind as an empty BLOB, not as NULL ("no links").
    sqlite3_bind_blob(s, 15, f.links.empty() ? "" : f.links.data(),
                      static_cast<int>(f.links.size()), SQLITE_STATIC);
  } else if (f.links_op == FetchedView::kClearLinks) {
    sqlite3_bind_blob(s, 15, "", 0, SQLITE_STATIC);
  }
}

StatusOr<WalkResult> SqliteStateStore::Vanish(
    const std::vector<std::string>& roots,
    const std::function<Status(const std::string&, int, const std::string&)>&
        on_vanished) {
  RETURN_IF_ERROR(Sync());
  RETURN_IF_ERROR(Begin());
  // Every URL in one pass (this run's batch included: same connection).
  struct Row {
    int64_t id;
    std::string url;
    int ok_status;
    int64_t last_run;
    int unlinked;
    bool queued;
    bool links_known;
  };
  std::vector<Row> rows;
  std::vector<uint64_t> nodes;
  std::vector<std::string> links;
  {
    Statement s;
    RETURN_IF_ERROR(
        Prepare("SELECT id, url, ok_status, last_run, unlinked, queued, links "
                "FROM urls",
                &s));
    int rc;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
      Row r;
      r.id = sqlite3_column_int64(s.get(), 0);
      r.url = Text(s.get(), 1);
      r.ok_status = sqlite3_column_int(s.get(), 2);
      r.last_run = sqlite3_column_int64(s.get(), 3);
      r.unlinked = sqlite3_column_int(s.get(), 4);
      r.queued = sqlite3_column_int(s.get(), 5) != 0;
      r.links_known = sqlite3_column_type(s.get(), 6) != SQLITE_NULL;
      const void* blob = sqlite3_column_blob(s.get(), 6);
      const int bytes = sqlite3_column_bytes(s.get(), 6);
      links.emplace_back(blob != nullptr
                             ? std::string(static_cast<const char*>(blob),
                                           static_cast<size_t>(bytes))
                             : std::string());
      nodes.push_back(static_cast<uint64_t>(r.id));  // LinkFingerprint(url).
      rows.push_back(std::move(r));
    }
    if (rc != SQLITE_DONE) return Error("reading the links");
  }
  std::vector<uint64_t> root_fps;
  root_fps.reserve(roots.size());
  for (const std::string& r : roots) root_fps.push_back(LinkFingerprint(r));
  const std::vector<char> reached = Reach(nodes, links, root_fps);
  links.clear();
  links.shrink_to_fit();
  WalkResult w;
  w.urls = static_cast<int64_t>(rows.size());
  auto has_content = [](const Row& r) {
    return r.ok_status >= 200 && r.ok_status < 400;
  };
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!reached[i]) continue;
    ++w.reached;
    if (has_content(rows[i]) && !rows[i].links_known) ++w.links_unknown;
  }
  if (w.links_unknown > 0) return w;
  w.walked = true;
  Statement relink, vanish, origin;
  RETURN_IF_ERROR(Prepare("UPDATE urls SET unlinked=?2 WHERE id=?1", &relink));
  // Depth and referrer, read only for the few rows that vanished.
  RETURN_IF_ERROR(
      Prepare("SELECT depth, referrer FROM urls WHERE id=?1", &origin));
  RETURN_IF_ERROR(
      Prepare("UPDATE urls SET ok_status=0, content_hash='', etag='', "
              "last_modified='', links=X'', last_change='gone', unlinked=?2, "
              "last_run=?3, next_due=0 WHERE id=?1",
              &vanish));
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    if (reached[i]) {
      // Linked again (a vanished URL too, through a page not parsed
      // since): loaded as usual by the next run; a vanished one is due.
      if (r.unlinked != KnownUrl::kLinked) {
        sqlite3_bind_int64(relink.get(), 1, r.id);
        sqlite3_bind_int(relink.get(), 2, KnownUrl::kLinked);
        RETURN_IF_ERROR(Step(relink.get(), "marking a URL linked"));
      }
      continue;
    }
    if (!has_content(r) || r.queued) continue;
    if (r.last_run == run_id_) {
      ++w.unreached_recorded;
      if (r.unlinked != KnownUrl::kUnreached) {
        sqlite3_bind_int64(relink.get(), 1, r.id);
        sqlite3_bind_int(relink.get(), 2, KnownUrl::kUnreached);
        RETURN_IF_ERROR(Step(relink.get(), "marking a URL unreached"));
      }
      continue;
    }
    sqlite3_bind_int64(origin.get(), 1, r.id);
    int depth = 0;
    std::string referrer;
    const int found = sqlite3_step(origin.get());
    if (found == SQLITE_ROW) {
      depth = sqlite3_column_int(origin.get(), 0);
      referrer = Text(origin.get(), 1);
    }
    sqlite3_reset(origin.get());
    if (found != SQLITE_ROW && found != SQLITE_DONE) {
      return Error("reading a vanished URL");
    }
    RETURN_IF_ERROR(on_vanished(r.url, depth, referrer));
    sqlite3_bind_int64(vanish.get(), 1, r.id);
    sqlite3_bind_int(vanish.get(), 2, KnownUrl::kVanished);
    sqlite3_bind_int64(vanish.get(), 3, run_id_);
    RETURN_IF_ERROR(Step(vanish.get(), "marking a URL vanished"));
    ++w.vanished;
  }
  return w;
}

Status SqliteStateStore::DoCommit(int64_t output_offset) {
  RETURN_IF_ERROR(Begin());
  sqlite3_stmt* s = offset_.get();
  sqlite3_bind_int64(s, 1, output_offset);
  sqlite3_bind_int64(s, 2, run_id_);
  RETURN_IF_ERROR(Step(s, "recording the output offset"));
  in_txn_ = false;
  return Exec("COMMIT");
}

Status SqliteStateStore::EndRun(int64_t now_ms, const std::string& stop_reason,
                                int exit_code,
                                const std::map<std::string, int64_t>& counts,
                                int64_t output_offset) {
  // After a failed write, nothing more is committed: the run stays open,
  // as if killed, and the next one resumes from the last commit.
  RETURN_IF_ERROR(Sync());
  RETURN_IF_ERROR(Begin());
  Statement s;
  RETURN_IF_ERROR(Prepare(
      "UPDATE runs SET ended=?1, stop_reason=?2, exit_code=?3, counts=?4, "
      "output_offset=?5 WHERE id=?6",
      &s));
  sqlite3_bind_int64(s.get(), 1, now_ms);
  BindText(s.get(), 2, stop_reason);
  sqlite3_bind_int(s.get(), 3, exit_code);
  const std::string c = EncodeCounts(counts);
  BindText(s.get(), 4, c);
  sqlite3_bind_int64(s.get(), 5, output_offset);
  sqlite3_bind_int64(s.get(), 6, run_id_);
  RETURN_IF_ERROR(Step(s.get(), "ending the run"));
  in_txn_ = false;
  return Exec("COMMIT");
}

}  // namespace

StatusOr<std::unique_ptr<StateStore>> OpenStateStore(const std::string& dir) {
  if (dir.empty()) return InvalidArgumentError("--state: empty directory");
  if (mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST) {
    return InvalidArgumentError("--state " + dir +
                                ": cannot create: " + std::strerror(errno));
  }
  struct stat st;
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return InvalidArgumentError("--state " + dir + ": not a directory");
  }
  const std::string lock_path = dir + "/lock";
  const int fd = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0) {
    return InvalidArgumentError("--state " + dir + ": cannot open " +
                                lock_path + ": " + std::strerror(errno));
  }
  struct stat lock_st;
  if (fstat(fd, &lock_st) != 0) {
    close(fd);
    return InternalError("--state " + dir + ": fstat " + lock_path + ": " +
                         std::strerror(errno));
  }
  const std::pair<dev_t, ino_t> lock_id{lock_st.st_dev, lock_st.st_ino};
  {
    std::lock_guard<std::mutex> l(held_mu);
    if (!HeldLocks().insert(lock_id).second) {
      close(fd);
      return FailedPreconditionError(
          "state " + dir +
          " is in use by this process already; not opening "
          "it twice");
    }
  }
  struct flock lk {};
  lk.l_type = F_WRLCK;
  lk.l_whence = SEEK_SET;
  if (fcntl(fd, F_SETLK, &lk) != 0) {
    const int err = errno;
    struct flock who {};
    who.l_type = F_WRLCK;
    who.l_whence = SEEK_SET;
    std::string holder;
    if (fcntl(fd, F_GETLK, &who) == 0 && who.l_type != F_UNLCK) {
      holder = " by pid " + std::to_string(who.l_pid);
    }
    close(fd);
    {
      std::lock_guard<std::mutex> l(held_mu);
      HeldLocks().erase(lock_id);
    }
    if (err == EACCES || err == EAGAIN) {
      return FailedPreconditionError(
          "state " + dir + " is in use" + holder +
          " (another crawler run on the same state); not starting. Wait for "
          "it to end, or use another --state directory");
    }
    return InternalError("--state " + dir + ": locking " + lock_path + ": " +
                         std::strerror(err));
  }
  auto store = std::make_unique<SqliteStateStore>(dir, fd, lock_id);
  RETURN_IF_ERROR(store->Init());
  return std::unique_ptr<StateStore>(std::move(store));
}

std::optional<int64_t> OutputToKeep(const StateStore& store,
                                    const std::string& output_path) {
  const std::optional<RunInfo>& last = store.last_run();
  if (!last || output_path.empty() || last->output_path != output_path) {
    return std::nullopt;
  }
  return last->output_offset;
}

StatusOr<std::vector<RunInfo>> ReadRuns(const std::string& dir, int limit) {
  const std::string db_path = dir + "/state.db";
  struct stat st;
  if (stat(db_path.c_str(), &st) != 0) {
    return NotFoundError("no crawl state in " + dir + " (" + db_path + ": " +
                         std::strerror(errno) +
                         "); give the directory a crawl used with --state "
                         "or state.dir");
  }
  sqlite3* db = nullptr;
  // Read-only and without the lock: a run may be going on. WAL mode lets
  // a reader see the last committed transaction.
  const int rc =
      sqlite3_open_v2(db_path.c_str(), &db,
                      SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<sqlite3, int (*)(sqlite3*)> closer(db, sqlite3_close);
  if (rc != SQLITE_OK) {
    return InvalidArgumentError(
        "state " + db_path + ": cannot open: " +
        (db != nullptr ? sqlite3_errmsg(db) : "out of memory"));
  }
  sqlite3_busy_timeout(db, 5000);
  Statement s;
  std::string sql = std::string(kSelectRuns) + " ORDER BY id DESC";
  if (limit > 0) sql += " LIMIT " + std::to_string(limit);
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, s.out(), nullptr) != SQLITE_OK) {
    return InvalidArgumentError("state " + db_path + ": " + sqlite3_errmsg(db) +
                                " (not a crawler state database?)");
  }
  std::vector<RunInfo> runs;
  int step;
  while ((step = sqlite3_step(s.get())) == SQLITE_ROW) {
    runs.push_back(ReadRunRow(s.get()));
  }
  if (step != SQLITE_DONE) {
    return InternalError("state " + db_path +
                         ": reading runs: " + sqlite3_errmsg(db));
  }
  return runs;
}

std::optional<int> LockHolder(const std::string& dir) {
  const std::string lock_path = dir + "/lock";
  const int fd = open(lock_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct flock who {};
  who.l_type = F_WRLCK;
  who.l_whence = SEEK_SET;
  std::optional<int> pid;
  if (fcntl(fd, F_GETLK, &who) == 0 && who.l_type != F_UNLCK) {
    pid = static_cast<int>(who.l_pid);
  }
  close(fd);
  return pid;
}

}  // namespace crawler::state
