// --warc and --warc-max-size on `crawler crawl` and `crawler fetch`, and
// the checks made before any worker starts.
#include "crawler/cli/warc_flags.h"

#include <string>
#include <vector>

#include "crawler/cli/crawl_flags.h"
#include "crawler/cli/fetch_flags.h"
#include "crawler/testing/test_util.h"

namespace crawler::cli {
namespace {

TEST_SUITE("WarcFlags") {
  TEST_CASE("crawl: --warc turns the capture on; off by default") {
    StatusOr<CrawlFlags> off = ParseCrawlFlags({"http://a.test/"});
    REQUIRE_OK(off.status());
    CHECK(off->warc.prefix.empty());
    CHECK(!off->fetch.capture_exchanges);
    CHECK(off->warc.max_file_bytes == 1000000000);
    StatusOr<CrawlFlags> on = ParseCrawlFlags(
        {"--warc", "out/crawl", "--warc-max-size=64M", "http://a.test/"});
    REQUIRE_OK(on.status());
    CHECK(on->warc.prefix == "out/crawl");
    CHECK(on->warc.max_file_bytes == 64u << 20);
    CHECK(on->fetch.capture_exchanges);
    CHECK(on->warc.compression_level == 1);
    StatusOr<CrawlFlags> stored = ParseCrawlFlags(
        {"--warc", "x", "--warc-compression-level", "0", "http://a.test/"});
    REQUIRE_OK(stored.status());
    CHECK(stored->warc.compression_level == 0);
  }

  TEST_CASE("fetch: the same flags") {
    StatusOr<FetchFlags> on =
        ParseFetchFlags({"--warc=x", "--warc-max-size", "1K", "http://a/"});
    REQUIRE_OK(on.status());
    CHECK(on->warc.prefix == "x");
    CHECK(on->warc.max_file_bytes == 1024);
    CHECK(on->fetch.capture_exchanges);
    StatusOr<FetchFlags> off = ParseFetchFlags({"http://a/"});
    REQUIRE_OK(off.status());
    CHECK(!off->fetch.capture_exchanges);
  }

  TEST_CASE("bad values are usage errors that name the flag") {
    auto error = [](std::vector<std::string> args) {
      args.push_back("http://a.test/");
      return ParseCrawlFlags(args).status();
    };
    Status s = error({"--warc", "dir/"});
    CHECK(s.code() == Code::kInvalidArgument);
    CHECK(s.message().rfind("--warc expects a file name prefix", 0) == 0);
    CHECK(error({"--warc", ""}).code() == Code::kInvalidArgument);
    s = error({"--warc-max-size", "100"});
    CHECK(s.message() ==
          "--warc-max-size expects at least 1024 bytes, got '100'");
    CHECK(error({"--warc-max-size", "lots"}).code() == Code::kInvalidArgument);
    CHECK(error({"--warc-compression-level", "13"}).message() ==
          "--warc-compression-level expects an integer from 0 to 12, got '13'");
    CHECK(error({"--warc"}).code() == Code::kInvalidArgument);
  }

  TEST_CASE("the prefix's directory must exist and be writable") {
    warc::WarcOptions o;
    o.prefix = "/nonexistent-dir-for-warc-test/crawl";
    StatusOr<warc::ArchiveFactory> f =
        MakeWarcArchiveFactory(o, "crawler/test", {});
    CHECK(f.status().code() == Code::kInvalidArgument);
    CHECK(f.status().message().find("/nonexistent-dir-for-warc-test/") !=
          std::string::npos);
    o.prefix = testing::TempDir() + "/crawl";
    f = MakeWarcArchiveFactory(o, "crawler/test", {{"robots", "classic"}});
    REQUIRE_OK(f.status());
    CHECK(static_cast<bool>(*f));
  }
}

}  // namespace
}  // namespace crawler::cli
