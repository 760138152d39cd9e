// Progress on stderr: the status line on a terminal, lines with --progress
// elsewhere, nothing otherwise; and JobConsole's wiring of levels and the
// log file.
#include "crawler/cli/progress_display.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "crawler/cli/job_console.h"
#include "crawler/coordinator/crawl_job.h"
#include "crawler/log/fake_text_sink.h"
#include "crawler/testing/test_util.h"

namespace crawler::cli {
namespace {

using Mode = ProgressDisplay::Mode;
using std::chrono::milliseconds;

coordinator::ProgressSnapshot Snapshot(uint64_t done, double elapsed) {
  coordinator::ProgressSnapshot s;
  s.done = done;
  s.ok = done;
  s.bytes = done * 15000;
  s.queued = 1203;
  s.in_flight = 16;
  s.seen = 2000;
  s.elapsed_s = elapsed;
  return s;
}

TEST_CASE("ChooseProgressMode: terminal, --progress, --quiet, records") {
  const auto kInfo = log::LogLevel::kInfo;
  const auto kError = log::LogLevel::kError;
  // Not a terminal (cron, a pipe): nothing unless --progress.
  CHECK_FALSE(ChooseProgressMode(false, false, false, kInfo).has_value());
  CHECK(ChooseProgressMode(true, false, false, kInfo) == Mode::kLines);
  CHECK(ChooseProgressMode(true, false, false, kError) == Mode::kLines);
  // A terminal: the status line, unless --quiet...
  CHECK(ChooseProgressMode(false, true, false, kInfo) == Mode::kStatusLine);
  CHECK_FALSE(ChooseProgressMode(false, true, false, kError).has_value());
  CHECK(ChooseProgressMode(true, true, false, kError) == Mode::kStatusLine);
  // ...or the records go to that terminal too.
  CHECK_FALSE(ChooseProgressMode(false, true, true, kInfo).has_value());
  CHECK(ChooseProgressMode(true, true, true, kInfo) == Mode::kLines);
}

TEST_CASE("Status line: rewritten in place, at most every 200 ms") {
  log::FakeTextSink err(/*terminal=*/true, 120);
  log::Console console(err, log::LogLevel::kInfo);
  FakeClock clock;
  ProgressDisplay display(console, clock, {Mode::kStatusLine});
  display.OnProgress(Snapshot(100, 1.0));
  REQUIRE(err.writes().size() == 1);
  CHECK(err.writes()[0] ==
        "\r\x1b[K100 pages | 100.0/s | 1203 queued | 16 in flight | 0 errors "
        "| 1.5 MB | 0:01");
  clock.Advance(milliseconds(100));
  display.OnProgress(Snapshot(110, 1.1));
  CHECK(err.writes().size() == 1);  // Too soon.
  clock.Advance(milliseconds(150));
  display.OnProgress(Snapshot(125, 1.25));
  REQUIRE(err.writes().size() == 2);
  CHECK(err.writes()[1].rfind("\r\x1b[K125 pages | ", 0) == 0);
  CHECK(err.text().find('\n') == std::string::npos);
  // The end: erased, nothing left behind.
  coordinator::ProgressSnapshot last = Snapshot(130, 1.3);
  last.final = true;
  display.OnProgress(last);
  CHECK(err.writes().back() == "\r\x1b[K");
}

TEST_CASE("Status line: the rate is over the last seconds, not the average") {
  log::FakeTextSink err(true, 200);
  log::Console console(err, log::LogLevel::kInfo);
  FakeClock clock;
  ProgressDisplay display(console, clock, {Mode::kStatusLine});
  // 10 pages/s for 10 s, then 100 pages/s.
  uint64_t done = 0;
  for (int i = 0; i <= 40; ++i) {
    done += i <= 20 ? 5 : 50;
    display.OnProgress(Snapshot(done, i * 0.5));
    clock.Advance(milliseconds(500));
  }
  CHECK(err.writes().back().find(" | 100.0/s | ") != std::string::npos);
}

TEST_CASE("Status line: says when the job is stopping; log lines go above") {
  log::FakeTextSink err(true, 200);
  log::Console console(err, log::LogLevel::kInfo);
  FakeClock clock;
  ProgressDisplay display(console, clock, {Mode::kStatusLine});
  coordinator::ProgressSnapshot s = Snapshot(5, 65);
  s.stopping = "interrupted";
  display.OnProgress(s);
  CHECK(err.writes().back().find("| 1:05 | stopping (interrupted)") !=
        std::string::npos);
  console.Warn("something");
  CHECK(err.writes().back().rfind("\r\x1b[Kcrawler: something\n5 pages", 0) ==
        0);
}

TEST_CASE("Fetch on a terminal: a done line is left at the end") {
  log::FakeTextSink err(true, 200);
  log::Console console(err, log::LogLevel::kInfo);
  FakeClock clock;
  ProgressDisplay::Options o;
  o.mode = Mode::kStatusLine;
  o.final_line = true;
  ProgressDisplay display(console, clock, o);
  coordinator::ProgressSnapshot s = Snapshot(21, 0.5);
  s.unit = "URLs";
  s.queued = -1;
  s.seen = -1;
  display.OnProgress(s);
  CHECK(err.writes().back().find("21 URLs | ") != std::string::npos);
  CHECK(err.writes().back().find("queued") == std::string::npos);
  s.final = true;
  display.OnProgress(s);
  CHECK(err.text().substr(err.text().rfind("\r\x1b[K")) ==
        "\r\x1b[Kcrawler: done: 21 URLs (21 ok, 0 errors), 16 in flight, "
        "0.5 s, 42 URLs/s\n");
}

TEST_CASE("Lines (--progress off a terminal): one a second, then done") {
  log::FakeTextSink err(/*terminal=*/false);
  log::Console console(err, log::LogLevel::kError);  // Even with --quiet.
  FakeClock clock;
  ProgressDisplay display(console, clock, {Mode::kLines});
  display.OnProgress(Snapshot(1, 0));
  for (int i = 1; i <= 8; ++i) {
    clock.Advance(milliseconds(250));
    display.OnProgress(Snapshot(i * 10, i * 0.25));
    if (i < 4) CHECK(err.text().empty());  // Not before a full second.
  }
  CHECK(err.writes().size() == 2);  // At 1 s and 2 s.
  CHECK(err.writes()[0] ==
        "crawler: 40 pages (40 ok, 0 errors), 1203 queued, 16 in flight, "
        "2000 seen, 1.0 s, 40 pages/s\n");
  coordinator::ProgressSnapshot last = Snapshot(85, 2.3);
  last.final = true;
  display.OnProgress(last);
  CHECK(err.writes().back().rfind("crawler: done: 85 pages", 0) == 0);
  CHECK(err.text().find('\r') == std::string::npos);
}

TEST_CASE("A crawl's CrawlState becomes the same snapshot") {
  log::FakeTextSink err(true, 200);
  log::Console console(err, log::LogLevel::kInfo);
  FakeClock clock;
  ProgressDisplay display(console, clock, {Mode::kStatusLine});
  coordinator::CrawlSummary totals;
  totals.pages = 42;
  totals.errors = 2;
  totals.bytes = 2500000;
  totals.stop_reason = "max_pages";
  coordinator::CrawlState state;
  state.totals = &totals;
  state.queued = 7;
  state.in_flight = 3;
  state.elapsed_s = 3;
  state.stopping = true;
  display.OnProgress(state);
  CHECK(err.writes().back() ==
        "\r\x1b[K42 pages | 14.0/s | 7 queued | 3 in flight | 2 errors | "
        "2.5 MB | 0:03 | stopping (max_pages)");
}

TEST_CASE("JobConsole: levels on stderr, or the log file and errors") {
  FakeClock clock;
  SUBCASE("stderr at the chosen level; no progress off a terminal") {
    log::FakeTextSink err;
    JobConsole::Options o;
    o.log.level = log::LogLevel::kWarn;
    auto c = JobConsole::Open(o, err, clock);
    REQUIRE_OK(c.status());
    CHECK((*c)->progress() == nullptr);
    (*c)->logger().Info("hidden");
    (*c)->logger().Warn("shown");
    CHECK(err.text() == "crawler: shown\n");
  }
  SUBCASE("--progress off a terminal: lines") {
    log::FakeTextSink err;
    JobConsole::Options o;
    o.progress = true;
    auto c = JobConsole::Open(o, err, clock);
    REQUIRE_OK(c.status());
    CHECK((*c)->progress() != nullptr);
  }
  SUBCASE("--log-file: messages there, errors on stderr as well") {
    const std::string path = crawler::testing::TempDir() + "/job_" +
                             std::to_string(getpid()) + ".log";
    std::remove(path.c_str());
    log::FakeTextSink err(/*terminal=*/true, 80);
    JobConsole::Options o;
    o.log.file = path;
    o.log.level = log::LogLevel::kDebug;
    {
      auto c = JobConsole::Open(o, err, clock);
      REQUIRE_OK(c.status());
      CHECK((*c)->progress() != nullptr);  // The terminal keeps its line.
      (*c)->logger().Debug("one url");
      (*c)->logger().Error("broken");
    }
    CHECK(err.text() == "crawler: broken\n");
    std::FILE* f = std::fopen(path.c_str(), "r");
    REQUIRE(f != nullptr);
    char buf[512] = {};
    const size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    std::remove(path.c_str());
    const std::string text(buf, n);
    CHECK(text.find(" debug one url\n") != std::string::npos);
    CHECK(text.find(" error broken\n") != std::string::npos);
  }
  SUBCASE("a log file that cannot be opened is an error") {
    log::FakeTextSink err;
    JobConsole::Options o;
    o.log.file = "/nonexistent/dir/x.log";
    auto c = JobConsole::Open(o, err, clock);
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().message().find("/nonexistent/dir/x.log") !=
          std::string::npos);
  }
}

}  // namespace
}  // namespace crawler::cli
