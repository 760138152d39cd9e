// `crawler cron` (the crontab line) and the usage errors of `crawler
// schedule`, through their command functions. The line itself is run by a
// shell in tests/e2e/schedule_e2e_test.cc.
#include "crawler/cli/schedule_command.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "crawler/testing/test_util.h"

namespace crawler::cli {
namespace {

using testing::Captured;

// A crawl file in a fresh directory; returns its path.
std::string WriteCrawlFile(const std::string& name, const std::string& extra) {
  const std::string dir = testing::TempDir() + "/cron-" + name;
  mkdir(dir.c_str(), 0777);
  const std::string path = dir + "/" + name + ".yaml";
  std::ofstream(path) << "seeds:\n  urls: [\"https://example.com/\"]\n"
                      << extra;
  return path;
}

Captured Cron(const std::vector<std::string>& args) {
  return testing::Capture([&](std::FILE* out, std::FILE* err) {
    return RunCronCommand(args, out, err, "/opt/crawler/bin/crawler");
  });
}

Captured Schedule(const std::vector<std::string>& args) {
  return testing::Capture([&](std::FILE* out, std::FILE* err) {
    return RunScheduleCommand(args, out, err);
  });
}

// The crontab entry: the last line of the output.
std::string Entry(const std::string& out) {
  std::string s = out;
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s.substr(s.rfind('\n') + 1);
}

TEST_CASE(
    "cron: the entry runs the file by absolute paths, logging to the "
    "state directory") {
  const std::string file = WriteCrawlFile(
      "nightly",
      "state:\n  dir: state/nightly\nschedule:\n  cron: \"30 2 * "
      "* mon-fri\"\n");
  const std::string cwd = file.substr(0, file.rfind('/'));
  Captured c = Cron({file, "--cwd", cwd});
  REQUIRE_MESSAGE(c.code == 0, c.err);
  // (Paths of plain characters are not quoted; CrontabQuote is tested
  // below.)
  CHECK(Entry(c.out) ==
        "30 2 * * mon-fri cd " + CrontabQuote(cwd) +
            " && /opt/crawler/bin/crawler run " + CrontabQuote(file) + " >> " +
            CrontabQuote(cwd + "/state/nightly/crawl.log") + " 2>&1");
  CHECK(c.out.rfind("# crawler: ", 0) == 0);
  CHECK(c.out.find("# next run: ") != std::string::npos);
}

TEST_CASE(
    "cron: macros are expanded; without a state the log is named "
    "after the file") {
  const std::string file =
      WriteCrawlFile("weekly", "schedule:\n  cron: \"@weekly\"\n");
  const std::string cwd = file.substr(0, file.rfind('/'));
  Captured c = Cron({file, "--cwd", cwd});
  REQUIRE_MESSAGE(c.code == 0, c.err);
  const std::string entry = Entry(c.out);
  CHECK(entry.rfind("0 0 * * 0 cd ", 0) == 0);
  CHECK(entry.find(">> " + CrontabQuote(cwd + "/weekly.log") + " 2>&1") !=
        std::string::npos);
}

TEST_CASE(
    "cron: --log, --cwd, run options after --, and quoting of % and quotes") {
  const std::string file = WriteCrawlFile(
      "opts", "schedule:\n  cron: \"*/20 6-22 * * *\"\n  log: logs/file.log\n");
  const std::string cwd = file.substr(0, file.rfind('/'));
  SUBCASE("schedule.log is the default log; its directory is made") {
    Captured c = Cron({file, "--cwd", cwd});
    REQUIRE_MESSAGE(c.code == 0, c.err);
    CHECK(Entry(c.out) == "*/20 6-22 * * * cd " + CrontabQuote(cwd) +
                              " && /opt/crawler/bin/crawler run " +
                              CrontabQuote(file) + " >> " +
                              CrontabQuote(cwd + "/logs/file.log") + " 2>&1");
    struct stat st;
    CHECK(stat((cwd + "/logs/file.log").c_str(), &st) == 0);
  }
  SUBCASE("--log wins; % is escaped for cron, ' for the shell") {
    Captured c = Cron({file, "--cwd", cwd, "--log", "it's 100%.log", "--",
                       "--quiet", "--max-pages", "50"});
    REQUIRE_MESSAGE(c.code == 0, c.err);
    CHECK(Entry(c.out) == "*/20 6-22 * * * cd " + CrontabQuote(cwd) +
                              " && /opt/crawler/bin/crawler run " +
                              CrontabQuote(file) +
                              " --quiet --max-pages 50 >> '" + cwd +
                              "/it'\\''s 100\\%.log' 2>&1");
  }
  SUBCASE("a log that cannot be written fails now, not at the first run") {
    Captured c = Cron({file, "--log", "/proc/no/such.log"});
    CHECK(c.code == 1);
    CHECK_MESSAGE(c.err.find("cannot write the log /proc/no/such.log") !=
                      std::string::npos,
                  c.err);
    CHECK(c.out.empty());
  }
  SUBCASE("--cwd must be a directory") {
    Captured c = Cron({file, "--cwd", "/nonexistent/dir"});
    CHECK(c.code == 2);
    CHECK(c.err.find("--cwd /nonexistent/dir is not a directory") !=
          std::string::npos);
  }
}

TEST_CASE(
    "cron and schedule: a file without schedule.cron is a usage error "
    "that shows how to add one") {
  const std::string file = WriteCrawlFile("none", "");
  for (bool cron : {true, false}) {
    Captured c = cron ? Cron({file}) : Schedule({file});
    CHECK(c.code == 2);
    CHECK(c.out.empty());
    CHECK_MESSAGE(c.err.find("has no schedule.cron") != std::string::npos,
                  c.err);
    CHECK(c.err.find("cron: \"30 2 * * *\"") != std::string::npos);
  }
}

TEST_CASE("cron: a bad expression is reported where it is, by the loader") {
  const std::string file =
      WriteCrawlFile("bad", "schedule:\n  cron: \"61 * * * *\"\n");
  Captured c = Cron({file});
  CHECK(c.code == 2);
  CHECK_MESSAGE(c.err.find(file + ":4:") != std::string::npos, c.err);
  CHECK(c.err.find("schedule.cron") != std::string::npos);
  CHECK(c.err.find("minute") != std::string::npos);
}

TEST_CASE("cron and schedule: usage errors") {
  const std::string file =
      WriteCrawlFile("usage", "schedule:\n  cron: \"@daily\"\n");
  CHECK(Cron({}).err.find("expected a crawl file") != std::string::npos);
  CHECK(Cron({file, "--bogus"}).err.find("unknown option '--bogus'") !=
        std::string::npos);
  CHECK(Cron({file, "other.yaml"}).err.find("unexpected argument") !=
        std::string::npos);
  CHECK(Cron({file, "--log"}).code == 2);
  CHECK(Cron({file, "--run-now"}).code == 2);  // A schedule option.
  CHECK(Schedule({file, "--max-runs", "0"})
            .err.find("--max-runs expects a whole number") !=
        std::string::npos);
  CHECK(Schedule({file, "--cwd", "/tmp"}).code == 2);  // A cron option.
  CHECK(Cron({"/nonexistent/crawl.yaml"}).code == 2);
  Captured help = Schedule({"--help"});
  CHECK(help.code == 0);
  CHECK(help.out.find("Usage: crawler schedule") == 0);
  CHECK(Cron({"-h"}).out.find("Usage: crawler cron") == 0);
}

TEST_CASE("CrontabQuote") {
  CHECK(CrontabQuote("/usr/bin/crawler") == "/usr/bin/crawler");
  CHECK(CrontabQuote("a b") == "'a b'");
  CHECK(CrontabQuote("50%") == "'50\\%'");
  CHECK(CrontabQuote("it's") == "'it'\\''s'");
  CHECK(CrontabQuote("$HOME") == "'$HOME'");
  CHECK(CrontabQuote("") == "''");
}

}  // namespace
}  // namespace crawler::cli
