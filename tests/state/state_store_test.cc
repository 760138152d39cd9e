// The SQLite state store: runs, batched commits, reload, the lock.
#include "crawler/state/state_store.h"

#include <doctest/doctest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <string>
#include <vector>

#include "crawler/testing/test_util.h"

namespace crawler::state {
namespace {

std::string NewDir(const std::string& name) {
  return crawler::testing::TempDir() + "/" + name;
}

std::map<std::string, KnownUrl> Load(StateStore& s) {
  std::map<std::string, KnownUrl> out;
  REQUIRE(s.ForEachUrl([&](KnownUrl&& k) { out[k.url] = std::move(k); }).ok());
  return out;
}

TEST_CASE("a new state has no run; queued and fetched URLs come back") {
  const std::string dir = NewDir("basic");
  {
    auto s = OpenStateStore(dir);
    REQUIRE_MESSAGE(s.ok(), s.status().ToString());
    CHECK(!(*s)->last_run().has_value());
    StatusOr<int64_t> run = (*s)->BeginRun(1000, "out.jsonl");
    REQUIRE(run.ok());
    CHECK(*run == 1);
    REQUIRE((*s)->Queue("http://a.test/", 0, "").ok());
    REQUIRE((*s)->Queue("http://a.test/x", 1, "http://a.test/").ok());
    FetchedUrl f;
    f.url = "http://a.test/";
    f.status = 200;
    f.fetch_ms = 2000;
    f.verdict.change = Change::kNew;
    f.verdict.next.ok_status = 200;
    f.verdict.next.content_hash = "sha1:AAAA";
    f.verdict.next.etag = "\"e1\"";
    f.verdict.next.interval_s = 86400;
    f.next_due_ms = 1000 + 86400000;
    REQUIRE((*s)->Fetched(f).ok());
    REQUIRE((*s)->Commit(123).ok());
    REQUIRE(
        (*s)->EndRun(3000, "done", 0, {{"pages", 1}, {"new", 1}}, 456).ok());
  }
  auto s = OpenStateStore(dir);
  REQUIRE(s.ok());
  const auto& last = (*s)->last_run();
  REQUIRE(last.has_value());
  CHECK(last->id == 1);
  CHECK(last->ended_ms == 3000);
  CHECK(last->stop_reason == "done");
  CHECK(last->output_path == "out.jsonl");
  CHECK(last->output_offset == 456);
  CHECK(last->counts.at("new") == 1);
  CHECK((*s)->queued_urls() == 1);
  CHECK(OutputToKeep(**s, "out.jsonl") == 456);
  CHECK(!OutputToKeep(**s, "other.jsonl").has_value());
  auto urls = Load(**s);
  REQUIRE(urls.size() == 2);
  const KnownUrl& root = urls.at("http://a.test/");
  CHECK(!root.queued);
  CHECK(root.previous.ok_status == 200);
  CHECK(root.previous.content_hash == "sha1:AAAA");
  CHECK(root.previous.etag == "\"e1\"");
  CHECK(root.previous.interval_s == 86400);
  CHECK(root.last_fetch_ms == 2000);
  CHECK(root.next_due_ms == 1000 + 86400000);
  const KnownUrl& x = urls.at("http://a.test/x");
  CHECK(x.queued);
  CHECK(x.depth == 1);
  CHECK(x.referrer == "http://a.test/");
  CHECK(x.previous.ok_status == 0);
}

TEST_CASE("what the output held before the first commit is kept") {
  const std::string dir = NewDir("preexisting");
  {
    auto s = OpenStateStore(dir);
    REQUIRE(s.ok());
    REQUIRE((*s)->BeginRun(1000, "old.jsonl", 5000).ok());
    // Killed before any commit.
  }
  auto s = OpenStateStore(dir);
  REQUIRE(s.ok());
  CHECK(OutputToKeep(**s, "old.jsonl") == 5000);
}

TEST_CASE("an uncommitted batch is lost as a whole; the run stays open") {
  const std::string dir = NewDir("uncommitted");
  {
    auto s = OpenStateStore(dir);
    REQUIRE(s.ok());
    REQUIRE((*s)->BeginRun(1000, "o").ok());
    REQUIRE((*s)->Queue("http://a.test/", 0, "").ok());
    REQUIRE((*s)->Commit(10).ok());
    FetchedUrl f;
    f.url = "http://a.test/";
    f.status = 200;
    REQUIRE((*s)->Fetched(f).ok());
    REQUIRE((*s)->Queue("http://a.test/y", 1, "http://a.test/").ok());
    // Destroyed without Commit(), as if killed.
  }
  auto s = OpenStateStore(dir);
  REQUIRE(s.ok());
  REQUIRE((*s)->last_run().has_value());
  CHECK((*s)->last_run()->ended_ms == 0);
  CHECK((*s)->last_run()->output_offset == 10);
  auto urls = Load(**s);
  REQUIRE(urls.size() == 1);
  CHECK(urls.at("http://a.test/").queued);
}

TEST_CASE(
    "a write that fails (file size limit) fails every later call; what was "
    "committed is whole batches, and the run stays open") {
  const std::string dir = NewDir("efbig");
  std::string referrer(2000, 'r');
  auto url = [](int batch, int k) {
    return "http://a.test/" + std::to_string(batch) + "/" + std::to_string(k);
  };
  constexpr int kBatches = 200;
  constexpr int kPerBatch = 40;
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // 80 KB per batch against a 512 KB limit on every file the store
    // writes: a commit fails within a few batches, as on a full disk.
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit limit = {512 * 1024, 512 * 1024};
    setrlimit(RLIMIT_FSIZE, &limit);
    auto s = OpenStateStore(dir);
    if (!s.ok() || !(*s)->BeginRun(1000, "o").ok()) _exit(10);
    Status failed;
    for (int b = 1; b <= kBatches && failed.ok(); ++b) {
      for (int k = 0; k < kPerBatch && failed.ok(); ++k) {
        failed = (*s)->Queue(url(b, k), 1, referrer);
      }
      if (failed.ok()) failed = (*s)->Commit(b);
      if (failed.ok()) usleep(2000);  // Let the writer commit it.
    }
    if (failed.ok()) _exit(11);  // Never failed.
    if (failed.message().find(dir) == std::string::npos) _exit(12);
    // Every later call fails the same way; nothing more is committed.
    if ((*s)->Queue(url(0, 0), 1, "").ok()) _exit(13);
    if ((*s)->Commit(kBatches + 1).ok()) _exit(14);
    if ((*s)->EndRun(2000, "done", 0, {}, kBatches + 1).ok()) _exit(15);
    _exit(0);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  auto s = OpenStateStore(dir);
  REQUIRE_MESSAGE(s.ok(), s.status().ToString());
  REQUIRE((*s)->last_run().has_value());
  CHECK((*s)->last_run()->ended_ms == 0);  // As if killed.
  const int64_t committed = (*s)->last_run()->output_offset;
  CHECK(committed >= 1);
  CHECK(committed < kBatches);
  // Exactly the batches up to the committed offset, each whole.
  auto urls = Load(**s);
  CHECK(urls.size() == static_cast<size_t>(committed * kPerBatch));
  for (int b = 1; b <= committed; ++b) {
    for (int k = 0; k < kPerBatch; ++k) CHECK(urls.count(url(b, k)) == 1);
  }
  CHECK(urls.count(url(committed + 1, 0)) == 0);
}

TEST_CASE("a second process is refused while the first holds the state") {
  const std::string dir = NewDir("locked");
  int ready[2];
  REQUIRE(pipe(ready) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    auto s = OpenStateStore(dir);
    const char c = s.ok() ? 'y' : 'n';
    (void)!write(ready[1], &c, 1);
    pause();
    _exit(0);
  }
  close(ready[1]);
  char c = 0;
  REQUIRE(read(ready[0], &c, 1) == 1);
  close(ready[0]);
  CHECK(c == 'y');
  auto refused = OpenStateStore(dir);
  CHECK(!refused.ok());
  CHECK(refused.status().code() == Code::kFailedPrecondition);
  CHECK(refused.status().message().find(
            "in use by pid " + std::to_string(child)) != std::string::npos);
  // Killed without a chance to clean up: the lock goes with it.
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  auto after = OpenStateStore(dir);
  CHECK_MESSAGE(after.ok(), after.status().ToString());
}

TEST_CASE("the same process cannot open one state twice") {
  const std::string dir = NewDir("twice");
  auto first = OpenStateStore(dir);
  REQUIRE(first.ok());
  auto second = OpenStateStore(dir);
  CHECK(second.status().code() == Code::kFailedPrecondition);
  first->reset();
  CHECK(OpenStateStore(dir).ok());
}

TEST_CASE("bad state directories give clear errors") {
  CHECK(OpenStateStore("").status().code() == Code::kInvalidArgument);
  const std::string file = NewDir("plainfile");
  FILE* f = fopen(file.c_str(), "w");
  REQUIRE(f != nullptr);
  fclose(f);
  auto s = OpenStateStore(file);
  CHECK(s.status().code() == Code::kInvalidArgument);
  CHECK(s.status().message().find("not a directory") != std::string::npos);
  // A directory whose state.db is not a database.
  const std::string dir = NewDir("garbage");
  REQUIRE(OpenStateStore(dir).ok());
  f = fopen((dir + "/state.db").c_str(), "w");
  REQUIRE(f != nullptr);
  fputs("this is not sqlite, this is a text file of some length.......", f);
  fclose(f);
  for (const char* ext : {"/state.db-wal", "/state.db-shm"}) {
    unlink((dir + ext).c_str());
  }
  auto g = OpenStateStore(dir);
  CHECK(!g.ok());
  CHECK(g.status().message().find(dir) != std::string::npos);
}

// The end-of-run walk (vanished URLs) and schema version 2.

// A run's answer for `url`: 200 with content `hash` and these links.
FetchedUrl Page(const std::string& url, const std::vector<std::string>& links,
                const std::string& hash = "sha1:A") {
  FetchedUrl f;
  f.url = url;
  f.status = 200;
  f.fetch_ms = 1;
  f.verdict.change = Change::kNew;
  f.verdict.next.ok_status = 200;
  f.verdict.next.content_hash = hash;
  std::vector<uint64_t> fps;
  for (const std::string& l : links) fps.push_back(LinkFingerprint(l));
  f.links = EncodeLinks(fps);
  return f;
}

const std::string A = "http://a.test/";
const std::string B = "http://a.test/b";
const std::string C = "http://a.test/c";
const std::string E = "http://a.test/e";
const std::string F = "http://a.test/f";

// One run: records `pages`, then walks from A; returns what vanished.
std::vector<std::string> RunAndWalk(const std::string& dir,
                                    const std::vector<FetchedUrl>& pages,
                                    WalkResult* result = nullptr) {
  auto s = OpenStateStore(dir);
  REQUIRE_MESSAGE(s.ok(), s.status().ToString());
  REQUIRE((*s)->BeginRun(1000, "o").ok());
  for (const FetchedUrl& f : pages) REQUIRE((*s)->Fetched(f).ok());
  std::vector<std::string> vanished;
  StatusOr<WalkResult> w = (*s)->Vanish(
      {A}, [&](const std::string& url, int depth, const std::string& ref) {
        vanished.push_back(url);
        CHECK(depth == 1);
        CHECK(ref == A);
        return Status::Ok();
      });
  REQUIRE_MESSAGE(w.ok(), w.status().ToString());
  CHECK(w->walked);
  CHECK(w->vanished == static_cast<int64_t>(vanished.size()));
  if (result != nullptr) *result = *w;
  REQUIRE((*s)->EndRun(2000, "done", 0, {}, 0).ok());
  std::sort(vanished.begin(), vanished.end());
  return vanished;
}

TEST_CASE(
    "links are kept per page: replaced, kept when not given, cleared "
    "when gone") {
  const std::string dir = NewDir("links_kept");
  auto s = OpenStateStore(dir);
  REQUIRE(s.ok());
  REQUIRE((*s)->BeginRun(1000, "o").ok());
  REQUIRE((*s)->Queue(B, 1, A).ok());
  FetchedUrl f = Page(A, {B, C});
  f.depth = 0;
  REQUIRE((*s)->Fetched(f).ok());
  auto urls = Load(**s);
  CHECK(urls.at(A).links_known);
  CHECK(!urls.at(B).links_known);  // Queued, never parsed.
  CHECK(urls.at(A).unlinked == KnownUrl::kLinked);
  // A 304 (no links given) keeps them: B is still reached.
  FetchedUrl again = Page(A, {});
  again.links.reset();
  again.verdict.change = Change::kUnchanged;
  REQUIRE((*s)->Fetched(again).ok());
  REQUIRE((*s)->Fetched(Page(B, {})).ok());
  REQUIRE((*s)->Fetched(Page(C, {})).ok());
  WalkResult w;
  StatusOr<WalkResult> walk = (*s)->Vanish(
      {A},
      [](const std::string&, int, const std::string&) { return Status::Ok(); });
  REQUIRE(walk.ok());
  CHECK(walk->walked);
  CHECK(walk->reached == 3);
  CHECK(walk->vanished == 0);
  // Gone: the links go too (an empty BLOB, known).
  FetchedUrl gone;
  gone.url = A;
  gone.status = 404;
  gone.verdict.change = Change::kGone;
  REQUIRE((*s)->Fetched(gone).ok());
  walk = (*s)->Vanish({A}, [](const std::string&, int, const std::string&) {
    return Status::Ok();
  });
  REQUIRE(walk.ok());
  CHECK(walk->reached == 1);
  // B and C were recorded by this run: not reported now.
  CHECK(walk->vanished == 0);
  CHECK(walk->unreached_recorded == 2);
  urls = Load(**s);
  CHECK(urls.at(A).links_known);
  CHECK(urls.at(B).unlinked == KnownUrl::kUnreached);
}

TEST_CASE(
    "the walk: a link dropped vanishes its target, unless another page "
    "links to it; vanished is said once") {
  const std::string dir = NewDir("walk");
  FetchedUrl a1 = Page(A, {B, C, E});
  std::vector<FetchedUrl> run1 = {a1, Page(B, {C}), Page(C, {}), Page(E, {})};
  for (FetchedUrl& f : run1) {
    if (f.url != A) {
      f.depth = 1;
      f.referrer = A;
    }
  }
  // Run 1 reaches everything.
  CHECK(RunAndWalk(dir, run1).empty());
  // Run 2: A changed, links only B now. C is still linked from B (not
  // fetched again: its links are kept); E vanished.
  FetchedUrl a2 = Page(A, {B}, "sha1:A2");
  a2.verdict.change = Change::kChanged;
  CHECK(RunAndWalk(dir, {a2}) == std::vector<std::string>{E});
  {
    auto s = OpenStateStore(dir);
    REQUIRE(s.ok());
    auto urls = Load(**s);
    const KnownUrl& e = urls.at(E);
    CHECK(e.unlinked == KnownUrl::kVanished);
    CHECK(e.previous.ok_status == 0);
    CHECK(e.previous.content_hash.empty());
    CHECK(urls.at(C).unlinked == KnownUrl::kLinked);
    CHECK(urls.at(C).previous.ok_status == 200);
  }
  // Run 3: B changed and dropped C (a chain A -> B -> C): C vanished; E is
  // not reported again.
  FetchedUrl b3 = Page(B, {}, "sha1:B3");
  b3.depth = 1;
  b3.referrer = A;
  b3.verdict.change = Change::kChanged;
  CHECK(RunAndWalk(dir, {b3}) == std::vector<std::string>{C});
  // Run 4: nothing new.
  CHECK(RunAndWalk(dir, {}).empty());
  // Run 5: B links E again, but E is not fetched (B's links were kept from
  // an answer the coordinator did not follow, say): reached, E is loaded as
  // usual again, and due.
  FetchedUrl b5 = Page(B, {E}, "sha1:B5");
  b5.depth = 1;
  b5.referrer = A;
  CHECK(RunAndWalk(dir, {b5}).empty());
  {
    auto s = OpenStateStore(dir);
    REQUIRE(s.ok());
    auto urls = Load(**s);
    CHECK(urls.at(E).unlinked == KnownUrl::kLinked);
    CHECK(urls.at(E).previous.ok_status == 0);
    CHECK(urls.at(E).next_due_ms == 0);
  }
  // Run 6: E fetched again: an answer like any other.
  FetchedUrl e6 = Page(E, {});
  e6.depth = 1;
  e6.referrer = A;
  CHECK(RunAndWalk(dir, {e6}).empty());
  auto s = OpenStateStore(dir);
  REQUIRE(s.ok());
  auto urls = Load(**s);
  CHECK(urls.at(E).unlinked == KnownUrl::kLinked);
  CHECK(urls.at(E).previous.ok_status == 200);
}

TEST_CASE(
    "the walk: a URL fetched by this run but no longer linked is "
    "reported by the next run") {
  const std::string dir = NewDir("walk_recorded");
  FetchedUrl f = Page(F, {});
  f.depth = 1;
  f.referrer = A;
  CHECK(RunAndWalk(dir, {Page(A, {F}), f}).empty());
  // Run 2 fetches both (due again); A no longer links F.
  WalkResult w;
  CHECK(RunAndWalk(dir, {Page(A, {}, "sha1:A2"), f}, &w).empty());
  CHECK(w.unreached_recorded == 1);
  {
    auto s = OpenStateStore(dir);
    REQUIRE(s.ok());
    CHECK(Load(**s).at(F).unlinked == KnownUrl::kUnreached);
  }
  // Run 3 does not fetch F: reported now.
  CHECK(RunAndWalk(dir, {}) == std::vector<std::string>{F});
}

// The schema of version 1, as the first crawler with --state made it.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE urls(
  url TEXT PRIMARY KEY,
  depth INTEGER NOT NULL,
  referrer TEXT NOT NULL DEFAULT '',
  queued INTEGER NOT NULL,
  status INTEGER NOT NULL DEFAULT 0,
  error_class TEXT NOT NULL DEFAULT '',
  first_fetch INTEGER NOT NULL DEFAULT 0,
  last_fetch INTEGER NOT NULL DEFAULT 0,
  ok_status INTEGER NOT NULL DEFAULT 0,
  content_hash TEXT NOT NULL DEFAULT '',
  etag TEXT NOT NULL DEFAULT '',
  last_modified TEXT NOT NULL DEFAULT '',
  interval_s REAL NOT NULL DEFAULT 0,
  next_due INTEGER NOT NULL DEFAULT 0,
  last_change TEXT NOT NULL DEFAULT '',
  last_run INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE runs(
  id INTEGER PRIMARY KEY,
  started INTEGER NOT NULL,
  ended INTEGER NOT NULL DEFAULT 0,
  stop_reason TEXT NOT NULL DEFAULT '',
  exit_code INTEGER NOT NULL DEFAULT -1,
  output_path TEXT NOT NULL DEFAULT '',
  output_offset INTEGER NOT NULL DEFAULT 0,
  counts TEXT NOT NULL DEFAULT ''
);
INSERT INTO meta VALUES('schema_version', '1');
INSERT INTO runs(started, ended, stop_reason, exit_code, output_path,
                 output_offset, counts)
  VALUES(1000, 2000, 'done', 0, 'out.jsonl', 77, 'new=2 pages=2');
INSERT INTO urls(url, depth, queued, status, ok_status, content_hash, etag,
                 interval_s, next_due, last_change, last_run, first_fetch,
                 last_fetch)
  VALUES('http://a.test/', 0, 0, 200, 200, 'sha1:A', '"e1"', 86400, 5000,
         'new', 1, 1500, 1500),
        ('http://a.test/b', 1, 0, 200, 200, 'sha1:B', '"e2"', 86400, 5000,
         'new', 1, 1500, 1500);
)sql";

std::string SchemaVersion(const std::string& dir) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((dir + "/state.db").c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  REQUIRE(sqlite3_prepare_v2(
              db, "SELECT value FROM meta WHERE key='schema_version'", -1, &s,
              nullptr) == SQLITE_OK);
  std::string v;
  if (sqlite3_step(s) == SQLITE_ROW) {
    v = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return v;
}

TEST_CASE("a state of schema version 1 is migrated in place and works") {
  const std::string dir = NewDir("schema1");
  REQUIRE(mkdir(dir.c_str(), 0777) == 0);
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((dir + "/state.db").c_str(), &db) == SQLITE_OK);
    char* err = nullptr;
    REQUIRE_MESSAGE(
        sqlite3_exec(db, kSchemaV1, nullptr, nullptr, &err) == SQLITE_OK,
        (err != nullptr ? err : ""));
    sqlite3_close(db);
  }
  CHECK(SchemaVersion(dir) == "1");
  {
    auto s = OpenStateStore(dir);
    REQUIRE_MESSAGE(s.ok(), s.status().ToString());
    CHECK(SchemaVersion(dir) == "3");  // Through 2.
    REQUIRE((*s)->last_run().has_value());
    CHECK((*s)->last_run()->output_offset == 77);
    auto urls = Load(**s);
    REQUIRE(urls.size() == 2);
    CHECK(urls.at(A).previous.etag == "\"e1\"");
    CHECK(!urls.at(A).links_known);
    CHECK(urls.at(A).unlinked == KnownUrl::kLinked);
    REQUIRE((*s)->BeginRun(3000, "out.jsonl").ok());
    // The pages' links are not known: the walk marks nothing.
    StatusOr<WalkResult> w =
        (*s)->Vanish({A}, [](const std::string&, int, const std::string&) {
          return Status::Ok();
        });
    REQUIRE(w.ok());
    CHECK(!w->walked);
    CHECK(w->links_unknown == 1);
    // Once A is parsed again, they are.
    REQUIRE((*s)->Fetched(Page(A, {})).ok());
    std::vector<std::string> vanished;
    w = (*s)->Vanish({A}, [&](const std::string& url, int, const std::string&) {
      vanished.push_back(url);
      return Status::Ok();
    });
    REQUIRE(w.ok());
    CHECK(w->walked);
    CHECK(vanished == std::vector<std::string>{B});
    REQUIRE((*s)->EndRun(4000, "done", 0, {}, 0).ok());
  }
  // Opened again: version 3 stays, nothing to migrate.
  auto s = OpenStateStore(dir);
  REQUIRE_MESSAGE(s.ok(), s.status().ToString());
  CHECK(SchemaVersion(dir) == "3");
  CHECK(Load(**s).at(B).unlinked == KnownUrl::kVanished);
}

// Version 2, as crawler wrote it: urls keyed by the URL's text.
constexpr const char* kSchemaV2 = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE urls(
  url TEXT PRIMARY KEY,
  depth INTEGER NOT NULL,
  referrer TEXT NOT NULL DEFAULT '',
  queued INTEGER NOT NULL,
  status INTEGER NOT NULL DEFAULT 0,
  error_class TEXT NOT NULL DEFAULT '',
  first_fetch INTEGER NOT NULL DEFAULT 0,
  last_fetch INTEGER NOT NULL DEFAULT 0,
  ok_status INTEGER NOT NULL DEFAULT 0,
  content_hash TEXT NOT NULL DEFAULT '',
  etag TEXT NOT NULL DEFAULT '',
  last_modified TEXT NOT NULL DEFAULT '',
  interval_s REAL NOT NULL DEFAULT 0,
  next_due INTEGER NOT NULL DEFAULT 0,
  last_change TEXT NOT NULL DEFAULT '',
  last_run INTEGER NOT NULL DEFAULT 0,
  links BLOB,
  unlinked INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE runs(
  id INTEGER PRIMARY KEY,
  started INTEGER NOT NULL,
  ended INTEGER NOT NULL DEFAULT 0,
  stop_reason TEXT NOT NULL DEFAULT '',
  exit_code INTEGER NOT NULL DEFAULT -1,
  output_path TEXT NOT NULL DEFAULT '',
  output_offset INTEGER NOT NULL DEFAULT 0,
  counts TEXT NOT NULL DEFAULT ''
);
INSERT INTO meta VALUES('schema_version', '2');
INSERT INTO runs(started, ended, stop_reason, exit_code, output_path,
                 output_offset, counts)
  VALUES(1000, 2000, 'done', 0, 'out.jsonl', 88, 'new=4 pages=4');
)sql";

TEST_CASE(
    "a state of schema version 2 is migrated in place: every row, its "
    "links and its queued flag kept") {
  const std::string dir = NewDir("schema2");
  REQUIRE(mkdir(dir.c_str(), 0777) == 0);
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((dir + "/state.db").c_str(), &db) == SQLITE_OK);
    char* err = nullptr;
    REQUIRE_MESSAGE(
        sqlite3_exec(db, kSchemaV2, nullptr, nullptr, &err) == SQLITE_OK,
        (err != nullptr ? err : ""));
    // A links to B and C; B and C have content, E is queued (never
    // fetched), F had content and nothing links to it.
    sqlite3_stmt* ins = nullptr;
    REQUIRE(sqlite3_prepare_v2(
                db,
                "INSERT INTO urls(url, depth, referrer, queued, status, "
                "ok_status, content_hash, etag, last_run, links) "
                "VALUES(?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7, 1, ?8)",
                -1, &ins, nullptr) == SQLITE_OK);
    struct Row {
      std::string url;
      int depth;
      std::string referrer;
      int queued;
      int status;
      std::string hash;
      std::vector<std::string> links;
    };
    for (const Row& r : std::vector<Row>{{A, 0, "", 0, 200, "sha1:A", {B, C}},
                                         {B, 1, A, 0, 200, "sha1:B", {}},
                                         {C, 1, A, 0, 200, "sha1:C", {}},
                                         {E, 2, B, 1, 0, "", {}},
                                         {F, 1, A, 0, 200, "sha1:F", {}}}) {
      sqlite3_bind_text(ins, 1, r.url.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int(ins, 2, r.depth);
      sqlite3_bind_text(ins, 3, r.referrer.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int(ins, 4, r.queued);
      sqlite3_bind_int(ins, 5, r.status);
      sqlite3_bind_text(ins, 6, r.hash.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(ins, 7, ("\"" + r.url + "\"").c_str(), -1,
                        SQLITE_TRANSIENT);
      if (r.status != 0) {
        std::vector<uint64_t> fps;
        for (const std::string& l : r.links) fps.push_back(LinkFingerprint(l));
        const std::string blob = EncodeLinks(fps);
        sqlite3_bind_blob(ins, 8, blob.data(), static_cast<int>(blob.size()),
                          SQLITE_TRANSIENT);
      }
      REQUIRE(sqlite3_step(ins) == SQLITE_DONE);
      sqlite3_reset(ins);
      sqlite3_clear_bindings(ins);
    }
    sqlite3_finalize(ins);
    sqlite3_close(db);
  }
  CHECK(SchemaVersion(dir) == "2");
  auto s = OpenStateStore(dir);
  REQUIRE_MESSAGE(s.ok(), s.status().ToString());
  CHECK(SchemaVersion(dir) == "3");
  CHECK((*s)->last_run()->output_offset == 88);
  CHECK((*s)->queued_urls() == 1);
  auto urls = Load(**s);
  REQUIRE(urls.size() == 5);
  CHECK(urls.at(A).previous.content_hash == "sha1:A");
  CHECK(urls.at(A).previous.etag == "\"" + A + "\"");
  CHECK(urls.at(A).links_known);
  CHECK(urls.at(B).depth == 1);
  CHECK(urls.at(B).referrer == A);
  CHECK(urls.at(E).queued);
  CHECK(!urls.at(E).links_known);
  // The links kept in version 2 still walk: F vanishes, B and C do not.
  REQUIRE((*s)->BeginRun(3000, "out.jsonl").ok());
  std::vector<std::string> vanished;
  StatusOr<WalkResult> w = (*s)->Vanish(
      {A}, [&](const std::string& url, int depth, const std::string& referrer) {
        vanished.push_back(url);
        CHECK(depth == 1);
        CHECK(referrer == A);
        return Status::Ok();
      });
  REQUIRE_MESSAGE(w.ok(), w.status().ToString());
  CHECK(w->walked);
  CHECK(w->reached == 3);
  CHECK(vanished == std::vector<std::string>{F});
  // Rows are found by URL as before: recording B again updates its row.
  REQUIRE((*s)->Fetched(Page(B, {C}, "sha1:B2")).ok());
  REQUIRE((*s)->EndRun(4000, "done", 0, {}, 0).ok());
  s->reset();  // Closed, and unlocked.
  s = OpenStateStore(dir);
  REQUIRE_MESSAGE(s.ok(), s.status().ToString());
  urls = Load(**s);
  CHECK(urls.size() == 5);
  CHECK(urls.at(B).previous.content_hash == "sha1:B2");
}

TEST_CASE("a state of an unknown schema version is refused") {
  const std::string dir = NewDir("schema9");
  { REQUIRE(OpenStateStore(dir).ok()); }
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((dir + "/state.db").c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db,
                       "UPDATE meta SET value='9' WHERE key='schema_version'",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  auto s = OpenStateStore(dir);
  CHECK(s.status().code() == Code::kInvalidArgument);
  CHECK(s.status().message().find("schema version 9") != std::string::npos);
}

}  // namespace
}  // namespace crawler::state
