// FetchOptions: the limits and switches of one Fetcher.
//
// A plain value type; the defaults are the crawler's production defaults
// (tests shorten the timeouts and set allow_private_addresses). Fetcher
// factories validate the values and reject nonsensical ones.
//
// Thread-safety: a value type; copy it freely.
#ifndef CRAWLER_FETCH_FETCH_OPTIONS_H_
#define CRAWLER_FETCH_FETCH_OPTIONS_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/base/status.h"

namespace crawler::fetch {

// The HTTP authentication scheme of a HostAuth.
enum class AuthScheme {
  kBasic,   // RFC 7617: "Authorization: Basic base64(user:password)".
  kBearer,  // RFC 6750: "Authorization: Bearer <token>".
};

// Credentials that are sent to one origin only: to requests whose scheme,
// host and port are those of `origin`, never to another origin, not even
// after a redirect (libcurl's CURLOPT_UNRESTRICTED_AUTH stays 0).
struct HostAuth {
  // "scheme://host:port", lower case, the port always written, as
  // FormatOrigin (request_options.h) writes it, e.g.
  // "https://api.example.com:443".
  std::string origin;
  // How the credentials are sent.
  AuthScheme scheme = AuthScheme::kBasic;
  // kBasic: "USER:PASSWORD"; kBearer: the token (RFC 6750 b64token). A
  // secret: never in a message, a record or a log.
  std::string secret;
};

struct FetchOptions {
  // Sent as the User-Agent header.
  std::string user_agent = "crawler/0.1";
  // Redirects followed per fetch; one more is too_many_redirects. 0 disables
  // following (the 3xx itself is returned). Must be >= 0.
  int max_redirects = 10;
  // Deadline for establishing a connection (including DNS), in ms. > 0.
  int64_t connect_timeout_ms = 10000;
  // Deadline for the whole transfer, redirects included, in ms. > 0.
  int64_t total_timeout_ms = 30000;
  // Abort when the transfer is slower than this many bytes/s ... (0: off)
  int64_t low_speed_limit_bytes = 1;
  // ... for this many seconds.
  int64_t low_speed_time_s = 15;
  // Cap on the decoded body (after Content-Encoding); exceeding it ends the
  // transfer as too_large with the first max_body_bytes bytes kept. > 0.
  size_t max_body_bytes = 16 << 20;
  // Transfers at once in one Fetcher. > 0.
  int max_concurrency = 16;
  // Whether connecting to loopback, private, link-local, CGNAT, multicast
  // and the other special-purpose addresses (address_policy.h) is allowed
  // (tests set true; crawls keep it false against SSRF). Opens all of them;
  // allowed_addresses opens some.
  bool allow_private_addresses = false;
  // An allow-list narrower than allow_private_addresses: a special-purpose
  // address that the fetcher would refuse is connected to when one of these
  // entries matches it (and its port, when the entry names one). Each entry
  // is "CIDR" (any port) or "CIDR:PORT", with an IPv6 network in brackets
  // when a port follows: "127.0.0.1:8080", "10.0.0.0/8", "[::1]:8080",
  // "fd00::/8" (the syntax is ParseAddressRule's, address_policy.h). Applied
  // where the refusal is, to the address actually connected to: on every
  // redirect hop and for every request (robots.txt and sitemaps included).
  // Ordinary public addresses need no entry. NewCurlFetcher rejects a
  // malformed entry.
  std::vector<std::string> allowed_addresses;
  // Whether FetchResponse::body is filled (bytes is counted either way).
  bool keep_body = true;
  // Whether each request and response is kept as sent and received
  // (FetchResponse::exchanges), for WARC output. Off by default: it turns
  // on libcurl's debug callback (CURLOPT_VERBOSE) and keeps a second copy
  // of every body, which fetches without an archive need not pay for.
  bool capture_exchanges = false;
  // TLS. Server certificates are verified by default: the chain must lead
  // to a trusted CA (the system's, /etc/ssl/certs on Debian, plus the
  // ca_cert_file ones), be within its validity period, and name the URL's
  // host (CURLOPT_SSL_VERIFYPEER 1, CURLOPT_SSL_VERIFYHOST 2). A failure
  // ends the fetch as tls_cert_untrusted, tls_cert_expired or
  // tls_cert_hostname (see FetchResponse::error_class).
  //
  // A PEM file of extra CA certificates to trust, e.g. a private CA
  // (CURLOPT_CAINFO; the system's CA directory stays trusted). "" for none.
  // When set, the file must pass CheckCaCertFile (NewCurlFetcher checks).
  std::string ca_cert_file;
  // Turns certificate verification off (peer and host name): any
  // certificate is accepted. For testing only; the CLI's --insecure, which
  // says so on stderr.
  bool insecure = false;
  // Connection overrides, a testing and intranet aid (the CLI's --resolve):
  // each entry is "HOST:PORT:ADDRESS" as in curl's --resolve, and a request
  // to HOST on PORT connects to the numeric ADDRESS (same port) instead of
  // resolving HOST; the URL, the Host header and TLS SNI keep HOST. HOST is a
  // name (case-insensitive, ASCII/punycode), "*.SUFFIX" (every name ending in
  // ".SUFFIX", at any depth, not SUFFIX itself) or "*" (every name). Applied
  // to every redirect hop. An exact name beats a wildcard, a longer suffix a
  // shorter one. The private-address policy still applies to ADDRESS, so
  // loopback targets also need allow_private_addresses or an
  // allowed_addresses entry. Parsed with
  // ParseResolveRule (NewCurlFetcher rejects a malformed entry).
  std::vector<std::string> resolve;

  // Request options (docs/fetching.md). Checked by ValidateRequestOptions
  // (request_options.h), which NewCurlFetcher calls.
  //
  // Extra request headers, each "Name: value", sent on every request to
  // every host (robots.txt and sitemaps included), unlike `auth`. The name
  // is an RFC 9110 token and the value holds no control character (CR, LF
  // and NUL included); Host, the framing and connection headers, User-Agent
  // (see user_agent) and the credential headers Authorization,
  // Proxy-Authorization and Cookie (see auth, proxy_credentials, cookies)
  // are refused. Never sent to a proxy.
  std::vector<std::string> headers;
  // Cookies: off by default (nothing stored, nothing sent). When on, each
  // Fetcher keeps in-memory cookie jars, one per host name: a host's cookies
  // are sent back to that host only, never to another, even one that RFC
  // 6265 domain matching would allow (a Domain attribute naming a parent
  // domain widens nothing). libcurl's cookie engine with libpsl refuses a
  // Domain that is a public suffix, or that the host is not within.
  bool cookies = false;
  // A proxy for every request: "http://HOST:PORT", "https://HOST:PORT",
  // "socks5://HOST:PORT" (names resolved here) or "socks5h://HOST:PORT"
  // (names resolved by the proxy); "" for none (the default; the
  // http_proxy, https_proxy, all_proxy and no_proxy environment variables
  // are always ignored). Without credentials: see proxy_credentials. The
  // address policy applies to the proxy's address (see allowed_addresses)
  // and to targets named by a numeric address or a resolve entry; the
  // addresses of other target names are resolved by the proxy and cannot
  // be checked.
  std::string proxy;
  // "USER:PASSWORD" for the proxy (Basic; the CLI reads it from an
  // environment variable). A secret: never in a message. "" for none.
  // Requires proxy.
  std::string proxy_credentials;
  // Hosts reached directly rather than through the proxy, in libcurl's
  // CURLOPT_NOPROXY syntax: a host name (its subdomains included), an IP
  // address or CIDR network, or "*" for every host. Requires proxy.
  std::vector<std::string> no_proxy;
  // HTTP authentication, each entry for one origin only (HostAuth).
  std::vector<HostAuth> auth;
};

// One parsed FetchOptions::resolve entry.
struct ResolveRule {
  // Lower-case host name; for a wildcard the suffix after "*." ("" for "*").
  std::string host;
  bool wildcard = false;
  int port = 0;
  // Numeric IPv4 or IPv6 address (IPv6 without brackets).
  std::string address;
  bool ipv6 = false;
};

// Parses "HOST:PORT:ADDRESS" (see FetchOptions::resolve). ADDRESS may be an
// IPv6 address, bracketed or not. Fails with kInvalidArgument naming the
// entry and what is wrong.
inline StatusOr<ResolveRule> ParseResolveRule(std::string_view entry) {
  auto bad = [&](std::string_view why) {
    return InvalidArgumentError("resolve entry '" + std::string(entry) +
                                "': " + std::string(why) +
                                " (expected HOST:PORT:ADDRESS, e.g. "
                                "'*.test:8080:127.0.0.1')");
  };
  const size_t c1 = entry.find(':');
  if (c1 == std::string_view::npos) return bad("missing ':'");
  const size_t c2 = entry.find(':', c1 + 1);
  if (c2 == std::string_view::npos) return bad("missing the second ':'");
  std::string_view host = entry.substr(0, c1);
  std::string_view port = entry.substr(c1 + 1, c2 - c1 - 1);
  std::string_view address = entry.substr(c2 + 1);
  ResolveRule rule;
  if (host == "*") {
    rule.wildcard = true;
  } else {
    if (host.size() > 2 && host.substr(0, 2) == "*.") {
      rule.wildcard = true;
      host.remove_prefix(2);
    }
    if (host.empty() || host.size() > 253) return bad("bad host name");
    for (char c : host) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                      (c >= '0' && c <= '9') || c == '-' || c == '.' ||
                      c == '_';
      if (!ok) return bad("bad character in the host name");
      rule.host.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
    }
    if (rule.host.front() == '.' || rule.host.back() == '.') {
      return bad("bad host name");
    }
  }
  if (port.empty() || port.size() > 5) return bad("bad port");
  int p = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return bad("bad port");
    p = p * 10 + (c - '0');
  }
  if (p < 1 || p > 65535) return bad("port out of range 1-65535");
  rule.port = p;
  if (address.size() > 2 && address.front() == '[' && address.back() == ']') {
    address = address.substr(1, address.size() - 2);
  }
  const std::string addr(address);
  in6_addr buf;
  if (inet_pton(AF_INET, addr.c_str(), &buf) == 1) {
    rule.address = addr;
  } else if (inet_pton(AF_INET6, addr.c_str(), &buf) == 1) {
    rule.address = addr;
    rule.ipv6 = true;
  } else {
    return bad("ADDRESS must be a numeric IPv4 or IPv6 address");
  }
  return rule;
}

// Checks a FetchOptions::ca_cert_file: a readable regular file of at most
// 16 MiB holding at least one PEM certificate ("-----BEGIN CERTIFICATE-----";
// libcurl would otherwise fail every https fetch). Fails with
// kInvalidArgument naming the file and what is wrong.
inline Status CheckCaCertFile(const std::string& path) {
  auto bad = [&](const std::string& why) {
    return InvalidArgumentError("CA certificate file '" + path + "': " + why);
  };
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return bad(std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return bad("not a regular file");
  if (st.st_size > (16 << 20)) return bad("larger than 16 MiB");
  std::ifstream in(path, std::ios::binary);
  if (!in) return bad(std::strerror(errno));
  const std::string text((std::istreambuf_iterator<char>(in)),
                         std::istreambuf_iterator<char>());
  if (in.bad()) return bad("read error");
  if (text.find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
    return bad("no PEM certificate in it (-----BEGIN CERTIFICATE-----)");
  }
  return Status::Ok();
}

}  // namespace crawler::fetch

#endif  // CRAWLER_FETCH_FETCH_OPTIONS_H_
