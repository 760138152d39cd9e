#include "crawler/cli/status_command.h"

#include <cstdio>
#include <memory>
#include <string>

#include "crawler/base/clock.h"
#include "crawler/frontier/redis_frontier.h"
#include "crawler/testing/test_util.h"
#include "tests/redis/redis_server.h"

namespace crawler::cli {
namespace {

using Run = testing::Captured;

Run Status(const std::vector<std::string>& args) {
  return testing::Capture([&](std::FILE* out, std::FILE* err) {
    return RunStatusCommand(args, out, err);
  });
}

TEST_SUITE("StatusCommand") {
  TEST_CASE("the progress of a shared crawl, as text and as JSON") {
    auto server = testing::RedisServer::Start();
    REQUIRE_MESSAGE(server.ok(), server.status().ToString());
    const std::string url = (*server)->Url();
    SystemClock clock;
    frontier::RedisFrontierOptions o;
    o.crawl_name = "c1";
    o.node_id = "n1";
    auto f = frontier::RedisFrontier::Create(url, {}, o, clock);
    REQUIRE_MESSAGE(f.ok(), f.status().ToString());
    for (const char* u :
         {"http://a.test/", "http://a.test/x", "http://b.test/"}) {
      frontier::CrawlItem item;
      item.url = u;
      item.host = std::string(u).substr(0, std::string(u).find('/', 7));
      (*f)->Add(item);
    }
    REQUIRE_OK((*f)->Flush());
    auto claimed = (*f)->ClaimRecord("http://a.test/");
    REQUIRE_OK(claimed.status());

    Run text = Status({"--frontier", url});  // The only crawl: found.
    CHECK(text.code == 0);
    CHECK(text.out.find("crawl c1: 3 queued, 0 in flight, 1 done, 3 seen") ==
          0);
    CHECK(text.out.find("  n1: ") != std::string::npos);

    Run json = Status({"--frontier=" + url, "--crawl-name", "c1", "--json"});
    CHECK(json.code == 0);
    CHECK(json.out.find("{\"crawl\":\"c1\",\"queued\":3,\"in_flight\":0,"
                        "\"done\":1,\"seen\":3,") == 0);
    CHECK(json.out.find("\"nodes\":[{\"id\":\"n1\",") != std::string::npos);

    Run missing = Status({"--frontier", url, "--crawl-name", "other"});
    CHECK(missing.code == 1);
    CHECK(missing.err.find("no crawl named 'other'") != std::string::npos);
  }

  TEST_CASE("usage errors and an unreachable Redis") {
    CHECK(Status({}).code == 2);
    CHECK(Status({"--frontier", "http://x/"}).code == 2);
    CHECK(Status({"--bogus"}).code == 2);
    CHECK(Status({"--help"}).code == 0);
    // Port 1 on loopback: nothing listens there.
    Run down =
        Status({"--frontier", "redis://127.0.0.1:1/0", "--crawl-name", "c1"});
    CHECK(down.code == 1);
    CHECK(down.err.find("cannot connect") != std::string::npos);
  }
}

}  // namespace
}  // namespace crawler::cli
