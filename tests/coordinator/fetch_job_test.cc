#include "crawler/coordinator/fetch_job.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "crawler/coordinator/worker_launcher.h"
#include "crawler/output/record_writer.h"
#include "crawler/testing/fake_fetcher.h"
#include "crawler/testing/proc_util.h"
#include "crawler/testing/test_util.h"

namespace crawler::coordinator {
namespace {

using crawler::testing::ChildPids;
using crawler::testing::FakeFetcher;
using crawler::testing::TempDir;
using nlohmann::json;
using namespace std::chrono_literals;

// A launcher whose workers run the FakeFetcher with `concurrency` slots.
ForkWorkerLauncher FakeLauncher(int concurrency,
                                worker::WorkerOptions options = {}) {
  return ForkWorkerLauncher(
      [concurrency]() -> StatusOr<std::unique_ptr<fetch::Fetcher>> {
        fetch::FetchOptions o;
        o.max_concurrency = concurrency;
        o.total_timeout_ms = 5000;
        std::unique_ptr<fetch::Fetcher> f = std::make_unique<FakeFetcher>(o);
        return f;
      },
      std::move(options));
}

// A fresh path under the test's scratch directory.
std::string ScratchPath(const std::string& name) {
  static int counter = 0;
  std::string p = TempDir() + "/fetch_job_" + std::to_string(::getpid()) + "_" +
                  std::to_string(counter++) + "_" + name;
  std::remove(p.c_str());
  return p;
}

struct JobRun {
  StatusOr<FetchJobSummary> summary = InternalError("not run");
  std::vector<json> records;  // In output order.
  std::chrono::steady_clock::duration took{};
};

// Runs a job writing to a scratch file and parses every output line.
JobRun RunJob(const FetchJobOptions& options, UrlSource& input,
              WorkerLauncher& launcher) {
  const std::string path = ScratchPath("out.jsonl");
  std::FILE* out = std::fopen(path.c_str(), "w+");
  REQUIRE(out != nullptr);
  JobRun run;
  {
    output::RecordWriter writer(out, path);
    auto t0 = std::chrono::steady_clock::now();
    run.summary = RunFetchJob(options, input, writer, launcher);
    run.took = std::chrono::steady_clock::now() - t0;
  }
  std::fclose(out);
  std::FILE* in = std::fopen(path.c_str(), "r");
  REQUIRE(in != nullptr);
  std::string text;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, in)) > 0) text.append(buf, n);
  std::fclose(in);
  std::remove(path.c_str());
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    REQUIRE_MESSAGE(!j.is_discarded(), "not JSON: " << line);
    run.records.push_back(std::move(j));
  }
  CHECK_MESSAGE(ChildPids().empty(), "a worker outlived the job");
  return run;
}

JobRun RunJob(const FetchJobOptions& options,
              const std::vector<std::string>& urls, int concurrency,
              worker::WorkerOptions worker_options = {}) {
  ListUrlSource input(urls);
  ForkWorkerLauncher launcher = FakeLauncher(concurrency, worker_options);
  return RunJob(options, input, launcher);
}

// Records by URL; fails on a duplicate.
std::map<std::string, json> ByUrl(const std::vector<json>& records) {
  std::map<std::string, json> m;
  for (const json& r : records) {
    const std::string u = r["url"];
    CHECK_MESSAGE(m.count(u) == 0, "duplicate record for " << u);
    m[u] = r;
  }
  return m;
}

std::string Fake(const std::string& path) { return "http://fake.test" + path; }

TEST_CASE("1000 URLs on 3 workers x 7: exactly one record each") {
  std::vector<std::string> urls;
  int expect_errors = 0;
  for (int i = 0; i < 1000; ++i) {
    const std::string tag = "?i=" + std::to_string(i);  // Unique URLs.
    if (i % 13 == 0) {
      urls.push_back(Fake("/error" + tag));
      ++expect_errors;
    } else if (i % 10 == 0) {
      urls.push_back(Fake("/status/404" + tag));
    } else if (i % 7 == 0) {
      urls.push_back(Fake("/slow/" + std::to_string(i % 5) + tag));
    } else {
      urls.push_back(Fake("/page/" + std::to_string(i) + tag));
    }
  }
  FetchJobOptions options;
  options.workers = 3;
  options.concurrency = 7;
  JobRun run = RunJob(options, urls, options.concurrency);
  REQUIRE_MESSAGE(run.summary.ok(), run.summary.status().ToString());
  CHECK(run.summary->urls == 1000);
  CHECK(run.summary->errors == static_cast<uint64_t>(expect_errors));
  CHECK(run.summary->ok == static_cast<uint64_t>(1000 - expect_errors));
  CHECK(run.summary->worker_restarts == 0);
  CHECK(run.summary->interrupted_by == 0);
  CHECK(run.summary->seconds > 0);
  REQUIRE(run.records.size() == 1000);
  std::map<std::string, json> by_url = ByUrl(run.records);
  CHECK(by_url.size() == 1000);
  for (int i = 0; i < 1000; ++i) {
    const std::string& u = urls[i];
    REQUIRE_MESSAGE(by_url.count(u) == 1, "no record for " << u);
    const json& r = by_url[u];
    CAPTURE(u);
    if (i % 13 == 0) {
      CHECK(r["status"].is_null());
      CHECK(r["error"].get<std::string>().rfind("connect_failed: ", 0) == 0);
    } else if (i % 10 == 0) {
      CHECK(r["status"] == 404);
      CHECK(r["error"].is_null());
      CHECK(r["title"].is_null());
    } else if (i % 7 == 0) {
      CHECK(r["status"] == 200);
      CHECK(r["error"].is_null());
    } else {
      CHECK(r["status"] == 200);
      CHECK(r["final_url"] == u);
      CHECK(r["title"] == "Page " + std::to_string(i));
      CHECK(r["links"] == 3);
      CHECK(r["error"].is_null());
    }
  }
}

TEST_CASE("Without --ordered records come as they finish") {
  FetchJobOptions options;
  options.workers = 1;
  options.concurrency = 4;
  JobRun run = RunJob(options, {Fake("/slow/300"), Fake("/page/1")},
                      options.concurrency);
  REQUIRE_MESSAGE(run.summary.ok(), run.summary.status().ToString());
  REQUIRE(run.records.size() == 2);
  CHECK(run.records[0]["url"] == Fake("/page/1"));
  CHECK(run.records[1]["url"] == Fake("/slow/300"));
}

TEST_CASE("--ordered writes records in input order") {
  std::vector<std::string> urls;
  urls.push_back(Fake("/slow/300"));  // Finishes last, written first.
  for (int i = 0; i < 300; ++i) {
    urls.push_back(i % 3 == 0 ? Fake("/slow/" + std::to_string((i * 7) % 40) +
                                     "?i=" + std::to_string(i))
                              : Fake("/page/" + std::to_string(i)));
  }
  urls.push_back("not a url");  // Error records keep their place too.
  urls.push_back(Fake("/error"));
  FetchJobOptions options;
  options.workers = 3;
  options.concurrency = 5;
  options.ordered = true;
  JobRun run = RunJob(options, urls, options.concurrency);
  REQUIRE_MESSAGE(run.summary.ok(), run.summary.status().ToString());
  REQUIRE(run.records.size() == urls.size());
  for (size_t i = 0; i < urls.size(); ++i) {
    CHECK_MESSAGE(run.records[i]["url"] == urls[i], "position " << i);
  }
  CHECK(run.summary->errors == 2);
}

TEST_CASE("Bad URLs and foreign schemes are error records, never fetched") {
  // Each of these would kill a worker (FakeFetcher's /crash path) if it
  // reached one.
  const std::vector<std::string> bad_url = {
      "fake.test/crash",               // No scheme.
      "http://fake.test/crash?q=a b",  // Raw space.
      "http://fake.test:99999/crash",  // Port out of range.
      "http://",                       // No host.
      "crash",
  };
  const std::vector<std::string> foreign = {
      "ftp://fake.test/crash",    "file:///crash",
      "mailto:crash@fake.test",   "javascript:crash()",
      "gopher://fake.test/crash",
  };
  std::vector<std::string> urls = {Fake("/page/1")};
  urls.insert(urls.end(), bad_url.begin(), bad_url.end());
  urls.insert(urls.end(), foreign.begin(), foreign.end());
  urls.push_back(Fake("/page/2"));
  FetchJobOptions options;
  options.workers = 2;
  options.concurrency = 3;
  JobRun run = RunJob(options, urls, options.concurrency);
  REQUIRE_MESSAGE(run.summary.ok(), run.summary.status().ToString());
  CHECK(run.summary->urls == urls.size());
  CHECK(run.summary->ok == 2);
  CHECK(run.summary->errors == bad_url.size() + foreign.size());
  CHECK(run.summary->worker_restarts == 0);  // No worker saw a /crash.
  std::map<std::string, json> by_url = ByUrl(run.records);
  REQUIRE(by_url.size() == urls.size());
  for (const std::string& u : bad_url) {
    CAPTURE(u);
    const json& r = by_url[u];
    CHECK(r["error"].get<std::string>().rfind("bad_url: ", 0) == 0);
    CHECK(r["status"].is_null());
    CHECK(r["final_url"].is_null());
    CHECK(r["title"].is_null());
  }
  for (const std::string& u : foreign) {
    CAPTURE(u);
    const json& r = by_url[u];
    CHECK(r["error"].get<std::string>().rfind("unsupported_scheme: ", 0) == 0);
    CHECK(r["status"].is_null());
  }
  CHECK(by_url[Fake("/page/1")]["title"] == "Page 1");
  CHECK(by_url[Fake("/page/2")]["title"] == "Page 2");
}

TEST_CASE("URLs whose worker crashed once are fetched on a retry") {
  std::vector<std::string> urls;
  std::vector<std::string> crashers;
  for (int i = 0; i < 60; ++i) {
    if (i % 12 == 5) {
      crashers.push_back(Fake("/crash-once?marker=" +
                              ScratchPath("marker" + std::to_string(i))));
      urls.push_back(crashers.back());
    } else {
      urls.push_back(Fake("/page/" + std::to_string(i)));
    }
  }
  FetchJobOptions options;
  options.workers = 2;
  options.concurrency = 4;
  JobRun run = RunJob(options, urls, options.concurrency);
  REQUIRE_MESSAGE(run.summary.ok(), run.summary.status().ToString());
  CHECK(run.summary->urls == 60);
  CHECK(run.summary->ok == 60);
  CHECK(run.summary->errors == 0);
  // Each crash-once URL kills exactly one worker (its marker then exists).
  CHECK(run.summary->worker_restarts == crashers.size());
  std::map<std::string, json> by_url = ByUrl(run.records);
  REQUIRE(by_url.size() == 60);
  for (const std::string& u : crashers) {
    CAPTURE(u);
    CHECK(by_url[u]["status"] == 200);
    CHECK(by_url[u]["error"].is_null());
  }
}

TEST_CASE("A URL that always crashes its worker gives up after 3 attempts") {
  std::vector<std::string> urls;
  for (int i = 0; i < 40; ++i)
    urls.push_back(Fake("/page/" + std::to_string(i)));
  urls.insert(urls.begin() + 7, Fake("/crash"));
  FetchJobOptions options;
  options.workers = 2;
  options.concurrency = 4;
  JobRun run = RunJob(options, urls, options.concurrency);
  REQUIRE_MESSAGE(run.summary.ok(), run.summary.status().ToString());
  CHECK(run.summary->urls == 41);
  CHECK(run.summary->ok == 40);
  CHECK(run.summary->errors == 1);
  // 1 + max_retries (2) deaths charged to it alone, plus one uncharged death
  // when it first shared its worker with other URLs.
  CHECK(run.summary->worker_restarts >= 3);
  CHECK(run.summary->worker_restarts <= 4);
  std::map<std::string, json> by_url = ByUrl(run.records);
  REQUIRE(by_url.size() == 41);
  const std::string error = by_url[Fake("/crash")]["error"];
  CHECK(error.rfind("worker_crashed: worker killed by signal 9 (Killed)", 0) ==
        0);
  CHECK(error.find("gave up after 3 attempts") != std::string::npos);
  CHECK(by_url[Fake("/crash")]["status"].is_null());
  for (int i = 0; i < 40; ++i) {
    const json& r = by_url[Fake("/page/" + std::to_string(i))];
    CHECK(r["status"] == 200);
    CHECK(r["error"].is_null());
  }
}

TEST_CASE(
    "With max_retries 0 only the culprit gives up; its neighbour is retried "
    "alone") {
  FetchJobOptions options;
  options.workers = 1;
  options.concurrency = 2;
  options.max_retries = 0;
  // /crash and /page/1 are both leased to the one worker when it dies, so
  // which one killed it is unknown: neither is charged, both are retried
  // alone. Alone, /crash kills its worker again and is charged; with no
  // retries allowed it gives up. /page/1 succeeds.
  JobRun run = RunJob(
      options,
      {Fake("/crash"), Fake("/page/1"), Fake("/page/2"), Fake("/page/3")},
      options.concurrency);
  REQUIRE_MESSAGE(run.summary.ok(), run.summary.status().ToString());
  std::map<std::string, json> by_url = ByUrl(run.records);
  REQUIRE(by_url.size() == 4);
  CHECK(by_url[Fake("/crash")]["error"].get<std::string>().find(
            "gave up after 1 attempt") != std::string::npos);
  CHECK(by_url[Fake("/crash")]["error"].get<std::string>().find("1 attempts") ==
        std::string::npos);
  CHECK(run.summary->worker_restarts == 2);
  CHECK(run.summary->errors == 1);
  for (const char* path : {"/page/1", "/page/2", "/page/3"}) {
    CAPTURE(path);
    CHECK(by_url[Fake(path)]["error"].is_null());
  }
  CHECK(by_url[Fake("/page/1")]["title"] == "Page 1");
}

TEST_CASE("The crash_on test hook crashes the worker like a real crash") {
  worker::WorkerOptions wo;
  wo.crash_on = "boom";
  FetchJobOptions options;
  options.workers = 2;
  options.concurrency = 2;
  JobRun run = RunJob(options, {Fake("/page/boom"), Fake("/page/1")},
                      options.concurrency, wo);
  REQUIRE_MESSAGE(run.summary.ok(), run.summary.status().ToString());
  std::map<std::string, json> by_url = ByUrl(run.records);
  REQUIRE(by_url.size() == 2);
  CHECK(by_url[Fake("/page/boom")]["error"].get<std::string>().rfind(
            "worker_crashed: ", 0) == 0);
  CHECK(by_url[Fake("/page/1")]["title"] == "Page 1");
}

TEST_CASE("An empty input finishes at once with no records") {
  FetchJobOptions options;
  options.workers = 2;
  JobRun run = RunJob(options, std::vector<std::string>{}, 2);
  REQUIRE_MESSAGE(run.summary.ok(), run.summary.status().ToString());
  CHECK(run.summary->urls == 0);
  CHECK(run.records.empty());
  CHECK(run.took < 5s);
}

// Launch fails from the `fail_from`-th call on (0 = always).
class FailingLauncher : public WorkerLauncher {
 public:
  explicit FailingLauncher(int fail_from)
      : fail_from_(fail_from), inner_(FakeLauncher(4)) {}
  StatusOr<WorkerHandle> Launch(int index,
                                const std::vector<int>& inherited) override {
    if (calls_++ >= fail_from_) {
      return UnavailableError("fork: Resource temporarily unavailable");
    }
    return inner_.Launch(index, inherited);
  }
  int calls() const { return calls_; }

 private:
  int fail_from_;
  int calls_ = 0;
  ForkWorkerLauncher inner_;
};

TEST_CASE("A launcher that always fails makes RunFetchJob fail, not hang") {
  FailingLauncher launcher(0);
  ListUrlSource input({Fake("/page/1"), Fake("/page/2")});
  FetchJobOptions options;
  options.workers = 3;
  JobRun run = RunJob(options, input, launcher);
  REQUIRE_FALSE(run.summary.ok());
  CHECK(run.summary.status().message().find(
            "fork: Resource temporarily unavailable") != std::string::npos);
  CHECK(run.summary.status().message().find("starting worker 0") !=
        std::string::npos);
  CHECK(launcher.calls() == 1);
  CHECK(run.records.empty());
  CHECK(run.took < 10s);
}

TEST_CASE("A failing second launch stops the job and its first worker") {
  FailingLauncher launcher(1);
  ListUrlSource input({Fake("/page/1")});
  FetchJobOptions options;
  options.workers = 2;
  JobRun run = RunJob(options, input, launcher);  // Checks no child remains.
  REQUIRE_FALSE(run.summary.ok());
  CHECK(run.summary.status().message().find("starting worker 1") !=
        std::string::npos);
}

TEST_CASE("When no replacement worker can start the job fails, not hangs") {
  FailingLauncher launcher(1);  // The first worker starts; replacements fail.
  ListUrlSource input({Fake("/page/1"), Fake("/crash"), Fake("/page/2")});
  FetchJobOptions options;
  options.workers = 1;
  options.concurrency = 1;
  JobRun run = RunJob(options, input, launcher);
  REQUIRE_FALSE(run.summary.ok());
  CHECK(run.summary.status().code() == Code::kUnavailable);
  CHECK(run.summary.status().message().find("every worker died") !=
        std::string::npos);
  CHECK(run.took < 10s);
}

// Regression: the "every worker died" error used to return without flushing
// the RecordWriter, losing records finished in the last 200 ms.
TEST_CASE("Records finished before every worker died reach the output") {
  FailingLauncher launcher(1);  // The first worker starts; replacements fail.
  ListUrlSource input({Fake("/page/1"), Fake("/crash"), Fake("/page/2")});
  FetchJobOptions options;
  options.workers = 1;
  options.concurrency = 1;
  JobRun run = RunJob(options, input, launcher);
  REQUIRE_FALSE(run.summary.ok());
  REQUIRE(run.records.size() >= 1);
  CHECK(run.records[0]["url"] == Fake("/page/1"));
}

TEST_CASE("A worker whose fetcher cannot start does not hang the job") {
  ForkWorkerLauncher launcher(
      []() -> StatusOr<std::unique_ptr<fetch::Fetcher>> {
        return InternalError("no fetch engine in this test");
      },
      {});
  ListUrlSource input({Fake("/page/1"), Fake("/page/2")});
  FetchJobOptions options;
  options.workers = 2;
  options.max_worker_restarts = 4;
  JobRun run = RunJob(options, input, launcher);
  CHECK(run.took < 30s);
  if (run.summary.ok()) {
    // Every URL got its record, saying its worker died.
    std::map<std::string, json> by_url = ByUrl(run.records);
    REQUIRE(by_url.size() == 2);
    for (auto& [u, r] : by_url) {
      CHECK(r["error"].get<std::string>().find("exited with code 102") !=
            std::string::npos);
    }
  } else {
    CHECK(run.summary.status().message().find("every worker died") !=
          std::string::npos);
  }
}

TEST_CASE("FileUrlSource skips blanks and comments and trims whitespace") {
  std::string text =
      "http://a.test/\n"
      "\n"
      "   \t \n"
      "# a comment\n"
      "   # an indented comment\n"
      "  http://b.test/x  \t\n"
      "http://c.test/#frag\r\n"
      "\thttp://d.test/ with space\n"
      "http://e.test/";  // No final newline.
  std::FILE* f = fmemopen(text.data(), text.size(), "r");
  REQUIRE(f != nullptr);
  FileUrlSource source(f);
  std::vector<std::string> got;
  std::string u;
  while (source.Next(&u)) got.push_back(u);
  CHECK_FALSE(source.Next(&u));  // Stays at the end.
  std::fclose(f);
  CHECK(got == std::vector<std::string>{
                   "http://a.test/", "http://b.test/x", "http://c.test/#frag",
                   "http://d.test/ with space", "http://e.test/"});
}

TEST_CASE("FileUrlSource of an empty or all-comment file yields nothing") {
  for (std::string text : {std::string(" "), std::string("\n\n# x\n  \n")}) {
    std::FILE* f = fmemopen(text.data(), text.size(), "r");
    REQUIRE(f != nullptr);
    FileUrlSource source(f);
    std::string u;
    CHECK_FALSE(source.Next(&u));
    std::fclose(f);
  }
}

TEST_CASE("ListUrlSource trims and skips blanks; ChainUrlSource chains") {
  ListUrlSource a({" http://a/ ", "", "\t", "http://b/"});
  std::string text = "# c\nhttp://c/\n";
  std::FILE* f = fmemopen(text.data(), text.size(), "r");
  REQUIRE(f != nullptr);
  FileUrlSource b(f);
  ListUrlSource empty({});
  ChainUrlSource chain({&empty, &a, &empty, &b});
  std::vector<std::string> got;
  std::string u;
  while (chain.Next(&u)) got.push_back(u);
  std::fclose(f);
  CHECK(got == std::vector<std::string>{"http://a/", "http://b/", "http://c/"});
}

TEST_CASE("A job reads its URLs from a FileUrlSource") {
  std::string text =
      "# pages\n" + Fake("/page/1") + "\n\n  " + Fake("/page/2") + "  \n";
  std::FILE* f = fmemopen(text.data(), text.size(), "r");
  REQUIRE(f != nullptr);
  FileUrlSource input(f);
  ForkWorkerLauncher launcher = FakeLauncher(2);
  FetchJobOptions options;
  options.workers = 1;
  options.concurrency = 2;
  options.ordered = true;
  JobRun run = RunJob(options, input, launcher);
  std::fclose(f);
  REQUIRE_MESSAGE(run.summary.ok(), run.summary.status().ToString());
  REQUIRE(run.records.size() == 2);
  CHECK(run.records[0]["url"] == Fake("/page/1"));
  CHECK(run.records[1]["url"] == Fake("/page/2"));
}

}  // namespace
}  // namespace crawler::coordinator
