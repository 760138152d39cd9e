// Checks and parsers for the request options of FetchOptions: extra headers,
// the proxy, and per-origin authentication (see fetch_options.h and
// docs/fetching.md).
//
// Shared by the fetcher (NewCurlFetcher calls ValidateRequestOptions), the
// command line and the crawl-file loader, so that every way in refuses the
// same values with the same words. No message ever quotes a secret: a
// password, a token or proxy credentials are described, never repeated.
//
// Everything here is pure: no I/O, no global state.
//
// Thread-safety: free functions; thread-safe.
#ifndef CRAWLER_FETCH_REQUEST_OPTIONS_H_
#define CRAWLER_FETCH_REQUEST_OPTIONS_H_

#include <string>
#include <string_view>

#include "crawler/base/status.h"
#include "crawler/fetch/fetch_options.h"

namespace crawler::fetch {

// At most this many FetchOptions::headers ...
inline constexpr size_t kMaxRequestHeaders = 64;
// ... of at most this many bytes each ("Name: value").
inline constexpr size_t kMaxRequestHeaderBytes = 8192;
// Longest proxy URL, no_proxy entry and secret.
inline constexpr size_t kMaxProxyUrlBytes = 2048;
inline constexpr size_t kMaxSecretBytes = 4096;

// A scheme, host and port (RFC 6454 section 4), the unit credentials are
// bound to.
struct Origin {
  // "http" or "https".
  std::string scheme;
  // Lower case: a DNS name, a dotted IPv4 address, or an IPv6 address in
  // brackets ("[::1]").
  std::string host;
  // 1-65535.
  int port = 0;
};

// Parses "[SCHEME://]HOST[:PORT][/]": SCHEME is http or https (default
// https: credentials go in clear over http, so http must be asked for), HOST
// an ASCII (punycode) DNS name, a dotted IPv4 address or a bracketed IPv6
// address, PORT defaults to the scheme's (80, 443). No user information,
// path, query or fragment. Case is folded. Fails with kInvalidArgument
// saying what is wrong.
StatusOr<Origin> ParseOrigin(std::string_view text);

// "scheme://host:port", the form of HostAuth::origin, e.g.
// "https://api.example.com:443".
std::string FormatOrigin(const Origin& origin);

// Parses an extra request header "Name: value" (FetchOptions::headers) and
// returns it as "Name: value", the value trimmed of spaces and tabs. Refuses
// (kInvalidArgument, naming the header and the reason):
//  - a name that is not an RFC 9110 token (section 5.1), and so a missing
//    colon or a space before it;
//  - an empty value, or one holding a control character (CR, LF, NUL, ...;
//    a tab inside is allowed; RFC 9110 section 5.5);
//  - Host, Content-Length, Transfer-Encoding, Connection, Keep-Alive,
//    Proxy-Connection, TE, Trailer and Upgrade (message framing and
//    connection management are libcurl's);
//  - User-Agent (FetchOptions::user_agent: robots.txt rules are matched on
//    it);
//  - Authorization, Proxy-Authorization and Cookie: extra headers go to
//    every host, credentials must not (FetchOptions::auth,
//    proxy_credentials, cookies);
//  - more than kMaxRequestHeaderBytes bytes.
StatusOr<std::string> ParseRequestHeader(std::string_view header);

// Checks a FetchOptions::proxy URL: "SCHEME://HOST:PORT" with an optional
// trailing "/", SCHEME one of http, https, socks5, socks5h, HOST as in
// ParseOrigin, the port required (libcurl would otherwise pick 1080). A URL
// with user information is refused without being quoted (credentials come
// from FetchOptions::proxy_credentials).
Status CheckProxyUrl(std::string_view url);

// Checks one FetchOptions::no_proxy entry: "*", a host name (optionally with
// a leading '.'), an IP address or an address/prefix network; no spaces,
// commas or control characters.
Status CheckNoProxyEntry(std::string_view entry);

// Checks FetchOptions::proxy_credentials: "USER:PASSWORD" with a non-empty
// USER, no control character, at most kMaxSecretBytes.
Status CheckProxyCredentials(std::string_view credentials);

// Checks a HostAuth::secret: for kBasic "USER:PASSWORD" (RFC 7617 section
// 2: a non-empty user-id without ':', no control character); for kBearer
// an RFC 6750 section 2.1 b64token (letters, digits and "-._~+/", then
// optional '='s). At most kMaxSecretBytes.
Status CheckAuthSecret(AuthScheme scheme, std::string_view secret);

// "basic" or "bearer" (any case).
StatusOr<AuthScheme> ParseAuthScheme(std::string_view name);

// "basic" or "bearer".
const char* AuthSchemeName(AuthScheme scheme);

// Checks every request option of `options`: each header (ParseRequestHeader
// returns it unchanged, and at most kMaxRequestHeaders of them), the proxy,
// proxy_credentials and no_proxy (both require a proxy), and each auth
// entry (its origin in FormatOrigin's form, at most one entry per origin,
// its secret). Fails with kInvalidArgument; the message names the option.
Status ValidateRequestOptions(const FetchOptions& options);

}  // namespace crawler::fetch

#endif  // CRAWLER_FETCH_REQUEST_OPTIONS_H_
