// RecordWriter: each record reaches its sink as it comes, in one write of a
// complete line, the header first; errors name the output.
#include "crawler/output/record_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "crawler/output/fake_line_sink.h"
#include "crawler/testing/test_util.h"

namespace crawler::output {
namespace {

ipc::FetchResult Page(int i) {
  ipc::FetchResult r;
  r.url = "http://a.test/" + std::to_string(i);
  r.final_url = r.url;
  r.status = 200;
  r.parsed = true;
  r.title = std::string(static_cast<size_t>(i) * 100, 't');
  return r;
}

TEST_CASE("Each record is one Write of one whole line, as it comes") {
  FakeLineSink sink;
  RecordWriter w(sink, NewRecordFormat(OutputFormat::kJsonLines, {}));
  for (int i = 0; i < 50; ++i) {
    REQUIRE_OK(w.Write(Page(i)));
    // Written at once: no Flush needed.
    REQUIRE(sink.writes().size() == static_cast<size_t>(i + 1));
    const std::string& line = sink.writes().back();
    CHECK(line == FormatRecord(Page(i)));
    CHECK(line.back() == '\n');
    CHECK(line.find('\n') == line.size() - 1);
    CHECK_FALSE(nlohmann::json::parse(line, nullptr, false).is_discarded());
  }
  CHECK(w.records() == 50);
  REQUIRE_OK(w.Flush());
  CHECK(sink.writes().size() == 50);  // Nothing was held back.
}

TEST_CASE("CSV: the header is written once, before the first record") {
  FakeLineSink sink;
  RecordWriter w(
      sink, NewRecordFormat(OutputFormat::kCsv, {Field::kUrl, Field::kStatus}));
  REQUIRE_OK(w.Write(Page(1)));
  REQUIRE_OK(w.Write(Page(2)));
  REQUIRE(sink.writes().size() == 3);
  CHECK(sink.writes()[0] == "url,status\r\n");
  CHECK(sink.writes()[1] == "http://a.test/1,200\r\n");
  CHECK(sink.writes()[2] == "http://a.test/2,200\r\n");
}

TEST_CASE("CSV: an output without records still has its header") {
  FakeLineSink sink;
  RecordWriter w(sink, NewRecordFormat(OutputFormat::kCsv, {Field::kUrl}));
  REQUIRE_OK(w.Flush());
  REQUIRE_OK(w.Flush());
  CHECK(sink.text() == "url\r\n");
  CHECK(w.records() == 0);
}

TEST_CASE("A failed write is reported and the record not counted") {
  FakeLineSink sink;
  RecordWriter w(sink, NewRecordFormat(OutputFormat::kJsonLines, {}));
  REQUIRE_OK(w.Write(Page(1)));
  sink.FailWith(ErrnoError("writing out.jsonl", ENOSPC));
  Status s = w.Write(Page(2));
  CHECK_FALSE(s.ok());
  CHECK(s.message() == "writing out.jsonl: No space left on device");
  CHECK(w.records() == 1);
}

TEST_CASE("A full disk is reported at the Write, naming the path") {
  auto sink = OpenLineSink("/dev/full");
  REQUIRE_OK(sink.status());
  RecordWriter w(**sink, NewRecordFormat(OutputFormat::kJsonLines, {}));
  Status s = w.Write(Page(1));
  CHECK_FALSE(s.ok());
  CHECK(s.message().find("/dev/full") != std::string::npos);
  CHECK(s.message().find("No space left on device") != std::string::npos);
}

TEST_CASE("OpenLineSink: a file is created and truncated; '-' is stdout") {
  const std::string path = crawler::testing::TempDir() + "/sink_" +
                           std::to_string(getpid()) + ".jsonl";
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    REQUIRE(f != nullptr);
    std::fputs("old contents that must go\n", f);
    std::fclose(f);
  }
  auto sink = OpenLineSink(path);
  REQUIRE_OK(sink.status());
  CHECK((*sink)->name() == path);
  CHECK_FALSE((*sink)->IsTerminal());
  REQUIRE_OK((*sink)->Write("a\n"));
  REQUIRE_OK((*sink)->Write("b\n"));
  REQUIRE_OK((*sink)->Close());
  CHECK_FALSE((*sink)->Write("c\n").ok());  // Closed.
  std::FILE* f = std::fopen(path.c_str(), "r");
  REQUIRE(f != nullptr);
  char buf[64] = {};
  const size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  std::remove(path.c_str());
  CHECK(std::string(buf, n) == "a\nb\n");

  auto out = OpenLineSink("-");
  REQUIRE_OK(out.status());
  CHECK((*out)->name() == "standard output");
  REQUIRE_OK((*out)->Close());  // Standard output itself stays open.
  CHECK(fcntl(STDOUT_FILENO, F_GETFD) != -1);

  auto missing = OpenLineSink("/nonexistent/dir/out.jsonl");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message().find("/nonexistent/dir/out.jsonl") !=
        std::string::npos);
}

TEST_CASE("The FILE* constructor writes JSON lines to its descriptor") {
  std::FILE* f = std::tmpfile();
  REQUIRE(f != nullptr);
  {
    RecordWriter w(f, "tmp.jsonl");
    REQUIRE_OK(w.Write(Page(1)));
    CrawlContext ctx{1, "http://a.test/"};
    REQUIRE_OK(w.Write(Page(2), &ctx));
  }
  std::rewind(f);
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  std::fclose(f);
  CrawlContext ctx{1, "http://a.test/"};
  CHECK(text == FormatRecord(Page(1)) + FormatRecord(Page(2), &ctx));
}

}  // namespace
}  // namespace crawler::output
