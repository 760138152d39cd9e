#include "crawler/cli/shared_crawl.h"

#include "crawler/cli/crawl_flags.h"
#include "crawler/testing/test_util.h"

namespace crawler::cli {
namespace {

TEST_SUITE("SharedCrawl") {
  TEST_CASE("each node's output file has the node id before the extension") {
    CHECK(NodeOutputPath("pages.jsonl", "n1") == "pages.n1.jsonl");
    CHECK(NodeOutputPath("out/pages.csv", "n1") == "out/pages.n1.csv");
    CHECK(NodeOutputPath("out.d/pages", "n1") == "out.d/pages.n1");
    CHECK(NodeOutputPath("pages", "n1") == "pages.n1");
    CHECK(NodeOutputPath(".pages", "n1") == ".pages.n1");
    CHECK(NodeOutputPath("-", "n1") == "-");
    CHECK(NodeOutputPath("", "n1") == "");
  }

  TEST_CASE("each node's WARC prefix ends with the node id") {
    CHECK(NodeWarcPrefix("out/crawl", "n1") == "out/crawl.n1");
    CHECK(NodeWarcPrefix("crawl", "host-42") == "crawl.host-42");
    CHECK(NodeWarcPrefix("out.d/crawl.v2", "n1") == "out.d/crawl.v2.n1");
    CHECK(NodeWarcPrefix("", "n1") == "");
  }

  TEST_CASE("the default crawl name is the first seed's host") {
    CHECK(DefaultCrawlName({"https://Example.com/a", "https://b.test/"}) ==
          "example.com");
    CHECK(DefaultCrawlName({"not a url", "http://b.test:8080/"}) == "b.test");
    CHECK(DefaultCrawlName({"http://[::1]:8080/"}) == "___1_");
    CHECK(DefaultCrawlName({}) == "crawl");
  }

  TEST_CASE("the default node id is hostname-pid, a valid name") {
    const std::string id = DefaultNodeId();
    CHECK(CheckSharedName("id", id).ok());
    CHECK(id.find('-') != std::string::npos);
  }

  TEST_CASE("names go into keys and file names: a small alphabet") {
    CHECK(CheckSharedName("--node-id", "node-1.a_b").ok());
    CHECK_FALSE(CheckSharedName("--node-id", "").ok());
    CHECK_FALSE(CheckSharedName("--node-id", "a/b").ok());
    CHECK_FALSE(CheckSharedName("--node-id", std::string(101, 'a')).ok());
  }

  TEST_CASE("crawl flags: --frontier and its companions") {
    StatusOr<CrawlFlags> f = ParseCrawlFlags(
        {"http://a.test/", "--frontier", "redis://127.0.0.1:6390/3",
         "--crawl-name", "c1", "--node-id", "n1", "--frontier-timeout", "5",
         "--frontier-lease", "2"});
    REQUIRE(f.ok());
    CHECK(f->frontier_url == "redis://127.0.0.1:6390/3");
    CHECK(f->crawl_name == "c1");
    CHECK(f->node_id == "n1");
    CHECK(f->job.frontier_unavailable_timeout_s == 5);
    CHECK(f->frontier_lease_ms == 2000);
    CHECK_FALSE(ParseCrawlFlags({"--frontier", "http://a.test/"}).ok());
    CHECK_FALSE(ParseCrawlFlags({"--node-id", "a b"}).ok());
  }
}

}  // namespace
}  // namespace crawler::cli
