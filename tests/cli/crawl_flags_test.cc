#include "crawler/cli/crawl_flags.h"

#include <algorithm>
#include <fstream>

#include "crawler/testing/test_util.h"

namespace crawler::cli {
namespace {

TEST_CASE("crawl flags: defaults are polite and safe") {
  StatusOr<CrawlFlags> f = ParseCrawlFlags({"http://a.test/"});
  REQUIRE(f.ok());
  CHECK(f->seeds == std::vector<std::string>{"http://a.test/"});
  CHECK(f->job.frontier.delay_s == 1.0);
  CHECK(f->job.frontier.per_host == 1);
  CHECK(f->job.robots);
  CHECK(f->job.honour_nofollow);
  CHECK(f->job.max_depth == 20);
  CHECK(f->fetch.user_agent == "crawler/0.1.0");
  CHECK(f->job.product_token == "crawler");
  CHECK_FALSE(f->fetch.allow_private_addresses);
  CHECK(f->fetch.max_redirects == 0);  // The coordinator follows them.
  CHECK(f->job.workers.lease_timeout_ms == f->fetch.total_timeout_ms + 10000);
  // Session ids are stripped by default.
  const auto& strip = f->job.url.strip_query_params;
  CHECK(std::find(strip.begin(), strip.end(), "jsessionid") != strip.end());
  CHECK(std::find(strip.begin(), strip.end(), "phpsessid") != strip.end());
}

TEST_CASE("crawl flags: the documented command-line contract") {
  StatusOr<CrawlFlags> f = ParseCrawlFlags({"--seeds",
                                            "s.txt",
                                            "--workers",
                                            "3",
                                            "--concurrency",
                                            "8",
                                            "--delay",
                                            "0",
                                            "--per-host",
                                            "4",
                                            "--max-depth",
                                            "2",
                                            "--max-pages",
                                            "100",
                                            "--scope",
                                            "domain",
                                            "--include",
                                            "^http://a",
                                            "--include",
                                            "x",
                                            "--exclude",
                                            "\\.pdf$",
                                            "--user-agent",
                                            "MyBot/2.0 (+http://x)",
                                            "--no-robots",
                                            "-o",
                                            "out.jsonl",
                                            "--allow-private",
                                            "--max-bytes",
                                            "10M",
                                            "--max-duration",
                                            "1.5",
                                            "--strip-query",
                                            "utm_*",
                                            "--keep-session-ids",
                                            "--sitemaps",
                                            "--follow-nofollow"});
  REQUIRE_MESSAGE(f.ok(), f.status().ToString());
  CHECK(f->seed_files == std::vector<std::string>{"s.txt"});
  CHECK(f->job.workers.workers == 3);
  CHECK(f->job.workers.concurrency == 8);
  CHECK(f->fetch.max_concurrency == 8);
  CHECK(f->job.frontier.delay_s == 0);
  CHECK(f->job.frontier.per_host == 4);
  CHECK(f->job.max_depth == 2);
  CHECK(f->job.max_pages == 100);
  CHECK(f->job.scope.mode == scope::ScopeMode::kDomain);
  CHECK(f->job.scope.include.size() == 2);
  CHECK(f->job.scope.exclude.size() == 1);
  CHECK(f->job.product_token == "MyBot");
  CHECK_FALSE(f->job.robots);
  CHECK(f->output == "out.jsonl");
  CHECK(f->fetch.allow_private_addresses);
  CHECK(f->job.max_bytes == 10 << 20);
  CHECK(f->job.max_duration_s == 1.5);
  CHECK(f->job.url.strip_query_params == std::vector<std::string>{"utm_*"});
  CHECK(f->job.sitemaps);
  CHECK_FALSE(f->job.honour_nofollow);
}

TEST_CASE("crawl flags: query-explosion guards (fault matrix T5)") {
  StatusOr<CrawlFlags> f = ParseCrawlFlags({"http://a.test/"});
  REQUIRE(f.ok());
  CHECK(f->job.frontier.max_query_variants == 1000);  // On by default.
  CHECK_FALSE(f->job.url.sort_query);
  f = ParseCrawlFlags({"--max-query-variants", "0", "--sort-query", "x"});
  REQUIRE_MESSAGE(f.ok(), f.status().ToString());
  CHECK(f->job.frontier.max_query_variants == 0);
  CHECK(f->job.url.sort_query);
  f = ParseCrawlFlags({"--max-query-variants=50"});
  REQUIRE(f.ok());
  CHECK(f->job.frontier.max_query_variants == 50);
  CHECK_FALSE(ParseCrawlFlags({"--max-query-variants", "-1"}).ok());
  CHECK_FALSE(ParseCrawlFlags({"--sort-query=1"}).ok());
}

TEST_CASE("crawl flags: bad values name the flag and the value") {
  auto err = [](std::vector<std::string> args) {
    StatusOr<CrawlFlags> f = ParseCrawlFlags(args);
    REQUIRE_FALSE(f.ok());
    CHECK(f.status().code() == Code::kInvalidArgument);
    return f.status().message();
  };
  CHECK(err({"--delay", "-1"}).find("--delay") != std::string::npos);
  CHECK(err({"--scope", "planet"}).find("planet") != std::string::npos);
  CHECK(err({"--per-host", "0"}).find("--per-host") != std::string::npos);
  CHECK(err({"--max-depth", "x"}).find("'x'") != std::string::npos);
  CHECK(err({"--user-agent", "/1.0"}).find("product token") !=
        std::string::npos);
  CHECK(err({"--no-robots=1"}).find("takes no value") != std::string::npos);
  CHECK(err({"--frobnicate"}).find("unknown option '--frobnicate'") !=
        std::string::npos);
  CHECK(err({"--max-pages"}).find("needs a value") != std::string::npos);
}

TEST_CASE("crawl flags: --allow-address is repeatable and checked") {
  StatusOr<CrawlFlags> f =
      ParseCrawlFlags({"--allow-address", "127.0.0.1:8080",
                       "--allow-address=10.0.0.0/8", "http://a.test/"});
  REQUIRE(f.ok());
  CHECK(f->fetch.allowed_addresses ==
        std::vector<std::string>{"127.0.0.1:8080", "10.0.0.0/8"});
  CHECK_FALSE(f->fetch.allow_private_addresses);
  for (const char* bad : {"127.0.0.1:0", "localhost", "10.0.0.1/8", ""}) {
    StatusOr<CrawlFlags> g = ParseCrawlFlags({"--allow-address", bad});
    REQUIRE_FALSE(g.ok());
    CHECK(g.status().code() == Code::kInvalidArgument);
    CHECK(g.status().message().find("--allow-address") != std::string::npos);
    CHECK(g.status().message().find("'" + std::string(bad) + "'") !=
          std::string::npos);
  }
  CHECK_FALSE(ParseCrawlFlags({"--allow-address"}).ok());
  CHECK(std::string(CrawlUsage()).find("--allow-address CIDR[:PORT]") !=
        std::string::npos);
}

TEST_CASE("ReadSeedFile: comments, blank lines, whitespace; missing file") {
  const std::string path = crawler::testing::TempDir() + "/seeds.txt";
  {
    std::ofstream f(path);
    f << "# seeds\n\n  http://a.test/  \nhttp://b.test/x\r\n   # indented "
         "comment\n";
  }
  StatusOr<std::vector<std::string>> seeds = ReadSeedFile(path);
  REQUIRE(seeds.ok());
  CHECK(*seeds ==
        std::vector<std::string>{"http://a.test/", "http://b.test/x"});
  StatusOr<std::vector<std::string>> missing =
      ReadSeedFile("/nonexistent/s.txt");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message().find("/nonexistent/s.txt") !=
        std::string::npos);
}

}  // namespace
}  // namespace crawler::cli
