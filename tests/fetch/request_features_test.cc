// The request options of FetchOptions through the libcurl fetcher, against
// tests/testdata/fault_server.py (fake *.test hosts, /echo returns the raw
// request, /cookie variants, /redirect) and tests/testdata/proxy_server.py
// (an HTTP and SOCKS5 proxy with a request log), both on loopback: extra
// headers, cookie jars per host, per-origin authentication across
// redirects, and proxies with the address policy.
#include <stdlib.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "crawler/fetch/curl_fetcher.h"
#include "crawler/fetch/fetch_options.h"
#include "crawler/fetch/fetcher.h"
#include "crawler/testing/fault_server.h"
#include "crawler/testing/proxy_server.h"
#include "crawler/testing/test_util.h"

namespace crawler::fetch {
namespace {

using ::crawler::testing::FaultServer;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

FaultServer& Server() {
  static std::unique_ptr<FaultServer> server = [] {
    auto s = FaultServer::Start();
    REQUIRE_MESSAGE(s.ok(), s.status().ToString());
    return std::move(s).value();
  }();
  return *server;
}

std::string Port() { return std::to_string(Server().port()); }

// "http://<host>:<port><path>" on the fault server.
std::string U(const std::string& host, const std::string& path) {
  return Server().Url(host, path);
}

// Percent-encodes `s` for a query value.
std::string Q(const std::string& s) {
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

// The path of a redirect to `to` on the fault server.
std::string To(const std::string& to) { return "/redirect?to=" + Q(to); }

// Options for the fault server's fake hosts: *.test -> 127.0.0.1, private
// addresses allowed, short deadlines, one transfer at a time (so that a
// cookie is set before the next request reads it).
FetchOptions TestOptions() {
  FetchOptions o;
  o.allow_private_addresses = true;
  o.resolve = {Server().ResolveFlag()};
  o.connect_timeout_ms = 1000;
  o.total_timeout_ms = 3000;
  o.max_concurrency = 1;
  return o;
}

// Fetches `urls` one after the other with one fetcher; responses in order.
std::vector<FetchResponse> FetchInOrder(const FetchOptions& options,
                                        const std::vector<std::string>& urls) {
  auto made = NewCurlFetcher(options);
  REQUIRE_MESSAGE(made.ok(), made.status().ToString());
  Fetcher& fetcher = **made;
  std::vector<FetchResponse> out;
  for (size_t i = 0; i < urls.size(); ++i) {
    fetcher.Start({i, urls[i]});
    const auto start = Clock::now();
    std::vector<FetchResponse> got;
    while (got.empty() && Clock::now() - start < std::chrono::seconds(10)) {
      got = fetcher.Poll(-1, 200);
    }
    REQUIRE_MESSAGE(got.size() == 1, "no response for " << urls[i]);
    out.push_back(std::move(got[0]));
  }
  return out;
}

// The fault server's request log for fake host `host`, then cleared.
json HostLog(const std::string& host) {
  auto text = Server().Log("host=" + host);
  REQUIRE_MESSAGE(text.ok(), text.status().ToString());
  return json::parse(*text);
}

void ClearLog() { REQUIRE(Server().Log("clear=1").ok()); }

// The values of the request headers named `name` (any case) in log entry
// `e`.
std::vector<std::string> Header(const json& e, std::string name) {
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  std::vector<std::string> out;
  for (const json& h : e["headers"]) {
    std::string n = h[0];
    std::transform(n.begin(), n.end(), n.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (n == name) out.push_back(h[1]);
  }
  return out;
}

// The Cookie header the log entry of `path` on `host` carried ("" if none).
std::string CookieSent(const std::string& host, const std::string& path) {
  for (const json& e : HostLog(host)) {
    if (e["path"] == path) {
      std::vector<std::string> c = Header(e, "cookie");
      return c.empty() ? "" : c[0];
    }
  }
  FAIL("no request for " << path << " on " << host);
  return "";
}

// The Authorization header of the request for `path` on `host`.
std::vector<std::string> AuthSent(const std::string& host,
                                  const std::string& path) {
  for (const json& e : HostLog(host)) {
    if (e["path"] == path) return Header(e, "authorization");
  }
  FAIL("no request for " << path << " on " << host);
  return {};
}

// tests/testdata/proxy_server.py with `credentials` required and *.test
// mapped to 127.0.0.1 when `map_test`.
class Proxy {
 public:
  explicit Proxy(const std::string& credentials, bool map_test = true) {
    crawler::testing::ProxyServerOptions o;
    o.credentials = credentials;
    if (map_test) o.map = {"test=127.0.0.1"};
    auto started = crawler::testing::ProxyServer::Start(o);
    REQUIRE_MESSAGE(started.ok(), started.status().ToString());
    server_ = std::move(started).value();
  }
  int port() const { return server_->port(); }
  std::string Url(const std::string& scheme) const {
    return server_->Url(scheme);
  }
  std::vector<json> Log() const {
    std::vector<json> out;
    for (const std::string& line : server_->LogLines()) {
      out.push_back(json::parse(line));
    }
    return out;
  }

 private:
  std::unique_ptr<crawler::testing::ProxyServer> server_;
};

// Proxy-Authorization for user:S3CR3T-proxy.
constexpr char kProxyCredentials[] = "puser:S3CR3T-proxy";
const char* kProxyBasic = "Basic cHVzZXI6UzNDUjNULXByb3h5";

TEST_SUITE("Request headers") {
  TEST_CASE("Extra headers are sent once on every request, to every host") {
    ClearLog();
    FetchOptions o = TestOptions();
    o.headers = {"X-One: 1", "Accept-Language: fr, en;q=0.5"};
    auto r = FetchInOrder(o, {U("h1.test", "/echo"), U("h2.test", "/echo")});
    for (const char* host : {"h1.test", "h2.test"}) {
      CAPTURE(host);
      json log = HostLog(host);
      REQUIRE(log.size() == 1);
      CHECK(Header(log[0], "x-one") == std::vector<std::string>{"1"});
      CHECK(Header(log[0], "accept-language") ==
            std::vector<std::string>{"fr, en;q=0.5"});
      CHECK(Header(log[0], "user-agent") ==
            std::vector<std::string>{o.user_agent});
    }
    CHECK(r[0].error.ok());
  }

  TEST_CASE("NewCurlFetcher refuses a header with CR LF (fault matrix S8)") {
    FetchOptions o = TestOptions();
    o.headers = {"X-A: b\r\nX-Injected: 1"};
    CHECK_FALSE(NewCurlFetcher(o).ok());
    o.headers = {"Host: evil.test"};
    CHECK_FALSE(NewCurlFetcher(o).ok());
  }
}

TEST_SUITE("Cookies") {
  TEST_CASE("Off by default: a Set-Cookie is neither kept nor sent") {
    ClearLog();
    FetchInOrder(TestOptions(), {U("off.test", "/cookie?variant=plain"),
                                 U("off.test", "/echo")});
    CHECK(CookieSent("off.test", "/echo").empty());
  }

  TEST_CASE("On: a cookie goes back to the host that set it, not to another") {
    ClearLog();
    FetchOptions o = TestOptions();
    o.cookies = true;
    FetchInOrder(o,
                 {U("ca.test", "/cookie?variant=plain"), U("ca.test", "/echo"),
                  U("cb.test", "/echo"), U("CA.test", "/echo?upper"),
                  U("ca.test", To(U("cb.test", "/echo?hop")))});
    CHECK(CookieSent("ca.test", "/echo") == "plain=1");
    CHECK(CookieSent("ca.test", "/echo?upper") == "plain=1");  // Host case.
    CHECK(CookieSent("cb.test", "/echo").empty());
    // The redirect hop to another host carries none either.
    CHECK(CookieSent("cb.test", "/echo?hop").empty());
  }

  TEST_CASE("RFC 6265 5.3: Domain naming a parent domain widens nothing") {
    ClearLog();
    FetchOptions o = TestOptions();
    o.cookies = true;
    FetchInOrder(o, {U("x.cd.test", "/cookie?variant=domain&domain=cd.test"),
                     U("x.cd.test", "/echo"), U("cd.test", "/echo"),
                     U("y.cd.test", "/echo")});
    // RFC 6265 would send it to cd.test and y.cd.test; here only to the host
    // that set it.
    CHECK(CookieSent("x.cd.test", "/echo") == "dom=1");
    CHECK(CookieSent("cd.test", "/echo").empty());
    CHECK(CookieSent("y.cd.test", "/echo").empty());
  }

  TEST_CASE("Fault matrix S6: Domain=.test (public suffix) is refused") {
    ClearLog();
    FetchOptions o = TestOptions();
    o.cookies = true;
    FetchInOrder(o, {U("cpsl.test", "/cookie?variant=psl"),
                     U("cpsl.test", "/echo"), U("cpsl2.test", "/echo")});
    // libpsl: "test" is a public suffix, so libcurl drops the cookie; even
    // the host that set it does not get it back.
    CHECK(CookieSent("cpsl.test", "/echo").empty());
    CHECK(CookieSent("cpsl2.test", "/echo").empty());
  }

  TEST_CASE("Fault matrix S6: Domain=127.0.0.1 only from 127.0.0.1 itself") {
    ClearLog();
    FetchOptions o = TestOptions();
    o.cookies = true;
    FetchInOrder(o, {U("cip.test", "/cookie?variant=ip"),
                     U("cip.test", "/echo"), U("127.0.0.1", "/echo?before"),
                     U("127.0.0.1", "/cookie?variant=ip"),
                     U("127.0.0.1", "/echo?after"), U("cip.test", "/echo?2")});
    CHECK(CookieSent("cip.test", "/echo").empty());  // Not its domain.
    CHECK(CookieSent("127.0.0.1", "/echo?before").empty());
    // RFC 6265 5.1.3: an IP address domain-matches only itself.
    CHECK(CookieSent("127.0.0.1", "/echo?after") == "ip=1");
    CHECK(CookieSent("cip.test", "/echo?2").empty());
  }

  TEST_CASE("Fault matrix S6: a flood of cookies stays bounded") {
    ClearLog();
    FetchOptions o = TestOptions();
    o.cookies = true;
    // 10,000 Set-Cookie headers in one response: libcurl 7.88 keeps 50.
    FetchInOrder(
        o, {U("cmany.test", "/cookie?variant=many"), U("cmany.test", "/echo")});
    const std::string sent = CookieSent("cmany.test", "/echo");
    CHECK(std::count(sent.begin(), sent.end(), '=') <= 50);
    CHECK_FALSE(sent.empty());
    // One cookie more than kMaxCookiesPerHost, from as many responses: the
    // host's jar is emptied.
    std::vector<std::string> urls;
    for (int i = 0; i <= kMaxCookiesPerHost; ++i) {
      urls.push_back(U("cflood.test",
                       "/cookie?variant=domain&domain=cflood."
                       "test&name=c" +
                           std::to_string(i)));
      if (i == kMaxCookiesPerHost - 1) {
        urls.push_back(U("cflood.test", "/echo?full"));
      }
    }
    urls.push_back(U("cflood.test", "/echo?emptied"));
    FetchInOrder(o, urls);
    const std::string full = CookieSent("cflood.test", "/echo?full");
    CHECK(std::count(full.begin(), full.end(), '=') == kMaxCookiesPerHost);
    CHECK(CookieSent("cflood.test", "/echo?emptied").empty());
  }

  TEST_CASE("Past kMaxCookieJars hosts, the least recently used jar goes") {
    ClearLog();
    FetchOptions o = TestOptions();
    o.cookies = true;
    std::vector<std::string> urls;
    for (size_t i = 0; i <= kMaxCookieJars; ++i) {
      urls.push_back(
          U("lru" + std::to_string(i) + ".test", "/cookie?variant=plain"));
      if (i == kMaxCookieJars / 2) urls.push_back(U("lru1.test", "/echo"));
    }
    urls.push_back(U("lru0.test", "/echo?end"));
    urls.push_back(U("lru1.test", "/echo?end"));
    FetchInOrder(o, urls);
    CHECK(CookieSent("lru1.test", "/echo") == "plain=1");
    // lru0.test's jar was the least recently used when the 1025th host set
    // a cookie; lru1.test's had been used since.
    CHECK(CookieSent("lru0.test", "/echo?end").empty());
    CHECK(CookieSent("lru1.test", "/echo?end") == "plain=1");
  }

  TEST_CASE("With cookies, redirects are followed here, one hop at a time") {
    ClearLog();
    FetchOptions o = TestOptions();
    o.cookies = true;
    o.max_redirects = 3;
    auto r =
        FetchInOrder(o, {U("r1.test", "/cookie?variant=plain"),
                         U("r2.test", "/cookie?variant=domain&domain=r2.test"),
                         U("r1.test", To(U("r2.test", "/echo?from1"))),
                         U("r2.test", To(U("r1.test", "/echo?from2"))),
                         U("r1.test", "/redirect?chain=3"),
                         U("r1.test", "/redirect?chain=4"),
                         U("r1.test", To("ftp://r1.test/x"))});
    // Each hop carries its own host's cookies.
    CHECK(CookieSent("r1.test", To(U("r2.test", "/echo?from1"))) == "plain=1");
    CHECK(CookieSent("r2.test", "/echo?from1") == "dom=1");
    CHECK(CookieSent("r1.test", "/echo?from2") == "plain=1");
    CHECK(r[2].error.ok());
    CHECK(r[2].status == 200);
    CHECK(r[2].redirects == 1);
    CHECK(r[2].final_url == U("r2.test", "/echo?from1"));
    CHECK(r[2].body.find("GET /echo?from1 HTTP/1.1") == 0);
    CHECK(r[4].error.ok());
    CHECK(r[4].redirects == 3);
    CHECK(r[4].body.find("end of chain") != std::string::npos);
    CHECK(r[5].error_class == "too_many_redirects");
    CHECK(r[5].status == 302);
    CHECK(r[5].redirects == 3);
    CHECK(r[6].error_class == "unsupported_scheme");
  }

  TEST_CASE("With cookies, a redirect hop gets the address policy") {
    FetchOptions o = TestOptions();
    o.allow_private_addresses = false;
    o.allowed_addresses = {"127.0.0.1:" + Port()};
    o.cookies = true;
    auto r =
        FetchInOrder(o, {U("rp.test", To("http://127.0.0.2:" + Port() + "/"))});
    CHECK(r[0].error_class == "blocked_private_address");
    CHECK(r[0].final_url == "http://127.0.0.2:" + Port() + "/");
  }
}

TEST_SUITE("Authentication") {
  // Runs one set of fetches with auth for http://auth.test:<port> and checks
  // where the credentials went; `expected` is the Authorization value.
  void CheckAuthOnlyToItsOrigin(const HostAuth& auth,
                                const std::string& expected, bool cookies) {
    auto other = FaultServer::Start();
    REQUIRE_MESSAGE(other.ok(), other.status().ToString());
    ClearLog();
    FetchOptions o = TestOptions();
    o.resolve.push_back((*other)->ResolveFlag());
    o.auth = {auth};
    o.cookies = cookies;
    const std::string other_port = (*other)->Url("auth.test", "/echo?port");
    auto r = FetchInOrder(
        o, {U("auth.test", "/echo"), U("noauth.test", "/echo"), other_port,
            U("auth.test", To(U("noauth.test", "/echo?hop"))),
            U("auth.test", To(U("auth.test", "/echo?same"))),
            U("auth.test", To(other_port)),
            U("noauth.test", To(U("auth.test", "/echo?into")))});
    for (const FetchResponse& resp : r) {
      CAPTURE(resp.url);
      CHECK(resp.error.ok());
      CHECK(resp.status == 200);
    }
    const std::vector<std::string> yes = {expected};
    CHECK(AuthSent("auth.test", "/echo") == yes);
    CHECK(AuthSent("auth.test", "/echo?same") == yes);
    CHECK(AuthSent("noauth.test", "/echo").empty());
    // Another host after a redirect: libcurl (CURLOPT_UNRESTRICTED_AUTH 0)
    // or the fetcher's own hops drop them.
    CHECK(AuthSent("noauth.test", "/echo?hop").empty());
    // Another port of the same host name is another origin.
    auto port_log = (*other)->Log("host=auth.test");
    REQUIRE(port_log.ok());
    const json pl = json::parse(*port_log);
    REQUIRE(pl.size() == 2);
    for (const json& e : pl) CHECK(Header(e, "authorization").empty());
    // A redirect into the origin: libcurl keeps only the first URL's
    // credentials; hops followed here (cookies on) are matched each.
    CHECK(AuthSent("auth.test", "/echo?into") ==
          (cookies ? yes : std::vector<std::string>{}));
  }

  TEST_CASE("Basic credentials go to their origin only, not after a redirect") {
    const HostAuth basic = {"http://auth.test:" + Port(), AuthScheme::kBasic,
                            "user:S3CR3T-basic"};
    // base64("user:S3CR3T-basic")
    CheckAuthOnlyToItsOrigin(basic, "Basic dXNlcjpTM0NSM1QtYmFzaWM=", false);
    CheckAuthOnlyToItsOrigin(basic, "Basic dXNlcjpTM0NSM1QtYmFzaWM=", true);
  }

  TEST_CASE("A bearer token goes to its origin only, not after a redirect") {
    const HostAuth bearer = {"http://auth.test:" + Port(), AuthScheme::kBearer,
                             "S3CR3T-token"};
    CheckAuthOnlyToItsOrigin(bearer, "Bearer S3CR3T-token", false);
    CheckAuthOnlyToItsOrigin(bearer, "Bearer S3CR3T-token", true);
  }

  TEST_CASE("An https origin gets nothing over http") {
    ClearLog();
    FetchOptions o = TestOptions();
    o.auth = {{"https://auth.test:" + Port(), AuthScheme::kBearer, "tok"}};
    FetchInOrder(o, {U("auth.test", "/echo?https-only")});
    CHECK(AuthSent("auth.test", "/echo?https-only").empty());
  }
}

TEST_SUITE("Proxy") {
  TEST_CASE("HTTP proxy: requests go through it with its credentials") {
    Proxy proxy(kProxyCredentials);
    ClearLog();
    FetchOptions o = TestOptions();
    o.resolve.clear();  // The proxy maps *.test itself.
    o.proxy = proxy.Url("http");
    o.proxy_credentials = kProxyCredentials;
    o.headers = {"X-Extra: 1"};
    auto r = FetchInOrder(o, {U("px.test", "/echo")});
    CHECK(r[0].error.ok());
    CHECK(r[0].status == 200);
    std::vector<json> log = proxy.Log();
    REQUIRE(log.size() == 1);
    CHECK(log[0]["kind"] == "http");
    CHECK(log[0]["target"] == U("px.test", "/echo"));
    CHECK(log[0]["proxy_authorization"] == kProxyBasic);
    json origin = HostLog("px.test");
    REQUIRE(origin.size() == 1);
    CHECK(Header(origin[0], "x-extra") == std::vector<std::string>{"1"});
  }

  TEST_CASE("HTTP proxy: a tunnel (CONNECT) carries no extra header") {
    Proxy proxy(kProxyCredentials, /*map_test=*/false);
    ClearLog();
    FetchOptions o = TestOptions();
    o.proxy = proxy.Url("http");
    o.proxy_credentials = kProxyCredentials;
    o.headers = {"X-Extra: 1"};
    // With a resolve entry libcurl tunnels to its address through the proxy.
    auto r = FetchInOrder(o, {U("tun.test", "/echo")});
    CHECK(r[0].error.ok());
    std::vector<json> log = proxy.Log();
    REQUIRE(log.size() == 1);
    CHECK(log[0]["kind"] == "connect");
    CHECK(log[0]["target"] == "127.0.0.1:" + Port());
    CHECK(log[0]["proxy_authorization"] == kProxyBasic);
    for (const json& h : log[0]["headers"]) CHECK(h[0] != "X-Extra");
    json origin = HostLog("tun.test");
    REQUIRE(origin.size() == 1);
    CHECK(Header(origin[0], "x-extra") == std::vector<std::string>{"1"});
    CHECK(Header(origin[0], "proxy-authorization").empty());
  }

  TEST_CASE("HTTP proxy: refused credentials") {
    Proxy proxy(kProxyCredentials);
    FetchOptions o = TestOptions();
    o.proxy = proxy.Url("http");
    o.proxy_credentials = "puser:wrong";
    auto r = FetchInOrder(o, {U("tun.test", "/echo")});
    CHECK(r[0].error_class == "proxy_failed");
    CHECK(r[0].error.message().find("407") != std::string::npos);
    CHECK(r[0].error.message().find("wrong") == std::string::npos);
    o.resolve.clear();
    r = FetchInOrder(o, {U("px.test", "/echo")});
    CHECK(r[0].error.ok());  // A forwarded request gets the proxy's answer.
    CHECK(r[0].status == 407);
  }

  TEST_CASE("SOCKS5: socks5h resolves at the proxy, socks5 here") {
    Proxy proxy(kProxyCredentials);
    ClearLog();
    FetchOptions o = TestOptions();
    o.resolve.clear();
    o.proxy = proxy.Url("socks5h");
    o.proxy_credentials = kProxyCredentials;
    auto r = FetchInOrder(o, {U("sx.test", "/echo")});
    CHECK(r[0].error.ok());
    CHECK(r[0].status == 200);
    o.proxy = proxy.Url("socks5");
    r = FetchInOrder(o, {U("127.0.0.1", "/echo?socks5"), U("sx.test", "/x")});
    CHECK(r[0].error.ok());
    CHECK(r[1].error_class == "dns_failed");  // sx.test is not in our DNS.
    std::vector<json> log = proxy.Log();
    REQUIRE(log.size() == 2);
    CHECK(log[0]["target"] == "sx.test:" + Port());
    CHECK(log[0]["socks_user"] == "puser");
    CHECK(log[1]["target"] == "127.0.0.1:" + Port());
    o.proxy_credentials = "puser:wrong";
    r = FetchInOrder(o, {U("127.0.0.1", "/echo")});
    CHECK(r[0].error_class == "proxy_failed");
  }

  TEST_CASE("The address policy applies to the proxy's address") {
    Proxy proxy("");
    FetchOptions o = TestOptions();
    o.resolve.clear();
    o.allow_private_addresses = false;
    o.proxy = proxy.Url("http");
    auto r = FetchInOrder(o, {U("pol.test", "/echo")});
    CHECK(r[0].error_class == "blocked_private_address");
    CHECK(r[0].error.message().find("port " + std::to_string(proxy.port())) !=
          std::string::npos);
    CHECK(proxy.Log().empty());
  }

  TEST_CASE("With a proxy, targets named by an address are checked here") {
    Proxy proxy("");
    ClearLog();
    FetchOptions o = TestOptions();
    o.resolve = {"named.test:" + Port() + ":127.0.0.1"};
    o.allow_private_addresses = false;
    o.allowed_addresses = {"127.0.0.1:" + std::to_string(proxy.port())};
    o.proxy = proxy.Url("http");
    const std::string loop = "http://127.0.0.1:" + Port() + "/echo";
    auto r = FetchInOrder(
        o, {loop, "http://2130706433:" + Port() + "/echo",
            "http://[::1]:" + Port() + "/echo", U("named.test", "/echo"),
            U("name.test", To(loop)), U("name.test", "/echo")});
    for (int i : {0, 1, 2, 3}) {
      CAPTURE(r[i].url);
      CHECK(r[i].error_class == "blocked_private_address");
      CHECK(r[i].error.message().find("named by the URL") != std::string::npos);
    }
    CHECK(r[4].error_class == "blocked_private_address");  // The hop.
    // A name is resolved by the proxy (here to 127.0.0.1): the policy cannot
    // see that address (docs/fetching.md).
    CHECK(r[5].error.ok());
    std::vector<json> log = proxy.Log();
    REQUIRE(log.size() == 2);  // name.test's redirect and /echo.
    for (const json& e : log) {
      CHECK(e["target"].get<std::string>().find("name.test") !=
            std::string::npos);
    }
  }

  TEST_CASE("no_proxy hosts are reached directly; the environment is ignored") {
    Proxy proxy("");
    ClearLog();
    // A proxy and exceptions from the environment would send everything to
    // a closed port, or nothing through the proxy.
    setenv("http_proxy", "http://127.0.0.1:1", 1);
    setenv("HTTPS_PROXY", "http://127.0.0.1:1", 1);
    setenv("ALL_PROXY", "http://127.0.0.1:1", 1);
    setenv("no_proxy", "*", 1);
    setenv("NO_PROXY", "*", 1);
    FetchOptions o = TestOptions();
    auto direct = FetchInOrder(o, {U("env.test", "/echo")});
    o.resolve.clear();
    o.proxy = proxy.Url("http");
    o.no_proxy = {"127.0.0.1"};
    auto r = FetchInOrder(o, {U("env.test", "/echo?proxied"),
                              "http://127.0.0.1:" + Port() + "/echo?direct"});
    for (const char* v :
         {"http_proxy", "HTTPS_PROXY", "ALL_PROXY", "no_proxy", "NO_PROXY"}) {
      unsetenv(v);
    }
    CHECK(direct[0].error.ok());
    CHECK(r[0].error.ok());
    CHECK(r[1].error.ok());
    std::vector<json> log = proxy.Log();
    REQUIRE(log.size() == 1);
    CHECK(log[0]["target"] == U("env.test", "/echo?proxied"));
  }
}

}  // namespace
}  // namespace crawler::fetch
