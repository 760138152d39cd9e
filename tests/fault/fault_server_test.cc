// Smoke tests of tests/testdata/fault_server.py through FaultServer: each
// endpoint family misbehaves as its docstring says, seen from plain sockets
// (byte-level faults: resets, short bodies, trickles) or from the crawler
// binary reaching the fake *.test hosts with --resolve and --allow-private.
// These test the harness, not the crawler's fault handling (issue 4's
// per-row tests do that).
#include "crawler/testing/fault_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "crawler/testing/command.h"
#include "crawler/testing/test_util.h"

namespace crawler {
namespace {

using crawler::testing::Command;
using crawler::testing::FaultServer;
using crawler::testing::FaultServerOptions;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

int64_t MsSince(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t)
      .count();
}

// One server for the whole binary: canary on, two hosts from a --robots
// table. Stopped at exit (and by the kernel if the binary dies).
FaultServer& Server() {
  static std::unique_ptr<FaultServer> server = [] {
    FaultServerOptions o;
    o.canary = true;
    o.robots_json = R"({"r503.test": {"status": 503, "retry_after": "120"},)"
                    R"( "table-hang.test": {"variant": "hang"}})";
    auto s = FaultServer::Start(o);
    REQUIRE_MESSAGE(s.ok(), s.status().ToString());
    return std::move(s).value();
  }();
  return *server;
}

// --- a raw client ----------------------------------------------------------

struct Raw {
  std::string data;
  bool reset = false;      // recv failed with ECONNRESET.
  bool eof = false;        // Orderly close.
  bool timed_out = false;  // Neither within the timeout.
  int64_t ms = 0;
  std::string Head() const {
    size_t e = data.find("\r\n\r\n");
    return e == std::string::npos ? data : data.substr(0, e + 2);
  }
  std::string Body() const {
    size_t e = data.find("\r\n\r\n");
    return e == std::string::npos ? "" : data.substr(e + 4);
  }
};

// Sends a GET for `target` with Host `host` and reads until EOF, a reset,
// `timeout_ms`, or `max_bytes` (then stops reading, like a capped client).
Raw RawGet(int port, const std::string& target, const std::string& host,
           int timeout_ms = 5000, size_t max_bytes = 8 << 20,
           const std::string& extra_headers = "") {
  Raw out;
  const auto start = Clock::now();
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  const std::string req = "GET " + target + " HTTP/1.1\r\nHost: " + host +
                          "\r\n" + extra_headers + "Connection: close\r\n\r\n";
  REQUIRE(send(fd, req.data(), req.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(req.size()));
  char buf[65536];
  while (out.data.size() < max_bytes) {
    const int64_t left = timeout_ms - MsSince(start);
    if (left <= 0) {
      out.timed_out = true;
      break;
    }
    pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n > 0) {
      out.data.append(buf, static_cast<size_t>(n));
    } else if (n == 0) {
      out.eof = true;
      break;
    } else if (errno == ECONNRESET) {
      out.reset = true;
      break;
    } else if (errno != EINTR) {
      break;
    }
  }
  close(fd);
  out.ms = MsSince(start);
  return out;
}

Raw Get(const std::string& target, const std::string& host = "a.test",
        int timeout_ms = 5000) {
  return RawGet(Server().port(), target, host, timeout_ms);
}

json Log(const std::string& query = "") {
  auto text = Server().Log(query);
  REQUIRE_MESSAGE(text.ok(), text.status().ToString());
  return json::parse(*text);
}

// --- the crawler binary ----------------------------------------------------

std::string CrawlerPath() {
  return crawler::testing::RunfilePath("crawler/cli/crawler");
}

// Runs `crawler fetch --allow-private --resolve <*.test> --ordered ARGS URLS`
// and returns its records in input order.
std::vector<json> Fetch(const std::vector<std::string>& urls,
                        const std::vector<std::string>& args = {}) {
  std::vector<std::string> argv = {CrawlerPath(),
                                   "fetch",
                                   "--allow-private",
                                   "--resolve",
                                   Server().ResolveFlag(),
                                   "--ordered",
                                   "--workers",
                                   "2",
                                   "--timeout",
                                   "5"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.insert(argv.end(), urls.begin(), urls.end());
  auto cmd = Command::Start(argv);
  REQUIRE(cmd.ok());
  std::optional<int> code = (*cmd)->Wait(30000);
  REQUIRE_MESSAGE(code.has_value(), "crawler fetch did not finish");
  CHECK_MESSAGE(*code == 0, (*cmd)->Stderr());
  std::vector<json> records;
  std::istringstream in((*cmd)->Stdout());
  std::string line;
  while (std::getline(in, line)) records.push_back(json::parse(line));
  REQUIRE(records.size() == urls.size());
  return records;
}

std::string ErrorOf(const json& r) {
  return r["error"].is_string() ? r["error"].get<std::string>() : "";
}

std::string U(const std::string& host, const std::string& path) {
  return Server().Url(host, path);
}

// --- tests -------------------------------------------------------------------

TEST_CASE("/__caps and /__log: capabilities, Host, headers, bytes, ending") {
  Raw caps = Get("/__caps");
  json c = json::parse(caps.Body());
  CHECK(c["port"] == Server().port());
  CHECK(c["canary_port"] == Server().canary_port());
  MESSAGE("fault server caps: ", c.dump());
  Raw r = RawGet(Server().port(), "/page/7?log-probe", "Log.Test:1234", 5000,
                 8 << 20, "X-Probe: yes\r\n");
  CHECK(r.Head().rfind("HTTP/1.1 200", 0) == 0);
  json log = Log("host=log.test");
  REQUIRE(log.size() == 1);
  const json& e = log[0];
  CHECK(e["path"] == "/page/7?log-probe");
  CHECK(e["host"] == "Log.Test:1234");
  CHECK(e["method"] == "GET");
  CHECK(e["listener"] == "main");
  CHECK(e["ended"] == "complete");
  CHECK(e["bytes_sent"].get<size_t>() == r.data.size());
  CHECK(e["end"].get<double>() >= e["time"].get<double>());
  bool probe = false;
  for (const json& h : e["headers"]) probe = probe || h[0] == "X-Probe";
  CHECK(probe);
  // /__ requests are not logged.
  for (const json& x : Log()) {
    CHECK(x["path"].get<std::string>().rfind("/__", 0) != 0);
  }
}

TEST_CASE("robots.txt per host through crawler fetch --resolve '*.test'") {
  const std::vector<std::string> hosts = {
      "a.test",      "s404.test",    "s429.test",   "r503.test",
      "redir3.test", "xredir3.test", "delay2.test", "sitemap.test",
      "big.test",    "gzbomb.test"};
  std::vector<std::string> urls;
  for (const std::string& h : hosts) urls.push_back(U(h, "/robots.txt"));
  std::vector<json> rs = Fetch(urls, {"--max-body", "1M"});
  CHECK(rs[0]["status"] == 200);
  CHECK(rs[0]["bytes"] == 34);  // "User-agent: *\nDisallow: /private/\n"
  CHECK(rs[1]["status"] == 404);
  CHECK(rs[2]["status"] == 429);
  CHECK(rs[3]["status"] == 503);  // From the --robots table.
  CHECK(rs[4]["status"] == 200);
  CHECK(rs[4]["final_url"].get<std::string>().find("redir3.test") !=
        std::string::npos);
  // Cross-host hops: h1.xredir3.test, h2..., h3...
  CHECK(rs[5]["status"] == 200);
  CHECK(rs[5]["final_url"].get<std::string>().find("h3.xredir3.test") !=
        std::string::npos);
  CHECK(rs[8]["bytes"] == 614400);
  CHECK(ErrorOf(rs[9]).rfind("too_large:", 0) == 0);  // Inflates past 1M.
  for (size_t i = 0; i < rs.size(); ++i) {
    CAPTURE(urls[i]);
    if (i != 9) CHECK(ErrorOf(rs[i]).empty());
  }
  // Each host's request carried its own Host header; the cross-host hops too.
  json log = Log();
  std::set<std::string> seen;
  for (const json& e : log) seen.insert(e["host"].get<std::string>());
  const std::string port = ":" + std::to_string(Server().port());
  for (const std::string& h : hosts) CHECK(seen.count(h + port) == 1);
  for (const char* h :
       {"h1.xredir3.test", "h2.xredir3.test", "h3.xredir3.test"}) {
    CHECK(seen.count(h + port) == 1);
  }
  CHECK(Get("/robots.txt", "delay2.test").Body().find("Crawl-delay: 2") !=
        std::string::npos);
  CHECK(Get("/robots.txt", "sitemap.test").Body().find("Sitemap: ") !=
        std::string::npos);
}

TEST_CASE("robots.txt variants at the byte level") {
  Raw bom = Get("/robots.txt", "bom.test");
  CHECK(bom.Body().rfind("\xef\xbb\xbfUser-agent: *", 0) == 0);
  Raw cr = Get("/robots?variant=cr");
  CHECK(cr.Body().find("\r\n") != std::string::npos);
  CHECK(cr.Body().find("/\r") != std::string::npos);
  CHECK(Get("/robots.txt", "html.test").Head().find("text/html") !=
        std::string::npos);
  CHECK(Get("/robots.txt", "binary.test").Body().find('\0') !=
        std::string::npos);
  CHECK(Get("/robots.txt", "longline.test").Body().size() > 100 * 1024);
  Raw big = Get("/robots.txt", "big.test");
  REQUIRE(big.Body().size() == 614400);
  const size_t decisive = big.Body().find("Disallow: /decisive/");
  CHECK(decisive == 563200);
  CHECK(decisive > 500 * 1024);
  CHECK(Get("/robots.txt", "empty.test").Body().empty());
  // Dead ends: reset mid-body, short body then FIN, never an answer.
  Raw reset = Get("/robots.txt", "reset-mid.test");
  CHECK(reset.reset);
  CHECK(reset.Head().find("Content-Length: 2048") != std::string::npos);
  Raw short_cl = Get("/robots.txt", "short_cl.test");
  CHECK(short_cl.eof);
  CHECK(short_cl.Body().size() == 1024);
  Raw hang = Get("/robots.txt", "hang.test", 600);
  CHECK(hang.timed_out);
  CHECK(hang.data.empty());
  CHECK(Get("/robots.txt", "table-hang.test", 300).timed_out);
  // A loop and a hop to the canary.
  CHECK(Get("/robots.txt", "loop.test").Head().find("Location: /robots.txt") !=
        std::string::npos);
  CHECK(Get("/robots.txt", "canary.test")
            .Head()
            .find("Location: " + Server().CanaryUrl("/robots.txt")) !=
        std::string::npos);
  // Run-time table: flip s503.test to 200 and back.
  CHECK(Get("/robots.txt", "s503.test").Head().rfind("HTTP/1.1 503", 0) == 0);
  Get("/__robots?host=s503.test&set=%7B%22status%22%3A200%7D");
  CHECK(Get("/robots.txt", "s503.test").Head().rfind("HTTP/1.1 200", 0) == 0);
  Get("/__robots?host=s503.test");
  CHECK(Get("/robots.txt", "s503.test").Head().rfind("HTTP/1.1 503", 0) == 0);
  CHECK(Get("/robots.txt", "r503.test").Head().find("Retry-After: 120") !=
        std::string::npos);
}

TEST_CASE("timing: /trickle is slow, /hang never answers, /delay waits") {
  Raw body = Get("/trickle?phase=body&bps=2000&total=1000");
  CHECK(body.Body().size() == 1000);
  CHECK(body.ms >= 400);
  Raw head = Get("/trickle?phase=headers&bps=400&total=200");
  CHECK(head.Head().find("X-Pad: ") != std::string::npos);
  CHECK(head.ms >= 400);
  // A client giving up early sees only a part of the headers.
  Raw part = Get("/trickle?phase=headers&bps=50&total=200", "a.test", 500);
  CHECK(part.timed_out);
  CHECK(part.data.size() < 60);
  CHECK(part.data.rfind("HTTP/1.1 200", 0) == 0);
  Raw hang = Get("/hang", "a.test", 500);
  CHECK(hang.timed_out);
  CHECK(hang.data.empty());
  Raw delay = Get("/delay?ms=300");
  CHECK(delay.ms >= 290);
  CHECK(delay.Head().rfind("HTTP/1.1 200", 0) == 0);
  // The log tells how they ended, once the server noticed.
  bool hung = false;
  for (int i = 0; i < 50 && !hung; ++i) {
    for (const json& e : Log()) {
      hung = hung || (e["path"] == "/hang" && e["ended"] == "hung");
    }
    if (!hung) usleep(20000);
  }
  CHECK(hung);
}

TEST_CASE("connection faults: resets, short bodies, broken chunking, raw") {
  Raw r0 = Get("/reset?at=0");
  CHECK(r0.reset);
  CHECK(r0.data.empty());
  Raw mid = Get("/reset?at=mid");
  CHECK(mid.reset);
  CHECK(mid.Body().size() == 5000);
  CHECK(mid.Head().find("Content-Length: 10000") != std::string::npos);
  Raw short_cl = Get("/short_cl");
  CHECK(short_cl.eof);
  CHECK(short_cl.Body().size() == 5000);
  Raw nohex = Get("/bad_chunked?variant=nohex");
  CHECK(nohex.Body().find("\r\nzz\r\n") != std::string::npos);
  Raw noterm = Get("/bad_chunked?variant=noterm");
  CHECK(noterm.eof);
  CHECK(noterm.Body().find("0\r\n\r\n") == std::string::npos);
  CHECK(Get("/bad_chunked?variant=huge").Body().find("fffffffffffffffffff") !=
        std::string::npos);
  Raw clte = Get("/cl_te");
  CHECK(clte.Head().find("Content-Length: 5") != std::string::npos);
  CHECK(clte.Head().find("Transfer-Encoding: chunked") != std::string::npos);
  Raw dup = Get("/cl_te?variant=dup");
  CHECK(dup.Head().find("Content-Length: 26") != std::string::npos);
  // "HTTP/1.1 999 Odd\n\nhi" (bare LF) in URL-safe base64 without padding.
  Raw raw = Get("/raw?payload=SFRUUC8xLjEgOTk5IE9kZAoKaGk");
  CHECK(raw.data == "HTTP/1.1 999 Odd\n\nhi");
  CHECK(raw.eof);
  // The crawler's view of the same faults.
  std::vector<json> rs = Fetch(
      {U("a.test", "/reset?at=0"), U("a.test", "/reset?at=mid"),
       U("a.test", "/short_cl"), U("a.test", "/bad_chunked?variant=nohex"),
       U("a.test", "/raw?payload=aGVsbG8K")},  // "hello\n": HTTP/0.9.
      {"--retries", "0"});
  CHECK(ErrorOf(rs[0]).rfind("connection_lost:", 0) == 0);
  CHECK(ErrorOf(rs[1]).rfind("connection_lost:", 0) == 0);
  CHECK(ErrorOf(rs[2]).rfind("connection_lost:", 0) == 0);
  CHECK_FALSE(ErrorOf(rs[3]).empty());
  CHECK_FALSE(ErrorOf(rs[4]).empty());
  json log = Log();
  std::set<std::string> endings;
  for (const json& e : log) {
    const std::string p = e["path"];
    if (p == "/reset?at=mid" || p == "/short_cl") {
      endings.insert(e["ended"].get<std::string>());
    }
  }
  CHECK(endings.count("reset") == 1);
  CHECK(endings.count("closed_early") == 1);
}

TEST_CASE("status, Retry-After and redirects") {
  Raw s = Get("/status?code=429&retry_after=7");
  CHECK(s.Head().rfind("HTTP/1.1 429", 0) == 0);
  CHECK(s.Head().find("Retry-After: 7\r\n") != std::string::npos);
  Raw date = Get(
      "/status?code=503&retry_after=Wed,%2021%20Oct%202015%2007:28:00%20GMT");
  CHECK(date.Head().find("Retry-After: Wed, 21 Oct 2015 07:28:00 GMT") !=
        std::string::npos);
  CHECK(Get("/status?code=500&ok_after=2&k=1").Head().find(" 500 ") !=
        std::string::npos);
  CHECK(Get("/status?code=500&ok_after=2&k=1").Head().find(" 500 ") !=
        std::string::npos);
  CHECK(Get("/status?code=500&ok_after=2&k=1").Head().find(" 200 ") !=
        std::string::npos);
  CHECK(Get("/redirect?noloc=1&code=301").Head().find("Location") ==
        std::string::npos);
  CHECK(Get("/redirect?to=/x&code=308").Head().rfind("HTTP/1.1 308", 0) == 0);
  std::vector<json> rs =
      Fetch({U("a.test", "/redirect?chain=3"), U("a.test", "/redirect?loop=1"),
             U("a.test", "/redirect?to=http://b.test:" +
                             std::to_string(Server().port()) + "/page/1"),
             U("a.test", "/redirect?to=" + Server().CanaryUrl("/ssrf"))},
            {"--max-redirects", "5"});
  CHECK(rs[0]["status"] == 200);
  CHECK(rs[0]["final_url"] == U("a.test", "/redirect?chain=0&code=302"));
  CHECK(ErrorOf(rs[1]).rfind("too_many_redirects:", 0) == 0);
  CHECK(rs[2]["final_url"] == U("b.test", "/page/1"));
  // --allow-private is on, so the canary is reached: it records the hit.
  CHECK(rs[3]["status"] == 200);
  json canary = Log("listener=canary");
  REQUIRE(canary.size() == 1);
  CHECK(canary[0]["path"] == "/ssrf");
}

TEST_CASE("size and bombs: streamed bodies, decoded sizes") {
  Raw big = RawGet(Server().port(), "/big?cl=10G", "a.test", 5000, 1 << 20);
  CHECK(big.Head().find("Content-Length: 10737418240") != std::string::npos);
  CHECK(big.data.size() >= (1u << 20));
  Raw endless =
      RawGet(Server().port(), "/big?chunked=1", "a.test", 5000, 4 << 20);
  CHECK(endless.data.size() >= (4u << 20));
  CHECK_FALSE(endless.eof);
  json caps = json::parse(Get("/__caps").Body());
  std::vector<std::string> encs;
  for (const json& e : caps["encodings"]) encs.push_back(e);
  std::vector<std::string> urls;
  for (const std::string& e : encs) {
    urls.push_back(U("a.test", "/bomb?enc=" + e + "&size=3M"));
  }
  urls.push_back(U("a.test", "/bomb?enc=gzip&size=2M&layers=2"));
  urls.push_back(U("a.test", "/bomb?enc=gzip&size=64M"));
  urls.push_back(U("a.test", "/big?cl=10G"));
  urls.push_back(U("a.test", "/big?chunked=1"));
  std::vector<json> rs = Fetch(urls, {"--max-body", "4M"});
  for (size_t i = 0; i < encs.size(); ++i) {
    CAPTURE(encs[i]);
    CHECK(ErrorOf(rs[i]).empty());
    CHECK(rs[i]["bytes"] == 3 << 20);
  }
  const size_t n = encs.size();
  CHECK(rs[n]["bytes"] == 2 << 20);
  CHECK(ErrorOf(rs[n + 1]).rfind("too_large:", 0) == 0);
  CHECK(rs[n + 1]["bytes"] == 4 << 20);
  CHECK(ErrorOf(rs[n + 2]).rfind("too_large:", 0) == 0);
  CHECK(rs[n + 2]["bytes"] == 0);
  CHECK(ErrorOf(rs[n + 3]).rfind("too_large:", 0) == 0);
  // The wire bytes of a 64 MiB gzip bomb are a small fraction of it.
  for (const json& e : Log()) {
    if (e["path"] == "/bomb?enc=gzip&size=64M") {
      CHECK(e["bytes_sent"].get<int64_t>() < (1 << 20));
    }
  }
  Raw hdrs = Get("/bomb?enc=gzip&size=1K&layers=3&ce_headers=1");
  size_t count = 0;
  for (size_t p = 0;
       (p = hdrs.Head().find("Content-Encoding: gzip", p)) != std::string::npos;
       ++p) {
    ++count;
  }
  CHECK(count == 3);
}

TEST_CASE("header bombs") {
  Raw endless =
      RawGet(Server().port(), "/headers?mode=endless", "a.test", 5000, 1 << 20);
  CHECK(endless.data.size() >= (1u << 20));
  CHECK(endless.data.find("\r\n\r\n") == std::string::npos);
  Raw huge = Get("/headers?mode=huge&size=200K");
  CHECK(huge.Head().size() > 200 * 1024);
  Raw many = Get("/headers?mode=many&count=10000");
  CHECK(many.Head().find("X-Many-9999: v") != std::string::npos);
  CHECK(many.Body() == "after the headers\n");
  CHECK(Get("/headers?mode=cookie&size=1M").Head().size() > (1u << 20));
}

TEST_CASE("content: ctype, hostile html, encodings, weird links") {
  Raw lie = Get("/ctype?declared=image/png&actual=html");
  CHECK(lie.Head().find("Content-Type: image/png") != std::string::npos);
  CHECK(lie.Body().find("<html>") != std::string::npos);
  Raw png = Get("/ctype?declared=text/html&actual=png");
  CHECK(png.Body().rfind("\x89PNG", 0) == 0);
  CHECK(Get("/ctype?actual=text").Head().find("Content-Type") ==
        std::string::npos);
  Raw big = RawGet(Server().port(), "/ctype?declared=text/html&size=1G",
                   "a.test", 5000, 1 << 20);
  CHECK(big.Head().find("Content-Length: 1073741824") != std::string::npos);
  Raw deep = Get("/html?deep=100000&attrs=5&links=3&text=1000&base=/b/");
  std::string body = deep.Body();
  size_t divs = 0;
  for (size_t p = 0; (p = body.find("<div>", p)) != std::string::npos; ++p) {
    ++divs;
  }
  CHECK(divs == 100000);
  CHECK(body.find(" a4=\"4\"") != std::string::npos);
  CHECK(body.find("<base href=\"/b/\">") != std::string::npos);
  CHECK(body.find("/page/2") != std::string::npos);
  CHECK(Get("/enc?variant=invalid_utf8").Body().find("\xc0\xaf") !=
        std::string::npos);
  CHECK(Get("/enc?variant=utf16_bom").Body().rfind("\xff\xfe<\0", 0) == 0);
  CHECK(Get("/enc?variant=latin1_as_utf8").Body().find("caf\xe9") !=
        std::string::npos);
  Raw weird = Get("/links?set=weird");
  for (const char* href :
       {"javascript:alert(1)", "gopher://127.0.0.1:6379/_FLUSHALL",
        "http://2130706433/", "http://0x7f.1/", "http://[::1]/",
        "http:\\\\backslash.test", "#fragment-only"}) {
    CAPTURE(href);
    CHECK(weird.Body().find(href) != std::string::npos);
  }
  CHECK(weird.Body().find(Server().CanaryUrl("/canary")) != std::string::npos);
  CHECK(weird.Body().size() > 100 * 1024);
  // Through the crawler: parsed in a worker, links counted.
  std::vector<json> rs =
      Fetch({U("a.test", "/html?links=500"), U("a.test", "/html?deep=300000")});
  CHECK(rs[0]["links"] == 500);
  CHECK(rs[0]["title"] == "hostile html");
  CHECK(rs[1]["status"] == 200);
}

TEST_CASE("traps, echo, cookies and sitemaps") {
  Raw cal = Get("/trap/calendar?d=2026-02-28");
  CHECK(cal.Body().find("d=2026-02-27") != std::string::npos);
  CHECK(cal.Body().find("d=2026-03-01") != std::string::npos);
  std::string s1 = Get("/trap/session").Body();
  std::string s2 = Get("/trap/session").Body();
  CHECK(s1.find(";jsessionid=") != std::string::npos);
  CHECK(s1 != s2);  // A fresh session id each time.
  CHECK(Get("/trap/repeat/a/a/").Body().find("href=\"a/\"") !=
        std::string::npos);
  CHECK(Get("/trap/longurl/abc").Body().find("/trap/longurl/abcabc\"") !=
        std::string::npos);
  CHECK(Get("/trap/params?x=1&y=2").Body().find("&r=") != std::string::npos);
  Raw echo = RawGet(Server().port(), "/echo?q=%0d%0a", "echo.test", 5000,
                    1 << 20, "Authorization: secret\r\n");
  CHECK(echo.Body().rfind("GET /echo?q=%0d%0a HTTP/1.1\r\n", 0) == 0);
  json log = Log("host=echo.test");
  REQUIRE(log.size() == 1);
  CHECK(log[0]["raw"].get<std::string>().find("Authorization: secret\r\n") !=
        std::string::npos);
  CHECK(Get("/cookie?variant=psl").Head().find("Domain=.test") !=
        std::string::npos);
  CHECK(Get("/evilname").Head().find("../../.bashrc") != std::string::npos);
  CHECK(Get("/sitemap?variant=xxe").Body().find("file:///etc/passwd") !=
        std::string::npos);
  CHECK(Get("/sitemap?variant=laughs").Body().find("&lol9;") !=
        std::string::npos);
  CHECK(Get("/sitemap?variant=loop").Body().find("variant=loop") !=
        std::string::npos);
  std::string big = Get("/sitemap?variant=big").Body();
  size_t locs = 0;
  for (size_t p = 0; (p = big.find("<loc>", p)) != std::string::npos; ++p) {
    ++locs;
  }
  CHECK(locs == 50001);
  Raw gz = RawGet(Server().port(), "/sitemap?variant=gzbomb", "a.test", 5000,
                  64 << 10);
  CHECK(gz.Head().find("application/gzip") != std::string::npos);
}

TEST_CASE("crawler crawl --resolve: fake hosts, per-host robots.txt") {
  Log("clear=1");
  const std::string port = std::to_string(Server().port());
  std::vector<std::string> argv = {CrawlerPath(),
                                   "crawl",
                                   "--allow-private",
                                   "--resolve",
                                   Server().ResolveFlag(),
                                   "--scope",
                                   "any",
                                   "--delay",
                                   "0",
                                   "--max-depth",
                                   "1",
                                   "--max-duration",
                                   "4",
                                   "--timeout",
                                   "2",
                                   U("a.test", "/links?set=ok"),
                                   U("s503.test", "/page/9")};
  auto cmd = Command::Start(argv);
  REQUIRE(cmd.ok());
  std::optional<int> code = (*cmd)->Wait(20000);
  REQUIRE(code.has_value());
  CHECK_MESSAGE(*code == 0, (*cmd)->Stderr());
  json log = Log();
  std::set<std::string> a_paths;
  int s503_pages = 0;
  int s503_robots = 0;
  for (const json& e : log) {
    const std::string host = e["host"];
    const std::string path = e["path"];
    if (host == "a.test:" + port) a_paths.insert(path);
    if (host == "s503.test:" + port) {
      (path == "/robots.txt" ? s503_robots : s503_pages) += 1;
    }
  }
  CHECK(a_paths.count("/robots.txt") == 1);
  CHECK(a_paths.count("/links?set=ok") == 1);
  CHECK(a_paths.count("/page/1") == 1);
  CHECK(s503_robots >= 1);
  CHECK(s503_pages == 0);  // robots.txt 503: complete disallow.
}

}  // namespace
}  // namespace crawler
