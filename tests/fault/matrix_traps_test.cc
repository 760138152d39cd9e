// Fault matrix section 6.4 (traps and URL space, T1-T5): one test per row
// that applies today, against tests/testdata/fault_server.py through the
// crawler binary. Each asserts the terminal state in the output records, a
// bounded time, and that the rest of the crawl completed. Rows whose expected
// behaviour the engine lacks are written anyway and skipped, each with an
// "ENGINE GAP:" comment (tests/fault/README.md lists them).
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <initializer_list>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "crawler/testing/command.h"
#include "crawler/testing/fault_server.h"
#include "crawler/testing/test_util.h"

namespace crawler {
namespace {

using crawler::testing::Command;
using crawler::testing::FaultServer;
using crawler::testing::FaultServerOptions;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

// --- harness (the same block in every matrix_*_test.cc) ---------------------

[[maybe_unused]] int64_t MsSince(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t)
      .count();
}

FaultServer& Server();

[[maybe_unused]] std::string CrawlerPath() {
  return crawler::testing::RunfilePath("crawler/cli/crawler");
}

// "http://<host>:<port><path>" on the fault server.
[[maybe_unused]] std::string U(const std::string& host,
                               const std::string& path) {
  return Server().Url(host, path);
}

// One run of the crawler binary.
struct Run {
  int code = -1;
  std::vector<json> records;  // stdout, one JSON object per line.
  std::string out;
  std::string err;
  int64_t ms = 0;  // Wall time of the run.
  std::string LastErrLine() const {
    std::string e = err;
    while (!e.empty() && e.back() == '\n') e.pop_back();
    const size_t nl = e.rfind('\n');
    return nl == std::string::npos ? e : e.substr(nl + 1);
  }
};

// Runs the crawler with `args` (after the binary) and waits at most
// `timeout_ms` (the Command destructor kills it when the test fails).
[[maybe_unused]] Run RunCrawler(const std::vector<std::string>& args,
                                int timeout_ms = 30000,
                                const std::vector<std::string>& env = {},
                                const std::string& stdin_data = "",
                                bool json_lines = true) {
  std::vector<std::string> argv = {CrawlerPath()};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto t0 = Clock::now();
  auto cmd = Command::Start(argv, env, stdin_data);
  REQUIRE(cmd.ok());
  std::optional<int> code = (*cmd)->Wait(timeout_ms);
  REQUIRE_MESSAGE(code.has_value(), "crawler did not finish in "
                                        << timeout_ms
                                        << " ms: " << (*cmd)->Stderr());
  Run run;
  run.ms = MsSince(t0);
  run.code = *code;
  run.out = (*cmd)->Stdout();
  run.err = (*cmd)->Stderr();
  std::istringstream in(run.out);
  std::string line;
  while (json_lines && std::getline(in, line)) {
    // Also checks that every record is valid JSON (and valid UTF-8).
    json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    REQUIRE_MESSAGE(!j.is_discarded(), "not a JSON record: " << line);
    run.records.push_back(std::move(j));
  }
  return run;
}

// True when the record is a fetched page: a status and no error.
[[maybe_unused]] bool Fetched(const json& r) {
  return r["status"].is_number() && !r["error"].is_string();
}

// `crawler crawl` on the fault server's fake hosts: --allow-private, the
// *.test override, no politeness delay and short timeouts; `args` last.
[[maybe_unused]] Run Crawl(const std::vector<std::string>& args,
                           int timeout_ms = 30000,
                           const std::vector<std::string>& env = {}) {
  std::vector<std::string> a = {"crawl",
                                "--allow-private",
                                "--resolve",
                                Server().ResolveFlag(),
                                "--delay",
                                "0",
                                "--timeout",
                                "2",
                                "--connect-timeout",
                                "1"};
  a.insert(a.end(), args.begin(), args.end());
  return RunCrawler(a, timeout_ms, env);
}

// `crawler fetch --ordered` the same way; records in input order.
[[maybe_unused]] Run Fetch(const std::vector<std::string>& args,
                           int timeout_ms = 30000,
                           const std::vector<std::string>& env = {}) {
  std::vector<std::string> a = {
      "fetch",     "--allow-private", "--resolve", Server().ResolveFlag(),
      "--ordered", "--timeout",       "2",         "--connect-timeout",
      "1"};
  a.insert(a.end(), args.begin(), args.end());
  return RunCrawler(a, timeout_ms, env);
}

[[maybe_unused]] std::string ErrorOf(const json& r) {
  return r.contains("error") && r["error"].is_string()
             ? r["error"].get<std::string>()
             : "";
}

// The error class of a record ("" when it has no error).
[[maybe_unused]] std::string ClassOf(const json& r) {
  const std::string e = ErrorOf(r);
  return e.substr(0, e.find(':'));
}

// True when the record's error class is one of `classes` (the engine's
// documented name first, then the fault matrix's or issue 4's name for the
// same terminal state).
[[maybe_unused]] bool ClassIn(const json& r,
                              std::initializer_list<const char*> classes) {
  const std::string c = ClassOf(r);
  for (const char* k : classes) {
    if (c == k) return true;
  }
  return false;
}

// url -> record; two records for one URL fail the test.
[[maybe_unused]] std::map<std::string, json> ByUrl(
    const std::vector<json>& records) {
  std::map<std::string, json> m;
  for (const json& r : records) {
    const std::string u = r["url"];
    CHECK_MESSAGE(m.count(u) == 0, "two records for " << u);
    m[u] = r;
  }
  return m;
}

// The fault server's request log (/__log?query).
[[maybe_unused]] json Log(const std::string& query = "") {
  auto text = Server().Log(query);
  REQUIRE_MESSAGE(text.ok(), text.status().ToString());
  return json::parse(*text);
}

// Requests to fake host `host` (any port), in arrival order.
[[maybe_unused]] std::vector<json> HostLog(const std::string& host) {
  std::vector<json> out;
  for (json& e : Log("host=" + host)) out.push_back(std::move(e));
  return out;
}

// Paths requested from `host`.
[[maybe_unused]] std::vector<std::string> Paths(const std::string& host) {
  std::vector<std::string> out;
  for (const json& e : HostLog(host)) out.push_back(e["path"]);
  return out;
}

[[maybe_unused]] size_t CountPath(const std::string& host,
                                  const std::string& path) {
  size_t n = 0;
  for (const std::string& p : Paths(host)) n += p == path;
  return n;
}

// Requests the canary on 127.0.0.2 received so far.
[[maybe_unused]] size_t CanaryHits() { return Log("listener=canary").size(); }

// Percent-encodes a query value.
[[maybe_unused]] std::string Q(const std::string& s) {
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

// Sets the robots.txt scenario of `host` at run time (/__robots).
[[maybe_unused]] void SetRobots(const std::string& host, const json& scenario) {
  auto r =
      Server().Get("/__robots?host=" + host + "&set=" + Q(scenario.dump()));
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  REQUIRE(r->status == 200);
}

// A log entry's request time (Unix seconds).
[[maybe_unused]] double TimeOf(const json& e) {
  return e["time"].get<double>();
}

FaultServer& Server() {
  static std::unique_ptr<FaultServer> server = [] {
    auto s = FaultServer::Start();
    REQUIRE_MESSAGE(s.ok(), s.status().ToString());
    return std::move(s).value();
  }();
  return *server;
}

size_t PagesOf(const std::string& host) {
  size_t n = 0;
  for (const std::string& p : Paths(host)) n += p != "/robots.txt";
  return n;
}

TEST_CASE("T1: an infinite calendar ends at the depth limit and the budget") {
  const Run run = Crawl({U("t1.test", "/trap/calendar?d=2026-11-25"),
                         U("t1-ok.test", "/links?set=ok"), "--scope", "any",
                         "--max-depth", "20", "--retries", "0"});
  CHECK_MESSAGE(run.code == 0, run.err);
  CHECK(run.ms < 8000);
  CHECK(run.LastErrLine().find("stopped (done)") != std::string::npos);
  CHECK(PagesOf("t1.test") <= 41);  // 20 days either way, and the seed.
  CHECK(PagesOf("t1-ok.test") == 4);
  // With a per-host budget: at most that many, counted in the summary.
  const Run capped = Crawl({U("t1b.test", "/trap/calendar?d=2026-11-25"),
                            U("t1b-ok.test", "/links?set=ok"), "--scope", "any",
                            "--per-host-cap", "10", "--retries", "0"});
  CHECK_MESSAGE(capped.code == 0, capped.err);
  CHECK(PagesOf("t1b.test") == 10);
  CHECK(PagesOf("t1b-ok.test") == 4);
  CHECK(capped.LastErrLine().find(" 0 over the per-host cap") ==
        std::string::npos);
  CHECK(capped.LastErrLine().find("over the per-host cap") !=
        std::string::npos);
  CHECK(capped.ms < 6000);
}

TEST_CASE("T2: session ids are stripped, the page is fetched once") {
  // FIXED (was an engine gap): known session parameters (;jsessionid=,
  // PHPSESSID=, sid=) are not stripped by default (--strip-query can drop query
  // parameters, nothing drops ;jsessionid path parameters): each fresh id is a
  // new URL, three per page, bounded only by --max-depth 20; 31,323 pages in 8
  // s (crawl --max-duration 8 of /trap/session).
  const Run run = Crawl({"--max-duration", "4", "--max-pages", "500",
                         U("t2.test", "/trap/session")});
  CHECK_MESSAGE(run.code == 0, run.err);
  CHECK(PagesOf("t2.test") == 1);
}

TEST_CASE("T3: repeated path segments are refused as a trap") {
  const Run run = Crawl({U("t3.test", "/trap/repeat/"),
                         U("t3.test", "/links?set=ok"), "--retries", "0"});
  CHECK_MESSAGE(run.code == 0, run.err);
  CHECK(run.ms < 5000);
  for (const std::string& p : Paths("t3.test")) {
    CHECK(p.find("a/a/a/a/") == std::string::npos);
  }
  CHECK(CountPath("t3.test", "/trap/repeat/a/a/a/") == 1);
  CHECK(PagesOf("t3.test") == 4 + 4);  // The repeat pages and the ok site.
  // The refused link is counted (as out of scope: trap_suspected).
  CHECK(run.LastErrLine().find(" 0 out of scope") == std::string::npos);
  // A seed that is a trap gets its own terminal record.
  const std::string seed = U("t3.test", "/trap/repeat/a/a/a/a/a/");
  const Run refused = Crawl({seed, U("t3.test", "/page/1")});
  CHECK_MESSAGE(refused.code == 0, refused.err);
  auto by = ByUrl(refused.records);
  CHECK(ClassIn(by[seed], {"trap_suspected"}));
  CHECK(Fetched(by[U("t3.test", "/page/1")]));
}

TEST_CASE("T4: URLs longer than the limit are refused before any fetch") {
  const Run run = Crawl({U("t4.test", "/trap/longurl/ab"), "--retries", "0"});
  CHECK_MESSAGE(run.code == 0, run.err);
  CHECK(run.ms < 5000);
  CHECK(run.LastErrLine().find("stopped (done)") != std::string::npos);
  for (const std::string& p : Paths("t4.test")) CHECK(p.size() <= 2083);
  CHECK(PagesOf("t4.test") >= 8);
  // An over-long seed: url_too_long, and the other seed is crawled.
  const std::string long_seed =
      U("t4b.test", "/trap/longurl/" + std::string(3000, 'x'));
  const Run seed =
      Crawl({long_seed, U("t4b.test", "/page/1"), "--max-depth", "0"});
  CHECK_MESSAGE(seed.code == 0, seed.err);
  REQUIRE(seed.records.size() == 2);
  bool too_long = false;
  for (const json& r : seed.records) {
    if (ClassIn(r, {"url_too_long"})) too_long = true;
  }
  CHECK(too_long);
  CHECK(PagesOf("t4b.test") == 1);
}

TEST_CASE("T5: query explosion is bounded by the per-host budget") {
  const Run run =
      Crawl({U("t5.test", "/trap/params?a=1&b=2"), U("t5-ok.test", "/page/1"),
             "--scope", "any", "--per-host-cap", "50", "--retries", "0",
             "--max-duration", "20"});
  CHECK_MESSAGE(run.code == 0, run.err);
  CHECK(run.ms < 8000);
  CHECK(run.LastErrLine().find("stopped (done)") != std::string::npos);
  CHECK(PagesOf("t5.test") == 50);
  CHECK(PagesOf("t5-ok.test") >= 1);
}

TEST_CASE("T5: without flags a query explosion still ends by itself" *
          doctest::skip()) {
  // ENGINE GAP: no default per-host budget and no parameter-order
  // canonicalization: /trap/params links to three new URLs per page, bounded
  // only by --max-depth 20 (3^20); 48,706 pages in 8 s (crawl --max-duration
  // 8). Expected: ended by a default budget or trap_suspected.
  const Run run = Crawl({"--max-duration", "10", "--max-pages", "5000",
                         U("t5b.test", "/trap/params?a=1&b=2")});
  CHECK_MESSAGE(run.code == 0, run.err);
  CHECK(run.LastErrLine().find("stopped (done)") != std::string::npos);
  CHECK(PagesOf("t5b.test") < 1000);
}

}  // namespace
}  // namespace crawler
