// Console: log lines by level on standard error, and the status line that
// exists only on a terminal.
#include "crawler/log/console.h"

#include <string>

#include "crawler/log/fake_logger.h"
#include "crawler/log/fake_text_sink.h"
#include "crawler/log/log_options.h"
#include "crawler/testing/test_util.h"

namespace crawler::log {
namespace {

TEST_CASE("Levels: a console shows its level and everything more severe") {
  FakeTextSink err;
  Console console(err, LogLevel::kWarn);
  console.Error("e");
  console.Warn("w");
  console.Info("i");
  console.Debug("d");
  CHECK(err.text() == "crawler: e\ncrawler: w\n");
  CHECK(console.Enabled(LogLevel::kError));
  CHECK(console.Enabled(LogLevel::kWarn));
  CHECK_FALSE(console.Enabled(LogLevel::kInfo));
  CHECK_FALSE(console.Enabled(LogLevel::kDebug));
}

TEST_CASE("Levels: quiet (error) to verbose (debug)") {
  const struct {
    LogLevel level;
    const char* shown;
  } cases[] = {
      {LogLevel::kError, "E"},
      {LogLevel::kWarn, "EW"},
      {LogLevel::kInfo, "EWI"},
      {LogLevel::kDebug, "EWID"},
  };
  for (const auto& c : cases) {
    CAPTURE(LogLevelName(c.level));
    FakeTextSink err;
    Console console(err, c.level);
    console.Error("E");
    console.Warn("W");
    console.Info("I");
    console.Debug("D");
    std::string shown;
    for (char ch : err.text()) {
      if (ch >= 'A' && ch <= 'Z') shown.push_back(ch);
    }
    CHECK(shown == c.shown);
  }
}

TEST_CASE("ParseLogLevel and LogLevelName") {
  CHECK(*ParseLogLevel("error") == LogLevel::kError);
  CHECK(*ParseLogLevel("warn") == LogLevel::kWarn);
  CHECK(*ParseLogLevel("warning") == LogLevel::kWarn);
  CHECK(*ParseLogLevel("info") == LogLevel::kInfo);
  CHECK(*ParseLogLevel("debug") == LogLevel::kDebug);
  auto bad = ParseLogLevel("loud");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message() ==
        "unknown log level 'loud' (levels: error, warn, info, debug)");
  CHECK(std::string(LogLevelName(LogLevel::kWarn)) == "warn");
}

TEST_CASE("Not a terminal: no status line at all, only log lines") {
  FakeTextSink err(/*terminal=*/false);
  Console console(err, LogLevel::kInfo);
  CHECK_FALSE(console.is_terminal());
  console.SetStatus("12 pages");
  console.SetStatus("13 pages");
  console.ClearStatus();
  CHECK(err.text().empty());
  console.Info("done");
  CHECK(err.text() == "crawler: done\n");
}

TEST_CASE("Terminal: the status line is rewritten in place with \\r") {
  FakeTextSink err(/*terminal=*/true, /*columns=*/80);
  Console console(err, LogLevel::kInfo);
  CHECK(console.is_terminal());
  console.SetStatus("12 pages");
  console.SetStatus("13 pages");
  REQUIRE(err.writes().size() == 2);
  CHECK(err.writes()[0] == "\r\x1b[K12 pages");
  CHECK(err.writes()[1] == "\r\x1b[K13 pages");
  CHECK(err.text().find('\n') == std::string::npos);  // Never a new line.
}

TEST_CASE("Terminal: a log line goes above the status line, in one write") {
  FakeTextSink err(true, 80);
  Console console(err, LogLevel::kInfo);
  console.SetStatus("13 pages");
  err.Clear();
  console.Warn("robots.txt of http://a.test unreachable");
  REQUIRE(err.writes().size() == 1);
  CHECK(err.writes()[0] ==
        "\r\x1b[Kcrawler: robots.txt of http://a.test unreachable\n"
        "13 pages");
  err.Clear();
  console.ClearStatus();
  CHECK(err.text() == "\r\x1b[K");
  err.Clear();
  console.Info("summary");
  CHECK(err.text() == "crawler: summary\n");  // Nothing to redraw.
}

TEST_CASE("Terminal: the status line is cut to the width, never wraps") {
  FakeTextSink err(true, 20);
  Console console(err, LogLevel::kInfo);
  console.SetStatus(std::string(50, 'x'));
  CHECK(err.text() == "\r\x1b[K" + std::string(19, 'x'));
  err.Clear();
  err.set_columns(0);  // Unknown width: as is.
  console.SetStatus(std::string(30, 'y'));
  CHECK(err.text() == "\r\x1b[K" + std::string(30, 'y'));
}

TEST_CASE("The destructor erases a status line left shown") {
  FakeTextSink err(true, 80);
  {
    Console console(err, LogLevel::kInfo);
    console.SetStatus("busy");
  }
  CHECK(err.text() == "\r\x1b[Kbusy\r\x1b[K");
}

TEST_CASE("Control characters in messages cannot drive the terminal") {
  FakeTextSink err(true, 80);
  Console console(err, LogLevel::kInfo);
  console.Warn("evil\x1b[2J\r\nline");
  CHECK(err.text() == "crawler: evil?[2J??line\n");
  err.Clear();
  console.SetStatus("a\x1b]0;title\x07");
  CHECK(err.text() == "\r\x1b[Ka?]0;title?");
}

TEST_CASE("PrintLine ignores the level") {
  FakeTextSink err;
  Console console(err, LogLevel::kError);
  console.Info("hidden");
  console.PrintLine("progress: 3 pages");
  CHECK(err.text() == "crawler: progress: 3 pages\n");
}

TEST_CASE("TeeLogger sends to both; NullLogger to none") {
  FakeLogger a(LogLevel::kWarn);
  FakeLogger b(LogLevel::kDebug);
  TeeLogger tee(a, b);
  CHECK(tee.Enabled(LogLevel::kDebug));
  tee.Warn("w");
  tee.Debug("d");
  CHECK(a.entries().size() == 1);
  CHECK(b.entries().size() == 2);
  CHECK(b.At(LogLevel::kDebug) == std::vector<std::string>{"d"});
  NullLogger null;
  CHECK_FALSE(null.Enabled(LogLevel::kError));
  null.Error("nothing");
}

}  // namespace
}  // namespace crawler::log
