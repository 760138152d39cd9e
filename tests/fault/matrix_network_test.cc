// Fault matrix section 6.2 (network and HTTP, N1-N11): one test per row that
// applies today, against tests/testdata/fault_server.py through the crawler
// binary. Each asserts the terminal state in the output records, a bounded
// time, and that the rest of the crawl completed. Rows whose expected
// behaviour the engine lacks are written anyway and skipped, each with an
// "ENGINE GAP:" comment (tests/fault/README.md lists them).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
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
#include "tests/fault/matrix_harness.h"

namespace crawler {
namespace {

// A worker's peak RSS under the bombs: the body cap plus the process.
// AddressSanitizer's shadow memory and quarantine roughly double a process,
// so its build gets more room; the point (megabytes, not gigabytes) stands.
#if defined(__SANITIZE_ADDRESS__)
constexpr int64_t kRssLimitKb = 256 * 1024;
#else
constexpr int64_t kRssLimitKb = 96 * 1024;
#endif

using crawler::testing::Command;
using crawler::testing::FaultServer;
using crawler::testing::FaultServerOptions;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

FaultServer& Server() {
  static std::unique_ptr<FaultServer> server = [] {
    FaultServerOptions o;
    o.canary = true;
    auto s = FaultServer::Start(o);
    REQUIRE_MESSAGE(s.ok(), s.status().ToString());
    return std::move(s).value();
  }();
  return *server;
}

// URL-safe base64 without padding (the fixture's /raw?payload=).
std::string Base64(const std::string& in) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(acc >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(acc << (6 - bits)) & 63]);
  return out;
}

// A listener on 127.0.0.1 with listen(0) whose accept queue is filled by
// non-blocking connects, so further SYNs are dropped: a connect timeout on
// loopback (fault matrix section 7.2). Closed by the destructor.
class FullBacklog {
 public:
  FullBacklog() {
    listener_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(listener_ >= 0);
    sockaddr_in addr = {};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) ==
            0);
    REQUIRE(listen(listener_, 0) == 0);
    socklen_t len = sizeof(addr);
    REQUIRE(getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) ==
            0);
    port_ = ntohs(addr.sin_port);
    for (int i = 0; i < 4; ++i) {
      int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
      REQUIRE(fd >= 0);
      connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
      fillers_.push_back(fd);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  FullBacklog(const FullBacklog&) = delete;
  FullBacklog& operator=(const FullBacklog&) = delete;
  ~FullBacklog() {
    for (int fd : fillers_) close(fd);
    if (listener_ >= 0) close(listener_);
  }
  int port() const { return port_; }

 private:
  int listener_ = -1;
  int port_ = 0;
  std::vector<int> fillers_;
};

// A port on 127.0.0.1 where nothing listens (bound, then closed).
int UnusedPort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  socklen_t len = sizeof(addr);
  REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  close(fd);
  return ntohs(addr.sin_port);
}

// The peak resident set (VmHWM, KiB) of `pid`, 0 when unreadable.
int64_t PeakRssKb(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::atoll(line.c_str() + 6);
  }
  return 0;
}

// Runs `crawler fetch` like Fetch() while sampling its workers' peak RSS.
Run FetchWatchingRss(const std::vector<std::string>& args, int64_t* peak_kb) {
  std::vector<std::string> argv = {
      CrawlerPath(),          "fetch",     "--allow-private", "--resolve",
      Server().ResolveFlag(), "--ordered", "--timeout",       "2"};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto t0 = Clock::now();
  auto cmd = Command::Start(argv);
  REQUIRE(cmd.ok());
  std::optional<int> code;
  *peak_kb = 0;
  while (!(code = (*cmd)->Wait(20)).has_value() && MsSince(t0) < 30000) {
    for (pid_t w : crawler::testing::ChildrenOf((*cmd)->pid())) {
      *peak_kb = std::max(*peak_kb, PeakRssKb(w));
    }
  }
  REQUIRE(code.has_value());
  Run run;
  run.ms = MsSince(t0);
  run.code = *code;
  run.out = (*cmd)->Stdout();
  run.err = (*cmd)->Stderr();
  std::istringstream in(run.out);
  std::string line;
  while (std::getline(in, line)) run.records.push_back(json::parse(line));
  return run;
}

// --- N1-N3: slow, silent and broken connections ------------------------------

TEST_CASE("N1: slowloris headers or body end in timeout at the deadline") {
  const Run run =
      Fetch({"--retries", "0", U("n1.test", "/trickle?phase=headers&bps=1"),
             U("n1.test", "/trickle?phase=body&bps=2&total=1000"),
             U("n1.test", "/page/1")});
  CHECK_MESSAGE(run.code == 0, run.err);
  REQUIRE(run.records.size() == 3);
  for (int i = 0; i < 2; ++i) {
    const json& r = run.records[i];
    CAPTURE(r.dump());
    CHECK(ClassOf(r) == "timeout");
    const int64_t ms = r["elapsed_ms"];
    CHECK(ms >= 1990);            // The deadline (libcurl rounds down).
    CHECK(ms <= 2200);            // The deadline + 10 %.
    CHECK(r["title"].is_null());  // A partial body is never parsed.
  }
  CHECK(Fetched(run.records[2]));
  CHECK(run.ms < 4000);
  // In a crawl: retried (bounded, with backoff), then timeout; the rest goes
  // on.
  const Run crawl = Crawl({"--retries", "1", "--max-depth", "0",
                           U("n1c.test", "/trickle?phase=headers&bps=1"),
                           U("n1c.test", "/page/1")});
  CHECK_MESSAGE(crawl.code == 0, crawl.err);
  auto by = ByUrl(crawl.records);
  // The retries' outcome: the last error, or too_many_retries naming it.
  CHECK(ClassIn(by[U("n1c.test", "/trickle?phase=headers&bps=1")],
                {"timeout", "too_many_retries"}));
  CHECK(Fetched(by[U("n1c.test", "/page/1")]));
  CHECK(CountPath("n1c.test", "/trickle?phase=headers&bps=1") == 2);
  CHECK(crawl.ms < 9000);
}

TEST_CASE("N2: silence, a full accept queue, a closed port: three outcomes") {
  FullBacklog backlog;
  const int closed = UnusedPort();
  const std::string full_url =
      "http://127.0.0.1:" + std::to_string(backlog.port()) + "/x";
  const std::string closed_url =
      "http://127.0.0.1:" + std::to_string(closed) + "/x";
  const Run run = Fetch({"--retries", "0", U("n2.test", "/hang"), full_url,
                         closed_url, U("n2.test", "/page/1")});
  CHECK_MESSAGE(run.code == 0, run.err);
  REQUIRE(run.records.size() == 4);
  const json& hang = run.records[0];
  CHECK(ClassOf(hang) == "timeout");
  CHECK(hang["elapsed_ms"].get<int64_t>() >= 1990);  // libcurl rounds down.
  CHECK(hang["elapsed_ms"].get<int64_t>() <= 2200);
  // The connect timeout (1 s), not the transfer timeout, and said so.
  const json& full = run.records[1];
  CAPTURE(full.dump());
  CHECK(ClassIn(full, {"timeout", "connect_timeout", "connect_failed"}));
  CHECK(ErrorOf(full).find("connect") != std::string::npos);
  CHECK(full["elapsed_ms"].get<int64_t>() >= 990);  // libcurl rounds down.
  CHECK(full["elapsed_ms"].get<int64_t>() < 1500);
  const json& refused = run.records[2];
  CHECK(ClassIn(refused, {"connect_failed", "connection_refused"}));
  CHECK(ErrorOf(refused).find("refused") != std::string::npos);
  CHECK(refused["elapsed_ms"].get<int64_t>() < 500);
  CHECK(Fetched(run.records[3]));
  CHECK(run.ms < 4000);
}

TEST_CASE("N3: resets, short bodies and broken chunking: connection_lost") {
  const std::vector<std::string> paths = {"/reset?at=0",
                                          "/reset?at=mid",
                                          "/short_cl",
                                          "/bad_chunked?variant=nohex",
                                          "/bad_chunked?variant=noterm",
                                          "/bad_chunked?variant=huge"};
  std::vector<std::string> args = {"--retries", "0"};
  for (const std::string& p : paths) args.push_back(U("n3.test", p));
  args.push_back(U("n3.test", "/page/1"));
  const Run run = Fetch(args);
  CHECK_MESSAGE(run.code == 0, run.err);
  REQUIRE(run.records.size() == paths.size() + 1);
  for (size_t i = 0; i < paths.size(); ++i) {
    const json& r = run.records[i];
    CAPTURE(r.dump());
    CHECK(ClassIn(r, {"connection_lost", "data_loss"}));
    CHECK(r["title"].is_null());  // Never parsed, never complete.
  }
  CHECK(Fetched(run.records.back()));
  CHECK(run.ms < 4000);
  // In a crawl: retried a bounded number of times, then connection_lost.
  const Run crawl =
      Crawl({"--retries", "1", "--max-depth", "0",
             U("n3c.test", "/reset?at=mid"), U("n3c.test", "/page/1")});
  CHECK_MESSAGE(crawl.code == 0, crawl.err);
  auto by = ByUrl(crawl.records);
  CHECK(ClassIn(by[U("n3c.test", "/reset?at=mid")],
                {"connection_lost", "too_many_retries"}));
  CHECK(CountPath("n3c.test", "/reset?at=mid") == 2);
  CHECK(Fetched(by[U("n3c.test", "/page/1")]));
  CHECK(crawl.ms < 6000);
}

TEST_CASE(
    "N3: Content-Length with Transfer-Encoding, or two lengths, is an "
    "error") {
  // Refused from the headers (libcurl would let Transfer-Encoding win, or
  // take one of the two lengths): ambiguous framing, RFC 9112 section 6.3.
  const Run run = Fetch({"--retries", "0", U("n3b.test", "/cl_te"),
                         U("n3b.test", "/cl_te?variant=dup")});
  CHECK_MESSAGE(run.code == 0, run.err);
  REQUIRE(run.records.size() == 2);
  for (const json& r : run.records) {
    CAPTURE(r.dump());
    CHECK(ClassIn(r, {"bad_response", "connection_lost", "data_loss"}));
    CHECK(r["bytes"] == 0);  // Never stored as complete.
  }
}

// --- N5-N7: status codes and redirects ---------------------------------------

std::string HttpDate(std::chrono::system_clock::time_point t) {
  const time_t secs = std::chrono::system_clock::to_time_t(t);
  struct tm tm {};
  gmtime_r(&secs, &tm);
  char buf[64];
  strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

TEST_CASE("N5: 429/503 Retry-After pauses the host; other hosts go on") {
  const auto now = std::chrono::system_clock::now();
  const std::string ra1 = "/status?code=429&retry_after=1";
  const std::string date = "/status?code=503&retry_after=" +
                           Q(HttpDate(now + std::chrono::seconds(3)));
  const std::string past = "/status?code=503&retry_after=" +
                           Q(HttpDate(now - std::chrono::hours(48)));
  const std::string garbage = "/status?code=429&retry_after=soon-ish";
  const std::string huge = "/status?code=429&retry_after=99999999";
  const Run run =
      Crawl({"--retries", "1", "--max-depth", "0", "--scope", "any",
             "--max-duration", "5", U("n5.test", ra1), U("n5.test", "/page/1"),
             U("n5.test", "/page/2"), U("n5d.test", date), U("n5p.test", past),
             U("n5g.test", garbage), U("n5h.test", huge),
             U("n5o.test", "/page/1"), U("n5o.test", "/page/2")});
  CHECK_MESSAGE(run.code == 0, run.err);
  CHECK(run.ms < 7000);
  auto by = ByUrl(run.records);
  // Retry-After: 1. Nothing else of n5.test during the pause, the URL
  // retried once, then its last answer recorded.
  std::vector<json> log = HostLog("n5.test");
  double first_429 = 0;
  for (const json& e : log) {
    if (e["path"] == ra1) {
      first_429 = TimeOf(e);
      break;
    }
  }
  REQUIRE(first_429 > 0);
  for (const json& e : log) {
    if (TimeOf(e) > first_429) CHECK(TimeOf(e) - first_429 >= 0.95);
  }
  CHECK(CountPath("n5.test", ra1) == 2);
  CHECK(by[U("n5.test", ra1)]["status"] == 429);
  CHECK(Fetched(by[U("n5.test", "/page/1")]));
  CHECK(Fetched(by[U("n5.test", "/page/2")]));
  // The HTTP-date form: about 3 s (whole seconds, so at least 2).
  std::vector<json> d = HostLog("n5d.test");
  REQUIRE(d.size() == 3);  // robots.txt, the 503, the retry.
  CHECK(TimeOf(d[2]) - TimeOf(d[1]) >= 1.9);
  CHECK(by[U("n5d.test", date)]["status"] == 503);
  // A past date or garbage: the default backoff, retried once.
  CHECK(CountPath("n5p.test", past) == 2);
  CHECK(CountPath("n5g.test", garbage) == 2);
  // 99999999 s: capped, but still far beyond this run: no retry yet.
  CHECK(CountPath("n5h.test", huge) == 1);
  CHECK(run.LastErrLine().find("max_duration") != std::string::npos);
  // Another host is not held back by the pauses.
  CHECK(Fetched(by[U("n5o.test", "/page/1")]));
  CHECK(Fetched(by[U("n5o.test", "/page/2")]));
  for (const json& e : HostLog("n5o.test")) {
    CHECK(TimeOf(e) - first_429 < 0.9);
  }
}

TEST_CASE("N5: a URL still 429 after its retries ends in too_many_retries") {
  // ENGINE GAP (at commit 2aa6fb3): after --retries attempts the last answer
  // is recorded as is: status 429 with error null, no too_many_retries
  // state. Passes against the uncommitted crawl_job.cc in the working tree
  // (as of this test's writing): unskip when that change is committed.
  const Run run = Crawl({"--retries", "1", "--max-depth", "0",
                         U("n5r.test", "/status?code=429&retry_after=1")});
  CHECK_MESSAGE(run.code == 0, run.err);
  REQUIRE(run.records.size() == 1);
  CHECK(ClassOf(run.records[0]) == "too_many_retries");
}

TEST_CASE("N6: a host answering 500 to everything stops at an error budget") {
  // FIXED (was an engine gap): there is no per-host error budget: each of the
  // 20 URLs of dead.test is requested (1 + --retries times), 20 requests with
  // --retries 0, and each is recorded as a plain 500.
  std::vector<std::string> args = {"--retries", "0", "--max-depth", "0"};
  for (int i = 0; i < 20; ++i) {
    args.push_back(U("dead.test", "/status?code=500&k=" + std::to_string(i)));
  }
  args.push_back(U("n6-ok.test", "/page/1"));
  const Run run = Crawl(args);
  CHECK_MESSAGE(run.code == 0, run.err);
  size_t pages = 0;
  for (const std::string& p : Paths("dead.test")) pages += p != "/robots.txt";
  CHECK(pages <= 5);
  size_t budget = 0;
  for (const json& r : run.records) {
    budget += ClassIn(r, {"host_error_budget", "budget_exhausted"});
  }
  CHECK(budget >= 15);
}

TEST_CASE("N7: redirect loops, long chains, no Location: bounded, reported") {
  const Run fetch = Fetch(
      {"--retries", "0", "--max-redirects", "10",
       U("n7.test", "/redirect?loop=1"), U("n7.test", "/redirect?chain=50"),
       U("n7.test", "/redirect?noloc=1"), U("n7.test", "/page/1")});
  CHECK_MESSAGE(fetch.code == 0, fetch.err);
  REQUIRE(fetch.records.size() == 4);
  CHECK(ClassOf(fetch.records[0]) == "too_many_redirects");
  CHECK(ClassOf(fetch.records[1]) == "too_many_redirects");
  CHECK(fetch.records[2]["status"] == 302);    // A 3xx without Location: an
  CHECK(fetch.records[2]["error"].is_null());  // answer, nothing followed.
  CHECK(Fetched(fetch.records[3]));
  CHECK(CountPath("n7.test", "/redirect?loop=1") == 11);
  CHECK(fetch.ms < 4000);
  // The crawl enqueues each hop: a loop ends in dedup, a chain at the limit,
  // a cross-host hop is checked against the scope, a relative one resolved.
  const Run crawl = Crawl(
      {"--retries", "0", "--max-redirects", "10", "--max-depth", "0",
       U("n7c.test", "/redirect?loop=1"), U("n7c.test", "/redirect?chain=50"),
       U("n7c.test",
         "/redirect?to=" + Q("//n7-other.test:" +
                             std::to_string(Server().port()) + "/page/1")),
       U("n7c.test", "/redirect?to=page%2F2")});
  CHECK_MESSAGE(crawl.code == 0, crawl.err);
  CHECK(crawl.ms < 6000);
  auto by = ByUrl(crawl.records);
  CHECK(CountPath("n7c.test", "/redirect?loop=1") == 1);
  CHECK(by[U("n7c.test", "/redirect?loop=1")]["status"] == 302);
  CHECK(ClassOf(by[U("n7c.test", "/redirect?chain=40&code=302")]) ==
        "too_many_redirects");
  CHECK(CountPath("n7c.test", "/redirect?chain=39&code=302") == 0);
  CHECK(HostLog("n7-other.test").empty());  // Out of scope.
  CHECK(Fetched(by[U("n7c.test", "/page/2")]));
  CHECK(by[U("n7c.test", "/page/2")]["referrer"] ==
        U("n7c.test", "/redirect?to=page%2F2"));
}

// --- N8-N11: sizes, bombs, headers, status lines -----------------------------

TEST_CASE("N8: 10 GB Content-Length, endless and slow bodies are cut") {
  int64_t peak_kb = 0;
  const Run run = FetchWatchingRss(
      {"--retries", "0", "--max-body", "8M", "-w", "1",
       U("n8.test", "/big?cl=10G"), U("n8.test", "/big?chunked=1"),
       U("n8.test", "/big?chunked=1&rate=100000"), U("n8.test", "/page/1")},
      &peak_kb);
  CHECK_MESSAGE(run.code == 0, run.err);
  REQUIRE(run.records.size() == 4);
  CHECK(ClassOf(run.records[0]) == "too_large");
  CHECK(run.records[0]["bytes"] == 0);  // Refused on the header.
  CHECK(run.records[0]["elapsed_ms"].get<int64_t>() < 500);
  CHECK(ClassOf(run.records[1]) == "too_large");
  CHECK(run.records[1]["bytes"] == 8 << 20);    // Aborted at the cap.
  CHECK(ClassOf(run.records[2]) == "timeout");  // Slow and endless.
  CHECK(run.records[2]["bytes"].get<int64_t>() < (8 << 20));
  CHECK(Fetched(run.records[3]));
  CHECK(run.ms < 5000);
  MESSAGE("worker peak RSS: ", peak_kb, " KiB");
  CHECK(peak_kb > 0);
  CHECK(peak_kb < kRssLimitKb);  // 8 MiB cap + the process, not 10 GB.
}

TEST_CASE("N9: decompression bombs stop at the decoded cap, RSS bounded") {
  auto caps = Server().Get("/__caps");
  REQUIRE(caps.ok());
  const json caps_json = json::parse(caps->body);
  std::vector<std::string> encs;
  for (const json& e : caps_json["encodings"]) encs.push_back(e);
  MESSAGE("bomb encodings: ", json(encs).dump());
  std::vector<std::string> args = {"--retries", "0",  "--max-body",
                                   "8M",        "-w", "1"};
  // 24 MiB of zeros, three times the cap: big enough to prove the cap, small
  // enough that the server's brotli (quality 11, about 1.2 s per 64 MiB when
  // the machine is idle) answers within the test's timeouts under load.
  for (const std::string& e : encs) {
    args.push_back(U("n9.test", "/bomb?enc=" + e + "&size=24M"));
  }
  args.push_back(U("n9.test", "/bomb?enc=gzip&size=64M&layers=2"));
  args.push_back(U("n9.test", "/bomb?enc=gzip&size=1K&layers=10&ce_headers=1"));
  args.push_back(U("n9.test", "/page/1"));
  int64_t peak_kb = 0;
  const Run run = FetchWatchingRss(args, &peak_kb);
  CHECK_MESSAGE(run.code == 0, run.err);
  REQUIRE(run.records.size() == encs.size() + 3);
  for (size_t i = 0; i <= encs.size(); ++i) {
    const json& r = run.records[i];
    CAPTURE(r["url"]);
    CHECK(ClassIn(r, {"too_large", "decompression_limit"}));
    CHECK(r["bytes"] == 8 << 20);
  }
  // Ten Content-Encoding headers: refused (more than two codings).
  CHECK(
      ClassIn(run.records[encs.size() + 1], {"decode_error", "bad_response"}));
  CHECK(Fetched(run.records.back()));
  CHECK(run.ms < 10000);
  MESSAGE("worker peak RSS: ", peak_kb, " KiB");
  CHECK(peak_kb < kRssLimitKb);
  for (const json& e : HostLog("n9.test")) {
    if (e["path"] == "/bomb?enc=gzip&size=64M") {
      CHECK(e["bytes_sent"].get<int64_t>() < (1 << 20));  // 64 KiB on the wire.
    }
  }
}

TEST_CASE("N9: more than two content codings are refused") {
  // "Content-Encoding: gzip, gzip, gzip" is refused from the headers
  // (libcurl would decode up to five codings); two are still decoded.
  const Run run =
      Fetch({"--retries", "0", U("n9b.test", "/bomb?enc=gzip&size=1K&layers=3"),
             U("n9b.test", "/bomb?enc=gzip&size=1K&layers=2")});
  CHECK_MESSAGE(run.code == 0, run.err);
  REQUIRE(run.records.size() == 2);
  CHECK(ClassIn(run.records[0],
                {"decode_error", "bad_response", "decompression_limit"}));
  CHECK(run.records[0]["bytes"] == 0);
  CHECK(Fetched(run.records[1]));
  CHECK(run.records[1]["bytes"] == 1024);
}

TEST_CASE("N10: header bombs end the transfer, memory bounded") {
  const std::vector<std::string> paths = {
      "/headers?mode=endless", "/headers?mode=huge&size=200K",
      "/headers?mode=cookie&size=1M", "/headers?mode=many&count=10000"};
  std::vector<std::string> args = {"--retries", "0", "-w", "1"};
  for (const std::string& p : paths) args.push_back(U("n10.test", p));
  args.push_back(U("n10.test", "/page/1"));
  int64_t peak_kb = 0;
  const Run run = FetchWatchingRss(args, &peak_kb);
  CHECK_MESSAGE(run.code == 0, run.err);
  REQUIRE(run.records.size() == paths.size() + 1);
  for (size_t i = 0; i < 3; ++i) {
    CAPTURE(run.records[i].dump());
    CHECK_FALSE(ErrorOf(run.records[i]).empty());
    CHECK(run.records[i]["bytes"] == 0);
  }
  // 10,000 small headers fit libcurl's 300 KiB limit: an answer, or an error.
  CHECK((Fetched(run.records[3]) || !ErrorOf(run.records[3]).empty()));
  CHECK(Fetched(run.records.back()));
  CHECK(run.ms < 4000);
  CHECK(peak_kb < kRssLimitKb);
}

TEST_CASE("N10: header bombs are classified bad_response") {
  // Endless headers go over our cap of 256 KiB of headers per response, an
  // 80 KiB header over our 64 KiB line cap, a 200 KiB header and a 1 MiB
  // Set-Cookie over libcurl's 100 KiB line limit (which libcurl reports as
  // "Out of memory").
  const Run run =
      Fetch({"--retries", "0", U("n10b.test", "/headers?mode=endless"),
             U("n10b.test", "/headers?mode=huge&size=80K"),
             U("n10b.test", "/headers?mode=huge&size=200K"),
             U("n10b.test", "/headers?mode=cookie&size=1M")});
  CHECK_MESSAGE(run.code == 0, run.err);
  REQUIRE(run.records.size() == 4);
  for (const json& r : run.records) {
    CAPTURE(r.dump());
    CHECK(ClassOf(r) == "bad_response");
    CHECK(r["bytes"] == 0);
  }
  CHECK(run.ms < 4000);
}

TEST_CASE("N11: malformed status lines and headers: one terminal record each") {
  const std::vector<std::string> payloads = {
      "hello\n",  // HTTP/0.9: no status line.
      "HTTP/1.1 999 Odd\r\nContent-Length: 2\r\n\r\nhi",
      "HTTP/1.1 0 Zero\r\nContent-Length: 2\r\n\r\nhi",
      "HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nhi",  // No reason phrase.
      "HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nhi",
      "HTTP/1.1 200 OK\r\nX-A: 1\r\n  folded\r\nContent-Length: 2\r\n\r\nhi",
      std::string("HTTP/1.1 200 OK\r\nX-A: a\0b\r\nContent-Length: 2\r\n\r\nhi",
                  48),
      "HTTP/1.1 200 OK\nContent-Length: 2\n\nhi"};  // Bare LF.
  std::vector<std::string> args = {"--retries", "0"};
  for (const std::string& p : payloads) {
    args.push_back(U("n11.test", "/raw?payload=" + Base64(p)));
  }
  args.push_back(U("n11.test", "/page/1"));
  const Run run = Fetch(args);
  CHECK_MESSAGE(run.code == 0, run.err);
  REQUIRE(run.records.size() == payloads.size() + 1);
  // HTTP/0.9 is never accepted as a page.
  CHECK_FALSE(ErrorOf(run.records[0]).empty());
  CHECK(run.records[0]["status"].is_null());
  // No reason phrase and bare LF line ends are tolerated.
  CHECK(Fetched(run.records[3]));
  CHECK(Fetched(run.records[7]));
  for (const json& r : run.records) {
    CAPTURE(r.dump());
    CHECK((Fetched(r) || !ErrorOf(r).empty()));
  }
  CHECK(Fetched(run.records.back()));
  CHECK(run.ms < 4000);
}

TEST_CASE("N11: HTTP/0.9 and status 0 are bad_response") {
  // libcurl reports both as CURLE_UNSUPPORTED_PROTOCOL ("Received HTTP/0.9
  // when not allowed", "Unsupported response code in HTTP response"); on an
  // http(s) URL that is the answer's fault, not the scheme's.
  const Run run = Fetch(
      {"--retries", "0", U("n11b.test", "/raw?payload=" + Base64("hello\n")),
       U("n11b.test",
         "/raw?payload=" +
             Base64("HTTP/1.1 0 Zero\r\nContent-Length: 2\r\n\r\nhi"))});
  CHECK_MESSAGE(run.code == 0, run.err);
  REQUIRE(run.records.size() == 2);
  for (const json& r : run.records) CHECK(ClassOf(r) == "bad_response");
}

}  // namespace
}  // namespace crawler
