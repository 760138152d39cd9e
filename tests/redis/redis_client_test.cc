#include "crawler/redis/redis_client.h"

#include <chrono>
#include <string>
#include <thread>

#include "crawler/testing/test_util.h"
#include "tests/redis/redis_server.h"

namespace crawler::redis {
namespace {

using testing::RedisServer;

HiredisClient::Options Fast() {
  return {.connect_timeout_ms = 500,
          .command_timeout_ms = 2000,
          .reconnect_interval_ms = 50};
}

std::unique_ptr<RedisServer> StartServer() {
  auto s = RedisServer::Start();
  REQUIRE_MESSAGE(s.ok(), s.status().ToString());
  return std::move(s).value();
}

RedisAddress Address(const RedisServer& s, int db = 0) {
  return {"127.0.0.1", s.port(), db};
}

TEST_SUITE("RedisUrl") {
  TEST_CASE("host, port and database") {
    auto a = ParseRedisUrl("redis://cache.example:6380/2");
    REQUIRE_OK(a.status());
    CHECK(a->host == "cache.example");
    CHECK(a->port == 6380);
    CHECK(a->db == 2);
    CHECK(a->ToUrl() == "redis://cache.example:6380/2");
  }
  TEST_CASE("defaults: port 6379, database 0") {
    auto a = ParseRedisUrl("REDIS://127.0.0.1");
    REQUIRE_OK(a.status());
    CHECK(a->port == 6379);
    CHECK(a->db == 0);
    CHECK(ParseRedisUrl("redis://h/").ok());
  }
  TEST_CASE("IPv6 literal in brackets") {
    auto a = ParseRedisUrl("redis://[::1]:7000/1");
    REQUIRE_OK(a.status());
    CHECK(a->host == "::1");
    CHECK(a->port == 7000);
    CHECK(a->ToUrl() == "redis://[::1]:7000/1");
  }
  TEST_CASE("errors name the URL and the problem") {
    for (const char* bad :
         {"http://h:6379", "redis://", "redis://:6379", "redis://h:0",
          "redis://h:70000", "redis://h:x", "redis://h/db", "redis://h/-1",
          "redis://u:p@h", "redis://h?x=1", "redis://[::1", "redis://h:"}) {
      auto a = ParseRedisUrl(bad);
      CHECK_MESSAGE(!a.ok(), bad);
      if (a.ok()) continue;
      CHECK(a.status().code() == Code::kInvalidArgument);
      CHECK_MESSAGE(a.status().message().find(bad) != std::string::npos,
                    a.status().message());
    }
  }
}

TEST_SUITE("RedisClient") {
  TEST_CASE("arguments and replies are binary-safe") {
    auto server = StartServer();
    HiredisClient c(Address(*server), Fast());
    const std::string key("k\0ey\r\n", 6);
    const std::string value("v\0al\xff ue", 8);
    auto set = c.Command({"SET", key, value});
    REQUIRE_OK(set.status());
    CHECK(set->type == Reply::Type::kStatus);
    auto get = c.Command({"GET", key});
    REQUIRE_OK(get.status());
    CHECK(get->type == Reply::Type::kString);
    CHECK(get->str == value);
    auto nil = c.Command({"GET", "missing"});
    REQUIRE_OK(nil.status());
    CHECK(nil->type == Reply::Type::kNil);
    CHECK(c.health().ok());
  }

  TEST_CASE("a pipeline is one round trip; an error reply stays per command") {
    auto server = StartServer();
    HiredisClient c(Address(*server), Fast());
    REQUIRE_OK(c.Connect());
    const uint64_t before = c.round_trips();
    auto r = c.Pipeline({{"SET", "a", "1"},
                         {"INCR", "a"},
                         {"HSET", "a", "f", "v"},  // WRONGTYPE
                         {"GET", "a"}});
    REQUIRE_OK(r.status());
    CHECK(c.round_trips() == before + 1);
    REQUIRE(r->size() == 4);
    CHECK((*r)[1].integer == 2);
    CHECK((*r)[2].is_error());
    CHECK(ReplyError((*r)[2], "HSET").code() == Code::kInternal);
    CHECK((*r)[3].str == "2");
  }

  TEST_CASE("a malformed command is kInvalidArgument") {
    auto server = StartServer();
    HiredisClient c(Address(*server), Fast());
    auto r = c.Command({"GET"});
    REQUIRE_OK(r.status());
    CHECK(ReplyError(*r, "GET").code() == Code::kInvalidArgument);
    auto u = c.Command({"NOSUCHCOMMAND"});
    REQUIRE_OK(u.status());
    CHECK(ReplyError(*u, "x").code() == Code::kInvalidArgument);
  }

  TEST_CASE("the database of the URL is selected") {
    auto server = StartServer();
    HiredisClient db1(Address(*server, 1), Fast());
    HiredisClient db0(Address(*server, 0), Fast());
    REQUIRE_OK(db1.Command({"SET", "x", "one"}).status());
    auto r = db0.Command({"GET", "x"});
    REQUIRE_OK(r.status());
    CHECK(r->type == Reply::Type::kNil);
    auto r1 = db1.Command({"GET", "x"});
    REQUIRE_OK(r1.status());
    CHECK(r1->str == "one");
  }

  TEST_CASE("scripts: EVALSHA, loaded again after SCRIPT FLUSH") {
    auto server = StartServer();
    HiredisClient c(Address(*server), Fast());
    const Script incr{"incr_by",
                      "return redis.call('INCRBY', KEYS[1], ARGV[1])"};
    auto r = c.Eval(incr, {"n"}, {"5"});
    REQUIRE_OK(r.status());
    CHECK(r->integer == 5);
    REQUIRE_OK(c.Command({"SCRIPT", "FLUSH"}).status());
    r = c.Eval(incr, {"n"}, {"2"});
    REQUIRE_OK(r.status());
    CHECK(r->integer == 7);
  }

  TEST_CASE("a Lua error is kInternal and names the script") {
    auto server = StartServer();
    HiredisClient c(Address(*server), Fast());
    const Script bad{"broken", "return redis.call('NOSUCH')"};
    auto r = c.Eval(bad, {}, {});
    REQUIRE(!r.ok());
    CHECK(r.status().code() == Code::kInternal);
    CHECK(r.status().message().find("broken") != std::string::npos);
    CHECK(c.health().ok());  // The connection itself is fine.
    const Script syntax{"syntax", "return +"};
    CHECK(c.Eval(syntax, {}, {}).status().code() == Code::kInternal);
  }

  TEST_CASE(
      "connection refused is kUnavailable (retryable) and names the URL") {
    auto server = StartServer();
    const int port = server->port();
    server.reset();  // Nothing listens there now.
    HiredisClient c({"127.0.0.1", port, 0}, Fast());
    auto r = c.Command({"PING"});
    REQUIRE(!r.ok());
    CHECK(r.status().code() == Code::kUnavailable);
    CHECK(r.status().tag() == Tag::kRetryable);
    CHECK(r.status().message().find("redis://127.0.0.1:" +
                                    std::to_string(port)) != std::string::npos);
    CHECK(c.health().code() == Code::kUnavailable);
  }

  TEST_CASE("server killed: kUnavailable; restarted: calls succeed again") {
    auto server = StartServer();
    HiredisClient c(Address(*server), Fast());
    const Script echo{"echo", "return ARGV[1]"};
    REQUIRE_OK(c.Eval(echo, {}, {"x"}).status());
    server->Kill();
    auto r = c.Command({"PING"});
    REQUIRE(!r.ok());
    CHECK(r.status().code() == Code::kUnavailable);
    // While it is down, calls fail at once (no connect per call).
    for (int i = 0; i < 100; ++i) {
      CHECK(c.Eval(echo, {}, {"x"}).status().code() == Code::kUnavailable);
    }
    REQUIRE_OK(server->Restart());
    std::this_thread::sleep_for(std::chrono::milliseconds(60));
    auto e = c.Eval(echo, {}, {"back"});  // The new server has no scripts.
    REQUIRE_OK(e.status());
    CHECK(e->str == "back");
    CHECK(c.health().ok());
  }

  TEST_CASE("a reply that takes too long is kUnavailable") {
    auto server = StartServer();
    HiredisClient c(Address(*server), {.connect_timeout_ms = 500,
                                       .command_timeout_ms = 100,
                                       .reconnect_interval_ms = 0});
    auto r = c.Command({"BLPOP", "nothing", "2"});
    REQUIRE(!r.ok());
    CHECK(r.status().code() == Code::kUnavailable);
    auto p = c.Command({"PING"});  // A new connection.
    REQUIRE_OK(p.status());
    CHECK(p->str == "PONG");
  }
}

}  // namespace
}  // namespace crawler::redis
