// The end-of-crawl summary lines and the exit codes.
#include "crawler/cli/summary.h"

#include <signal.h>

#include <string>
#include <vector>

#include "crawler/cli/exit_codes.h"
#include "crawler/testing/test_util.h"

namespace crawler::cli {
namespace {

coordinator::CrawlSummary Sample() {
  coordinator::CrawlSummary s;
  s.pages = 120;
  s.ok = 110;
  s.errors = 3;
  s.skipped_type = 7;
  s.status_classes = {2, 0, 112, 3, 3, 0};
  s.error_classes = {{"timeout", 2}, {"connect_failed", 1}};
  s.unfetched = 12;
  s.unfetched_classes = {{"blocked_by_robots", 12}};
  s.hosts = 3;
  s.bytes = 12300000;
  s.seconds = 10;
  s.robots_fetches = 3;
  s.seen = 140;
  s.seen_bytes_per_url = 16.8;
  return s;
}

TEST_CASE("Summary: with a state, the change report line") {
  coordinator::CrawlSummary s = Sample();
  s.with_state = true;
  s.changes.new_urls = 2;
  s.changes.changed = 3;
  s.changes.unchanged = 100;
  s.changes.gone = 4;
  s.changes.resumed = 1;
  s.changes.due = 104;
  s.changes.not_due = 6;
  std::vector<std::string> lines = CrawlSummaryLines(s, false);
  REQUIRE(lines.size() == 6);
  CHECK(lines[4] ==
        "changes: 2 new, 3 changed, 100 unchanged, 4 gone; state: 1 URLs "
        "resumed, 104 due again, 6 not due");
  s.changes.vanished = 3;
  lines = CrawlSummaryLines(s, false);
  CHECK(lines[4] ==
        "changes: 2 new, 3 changed, 100 unchanged, 4 gone (3 vanished); "
        "state: 1 URLs resumed, 104 due again, 6 not due");
}

TEST_CASE("Summary: status classes, errors by class, bytes, hosts, rate") {
  const std::vector<std::string> lines = CrawlSummaryLines(Sample(), false);
  REQUIRE(lines.size() == 5);
  CHECK(lines[0] == "pages by status: 2xx 112, 3xx 3, 4xx 3, 5xx 0, none 2");
  CHECK(lines[1] == "errors: timeout 2, connect_failed 1");
  CHECK(lines[2] == "not fetched: blocked_by_robots 12");
  CHECK(lines[3] == "12.3 MB from 3 hosts in 10.0 s, 12.0 pages/s");
  CHECK(lines[4].rfind("crawl stopped (done): 120 pages (110 ok, 3 errors, "
                       "7 skipped by type), 12.3 MB, 3 robots.txt fetches",
                       0) == 0);
  CHECK(lines[4].find("seen-set 140 URLs at 16.8 bytes/URL") !=
        std::string::npos);
}

TEST_CASE("Summary: a skipped type is not an error") {
  coordinator::CrawlSummary s;
  s.pages = 2;
  s.ok = 1;
  s.skipped_type = 1;
  s.status_classes[2] = 2;
  s.hosts = 1;
  const std::vector<std::string> lines = CrawlSummaryLines(s, false);
  REQUIRE(lines.size() == 3);  // No "errors:" line, no "not fetched:" line.
  CHECK(lines[1].find("from 1 host in") != std::string::npos);
  CHECK(lines[2].find("(1 ok, 0 errors, 1 skipped by type)") !=
        std::string::npos);
}

TEST_CASE("Summary: the last line says why it stopped, and what is unsafe") {
  coordinator::CrawlSummary s = Sample();
  s.stop_reason = "interrupted";
  s.abandoned = 4;
  const std::vector<std::string> lines = CrawlSummaryLines(s, true);
  const std::string& last = lines.back();
  CHECK(last.rfind("crawl stopped (interrupted): ", 0) == 0);
  CHECK(last.find("; 4 requests in flight abandoned after the grace period") !=
        std::string::npos);
  const std::string note = "; --insecure: TLS certificates not verified";
  CHECK(last.substr(last.size() - note.size()) == note);
}

TEST_CASE("Summary: many error classes are cut after ten") {
  coordinator::CrawlSummary s;
  for (int i = 0; i < 13; ++i) {
    s.error_classes["class" + std::to_string(i)] = 20 - i;
  }
  const std::vector<std::string> lines = CrawlSummaryLines(s, false);
  CHECK(lines[1].rfind("errors: class0 20, class1 19, ", 0) == 0);
  CHECK(lines[1].find("class9 11, 27 in 3 other classes") != std::string::npos);
}

TEST_CASE("Exit codes: interrupted wins over too many errors") {
  coordinator::CrawlSummary s;
  CHECK(CrawlExitCode(s) == kExitOk);
  s.error_rate_exceeded = true;
  CHECK(CrawlExitCode(s) == kExitTooManyErrors);
  CHECK(kExitTooManyErrors == 3);
  s.interrupted_by = SIGINT;
  CHECK(CrawlExitCode(s) == 130);
  s.interrupted_by = SIGTERM;
  CHECK(CrawlExitCode(s) == 143);
  coordinator::FetchJobSummary f;
  CHECK(FetchExitCode(f) == 0);
  f.error_rate_exceeded = true;
  CHECK(FetchExitCode(f) == 3);
  f.interrupted_by = SIGINT;
  CHECK(FetchExitCode(f) == 130);
}

TEST_CASE("ErrorRateMessage") {
  CHECK(ErrorRateMessage(0.125, 5, 40, 0.1, "pages") ==
        "12.5% of the fetched pages ended with an error (5 of 40), more than "
        "--max-error-rate 10%");
}

}  // namespace
}  // namespace crawler::cli
