#include "crawler/frontier/memory_frontier.h"

#include <chrono>

#include "crawler/base/clock.h"
#include "crawler/testing/test_util.h"

namespace crawler::frontier {
namespace {

using namespace std::chrono_literals;

CrawlItem Item(const std::string& host, const std::string& path,
               int depth = 0) {
  CrawlItem i;
  i.host = "http://" + host;
  i.url = i.host + path;
  i.depth = depth;
  return i;
}

std::string LeaseUrl(Frontier& f, SteadyTime now) {
  auto i = f.Lease(now);
  return i ? i->url : "";
}

TEST_CASE("Frontier: a URL is accepted once") {
  MemoryFrontier f({});
  CHECK(f.Add(Item("a.test", "/")) == AddResult::kAdded);
  CHECK(f.Add(Item("a.test", "/")) == AddResult::kSeen);
  CHECK(f.seen() == 1);
  CHECK(f.queued() == 1);
}

TEST_CASE("Frontier: breadth-first across hosts and within a host") {
  FakeClock clock;
  MemoryFrontier f({.delay_s = 0, .per_host = 10});
  f.Add(Item("a.test", "/deep", 3));
  f.Add(Item("b.test", "/mid", 1));
  f.Add(Item("a.test", "/top", 0));
  f.Add(Item("b.test", "/deeper", 4));
  CHECK(LeaseUrl(f, clock.Now()) == "http://a.test/top");
  CHECK(LeaseUrl(f, clock.Now()) == "http://b.test/mid");
  CHECK(LeaseUrl(f, clock.Now()) == "http://a.test/deep");
  CHECK(LeaseUrl(f, clock.Now()) == "http://b.test/deeper");
  CHECK(LeaseUrl(f, clock.Now()).empty());
  CHECK(!f.NextReady().has_value());
}

TEST_CASE("Frontier: one request at a time per host, 1 s apart by default") {
  FakeClock clock;
  MemoryFrontier f({});  // delay 1 s, per_host 1
  for (int i = 0; i < 3; ++i) f.Add(Item("a.test", "/" + std::to_string(i)));
  f.Add(Item("b.test", "/"));
  CHECK(LeaseUrl(f, clock.Now()) == "http://a.test/0");
  // a.test is busy; b.test is free.
  CHECK(LeaseUrl(f, clock.Now()) == "http://b.test/");
  CHECK(LeaseUrl(f, clock.Now()).empty());
  clock.Advance(2s);
  CHECK(LeaseUrl(f, clock.Now()).empty());  // Still in flight: not released.
  f.Release("http://a.test", {.response_ms = 100}, clock.Now());
  // The delay also runs from the end of the request.
  CHECK(LeaseUrl(f, clock.Now()).empty());
  REQUIRE(f.NextReady().has_value());
  CHECK(*f.NextReady() == clock.Now() + 1s);
  clock.Advance(999ms);
  CHECK(LeaseUrl(f, clock.Now()).empty());
  clock.Advance(1ms);
  CHECK(LeaseUrl(f, clock.Now()) == "http://a.test/1");
}

TEST_CASE("Frontier: delay 0 with per-host N keeps N requests in flight") {
  FakeClock clock;
  MemoryFrontier f({.delay_s = 0, .per_host = 3});
  for (int i = 0; i < 10; ++i) f.Add(Item("a.test", "/" + std::to_string(i)));
  for (int i = 0; i < 3; ++i) CHECK(f.Lease(clock.Now()).has_value());
  CHECK_FALSE(f.Lease(clock.Now()).has_value());
  f.Release("http://a.test", {}, clock.Now());
  CHECK(f.Lease(clock.Now()).has_value());
  CHECK_FALSE(f.Lease(clock.Now()).has_value());
}

TEST_CASE("Frontier: robots.txt Crawl-delay is honoured up to the cap") {
  FakeClock clock;
  MemoryFrontier f({.delay_s = 0.5, .max_crawl_delay_s = 30});
  for (int i = 0; i < 4; ++i) f.Add(Item("a.test", "/" + std::to_string(i)));
  f.SetCrawlDelay("http://a.test", 5);
  REQUIRE(f.Lease(clock.Now()));
  f.Release("http://a.test", {}, clock.Now());
  clock.Advance(4999ms);
  CHECK_FALSE(f.Lease(clock.Now()));
  clock.Advance(1ms);
  REQUIRE(f.Lease(clock.Now()));
  f.SetCrawlDelay("http://a.test", 86400);  // Clamped to 30 s.
  f.Release("http://a.test", {}, clock.Now());
  clock.Advance(29999ms);
  CHECK_FALSE(f.Lease(clock.Now()));
  clock.Advance(1ms);
  CHECK(f.Lease(clock.Now()));
}

TEST_CASE("Frontier: Retry-After pauses only that host, capped") {
  FakeClock clock;
  MemoryFrontier f({.delay_s = 0, .max_retry_after_s = 60});
  f.Add(Item("a.test", "/1"));
  f.Add(Item("a.test", "/2"));
  f.Add(Item("b.test", "/1"));
  f.Add(Item("b.test", "/2"));
  REQUIRE(LeaseUrl(f, clock.Now()) == "http://a.test/1");
  f.Release("http://a.test", {.retry_after_s = 120}, clock.Now());
  CHECK(LeaseUrl(f, clock.Now()) == "http://b.test/1");
  f.Release("http://b.test", {}, clock.Now());
  CHECK(LeaseUrl(f, clock.Now()) == "http://b.test/2");
  clock.Advance(59s);
  CHECK(LeaseUrl(f, clock.Now()).empty());
  clock.Advance(1s);  // 60 s, the cap, not 120.
  CHECK(LeaseUrl(f, clock.Now()) == "http://a.test/2");
}

TEST_CASE("Frontier: delay factor scales with the host's response time") {
  FakeClock clock;
  MemoryFrontier f({.delay_s = 0.1, .delay_factor = 3});
  f.Add(Item("a.test", "/1"));
  f.Add(Item("a.test", "/2"));
  REQUIRE(f.Lease(clock.Now()));
  f.Release("http://a.test", {.response_ms = 500}, clock.Now());
  clock.Advance(1499ms);
  CHECK_FALSE(f.Lease(clock.Now()));
  clock.Advance(1ms);
  CHECK(f.Lease(clock.Now()));
}

TEST_CASE("Frontier: blocked hosts wait; Acquire takes a slot for robots.txt") {
  FakeClock clock;
  MemoryFrontier f({.delay_s = 1});
  f.Add(Item("a.test", "/1"));
  f.Block("http://a.test");
  CHECK_FALSE(f.Lease(clock.Now()));
  CHECK_FALSE(f.NextReady().has_value());
  CHECK(f.Acquire("http://a.test", clock.Now()));  // robots.txt request
  CHECK_FALSE(f.Acquire("http://a.test", clock.Now()));
  f.Release("http://a.test", {}, clock.Now());
  f.Unblock("http://a.test");
  CHECK_FALSE(f.Lease(clock.Now()));  // Politeness covers robots.txt too.
  clock.Advance(1s);
  CHECK(LeaseUrl(f, clock.Now()) == "http://a.test/1");
}

TEST_CASE("Frontier: per-host cap and delayed retries") {
  FakeClock clock;
  MemoryFrontier f({.delay_s = 0, .per_host = 5, .per_host_cap = 2});
  CHECK(f.Add(Item("a.test", "/1")) == AddResult::kAdded);
  CHECK(f.Add(Item("a.test", "/2")) == AddResult::kAdded);
  CHECK(f.Add(Item("a.test", "/3")) == AddResult::kHostCapReached);
  CHECK(f.Add(Item("a.test", "/1")) == AddResult::kSeen);
  CHECK(f.Add(Item("b.test", "/1")) == AddResult::kAdded);
  auto first = f.Lease(clock.Now());
  REQUIRE(first);
  f.Release(first->host, {}, clock.Now());
  first->attempts = 1;
  f.Retry(*first, clock.Now() + 10s);
  CHECK(f.queued() == 3);
  std::vector<std::string> got;
  while (auto i = f.Lease(clock.Now())) got.push_back(i->url);
  CHECK(got.size() == 2);
  REQUIRE(f.NextReady().has_value());
  CHECK(*f.NextReady() == clock.Now() + 10s);
  clock.Advance(10s);
  auto retried = f.Lease(clock.Now());
  REQUIRE(retried);
  CHECK(retried->url == first->url);
  CHECK(retried->attempts == 1);
  CHECK(f.queued() == 0);
}

TEST_CASE("Frontier: query variants per path are capped (fault matrix T5)") {
  MemoryFrontier f({.delay_s = 0, .max_query_variants = 3});
  CHECK(f.Add(Item("a.test", "/p?x=1")) == AddResult::kAdded);
  CHECK(f.Add(Item("a.test", "/p?x=2")) == AddResult::kAdded);
  CHECK(f.Add(Item("a.test", "/p?x=3")) == AddResult::kAdded);
  CHECK(f.Add(Item("a.test", "/p?x=4")) == AddResult::kQueryVariantsCapReached);
  CHECK(f.Add(Item("a.test", "/p?x=1")) == AddResult::kSeen);
  // The URL without a query, other paths and other hosts do not count.
  CHECK(f.Add(Item("a.test", "/p")) == AddResult::kAdded);
  CHECK(f.Add(Item("a.test", "/p/?x=4")) == AddResult::kAdded);
  CHECK(f.Add(Item("a.test", "/q?x=4")) == AddResult::kAdded);
  CHECK(f.Add(Item("b.test", "/p?x=4")) == AddResult::kAdded);
  CHECK(f.seen() == 7);
  // On by default (1000); 0 turns it off.
  CHECK(FrontierOptions{}.max_query_variants == 1000);
  MemoryFrontier off({.max_query_variants = 0});
  for (int i = 0; i < 2000; ++i) {
    REQUIRE(off.Add(Item("a.test", "/p?r=" + std::to_string(i))) ==
            AddResult::kAdded);
  }
  MemoryFrontier on({});
  int added = 0;
  for (int i = 0; i < 2000; ++i) {
    added += on.Add(Item("a.test", "/p?r=" + std::to_string(i))) ==
             AddResult::kAdded;
  }
  CHECK(added == 1000);
}

TEST_CASE("Frontier: a lease filter drops URLs or holds their host") {
  FakeClock clock;
  MemoryFrontier f({.delay_s = 5});
  f.Add(Item("a.test", "/private/1"));
  f.Add(Item("a.test", "/public"));
  f.Add(Item("b.test", "/x"));
  auto filter = [](const CrawlItem& i) {
    if (i.url.find("/private/") != std::string::npos)
      return LeaseVerdict::kDrop;
    if (i.host == "http://b.test") return LeaseVerdict::kHoldHost;
    return LeaseVerdict::kAccept;
  };
  // The dropped URL costs a.test no politeness: /public goes at once.
  auto first = f.Lease(clock.Now(), filter);
  REQUIRE(first);
  CHECK(first->url == "http://a.test/public");
  CHECK_FALSE(f.Lease(clock.Now(), filter));
  CHECK(f.queued() == 1);  // b.test/x is held, not dropped.
  f.Unblock("http://b.test");
  auto second = f.Lease(clock.Now());
  REQUIRE(second);
  CHECK(second->url == "http://b.test/x");
}

TEST_CASE(
    "Frontier: a Crawl-delay learned from robots.txt counts from its fetch") {
  FakeClock clock;
  MemoryFrontier f({.delay_s = 0});
  f.Add(Item("a.test", "/1"));
  f.Block("http://a.test");
  REQUIRE(f.Acquire("http://a.test", clock.Now()));  // robots.txt
  clock.Advance(100ms);
  f.Release("http://a.test", {.response_ms = 100}, clock.Now());
  f.SetCrawlDelay("http://a.test", 2);  // Read from that robots.txt.
  f.Unblock("http://a.test");
  CHECK_FALSE(f.Lease(clock.Now()));
  clock.Advance(1999ms);
  CHECK_FALSE(f.Lease(clock.Now()));
  clock.Advance(1ms);
  CHECK(f.Lease(clock.Now()));
}

TEST_CASE("Frontier: LongestQueues lists the longest host queues, bounded") {
  MemoryFrontier f({});
  for (int i = 0; i < 5; ++i) f.Add(Item("a.test", "/" + std::to_string(i)));
  for (int i = 0; i < 3; ++i) f.Add(Item("b.test", "/" + std::to_string(i)));
  for (int i = 0; i < 3; ++i) f.Add(Item("c.test", "/" + std::to_string(i)));
  f.Add(Item("d.test", "/"));
  size_t hosts = 0;
  auto top = f.LongestQueues(3, &hosts);
  CHECK(hosts == 4);
  REQUIRE(top.size() == 3);
  CHECK(top[0] == std::make_pair(std::string("http://a.test"), size_t{5}));
  CHECK(top[1] == std::make_pair(std::string("http://b.test"), size_t{3}));
  CHECK(top[2] == std::make_pair(std::string("http://c.test"), size_t{3}));
  CHECK(f.LongestQueues(0, &hosts).empty());
  CHECK(hosts == 4);
}

TEST_CASE("Frontier: LongestQueues forgets leased URLs") {
  FakeClock clock;
  MemoryFrontier f({.delay_s = 0, .per_host = 100});
  f.Add(Item("a.test", "/1"));
  f.Add(Item("a.test", "/2"));
  f.Add(Item("b.test", "/1"));
  REQUIRE(f.Lease(clock.Now()).has_value());
  size_t hosts = 0;
  auto top = f.LongestQueues(10, &hosts);
  CHECK(hosts == 2);
  CHECK(top.size() == 2);
  while (f.Lease(clock.Now())) {
  }
  CHECK(f.LongestQueues(10, &hosts).empty());
  CHECK(hosts == 0);
}

TEST_CASE("Frontier: a queued URL found by a shorter path moves up") {
  FakeClock clock;
  MemoryFrontier f({.delay_s = 0, .per_host = 10});
  CrawlItem deep = Item("a.test", "/x", 3);
  deep.referrer = "http://a.test/long";
  CHECK(f.Add(deep) == AddResult::kAdded);
  CHECK(f.Add(Item("a.test", "/y", 2)) == AddResult::kAdded);
  CHECK(f.QueuedDeeper("http://a.test/x", 1));
  CHECK_FALSE(f.QueuedDeeper("http://a.test/x", 3));
  CHECK_FALSE(f.QueuedDeeper("http://a.test/other", 0));
  CrawlItem shallow = Item("a.test", "/x", 1);
  shallow.referrer = "http://a.test/short";
  CHECK(f.Add(shallow) == AddResult::kShallower);
  // Not deeper than 1 any more; the same depth again is just seen.
  CHECK_FALSE(f.QueuedDeeper("http://a.test/x", 1));
  CHECK(f.Add(Item("a.test", "/x", 2)) == AddResult::kSeen);
  CHECK(f.queued() == 2);
  CHECK(f.seen() == 2);
  // Leased once, at depth 1 with the new referrer, before /y (depth 2).
  auto first = f.Lease(clock.Now());
  REQUIRE(first.has_value());
  CHECK(first->url == "http://a.test/x");
  CHECK(first->depth == 1);
  CHECK(first->referrer == "http://a.test/short");
  CHECK(LeaseUrl(f, clock.Now()) == "http://a.test/y");
  // The replaced depth-3 copy is never handed out.
  CHECK(LeaseUrl(f, clock.Now()).empty());
  CHECK(f.queued() == 0);
  // Once leased, a shorter path changes nothing.
  CHECK_FALSE(f.QueuedDeeper("http://a.test/x", 0));
  CHECK(f.Add(Item("a.test", "/x", 0)) == AddResult::kSeen);
}

TEST_CASE(
    "Frontier: a retried URL can move up again; the option turns it off") {
  FakeClock clock;
  MemoryFrontier f({.delay_s = 0, .per_host = 10});
  f.Add(Item("a.test", "/x", 5));
  auto leased = f.Lease(clock.Now());
  REQUIRE(leased.has_value());
  f.Release("http://a.test", {}, clock.Now());
  f.Retry(*leased, clock.Now());
  CHECK(LeaseUrl(f, clock.Now()) == "http://a.test/x");  // Back from retry.
  f.Release("http://a.test", {}, clock.Now());
  f.Retry(*leased, clock.Now() + 10s);
  clock.Advance(11s);
  CHECK(f.NextReady().has_value());
  // Promoted into the host queue by the next Lease: then it can move up.
  auto again = f.Lease(clock.Now());
  REQUIRE(again.has_value());
  CHECK(again->depth == 5);

  MemoryFrontier off(
      {.delay_s = 0, .per_host = 10, .requeue_shallower = false});
  off.Add(Item("a.test", "/x", 3));
  CHECK_FALSE(off.QueuedDeeper("http://a.test/x", 1));
  CHECK(off.Add(Item("a.test", "/x", 1)) == AddResult::kSeen);
  auto only = off.Lease(clock.Now());
  REQUIRE(only.has_value());
  CHECK(only->depth == 3);
  CHECK(LeaseUrl(off, clock.Now()).empty());
}

}  // namespace
}  // namespace crawler::frontier
