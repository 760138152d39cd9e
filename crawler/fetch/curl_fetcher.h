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
//  - proxies from the environment are ignored, cookies are off, TLS
//    certificates are verified (FetchOptions::ca_cert_file adds a CA;
//    insecure turns verification off), HTTP/2 is negotiated over TLS by
//    ALPN, no signals are used (CURLOPT_NOSIGNAL).
//
// Thread-safety: NOT thread-safe; use a CurlFetcher from one thread. Create it
// in the process that uses it (after fork()) and never use one across fork().
#ifndef CRAWLER_FETCH_CURL_FETCHER_H_
#define CRAWLER_FETCH_CURL_FETCHER_H_

#include <memory>

#include "crawler/base/status.h"
#include "crawler/fetch/fetch_options.h"
#include "crawler/fetch/fetcher.h"

namespace crawler::fetch {

// Returns a libcurl-backed Fetcher. Fails with kInvalidArgument when an option
// is out of range (the message names it) and kInternal when libcurl cannot be
// initialised.
StatusOr<std::unique_ptr<Fetcher>> NewCurlFetcher(const FetchOptions& options);

}  // namespace crawler::fetch

#endif  // CRAWLER_FETCH_CURL_FETCHER_H_
