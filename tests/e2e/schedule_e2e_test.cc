// Scheduled crawls end to end (issue 6): the line `crawler cron` prints,
// run the way cron runs it (sh -c, a bare environment, another working
// directory); `crawler schedule` started and stopped with SIGTERM, while
// it waits and while a run is going on; two runs at once; and what each
// run leaves for monitoring (STATE_DIR/last-run.json, --summary-json,
// `crawler runs`).
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "crawler/testing/command.h"
#include "crawler/testing/site_server.h"
#include "crawler/testing/test_util.h"
#include "tests/e2e/e2e_util.h"

namespace crawler {
namespace {

using crawler::e2e::CrawlerPath;
using crawler::e2e::LineCount;
using crawler::e2e::ReadFile;
using crawler::e2e::Records;
using crawler::e2e::WaitForLines;
using crawler::testing::Command;
using crawler::testing::SiteServer;
using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

std::unique_ptr<SiteServer> StartSite(std::vector<std::string> options) {
  auto site = SiteServer::Start(options);
  REQUIRE_MESSAGE(site.ok(), site.status().ToString());
  return std::move(site).value();
}

// A fresh directory holding crawl.yaml for `site`, with a state and
// schedule `cron`.
std::string MakeCrawlDir(const std::string& name, const SiteServer& site,
                         const std::string& cron) {
  const std::string dir = crawler::testing::TempDir() + "/" + name;
  REQUIRE(std::system(
              ("rm -rf '" + dir + "' && mkdir -p '" + dir + "'").c_str()) == 0);
  std::ofstream(dir + "/crawl.yaml")
      << "seeds:\n  urls: [\"" << site.Url("/") << "\"]\n"
      << "fetch:\n  allow_private: true\n"
      << "politeness:\n  delay: 0\n  per_host: 2\n"
      << "workers:\n  count: 2\n"
      << "state:\n  dir: state\n"
      << "output:\n  path: out.jsonl\n"
      << "schedule:\n  cron: \"" << cron << "\"\n";
  return dir;
}

json LastRun(const std::string& dir) {
  const std::string text = ReadFile(dir + "/state/last-run.json");
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  REQUIRE_MESSAGE(!j.is_discarded(), "last-run.json: '" << text << "'");
  return j;
}

// Runs the crawler with `args` in `cwd` to its end; its exit code.
int RunCrawler(const std::vector<std::string>& args, const std::string& cwd,
               std::string* out, std::string* err) {
  std::vector<std::string> argv = {"/bin/sh", "-c", "cd \"$0\" && exec \"$@\"",
                                   cwd, CrawlerPath()};
  argv.insert(argv.end(), args.begin(), args.end());
  auto cmd = Command::Start(argv);
  REQUIRE(cmd.ok());
  std::optional<int> code = (*cmd)->Wait(60000);
  REQUIRE(code.has_value());
  *out = (*cmd)->Stdout();
  *err = (*cmd)->Stderr();
  return *code;
}

TEST_CASE("the crontab line of `crawler cron` runs the crawl as cron would") {
  auto site = StartSite({"--pages", "40"});
  const std::string dir = MakeCrawlDir("cron", *site, "15 3 * * *");
  std::string out, err;
  REQUIRE_MESSAGE(RunCrawler({"cron", "crawl.yaml"}, dir, &out, &err) == 0,
                  err);
  std::string entry = out.substr(out.rfind("\n", out.size() - 2) + 1);
  while (!entry.empty() && entry.back() == '\n') entry.pop_back();
  REQUIRE(entry.rfind("15 3 * * * ", 0) == 0);
  // What cron does with the command part (crontab(5)): "\%" becomes "%",
  // then /bin/sh -c runs it with a bare environment, from the home
  // directory.
  std::string command = entry.substr(std::string("15 3 * * * ").size());
  for (size_t at; (at = command.find("\\%")) != std::string::npos;) {
    command.replace(at, 2, "%");
  }
  auto cmd = Command::Start({"/usr/bin/env", "-i", "HOME=/", "SHELL=/bin/sh",
                             "PATH=/usr/bin:/bin", "/bin/sh", "-c",
                             "cd / && " + command});
  REQUIRE(cmd.ok());
  std::optional<int> code = (*cmd)->Wait(60000);
  REQUIRE(code.has_value());
  CHECK_MESSAGE(*code == 0, (*cmd)->Stderr());
  CHECK((*cmd)->Stdout().empty());  // Everything went to the log.
  // The run happened in the crawl's directory, with its state and log.
  const std::string log = ReadFile(dir + "/state/crawl.log");
  CHECK_MESSAGE(log.find("crawl stopped (done)") != std::string::npos, log);
  const json last = LastRun(dir);
  CHECK(last["outcome"] == "success");
  CHECK(last["exit_code"] == 0);
  CHECK(last["run"] == 1);
  CHECK(last["pages"].get<int>() >= 40);
  CHECK(last["changes"]["new"].get<int>() >= 40);
  CHECK(Records(dir + "/out.jsonl").size() ==
        static_cast<size_t>(last["pages"].get<int>() +
                            last["unfetched"].get<int>()));
  // And `crawler runs` lists it.
  REQUIRE(RunCrawler({"runs", "--state", "state"}, dir, &out, &err) == 0);
  CHECK_MESSAGE(out.find("success") != std::string::npos, out);
}

TEST_CASE(
    "crawler schedule --run-now: a run at once, then SIGTERM while "
    "waiting ends it at once with status 0") {
  auto site = StartSite({"--pages", "30"});
  // Not due again for a long time: the scheduler waits after the run.
  const std::string dir = MakeCrawlDir("sched-wait", *site, "0 0 1 1 *");
  auto sched =
      Command::Start({"/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", dir,
                      CrawlerPath(), "schedule", "crawl.yaml", "--run-now"});
  REQUIRE(sched.ok());
  // Wait for the run to end and the scheduler to say when the next one is.
  const auto deadline = SteadyClock::now() + std::chrono::seconds(60);
  std::optional<int> early;
  while (SteadyClock::now() < deadline && !early &&
         (*sched)->Stderr().find("next run at") == std::string::npos) {
    early = (*sched)->Wait(50);
  }
  REQUIRE_MESSAGE(!early,
                  "ended with " << *early << ": " << (*sched)->Stderr());
  const std::string before = (*sched)->Stderr();
  REQUIRE_MESSAGE(before.find("next run at") != std::string::npos, before);
  CHECK(before.find("run 1 ended with exit status 0") != std::string::npos);
  CHECK(before.find("-01-01 00:00:00") != std::string::npos);
  CHECK(LastRun(dir)["outcome"] == "success");
  const auto stop = SteadyClock::now();
  REQUIRE(kill((*sched)->pid(), SIGTERM) == 0);
  std::optional<int> code = (*sched)->Wait(10000);
  REQUIRE(code.has_value());
  CHECK(*code == 0);
  CHECK(SteadyClock::now() - stop < std::chrono::seconds(5));
  CHECK((*sched)->Stderr().find("stopped (no run in progress)") !=
        std::string::npos);
}

TEST_CASE(
    "crawler schedule: SIGTERM during a run stops the run gracefully, "
    "keeps its state, then the scheduler ends") {
  auto site = StartSite({"--pages", "400", "--slow-ms", "40"});
  const std::string dir = MakeCrawlDir("sched-run", *site, "@daily");
  auto sched = Command::Start({"/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", dir,
                               CrawlerPath(), "schedule", "crawl.yaml",
                               "--run-now", "--log", "runs.log"});
  REQUIRE(sched.ok());
  REQUIRE(WaitForLines(dir + "/out.jsonl", 20));
  REQUIRE(kill((*sched)->pid(), SIGTERM) == 0);
  std::optional<int> code = (*sched)->Wait(30000);
  REQUIRE(code.has_value());
  const std::string err = (*sched)->Stderr();
  CHECK_MESSAGE(*code == 0, err);
  CHECK(err.find("stopping the run in progress") != std::string::npos);
  CHECK(err.find("run 1 ended with exit status 143") != std::string::npos);
  CHECK(err.find("stopped (after the run in progress)") != std::string::npos);
  const json last = LastRun(dir);
  CHECK(last["outcome"] == "interrupted");
  CHECK(last["exit_code"] == 143);
  CHECK(last["signal"] == 15);
  // The run's own messages went to the log, not to the scheduler's stderr.
  CHECK(ReadFile(dir + "/runs.log").find("crawl stopped (interrupted)") !=
        std::string::npos);
  CHECK(err.find("crawl stopped") == std::string::npos);
  // The state kept the rest: the next run resumes it.
  std::string out, run_err;
  CHECK(RunCrawler({"run", "crawl.yaml"}, dir, &out, &run_err) == 0);
  CHECK_MESSAGE(
      run_err.find("URLs resumed from the last run") != std::string::npos,
      run_err);
  const json second = LastRun(dir);
  CHECK(second["run"] == 2);
  CHECK(second["outcome"] == "success");
  CHECK(second["changes"]["resumed"].get<int>() > 0);
}

TEST_CASE(
    "two runs at once: the second is refused with status 4 and says "
    "so in its summary; the state's summary stays the first run's") {
  auto site = StartSite({"--pages", "300", "--slow-ms", "50"});
  const std::string dir = MakeCrawlDir("two-runs", *site, "@hourly");
  auto first = Command::Start({"/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", dir,
                               CrawlerPath(), "run", "crawl.yaml"});
  REQUIRE(first.ok());
  REQUIRE(WaitForLines(dir + "/out.jsonl", 5));
  std::string out, err;
  const int code = RunCrawler(
      {"run", "crawl.yaml", "--summary-json", "refused.json"}, dir, &out, &err);
  CHECK(code == 4);
  CHECK_MESSAGE(err.find("in use by pid " + std::to_string((*first)->pid())) !=
                    std::string::npos,
                err);
  const json refused = json::parse(ReadFile(dir + "/refused.json"));
  CHECK(refused["outcome"] == "refused");
  CHECK(refused["exit_code"] == 4);
  CHECK(refused["message"].get<std::string>().find("in use") !=
        std::string::npos);
  CHECK_FALSE(refused.contains("pages"));
  // `crawler runs` sees the first run going on.
  REQUIRE(RunCrawler({"runs", "--state", "state"}, dir, &out, &err) == 0);
  CHECK_MESSAGE(out.find("running") != std::string::npos, out);
  REQUIRE(kill((*first)->pid(), SIGTERM) == 0);
  std::optional<int> first_code = (*first)->Wait(30000);
  REQUIRE(first_code.has_value());
  CHECK(*first_code == 143);
  const json last = LastRun(dir);
  CHECK(last["outcome"] == "interrupted");
  CHECK(last["run"] == 1);
}

}  // namespace
}  // namespace crawler
