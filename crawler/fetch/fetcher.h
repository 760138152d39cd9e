// Fetcher: an asynchronous HTTP(S) GET engine driven by its caller.
//
// A worker queues requests with Start() and collects finished responses with
// Poll(), which also waits on an optional wake-up file descriptor so that one
// loop can serve both the network and the worker's control channel. This is an
// interface so that workers can be tested with a fake; the production
// implementation is NewCurlFetcher() (curl_fetcher.h).
//
// Every request yields exactly one FetchResponse, returned by exactly one
// Poll() call: failures (bad URL, refused connection, timeout, oversize body,
// ...) are values in FetchResponse::error, never exceptions or crashes.
//
// Thread-safety: implementations are not required to be thread-safe; use one
// Fetcher from one thread (see each implementation).
#ifndef CRAWLER_FETCH_FETCHER_H_
#define CRAWLER_FETCH_FETCHER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "crawler/base/status.h"
#include "crawler/fetch/fetch_options.h"

namespace crawler::fetch {

// One GET to perform.
struct FetchRequest {
  // Caller's identifier, copied into the response.
  uint64_t id = 0;
  // Absolute http:// or https:// URL.
  std::string url;
  // A tighter body cap for this request (e.g. robots.txt); 0: the
  // FetchOptions one. Never raises it.
  size_t max_body_bytes = 0;
  // Read the first max_body_bytes of a body announced as larger instead of
  // refusing it from its Content-Length (the response still ends as
  // too_large, with those bytes in `body`).
  bool keep_truncated = false;
  // The media types whose bodies are wanted; empty: every type. Each entry
  // matches a Content-Type that starts with it, ignoring case and leading
  // spaces: "text/html" matches "text/html; charset=utf-8", "text/" every
  // text type. Checked on the final response when its headers have arrived:
  // a 2xx response with a non-empty Content-Type that no entry matches
  // stops there, before any of its body is read, and ends as
  // skipped_content_type (status, content_type, retry_after, etag,
  // last_modified and x_robots_tag filled, bytes 0). A response without a
  // Content-Type is always read (its body may be sniffed), and so are
  // redirects and other statuses.
  std::vector<std::string> accept_content_types = {};
  // An entity tag received earlier for this URL (an ETag value, quotes and
  // any W/ prefix included), sent as is as "If-None-Match: <value>"; "" sends
  // none. Goes only with the request for `url` itself: never to a redirect
  // target, which is another resource (RFC 9110 section 13.1.2). A value
  // holding a control character other than a tab (CR, LF, NUL, ...) is
  // never sent: it could split the header.
  std::string if_none_match = {};
  // A Last-Modified value received earlier for this URL, sent as is as
  // "If-Modified-Since: <value>" (RFC 9110 section 13.1.3 recommends the
  // received value, not a date of the client's own); "" sends none. Like
  // if_none_match, never sent to a redirect target nor with a control
  // character in it.
  std::string if_modified_since = {};
};

// One HTTP request and its response as they crossed the network, kept when
// FetchOptions::capture_exchanges is set (the WARC output of crawler/warc
// archives them). Captured with libcurl's debug callback
// (CURLOPT_DEBUGFUNCTION), which libcurl 7.88 calls with the bytes of each
// request it sends and of each response it reads, before it removes the
// chunked framing and before it decodes the content.
struct Exchange {
  // The URL requested (for a redirect hop that libcurl followed, that hop's
  // URL), a userinfo password written "***".
  std::string url;
  // The numeric address of the server (CURLINFO_PRIMARY_IP when the
  // request was sent); "" through a proxy (the address connected to is the
  // proxy's) or when unknown.
  std::string ip_address;
  // When the request was sent: microseconds since the Unix epoch (UTC).
  int64_t sent_unix_us = 0;
  // The request as sent: request line, header lines and the blank line
  // (then its body, if any), except that the values of Authorization and
  // Proxy-Authorization headers are replaced by "[redacted]": credentials
  // never leave the fetcher.
  std::string request;
  // The final response as received: status line, header lines, blank line,
  // then the body bytes as read from the connection, transfer coding
  // (chunk sizes, trailers) and content coding (gzip, br, ...) intact.
  // Interim 1xx responses are not kept. Over HTTP/2 the status and header
  // lines are libcurl's HTTP/1-style rendering of the header frames
  // ("HTTP/2 200"), the body the DATA frames' payload.
  std::string response;
  // "" when the whole response was received, otherwise why it ended early,
  // as a WARC-Truncated reason (WARC 1.1, the WARC-Truncated field):
  // "length" (the body cap, FetchRequest::max_body_bytes, or the capture
  // cap), "time" (a timeout), "disconnect" (the connection closed or reset
  // mid-body), "unspecified" (anything else, e.g. skipped_content_type: the
  // body was not read).
  std::string truncated;
};

// The outcome of one FetchRequest.
struct FetchResponse {
  // FetchRequest::id.
  uint64_t id = 0;
  // The URL as requested.
  std::string url;
  // The URL of the last response, after redirects (the requested URL when
  // nothing was fetched).
  std::string final_url;
  // HTTP status of the last response; 0 when none was received.
  int status = 0;
  // Content-Type of the last response, "" if none.
  std::string content_type;
  // Decoded body (when FetchOptions::keep_body), at most max_body_bytes. On
  // error it holds what was received before the failure.
  std::string body;
  // Decoded body bytes received (and kept, when keep_body); <= max_body_bytes.
  uint64_t bytes = 0;
  // Wall time of the transfer in ms, redirects included.
  int64_t elapsed_ms = 0;
  // Redirects followed.
  int redirects = 0;
  // When the last response is a redirect that was not followed (a 3xx with
  // a Location, max_redirects exhausted or 0): the absolute URL it points
  // to. Empty otherwise.
  std::string location;
  // Raw Retry-After header of the last response ("120" or an HTTP date), ""
  // if none (RFC 9110 section 10.2.3).
  std::string retry_after;
  // Raw ETag header of the last response (quotes and any W/ prefix
  // included; the last one when repeated), "" if none; at most 1 KiB
  // (RFC 9110 section 8.8.3). A 304 Not Modified carries it too.
  std::string etag;
  // Raw Last-Modified header of the last response (an HTTP date, not
  // parsed), "" if none; at most 1 KiB (RFC 9110 section 8.8.2).
  std::string last_modified;
  // X-Robots-Tag header values of the last response, one per line ('\n'
  // between them: a user-agent prefix applies only within its own header).
  std::string x_robots_tag;
  // "" when OK, else one of: bad_url, unsupported_scheme, dns_failed,
  // connect_failed, blocked_private_address, timeout, too_many_redirects,
  // too_large, connection_lost, bad_response, decode_error,
  // skipped_content_type, proxy_failed, other, or a TLS class. Among them:
  //  - blocked_private_address: the address connected to is a
  //    special-purpose one (address_policy.h) that neither
  //    allow_private_addresses nor allowed_addresses opens;
  //  - bad_response: the response is malformed: HTTP/0.9 (no status line),
  //    a status code below 100, Content-Length together with
  //    Transfer-Encoding or two different Content-Length values (RFC 9112
  //    section 6.3), a header line over 64 KiB (over libcurl's 100 KiB
  //    limit included) or more than 256 KiB of headers in one response
  //    (interim 1xx responses counted with the final one), or an HTTP/2
  //    protocol error;
  //  - decode_error: a bad Content-Encoding body, or more than two content
  //    codings in a row ("gzip, gzip, gzip"; each one multiplies a bomb);
  //  - skipped_content_type: FetchRequest::accept_content_types refused the
  //    Content-Type; the body was not read;
  //  - proxy_failed: the proxy (FetchOptions::proxy) did not resolve,
  //    refused the tunnel (a CONNECT answered with a non-2xx status, e.g.
  //    407 for bad credentials) or failed its SOCKS5 handshake;
  //  - tls_cert_untrusted: the certificate chain does not lead to a trusted
  //    CA (self-signed, unknown issuer, ...; FetchOptions::ca_cert_file adds
  //    CAs);
  //  - tls_cert_expired: a certificate is outside its validity period
  //    (expired, or not yet valid);
  //  - tls_cert_hostname: the certificate does not name the URL's host;
  //  - tls_handshake: any other handshake failure (the server closed or
  //    reset during the handshake, spoke something else than TLS, or offered
  //    no protocol version or cipher we accept, e.g. a TLS 1.0-only server);
  //  - tls_error: our own TLS setup failed (e.g. an unusable ca_cert_file).
  // The certificate classes come from CURLE_PEER_FAILED_VERIFICATION split
  // by CURLINFO_SSL_VERIFYRESULT (the X509 verification result: 9/10
  // validity period, 62/64 or none for the name, others untrusted);
  // tls_handshake is CURLE_SSL_CONNECT_ERROR. FetchOptions::insecure turns
  // the certificate checks off.
  std::string error_class;
  // OK when a complete HTTP response (any status code, 404 and 500 included)
  // was received; a 304 Not Modified answer to if_none_match or
  // if_modified_since is one too (status 304, empty body). Otherwise the
  // message is "<error_class>: <url>: <what failed>" and the tag is kRetryable
  // (timeout, connection_lost, connect_failed, dns_failed, proxy_failed, other,
  // tls_handshake) or kPermanent (bad_url, unsupported_scheme, too_large,
  // too_many_redirects, blocked_private_address, bad_response, decode_error,
  // skipped_content_type, tls_cert_*, tls_error).
  Status error;
  // Only with FetchOptions::capture_exchanges: every request sent for this
  // fetch whose response headers arrived complete, in the order sent (one
  // per redirect hop the fetcher followed; a request repeated on a fresh
  // connection counts once). Requests that got no complete response header
  // (refused connection, timeout before the headers, ...) are not kept.
  // Empty otherwise.
  std::vector<Exchange> exchanges;
};

class Fetcher {
 public:
  virtual ~Fetcher() = default;

  // Queues a transfer. Never fails synchronously: a malformed URL or an
  // unsupported scheme produces an error response from a later Poll().
  // REQUIRES: InFlight() < options.max_concurrency. When the caller starts
  // more, the excess requests wait in a FIFO inside the Fetcher (unbounded
  // memory, their timeouts not yet running) and start as slots free up; at
  // most max_concurrency transfers are ever active.
  virtual void Start(FetchRequest request) = 0;

  // Drives the transfers for at most `timeout_ms` (>= 0) and returns the
  // responses that finished, possibly none. Returns early as soon as at least
  // one response is ready, or when `wake_fd` (ignored when < 0) is readable;
  // Poll() never reads from wake_fd, so the caller must drain it. With nothing
  // in flight and wake_fd < 0 it returns at once.
  virtual std::vector<FetchResponse> Poll(int wake_fd, int timeout_ms) = 0;

  // Requests started and not yet returned by Poll() (queued ones included).
  virtual int InFlight() const = 0;
};

}  // namespace crawler::fetch

#endif  // CRAWLER_FETCH_FETCHER_H_
