#include "crawler/fetch/curl_fetcher.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "crawler/fetch/fetcher.h"
#include "crawler/testing/fixture_server.h"
#include "crawler/testing/test_util.h"

namespace crawler::fetch {
namespace {

using Clock = std::chrono::steady_clock;
using ::crawler::testing::FixtureServer;

int64_t MsSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() -
                                                               start)
      .count();
}

// One fixture server for the whole binary; stopped at exit (and by the kernel
// if the binary dies).
FixtureServer& Server() {
  static std::unique_ptr<FixtureServer> server = [] {
    auto s = FixtureServer::Start();
    REQUIRE_OK(s.status());
    return std::move(s).value();
  }();
  return *server;
}

// Options for loopback tests: private addresses allowed, short deadlines.
FetchOptions TestOptions() {
  FetchOptions o;
  o.allow_private_addresses = true;
  o.connect_timeout_ms = 1000;
  o.total_timeout_ms = 2000;
  return o;
}

std::unique_ptr<Fetcher> MakeFetcher(const FetchOptions& options) {
  auto f = NewCurlFetcher(options);
  REQUIRE_OK(f.status());
  return std::move(f).value();
}

// Starts every URL (ids 0..n-1) and polls until all are done or `budget_ms`
// passes; returns the responses indexed by id.
std::vector<FetchResponse> FetchAll(Fetcher& fetcher,
                                    const std::vector<std::string>& urls,
                                    int budget_ms = 10000) {
  std::vector<FetchResponse> out(urls.size());
  for (size_t i = 0; i < urls.size(); ++i) fetcher.Start({i, urls[i]});
  size_t done = 0;
  const auto start = Clock::now();
  while (done < urls.size() && MsSince(start) < budget_ms) {
    for (FetchResponse& r : fetcher.Poll(-1, 200)) {
      REQUIRE(r.id < out.size());
      out[r.id] = std::move(r);
      ++done;
    }
  }
  REQUIRE_MESSAGE(done == urls.size(), "only ", done, " of ", urls.size(),
                  " fetches finished within ", budget_ms, " ms");
  return out;
}

FetchResponse FetchOne(const FetchOptions& options, const std::string& url) {
  auto fetcher = MakeFetcher(options);
  return FetchAll(*fetcher, {url})[0];
}

// Returns the fixture's request log (a JSON array) as text.
std::string ServerLog() {
  FetchResponse r = FetchOne(TestOptions(), Server().Url("/__log"));
  REQUIRE_OK(r.error);
  return r.body;
}

// Returns the distinct "client" ports of the log entries whose path contains
// `token`.
std::set<int> ClientPorts(const std::string& log, const std::string& token) {
  std::set<int> ports;
  size_t pos = 0;
  while ((pos = log.find('{', pos)) != std::string::npos) {
    size_t end = log.find('}', pos);
    if (end == std::string::npos) break;
    std::string entry = log.substr(pos, end - pos);
    size_t client = entry.find("\"client\": ");
    if (entry.find(token) != std::string::npos && client != std::string::npos) {
      ports.insert(std::stoi(entry.substr(client + 10)));
    }
    pos = end;
  }
  return ports;
}

// A port on 127.0.0.1 that nothing listens on: bound, then closed.
int UnusedPort() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
            getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  close(fd);
  REQUIRE(ok);
  return ntohs(addr.sin_port);
}

// A value in kB from /proc/self/status ("VmRSS", "VmHWM"), or -1.
int64_t ProcStatusKb(const std::string& key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) == 0)
      return std::stoll(line.substr(key.size() + 1));
  }
  return -1;
}

// CPU time (user + system) this process has used, in ms.
int64_t CpuMs() {
  rusage u = {};
  getrusage(RUSAGE_SELF, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1000 +
         (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1000;
}

// A pipe closed on scope exit.
struct Pipe {
  int fds[2] = {-1, -1};
  Pipe() { REQUIRE(pipe2(fds, O_CLOEXEC) == 0); }
  ~Pipe() {
    for (int fd : fds) {
      if (fd >= 0) close(fd);
    }
  }
};

TEST_CASE("NewCurlFetcher rejects out-of-range options") {
  FetchOptions o;
  o.max_concurrency = 0;
  auto f = NewCurlFetcher(o);
  CHECK(f.status().code() == Code::kInvalidArgument);
  CHECK(f.status().message().find("max_concurrency") != std::string::npos);
  o = FetchOptions();
  o.total_timeout_ms = -1;
  CHECK(NewCurlFetcher(o).status().code() == Code::kInvalidArgument);
  o = FetchOptions();
  o.max_body_bytes = 0;
  CHECK(NewCurlFetcher(o).status().code() == Code::kInvalidArgument);
  CHECK_OK(NewCurlFetcher(FetchOptions()).status());
}

TEST_CASE("200 page: status, content type, body, final URL") {
  const std::string url = Server().Url("/page/5");
  FetchResponse r = FetchOne(TestOptions(), url);
  CHECK_OK(r.error);
  CHECK(r.error_class == "");
  CHECK(r.status == 200);
  CHECK(r.url == url);
  CHECK(r.final_url == url);
  CHECK(r.content_type == "text/html; charset=utf-8");
  CHECK(r.body.find("<title>Page 5</title>") != std::string::npos);
  CHECK(r.bytes == r.body.size());
  CHECK(r.redirects == 0);
  CHECK(r.elapsed_ms >= 0);
  CHECK(r.elapsed_ms < 2000);
}

TEST_CASE("404, 500 and 204 are complete responses, not errors") {
  auto fetcher = MakeFetcher(TestOptions());
  auto rs = FetchAll(*fetcher,
                     {Server().Url("/status/404"), Server().Url("/status/500"),
                      Server().Url("/status/204")});
  CHECK_OK(rs[0].error);
  CHECK(rs[0].status == 404);
  CHECK(rs[0].body == "status 404");
  CHECK_OK(rs[1].error);
  CHECK(rs[1].status == 500);
  CHECK_OK(rs[2].error);
  CHECK(rs[2].status == 204);
  CHECK(rs[2].body.empty());
}

TEST_CASE("binary, text and gzip-encoded bodies; keep_body=false") {
  auto fetcher = MakeFetcher(TestOptions());
  auto rs = FetchAll(*fetcher, {Server().Url("/bin"), Server().Url("/text"),
                                Server().Url("/gzip")});
  CHECK_OK(rs[0].error);
  CHECK(rs[0].content_type == "application/octet-stream");
  CHECK(rs[0].bytes == 10240);
  CHECK(rs[0].body.size() == 10240);
  CHECK(static_cast<unsigned char>(rs[0].body[255]) == 255);
  CHECK_OK(rs[1].error);
  CHECK(rs[1].content_type.rfind("text/plain", 0) == 0);
  CHECK_OK(rs[2].error);
  CHECK(rs[2].body.find("<title>Page 0</title>") != std::string::npos);
  CHECK(rs[2].bytes == rs[2].body.size());

  FetchOptions o = TestOptions();
  o.keep_body = false;
  FetchResponse r = FetchOne(o, Server().Url("/bin"));
  CHECK_OK(r.error);
  CHECK(r.bytes == 10240);
  CHECK(r.body.empty());
}

TEST_CASE("redirects: chain followed, final_url set; loop and ftp refused") {
  FetchOptions o = TestOptions();
  o.max_redirects = 5;
  auto fetcher = MakeFetcher(o);
  auto rs = FetchAll(
      *fetcher,
      {Server().Url("/redirect-chain/3"), Server().Url("/redirect?to=/page/7"),
       Server().Url("/redirect-loop"),
       Server().Url("/redirect?to=ftp://127.0.0.1/x"),
       Server().Url("/redirect-chain/5"), Server().Url("/redirect-chain/6")});
  CHECK_OK(rs[0].error);
  CHECK(rs[0].status == 200);
  CHECK(rs[0].redirects == 3);
  CHECK(rs[0].final_url == Server().Url("/redirect-chain/0"));
  CHECK(rs[0].body.find("<title>Page 0</title>") != std::string::npos);
  CHECK(rs[0].body.find("redirecting") == std::string::npos);

  CHECK_OK(rs[1].error);
  CHECK(rs[1].final_url == Server().Url("/page/7"));
  CHECK(rs[1].redirects == 1);

  CHECK(rs[2].error_class == "too_many_redirects");
  CHECK(rs[2].error.tag() == Tag::kPermanent);
  CHECK(rs[2].redirects == 5);
  MESSAGE("redirect loop: ", rs[2].error.message());

  CHECK(rs[3].error_class == "unsupported_scheme");
  CHECK(rs[3].error.tag() == Tag::kPermanent);

  CHECK_OK(rs[4].error);  // Exactly max_redirects hops is fine.
  CHECK(rs[4].redirects == 5);
  CHECK(rs[5].error_class == "too_many_redirects");
}

TEST_CASE("refused port is connect_failed, retryable, with a clear message") {
  const int port = UnusedPort();
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/";
  FetchResponse r = FetchOne(TestOptions(), url);
  CHECK(r.error_class == "connect_failed");
  CHECK(r.error.tag() == Tag::kRetryable);
  CHECK(r.status == 0);
  CHECK(r.error.message().rfind("connect_failed: " + url, 0) == 0);
  CHECK(r.error.message().find("127.0.0.1 port " + std::to_string(port)) !=
        std::string::npos);
  CHECK(r.error.message().find("Connection refused") != std::string::npos);
  MESSAGE(r.error.message());
}

TEST_CASE("malformed URLs and other schemes fail from Poll, not Start") {
  auto fetcher = MakeFetcher(TestOptions());
  std::vector<std::string> urls = {"",
                                   "http://",
                                   "http://exa mple.com/",
                                   "http://[::1/",
                                   "ftp://127.0.0.1/",
                                   "file:///etc/passwd",
                                   "gopher://127.0.0.1/",
                                   "dict://127.0.0.1/"};
  for (size_t i = 0; i < urls.size(); ++i) fetcher->Start({i, urls[i]});
  CHECK(fetcher->InFlight() == static_cast<int>(urls.size()));
  std::vector<FetchResponse> rs(urls.size());
  const auto start = Clock::now();
  size_t done = 0;
  while (done < urls.size() && MsSince(start) < 5000) {
    for (FetchResponse& r : fetcher->Poll(-1, 200))
      rs[r.id] = std::move(r), ++done;
  }
  REQUIRE(done == urls.size());
  for (size_t i = 0; i < 4; ++i) {
    INFO(urls[i], " -> ", rs[i].error.ToString());
    CHECK(rs[i].error_class == "bad_url");
    CHECK(rs[i].error.tag() == Tag::kPermanent);
    CHECK(rs[i].url == urls[i]);
  }
  for (size_t i = 4; i < urls.size(); ++i) {
    INFO(urls[i], " -> ", rs[i].error.ToString());
    CHECK(rs[i].error_class == "unsupported_scheme");
    CHECK(rs[i].error.tag() == Tag::kPermanent);
  }
  CHECK(fetcher->InFlight() == 0);
}

TEST_CASE("slow response beyond the total timeout is a timeout within bounds") {
  FetchOptions o = TestOptions();
  o.total_timeout_ms = 1000;
  const auto start = Clock::now();
  FetchResponse r = FetchOne(o, Server().Url("/slow?ms=3000"));
  const int64_t took = MsSince(start);
  CHECK(r.error_class == "timeout");
  CHECK(r.error.tag() == Tag::kRetryable);
  CHECK(r.error.code() == Code::kDeadlineExceeded);
  CHECK(took >= 950);
  CHECK(took < 1600);
  CHECK(r.elapsed_ms >= 950);
  CHECK(r.elapsed_ms < 1600);
  MESSAGE(r.error.message());
}

TEST_CASE("a server that never answers times out") {
  FetchOptions o = TestOptions();
  o.total_timeout_ms = 1000;
  const auto start = Clock::now();
  FetchResponse r = FetchOne(o, Server().Url("/hang"));
  CHECK(r.error_class == "timeout");
  CHECK(r.status == 0);
  CHECK(MsSince(start) < 1600);
}

TEST_CASE("bodies beyond max_body_bytes are too_large, bytes <= cap") {
  FetchOptions o = TestOptions();
  o.max_body_bytes = 1 << 20;
  auto fetcher = MakeFetcher(o);
  auto rs = FetchAll(*fetcher, {Server().Url("/big?bytes=8388608&chunked=1"),
                                Server().Url("/big?bytes=8388608"),
                                Server().Url("/big?bytes=1048576&chunked=1")});
  // Chunked: aborted in the write callback, the first cap bytes kept.
  CHECK(rs[0].error_class == "too_large");
  CHECK(rs[0].error.tag() == Tag::kPermanent);
  CHECK(rs[0].status == 200);
  CHECK(rs[0].bytes <= o.max_body_bytes);
  CHECK(rs[0].body.size() == rs[0].bytes);
  MESSAGE(rs[0].error.message());
  // Content-Length: refused from the headers, nothing read.
  CHECK(rs[1].error_class == "too_large");
  CHECK(rs[1].bytes == 0);
  CHECK(rs[1].error.message().find("Content-Length 8388608") !=
        std::string::npos);
  MESSAGE(rs[1].error.message());
  // Exactly the cap is fine.
  CHECK_OK(rs[2].error);
  CHECK(rs[2].bytes == o.max_body_bytes);
}

TEST_CASE("gzip bomb stops at the decoded cap with bounded memory") {
  // Reset the peak-RSS counter so VmHWM measures this test alone.
  { std::ofstream("/proc/self/clear_refs") << "5"; }
  const int64_t rss_before_kb = ProcStatusKb("VmRSS");
  FetchOptions o = TestOptions();
  o.max_body_bytes = 1 << 20;
  FetchResponse r = FetchOne(o, Server().Url("/gzip-bomb?mb=64"));
  CHECK(r.error_class == "too_large");
  CHECK(r.bytes <= o.max_body_bytes);
  CHECK(r.body.size() == r.bytes);
  CHECK(r.body.find_first_not_of('\0') == std::string::npos);
  const int64_t peak_kb = ProcStatusKb("VmHWM");
  MESSAGE("RSS before ", rss_before_kb, " kB, peak during the bomb ", peak_kb,
          " kB");
  CHECK(peak_kb - rss_before_kb < 16 * 1024);
}

TEST_CASE("private addresses are blocked before any request is sent") {
  FetchOptions o = TestOptions();
  o.allow_private_addresses = false;
  const std::string port = std::to_string(Server().port());
  const std::string token = "/page/1?blocked-canary";
  std::vector<std::string> urls = {Server().Url(token),
                                   "http://localhost:" + port + token,
                                   "http://127.0.0.2:" + port + token,
                                   "http://[::1]:" + port + token,
                                   "http://[::ffff:127.0.0.1]:" + port + token,
                                   "http://0.0.0.0:" + port + token,
                                   "http://10.1.2.3:" + port + token,
                                   "http://172.20.0.1:" + port + token,
                                   "http://192.168.1.1:" + port + token,
                                   "http://169.254.169.254/latest/meta-data/",
                                   "http://100.64.0.1/",
                                   "http://[fc00::1]/",
                                   "http://[fd12::1]/"};
  auto fetcher = MakeFetcher(o);
  auto rs = FetchAll(*fetcher, urls);
  for (size_t i = 0; i < urls.size(); ++i) {
    INFO(urls[i], " -> ", rs[i].error.ToString());
    CHECK(rs[i].error_class == "blocked_private_address");
    CHECK(rs[i].error.tag() == Tag::kPermanent);
    CHECK(rs[i].error.message().find(
              "allow with --allow-private or --allow-address") !=
          std::string::npos);
  }
  CHECK(rs[0].error.message().find("127.0.0.1 port " + port +
                                   " (loopback 127.0.0.0/8)") !=
        std::string::npos);
  MESSAGE(rs[0].error.message());
  CHECK(ServerLog().find("blocked-canary") == std::string::npos);
}

TEST_CASE("allowed_addresses opens only the listed address and port") {
  const int port = Server().port();
  const std::string p = std::to_string(port);
  FetchOptions o = TestOptions();
  o.allow_private_addresses = false;
  o.allowed_addresses = {"127.0.0.1:" + p};
  auto fetcher = MakeFetcher(o);
  const std::string hop = "http://127.0.0.2:" + p + "/page/2?allow-list-hop";
  auto rs = FetchAll(
      *fetcher,
      {Server().Url("/page/1?allow-list-ok"),
       "http://127.0.0.2:" + p + "/page/1?allow-list-addr",
       "http://127.0.0.1:" + std::to_string(UnusedPort()) + "/?allow-list-port",
       "http://[::1]:" + p + "/page/1?allow-list-v6",
       Server().Url("/redirect?to=" + hop)});
  CHECK_OK(rs[0].error);
  CHECK(rs[0].status == 200);
  for (size_t i = 1; i < rs.size(); ++i) {
    INFO(i, ": ", rs[i].error.ToString());
    CHECK(rs[i].error_class == "blocked_private_address");
  }
  CHECK(rs[4].final_url == hop);  // Refused on the redirect hop.
  // A network without a port: another loopback address is allowed (and,
  // nothing listening there, refused by the kernel instead).
  o.allowed_addresses = {"127.0.0.0/8"};
  FetchResponse net =
      FetchOne(o, "http://127.0.0.2:" + p + "/page/1?allow-list-net");
  CHECK(net.error_class == "connect_failed");
  // allow_private still opens everything.
  o.allow_private_addresses = true;
  o.allowed_addresses = {"10.0.0.0/8"};
  CHECK_OK(FetchOne(o, Server().Url("/page/1?allow-list-all")).error);
  // A malformed entry is refused by NewCurlFetcher.
  o.allowed_addresses = {"127.0.0.1:0"};
  auto bad = NewCurlFetcher(o);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == Code::kInvalidArgument);
  CHECK(bad.status().message().find("'127.0.0.1:0'") != std::string::npos);
  CHECK(ServerLog().find("allow-list-ok") != std::string::npos);
}

TEST_CASE("accept_content_types: an unwanted 2xx type ends after headers") {
  FetchOptions o = TestOptions();
  auto fetcher = MakeFetcher(o);
  const std::vector<std::string> urls = {
      Server().Url("/text"),       Server().Url("/bin"),
      Server().Url("/page/1"),     Server().Url("/redirect?to=/page/2"),
      Server().Url("/status/503"), Server().Url("/gzip")};
  for (size_t i = 0; i < urls.size(); ++i) {
    FetchRequest request{i, urls[i]};
    request.accept_content_types = {"text/html", "application/xhtml+xml"};
    fetcher->Start(std::move(request));
  }
  std::vector<FetchResponse> rs(urls.size());
  size_t done = 0;
  const auto start = Clock::now();
  while (done < urls.size() && MsSince(start) < 10000) {
    for (FetchResponse& r : fetcher->Poll(-1, 200)) {
      rs[r.id] = std::move(r);
      ++done;
    }
  }
  REQUIRE(done == urls.size());
  for (size_t i : {0, 1}) {
    INFO(urls[i]);
    CHECK(rs[i].error_class == "skipped_content_type");
    CHECK(rs[i].error.tag() == Tag::kPermanent);
    CHECK(rs[i].status == 200);
    CHECK_FALSE(rs[i].content_type.empty());
    CHECK(rs[i].bytes == 0);
    CHECK(rs[i].body.empty());
    CHECK(rs[i].error.message().find("text/html, application/xhtml+xml") !=
          std::string::npos);
  }
  CHECK(rs[0].content_type == "text/plain; charset=utf-8");
  // HTML, a followed redirect to HTML, a 503 of another type (not 2xx) and
  // a gzip-encoded HTML page are read as usual.
  for (size_t i : {2, 3, 4, 5}) {
    INFO(urls[i]);
    CHECK_OK(rs[i].error);
    CHECK(rs[i].bytes > 0);
  }
  CHECK(rs[4].status == 503);
  // The next request on the same handles has no filter left over.
  auto again = FetchAll(*fetcher, {Server().Url("/text")});
  CHECK_OK(again[0].error);
  CHECK(again[0].bytes > 0);
}

// ---------------------------------------------------------------------------
// Conditional requests (RFC 9110 section 13), against the fixture's
// /conditional: ETag "v1", Last-Modified kLastModified.

constexpr char kLastModified[] = "Wed, 21 Oct 2015 07:28:00 GMT";

// Runs `request` alone on `fetcher` and returns its response.
FetchResponse FetchRequestOn(Fetcher& fetcher, FetchRequest request) {
  fetcher.Start(std::move(request));
  const auto start = Clock::now();
  while (MsSince(start) < 10000) {
    std::vector<FetchResponse> rs = fetcher.Poll(-1, 200);
    if (!rs.empty()) {
      REQUIRE(rs.size() == 1);
      return std::move(rs[0]);
    }
  }
  FAIL("no response within 10 s");
  return {};
}

// The entry of the fixture's request log whose path is `path` (exactly one
// is expected).
nlohmann::json LogEntry(const std::string& path) {
  nlohmann::json found;
  int n = 0;
  for (const nlohmann::json& e : nlohmann::json::parse(ServerLog())) {
    if (e["path"] == path) {
      found = e;
      ++n;
    }
  }
  REQUIRE_MESSAGE(n == 1, n, " log entries for ", path);
  return found;
}

TEST_CASE("conditional: ETag and Last-Modified reported; 304 is a success") {
  auto fetcher = MakeFetcher(TestOptions());
  FetchResponse first =
      FetchRequestOn(*fetcher, {1, Server().Url("/conditional?c=plain")});
  CHECK_OK(first.error);
  CHECK(first.status == 200);
  CHECK(first.body == "conditional body\n");
  CHECK(first.etag == "\"v1\"");
  CHECK(first.last_modified == kLastModified);
  // Nothing asked: no validator header went out.
  nlohmann::json plain = LogEntry("/conditional?c=plain");
  CHECK(plain["if_none_match"].is_null());
  CHECK(plain["if_modified_since"].is_null());

  // The values received, sent back as they are.
  FetchRequest by_etag{2, Server().Url("/conditional?c=etag")};
  by_etag.if_none_match = first.etag;
  FetchResponse r = FetchRequestOn(*fetcher, std::move(by_etag));
  CHECK_OK(r.error);
  CHECK(r.error_class.empty());
  CHECK(r.status == 304);
  CHECK(r.body.empty());
  CHECK(r.bytes == 0);
  CHECK(r.etag == "\"v1\"");  // A 304 repeats the validators.
  CHECK(r.last_modified == kLastModified);
  nlohmann::json e = LogEntry("/conditional?c=etag");
  CHECK(e["if_none_match"] == "\"v1\"");
  CHECK(e["if_modified_since"].is_null());

  FetchRequest by_date{3, Server().Url("/conditional?c=date")};
  by_date.if_modified_since = first.last_modified;
  r = FetchRequestOn(*fetcher, std::move(by_date));
  CHECK_OK(r.error);
  CHECK(r.status == 304);
  CHECK(r.body.empty());
  e = LogEntry("/conditional?c=date");
  CHECK(e["if_none_match"].is_null());
  CHECK(e["if_modified_since"] == kLastModified);

  // Verbatim: a weak tag keeps its W/, a list stays a list.
  FetchRequest weak{4, Server().Url("/conditional?c=weak")};
  weak.if_none_match = "W/\"v0\", W/\"v1\"";
  weak.if_modified_since = "Thu, 01 Jan 1970 00:00:00 GMT";
  r = FetchRequestOn(*fetcher, std::move(weak));
  CHECK_OK(r.error);
  CHECK(r.status == 304);  // If-None-Match decides (RFC 9110 13.2.2).
  e = LogEntry("/conditional?c=weak");
  CHECK(e["if_none_match"] == "W/\"v0\", W/\"v1\"");
  CHECK(e["if_modified_since"] == "Thu, 01 Jan 1970 00:00:00 GMT");

  // A validator that no longer matches: the full response.
  FetchRequest stale{5, Server().Url("/conditional?c=stale")};
  stale.if_none_match = "\"v0\"";
  r = FetchRequestOn(*fetcher, std::move(stale));
  CHECK_OK(r.error);
  CHECK(r.status == 200);
  CHECK(r.body == "conditional body\n");

  // The next request on the same handle carries no validator.
  r = FetchRequestOn(*fetcher, {6, Server().Url("/conditional?c=after")});
  CHECK(r.status == 200);
  e = LogEntry("/conditional?c=after");
  CHECK(e["if_none_match"].is_null());
  CHECK(e["if_modified_since"].is_null());

  // A response without validators reports none.
  r = FetchRequestOn(*fetcher, {7, Server().Url("/page/1")});
  CHECK(r.etag.empty());
  CHECK(r.last_modified.empty());
}

TEST_CASE("conditional: a 304's Content-Length is not a body (not too_large)") {
  FetchOptions o = TestOptions();
  o.max_body_bytes = 1000;
  auto fetcher = MakeFetcher(o);
  FetchRequest request{1, Server().Url("/conditional?cl=50000000")};
  request.if_none_match = "\"v1\"";
  FetchResponse r = FetchRequestOn(*fetcher, std::move(request));
  CHECK_OK(r.error);
  CHECK(r.status == 304);
  CHECK(r.bytes == 0);
}

TEST_CASE("conditional: a value with a control character is not sent") {
  auto fetcher = MakeFetcher(TestOptions());
  FetchRequest request{1, Server().Url("/conditional?c=crlf")};
  request.if_none_match = "\"v1\"\r\nX-Injected: 1";
  request.if_modified_since = std::string(kLastModified) + "\n";
  FetchResponse r = FetchRequestOn(*fetcher, std::move(request));
  CHECK_OK(r.error);
  CHECK(r.status == 200);
  nlohmann::json e = LogEntry("/conditional?c=crlf");
  CHECK(e["if_none_match"].is_null());
  CHECK(e["if_modified_since"].is_null());

  request = FetchRequest{2, Server().Url("/conditional?c=ctl")};
  request.if_none_match = std::string("\"v1\"\x01", 5);
  r = FetchRequestOn(*fetcher, std::move(request));
  CHECK(r.status == 200);
  CHECK(LogEntry("/conditional?c=ctl")["if_none_match"].is_null());
}

TEST_CASE("conditional: validators go to the URL requested, not a redirect") {
  // libcurl follows the redirect; with cookies on the fetcher does.
  for (bool cookies : {false, true}) {
    CAPTURE(cookies);
    FetchOptions o = TestOptions();
    o.max_redirects = 3;
    o.cookies = cookies;
    o.headers = {"X-Extra: 1"};
    o.capture_exchanges = true;
    auto fetcher = MakeFetcher(o);
    const std::string target =
        std::string("/conditional?c=target-") + (cookies ? "1" : "0");
    const std::string from = "/redirect?to=" + target;
    FetchRequest request{1, Server().Url(from)};
    request.if_none_match = "\"v1\"";
    request.if_modified_since = kLastModified;
    FetchResponse r = FetchRequestOn(*fetcher, std::move(request));
    CHECK_OK(r.error);
    // The target answered in full: it got no validator.
    CHECK(r.status == 200);
    CHECK(r.redirects == 1);
    CHECK(r.body == "conditional body\n");
    CHECK(r.etag == "\"v1\"");
    nlohmann::json e = LogEntry(target);
    CHECK(e["if_none_match"].is_null());
    CHECK(e["if_modified_since"].is_null());
    e = LogEntry(from);
    CHECK(e["if_none_match"] == "\"v1\"");
    CHECK(e["if_modified_since"] == kLastModified);
    // As sent: the extra header on both hops, each validator once on the
    // first only.
    REQUIRE(r.exchanges.size() == 2);
    const std::string& hop0 = r.exchanges[0].request;
    const std::string& hop1 = r.exchanges[1].request;
    CHECK(hop0.find("\r\nX-Extra: 1\r\n") != std::string::npos);
    CHECK(hop0.find("\r\nIf-None-Match: \"v1\"\r\n") != std::string::npos);
    CHECK(hop0.find("If-None-Match", hop0.find("If-None-Match") + 1) ==
          std::string::npos);
    CHECK(hop0.find("\r\nIf-Modified-Since: " + std::string(kLastModified) +
                    "\r\n") != std::string::npos);
    CHECK(hop1.find("\r\nX-Extra: 1\r\n") != std::string::npos);
    CHECK(hop1.find("If-None-Match") == std::string::npos);
    CHECK(hop1.find("If-Modified-Since") == std::string::npos);
  }
}

TEST_CASE("200 loopback fetches, 16 at once, reuse connections") {
  FetchOptions o = TestOptions();
  o.max_concurrency = 16;
  o.total_timeout_ms = 5000;
  auto fetcher = MakeFetcher(o);
  const int kTotal = 200;
  const std::string token = "keepalive-run";
  int started = 0;
  int done = 0;
  int ok = 0;
  int max_in_flight = 0;
  const int64_t cpu_start = CpuMs();
  const auto start = Clock::now();
  while (done < kTotal && MsSince(start) < 20000) {
    while (started < kTotal && fetcher->InFlight() < o.max_concurrency) {
      fetcher->Start(
          {static_cast<uint64_t>(started),
           Server().Url("/page/" + std::to_string(started) + "?" + token)});
      ++started;
    }
    max_in_flight = std::max(max_in_flight, fetcher->InFlight());
    for (FetchResponse& r : fetcher->Poll(-1, 1000)) {
      ++done;
      if (r.error.ok() && r.status == 200 &&
          r.body.find("<title>Page " + std::to_string(r.id) + "</title>") !=
              std::string::npos) {
        ++ok;
      } else {
        INFO(r.url, " -> ", r.error.ToString());
        CHECK(r.error.ok());
      }
    }
  }
  const int64_t took = MsSince(start);
  const int64_t cpu = CpuMs() - cpu_start;
  CHECK(done == kTotal);
  CHECK(ok == kTotal);
  CHECK(max_in_flight <= o.max_concurrency);
  std::set<int> connections = ClientPorts(ServerLog(), token);
  MESSAGE(kTotal, " pages in ", took, " ms (",
          took > 0 ? kTotal * 1000 / took : 0,
          " pages/s, bound by the Python fixture server) over ",
          connections.size(), " connections; fetcher CPU ", cpu, " ms");
  CHECK(connections.size() >= 1);
  CHECK(connections.size() <= 2 * static_cast<size_t>(o.max_concurrency));
}

TEST_CASE("Start beyond max_concurrency queues; every request finishes") {
  FetchOptions o = TestOptions();
  o.max_concurrency = 4;
  auto fetcher = MakeFetcher(o);
  std::vector<std::string> urls;
  for (int i = 0; i < 40; ++i) {
    urls.push_back(Server().Url("/page/" + std::to_string(i)));
  }
  auto rs = FetchAll(*fetcher, urls);
  for (const FetchResponse& r : rs) CHECK_OK(r.error);
  CHECK(fetcher->InFlight() == 0);
}

TEST_CASE("wake_fd makes Poll return early; idle Poll returns at once") {
  auto fetcher = MakeFetcher(TestOptions());
  auto start = Clock::now();
  CHECK(fetcher->Poll(-1, 3000).empty());  // Nothing in flight.
  CHECK(MsSince(start) < 100);

  fetcher->Start({1, Server().Url("/hang")});
  Pipe wake;
  {
    std::jthread waker([&wake] {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      CHECK(write(wake.fds[1], "x", 1) == 1);
    });
    start = Clock::now();
    CHECK(fetcher->Poll(wake.fds[0], 5000).empty());
    const int64_t took = MsSince(start);
    CHECK(took >= 150);
    CHECK(took < 1500);
  }
  CHECK(fetcher->InFlight() == 1);
  // The fd stays readable until drained: Poll keeps returning at once.
  start = Clock::now();
  fetcher->Poll(wake.fds[0], 5000);
  CHECK(MsSince(start) < 500);
  // Destroying the fetcher with a transfer in flight is fine.
}

TEST_CASE(
    "Unfollowed redirects report Location; Retry-After and X-Robots-Tag are "
    "kept") {
  FixtureServer* server = &Server();
  FetchOptions o = TestOptions();
  o.max_redirects = 0;  // The crawler follows redirects itself, hop by hop.
  auto f = MakeFetcher(o);
  std::vector<FetchResponse> rs = FetchAll(
      *f, {server->Url("/redirect?to=/page/3&code=301"),
           server->Url("/status/503?h=Retry-After:120&h=X-Robots-Tag:noindex"
                       "&h=X-Robots-Tag:otherbot:%20nofollow"),
           server->Url("/page/1")});
  REQUIRE(rs.size() == 3);
  CHECK_OK(rs[0].error);
  CHECK(rs[0].status == 301);
  CHECK(rs[0].redirects == 0);
  CHECK(rs[0].location == server->Url("/page/3"));
  CHECK(rs[1].status == 503);
  CHECK(rs[1].retry_after == "120");
  CHECK(rs[1].x_robots_tag == "noindex\notherbot: nofollow");
  CHECK(rs[2].status == 200);
  CHECK(rs[2].location.empty());
  CHECK(rs[2].retry_after.empty());
  CHECK(rs[2].x_robots_tag.empty());
}

// --- Resolve overrides (FetchOptions::resolve) ------------------------------

// The fixture's URL with another host name: http://<host>:<port><path>.
std::string HostUrl(const std::string& host, const std::string& path) {
  return "http://" + host + ":" + std::to_string(Server().port()) + path;
}

// Whether the fixture's log has a request for exactly `path` whose Host
// header is exactly `host`.
bool LoggedWithHost(const std::string& log, const std::string& path,
                    const std::string& host) {
  return log.find("\"path\": \"" + path + "\", \"host\": \"" + host + "\"") !=
         std::string::npos;
}

TEST_CASE("ParseResolveRule accepts curl's HOST:PORT:ADDRESS and wildcards") {
  auto r = ParseResolveRule("*.Test:8080:127.0.0.1");
  REQUIRE_OK(r.status());
  CHECK(r->wildcard);
  CHECK(r->host == "test");
  CHECK(r->port == 8080);
  CHECK(r->address == "127.0.0.1");
  CHECK_FALSE(r->ipv6);
  r = ParseResolveRule("Example.COM:443:[::1]");
  REQUIRE_OK(r.status());
  CHECK_FALSE(r->wildcard);
  CHECK(r->host == "example.com");
  CHECK(r->address == "::1");
  CHECK(r->ipv6);
  r = ParseResolveRule("*:80:10.0.0.1");
  REQUIRE_OK(r.status());
  CHECK(r->wildcard);
  CHECK(r->host.empty());
  r = ParseResolveRule("a.test:1:fe80::1");
  REQUIRE_OK(r.status());
  CHECK(r->ipv6);
  for (const char* bad :
       {"", "a.test", "a.test:80", "a.test::127.0.0.1", "a.test:0:127.0.0.1",
        "a.test:65536:127.0.0.1", "a.test:8x:127.0.0.1", ":80:127.0.0.1",
        "a.test:80:", "a.test:80:localhost", "a.test:80:127.0.0.256",
        "a b:80:127.0.0.1", "*.:80:127.0.0.1", "a.*.test:80:127.0.0.1",
        ".test:80:127.0.0.1", "**:80:127.0.0.1"}) {
    CAPTURE(bad);
    auto s = ParseResolveRule(bad);
    CHECK(s.status().code() == Code::kInvalidArgument);
    CHECK(s.status().message().find("HOST:PORT:ADDRESS") != std::string::npos);
  }
  FetchOptions o;
  o.resolve = {"*.test:80:127.0.0.1", "a.test:80:nowhere"};
  auto f = NewCurlFetcher(o);
  CHECK(f.status().code() == Code::kInvalidArgument);
  CHECK(f.status().message().find("a.test:80:nowhere") != std::string::npos);
}

TEST_CASE("resolve override: *.test hosts reach the fixture, Host kept") {
  const std::string port = std::to_string(Server().port());
  FetchOptions o = TestOptions();
  o.resolve = {"*.test:" + port + ":127.0.0.1"};
  auto fetcher = MakeFetcher(o);
  auto rs = FetchAll(*fetcher, {HostUrl("a.test", "/page/11?resolve-a"),
                                HostUrl("B.Test", "/page/12?resolve-b"),
                                HostUrl("x.y.z.test", "/page/13?resolve-deep"),
                                HostUrl("a.test", "/page/14?resolve-a2")});
  for (const FetchResponse& r : rs) {
    CAPTURE(r.url);
    CHECK_OK(r.error);
    CHECK(r.status == 200);
    CHECK(r.final_url == r.url);
  }
  CHECK(rs[0].body.find("<title>Page 11</title>") != std::string::npos);
  // Links the fixture made from the Host header name the fake host.
  CHECK(rs[0].body.find("http://a.test:" + port + "/page/14") !=
        std::string::npos);
  const std::string log = ServerLog();
  CHECK(LoggedWithHost(log, "/page/11?resolve-a", "a.test:" + port));
  CHECK(LoggedWithHost(log, "/page/12?resolve-b", "B.Test:" + port));
  CHECK(LoggedWithHost(log, "/page/13?resolve-deep", "x.y.z.test:" + port));
  CHECK(LoggedWithHost(log, "/page/14?resolve-a2", "a.test:" + port));
}

TEST_CASE("resolve override: a cross-host redirect a.test -> b.test") {
  const std::string port = std::to_string(Server().port());
  FetchOptions o = TestOptions();
  o.max_redirects = 5;
  o.resolve = {"*.test:" + port + ":127.0.0.1"};
  auto fetcher = MakeFetcher(o);
  const std::string target = HostUrl("b.test", "/page/21?resolve-redirect");
  auto rs = FetchAll(
      *fetcher, {HostUrl("a.test", "/redirect?to=http://b.test:" + port +
                                       "/redirect%3Fto%3D//c.test:" + port +
                                       "/page/22%253Fresolve-third"),
                 HostUrl("a.test", "/redirect?to=http://b.test:" + port +
                                       "/page/21%3Fresolve-redirect&code=301"),
                 HostUrl("d.test", "/redirect-chain/2")});
  CHECK_OK(rs[1].error);
  CHECK(rs[1].status == 200);
  CHECK(rs[1].redirects == 1);
  CHECK(rs[1].final_url == target);
  // Three hosts in one chain, the last through a protocol-relative Location.
  CHECK_OK(rs[0].error);
  CHECK(rs[0].redirects == 2);
  CHECK(rs[0].final_url == HostUrl("c.test", "/page/22?resolve-third"));
  // Relative redirects stay on the fake host.
  CHECK_OK(rs[2].error);
  CHECK(rs[2].final_url == HostUrl("d.test", "/redirect-chain/0"));
  const std::string log = ServerLog();
  CHECK(LoggedWithHost(log, "/page/21?resolve-redirect", "b.test:" + port));
  CHECK(LoggedWithHost(log, "/page/22?resolve-third", "c.test:" + port));
  CHECK(LoggedWithHost(log, "/redirect-chain/0", "d.test:" + port));

  // With libcurl not following (max_redirects 0, the crawl's setting), the
  // Location is reported and the next hop is a request of its own.
  o.max_redirects = 0;
  auto hop = MakeFetcher(o);
  auto first =
      FetchAll(*hop, {HostUrl("a.test", "/redirect?to=http://b.test:" + port +
                                            "/page/23")})[0];
  CHECK(first.status == 302);
  CHECK(first.location == HostUrl("b.test", "/page/23"));
  auto second = FetchAll(*hop, {first.location})[0];
  CHECK_OK(second.error);
  CHECK(second.status == 200);
}

TEST_CASE("resolve override: the private-address guard still applies") {
  const std::string port = std::to_string(Server().port());
  FetchOptions o = TestOptions();
  o.allow_private_addresses = false;
  o.resolve = {"*.test:" + port + ":127.0.0.1"};
  FetchResponse r = FetchOne(o, HostUrl("a.test", "/page/31?resolve-guard"));
  CHECK(r.error_class == "blocked_private_address");
  CHECK(r.error.message().find("127.0.0.1") != std::string::npos);
  CHECK(ServerLog().find("resolve-guard") == std::string::npos);
}

TEST_CASE("resolve override: other ports, other names and the bare suffix") {
  const std::string port = std::to_string(Server().port());
  FetchOptions o = TestOptions();
  o.connect_timeout_ms = 1000;  // Covers the DNS lookups that must fail.
  // A rule for another port, and an exact rule that beats the wildcard.
  o.resolve = {"*.test:" + std::to_string(UnusedPort()) + ":127.0.0.1",
               "*.test:" + port + ":127.0.0.2",
               "exact.test:" + port + ":127.0.0.1"};
  auto fetcher = MakeFetcher(o);
  auto rs = FetchAll(
      *fetcher, {HostUrl("exact.test", "/page/41?resolve-exact"),
                 "http://test:" + port + "/page/42?resolve-bare",
                 "http://a.test.invalid:" + port + "/page/43?resolve-suffix"});
  CHECK_OK(rs[0].error);
  CHECK_FALSE(rs[1].error.ok());  // "*.test" does not cover "test".
  CHECK_FALSE(rs[2].error.ok());
  const std::string log = ServerLog();
  CHECK(LoggedWithHost(log, "/page/41?resolve-exact", "exact.test:" + port));
  CHECK(log.find("resolve-bare") == std::string::npos);
  CHECK(log.find("resolve-suffix") == std::string::npos);
}

}  // namespace
}  // namespace crawler::fetch
