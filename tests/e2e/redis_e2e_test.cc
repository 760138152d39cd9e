// Several `crawler crawl --frontier redis://...` nodes sharing one crawl
// (issue 8, docs/redis.md), end to end: the real binary, a redis-server of
// the test's own (tests/redis/redis_server.h) and the generated site of
// tests/testdata/site_server.py.
//
// The site is served under 24 host names (h1.test ... h24.test, all sent to
// 127.0.0.1 by --resolve; the server builds its links from the Host
// header), so that the nodes have hosts to share: a host is leased to one
// node at a time. What must hold: the union of the nodes' records is the
// expected site (/__expected, once per host name), no URL is recorded twice
// across the nodes, no page but robots.txt is requested twice (/__log), and
// every node did part of the work. A node killed with SIGKILL mid-crawl
// loses nothing: its hosts' leases expire (--frontier-lease 2) and the
// others take them over. A node whose Redis is gone for good pauses, then
// fails with exit status 1 after --frontier-timeout.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "crawler/testing/command.h"
#include "crawler/testing/site_server.h"
#include "crawler/testing/test_util.h"
#include "tests/e2e/e2e_util.h"
#include "tests/redis/redis_server.h"

namespace crawler {
namespace {

using crawler::testing::Command;
using crawler::testing::RedisServer;
using crawler::testing::SiteServer;
using nlohmann::json;

constexpr int kHosts = 24;

std::string HostName(int i) { return "h" + std::to_string(i) + ".test"; }

struct Setup {
  std::unique_ptr<RedisServer> redis;
  std::unique_ptr<SiteServer> site;
  std::string dir;  // Where the nodes write their records.

  explicit Setup(const std::string& name,
                 const RedisServer::Options& redis_options = {}) {
    auto r = RedisServer::Start(redis_options);
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    redis = std::move(r).value();
    auto s = SiteServer::Start({"--pages", "30", "--slow-ms", "20"});
    REQUIRE_MESSAGE(s.ok(), s.status().ToString());
    site = std::move(s).value();
    dir = crawler::testing::TempDir() + "/" + name;
    REQUIRE(std::system(
                ("rm -rf '" + dir + "' && mkdir -p '" + dir + "'").c_str()) ==
            0);
  }

  // `crawler crawl` of every host as node `node`, records to
  // dir/out.NODE.jsonl.
  std::unique_ptr<Command> StartNode(const std::string& node,
                                     const std::vector<std::string>& extra = {},
                                     int hosts = kHosts) const {
    const std::string port = std::to_string(site->port());
    std::vector<std::string> args = {
        crawler::testing::RunfilePath("crawler/cli/crawler"),
        "crawl",
        "--allow-private",
        "--resolve",
        "*.test:" + port + ":127.0.0.1",
        "--frontier",
        redis->Url(),
        "--crawl-name",
        "e2e",
        "--node-id",
        node,
        "--frontier-lease",
        "2",
        "--delay",
        "0",
        "-w",
        "1",
        "-c",
        "2",
        "--max-duration",
        "120",
        "-o",
        dir + "/out.jsonl"};
    args.insert(args.end(), extra.begin(), extra.end());
    for (int i = 1; i <= hosts; ++i) {
      args.push_back("http://" + HostName(i) + ":" + port + "/");
    }
    auto cmd = Command::Start(args);
    REQUIRE_MESSAGE(cmd.ok(), cmd.status().ToString());
    return std::move(cmd).value();
  }

  // The URLs a crawl of every host must fetch: /__expected, whose URLs are
  // on 127.0.0.1:PORT, once per host name.
  std::set<std::string> Expected() const {
    StatusOr<std::string> body = site->Get("/__expected");
    REQUIRE_MESSAGE(body.ok(), body.status().ToString());
    const std::string self = "http://127.0.0.1:" + std::to_string(site->port());
    std::set<std::string> out;
    const json all = json::parse(*body);
    for (auto it = all.begin(); it != all.end(); ++it) {
      const std::string url = it.key();
      REQUIRE_MESSAGE(url.rfind(self, 0) == 0, url);
      for (int i = 1; i <= kHosts; ++i) {
        out.insert("http://" + HostName(i) + ":" +
                   std::to_string(site->port()) + url.substr(self.size()));
      }
    }
    return out;
  }

  // The (Host, path) of every request the site answered.
  std::vector<std::pair<std::string, std::string>> Requests() const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const json& e : Log()) out.emplace_back(e["host"], e["path"]);
    return out;
  }
  json Log() const {
    StatusOr<std::string> body = site->Get("/__log");
    REQUIRE_MESSAGE(body.ok(), body.status().ToString());
    return json::parse(*body);
  }
};

std::string First(const std::vector<std::string>& v) {
  return v.empty() ? "" : v.front();
}

bool Unfetched(const json& r) {
  if (!r["error"].is_string()) return false;
  const std::string e = r["error"];
  return e.rfind("blocked_by_robots:", 0) == 0 ||
         e.rfind("robots_unreachable:", 0) == 0;
}

// Checks the nodes' records together: each URL once, the fetched ones
// exactly `expected` but for `lost` of them (records claimed by a node
// killed before it wrote them: docs/redis.md, at-most-once); returns the
// records per node.
std::map<std::string, size_t> CheckUnion(const Setup& setup,
                                         const std::vector<std::string>& nodes,
                                         const std::set<std::string>& expected,
                                         size_t lost = 0) {
  std::map<std::string, size_t> per_node;
  std::map<std::string, std::string> writer;  // URL -> the node that wrote it.
  std::set<std::string> fetched;
  for (const std::string& node : nodes) {
    for (const json& r :
         crawler::e2e::Records(setup.dir + "/out." + node + ".jsonl")) {
      const std::string url = r["url"];
      ++per_node[node];
      auto [it, fresh] = writer.emplace(url, node);
      CHECK_MESSAGE(fresh,
                    url << " recorded by " << it->second << " and " << node);
      if (!Unfetched(r)) fetched.insert(url);
    }
  }
  std::vector<std::string> missing, extra;
  for (const std::string& u : expected) {
    if (!fetched.count(u)) missing.push_back(u);
  }
  for (const std::string& u : fetched) {
    if (!expected.count(u)) extra.push_back(u);
  }
  CHECK_MESSAGE(missing.size() == lost,
                missing.size() << " expected URLs have no record (" << lost
                               << " allowed), e.g. " << First(missing));
  CHECK_MESSAGE(extra.empty(),
                extra.size() << " unexpected records, e.g. " << First(extra));
  return per_node;
}

// No page requested twice. robots.txt may be: each node that holds a host
// fetches the host's rules once (docs/redis.md).
void CheckNoPageRequestedTwice(const Setup& setup) {
  std::map<std::pair<std::string, std::string>, int> requests;
  for (const auto& r : setup.Requests()) {
    if (r.second == "/robots.txt") continue;
    const int times = ++requests[r];
    CHECK_MESSAGE(times == 1, r.first << r.second << " requested twice");
  }
}

// Waits (60 s at most) until `path` has at least `n` records.
void WaitForRecords(const std::string& path, size_t n,
                    const std::unique_ptr<Command>& node) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (crawler::e2e::Records(path).size() < n &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE_MESSAGE(crawler::e2e::Records(path).size() >= n,
                  path << " has too few records: " << node->Stderr());
}

// What `crawler status --json` says of the crawl.
json StatusJson(const Setup& setup) {
  auto status = Command::Start(
      {crawler::testing::RunfilePath("crawler/cli/crawler"), "status",
       "--frontier", setup.redis->Url(), "--crawl-name", "e2e", "--json"});
  REQUIRE(status.ok());
  REQUIRE((*status)->Wait(10000) == std::optional<int>(0));
  return json::parse((*status)->Stdout());
}

TEST_CASE("three nodes share one crawl: each URL fetched and recorded once") {
  Setup setup("three");
  const std::vector<std::string> nodes = {"n1", "n2", "n3"};
  std::vector<std::unique_ptr<Command>> running;
  for (const std::string& n : nodes) running.push_back(setup.StartNode(n));
  for (size_t i = 0; i < running.size(); ++i) {
    std::optional<int> code = running[i]->Wait(150000);
    REQUIRE_MESSAGE(code.has_value(), nodes[i] << " did not finish");
    CHECK_MESSAGE(*code == 0, nodes[i] << ": " << running[i]->Stderr());
    CHECK_MESSAGE(
        running[i]->Stderr().find("crawl stopped (done)") != std::string::npos,
        running[i]->Stderr());
  }
  const std::set<std::string> expected = setup.Expected();
  REQUIRE(expected.size() > 1000);
  const std::map<std::string, size_t> per_node =
      CheckUnion(setup, nodes, expected);
  for (const std::string& n : nodes) {
    const bool worked = per_node.count(n) > 0 && per_node.at(n) > 0;
    CHECK_MESSAGE(worked, n << " wrote no record");
  }
  CheckNoPageRequestedTwice(setup);
  // `crawler status` sees the finished crawl.
  const json progress = StatusJson(setup);
  CHECK(progress["queued"] == 0);
  CHECK(progress["in_flight"] == 0);
  CHECK(progress["nodes"].size() == 3);
}

TEST_CASE(
    "a node killed with SIGKILL mid-crawl: the others finish, nothing "
    "is lost") {
  Setup setup("kill");
  const std::vector<std::string> nodes = {"k1", "k2", "k3"};
  std::vector<std::unique_ptr<Command>> running;
  for (const std::string& n : nodes) running.push_back(setup.StartNode(n));
  // Kill k1 once it has written some records (it is then holding hosts
  // with URLs in flight).
  const std::string k1_out = setup.dir + "/out.k1.jsonl";
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (crawler::e2e::Records(k1_out).size() < 40 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE_MESSAGE(
      crawler::e2e::Records(k1_out).size() >= 40,
      "k1 wrote too few records before the end: " << running[0]->Stderr());
  REQUIRE(::kill(running[0]->pid(), SIGKILL) == 0);
  REQUIRE(running[0]->Wait(10000) == std::optional<int>(-SIGKILL));
  for (size_t i = 1; i < running.size(); ++i) {
    std::optional<int> code = running[i]->Wait(150000);
    REQUIRE_MESSAGE(code.has_value(), nodes[i] << " did not finish");
    CHECK_MESSAGE(*code == 0, nodes[i] << ": " << running[i]->Stderr());
  }
  // Every expected URL is recorded once, by k1 before it died or by the
  // others (a URL k1 was fetching when killed is fetched again: /__log may
  // show it twice, the records do not). Records are claimed at most once
  // (docs/redis.md): k1 may have been killed between a claim and its
  // write(2), a window of microseconds that a kill hits now and then; that
  // record is lost, and only that one (the coordinator claims and writes
  // one record at a time). k1's claims, as the frontier counts them, tell.
  const json progress = StatusJson(setup);
  int64_t k1_claims = -1;
  for (const json& n : progress["nodes"]) {
    if (n["id"] == "k1") k1_claims = n["records"].get<int64_t>();
  }
  const int64_t k1_written =
      static_cast<int64_t>(crawler::e2e::Records(k1_out).size());
  REQUIRE_MESSAGE(k1_claims >= k1_written, progress.dump());
  const int64_t lost = k1_claims - k1_written;
  CHECK_MESSAGE(lost <= 1, lost << " records claimed by k1 and not written");
  CheckUnion(setup, nodes, setup.Expected(), static_cast<size_t>(lost));
}

TEST_CASE(
    "Redis stopped for 7 s mid-crawl: the nodes pause, then finish "
    "with nothing lost") {
  Setup setup("pause");
  const std::vector<std::string> nodes = {"p1", "p2", "p3"};
  std::vector<std::unique_ptr<Command>> running;
  for (const std::string& n : nodes) running.push_back(setup.StartNode(n));
  const std::string p1_out = setup.dir + "/out.p1.jsonl";
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (crawler::e2e::Records(p1_out).size() < 40 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(crawler::e2e::Records(p1_out).size() >= 40);
  // Stopped, not gone: commands time out (5 s) and connections hang, as in
  // a network cut; its data stays.
  REQUIRE(::kill(setup.redis->pid(), SIGSTOP) == 0);
  std::this_thread::sleep_for(std::chrono::seconds(7));
  REQUIRE(::kill(setup.redis->pid(), SIGCONT) == 0);
  for (size_t i = 0; i < running.size(); ++i) {
    std::optional<int> code = running[i]->Wait(150000);
    REQUIRE_MESSAGE(code.has_value(), nodes[i] << " did not finish");
    CHECK_MESSAGE(*code == 0, nodes[i] << ": " << running[i]->Stderr());
  }
  // At least one node noticed (one that was waiting on Redis when it
  // stopped) and said so, then that it was back.
  bool paused = false, back = false;
  for (const auto& r : running) {
    paused =
        paused || r->Stderr().find("frontier unavailable") != std::string::npos;
    back = back ||
           r->Stderr().find("frontier available again") != std::string::npos;
  }
  CHECK(paused);
  CHECK(back);
  CheckUnion(setup, nodes, setup.Expected());
}

TEST_CASE(
    "Redis killed (SIGKILL) and restarted from its append-only file "
    "mid-crawl: the nodes pause, then finish; nothing lost or done "
    "twice") {
  // appendfsync always: every write Redis acknowledged is on disk, so the
  // restarted server has the crawl as the nodes last saw it. What it has
  // lost: its script cache (EVALSHA answers NOSCRIPT) and every connection.
  Setup setup("restart", {.append_only = true});
  const std::vector<std::string> nodes = {"r1", "r2", "r3"};
  std::vector<std::unique_ptr<Command>> running;
  for (const std::string& n : nodes) running.push_back(setup.StartNode(n));
  WaitForRecords(setup.dir + "/out.r1.jsonl", 40, running[0]);
  setup.redis->Kill();
  // Down for 2.5 s: longer than the nodes' host lease (--frontier-lease 2),
  // so every lease has expired by Redis's clock when it is back.
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  REQUIRE_OK(setup.redis->Restart());
  for (size_t i = 0; i < running.size(); ++i) {
    std::optional<int> code = running[i]->Wait(150000);
    REQUIRE_MESSAGE(code.has_value(), nodes[i] << " did not finish");
    CHECK_MESSAGE(*code == 0, nodes[i] << ": " << running[i]->Stderr());
    CHECK_MESSAGE(
        running[i]->Stderr().find("crawl stopped (done)") != std::string::npos,
        running[i]->Stderr());
  }
  // Every node was working when Redis died: each says it paused and that
  // Redis was back.
  for (size_t i = 0; i < running.size(); ++i) {
    const std::string err = running[i]->Stderr();
    CHECK_MESSAGE(err.find("frontier unavailable") != std::string::npos,
                  nodes[i] << ": " << err);
    CHECK_MESSAGE(err.find("frontier available again") != std::string::npos,
                  nodes[i] << ": " << err);
  }
  const std::set<std::string> expected = setup.Expected();
  REQUIRE(expected.size() > 1000);
  const std::map<std::string, size_t> per_node =
      CheckUnion(setup, nodes, expected);
  for (const std::string& n : nodes) {
    const bool worked = per_node.count(n) > 0 && per_node.at(n) > 0;
    CHECK_MESSAGE(worked, n << " wrote no record");
  }
  CheckNoPageRequestedTwice(setup);
}

TEST_CASE(
    "politeness holds across nodes: --delay 0.2 per host, one "
    "request at a time") {
  Setup setup("polite");
  const std::vector<std::string> nodes = {"q1", "q2", "q3"};
  std::vector<std::unique_ptr<Command>> running;
  for (const std::string& n : nodes) {
    running.push_back(setup.StartNode(
        n, {"--delay", "0.2", "--max-pages", "60"}, /*hosts=*/6));
  }
  for (size_t i = 0; i < running.size(); ++i) {
    std::optional<int> code = running[i]->Wait(150000);
    REQUIRE_MESSAGE(code.has_value(), nodes[i] << " did not finish");
    CHECK_MESSAGE(*code == 0, nodes[i] << ": " << running[i]->Stderr());
  }
  // Per host, whichever node sent them: request starts at least 0.2 s
  // apart, and never two at once.
  std::map<std::string, std::vector<std::pair<double, double>>> by_host;
  for (const json& e : setup.Log()) {
    by_host[e["host"]].emplace_back(e["start"].get<double>(),
                                    e["end"].get<double>());
  }
  CHECK(by_host.size() == 6);
  for (auto& [host, requests] : by_host) {
    std::sort(requests.begin(), requests.end());
    for (size_t i = 1; i < requests.size(); ++i) {
      const double gap = requests[i].first - requests[i - 1].first;
      CHECK_MESSAGE(gap >= 0.2 - 0.02,
                    host << ": two requests " << gap << " s apart");
      CHECK_MESSAGE(requests[i].first >= requests[i - 1].second - 0.001,
                    host << ": two requests at once");
    }
  }
}

TEST_CASE("--max-pages is crawl-wide: three nodes fetch 100 pages in all") {
  Setup setup("max_pages");
  const std::vector<std::string> nodes = {"m1", "m2", "m3"};
  std::vector<std::unique_ptr<Command>> running;
  for (const std::string& n : nodes) {
    running.push_back(setup.StartNode(n, {"--max-pages", "100"}));
  }
  for (size_t i = 0; i < running.size(); ++i) {
    std::optional<int> code = running[i]->Wait(150000);
    REQUIRE_MESSAGE(code.has_value(), nodes[i] << " did not finish");
    CHECK_MESSAGE(*code == 0, nodes[i] << ": " << running[i]->Stderr());
    CHECK_MESSAGE(running[i]->Stderr().find("crawl stopped (max_pages)") !=
                      std::string::npos,
                  running[i]->Stderr());
  }
  size_t fetched = 0;
  std::set<std::string> urls;
  for (const std::string& n : nodes) {
    for (const json& r :
         crawler::e2e::Records(setup.dir + "/out." + n + ".jsonl")) {
      CHECK(urls.insert(r["url"].get<std::string>()).second);
      if (!Unfetched(r)) ++fetched;
    }
  }
  CHECK(fetched == 100);
}

TEST_CASE("--warc on a node: the WARC files carry the node id") {
  Setup setup("warc-names");
  const std::string prefix = setup.dir + "/arch";
  auto node = setup.StartNode("w1", {"--warc", prefix}, /*hosts=*/2);
  std::optional<int> code = node->Wait(120000);
  REQUIRE(code.has_value());
  CHECK_MESSAGE(*code == 0, node->Stderr());
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(setup.dir)) {
    const std::string name = entry.path().filename().string();
    if (name.find(".warc") != std::string::npos) names.push_back(name);
  }
  REQUIRE_FALSE(names.empty());
  for (const std::string& name : names) {
    CAPTURE(name);
    CHECK(name.rfind("arch.w1-", 0) == 0);
    CHECK(name.size() > 8);
    CHECK(name.substr(name.size() - 8) == ".warc.gz");  // Closed, not .open.
  }
}

TEST_CASE("--frontier with --state: a usage error, for now") {
  auto cmd = Command::Start(
      {crawler::testing::RunfilePath("crawler/cli/crawler"), "crawl",
       "http://a.test/", "--frontier", "redis://127.0.0.1:1/0", "--state",
       crawler::testing::TempDir() + "/state"});
  REQUIRE(cmd.ok());
  REQUIRE((*cmd)->Wait(10000) == std::optional<int>(2));
  CHECK((*cmd)->Stderr().find(
            "--frontier and --state cannot be used together yet") !=
        std::string::npos);
}

TEST_CASE(
    "Redis gone for good: the node pauses, then fails with a clear "
    "error after --frontier-timeout") {
  Setup setup("gone");
  std::unique_ptr<Command> node =
      setup.StartNode("g1", {"--frontier-timeout", "2"});
  const std::string out = setup.dir + "/out.g1.jsonl";
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (crawler::e2e::Records(out).size() < 20 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(crawler::e2e::Records(out).size() >= 20);
  setup.redis->Kill();
  const auto killed = std::chrono::steady_clock::now();
  std::optional<int> code = node->Wait(60000);
  REQUIRE_MESSAGE(code.has_value(), "the node did not give up");
  const double waited =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - killed)
          .count();
  CHECK(*code == 1);
  const std::string err = node->Stderr();
  CHECK_MESSAGE(err.find("frontier unavailable") != std::string::npos, err);
  CHECK_MESSAGE(
      err.find("the frontier stayed unavailable for 2 s") != std::string::npos,
      err);
  CHECK(waited >= 1.5);
  CHECK(waited < 30);
  // What was written stays: whole JSON lines.
  CHECK(crawler::e2e::Records(out).size() >= 20);
}

}  // namespace
}  // namespace crawler
