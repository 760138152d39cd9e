// The libcurl implementation of Fetcher (libcurl 7.88 multi interface).
//
// One curl multi handle drives up to max_concurrency transfers; easy handles
// are pooled and reused, and the multi handle's connection cache keeps
// HTTP/1.1 connections alive between requests to the same host.
//
// Policy applied to every transfer:
//  - only http and https, for the first URL and for every redirect;
//  - redirects followed up to max_redirects (always set: 7.88 has no limit);
//  - Accept-Encoding offers every decoder libcurl was built with; the decoded
//    body is capped at max_body_bytes in the write callback (libcurl's
//    MAXFILESIZE stops neither chunked nor compressed bodies in 7.88), and a
//    plain body whose Content-Length exceeds the cap is refused before any of
//    it is read;
//  - every address actually connected to (after DNS, on each redirect hop)
//    is checked against the AddressPolicy (address_policy.h): loopback,
//    private, link-local, CGNAT, multicast and the other special-purpose
//    IPv4/IPv6 addresses (IPv4-mapped, NAT64 and 6to4 forms included) are
//    refused as blocked_private_address unless allow_private_addresses or an
//    allowed_addresses entry opens them;
//  - response headers are bounded: a header line over 64 KiB, more than
//    256 KiB of headers in one response, ambiguous framing (Content-Length
//    with Transfer-Encoding, or two different Content-Length values), HTTP/0.9
//    and status codes below 100 end as bad_response; more than two content
//    codings end as decode_error;
//  - a 2xx response whose Content-Type FetchRequest::accept_content_types
//    refuses ends after its headers as skipped_content_type;
//  - proxies from the environment (http_proxy, no_proxy, ...) are ignored,
//    TLS certificates are verified (FetchOptions::ca_cert_file adds a CA;
//    insecure turns verification off), HTTP/2 is negotiated over TLS by
//    ALPN, no signals are used (CURLOPT_NOSIGNAL).
//
// Request options (FetchOptions; docs/fetching.md):
//  - headers: CURLOPT_HTTPHEADER on every request, never to the proxy
//    (CURLOPT_HEADEROPT CURLHEADER_SEPARATE);
//  - auth: set per request, only when the request's scheme, host and port
//    are the entry's origin (and cleared otherwise); when libcurl follows a
//    redirect to another origin it drops them (CURLOPT_UNRESTRICTED_AUTH
//    stays 0; libcurl compares host, port and scheme);
//  - cookies: off unless FetchOptions::cookies. Then the cookie engine is
//    on (CURLOPT_COOKIEFILE "") and each request uses the jar of its host (a
//    CURLSH sharing cookies, attached with CURLOPT_SHARE for that request
//    only), so a cookie is only ever sent to the host that set it. Redirects
//    are then followed here, one hop at a time (each hop on its own host's
//    jar and with its own origin's auth), up to max_redirects, within the
//    same total timeout. A host's jar is emptied when it holds more than
//    kMaxCookiesPerHost cookies or kMaxCookieBytesPerHost bytes, a jar that
//    is empty after a request is freed, and past kMaxCookieJars hosts the
//    least recently used jar is dropped;
//  - proxy: every connection goes to the proxy (except no_proxy hosts), and
//    the address policy applies to the proxy's address. The target's
//    address is known here only when the URL names a numeric address or a
//    resolve entry applies: it is then checked before the request (and on
//    each redirect hop) and refused as blocked_private_address. A target
//    name is resolved by the proxy (http, https, socks5h) or inside
//    libcurl's SOCKS code (socks5), where it cannot be checked. Failures of
//    the proxy itself end as proxy_failed.
//
// Thread-safety: NOT thread-safe; use a CurlFetcher from one thread. Create it
// in the process that uses it (after fork()) and never use one across fork().
#ifndef CRAWLER_FETCH_CURL_FETCHER_H_
#define CRAWLER_FETCH_CURL_FETCHER_H_

#include <cstddef>
#include <memory>

#include "crawler/base/status.h"
#include "crawler/fetch/fetch_options.h"
#include "crawler/fetch/fetcher.h"

namespace crawler::fetch {

// Cookie bounds (FetchOptions::cookies), per Fetcher: a host's jar is
// emptied when it holds more cookies or bytes (Netscape-format lines) than
// these after a request ...
inline constexpr int kMaxCookiesPerHost = 150;
inline constexpr size_t kMaxCookieBytesPerHost = 32 << 10;
// ... and at most this many hosts keep a jar (the least recently used one
// is dropped).
inline constexpr size_t kMaxCookieJars = 1024;

// Returns a libcurl-backed Fetcher. Fails with kInvalidArgument when an option
// is out of range (the message names it) and kInternal when libcurl cannot be
// initialised.
StatusOr<std::unique_ptr<Fetcher>> NewCurlFetcher(const FetchOptions& options);

}  // namespace crawler::fetch

#endif  // CRAWLER_FETCH_CURL_FETCHER_H_
