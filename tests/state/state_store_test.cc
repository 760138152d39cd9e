// The SQLite state store: runs, batched commits, reload, the lock.
#include "crawler/state/state_store.h"

#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <string>

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

}  // namespace
}  // namespace crawler::state
