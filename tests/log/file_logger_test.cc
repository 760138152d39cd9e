// FileLogger: timestamped lines in a log file; OpenLogFile appends.
#include "crawler/log/file_logger.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "crawler/log/fake_text_sink.h"
#include "crawler/testing/test_util.h"

namespace crawler::log {
namespace {

TEST_CASE("Each message is one line: UTC time, level, message") {
  FakeTextSink file;
  FakeClock clock;
  clock.SetWall(std::chrono::system_clock::from_time_t(1767225600) +
                std::chrono::milliseconds(1234));  // 2026-01-01 00:00:01.234
  FileLogger logger(file, LogLevel::kInfo, clock);
  logger.Warn("robots.txt of http://a.test unreachable");
  clock.Advance(std::chrono::seconds(61));
  logger.Info("crawl stopped (done)");
  logger.Debug("not written");
  REQUIRE(file.writes().size() == 2);
  CHECK(file.writes()[0] ==
        "2026-01-01T00:00:01.234Z warn robots.txt of http://a.test "
        "unreachable\n");
  CHECK(file.writes()[1] ==
        "2026-01-01T00:01:02.234Z info crawl stopped (done)\n");
  CHECK_FALSE(logger.Enabled(LogLevel::kDebug));
}

TEST_CASE("A message cannot add lines to the log") {
  FakeTextSink file;
  FakeClock clock;
  FileLogger logger(file, LogLevel::kDebug, clock);
  logger.Error("a\nb\rc");
  CHECK(file.text().find("a?b?c\n") != std::string::npos);
  CHECK(file.text().find('\n') == file.text().size() - 1);
}

TEST_CASE("OpenLogFile appends to an existing file") {
  const std::string path =
      crawler::testing::TempDir() + "/log_" + std::to_string(getpid()) + ".log";
  std::remove(path.c_str());
  for (const char* text : {"one\n", "two\n"}) {
    auto sink = OpenLogFile(path);
    REQUIRE_OK(sink.status());
    CHECK_FALSE((*sink)->IsTerminal());
    CHECK((*sink)->Columns() == 0);
    REQUIRE_OK((*sink)->Write(text));
  }
  std::FILE* f = std::fopen(path.c_str(), "r");
  REQUIRE(f != nullptr);
  char buf[64] = {};
  const size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  std::remove(path.c_str());
  CHECK(std::string(buf, n) == "one\ntwo\n");
  auto bad = OpenLogFile("/nonexistent/dir/crawl.log");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("/nonexistent/dir/crawl.log") !=
        std::string::npos);
}

}  // namespace
}  // namespace crawler::log
