// `crawler crawl` end to end: the real binary, real worker processes, libcurl
// and gumbo, against the generated site of tests/testdata/site_server.py on
// 127.0.0.1.
//
// The expected set of URLs comes from the server itself (/__expected): a BFS
// over the same generator that renders the pages, with the crawler's rules
// (scope host, robots.txt, nofollow, redirect hops as URLs of their own). The
// server's access log (/__log) shows what was really requested, with start
// and end times, so politeness is read from it.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "crawler/testing/command.h"
#include "crawler/testing/site_server.h"
#include "crawler/testing/test_util.h"
#include "tests/e2e/e2e_util.h"

namespace crawler {
namespace {

using crawler::e2e::CrawlerPath;

using crawler::testing::ChildrenOf;
using crawler::testing::Command;
using crawler::testing::SiteServer;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

std::unique_ptr<SiteServer> StartSite(
    const std::vector<std::string>& options = {}) {
  auto s = SiteServer::Start(options);
  REQUIRE_MESSAGE(s.ok(), s.status().ToString());
  return std::move(s).value();
}

struct Run {
  int exit_code = 0;
  // Records of fetched URLs.
  std::vector<json> records;
  // Records of queued URLs dropped without a fetch (blocked_by_robots,
  // robots_unreachable).
  std::vector<json> dropped;
  std::string err;
  double seconds = 0;
  // The last line of stderr.
  std::string LastErrLine() const {
    std::string e = err;
    while (!e.empty() && e.back() == '\n') e.pop_back();
    size_t nl = e.rfind('\n');
    return nl == std::string::npos ? e : e.substr(nl + 1);
  }
};

std::vector<json> ParseLines(const std::string& out) {
  std::vector<json> records;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    REQUIRE_MESSAGE(!j.is_discarded(), "not JSON: " << line);
    records.push_back(std::move(j));
  }
  return records;
}

// Runs `crawler crawl --allow-private ARGS...` to completion (records on
// stdout).
Run Crawl(std::vector<std::string> args, int timeout_ms = 30000) {
  args.insert(args.begin(), {CrawlerPath(), "crawl", "--allow-private"});
  const auto t0 = Clock::now();
  auto cmd = Command::Start(args);
  REQUIRE(cmd.ok());
  std::optional<int> code = (*cmd)->Wait(timeout_ms);
  REQUIRE_MESSAGE(code.has_value(), "crawler did not finish in time");
  Run run;
  run.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  run.exit_code = *code;
  run.err = (*cmd)->Stderr();
  for (json& r : ParseLines((*cmd)->Stdout())) {
    const bool fetched =
        !r["error"].is_string() ||
        (r["error"].get<std::string>().rfind("blocked_by_robots:", 0) != 0 &&
         r["error"].get<std::string>().rfind("robots_unreachable:", 0) != 0);
    (fetched ? run.records : run.dropped).push_back(std::move(r));
  }
  return run;
}

// url -> record; a URL seen twice fails the test.
std::map<std::string, json> ByUrl(const std::vector<json>& records) {
  std::map<std::string, json> m;
  for (const json& r : records) {
    const std::string u = r["url"];
    CHECK_MESSAGE(m.count(u) == 0, "two records for " << u);
    m[u] = r;
  }
  return m;
}

std::string PercentEncode(const std::string& s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// The server's expected crawl: url -> {"depth", "parents"}. `query` as in
// the script's docstring, e.g. "robots=0" or "max_depth=1".
json Expected(const SiteServer& server, const std::string& query = "") {
  StatusOr<std::string> body = server.Get("/__expected?" + query);
  REQUIRE_MESSAGE(body.ok(), body.status().ToString());
  return json::parse(*body);
}

struct Request {
  std::string path;  // With the query.
  std::string host;  // Host header.
  int client = 0;    // Peer port: one per connection.
  double start = 0;
  double end = 0;
};

std::vector<Request> AccessLog(const SiteServer& server) {
  StatusOr<std::string> body = server.Get("/__log");
  REQUIRE_MESSAGE(body.ok(), body.status().ToString());
  std::vector<Request> log;
  for (const json& e : json::parse(*body)) {
    Request r;
    r.path = e["path"];
    r.host = e["host"];
    r.client = e["client"];
    r.start = e["start"];
    r.end = e["end"].is_null() ? r.start : e["end"].get<double>();
    log.push_back(r);
  }
  std::sort(log.begin(), log.end(), [](const Request& a, const Request& b) {
    return a.start < b.start;
  });
  return log;
}

std::set<std::string> Keys(const json& object) {
  std::set<std::string> out;
  for (auto it = object.begin(); it != object.end(); ++it) out.insert(it.key());
  return out;
}

std::set<std::string> Keys(const std::map<std::string, json>& m) {
  std::set<std::string> out;
  for (const auto& [k, v] : m) out.insert(k);
  return out;
}

// Checks that two URL sets are equal, listing a few differences.
void CheckSameSet(const std::set<std::string>& got,
                  const std::set<std::string>& want) {
  std::vector<std::string> missing, extra;
  std::set_difference(want.begin(), want.end(), got.begin(), got.end(),
                      std::back_inserter(missing));
  std::set_difference(got.begin(), got.end(), want.begin(), want.end(),
                      std::back_inserter(extra));
  auto few = [](const std::vector<std::string>& v) {
    std::string s;
    for (size_t i = 0; i < v.size() && i < 5; ++i) s += " " + v[i];
    return s;
  };
  CHECK_MESSAGE(missing.empty(), missing.size() << " expected URLs not crawled:"
                                                << few(missing));
  CHECK_MESSAGE(extra.empty(),
                extra.size() << " unexpected URLs crawled:" << few(extra));
  CHECK(got.size() == want.size());
}

// The most requests the server had open at once. A request's end is when
// the server logged it, after writing the answer; the crawler may have read
// that answer and sent its next request a moment before, so ends count 5 ms
// early (a real excess request overlaps for the whole of a slow page).
int MaxOverlap(const std::vector<Request>& log) {
  std::vector<std::pair<double, int>> events;
  for (const Request& r : log) {
    events.push_back({r.start, 1});
    events.push_back({std::max(r.start + 1e-6, r.end - 0.005), -1});
  }
  std::sort(events.begin(), events.end());  // An end sorts before a start.
  int now = 0, max = 0;
  for (const auto& [t, d] : events) max = std::max(max, now += d);
  return max;
}

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

TEST_CASE("crawl: the whole site, exactly the expected URLs, each once") {
  auto server = StartSite();
  const std::string base = server->Url("");
  Run run =
      Crawl({server->Url("/"), "--delay", "0", "--per-host", "8", "-w", "2"});
  CHECK_MESSAGE(run.exit_code == 0, run.err);
  CHECK_MESSAGE(
      run.LastErrLine().find("crawl stopped (done)") != std::string::npos,
      run.LastErrLine());
  const json expected = Expected(*server);
  REQUIRE(expected.size() > 2000);
  const std::map<std::string, json> records = ByUrl(run.records);
  CHECK(run.records.size() == records.size());
  CheckSameSet(Keys(records), Keys(expected));
  // Links into the disallowed subtree end in a terminal record, unfetched.
  CHECK_FALSE(run.dropped.empty());
  std::set<std::string> dropped;
  for (const json& r : run.dropped) {
    const std::string u = r["url"];
    CHECK_MESSAGE(u.find("/private/") != std::string::npos, u);
    CHECK(r["status"].is_null());
    CHECK_MESSAGE(dropped.insert(u).second, "dropped twice: " << u);
  }

  // Every record is a success (PDFs and images end as skipped_content_type,
  // their bodies unread); depth and referrer agree with the link graph:
  // the referrer links to the URL (or redirected to it), the depth is the
  // referrer's plus one (plus zero after a redirect hop), never less than the
  // shortest path.
  int redirects = 0;
  for (const auto& [u, r] : records) {
    const bool skipped =
        r["error"].is_string() &&
        StartsWith(r["error"].get<std::string>(), "skipped_content_type: ") &&
        (StartsWith(u, base + "/files/") || StartsWith(u, base + "/img/"));
    CHECK_MESSAGE((r["error"].is_null() || skipped), u << ": " << r["error"]);
    if (!expected.contains(u)) continue;
    const json& e = expected[u];
    const int depth = r["depth"];
    CHECK_MESSAGE(depth >= e["depth"].get<int>(), u);
    if (r["referrer"].is_null()) {
      CHECK_MESSAGE(u == base + "/", u << " has no referrer");
      continue;
    }
    const std::string ref = r["referrer"];
    const auto& parents = e["parents"];
    CHECK_MESSAGE(
        std::find(parents.begin(), parents.end(), ref) != parents.end(),
        u << ": referrer " << ref << " does not link to it");
    auto pr = records.find(ref);
    REQUIRE_MESSAGE(pr != records.end(), "referrer not crawled: " << ref);
    const bool via_redirect = pr->second["location"].is_string();
    CHECK_MESSAGE(
        depth == pr->second["depth"].get<int>() + (via_redirect ? 0 : 1),
        u << " depth " << depth << ", referrer " << ref);
    const int status = r["status"];
    if (status >= 300 && status < 400) {
      ++redirects;
      CHECK_MESSAGE(r["location"].is_string(), u);
    } else {
      CHECK_MESSAGE(r["location"].is_null(), u);
    }
  }
  CHECK(redirects == 11);  // 4 codes + 1 to a seen page + 4 chain + 2 blocked.

  // A few known pages, field by field.
  auto rec = [&](const std::string& path) -> const json& {
    auto it = records.find(base + path);
    REQUIRE_MESSAGE(it != records.end(), "no record for " << path);
    return it->second;
  };
  CHECK(rec("/")["depth"] == 0);
  CHECK(rec("/")["referrer"].is_null());
  CHECK(rec("/")["status"] == 200);
  CHECK(rec("/s0/p0.html")["depth"] == 1);
  CHECK(rec("/s0/p0.html")["referrer"] == base + "/");
  CHECK(rec("/meta-nofollow.html")["depth"] == 1);
  CHECK(rec("/meta-nofollow.html")["referrer"] == base + "/");
  CHECK(rec("/missing/0.html")["status"] == 404);
  CHECK(rec("/files/doc0.pdf")["content_type"] == "application/pdf");
  CHECK(rec("/files/doc0.pdf")["links"].is_null());
  CHECK(rec("/files/doc0.pdf")["bytes"] == 0);
  CHECK(rec("/img/pic1.png")["links"].is_null());
  CHECK(rec("/img/pic1.png")["status"] == 200);
  // Redirects: hop recorded with its status and absolute location, target
  // crawled once at the same depth with the hop as referrer.
  for (const auto& [path, code, target] :
       std::vector<std::tuple<std::string, int, std::string>>{
           {"/redirect/301/10", 301, "/s2/p10.html"},
           {"/redirect/302/11", 302, "/s3/p11.html"},
           {"/redirect/307/12", 307, "/s4/p12.html"},
           {"/redirect/308/13", 308, "/s5/p13.html"},
           {"/redirect/302/1", 302, "/s1/p1.html"},
           {"/chain/3", 302, "/chain/2"},
           {"/chain/2", 302, "/chain/1"},
           {"/chain/1", 302, "/chain/0"},
           {"/chain/0", 302, "/landing.html"},
           {"/redirect/private", 302, "/private/secret.html"},
       }) {
    CAPTURE(path);
    CHECK(rec(path)["status"] == code);
    CHECK(rec(path)["location"] == base + target);
    CHECK(rec(path)["depth"] == 1);
  }
  CHECK(rec("/redirect/external")["location"] ==
        "http://external.invalid/target");
  CHECK(rec("/chain/2")["referrer"] == base + "/chain/3");
  CHECK(rec("/landing.html")["referrer"] == base + "/chain/0");
  CHECK(rec("/landing.html")["depth"] == 1);
  CHECK(rec("/landing.html")["status"] == 200);

  // The server saw each expected URL exactly once, robots.txt once, and
  // nothing else: nothing disallowed, nothing out of scope (another host), no
  // nofollow-only page, nothing found inside a non-HTML body.
  const std::vector<Request> log = AccessLog(*server);
  std::map<std::string, int> hits;
  for (const Request& q : log) {
    CHECK_MESSAGE(q.host == "127.0.0.1:" + std::to_string(server->port()),
                  "request with Host " << q.host << ": " << q.path);
    ++hits[base + q.path];
  }
  CHECK(hits[base + "/robots.txt"] == 1);
  CHECK(log.size() == expected.size() + 1);
  for (const auto& [u, n] : hits) {
    CHECK_MESSAGE(n == 1, u << " requested " << n << " times");
    const std::string path = u.substr(base.size());
    const bool known = path == "/robots.txt" || expected.contains(u);
    CHECK_MESSAGE(known, "unexpected request " << path);
    for (const char* bad :
         {"/private/", "/nofollow/", "/mnf/", "/alias/", "/never-parsed"}) {
      CHECK_MESSAGE(!StartsWith(path, bad), "requested " << path);
    }
  }
  // robots.txt came first.
  REQUIRE(!log.empty());
  CHECK(log.front().path == "/robots.txt");
}

TEST_CASE("crawl: --delay 0.3 spaces consecutive requests to the host") {
  auto server = StartSite({"--pages", "40"});
  Run run = Crawl({server->Url("/"), "--delay", "0.3", "--max-pages", "8"});
  CHECK_MESSAGE(run.exit_code == 0, run.err);
  CHECK(run.records.size() == 8);
  const std::vector<Request> log = AccessLog(*server);
  CHECK(log.size() == 9);  // robots.txt and 8 pages.
  for (size_t i = 1; i < log.size(); ++i) {
    CHECK_MESSAGE(log[i].start - log[i - 1].start >= 0.3 - 0.02,
                  log[i - 1].path << " then " << log[i].path << " after "
                                  << log[i].start - log[i - 1].start << " s");
  }
  CHECK(MaxOverlap(log) == 1);  // --per-host defaults to 1.
}

TEST_CASE("crawl: robots.txt Crawl-delay spaces requests (--delay 0)") {
  auto server = StartSite({"--pages", "40", "--crawl-delay", "0.4"});
  Run run = Crawl({server->Url("/"), "--delay", "0", "--max-pages", "5"});
  CHECK_MESSAGE(run.exit_code == 0, run.err);
  CHECK(run.records.size() == 5);
  const std::vector<Request> log = AccessLog(*server);
  REQUIRE(log.size() == 6);
  // From robots.txt on, since its answer set the delay.
  for (size_t i = 2; i < log.size(); ++i) {
    CHECK_MESSAGE(log[i].start - log[i - 1].start >= 0.4 - 0.02,
                  log[i - 1].path << " then " << log[i].path << " after "
                                  << log[i].start - log[i - 1].start << " s");
  }
}

TEST_CASE("crawl: --per-host 4 --delay 0 keeps up to 4 requests in flight") {
  auto server = StartSite({"--pages", "100", "--slow-ms", "150"});
  Run run = Crawl({server->Url("/"), "--delay", "0", "--per-host", "4", "-w",
                   "2", "--max-pages", "24"});
  CHECK_MESSAGE(run.exit_code == 0, run.err);
  CHECK(run.records.size() == 24);
  const std::vector<Request> log = AccessLog(*server);
  CHECK(MaxOverlap(log) == 4);
  std::set<int> connections;
  for (const Request& q : log) connections.insert(q.client);
  CHECK(connections.size() >= 4);
}

TEST_CASE("crawl: --max-pages 25 stops with exactly 25 records") {
  auto server = StartSite({"--pages", "300"});
  Run run = Crawl({server->Url("/"), "--delay", "0", "--per-host", "8",
                   "--max-pages", "25"});
  CHECK_MESSAGE(run.exit_code == 0, run.err);
  CHECK(run.records.size() == 25);
  ByUrl(run.records);
  CHECK_MESSAGE(run.LastErrLine().find("max_pages") != std::string::npos,
                run.LastErrLine());
  CHECK(AccessLog(*server).size() == 26);  // Nothing fetched beyond the cap.
}

TEST_CASE("crawl: --max-depth 1 crawls depth 0 and 1 only") {
  auto server = StartSite({"--pages", "300"});
  Run run = Crawl({server->Url("/"), "--delay", "0", "--per-host", "8",
                   "--max-depth", "1"});
  CHECK_MESSAGE(run.exit_code == 0, run.err);
  for (const json& r : run.records) CHECK(r["depth"].get<int>() <= 1);
  CheckSameSet(Keys(ByUrl(run.records)),
               Keys(Expected(*server, "max_depth=1")));
}

TEST_CASE("crawl: --max-duration 1 on a slow site stops in about 1 s") {
  auto server = StartSite({"--pages", "300", "--slow-ms", "300"});
  Run run = Crawl({server->Url("/"), "--delay", "0", "--per-host", "2",
                   "--max-duration", "1"});
  CHECK_MESSAGE(run.exit_code == 0, run.err);
  CHECK_MESSAGE(run.LastErrLine().find("max_duration") != std::string::npos,
                run.LastErrLine());
  // 1 s, then the requests in flight (0.3 s each), plus start-up.
  CHECK_MESSAGE(run.seconds < 2.0, run.seconds << " s");
  CHECK(run.records.size() >= 2);
  // Every request the server answered has its record.
  CHECK(AccessLog(*server).size() == run.records.size() + 1);
}

TEST_CASE("crawl: SIGTERM mid-crawl exits 143 after the requests in flight") {
  auto server = StartSite({"--pages", "300", "--slow-ms", "200"});
  auto cmd = Command::Start({CrawlerPath(), "crawl", "--allow-private",
                             server->Url("/"), "--delay", "0", "--per-host",
                             "2", "-w", "2"});
  REQUIRE(cmd.ok());
  const std::vector<pid_t> workers =
      crawler::testing::WaitForChildren((*cmd)->pid(), 2, 10000);
  CHECK(workers.size() >= 2);
  std::this_thread::sleep_for(std::chrono::milliseconds(900));
  REQUIRE(kill((*cmd)->pid(), SIGTERM) == 0);
  std::optional<int> code = (*cmd)->Wait(10000);
  REQUIRE(code.has_value());
  CHECK(*code == 143);
  const std::vector<json> records = ParseLines((*cmd)->Stdout());
  CHECK(records.size() >= 2);
  CHECK(records.size() < 300);
  ByUrl(records);
  CHECK((*cmd)->Stderr().find("interrupted") != std::string::npos);
  // Requests in flight at the signal were finished and recorded.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(AccessLog(*server).size() == records.size() + 1);
  for (pid_t w : workers) {
    CHECK_MESSAGE(kill(w, 0) != 0, "worker " << w << " still running");
  }
}

TEST_CASE("crawl: robots.txt 404 or 403 allows everything (RFC 9309 2.3.1.3)") {
  for (const char* status : {"404", "403"}) {
    CAPTURE(status);
    auto server = StartSite({"--pages", "200", "--robots-status", status});
    Run run = Crawl({server->Url("/"), "--delay", "0", "--per-host", "8"});
    CHECK_MESSAGE(run.exit_code == 0, run.err);
    const json expected = Expected(*server, "robots=0");
    CHECK(expected.contains(server->Url("/private/index.html")));
    CheckSameSet(Keys(ByUrl(run.records)), Keys(expected));
  }
}

TEST_CASE("crawl: robots.txt 503 means nothing of that origin is fetched") {
  // RFC 9309 2.3.1.4: unreachable, complete disallow. The engine retries
  // robots.txt after 30 s (then 60 s) and meanwhile holds the host; within
  // --max-duration 2 only robots.txt is requested, and no record is written.
  auto server = StartSite({"--pages", "50", "--robots-status", "503"});
  Run run = Crawl({server->Url("/"), "--delay", "0", "--max-duration", "2"});
  CHECK_MESSAGE(run.exit_code == 0, run.err);
  CHECK_MESSAGE(run.LastErrLine().find("max_duration") != std::string::npos,
                run.LastErrLine());
  CHECK(run.records.empty());
  const std::vector<Request> log = AccessLog(*server);
  REQUIRE(log.size() == 1);
  CHECK(log[0].path == "/robots.txt");
}

TEST_CASE("crawl: --no-robots fetches /private/ and never robots.txt") {
  auto server = StartSite({"--pages", "200"});
  Run run = Crawl(
      {server->Url("/"), "--delay", "0", "--per-host", "8", "--no-robots"});
  CHECK_MESSAGE(run.exit_code == 0, run.err);
  const json expected = Expected(*server, "robots=0");
  CHECK(expected.contains(server->Url("/private/secret.html")));
  CheckSameSet(Keys(ByUrl(run.records)), Keys(expected));
  for (const Request& q : AccessLog(*server)) CHECK(q.path != "/robots.txt");
}

TEST_CASE("crawl: --follow-nofollow also crawls nofollow-only pages") {
  auto server = StartSite({"--pages", "200"});
  Run run = Crawl({server->Url("/"), "--delay", "0", "--per-host", "8",
                   "--follow-nofollow"});
  CHECK_MESSAGE(run.exit_code == 0, run.err);
  const json expected = Expected(*server, "nofollow=0");
  CHECK(expected.contains(server->Url("/nofollow/index.html")));
  CHECK(expected.contains(server->Url("/mnf/0.html")));
  CheckSameSet(Keys(ByUrl(run.records)), Keys(expected));
}

TEST_CASE("crawl: --exclude and --include reduce the set as expected") {
  auto server = StartSite({"--pages", "300"});
  const json all = Expected(*server);
  SUBCASE("--exclude") {
    const std::string re = "/s3/|/chain/";
    Run run = Crawl(
        {server->Url("/"), "--delay", "0", "--per-host", "8", "--exclude", re});
    CHECK_MESSAGE(run.exit_code == 0, run.err);
    const json expected = Expected(*server, "exclude=" + PercentEncode(re));
    CHECK(expected.size() < all.size());
    CHECK(!expected.contains(server->Url("/landing.html")));
    CheckSameSet(Keys(ByUrl(run.records)), Keys(expected));
  }
  SUBCASE("--include (repeatable)") {
    const std::string re1 = "^http://127\\.0\\.0\\.1:[0-9]+/(s[0-3]/.*)?$";
    const std::string re2 = "/redirect/";
    Run run = Crawl({server->Url("/"), "--delay", "0", "--per-host", "8",
                     "--include", re1, "--include", re2});
    CHECK_MESSAGE(run.exit_code == 0, run.err);
    const json expected =
        Expected(*server, "include=" + PercentEncode(re1) +
                              "&include=" + PercentEncode(re2));
    CHECK(expected.size() < all.size());
    CHECK(expected.size() > 20);
    CheckSameSet(Keys(ByUrl(run.records)), Keys(expected));
  }
}

TEST_CASE("crawl: --scope any reaches the localhost alias; default does not") {
  auto server = StartSite({"--pages", "300"});
  // .invalid and .example hosts are denied so that nothing leaves loopback.
  Run run =
      Crawl({server->Url("/"), "--delay", "0", "--per-host", "8", "--scope",
             "any", "--deny-domain", "invalid", "--deny-domain", "example"});
  CHECK_MESSAGE(run.exit_code == 0, run.err);
  const json expected = Expected(*server, "scope=any");
  const std::string alias =
      "http://localhost:" + std::to_string(server->port());
  CHECK(expected.contains(alias + "/alias/index.html"));
  CHECK(expected.size() > Expected(*server).size());
  CheckSameSet(Keys(ByUrl(run.records)), Keys(expected));
  int robots = 0;
  for (const Request& q : AccessLog(*server)) {
    if (q.path == "/robots.txt") ++robots;
  }
  CHECK(robots == 2);  // One per origin.
}

}  // namespace
}  // namespace crawler
