#include "crawler/frontier/redis_frontier.h"

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "crawler/base/clock.h"
#include "crawler/testing/test_util.h"
#include "tests/redis/redis_server.h"

namespace crawler::frontier {
namespace {

using namespace std::chrono_literals;
using testing::RedisServer;

std::unique_ptr<RedisServer> StartServer() {
  auto s = RedisServer::Start();
  REQUIRE_MESSAGE(s.ok(), s.status().ToString());
  return std::move(s).value();
}

// Options for tests: maintenance and polling on every call (FakeClock time
// does not move by itself), no idle release unless a test asks for it.
RedisFrontierOptions Node(const std::string& id,
                          const std::string& crawl = "t") {
  RedisFrontierOptions o;
  o.crawl_name = crawl;
  o.node_id = id;
  o.maintenance_interval_ms = 0;
  o.idle_poll_ms = 0;
  o.held_elsewhere_recheck_ms = 0;
  o.release_idle_ms = 1000000;
  o.add_batch_ms = 1000000;  // Sent before Lease/NextReady, or by Flush().
  o.connection.reconnect_interval_ms = 50;
  return o;
}

std::unique_ptr<RedisFrontier> Make(const RedisServer& server,
                                    const RedisFrontierOptions& o,
                                    const Clock& clock,
                                    FrontierOptions f = {.delay_s = 0}) {
  auto r = RedisFrontier::Create(server.Url(), f, o, clock);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return std::move(r).value();
}

CrawlItem Item(const std::string& host, const std::string& path,
               int depth = 0) {
  CrawlItem i;
  i.host = "http://" + host;
  i.url = i.host + path;
  i.depth = depth;
  i.referrer = depth > 0 ? i.host + "/" : "";
  return i;
}

// Leases everything it can at `now` (Done() each), returns the URLs.
std::vector<std::string> Drain(RedisFrontier& f, SteadyTime now) {
  std::vector<std::string> urls;
  while (auto i = f.Lease(now)) {
    urls.push_back(i->url);
    f.Release(i->host, {}, now);
    f.Done(i->url);
  }
  return urls;
}

TEST_SUITE("RedisFrontier") {
  TEST_CASE("a URL is accepted once across two nodes") {
    auto server = StartServer();
    FakeClock clock;
    auto a = Make(*server, Node("a"), clock, {.delay_s = 0, .per_host = 100});
    auto b = Make(*server, Node("b"), clock, {.delay_s = 0, .per_host = 100});
    CHECK(a->Add(Item("x.test", "/1")) == AddResult::kAdded);
    CHECK(a->Add(Item("x.test", "/1")) == AddResult::kSeen);  // Local cache.
    CHECK(a->Add(Item("x.test", "/2")) == AddResult::kAdded);
    CHECK(a->Contains("http://x.test/1"));
    CHECK_FALSE(b->Contains("http://x.test/1"));  // Not known locally yet.
    REQUIRE_OK(a->Flush());
    // b cannot know without asking; the batch drops it in Redis.
    CHECK(b->Add(Item("x.test", "/1")) == AddResult::kAdded);
    CHECK(b->Add(Item("x.test", "/3")) == AddResult::kAdded);
    CHECK(b->Contains("http://x.test/1"));
    REQUIRE_OK(b->Flush());
    CHECK(b->stats().remote_seen == 1);
    std::vector<std::string> got = Drain(*a, clock.Now());
    std::vector<std::string> more = Drain(*b, clock.Now());
    got.insert(got.end(), more.begin(), more.end());
    std::multiset<std::string> all(got.begin(), got.end());
    CHECK(all == std::multiset<std::string>{
                     "http://x.test/1", "http://x.test/2", "http://x.test/3"});
    CHECK(a->seen() == 3);
  }

  TEST_CASE("MarkSeen counts a URL as accepted without queuing it") {
    auto server = StartServer();
    FakeClock clock;
    auto a = Make(*server, Node("a"), clock);
    auto b = Make(*server, Node("b"), clock);
    a->MarkSeen("http://x.test/old");
    REQUIRE_OK(a->Flush());
    CHECK(a->Contains("http://x.test/old"));
    b->Add(Item("x.test", "/old"));
    REQUIRE_OK(b->Flush());
    CHECK(b->stats().remote_seen == 1);
    CHECK_FALSE(b->Lease(clock.Now()).has_value());
  }

  TEST_CASE("crawl names are isolated") {
    auto server = StartServer();
    FakeClock clock;
    auto one = Make(*server, Node("a", "one"), clock);
    auto two = Make(*server, Node("b", "two"), clock);
    CHECK(one->key_prefix() == "crawler:{one}:");
    one->Add(Item("x.test", "/"));
    two->Add(Item("x.test", "/"));
    REQUIRE_OK(one->Flush());
    REQUIRE_OK(two->Flush());
    CHECK(two->stats().remote_seen == 0);
    CHECK(Drain(*one, clock.Now()) ==
          std::vector<std::string>{"http://x.test/"});
    CHECK(Drain(*two, clock.Now()) ==
          std::vector<std::string>{"http://x.test/"});
  }

  TEST_CASE("breadth-first: the lowest depth first, then arrival") {
    auto server = StartServer();
    FakeClock clock;
    auto a = Make(*server, Node("a"), clock, {.delay_s = 0, .per_host = 10});
    a->Add(Item("x.test", "/deep", 3));
    a->Add(Item("x.test", "/top", 0));
    a->Add(Item("x.test", "/mid1", 1));
    a->Add(Item("x.test", "/mid2", 1));
    CHECK(Drain(*a, clock.Now()) ==
          std::vector<std::string>{"http://x.test/top", "http://x.test/mid1",
                                   "http://x.test/mid2", "http://x.test/deep"});
  }

  TEST_CASE("the item comes back whole: depth, referrer, attempts, hops") {
    auto server = StartServer();
    FakeClock clock;
    auto a = Make(*server, Node("a"), clock);
    CrawlItem i = Item("x.test", "/p?q=1 2", 4);
    i.referrer = "http://x.test/ref";
    i.attempts = 2;
    i.hops = 1;
    a->Add(i);
    auto got = a->Lease(clock.Now());
    REQUIRE(got.has_value());
    CHECK(got->url == i.url);
    CHECK(got->host == i.host);
    CHECK(got->depth == 4);
    CHECK(got->referrer == i.referrer);
    CHECK(got->attempts == 2);
    CHECK(got->hops == 1);
  }

  TEST_CASE("politeness across nodes: one holder per host, its delay kept") {
    auto server = StartServer();
    FakeClock clock;
    const FrontierOptions polite{.delay_s = 1, .per_host = 1};
    auto a = Make(*server, Node("a"), clock, polite);
    auto b = Make(*server, Node("b"), clock, polite);
    for (int i = 0; i < 4; ++i) {
      a->Add(Item("x.test", "/" + std::to_string(i)));
    }
    REQUIRE_OK(a->Flush());
    SteadyTime now = clock.Now();
    auto first = a->Lease(now);
    REQUIRE(first.has_value());
    // a holds x.test: b gets nothing of it, not even a robots.txt slot.
    CHECK_FALSE(b->Lease(now).has_value());
    CHECK_FALSE(b->Acquire("http://x.test", now));
    // a itself waits for the request to end and for the delay.
    CHECK_FALSE(a->Lease(now).has_value());
    clock.Advance(300ms);
    a->Release(first->host, {}, clock.Now());
    a->Done(first->url);
    CHECK_FALSE(a->Lease(clock.Now()).has_value());
    auto ready = a->NextReady();
    REQUIRE(ready.has_value());
    CHECK(*ready == clock.Now() + 1s);
    clock.Advance(999ms);
    CHECK_FALSE(a->Lease(clock.Now()).has_value());
    CHECK_FALSE(b->Lease(clock.Now()).has_value());
    clock.Advance(1ms);
    CHECK(a->Lease(clock.Now()).has_value());
    CHECK_FALSE(b->Lease(clock.Now()).has_value());
  }

  TEST_CASE("a host given back keeps its delay for the next holder") {
    auto server = StartServer();
    FakeClock clock;
    const FrontierOptions polite{.delay_s = 2, .per_host = 1};
    RedisFrontierOptions ao = Node("a");
    ao.release_idle_ms = 0;
    auto a = Make(*server, ao, clock, polite);
    auto b = Make(*server, Node("b"), clock, polite);
    a->Add(Item("x.test", "/1"));
    auto first = a->Lease(clock.Now());
    REQUIRE(first.has_value());
    a->Release(first->host, {}, clock.Now());
    a->Done(first->url);
    // Idle now: the next maintenances give x.test back (2 s still to wait).
    a->NextReady();
    a->NextReady();
    CHECK(a->stats().hosts_released == 1);
    b->Add(Item("x.test", "/2"));
    REQUIRE_OK(b->Flush());
    // b takes the host but must wait for what is left of a's delay. Redis
    // time moved a little meanwhile: allow for it.
    CHECK_FALSE(b->Lease(clock.Now()).has_value());
    auto ready = b->NextReady();
    REQUIRE(ready.has_value());
    CHECK(*ready > clock.Now() + 1500ms);
    CHECK(*ready <= clock.Now() + 2s);
    clock.Advance(2s);
    auto second = b->Lease(clock.Now());
    REQUIRE(second.has_value());
    CHECK(second->url == "http://x.test/2");
  }

  TEST_CASE("different hosts go to different nodes") {
    auto server = StartServer();
    FakeClock clock;
    RedisFrontierOptions ao = Node("a");
    ao.take_batch = 1;
    RedisFrontierOptions bo = Node("b");
    bo.take_batch = 1;
    const FrontierOptions polite{.delay_s = 1, .per_host = 1};
    auto a = Make(*server, ao, clock, polite);
    auto b = Make(*server, bo, clock, polite);
    a->Add(Item("x.test", "/"));
    a->Add(Item("y.test", "/"));
    REQUIRE_OK(a->Flush());
    auto ia = a->Lease(clock.Now());
    auto ib = b->Lease(clock.Now());
    REQUIRE(ia.has_value());
    REQUIRE(ib.has_value());
    CHECK(ia->host != ib->host);
  }

  TEST_CASE("a node full of drained hosts gives them back to take others") {
    auto server = StartServer();
    FakeClock clock;
    RedisFrontierOptions o = Node("a");
    o.max_held_hosts = 1;
    auto a = Make(*server, o, clock);
    a->Add(Item("x.test", "/"));
    a->Add(Item("y.test", "/"));
    // Drain covers both hosts only if x.test is given back for y.test.
    std::vector<std::string> got = Drain(*a, clock.Now());
    CHECK(got.size() == 2);
    CHECK(a->stats().hosts_released >= 1);
  }

  TEST_CASE(
      "a dead node's URLs return to the queue and another node takes them") {
    auto server = StartServer();
    FakeClock clock;
    RedisFrontierOptions ao = Node("a");
    ao.host_lease_ms = 300;
    auto a = Make(*server, ao, clock, {.delay_s = 0, .per_host = 10});
    auto b = Make(*server, Node("b"), clock, {.delay_s = 0, .per_host = 10});
    for (int i = 0; i < 5; ++i) {
      a->Add(Item("x.test", "/" + std::to_string(i)));
    }
    auto l0 = a->Lease(clock.Now());
    auto l1 = a->Lease(clock.Now());
    REQUIRE(l0.has_value());
    REQUIRE(l1.has_value());
    // l0 was recorded before the node died; l1 was in flight; 3 pulled.
    auto claimed = a->ClaimRecord(l0->url);
    REQUIRE_OK(claimed.status());
    CHECK(*claimed);
    a->AbandonForTesting();  // kill -9: no Done, no release, no renewal.
    CHECK_FALSE(b->Lease(clock.Now()).has_value());  // Still leased.
    std::this_thread::sleep_for(400ms);
    std::vector<std::string> got = Drain(*b, clock.Now());
    std::set<std::string> set(got.begin(), got.end());
    CHECK(got.size() == 4);
    CHECK(set == std::set<std::string>{"http://x.test/1", "http://x.test/2",
                                       "http://x.test/3", "http://x.test/4"});
    CHECK(b->stats().hosts_reaped == 1);
    auto again = b->ClaimRecord(l1->url);
    REQUIRE_OK(again.status());
    CHECK(*again);
  }

  TEST_CASE("a node that stops renewing loses its hosts to the reaper") {
    auto server = StartServer();
    FakeClock clock;
    RedisFrontierOptions ao = Node("a");
    ao.host_lease_ms = 200;
    ao.maintenance_interval_ms = 60000;  // a never renews (fake time).
    auto a = Make(*server, ao, clock);
    auto b = Make(*server, Node("b"), clock);
    a->Add(Item("x.test", "/1"));
    a->Add(Item("x.test", "/2"));
    auto l = a->Lease(clock.Now());
    REQUIRE(l.has_value());
    std::this_thread::sleep_for(300ms);
    std::vector<std::string> got = Drain(*b, clock.Now());
    CHECK(got.size() == 2);
    // a learns at its next renewal that the host is gone.
    clock.Advance(61s);
    a->NextReady();
    CHECK(a->stats().hosts_lost == 1);
    CHECK_FALSE(a->Lease(clock.Now()).has_value());
  }

  TEST_CASE(
      "Redis restarted from its append-only file after an outage longer "
      "than the lease: no live node loses its hosts; a dead one still does") {
    auto started = RedisServer::Start({.append_only = true});
    REQUIRE_MESSAGE(started.ok(), started.status().ToString());
    auto server = std::move(started).value();
    FakeClock clock;
    RedisFrontierOptions ao = Node("a"), bo = Node("b");
    ao.host_lease_ms = bo.host_lease_ms = 600;
    auto a = Make(*server, ao, clock);
    auto b = Make(*server, bo, clock);
    a->Add(Item("x.test", "/1"));
    a->Add(Item("x.test", "/2"));
    auto l = a->Lease(clock.Now());
    REQUIRE(l.has_value());
    a->Release(l->host, {}, clock.Now());
    // Down for 1 s (> the lease), killed: it restarts from its AOF with
    // every lease expired by its clock, and no scripts (NOSCRIPT).
    server->Kill();
    std::this_thread::sleep_for(1000ms);
    REQUIRE_OK(server->Restart());
    // b is back first: its maintenance must not reap a's host.
    auto back = [&](RedisFrontier& f) {
      for (int i = 0; i < 100 && !(f.NextReady(), f.health().ok()); ++i) {
        std::this_thread::sleep_for(20ms);
      }
      REQUIRE_OK(f.health());
    };
    back(*b);
    CHECK(Drain(*b, clock.Now()).empty());
    CHECK(b->stats().hosts_reaped == 0);
    back(*a);
    CHECK(a->stats().hosts_lost == 0);
    auto next = a->Lease(clock.Now());
    REQUIRE(next.has_value());
    CHECK(next->url == "http://x.test/2");
    // Then a dies (stops renewing) while b keeps talking to Redis: a's
    // lease expires as before and b gets both URLs back (neither was Done).
    a->AbandonForTesting();
    std::vector<std::string> got;
    const auto end = std::chrono::steady_clock::now() + 5s;
    while (got.size() < 2 && std::chrono::steady_clock::now() < end) {
      for (std::string& u : Drain(*b, clock.Now())) got.push_back(u);
      std::this_thread::sleep_for(50ms);
    }
    CHECK(std::set<std::string>(got.begin(), got.end()) ==
          std::set<std::string>{"http://x.test/1", "http://x.test/2"});
  }

  TEST_CASE("a retry waits on its node and comes back") {
    auto server = StartServer();
    FakeClock clock;
    auto a = Make(*server, Node("a"), clock);
    a->Add(Item("x.test", "/r"));
    auto l = a->Lease(clock.Now());
    REQUIRE(l.has_value());
    a->Release(l->host, {}, clock.Now());
    CrawlItem retry = *l;
    ++retry.attempts;
    a->Retry(retry, clock.Now() + 5s);
    CHECK_FALSE(a->Lease(clock.Now()).has_value());
    auto ready = a->NextReady();
    REQUIRE(ready.has_value());
    CHECK(*ready == clock.Now() + 5s);
    clock.Advance(5s);
    auto again = a->Lease(clock.Now());
    REQUIRE(again.has_value());
    CHECK(again->url == "http://x.test/r");
    CHECK(again->attempts == 1);
  }

  TEST_CASE("ClaimRecord is true once across nodes") {
    auto server = StartServer();
    FakeClock clock;
    auto a = Make(*server, Node("a"), clock);
    auto b = Make(*server, Node("b"), clock);
    auto first = a->ClaimRecord("http://x.test/page");
    REQUIRE_OK(first.status());
    CHECK(*first);
    for (RedisFrontier* f : {a.get(), b.get()}) {
      auto again = f->ClaimRecord("http://x.test/page");
      REQUIRE_OK(again.status());
      CHECK_FALSE(*again);
    }
    auto other = b->ClaimRecord("http://x.test/other");
    REQUIRE_OK(other.status());
    CHECK(*other);
  }

  TEST_CASE("ClaimRecord after a lost reply is true again for its node only") {
    auto server = StartServer();
    FakeClock clock;
    // A client whose next Eval runs but whose reply is lost (a timeout).
    class LosingClient : public redis::RedisClient {
     public:
      explicit LosingClient(std::unique_ptr<redis::RedisClient> c)
          : c_(std::move(c)) {}
      bool lose_next = false;
      StatusOr<redis::Reply> Command(
          const std::vector<std::string>& argv) override {
        return c_->Command(argv);
      }
      StatusOr<std::vector<redis::Reply>> Pipeline(
          const std::vector<std::vector<std::string>>& cmds) override {
        return c_->Pipeline(cmds);
      }
      StatusOr<redis::Reply> Eval(
          const redis::Script& script, const std::vector<std::string>& keys,
          const std::vector<std::string>& args) override {
        StatusOr<redis::Reply> r = c_->Eval(script, keys, args);
        if (lose_next) {
          lose_next = false;
          return UnavailableError("no reply: timed out");
        }
        return r;
      }
      Status health() const override { return c_->health(); }

     private:
      std::unique_ptr<redis::RedisClient> c_;
    };
    auto address = redis::ParseRedisUrl(server->Url());
    REQUIRE_OK(address.status());
    auto losing =
        std::make_unique<LosingClient>(std::make_unique<redis::HiredisClient>(
            *address, redis::HiredisClient::Options{}));
    LosingClient* client = losing.get();
    RedisFrontier a(std::move(losing), {.delay_s = 0}, Node("a"), clock);
    auto b = Make(*server, Node("b"), clock);
    client->lose_next = true;
    auto lost = a.ClaimRecord("http://x.test/page");
    CHECK_FALSE(lost.ok());  // Applied in Redis, but a cannot know.
    auto again = a.ClaimRecord("http://x.test/page");
    REQUIRE_OK(again.status());
    CHECK(*again);  // Its own claim: write the record.
    auto third = a.ClaimRecord("http://x.test/page");
    REQUIRE_OK(third.status());
    CHECK_FALSE(*third);  // Not a retry any more.
    auto other = b->ClaimRecord("http://x.test/page");
    REQUIRE_OK(other.status());
    CHECK_FALSE(*other);
  }

  TEST_CASE("the pages counter is shared: max_pages holds across nodes") {
    auto server = StartServer();
    FakeClock clock;
    auto a = Make(*server, Node("a"), clock);
    auto b = Make(*server, Node("b"), clock);
    int granted = 0;
    for (int i = 0; i < 4; ++i) {
      for (RedisFrontier* f : {a.get(), b.get()}) {
        auto r = f->ReservePage(5);
        REQUIRE_OK(r.status());
        granted += *r ? 1 : 0;
      }
    }
    CHECK(granted == 5);
    REQUIRE_OK(b->TryReturnPage());
    auto r = a->ReservePage(5);
    REQUIRE_OK(r.status());
    CHECK(*r);
    auto n = b->pages_leased();
    REQUIRE_OK(n.status());
    CHECK(*n == 5);
  }

  TEST_CASE("the crawl ends when nothing is queued or in flight anywhere") {
    auto server = StartServer();
    FakeClock clock;
    auto a = Make(*server, Node("a"), clock);
    auto b = Make(*server, Node("b"), clock);
    CHECK_FALSE(a->NextReady().has_value());
    a->Add(Item("x.test", "/"));
    REQUIRE_OK(a->Flush());
    CHECK(b->NextReady().has_value());  // Queued in Redis.
    auto l = a->Lease(clock.Now());
    REQUIRE(l.has_value());
    CHECK(b->NextReady().has_value());  // In flight on a.
    a->Release(l->host, {}, clock.Now());
    a->Done(l->url);
    CHECK_FALSE(a->NextReady().has_value());
    CHECK_FALSE(b->NextReady().has_value());
  }

  TEST_CASE("progress: queued, in flight, done, per node") {
    auto server = StartServer();
    FakeClock clock;
    auto a = Make(*server, Node("a"), clock, {.delay_s = 0, .per_host = 10});
    auto b = Make(*server, Node("b"), clock);
    for (int i = 0; i < 3; ++i) a->Add(Item("x.test", "/" + std::to_string(i)));
    b->Add(Item("y.test", "/"));
    REQUIRE_OK(b->Flush());
    auto l = a->Lease(clock.Now());
    REQUIRE(l.has_value());
    REQUIRE_OK(a->ClaimRecord(l->url).status());
    a->Done(l->url);
    a->NextReady();
    b->NextReady();
    auto address = redis::ParseRedisUrl(server->Url());
    REQUIRE_OK(address.status());
    redis::HiredisClient client(*address, {});
    auto p = ReadFrontierProgress(client, "t");
    REQUIRE_OK(p.status());
    CHECK(p->seen == 4);
    CHECK(p->done == 1);
    CHECK(p->queued + p->in_flight == 3);
    CHECK(p->hosts_held + p->hosts_queued == 2);
    REQUIRE(p->nodes.size() == 2);
    CHECK(p->nodes[0].id == "a");
    CHECK(p->nodes[0].records == 1);
    CHECK(p->nodes[0].held_hosts >= 1);
    CHECK(p->nodes[1].id == "b");
    CHECK(p->nodes[0].last_seen_ms_ago < 5000);
  }

  TEST_CASE(
      "Redis killed: calls fail with kUnavailable; restarted: they work") {
    auto server = StartServer();
    FakeClock clock;
    auto a = Make(*server, Node("a"), clock);
    a->Add(Item("x.test", "/before"));
    REQUIRE_OK(a->Flush());
    server->Kill();
    // Nothing crashes; what can wait, waits in memory.
    CHECK(a->Add(Item("x.test", "/during")) == AddResult::kAdded);
    CHECK(a->Contains("http://x.test/during"));
    CHECK(a->Flush().code() == Code::kUnavailable);
    CHECK(a->health().code() == Code::kUnavailable);
    CHECK(a->health().tag() == Tag::kRetryable);
    auto claim = a->ClaimRecord("http://x.test/before");
    CHECK(claim.status().code() == Code::kUnavailable);
    CHECK(a->ReservePage(0).status().code() == Code::kUnavailable);
    CHECK_FALSE(a->Acquire("http://y.test", clock.Now()));
    CHECK(a->NextReady().has_value());  // Never "done" while Redis is down.
    a->Lease(clock.Now());
    REQUIRE_OK(server->Restart());  // Empty: no persistence in tests.
    std::this_thread::sleep_for(60ms);
    REQUIRE_OK(a->Flush());  // The queued Add goes out now.
    CHECK(a->health().ok());
    auto l = a->Lease(clock.Now());
    REQUIRE(l.has_value());
    CHECK(l->url == "http://x.test/during");
    auto c = a->ClaimRecord(l->url);
    REQUIRE_OK(c.status());
    CHECK(*c);
  }
}

}  // namespace
}  // namespace crawler::frontier
