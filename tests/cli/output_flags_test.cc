// The output and message flags of `crawler crawl` and `crawler fetch`:
// --format, --fields, -q/-v/--log-level, --log-file, --grace-period,
// --max-error-rate.
#include "crawler/cli/output_flags.h"

#include <string>
#include <vector>

#include "crawler/cli/crawl_flags.h"
#include "crawler/cli/fetch_flags.h"
#include "crawler/testing/test_util.h"

namespace crawler::cli {
namespace {

TEST_CASE("Defaults: JSON lines, every field, info, 5 s grace, no threshold") {
  StatusOr<CrawlFlags> c = ParseCrawlFlags({"http://a.test/"});
  REQUIRE_OK(c.status());
  CHECK(c->records.format == output::OutputFormat::kJsonLines);
  CHECK(c->records.fields.empty());
  CHECK(c->log.level == log::LogLevel::kInfo);
  CHECK(c->log.file.empty());
  CHECK(c->job.interrupt_grace_s == 5.0);
  CHECK(c->job.max_error_rate < 0);
  CHECK_FALSE(c->job.progress);
  StatusOr<FetchFlags> f = ParseFetchFlags({"http://a.test/"});
  REQUIRE_OK(f.status());
  CHECK(f->records.format == output::OutputFormat::kJsonLines);
  CHECK(f->job.interrupt_grace_s == 5.0);
  CHECK(f->job.max_error_rate < 0);
}

TEST_CASE("crawl: every output flag, both spellings") {
  StatusOr<CrawlFlags> c =
      ParseCrawlFlags({"--format", "csv", "--fields=url,status,depth",
                       "--log-file", "crawl.log", "--grace-period", "2.5",
                       "--max-error-rate=5%", "-o", "-", "http://a.test/"});
  REQUIRE_OK(c.status());
  CHECK(c->records.format == output::OutputFormat::kCsv);
  CHECK(c->records.fields ==
        std::vector<std::string>{"url", "status", "depth"});
  CHECK(c->log.file == "crawl.log");
  CHECK(c->job.interrupt_grace_s == 2.5);
  CHECK(c->job.max_error_rate == doctest::Approx(0.05));
  CHECK(c->output == "-");
}

TEST_CASE("--quiet, --verbose and --log-level: the last one wins") {
  auto level = [](std::vector<std::string> args) {
    args.push_back("http://a.test/");
    StatusOr<CrawlFlags> c = ParseCrawlFlags(args);
    REQUIRE_OK(c.status());
    return c->log.level;
  };
  CHECK(level({"-q"}) == log::LogLevel::kError);
  CHECK(level({"--quiet"}) == log::LogLevel::kError);
  CHECK(level({"-v"}) == log::LogLevel::kDebug);
  CHECK(level({"--verbose"}) == log::LogLevel::kDebug);
  CHECK(level({"--log-level", "warn"}) == log::LogLevel::kWarn);
  CHECK(level({"-q", "--log-level", "info"}) == log::LogLevel::kInfo);
  CHECK(level({"--log-level=debug", "-q"}) == log::LogLevel::kError);
  StatusOr<FetchFlags> f = ParseFetchFlags({"-v", "http://a.test/"});
  REQUIRE_OK(f.status());
  CHECK(f->log.level == log::LogLevel::kDebug);
}

// Each bad value fails with a message naming the flag and what it expects.
void ExpectCrawlError(const std::vector<std::string>& args,
                      const std::string& expected) {
  StatusOr<CrawlFlags> c = ParseCrawlFlags(args);
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().code() == Code::kInvalidArgument);
  CHECK_MESSAGE(c.status().message() == expected, c.status().message());
}

TEST_CASE("Usage errors name the flag and list what is valid") {
  ExpectCrawlError({"--format", "xml"},
                   "--format: unknown format 'xml' (formats: jsonl, csv)");
  ExpectCrawlError(
      {"--fields", "url,titel"},
      "--fields: unknown field 'titel' (fields: url, final_url, status, "
      "content_type, bytes, title, links, elapsed_ms, error, depth, "
      "referrer, location, canonical, noindex, change)");
  ExpectCrawlError({"--fields", "url,url"},
                   "--fields: field 'url' is given twice");
  ExpectCrawlError({"--fields", "url,,status"},
                   "--fields: expects field names separated by commas, e.g. "
                   "url,status,title; got 'url,,status'");
  ExpectCrawlError(
      {"--log-level", "loud"},
      "--log-level: unknown log level 'loud' (levels: error, warn, info, "
      "debug)");
  ExpectCrawlError({"--log-file", ""}, "--log-file needs a file name");
  ExpectCrawlError({"--grace-period", "-1"},
                   "--grace-period expects a number of seconds from 0 to "
                   "86400, got '-1'");
  ExpectCrawlError({"--max-error-rate", "1.5"},
                   "--max-error-rate expects a fraction from 0 to 1 (0.05) "
                   "or a percentage from 0% to 100% (5%), got '1.5'");
  ExpectCrawlError({"--quiet=yes"}, "--quiet takes no value, got 'yes'");
  ExpectCrawlError({"--format"},
                   "--format needs a value (see crawler crawl --help)");
}

TEST_CASE("fetch: --fields knows fetch records have no crawl fields") {
  StatusOr<FetchFlags> ok = ParseFetchFlags({"--fields", "status,url"});
  REQUIRE_OK(ok.status());
  CHECK(ok->records.fields == std::vector<std::string>{"status", "url"});
  StatusOr<FetchFlags> bad = ParseFetchFlags({"--fields", "url,depth"});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message() ==
        "--fields: field 'depth' is only in crawl records (fields: url, "
        "final_url, status, content_type, bytes, title, links, elapsed_ms, "
        "error)");
}

TEST_CASE("ParseRate: fractions and percentages") {
  CHECK(*ParseRate("--r", "0") == 0.0);
  CHECK(*ParseRate("--r", "1") == 1.0);
  CHECK(*ParseRate("--r", "0.25") == doctest::Approx(0.25));
  CHECK(*ParseRate("--r", "12.5%") == doctest::Approx(0.125));
  CHECK(*ParseRate("--r", "100%") == 1.0);
  CHECK_FALSE(ParseRate("--r", "").ok());
  CHECK_FALSE(ParseRate("--r", "%").ok());
  CHECK_FALSE(ParseRate("--r", "101%").ok());
  CHECK_FALSE(ParseRate("--r", "-0.1").ok());
  CHECK_FALSE(ParseRate("--r", "nan").ok());
  CHECK_FALSE(ParseRate("--r", "0.1x").ok());
}

TEST_CASE("--help of crawl and fetch lists every new flag and exit code 3") {
  for (const std::string help : {CrawlUsage(), FetchUsage()}) {
    for (const char* flag :
         {"--format FORMAT", "--fields LIST", "-q, --quiet", "-v, --verbose",
          "--log-level LEVEL", "--log-file FILE", "--grace-period SEC",
          "--max-error-rate RATE", "--progress"}) {
      CHECK_MESSAGE(help.find(flag) != std::string::npos, flag);
    }
    CHECK(help.find("3 when") != std::string::npos);
    CHECK(help.find("130/143") != std::string::npos);
  }
}

}  // namespace
}  // namespace crawler::cli
