// `crawler runs`, and the run summary JSON (run_summary.h), on states made
// with the real store.
#include "crawler/cli/runs_command.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "crawler/cli/run_summary.h"
#include "crawler/state/state_store.h"
#include "crawler/testing/test_util.h"

namespace crawler::cli {
namespace {

using nlohmann::json;
using testing::Captured;

Captured Runs(const std::vector<std::string>& args) {
  return testing::Capture([&](std::FILE* out, std::FILE* err) {
    return RunRunsCommand(args, out, err);
  });
}

std::string FreshDir(const std::string& name) {
  const std::string dir = testing::TempDir() + "/runs-" + name;
  REQUIRE(std::system(("rm -rf '" + dir + "'").c_str()) == 0);
  return dir;
}

// A state with two ended runs and one that never ended (killed).
std::string MakeState(const std::string& name) {
  const std::string dir = FreshDir(name);
  {
    auto s = state::OpenStateStore(dir);
    REQUIRE(s.ok());
    REQUIRE((*s)->BeginRun(1795651200000, "out.jsonl").ok());
    REQUIRE_OK((*s)->EndRun(
        1795651200000 + 75500, "done", 0,
        {{"pages", 120}, {"ok", 118}, {"errors", 2}, {"new", 120}}, 1000));
  }
  {
    auto s = state::OpenStateStore(dir);
    REQUIRE(s.ok());
    REQUIRE((*s)->BeginRun(1795737600000, "out.jsonl", 1000).ok());
    REQUIRE_OK((*s)->EndRun(1795737600000 + 4000 * 1000, "interrupted", 143,
                            {{"pages", 10}, {"changed", 3}, {"unchanged", 7}},
                            1500));
  }
  {
    auto s = state::OpenStateStore(dir);
    REQUIRE(s.ok());
    REQUIRE((*s)->BeginRun(1795824000000, "out.jsonl", 1500).ok());
    // Closed without EndRun: as after a kill -9.
  }
  return dir;
}

TEST_CASE("runs: newest first, outcomes, durations and counts") {
  const std::string dir = MakeState("table");
  Captured c = Runs({"--state", dir});
  REQUIRE_MESSAGE(c.code == 0, c.err);
  std::istringstream in(c.out);
  std::string header, third, second, first;
  std::getline(in, header);
  std::getline(in, third);
  std::getline(in, second);
  std::getline(in, first);
  CHECK(header.find("RUN") == 0);
  CHECK(header.find("OUTCOME") != std::string::npos);
  CHECK(third.rfind("3 ", 0) == 0);
  CHECK(third.find("2026-11-28 00:00:00") != std::string::npos);
  CHECK(third.find("killed") != std::string::npos);
  CHECK(second.rfind("2 ", 0) == 0);
  CHECK(second.find("1h06m") != std::string::npos);
  CHECK(second.find("interrupted") != std::string::npos);
  CHECK(second.find(" 143 ") != std::string::npos);
  CHECK(first.rfind("1 ", 0) == 0);
  CHECK(first.find("2026-11-26 00:00:00") != std::string::npos);
  CHECK(first.find("1m15s") != std::string::npos);
  CHECK(first.find("success") != std::string::npos);
  CHECK(first.find(" 120 ") != std::string::npos);
  CHECK(c.out.find("a run is going on") == std::string::npos);
}

TEST_CASE("runs --json and --limit") {
  const std::string dir = MakeState("json");
  Captured c = Runs({"--state", dir, "--json", "--limit", "2"});
  REQUIRE_MESSAGE(c.code == 0, c.err);
  std::istringstream in(c.out);
  std::vector<json> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(json::parse(l));
  REQUIRE(lines.size() == 2);
  CHECK(lines[0]["run"] == 3);
  CHECK(lines[0]["outcome"] == "killed");
  CHECK(lines[0]["exit_code"].is_null());
  CHECK(lines[1]["run"] == 2);
  CHECK(lines[1]["outcome"] == "interrupted");
  CHECK(lines[1]["exit_code"] == 143);
  CHECK(lines[1]["counts"]["changed"] == 3);
  CHECK(lines[1]["output"] == "out.jsonl");
}

TEST_CASE("runs: the run holding the lock is shown as running") {
  const std::string dir = MakeState("running");
  int ready[2];
  REQUIRE(pipe(ready) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    auto s = state::OpenStateStore(dir);
    if (!s.ok() || !(*s)->BeginRun(1795900000000, "out.jsonl").ok()) _exit(1);
    (void)!write(ready[1], "x", 1);
    pause();
    _exit(0);
  }
  close(ready[1]);
  char x;
  const bool started = read(ready[0], &x, 1) == 1;
  close(ready[0]);
  Captured c = Runs({"--state", dir});
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  REQUIRE(started);
  REQUIRE_MESSAGE(c.code == 0, c.err);
  CHECK(c.out.find("running") != std::string::npos);
  CHECK(c.out.find("a run is going on now (pid " + std::to_string(child)) !=
        std::string::npos);
  // The older unended run is still "killed".
  CHECK(c.out.find("killed") != std::string::npos);
}

TEST_CASE("runs: a directory without a state, and usage errors") {
  const std::string dir = FreshDir("empty");
  mkdir(dir.c_str(), 0777);
  Captured c = Runs({"--state", dir});
  CHECK(c.code == 1);
  CHECK(c.err.find("no crawl state in " + dir) != std::string::npos);
  CHECK(Runs({}).err.find("--state DIR is required") != std::string::npos);
  CHECK(Runs({"--state"}).code == 2);
  CHECK(Runs({"--state", dir, "--limit", "x"}).code == 2);
  CHECK(Runs({"--state", dir, "extra"}).code == 2);
  CHECK(Runs({"--help"}).out.find("Usage: crawler runs") == 0);
}

TEST_CASE("a state with no runs yet") {
  const std::string dir = FreshDir("none");
  { REQUIRE(state::OpenStateStore(dir).ok()); }
  Captured c = Runs({"--state", dir});
  CHECK(c.code == 0);
  CHECK(c.out.find("(no runs yet)") != std::string::npos);
}

TEST_CASE("run summary JSON: counts, changes and outcome") {
  RunReport r;
  r.crawl_file = "site.yaml";
  r.state_dir = "st";
  r.run_id = 7;
  r.started_ms = 1795651200120;
  r.ended_ms = 1795651212620;
  r.exit_code = 3;
  r.message = "12.5% of the fetched pages ended with an error";
  coordinator::CrawlSummary s;
  s.pages = 40;
  s.ok = 35;
  s.errors = 5;
  s.status_classes[2] = 35;
  s.status_classes[0] = 5;
  s.error_classes["timeout"] = 5;
  s.bytes = 123456;
  s.stop_reason = "done";
  s.with_state = true;
  s.changes.new_urls = 2;
  s.changes.changed = 3;
  s.changes.gone = 1;
  s.changes.vanished = 1;
  r.summary = s;
  r.output_path = "out \"1\".jsonl";
  const std::string text = RunSummaryJson(r);
  REQUIRE(!text.empty());
  CHECK(text.back() == '\n');
  CHECK(text.find('\n') == text.size() - 1);
  const json j = json::parse(text);
  CHECK(j["outcome"] == "too_many_errors");
  CHECK(j["exit_code"] == 3);
  CHECK(j["run"] == 7);
  CHECK(j["crawl_file"] == "site.yaml");
  CHECK(j["started"] == "2026-11-26T00:00:00.120Z");
  CHECK(j["duration_s"] == doctest::Approx(12.5));
  CHECK(j["pages"] == 40);
  CHECK(j["errors_by_class"]["timeout"] == 5);
  CHECK(j["status_classes"]["2xx"] == 35);
  CHECK(j["status_classes"]["none"] == 5);
  CHECK(j["bytes"] == 123456);
  CHECK(j["changes"]["changed"] == 3);
  CHECK(j["changes"]["gone"] == 1);
  CHECK(j["changes"]["vanished"] == 1);
  CHECK(j["stop_reason"] == "done");
  CHECK(j["message"] == r.message);
  CHECK(j["output"] == "out \"1\".jsonl");
}

TEST_CASE("run summary JSON: a refused run has no counts") {
  RunReport r;
  r.exit_code = 4;
  r.message = "state st is in use by pid 12";
  const json j = json::parse(RunSummaryJson(r));
  CHECK(j["outcome"] == "refused");
  CHECK_FALSE(j.contains("pages"));
  CHECK_FALSE(j.contains("changes"));
  CHECK_FALSE(j.contains("run"));
  CHECK(OutcomeName(0) == "success");
  CHECK(OutcomeName(1) == "failed");
  CHECK(OutcomeName(2) == "usage_error");
  CHECK(OutcomeName(130) == "interrupted");
  CHECK(OutcomeName(143) == "interrupted");
  CHECK(OutcomeName(7) == "exit_7");
}

TEST_CASE("WriteFileAtomically replaces the file, and names a bad path") {
  const std::string dir = FreshDir("atomic");
  mkdir(dir.c_str(), 0777);
  const std::string path = dir + "/last-run.json";
  REQUIRE_OK(WriteFileAtomically(path, "one\n"));
  REQUIRE_OK(WriteFileAtomically(path, "two\n"));
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  CHECK(s.str() == "two\n");
  Status bad = WriteFileAtomically(dir + "/missing/x.json", "{}");
  CHECK_FALSE(bad.ok());
  CHECK(bad.message().find(dir + "/missing/x.json") != std::string::npos);
}

}  // namespace
}  // namespace crawler::cli
