// Fault matrix rows N4 (DNS failures) and S3 (DNS rebinding), without real
// DNS: the crawler binary runs with tests/testdata/libfake_dns.so preloaded
// (LD_PRELOAD), a getaddrinfo() shim that answers the names under .dns.test
// (NXDOMAIN, EAI_AGAIN, slow, denied-only, rebinding, two records; see
// fake_dns.cc) and logs every lookup to a file of the test's. libcurl's
// threaded resolver calls getaddrinfo(), so these names go through the same
// path as real ones: no --resolve for them.
//
// The fault server's canary listens on 127.0.0.2 at the main port
// (--canary-same-port), so a URL of a .dns.test name reaches the server
// (127.0.0.1) or the canary (127.0.0.2) by the address the name resolved to.
// The crawler allows 127.0.0.1:<port> only (--allow-address, not
// --allow-private, which would allow the canary too). A control host,
// web.test (--resolve to 127.0.0.1), is crawled alongside each fault.
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdlib>
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
#include "tests/fault/matrix_harness.h"

namespace crawler {
namespace {

using crawler::testing::Command;
using crawler::testing::FaultServer;
using crawler::testing::FaultServerOptions;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

FaultServer& Server() {
  static std::unique_ptr<FaultServer> server = [] {
    FaultServerOptions o;
    o.canary = true;
    o.extra_args = {"--canary-same-port"};
    auto s = FaultServer::Start(o);
    REQUIRE_MESSAGE(s.ok(), s.status().ToString());
    REQUIRE((*s)->canary_port() == (*s)->port());
    return std::move(s).value();
  }();
  return *server;
}

std::string Port() { return std::to_string(Server().port()); }

// "http://<name>:<port><path>", e.g. D("nx", "/page/1") for nx.dns.test.
std::string D(const std::string& label, const std::string& path) {
  return "http://" + label + ".dns.test:" + Port() + path;
}

// The control host, crawled in every crawl: web.test, through --resolve.
std::string W(const std::string& path) { return U("web.test", path); }

// One lookup the shim logged.
struct Lookup {
  std::string name;
  std::string answer;  // "127.0.0.1", "127.0.0.2,127.0.0.1", "EAI_NONAME"...
  int64_t ms = 0;      // Wall clock when it began.
};

// The fake resolver of one test case: its own log (so its own rebinding
// counter) and the environment that loads it into the crawler.
class FakeDns {
 public:
  explicit FakeDns(int slow_ms = 5000) : slow_ms_(slow_ms) {
    static std::atomic<int> next{0};
    log_ = crawler::testing::TempDir() + "/fake_dns." +
           std::to_string(getpid()) + "." + std::to_string(next++) + ".log";
    std::remove(log_.c_str());
  }

  std::vector<std::string> Env() const {
    const std::string lib =
        crawler::testing::RunfilePath("tests/testdata/libfake_dns.so");
    char real[PATH_MAX];
    const std::string abs =
        realpath(lib.c_str(), real) != nullptr ? std::string(real) : lib;
    // A preloaded library precedes the ASan runtime in the library list,
    // which ASan refuses unless told not to check (--config=asan).
    const char* asan = std::getenv("ASAN_OPTIONS");
    std::string asan_options = asan != nullptr ? asan : "";
    if (!asan_options.empty()) asan_options += ":";
    asan_options += "verify_asan_link_order=0";
    return {"LD_PRELOAD=" + abs, "FAKE_DNS_LOG=" + log_,
            "FAKE_DNS_SLOW_MS=" + std::to_string(slow_ms_),
            "ASAN_OPTIONS=" + asan_options};
  }

  // The lookups of `label`.dns.test so far, in order.
  std::vector<Lookup> Lookups(const std::string& label) const {
    std::vector<Lookup> out;
    std::ifstream in(log_);
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      Lookup l;
      fields >> l.name >> l.answer >> l.ms;
      if (l.name == label + ".dns.test") out.push_back(l);
    }
    return out;
  }
  size_t Count(const std::string& label) const { return Lookups(label).size(); }

 private:
  int slow_ms_;
  std::string log_;
};

// `crawler crawl` with the fake resolver: only 127.0.0.1:<port> allowed,
// web.test resolved by --resolve, no politeness delay, 2 s / 1 s timeouts,
// `args` last.
Run DnsCrawl(const FakeDns& dns, const std::vector<std::string>& args,
             int timeout_ms = 60000) {
  std::vector<std::string> a = {"crawl",
                                "--allow-address",
                                "127.0.0.1:" + Port(),
                                "--resolve",
                                "web.test:" + Port() + ":127.0.0.1",
                                "--delay",
                                "0",
                                "--timeout",
                                "2",
                                "--connect-timeout",
                                "1"};
  a.insert(a.end(), args.begin(), args.end());
  return RunCrawler(a, timeout_ms, dns.Env());
}

// `crawler fetch --ordered` the same way.
Run DnsFetch(const FakeDns& dns, const std::vector<std::string>& args,
             int timeout_ms = 30000) {
  std::vector<std::string> a = {"fetch",
                                "--ordered",
                                "--allow-address",
                                "127.0.0.1:" + Port(),
                                "--resolve",
                                "web.test:" + Port() + ":127.0.0.1",
                                "--timeout",
                                "2",
                                "--connect-timeout",
                                "1"};
  a.insert(a.end(), args.begin(), args.end());
  return RunCrawler(a, timeout_ms, dns.Env());
}

// Requests the server (not the canary) got for `label`.dns.test.
size_t ServerHits(const std::string& label) {
  size_t n = 0;
  for (const json& e : HostLog(label + ".dns.test")) {
    n += e["listener"] == "main";
  }
  return n;
}

// The control host's pages: / links to /page/1; both fetched.
void CheckControlCrawled(const std::map<std::string, json>& by) {
  for (const std::string& u : {W("/"), W("/page/1")}) {
    CAPTURE(u);
    REQUIRE(by.count(u) == 1);
    CHECK(Fetched(by.at(u)));
  }
}

TEST_CASE("fake DNS: the shim answers the crawler's lookups of .dns.test") {
  // Without this the other cases could pass on a real resolver's NXDOMAIN.
  FakeDns dns;
  const Run run = DnsFetch(dns, {"--retries", "0", D("ok", "/page/1")});
  CHECK_MESSAGE(run.code == 0, run.err);
  REQUIRE(run.records.size() == 1);
  CHECK(Fetched(run.records[0]));
  const std::vector<Lookup> l = dns.Lookups("ok");
  REQUIRE(l.size() == 1);
  CHECK(l[0].answer == "127.0.0.1");
  CHECK(ServerHits("ok") >= 1);
}

TEST_CASE("N4/S3: each fake answer ends in its class (crawler fetch)") {
  FakeDns dns(3000);
  const size_t canary_before = CanaryHits();
  const size_t two_before = ServerHits("two");
  const size_t denied_before = ServerHits("denied");
  const Run run =
      DnsFetch(dns, {"--retries", "0", D("nx", "/page/1"),
                     D("tempfail", "/page/1"), D("denied", "/page/1"),
                     D("slow", "/page/1"), D("two", "/page/1"), W("/page/1")});
  CHECK_MESSAGE(run.code == 0, run.err);
  CAPTURE(run.out);
  REQUIRE(run.records.size() == 6);
  CHECK(ClassIn(run.records[0], {"dns_failed", "dns_nxdomain"}));
  CHECK(ErrorOf(run.records[0]).find("nx.dns.test") != std::string::npos);
  CHECK(run.records[0]["status"].is_null());
  CHECK(ClassIn(run.records[1], {"dns_failed", "dns_tempfail"}));
  CHECK(ClassIn(run.records[2], {"blocked_private_address", "blocked_ssrf"}));
  CHECK(ErrorOf(run.records[2]).find("127.0.0.2") != std::string::npos);
  // The resolution is bounded by --connect-timeout (1 s), which libcurl
  // applies to resolving and connecting together.
  CHECK(ClassIn(run.records[3], {"timeout", "dns_timeout"}));
  CHECK(ErrorOf(run.records[3]).find("Resolving") != std::string::npos);
  CHECK(run.records[3]["elapsed_ms"].get<int64_t>() >= 990);
  CHECK(run.records[3]["elapsed_ms"].get<int64_t>() < 1500);
  CHECK(Fetched(run.records[4]));  // Through 127.0.0.1, the second record.
  CHECK(Fetched(run.records[5]));
  CHECK(run.ms < 5000);
  for (const char* label : {"nx", "tempfail", "denied", "slow", "two"}) {
    CAPTURE(label);
    CHECK(dns.Count(label) == 1);
  }
  CHECK(ServerHits("two") - two_before == 1);
  CHECK(ServerHits("denied") == denied_before);
  CHECK(CanaryHits() == canary_before);
}

TEST_CASE("N4: NXDOMAIN ends dns_failed, then no lookup per URL") {
  // Twenty URLs of a name that does not exist, and the control host. Each
  // failed lookup pauses the host for a backoff (1 s, 2 s, +-50%); after
  // 1 + --retries (2) failures in a row the name is given up for the crawl
  // and the host's other URLs end dns_failed without a lookup.
  FakeDns dns;
  constexpr int kUrls = 20;
  std::vector<std::string> args = {"--no-robots", "--max-depth", "1"};
  for (int i = 0; i < kUrls; ++i) {
    args.push_back(D("nx", "/page/" + std::to_string(i)));
  }
  args.push_back(W("/"));
  const Run run = DnsCrawl(dns, args);
  CHECK_MESSAGE(run.code == 0, run.err);
  const auto by = ByUrl(run.records);
  CHECK(run.records.size() == kUrls + 2);
  for (int i = 0; i < kUrls; ++i) {
    const std::string u = D("nx", "/page/" + std::to_string(i));
    CAPTURE(u);
    REQUIRE(by.count(u) == 1);
    CHECK(ClassIn(by.at(u), {"dns_failed", "dns_nxdomain"}));
    CHECK(by.at(u)["status"].is_null());
  }
  CheckControlCrawled(by);
  // One request to the host at a time (--per-host 1) and a pause after each
  // failure: exactly 1 + --retries lookups, then none.
  const size_t lookups = dns.Count("nx");
  CHECK(lookups == 3);
  CHECK(run.ms < 15000);
}

TEST_CASE("N4: with robots.txt, a dead name is looked up for robots.txt only") {
  // robots.txt is fetched before anything else of an origin; unreachable, it
  // is retried after 30 s and 60 s (R8) and the origin's URLs wait. Within
  // 3 s: one lookup, none per URL, and the control host is crawled.
  FakeDns dns;
  std::vector<std::string> args = {"--max-duration", "3"};
  for (int i = 0; i < 5; ++i) {
    args.push_back(D("nx", "/page/" + std::to_string(i)));
  }
  args.push_back(W("/"));
  const Run run = DnsCrawl(dns, args);
  CHECK_MESSAGE(run.code == 0, run.err);
  CheckControlCrawled(ByUrl(run.records));
  CHECK(dns.Count("nx") == 1);
  CHECK(run.ms < 8000);
}

TEST_CASE("N4: a temporary failure (EAI_AGAIN) is retried with backoff") {
  FakeDns dns;
  const Run run =
      DnsCrawl(dns, {"--no-robots", "--retries", "2", D("tempfail", "/page/1"),
                     D("tempfail", "/page/2"), W("/")});
  CHECK_MESSAGE(run.code == 0, run.err);
  const auto by = ByUrl(run.records);
  for (const std::string& u :
       {D("tempfail", "/page/1"), D("tempfail", "/page/2")}) {
    CAPTURE(u);
    REQUIRE(by.count(u) == 1);
    CHECK(ClassIn(by.at(u), {"dns_failed", "dns_tempfail"}));
  }
  CheckControlCrawled(by);
  // Every lookup after the first waits for the host's backoff (1 s, then
  // 2 s, each +-50%), whichever URL makes it; after 1 + --retries failures
  // in a row the name is given up.
  const std::vector<Lookup> l = dns.Lookups("tempfail");
  REQUIRE(l.size() == 3);
  for (size_t i = 1; i < l.size(); ++i) {
    CAPTURE(i);
    CHECK(l[i].ms - l[i - 1].ms >= 400);
  }
  CHECK(l.back().ms - l.front().ms >= 1400);  // 0.5 s + 1 s at least.
  CHECK(run.ms < 15000);
}

TEST_CASE("N4: slow resolution ends at --connect-timeout as timeout") {
  FakeDns dns(4000);
  const size_t hits_before = ServerHits("slow");
  const Run run = DnsCrawl(
      dns, {"--no-robots", "--retries", "1", D("slow", "/page/1"), W("/")});
  CHECK_MESSAGE(run.code == 0, run.err);
  const auto by = ByUrl(run.records);
  REQUIRE(by.count(D("slow", "/page/1")) == 1);
  const json& r = by.at(D("slow", "/page/1"));
  CAPTURE(r.dump());
  CHECK(ClassIn(r, {"timeout", "dns_timeout"}));
  CHECK(ErrorOf(r).find("Resolving timed out") != std::string::npos);
  CHECK(r["elapsed_ms"].get<int64_t>() >= 990);
  CHECK(r["elapsed_ms"].get<int64_t>() < 1500);
  CheckControlCrawled(by);
  CHECK(dns.Count("slow") == 2);  // One retry.
  CHECK(ServerHits("slow") == hits_before);
  CHECK(run.ms < 10000);
}

TEST_CASE("N4: a name resolving only to denied addresses is blocked") {
  FakeDns dns;
  const size_t canary_before = CanaryHits();
  const Run run =
      DnsCrawl(dns, {"--no-robots", D("denied", "/page/1"),
                     D("denied", "/page/2"), D("denied", "/page/3"), W("/")});
  CHECK_MESSAGE(run.code == 0, run.err);
  const auto by = ByUrl(run.records);
  for (const std::string& u : {D("denied", "/page/1"), D("denied", "/page/2"),
                               D("denied", "/page/3")}) {
    CAPTURE(u);
    REQUIRE(by.count(u) == 1);
    CHECK(ClassIn(by.at(u), {"blocked_private_address", "blocked_ssrf"}));
    CHECK(ErrorOf(by.at(u)).find("127.0.0.2") != std::string::npos);
  }
  CheckControlCrawled(by);
  CHECK(dns.Count("denied") >= 1);
  CHECK(CanaryHits() == canary_before);
  CHECK(run.ms < 10000);
}

TEST_CASE("S3: a rebinding name never reaches the denied address") {
  const size_t canary_before = CanaryHits();
  {
    // Across runs: the first lookup answers 127.0.0.1 and the page is
    // fetched; the name then rebinds to 127.0.0.2 and is refused.
    FakeDns dns;
    const Run first = DnsFetch(dns, {"--retries", "0", D("rebind", "/a")});
    CHECK_MESSAGE(first.code == 0, first.err);
    REQUIRE(first.records.size() == 1);
    CHECK(Fetched(first.records[0]));
    const Run later =
        DnsFetch(dns, {"--retries", "0", D("rebind", "/b"), D("rebind", "/c")});
    CHECK_MESSAGE(later.code == 0, later.err);
    REQUIRE(later.records.size() == 2);
    for (const json& r : later.records) {
      CAPTURE(r.dump());
      CHECK(ClassIn(r, {"blocked_private_address", "blocked_ssrf"}));
    }
    const std::vector<Lookup> l = dns.Lookups("rebind");
    REQUIRE(l.size() >= 2);
    CHECK(l[0].answer == "127.0.0.1");
    CHECK(l[1].answer == "127.0.0.2");
  }
  {
    // Within one crawl: two workers (each its own process with its own DNS
    // cache, libcurl's) and two requests at once per host, so lookups come
    // from both workers and at once within one; a worker uses whichever
    // answer reached its cache first. Which URL gets which address varies
    // (usually some of each); what must hold: every URL fetched or refused,
    // each fetch through the server, none through the canary.
    FakeDns dns;
    const size_t hits_before = ServerHits("rebind");
    std::vector<std::string> args = {
        "--no-robots", "--workers", "2", "--per-host", "2", "--retries", "0"};
    for (int i = 0; i < 8; ++i) {
      args.push_back(D("rebind", "/page/" + std::to_string(i)));
    }
    args.push_back(W("/"));
    const Run run = DnsCrawl(dns, args);
    CHECK_MESSAGE(run.code == 0, run.err);
    const auto by = ByUrl(run.records);
    size_t fetched = 0;
    size_t blocked = 0;
    for (int i = 0; i < 8; ++i) {
      const std::string u = D("rebind", "/page/" + std::to_string(i));
      CAPTURE(u);
      REQUIRE(by.count(u) == 1);
      const json& r = by.at(u);
      CAPTURE(r.dump());
      if (Fetched(r)) {
        ++fetched;
      } else {
        CHECK(ClassIn(r, {"blocked_private_address", "blocked_ssrf"}));
        ++blocked;
      }
    }
    CheckControlCrawled(by);
    const std::vector<Lookup> l = dns.Lookups("rebind");
    REQUIRE(!l.empty());
    CHECK(l[0].answer == "127.0.0.1");
    CHECK(fetched + blocked == 8);
    CHECK(ServerHits("rebind") - hits_before == fetched);
    CHECK(run.ms < 10000);
  }
  CHECK(CanaryHits() == canary_before);
}

TEST_CASE("S3: of two A records, only the allowed one is connected to") {
  // two.dns.test answers 127.0.0.2 first, then 127.0.0.1: the denied address
  // is refused before a socket exists and the allowed one is used.
  FakeDns dns;
  const size_t canary_before = CanaryHits();
  const size_t hits_before = ServerHits("two");
  std::vector<std::string> args = {"--no-robots"};
  for (int i = 0; i < 4; ++i) {
    args.push_back(D("two", "/page/" + std::to_string(i)));
  }
  args.push_back(W("/"));
  const Run run = DnsCrawl(dns, args);
  CHECK_MESSAGE(run.code == 0, run.err);
  const auto by = ByUrl(run.records);
  for (int i = 0; i < 4; ++i) {
    const std::string u = D("two", "/page/" + std::to_string(i));
    CAPTURE(u);
    REQUIRE(by.count(u) == 1);
    CHECK(Fetched(by.at(u)));
  }
  CheckControlCrawled(by);
  CHECK(dns.Count("two") >= 1);
  CHECK(ServerHits("two") - hits_before == 4);
  CHECK(CanaryHits() == canary_before);
  // With robots.txt on, too: it is fetched through the allowed address.
  FakeDns dns2;
  const Run robots = DnsCrawl(dns2, {D("two", "/page/9"), W("/")});
  CHECK_MESSAGE(robots.code == 0, robots.err);
  const auto by2 = ByUrl(robots.records);
  REQUIRE(by2.count(D("two", "/page/9")) == 1);
  CHECK(Fetched(by2.at(D("two", "/page/9"))));
  CHECK(CanaryHits() == canary_before);
  CHECK(robots.ms < 10000);
}

}  // namespace
}  // namespace crawler
