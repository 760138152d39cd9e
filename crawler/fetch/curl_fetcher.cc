#include "crawler/fetch/curl_fetcher.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <strings.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "crawler/fetch/address_policy.h"
#include "crawler/fetch/request_options.h"

namespace crawler::fetch {
namespace {

// Initial body reservation when the decoded size is unknown.
constexpr size_t kDefaultBodyReserve = 32 << 10;

// Header limits (fault matrix N10), below libcurl 7.88's own (100 KiB per
// line, 300 KiB per response), which it reports as "Out of memory" and as a
// receive error: ours end the transfer as bad_response.
constexpr size_t kMaxHeaderLine = 64 << 10;
// All header lines of one response, interim 1xx responses included.
constexpr size_t kMaxHeaderBytes = 256 << 10;
// Content codings in a row (fault matrix N9: each one can multiply a
// decompression bomb; libcurl accepts five).
constexpr int kMaxContentCodings = 2;

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() &&
         strncasecmp(s.data(), prefix.data(), prefix.size()) == 0;
}

// ---------------------------------------------------------------------------
// Error classification.

struct ErrorKind {
  const char* error_class;
  Code code;
  Tag tag;
};

ErrorKind Classify(CURLcode code) {
  switch (code) {
    case CURLE_URL_MALFORMAT:
    case CURLE_BAD_FUNCTION_ARGUMENT:  // e.g. a URL longer than 8 MB.
      return {"bad_url", Code::kInvalidArgument, Tag::kPermanent};
    case CURLE_UNSUPPORTED_PROTOCOL:
      return {"unsupported_scheme", Code::kInvalidArgument, Tag::kPermanent};
    case CURLE_COULDNT_RESOLVE_HOST:
      return {"dns_failed", Code::kUnavailable, Tag::kRetryable};
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_PROXY:  // A SOCKS handshake failure (CURLINFO_PROXY_ERROR).
      return {"proxy_failed", Code::kUnavailable, Tag::kRetryable};
    case CURLE_COULDNT_CONNECT:
      return {"connect_failed", Code::kUnavailable, Tag::kRetryable};
    case CURLE_OPERATION_TIMEDOUT:
      return {"timeout", Code::kDeadlineExceeded, Tag::kRetryable};
    case CURLE_TOO_MANY_REDIRECTS:
      return {"too_many_redirects", Code::kFailedPrecondition, Tag::kPermanent};
    case CURLE_FILESIZE_EXCEEDED:
      return {"too_large", Code::kResourceExhausted, Tag::kPermanent};
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2_STREAM:
      return {"connection_lost", Code::kUnavailable, Tag::kRetryable};
    case CURLE_PARTIAL_FILE:
      return {"connection_lost", Code::kDataLoss, Tag::kRetryable};
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
      return {"bad_response", Code::kDataLoss, Tag::kPermanent};
    case CURLE_BAD_CONTENT_ENCODING:
      return {"decode_error", Code::kDataLoss, Tag::kPermanent};
    // TLS. Certificate verification failures (CURLE_PEER_FAILED_VERIFICATION)
    // are split by ClassifyCertificate(); this is the fallback.
    case CURLE_SSL_CONNECT_ERROR:  // Handshake failures are often transient.
      return {"tls_handshake", Code::kUnavailable, Tag::kRetryable};
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
      return {"tls_cert_untrusted", Code::kFailedPrecondition, Tag::kPermanent};
    case CURLE_SSL_CERTPROBLEM:  // Our own TLS setup, not the server's.
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_USE_SSL_FAILED:
      return {"tls_error", Code::kFailedPrecondition, Tag::kPermanent};
    default:
      return {"other", Code::kInternal, Tag::kRetryable};
  }
}

// X509 verification results as CURLINFO_SSL_VERIFYRESULT reports them
// (OpenSSL's X509_V_ERR_* values, stable across OpenSSL versions; spelled
// out here so that OpenSSL's headers are not needed).
constexpr long kX509Ok = 0;
// X509_V_ERR_UNSPECIFIED; also what libcurl 7.88 stores at the start of each
// handshake, so it is what remains when verification never ran or passed.
constexpr long kX509Unspecified = 1;
constexpr long kX509CertNotYetValid = 9;
constexpr long kX509CertHasExpired = 10;
constexpr long kX509HostnameMismatch = 62;
constexpr long kX509IpAddressMismatch = 64;

// Splits CURLE_PEER_FAILED_VERIFICATION by the X509 verification result:
//  - 9, 10 (not yet valid, expired): tls_cert_expired;
//  - 62, 64 (host name or IP address mismatch), and 0 or 1: libcurl checks
//    the name itself once OpenSSL has accepted the chain (leaving the result
//    at X509_V_OK or at its initial value) and fails with this code when the
//    certificate does not name the host: tls_cert_hostname;
//  - anything else (18 self-signed, 19 self-signed in the chain, 20/21
//    unknown issuer, 2, 27, weak keys, bad signatures...): the chain does not
//    lead to a trusted CA: tls_cert_untrusted.
// Checked on Debian 12 (libcurl 7.88.1, OpenSSL 3.0) against nginx: an
// expired certificate gives 10, one for another name 1, a self-signed one
// 18, one from an unknown CA 20.
ErrorKind ClassifyCertificate(long verify_result) {
  switch (verify_result) {
    case kX509CertNotYetValid:
    case kX509CertHasExpired:
      return {"tls_cert_expired", Code::kFailedPrecondition, Tag::kPermanent};
    case kX509Ok:
    case kX509Unspecified:
    case kX509HostnameMismatch:
    case kX509IpAddressMismatch:
      return {"tls_cert_hostname", Code::kFailedPrecondition, Tag::kPermanent};
    default:
      return {"tls_cert_untrusted", Code::kFailedPrecondition, Tag::kPermanent};
  }
}

// ---------------------------------------------------------------------------
// The fetcher.

class CurlFetcher;

// One FetchOptions::auth entry, ready for libcurl.
struct AuthEntry {
  Origin origin;
  AuthScheme scheme = AuthScheme::kBasic;
  std::string user;      // kBasic.
  std::string password;  // kBasic.
  std::string token;     // kBearer.
};

// A cookie jar: the cookies of one host (FetchOptions::cookies), in a share
// handle that requests to that host attach with CURLOPT_SHARE.
struct CookieJar {
  CURLSH* share = nullptr;
  // The host name it belongs to (its key in CurlFetcher::jars_).
  std::string host;
  // Transfers that have it attached now; never freed while > 0.
  int users = 0;
  // CurlFetcher::jar_clock_ when last attached (least recently used goes).
  uint64_t last_used = 0;

  CookieJar() = default;
  CookieJar(const CookieJar&) = delete;
  CookieJar& operator=(const CookieJar&) = delete;
  ~CookieJar() {
    if (share != nullptr) curl_share_cleanup(share);
  }
};

// One exchange being captured (FetchOptions::capture_exchanges).
struct Capture {
  Exchange exchange;
  // The blank line that ends the response's header block has arrived.
  bool head_complete = false;
  // The response outgrew the capture cap; what follows is not kept.
  bool cut = false;
};

// One easy handle and the state of the transfer it is running. Pooled: the
// options that never change are set once, when the handle is created.
struct Transfer {
  CURL* easy = nullptr;
  const FetchOptions* options = nullptr;
  // The parsed FetchOptions::resolve (empty: no overrides).
  const std::vector<ResolveRule>* rules = nullptr;
  // The CURLOPT_CONNECT_TO list of the current transfer (owned; null when no
  // rule applied yet). Entries are added for the first URL and for each
  // redirect target as its Location header arrives.
  curl_slist* connect_to = nullptr;
  // FetchOptions::headers as a libcurl list (the fetcher's; may be null):
  // what CURLOPT_HTTPHEADER points to between transfers.
  curl_slist* shared_headers = nullptr;
  // The CURLOPT_HTTPHEADER list of a request with validators
  // (FetchRequest::if_none_match, if_modified_since): shared_headers' lines
  // plus its own (owned; null for every other request, which uses
  // shared_headers as is). Kept until the transfer ends even after the
  // handle is pointed back to shared_headers at a redirect.
  curl_slist* request_headers = nullptr;
  bool active = false;
  FetchResponse response;
  char errbuf[CURL_ERROR_SIZE];
  // The policy applied to every address connected to.
  const AddressPolicy* policy = nullptr;
  // Headers of the response being received (reset on each status line).
  int header_status = 0;
  int64_t header_content_length = -1;
  bool header_encoded = false;
  bool header_location = false;
  bool header_chunked = false;  // A Transfer-Encoding header was seen.
  int header_codings = 0;       // Content codings announced so far.
  std::string header_content_type;
  // Between a status line and the blank line that ends its headers.
  bool in_headers = false;
  // Header bytes of the current response (and of its interim responses).
  size_t header_bytes = 0;
  size_t max_body = 0;          // This request's body cap.
  bool keep_truncated = false;  // Read up to the cap rather than refuse.
  // FetchRequest::accept_content_types.
  std::vector<std::string> accept_content_types;
  std::string header_retry_after;
  std::string header_etag;
  std::string header_last_modified;
  std::string header_x_robots_tag;
  // Why the transfer was aborted by one of our callbacks.
  bool too_large = false;
  int64_t refused_content_length = -1;
  std::string blocked_address;
  bool skipped_content_type = false;
  // A response refused from its headers: the error class (bad_response or
  // decode_error) and what was wrong.
  const char* refused_class = nullptr;
  std::string refused_why;
  // The proxy is in use and the address a URL names was refused before any
  // connection (blocked_address says which).
  bool blocked_before_connect = false;
  // The cookie jar attached for the current hop, or null.
  CookieJar* jar = nullptr;
  // Redirects followed here (FetchOptions::cookies), and the transfer time
  // of the hops before the current one, in microseconds.
  int hops = 0;
  int64_t earlier_hops_us = 0;
  // A redirect past max_redirects, when they are followed here.
  bool too_many_redirects = false;
  // A proxy is in use: the addresses URLs name are checked before the
  // request (TargetRefusal).
  bool check_targets = false;
  // The auth entry whose credentials are set on the handle, or null.
  const AuthEntry* auth = nullptr;
  // A redirect hop followed here that could not start: its URL, error
  // class and error.
  std::string hop_url;
  const char* hop_error_class = nullptr;
  Status hop_error;
  // FetchOptions::capture_exchanges: the requests and responses of the
  // current fetch (see DebugCallback).
  std::vector<Capture> captures;
  // Between a proxy's CONNECT request and the next request: the tunnel's
  // own exchange, which is not recorded.
  bool in_connect = false;

  Transfer() = default;
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;
  ~Transfer() {
    if (easy != nullptr) curl_easy_cleanup(easy);
    curl_slist_free_all(connect_to);
    curl_slist_free_all(request_headers);
  }

  void Reset(FetchRequest&& request) {
    keep_truncated = request.keep_truncated;
    accept_content_types = std::move(request.accept_content_types);
    max_body = request.max_body_bytes > 0
                   ? std::min(request.max_body_bytes, options->max_body_bytes)
                   : options->max_body_bytes;
    response = FetchResponse();
    response.id = request.id;
    response.url = std::move(request.url);
    errbuf[0] = '\0';
    header_status = 0;
    header_content_length = -1;
    header_encoded = false;
    header_location = false;
    header_chunked = false;
    header_codings = 0;
    header_content_type.clear();
    in_headers = false;
    header_bytes = 0;
    header_retry_after.clear();
    header_etag.clear();
    header_last_modified.clear();
    header_x_robots_tag.clear();
    too_large = false;
    refused_content_length = -1;
    blocked_address.clear();
    skipped_content_type = false;
    refused_class = nullptr;
    refused_why.clear();
    blocked_before_connect = false;
    hops = 0;
    earlier_hops_us = 0;
    too_many_redirects = false;
    hop_url.clear();
    hop_error_class = nullptr;
    hop_error = Status::Ok();
    captures.clear();
    in_connect = false;
  }

  // Clears what one response of a redirect chain left, before the next hop.
  void ResetForHop() {
    response.body.clear();
    response.bytes = 0;
    errbuf[0] = '\0';
    header_status = 0;
    header_content_length = -1;
    header_encoded = false;
    header_location = false;
    header_chunked = false;
    header_codings = 0;
    header_content_type.clear();
    in_headers = false;
    header_bytes = 0;
    header_retry_after.clear();
    header_etag.clear();
    header_last_modified.clear();
    header_x_robots_tag.clear();
  }
};

size_t WriteCallback(char* data, size_t size, size_t nmemb, void* userdata) {
  auto* t = static_cast<Transfer*>(userdata);
  const size_t len = size * nmemb;
  const FetchOptions& o = *t->options;
  FetchResponse& r = t->response;
  const uint64_t room = t->max_body - r.bytes;
  const size_t take = len <= room ? len : static_cast<size_t>(room);
  if (o.keep_body && take > 0) {
    if (r.body.capacity() < r.body.size() + take && r.body.empty()) {
      // First write: size the buffer once for a plain body of known length.
      size_t want = kDefaultBodyReserve;
      if (!t->header_encoded && t->header_content_length > 0) {
        want = static_cast<size_t>(t->header_content_length);
      }
      r.body.reserve(std::min(std::max(want, take), t->max_body));
    }
    r.body.append(data, take);
  }
  r.bytes += take;
  if (take < len) {
    t->too_large = true;
    return 0;  // Aborts the transfer with CURLE_WRITE_ERROR.
  }
  return len;
}

// A header value without surrounding spaces, tabs and the line end.
std::string_view TrimHeaderValue(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t'))
    v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t' ||
                        v.back() == '\r' || v.back() == '\n')) {
    v.remove_suffix(1);
  }
  return v.substr(0, 1024);
}

// ---------------------------------------------------------------------------
// Resolve overrides (FetchOptions::resolve), applied with CURLOPT_CONNECT_TO.
//
// libcurl 7.88's CURLOPT_RESOLVE and CURLOPT_CONNECT_TO match exact host
// names only (or every name), so a wildcard rule such as "*.test" is turned
// into exact CONNECT_TO entries, "HOST:PORT:ADDRESS:PORT", one per host a
// transfer meets: the first URL's, added before the transfer starts, and each
// redirect target's, added from the header callback when the Location header
// arrives (libcurl reads the list whenever it makes a new connection, i.e. on
// each hop, and follows the redirect only after the 3xx response is read).
// CONNECT_TO changes only where libcurl connects: the URL, the Host header
// and SNI keep the host name, and connections are reused per host name.

// The best rule for host:port (exact name, then the longest wildcard suffix,
// then "*"), or nullptr. `host` is a URL host; IP literals never match.
const ResolveRule* MatchResolveRule(const std::vector<ResolveRule>& rules,
                                    std::string_view host, int port) {
  if (host.empty() || host.front() == '[') return nullptr;
  std::string h(host);
  for (char& c : h) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  if (h.back() == '.') h.pop_back();
  in_addr v4;
  if (inet_pton(AF_INET, h.c_str(), &v4) == 1) return nullptr;
  const ResolveRule* best = nullptr;
  for (const ResolveRule& r : rules) {
    if (r.port != port) continue;
    if (!r.wildcard) {
      if (r.host == h) return &r;
      continue;
    }
    const bool match =
        r.host.empty() ||
        (h.size() > r.host.size() + 1 &&
         h.compare(h.size() - r.host.size(), r.host.size(), r.host) == 0 &&
         h[h.size() - r.host.size() - 1] == '.');
    if (match && (best == nullptr || r.host.size() > best->host.size())) {
      best = &r;
    }
  }
  return best;
}

// The parts of a URL that requests are matched on.
struct UrlParts {
  // Lower case.
  std::string scheme;
  // As written in the URL (an IPv6 address in brackets) ...
  std::string host;
  // ... and in lower case.
  std::string host_lower;
  // The scheme's default port when the URL names none.
  int port = 0;
};

// Parses `url`, resolved against `base` when `base` is not null, with
// libcurl's URL API (as libcurl will). False when it does not parse.
bool ParseUrlParts(const char* base, const std::string& url, UrlParts* out) {
  CURLU* u = curl_url();
  if (u == nullptr) return false;
  char* scheme = nullptr;
  char* host = nullptr;
  char* port = nullptr;
  const bool parsed =
      (base == nullptr ||
       curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK) &&
      curl_url_set(u, CURLUPART_URL, url.c_str(),
                   CURLU_URLENCODE | CURLU_ALLOW_SPACE) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK;
  if (parsed) {
    out->scheme = scheme;
    out->host = host;
    out->host_lower = host;
    for (char& c : out->scheme) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    }
    for (char& c : out->host_lower) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    }
    out->port = std::atoi(port);
  }
  curl_free(scheme);
  curl_free(host);
  curl_free(port);
  curl_url_cleanup(u);
  return parsed;
}

// Adds to t->connect_to the entry for the URL of `parts` when a rule
// matches its host and port. Returns true when the list's head changed (it
// was empty), so CURLOPT_CONNECT_TO must be set again.
bool AddConnectTo(Transfer* t, const UrlParts& parts) {
  const ResolveRule* rule = MatchResolveRule(*t->rules, parts.host, parts.port);
  if (rule == nullptr) return false;
  const std::string port = std::to_string(parts.port);
  std::string entry = parts.host + ":" + port + ":";
  entry += rule->ipv6 ? "[" + rule->address + "]" : rule->address;
  entry += ":";
  entry += port;
  for (curl_slist* e = t->connect_to; e != nullptr; e = e->next) {
    if (entry == e->data) return false;
  }
  curl_slist* head = curl_slist_append(t->connect_to, entry.c_str());
  if (head == nullptr) return false;
  const bool changed = head != t->connect_to;
  t->connect_to = head;
  return changed;
}

// With a proxy, the address policy cannot see the target's address (the
// proxy connects to it). This applies it to the address a URL names when it
// is known here: a resolve entry's ADDRESS, or a numeric host (libcurl's URL
// API has turned the other IPv4 notations into the dotted one). Returns the
// refusal (AddressPolicy::Refusal), or "" when the address is allowed or
// not known.
std::string TargetRefusal(const AddressPolicy& policy,
                          const std::vector<ResolveRule>& rules,
                          const UrlParts& target) {
  std::string address;
  bool ipv6 = false;
  if (const ResolveRule* rule =
          MatchResolveRule(rules, target.host, target.port)) {
    address = rule->address;
    ipv6 = rule->ipv6;
  } else if (target.host.size() > 2 && target.host.front() == '[') {
    address = target.host.substr(1, target.host.size() - 2);
    address = address.substr(0, address.find('%'));  // A zone id.
    ipv6 = true;
  } else {
    address = target.host;
  }
  sockaddr_in6 sa6 = {};
  sockaddr_in sa4 = {};
  const sockaddr* sa = nullptr;
  if (ipv6) {
    sa6.sin6_family = AF_INET6;
    sa6.sin6_port = htons(static_cast<uint16_t>(target.port));
    if (inet_pton(AF_INET6, address.c_str(), &sa6.sin6_addr) != 1) return "";
    sa = reinterpret_cast<const sockaddr*>(&sa6);
  } else {
    sa4.sin_family = AF_INET;
    sa4.sin_port = htons(static_cast<uint16_t>(target.port));
    if (inet_pton(AF_INET, address.c_str(), &sa4.sin_addr) != 1) return "";
    sa = reinterpret_cast<const sockaddr*>(&sa4);
  }
  return policy.Refusal(sa);
}

// The value of a Content-Length header: a number, or a list of the same
// number ("5, 5"; RFC 9110 section 8.6). -1 when it is not a number, -2 when
// the list holds different numbers.
int64_t ParseContentLength(std::string_view value) {
  int64_t length = -1;
  while (true) {
    const size_t comma = value.find(',');
    std::string_view item = TrimHeaderValue(value.substr(0, comma));
    if (item.empty() || item.size() > 18) return length >= 0 ? -2 : -1;
    int64_t v = 0;
    for (char c : item) {
      if (c < '0' || c > '9') return length >= 0 ? -2 : -1;
      v = v * 10 + (c - '0');
    }
    if (length >= 0 && v != length) return -2;
    length = v;
    if (comma == std::string_view::npos) return length;
    value.remove_prefix(comma + 1);
  }
}

// Content codings in a Content-Encoding value ("gzip, br" is two; identity
// and empty items do not count).
int CountContentCodings(std::string_view value) {
  int n = 0;
  while (!value.empty()) {
    const size_t comma = value.find(',');
    std::string_view item = TrimHeaderValue(value.substr(0, comma));
    if (!item.empty() &&
        !(item.size() == 8 && StartsWithNoCase(item, "identity"))) {
      ++n;
    }
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return n;
}

// True when FetchRequest::accept_content_types lets `content_type` through.
bool AcceptsContentType(const std::vector<std::string>& accept,
                        std::string_view content_type) {
  while (!content_type.empty() &&
         (content_type.front() == ' ' || content_type.front() == '\t')) {
    content_type.remove_prefix(1);
  }
  if (accept.empty() || content_type.empty()) return true;
  for (const std::string& type : accept) {
    if (StartsWithNoCase(content_type, type)) return true;
  }
  return false;
}

// Ends the transfer from the header callback: the response is refused as
// `error_class` (bad_response or decode_error) for the reason `why`.
size_t RefuseResponse(Transfer* t, const char* error_class, std::string why) {
  t->refused_class = error_class;
  t->refused_why = std::move(why);
  return 0;  // Aborts the transfer with CURLE_WRITE_ERROR.
}

size_t HeaderCallback(char* data, size_t size, size_t nmemb, void* userdata) {
  auto* t = static_cast<Transfer*>(userdata);
  const size_t len = size * nmemb;
  std::string_view line(data, len);
  const bool status_line = StartsWithNoCase(line, "HTTP/");
  if (!status_line && !t->in_headers) {
    return len;  // A chunked body's trailer: not this response's headers.
  }
  // Header bombs (fault matrix N10): a line or a header block over our caps.
  // A new final response (after a redirect) starts its own count; interim
  // 1xx responses count with the response they precede.
  if (status_line && t->header_status >= 200) t->header_bytes = 0;
  t->header_bytes += len;
  if (len > kMaxHeaderLine) {
    return RefuseResponse(t, "bad_response",
                          "a response header line of " + std::to_string(len) +
                              " bytes (limit " +
                              std::to_string(kMaxHeaderLine) + ")");
  }
  if (t->header_bytes > kMaxHeaderBytes) {
    return RefuseResponse(
        t, "bad_response",
        "response headers over " + std::to_string(kMaxHeaderBytes) + " bytes");
  }
  if (status_line) {
    size_t sp = line.find(' ');
    t->header_status =
        sp == std::string_view::npos
            ? 0
            : std::atoi(std::string(line.substr(sp + 1, 3)).c_str());
    t->in_headers = true;
    t->header_content_length = -1;
    t->header_encoded = false;
    t->header_location = false;
    t->header_chunked = false;
    t->header_codings = 0;
    t->header_content_type.clear();
    t->header_retry_after.clear();
    t->header_etag.clear();
    t->header_last_modified.clear();
    t->header_x_robots_tag.clear();
  } else if (StartsWithNoCase(line, "retry-after:")) {
    t->header_retry_after = std::string(TrimHeaderValue(line.substr(12)));
  } else if (StartsWithNoCase(line, "etag:")) {
    t->header_etag = std::string(TrimHeaderValue(line.substr(5)));
  } else if (StartsWithNoCase(line, "last-modified:")) {
    t->header_last_modified = std::string(TrimHeaderValue(line.substr(14)));
  } else if (StartsWithNoCase(line, "x-robots-tag:")) {
    // Bounded: a hostile server may send thousands of these lines.
    if (t->header_x_robots_tag.size() < 4096) {
      if (!t->header_x_robots_tag.empty()) t->header_x_robots_tag += '\n';
      t->header_x_robots_tag += TrimHeaderValue(line.substr(13));
    }
  } else if (StartsWithNoCase(line, "content-type:")) {
    t->header_content_type = std::string(TrimHeaderValue(line.substr(13)));
  } else if (StartsWithNoCase(line, "content-length:")) {
    // Ambiguous framing (fault matrix N3, RFC 9112 section 6.3: a response
    // smuggling or splitting attempt, or a broken server): libcurl would
    // pick one length, so the body could be cut or run into the next one.
    const int64_t v = ParseContentLength(line.substr(15));
    if (v == -2 || (v >= 0 && t->header_content_length >= 0 &&
                    v != t->header_content_length)) {
      return RefuseResponse(t, "bad_response",
                            "two different Content-Length values");
    }
    if (t->header_chunked) {
      return RefuseResponse(t, "bad_response",
                            "Content-Length together with Transfer-Encoding");
    }
    if (v >= 0) t->header_content_length = v;
  } else if (StartsWithNoCase(line, "transfer-encoding:")) {
    if (t->header_content_length >= 0) {
      return RefuseResponse(t, "bad_response",
                            "Content-Length together with Transfer-Encoding");
    }
    t->header_chunked = true;
  } else if (StartsWithNoCase(line, "content-encoding:")) {
    t->header_encoded = true;
    t->header_codings += CountContentCodings(line.substr(17));
    if (t->header_codings > kMaxContentCodings) {
      return RefuseResponse(t, "decode_error",
                            std::to_string(t->header_codings) +
                                " content codings (limit " +
                                std::to_string(kMaxContentCodings) + ")");
    }
  } else if (StartsWithNoCase(line, "location:")) {
    t->header_location = true;
    if (t->request_headers != nullptr && t->header_status >= 300 &&
        t->header_status < 400) {
      // The validators belong to the URL requested, not to the redirect
      // target (whether libcurl or FollowRedirect follows it): the next
      // request goes with the shared headers only. Only a pointer
      // assignment in libcurl; the list is freed when the transfer ends.
      curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, t->shared_headers);
    }
    // A redirect that libcurl will follow (not when cookies are on: those
    // are followed by CurlFetcher::FollowRedirect, which checks each hop).
    const bool libcurl_follows =
        t->options->max_redirects > 0 && !t->options->cookies &&
        t->header_status >= 300 && t->header_status < 400;
    const bool check_target = libcurl_follows && t->check_targets;
    if (!t->rules->empty() || check_target) {
      // The redirect target may be another host: give it its override before
      // libcurl connects to it.
      std::string_view v = line.substr(9);
      while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) {
        v.remove_prefix(1);
      }
      while (!v.empty() && (v.back() == ' ' || v.back() == '\t' ||
                            v.back() == '\r' || v.back() == '\n')) {
        v.remove_suffix(1);
      }
      char* current = nullptr;
      curl_easy_getinfo(t->easy, CURLINFO_EFFECTIVE_URL, &current);
      UrlParts target;
      if (!v.empty() && current != nullptr &&
          ParseUrlParts(current, std::string(v), &target)) {
        if (!t->rules->empty() && AddConnectTo(t, target)) {
          // Only a pointer assignment in libcurl; the list was empty before.
          curl_easy_setopt(t->easy, CURLOPT_CONNECT_TO, t->connect_to);
        }
        if (check_target) {
          std::string refusal = TargetRefusal(*t->policy, *t->rules, target);
          if (!refusal.empty()) {
            t->blocked_address = std::move(refusal);
            t->blocked_before_connect = true;
            return 0;  // Aborts the transfer with CURLE_WRITE_ERROR.
          }
        }
      }
    }
  } else if (line == "\r\n" || line == "\n") {
    // End of one response's headers.
    t->in_headers = false;
    // libcurl calls the debug callback with this line only after this
    // callback, which may refuse the response: it is captured here.
    if (t->options->capture_exchanges && !t->in_connect &&
        !t->captures.empty() && !t->captures.back().head_complete) {
      t->captures.back().exchange.response.append(line);
      t->captures.back().head_complete = true;
    }
    const bool interim = t->header_status < 200;
    const bool followed_redirect =
        t->header_status >= 300 && t->header_status < 400 && t->header_location;
    if (interim || followed_redirect) return len;
    // A 2xx body of a type the caller does not want is never read (fault
    // matrix C1).
    if (t->header_status < 300 &&
        !AcceptsContentType(t->accept_content_types, t->header_content_type)) {
      t->skipped_content_type = true;
      return 0;
    }
    // Refuse a plain final body that cannot fit before reading any of it.
    // (An encoded body's Content-Length is the compressed size; the write
    // callback enforces the cap on those.) A 304 has no body whatever its
    // Content-Length says (the size of the representation it validates;
    // RFC 9110 section 8.6), nor has a 204 (RFC 9112 section 6.3).
    const bool bodyless = t->header_status == 304 || t->header_status == 204;
    if (!bodyless && !t->header_encoded && !t->keep_truncated &&
        t->header_content_length >= 0 &&
        static_cast<uint64_t>(t->header_content_length) > t->max_body) {
      t->too_large = true;
      t->refused_content_length = t->header_content_length;
      return 0;
    }
  }
  return len;
}

// ---------------------------------------------------------------------------
// Exchange capture (FetchOptions::capture_exchanges).
//
// libcurl 7.88 hands its debug callback (CURLOPT_DEBUGFUNCTION, active with
// CURLOPT_VERBOSE) each request's header block as sent (CURLINFO_HEADER_OUT),
// any request body (CURLINFO_DATA_OUT), each response header line as
// received (CURLINFO_HEADER_IN) and the response body as read from the
// connection (CURLINFO_DATA_IN): before the chunked framing is removed and
// before any content decoding (checked with a chunked gzip response:
// DATA_IN holds the chunk-size lines and the gzip bytes). A proxy's CONNECT
// request and its answer come through the same callback and are skipped.
// The blank line that ends a response head reaches the debug callback only
// after the header callback, which may refuse the response there; the
// header callback records it instead.

// The response bytes kept per exchange: the body cap plus room for chunk
// framing (a body of 1-byte chunks takes 6 bytes per byte) and headers.
size_t CaptureCap(size_t max_body) { return max_body * 2 + kMaxHeaderBytes; }

// `url` with the password of its userinfo replaced by "***" (libcurl's URL
// API), or as it is when it has none.
std::string RedactUrlPassword(const char* url) {
  std::string out = url != nullptr ? url : "";
  if (out.find('@') == std::string::npos) return out;
  CURLU* u = curl_url();
  if (u == nullptr) return out;
  char* password = nullptr;
  char* redacted = nullptr;
  if (curl_url_set(u, CURLUPART_URL, out.c_str(), 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_PASSWORD, &password, 0) == CURLUE_OK &&
      curl_url_set(u, CURLUPART_PASSWORD, "***", 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_URL, &redacted, 0) == CURLUE_OK) {
    out = redacted;
  }
  curl_free(password);
  curl_free(redacted);
  curl_url_cleanup(u);
  return out;
}

// Appends a request header block to `out`, the values of the credential
// headers (Authorization, Proxy-Authorization) replaced by "[redacted]".
void AppendRedactedRequest(std::string* out, std::string_view block) {
  while (!block.empty()) {
    const size_t nl = block.find('\n');
    const size_t len = nl == std::string_view::npos ? block.size() : nl + 1;
    std::string_view line = block.substr(0, len);
    block.remove_prefix(len);
    size_t name = 0;
    if (StartsWithNoCase(line, "authorization:")) {
      name = 14;
    } else if (StartsWithNoCase(line, "proxy-authorization:")) {
      name = 20;
    }
    if (name == 0) {
      out->append(line);
      continue;
    }
    // Keep the line end as it was (CRLF, LF, or none at the very end).
    size_t end = line.size();
    if (end > 0 && line[end - 1] == '\n') --end;
    if (end > 0 && line[end - 1] == '\r') --end;
    out->append(line.substr(0, name));
    out->append(" [redacted]");
    out->append(line.substr(end));
  }
}

int64_t WallMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int DebugCallback(CURL* easy, curl_infotype type, char* data, size_t size,
                  void* clientp) {
  auto* t = static_cast<Transfer*>(clientp);
  const std::string_view bytes(data, size);
  switch (type) {
    case CURLINFO_HEADER_OUT: {
      if (StartsWithNoCase(bytes, "CONNECT ")) {
        t->in_connect = true;
        return 0;
      }
      t->in_connect = false;
      // A request sent again before any answer (libcurl retries a request
      // whose reused connection turned out dead) replaces the first one.
      if (t->captures.empty() ||
          !t->captures.back().exchange.response.empty()) {
        t->captures.emplace_back();
      }
      Exchange& e = t->captures.back().exchange;
      char* url = nullptr;
      curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &url);
      e.url = RedactUrlPassword(url);
      e.ip_address.clear();
      if (t->options->proxy.empty()) {
        char* ip = nullptr;
        curl_easy_getinfo(easy, CURLINFO_PRIMARY_IP, &ip);
        if (ip != nullptr) e.ip_address = ip;
      }
      e.sent_unix_us = WallMicros();
      e.request.clear();
      AppendRedactedRequest(&e.request, bytes);
      return 0;
    }
    case CURLINFO_DATA_OUT:
      if (!t->in_connect && !t->captures.empty() &&
          t->captures.back().exchange.response.empty()) {
        t->captures.back().exchange.request.append(bytes);
      }
      return 0;
    case CURLINFO_HEADER_IN: {
      if (t->in_connect || t->captures.empty()) return 0;
      Capture& c = t->captures.back();
      if (c.head_complete && StartsWithNoCase(bytes, "HTTP/")) {
        // The header block before was an interim (1xx) response.
        c.exchange.response.clear();
        c.head_complete = false;
      }
      // The blank line that ends the head was taken by HeaderCallback.
      if (bytes == "\r\n" || bytes == "\n") return 0;
      c.exchange.response.append(bytes);
      return 0;
    }
    case CURLINFO_DATA_IN: {
      if (t->in_connect || t->captures.empty()) return 0;
      Capture& c = t->captures.back();
      if (!c.head_complete || c.cut) return 0;
      const size_t cap = CaptureCap(t->max_body);
      std::string& r = c.exchange.response;
      // Grown by at least 32 KiB, then doubling: one allocation for a
      // typical page.
      const size_t need = r.size() + bytes.size();
      if (r.capacity() < need) {
        r.reserve(std::max(
            need, std::min(cap, std::max(r.size() + kDefaultBodyReserve,
                                         2 * r.capacity()))));
      }
      if (r.size() + bytes.size() > cap) {
        r.append(bytes.substr(0, cap > r.size() ? cap - r.size() : 0));
        c.cut = true;
        return 0;
      }
      r.append(bytes);
      return 0;
    }
    default:
      return 0;
  }
}

// Moves the captured exchanges of a finished transfer into its response:
// those whose response head arrived complete; the last one marked
// truncated when the transfer failed (by its error class) or the capture
// was cut.
void TakeExchanges(Transfer* t) {
  FetchResponse& r = t->response;
  for (size_t i = 0; i < t->captures.size(); ++i) {
    Capture& c = t->captures[i];
    if (!c.head_complete) continue;
    const bool last = i + 1 == t->captures.size();
    if (c.cut) {
      c.exchange.truncated = "length";
    } else if (last && !r.error.ok()) {
      const std::string& k = r.error_class;
      c.exchange.truncated = k == "too_large"         ? "length"
                             : k == "timeout"         ? "time"
                             : k == "connection_lost" ? "disconnect"
                                                      : "unspecified";
    }
    r.exchanges.push_back(std::move(c.exchange));
  }
  t->captures.clear();
}

curl_socket_t OpenSocketCallback(void* clientp, curlsocktype /*purpose*/,
                                 curl_sockaddr* address) {
  auto* t = static_cast<Transfer*>(clientp);
  std::string refusal = t->policy->Refusal(&address->addr);
  if (!refusal.empty()) {
    if (t->blocked_address.empty()) t->blocked_address = std::move(refusal);
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype | SOCK_CLOEXEC,
                address->protocol);
}

class CurlFetcher : public Fetcher {
 public:
  CurlFetcher(const FetchOptions& options, std::vector<ResolveRule> rules,
              AddressPolicy policy)
      : options_(options),
        rules_(std::move(rules)),
        policy_(std::move(policy)) {}
  CurlFetcher(const CurlFetcher&) = delete;
  CurlFetcher& operator=(const CurlFetcher&) = delete;
  ~CurlFetcher() override;

  // REQUIRES: options_ passed ValidateOptions.
  Status Init();

  void Start(FetchRequest request) override;
  std::vector<FetchResponse> Poll(int wake_fd, int timeout_ms) override;
  int InFlight() const override {
    return active_ + static_cast<int>(queued_.size() + ready_.size());
  }

 private:
  // Returns an idle transfer, creating one if needed; nullptr on failure.
  Transfer* Acquire(std::string* error);
  // Starts `request` now; failures become responses in ready_.
  void StartNow(FetchRequest&& request);
  // Moves queued requests into free slots.
  void StartQueued();
  // Collects finished transfers into `out`.
  void Collect(std::vector<FetchResponse>* out);
  // Fills the response of a finished transfer.
  void Finish(Transfer* t, CURLcode result);
  // Points the handle at a list of the shared headers plus the request's
  // validators, when it has any (else leaves the shared list in place and
  // allocates nothing). False when the list could not be allocated.
  bool SetRequestHeaders(Transfer* t, const FetchRequest& request);
  // Points the handle back at the shared headers and frees the request's
  // own list, if any.
  void DropRequestHeaders(Transfer* t);
  // Queues an error response for a request that could not be started.
  void FailToStart(FetchRequest&& request, const char* error_class,
                   Status error);
  // Sets what depends on the URL of one hop (the first URL or a redirect
  // target): its resolve overrides, its origin's credentials, its host's
  // cookie jar, and the URL. Fails, with the error class in *error_class,
  // when the proxy check refuses the address the URL names or libcurl
  // refuses the URL.
  Status PrepareHop(Transfer* t, const std::string& url,
                    const char** error_class);
  // Sets or clears the credentials of the handle for a request to `target`
  // (null: a URL that does not parse; no credentials).
  void SetAuth(Transfer* t, const UrlParts* target);
  // Attaches the cookie jar of `host` to the handle, creating it if needed.
  void AttachJar(Transfer* t, const std::string& host);
  // Detaches the handle's jar after a request: empties it when over the
  // caps, frees it when empty and unused.
  void ReleaseJar(Transfer* t);
  // When cookies are on: if the finished transfer is a redirect that is to
  // be followed, starts the next hop and returns true (or sets
  // too_many_redirects / hop_error and returns false).
  bool FollowRedirect(Transfer* t);

  const FetchOptions options_;
  const std::vector<ResolveRule> rules_;
  const AddressPolicy policy_;
  // Redirects are followed here rather than by libcurl (cookies are on).
  const bool follow_here_ = options_.cookies && options_.max_redirects > 0;
  // FetchOptions::headers as a libcurl list (owned), or null.
  curl_slist* headers_ = nullptr;
  // FetchOptions::proxy_credentials, split.
  std::string proxy_user_;
  std::string proxy_password_;
  // FetchOptions::no_proxy, comma-separated ("" for none).
  std::string no_proxy_;
  std::vector<AuthEntry> auth_;
  // Cookie jars by host name (FetchOptions::cookies).
  std::unordered_map<std::string, std::unique_ptr<CookieJar>> jars_;
  uint64_t jar_clock_ = 0;
  CURLM* multi_ = nullptr;
  std::vector<std::unique_ptr<Transfer>> transfers_;
  std::vector<Transfer*> idle_;
  int active_ = 0;
  std::deque<FetchRequest> queued_;
  std::vector<FetchResponse> ready_;
};

CurlFetcher::~CurlFetcher() {
  for (auto& t : transfers_) {
    if (t->active) curl_multi_remove_handle(multi_, t->easy);
  }
  transfers_.clear();  // Detaches the jars from the easy handles ...
  jars_.clear();       // ... so that their shares can go.
  if (multi_ != nullptr) curl_multi_cleanup(multi_);
  curl_slist_free_all(headers_);
}

Status CurlFetcher::Init() {
  for (const std::string& h : options_.headers) {
    curl_slist* head = curl_slist_append(headers_, h.c_str());
    if (head == nullptr) return InternalError("curl_slist_append failed");
    headers_ = head;
  }
  if (!options_.proxy_credentials.empty()) {
    const size_t colon = options_.proxy_credentials.find(':');
    proxy_user_ = options_.proxy_credentials.substr(0, colon);
    proxy_password_ = options_.proxy_credentials.substr(colon + 1);
  }
  for (const std::string& e : options_.no_proxy) {
    if (!no_proxy_.empty()) no_proxy_ += ',';
    no_proxy_ += e;
  }
  for (const HostAuth& a : options_.auth) {
    AuthEntry entry;
    entry.origin = *ParseOrigin(a.origin);
    entry.scheme = a.scheme;
    if (a.scheme == AuthScheme::kBasic) {
      const size_t colon = a.secret.find(':');
      entry.user = a.secret.substr(0, colon);
      entry.password = a.secret.substr(colon + 1);
    } else {
      entry.token = a.secret;
    }
    auth_.push_back(std::move(entry));
  }
  multi_ = curl_multi_init();
  if (multi_ == nullptr) return InternalError("curl_multi_init failed");
  curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS,
                    static_cast<long>(options_.max_concurrency) * 4);
  transfers_.reserve(options_.max_concurrency);
  idle_.reserve(options_.max_concurrency);
  return Status::Ok();
}

Transfer* CurlFetcher::Acquire(std::string* error) {
  if (!idle_.empty()) {
    Transfer* t = idle_.back();
    idle_.pop_back();
    return t;
  }
  auto t = std::make_unique<Transfer>();
  t->options = &options_;
  t->rules = &rules_;
  t->policy = &policy_;
  t->shared_headers = headers_;
  t->easy = curl_easy_init();
  if (t->easy == nullptr) {
    *error = "curl_easy_init failed";
    return nullptr;
  }
  CURL* e = t->easy;
  const char* failed = nullptr;
  auto set = [&](CURLoption opt, auto value, const char* name) {
    if (failed == nullptr && curl_easy_setopt(e, opt, value) != CURLE_OK) {
      failed = name;
    }
  };
  const long follow = options_.max_redirects > 0 && !follow_here_ ? 1L : 0L;
  set(CURLOPT_PRIVATE, static_cast<void*>(t.get()), "PRIVATE");
  set(CURLOPT_ERRORBUFFER, t->errbuf, "ERRORBUFFER");
  set(CURLOPT_NOSIGNAL, 1L, "NOSIGNAL");
  set(CURLOPT_PROTOCOLS_STR, "http,https", "PROTOCOLS_STR");
  set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https", "REDIR_PROTOCOLS_STR");
  set(CURLOPT_FOLLOWLOCATION, follow, "FOLLOWLOCATION");
  set(CURLOPT_MAXREDIRS, static_cast<long>(options_.max_redirects),
      "MAXREDIRS");
  set(CURLOPT_ACCEPT_ENCODING, "", "ACCEPT_ENCODING");
  set(CURLOPT_USERAGENT, options_.user_agent.c_str(), "USERAGENT");
  set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout_ms),
      "CONNECTTIMEOUT_MS");
#if LIBCURL_VERSION_NUM >= 0x075700  // 7.87.0
  // A name still resolving at the connect timeout is left to its resolver
  // thread, which ends by itself; without this libcurl waits for
  // getaddrinfo() to return, stalling every transfer of the worker and the
  // record past the timeout (fault matrix N4).
  set(CURLOPT_QUICK_EXIT, 1L, "QUICK_EXIT");
#endif
  set(CURLOPT_TIMEOUT_MS, static_cast<long>(options_.total_timeout_ms),
      "TIMEOUT_MS");
  set(CURLOPT_LOW_SPEED_LIMIT,
      static_cast<long>(options_.low_speed_limit_bytes), "LOW_SPEED_LIMIT");
  set(CURLOPT_LOW_SPEED_TIME, static_cast<long>(options_.low_speed_time_s),
      "LOW_SPEED_TIME");
  // Credentials never follow a redirect to another origin (the default,
  // made explicit).
  set(CURLOPT_UNRESTRICTED_AUTH, 0L, "UNRESTRICTED_AUTH");
  if (headers_ != nullptr) set(CURLOPT_HTTPHEADER, headers_, "HTTPHEADER");
  // Extra headers and validators go to the server only, never to the proxy.
  set(CURLOPT_HEADEROPT, static_cast<long>(CURLHEADER_SEPARATE), "HEADEROPT");
  if (options_.proxy.empty()) {
    set(CURLOPT_PROXY, "", "PROXY");  // Ignore http_proxy & co.
  } else {
    t->check_targets = true;
    set(CURLOPT_PROXY, options_.proxy.c_str(), "PROXY");
    // Set even when empty: libcurl reads no_proxy from the environment
    // when the option is not set.
    set(CURLOPT_NOPROXY, no_proxy_.c_str(), "NOPROXY");
    if (!proxy_user_.empty()) {
      set(CURLOPT_PROXYUSERNAME, proxy_user_.c_str(), "PROXYUSERNAME");
      set(CURLOPT_PROXYPASSWORD, proxy_password_.c_str(), "PROXYPASSWORD");
      set(CURLOPT_PROXYAUTH, static_cast<long>(CURLAUTH_BASIC), "PROXYAUTH");
    }
    // An https:// proxy's certificate is verified like a server's.
    set(CURLOPT_PROXY_SSL_VERIFYPEER, options_.insecure ? 0L : 1L,
        "PROXY_SSL_VERIFYPEER");
    set(CURLOPT_PROXY_SSL_VERIFYHOST, options_.insecure ? 0L : 2L,
        "PROXY_SSL_VERIFYHOST");
    if (!options_.ca_cert_file.empty()) {
      set(CURLOPT_PROXY_CAINFO, options_.ca_cert_file.c_str(), "PROXY_CAINFO");
    }
  }
  if (options_.cookies) {
    // Turns the cookie engine on without a file; the cookies themselves are
    // in the jar attached per request (AttachJar).
    set(CURLOPT_COOKIEFILE, "", "COOKIEFILE");
  }
  set(CURLOPT_HTTP09_ALLOWED, 0L, "HTTP09_ALLOWED");
  // HTTP/2 when the server offers it through ALPN on https, HTTP/1.1 on
  // plain http (libcurl's default since 7.62, made explicit).
  set(CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS),
      "HTTP_VERSION");
  set(CURLOPT_SSL_VERIFYPEER, options_.insecure ? 0L : 1L, "SSL_VERIFYPEER");
  set(CURLOPT_SSL_VERIFYHOST, options_.insecure ? 0L : 2L, "SSL_VERIFYHOST");
  if (!options_.ca_cert_file.empty()) {
    set(CURLOPT_CAINFO, options_.ca_cert_file.c_str(), "CAINFO");
  }
  set(CURLOPT_TCP_NODELAY, 1L, "TCP_NODELAY");
  set(CURLOPT_WRITEFUNCTION, &WriteCallback, "WRITEFUNCTION");
  set(CURLOPT_WRITEDATA, static_cast<void*>(t.get()), "WRITEDATA");
  set(CURLOPT_HEADERFUNCTION, &HeaderCallback, "HEADERFUNCTION");
  set(CURLOPT_HEADERDATA, static_cast<void*>(t.get()), "HEADERDATA");
  set(CURLOPT_OPENSOCKETFUNCTION, &OpenSocketCallback, "OPENSOCKETFUNCTION");
  set(CURLOPT_OPENSOCKETDATA, static_cast<void*>(t.get()), "OPENSOCKETDATA");
  if (options_.capture_exchanges) {
    set(CURLOPT_DEBUGFUNCTION, &DebugCallback, "DEBUGFUNCTION");
    set(CURLOPT_DEBUGDATA, static_cast<void*>(t.get()), "DEBUGDATA");
    set(CURLOPT_VERBOSE, 1L, "VERBOSE");
  }
  if (failed != nullptr) {
    *error = std::string("libcurl rejected CURLOPT_") + failed;
    return nullptr;
  }
  transfers_.push_back(std::move(t));
  return transfers_.back().get();
}

void CurlFetcher::FailToStart(FetchRequest&& request, const char* error_class,
                              Status error) {
  FetchResponse r;
  r.id = request.id;
  r.final_url = request.url;
  r.url = std::move(request.url);
  r.error_class = error_class;
  r.error = std::move(error);
  ready_.push_back(std::move(r));
}

void CurlFetcher::Start(FetchRequest request) {
  if (active_ < options_.max_concurrency) {
    StartNow(std::move(request));
  } else {
    queued_.push_back(std::move(request));
  }
}

void CurlFetcher::StartNow(FetchRequest&& request) {
  std::string error;
  Transfer* t = Acquire(&error);
  if (t == nullptr) {
    std::string msg = "other: " + request.url + ": " + error;
    FailToStart(std::move(request), "other", InternalError(std::move(msg)));
    return;
  }
  if (!SetRequestHeaders(t, request)) {
    idle_.push_back(t);
    std::string msg = "other: " + request.url + ": curl_slist_append failed";
    FailToStart(std::move(request), "other", InternalError(std::move(msg)));
    return;
  }
  t->Reset(std::move(request));
  if (follow_here_) {
    // FollowRedirect shortens it for the hops of the handle's last transfer.
    curl_easy_setopt(t->easy, CURLOPT_TIMEOUT_MS,
                     static_cast<long>(options_.total_timeout_ms));
  }
  const char* error_class = nullptr;
  Status prepared = PrepareHop(t, t->response.url, &error_class);
  if (!prepared.ok()) {
    ReleaseJar(t);
    DropRequestHeaders(t);
    idle_.push_back(t);
    FetchRequest back{t->response.id, std::move(t->response.url)};
    FailToStart(std::move(back), error_class, std::move(prepared));
    return;
  }
  CURLMcode mc = curl_multi_add_handle(multi_, t->easy);
  if (mc != CURLM_OK) {
    ReleaseJar(t);
    DropRequestHeaders(t);
    idle_.push_back(t);
    FetchRequest back{t->response.id, std::move(t->response.url)};
    std::string msg = "other: " + back.url +
                      ": curl_multi_add_handle: " + curl_multi_strerror(mc);
    FailToStart(std::move(back), "other", InternalError(std::move(msg)));
    return;
  }
  t->active = true;
  ++active_;
}

// A validator value that can go in a header line as it is: not empty, no
// control character but HTAB (the rule of the extra headers,
// request_options.h), so CR, LF and NUL never split or cut the header.
bool SendableValidator(const std::string& v) {
  if (v.empty()) return false;
  for (char c : v) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && u != '\t') || u == 0x7F) return false;
  }
  return true;
}

bool CurlFetcher::SetRequestHeaders(Transfer* t, const FetchRequest& request) {
  const bool etag = SendableValidator(request.if_none_match);
  const bool date = SendableValidator(request.if_modified_since);
  if (!etag && !date) return true;  // The hot path: the shared list as is.
  curl_slist* list = nullptr;
  auto append = [&list](const std::string& line) {
    curl_slist* head = curl_slist_append(list, line.c_str());
    if (head == nullptr) return false;
    list = head;
    return true;
  };
  bool ok = true;
  for (curl_slist* h = headers_; ok && h != nullptr; h = h->next) {
    ok = append(h->data);
  }
  if (ok && etag) ok = append("If-None-Match: " + request.if_none_match);
  if (ok && date) {
    ok = append("If-Modified-Since: " + request.if_modified_since);
  }
  if (!ok || curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, list) != CURLE_OK) {
    curl_slist_free_all(list);
    return false;
  }
  t->request_headers = list;
  return true;
}

void CurlFetcher::DropRequestHeaders(Transfer* t) {
  if (t->request_headers == nullptr) return;
  curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, headers_);
  curl_slist_free_all(t->request_headers);
  t->request_headers = nullptr;
}

void CurlFetcher::StartQueued() {
  while (active_ < options_.max_concurrency && !queued_.empty()) {
    FetchRequest request = std::move(queued_.front());
    queued_.pop_front();
    StartNow(std::move(request));
  }
}

// The blocked_private_address error for `url`; `named` when the refused
// address is the one the URL names (checked before a proxied request), not
// one connected to.
Status BlockedError(const std::string& url, const std::string& refusal,
                    bool named, bool proxy) {
  std::string msg = "blocked_private_address: " + url;
  if (named) {
    msg += ": refusing non-public address " + refusal +
           " named by the URL (the proxy would connect to it)";
  } else {
    msg += ": refusing to connect to non-public address " + refusal;
    if (proxy) msg += " (with a proxy, its own address is checked too)";
  }
  msg += "; allow with --allow-private or --allow-address";
  return Status(Code::kFailedPrecondition, std::move(msg), Tag::kPermanent);
}

Status CurlFetcher::PrepareHop(Transfer* t, const std::string& url,
                               const char** error_class) {
  UrlParts parts;
  const bool parsed = ParseUrlParts(nullptr, url, &parts);
  if (!rules_.empty()) {
    // The handle is idle: its previous list can go.
    curl_easy_setopt(t->easy, CURLOPT_CONNECT_TO, nullptr);
    curl_slist_free_all(t->connect_to);
    t->connect_to = nullptr;
    if (parsed) AddConnectTo(t, parts);
    curl_easy_setopt(t->easy, CURLOPT_CONNECT_TO, t->connect_to);
  }
  if (parsed && t->check_targets) {
    std::string refusal = TargetRefusal(policy_, rules_, parts);
    if (!refusal.empty()) {
      *error_class = "blocked_private_address";
      return BlockedError(url, refusal, /*named=*/true, /*proxy=*/true);
    }
  }
  if (!auth_.empty()) SetAuth(t, parsed ? &parts : nullptr);
  if (options_.cookies && parsed) AttachJar(t, parts.host_lower);
  CURLcode rc = curl_easy_setopt(t->easy, CURLOPT_URL, url.c_str());
  if (rc != CURLE_OK) {
    *error_class = "bad_url";
    return InvalidArgumentError("bad_url: " + url + ": " +
                                curl_easy_strerror(rc));
  }
  return Status::Ok();
}

void CurlFetcher::SetAuth(Transfer* t, const UrlParts* target) {
  const AuthEntry* match = nullptr;
  if (target != nullptr) {
    for (const AuthEntry& a : auth_) {
      if (a.origin.scheme == target->scheme &&
          a.origin.host == target->host_lower &&
          a.origin.port == target->port) {
        match = &a;
        break;
      }
    }
  }
  if (match == t->auth) return;  // Already set (or already clear).
  t->auth = match;
  CURL* e = t->easy;
  if (match == nullptr) {
    curl_easy_setopt(e, CURLOPT_USERNAME, nullptr);
    curl_easy_setopt(e, CURLOPT_PASSWORD, nullptr);
    curl_easy_setopt(e, CURLOPT_XOAUTH2_BEARER, nullptr);
    curl_easy_setopt(e, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
  } else if (match->scheme == AuthScheme::kBasic) {
    // Sent with the first request (no 401 round trip).
    curl_easy_setopt(e, CURLOPT_XOAUTH2_BEARER, nullptr);
    curl_easy_setopt(e, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
    curl_easy_setopt(e, CURLOPT_USERNAME, match->user.c_str());
    curl_easy_setopt(e, CURLOPT_PASSWORD, match->password.c_str());
  } else {
    curl_easy_setopt(e, CURLOPT_USERNAME, nullptr);
    curl_easy_setopt(e, CURLOPT_PASSWORD, nullptr);
    curl_easy_setopt(e, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BEARER));
    curl_easy_setopt(e, CURLOPT_XOAUTH2_BEARER, match->token.c_str());
  }
}

void CurlFetcher::AttachJar(Transfer* t, const std::string& host) {
  auto it = jars_.find(host);
  CookieJar* jar = nullptr;
  if (it != jars_.end()) {
    jar = it->second.get();
  } else {
    if (jars_.size() >= kMaxCookieJars) {
      // Drop the least recently used jar that no transfer holds.
      auto victim = jars_.end();
      for (auto j = jars_.begin(); j != jars_.end(); ++j) {
        if (j->second->users == 0 &&
            (victim == jars_.end() ||
             j->second->last_used < victim->second->last_used)) {
          victim = j;
        }
      }
      if (victim != jars_.end()) jars_.erase(victim);
    }
    auto fresh = std::make_unique<CookieJar>();
    fresh->host = host;
    fresh->share = curl_share_init();
    if (fresh->share == nullptr ||
        curl_share_setopt(fresh->share, CURLSHOPT_SHARE,
                          CURL_LOCK_DATA_COOKIE) != CURLSHE_OK) {
      return;  // No jar: this request neither sends nor keeps cookies.
    }
    jar = fresh.get();
    jars_.emplace(host, std::move(fresh));
  }
  if (curl_easy_setopt(t->easy, CURLOPT_SHARE, jar->share) != CURLE_OK) return;
  jar->last_used = ++jar_clock_;
  ++jar->users;
  t->jar = jar;
}

void CurlFetcher::ReleaseJar(Transfer* t) {
  CookieJar* jar = t->jar;
  if (jar == nullptr) return;
  // The jar's cookies, one Netscape-format line each (expired ones too).
  curl_slist* list = nullptr;
  int count = 0;
  size_t bytes = 0;
  if (curl_easy_getinfo(t->easy, CURLINFO_COOKIELIST, &list) == CURLE_OK) {
    for (curl_slist* c = list; c != nullptr; c = c->next) {
      ++count;
      bytes += std::strlen(c->data);
    }
  }
  curl_slist_free_all(list);
  if (count > kMaxCookiesPerHost || bytes > kMaxCookieBytesPerHost) {
    curl_easy_setopt(t->easy, CURLOPT_COOKIELIST, "ALL");
    count = 0;
  }
  curl_easy_setopt(t->easy, CURLOPT_SHARE, static_cast<CURLSH*>(nullptr));
  t->jar = nullptr;
  --jar->users;
  if (count == 0 && jar->users == 0) {
    const std::string host = jar->host;  // The key outlives the jar.
    jars_.erase(host);
  }
}

bool CurlFetcher::FollowRedirect(Transfer* t) {
  CURL* e = t->easy;
  long status = 0;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
  if (status < 300 || status > 399) return false;
  char* location = nullptr;
  curl_easy_getinfo(e, CURLINFO_REDIRECT_URL, &location);
  if (location == nullptr) return false;
  if (t->hops >= options_.max_redirects) {
    t->too_many_redirects = true;
    return false;
  }
  const std::string next = location;  // Owned by the handle: copy it first.
  curl_off_t hop_us = 0;
  curl_easy_getinfo(e, CURLINFO_TOTAL_TIME_T, &hop_us);
  t->earlier_hops_us += static_cast<int64_t>(hop_us);
  ++t->hops;
  t->ResetForHop();
  // The validators are the first URL's (HeaderCallback has already pointed
  // the handle back at the shared headers at the Location header).
  DropRequestHeaders(t);
  // The redirects share the transfer's time limit.
  const int64_t left_ms = options_.total_timeout_ms - t->earlier_hops_us / 1000;
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(std::max<int64_t>(left_ms, 1)));
  const char* error_class = nullptr;
  Status prepared = PrepareHop(t, next, &error_class);
  CURLMcode mc = CURLM_OK;
  if (prepared.ok()) {
    mc = curl_multi_add_handle(multi_, e);
    if (mc == CURLM_OK) return true;
    error_class = "other";
    prepared =
        InternalError(std::string("other: ") + next +
                      ": curl_multi_add_handle: " + curl_multi_strerror(mc));
  }
  ReleaseJar(t);
  t->hop_url = next;
  t->hop_error_class = error_class;
  t->hop_error = std::move(prepared);
  return false;
}

void CurlFetcher::Finish(Transfer* t, CURLcode result) {
  CURL* e = t->easy;
  FetchResponse& r = t->response;
  long status = 0;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
  r.status = static_cast<int>(status);
  char* effective = nullptr;
  curl_easy_getinfo(e, CURLINFO_EFFECTIVE_URL, &effective);
  r.final_url = effective != nullptr ? effective : r.url;
  char* content_type = nullptr;
  curl_easy_getinfo(e, CURLINFO_CONTENT_TYPE, &content_type);
  if (content_type != nullptr) r.content_type = content_type;
  long redirects = 0;
  curl_easy_getinfo(e, CURLINFO_REDIRECT_COUNT, &redirects);
  r.redirects = follow_here_ ? t->hops : static_cast<int>(redirects);
  curl_off_t total_us = 0;
  curl_easy_getinfo(e, CURLINFO_TOTAL_TIME_T, &total_us);
  r.elapsed_ms = (t->earlier_hops_us + static_cast<int64_t>(total_us)) / 1000;
  r.retry_after = std::move(t->header_retry_after);
  r.etag = std::move(t->header_etag);
  r.last_modified = std::move(t->header_last_modified);
  r.x_robots_tag = std::move(t->header_x_robots_tag);
  if (r.status >= 300 && r.status < 400) {
    char* location = nullptr;
    curl_easy_getinfo(e, CURLINFO_REDIRECT_URL, &location);
    if (location != nullptr) r.location = location;
  }
  if (t->hop_error_class != nullptr) {
    // A redirect hop followed here did not start.
    r.final_url = std::move(t->hop_url);
    r.location.clear();
    r.error_class = t->hop_error_class;
    r.error = std::move(t->hop_error);
    return;
  }
  if (t->too_many_redirects) {
    r.error_class = "too_many_redirects";
    r.error = Status(Code::kFailedPrecondition,
                     "too_many_redirects: " + r.final_url + ": Maximum (" +
                         std::to_string(options_.max_redirects) +
                         ") redirects followed",
                     Tag::kPermanent);
    return;
  }
  if (result == CURLE_OK) return;

  const size_t cap = t->max_body;
  std::string prefix;
  if (t->too_large) {
    r.error_class = "too_large";
    std::string what =
        t->refused_content_length >= 0
            ? "Content-Length " + std::to_string(t->refused_content_length) +
                  " exceeds max_body_bytes " + std::to_string(cap) +
                  "; nothing read"
            : "decoded body exceeds max_body_bytes " + std::to_string(cap) +
                  "; kept the first " + std::to_string(r.bytes) + " bytes";
    r.error = Status(Code::kResourceExhausted,
                     "too_large: " + r.url + ": " + what, Tag::kPermanent);
    return;
  }
  if (t->skipped_content_type) {
    r.error_class = "skipped_content_type";
    std::string wanted;
    for (const std::string& type : t->accept_content_types) {
      wanted += wanted.empty() ? type : ", " + type;
    }
    r.error = Status(Code::kFailedPrecondition,
                     "skipped_content_type: " + r.final_url +
                         ": Content-Type " + t->header_content_type +
                         " is not one wanted (" + wanted + "); body not read",
                     Tag::kPermanent);
    return;
  }
  if (t->refused_class != nullptr) {
    r.error_class = t->refused_class;
    r.error = Status(Code::kDataLoss,
                     std::string(t->refused_class) + ": " + r.final_url +
                         ": refused: " + t->refused_why,
                     Tag::kPermanent);
    return;
  }
  if ((result == CURLE_COULDNT_CONNECT || t->blocked_before_connect) &&
      !t->blocked_address.empty()) {
    r.error_class = "blocked_private_address";
    r.error = BlockedError(r.final_url, t->blocked_address,
                           t->blocked_before_connect, !options_.proxy.empty());
    return;
  }
  ErrorKind kind = Classify(result);
  std::string what =
      t->errbuf[0] != '\0' ? t->errbuf : curl_easy_strerror(result);
  if (result == CURLE_OUT_OF_MEMORY && t->in_headers) {
    // libcurl 7.88 refuses a header line over 100 KiB (CURL_MAX_HTTP_HEADER)
    // as "Out of memory", before our callback sees it (fault matrix N10).
    kind = {"bad_response", Code::kDataLoss, Tag::kPermanent};
    what = "a response header line over libcurl's " +
           std::to_string(CURL_MAX_HTTP_HEADER) + "-byte limit (" + what + ")";
  } else if (result == CURLE_UNSUPPORTED_PROTOCOL &&
             (StartsWithNoCase(r.final_url, "http://") ||
              StartsWithNoCase(r.final_url, "https://"))) {
    // An http(s) URL (a refused redirect target is the effective URL): not
    // the scheme but the server's answer is at fault, HTTP/0.9 without a
    // status line or a status code below 100 (fault matrix N11).
    kind = {"bad_response", Code::kDataLoss, Tag::kPermanent};
  }
  if (!options_.proxy.empty()) {
    // A CONNECT the proxy refused (libcurl 7.88 ends it as a receive error).
    long connect_code = 0;
    curl_easy_getinfo(e, CURLINFO_HTTP_CONNECTCODE, &connect_code);
    if (connect_code >= 300) {
      kind = {"proxy_failed", Code::kUnavailable, Tag::kRetryable};
    }
    // socks5:// resolves target names here, and reports a name that does
    // not resolve as a proxy error.
    long proxy_error = CURLPX_OK;
    curl_easy_getinfo(e, CURLINFO_PROXY_ERROR, &proxy_error);
    if (result == CURLE_PROXY && proxy_error == CURLPX_RESOLVE_HOST) {
      kind = {"dns_failed", Code::kUnavailable, Tag::kRetryable};
    }
  }
  long verify_result = kX509Ok;
  if (result == CURLE_PEER_FAILED_VERIFICATION) {
    curl_easy_getinfo(e, CURLINFO_SSL_VERIFYRESULT, &verify_result);
    kind = ClassifyCertificate(verify_result);
  }
  r.error_class = kind.error_class;
  std::string msg =
      std::string(kind.error_class) + ": " + r.final_url + ": " + what;
  if (verify_result > kX509Unspecified) {
    msg += " (X509 verify result " + std::to_string(verify_result) + ")";
  }
  long os_errno = 0;
  curl_easy_getinfo(e, CURLINFO_OS_ERRNO, &os_errno);
  if (os_errno != 0) {
    const char* os = std::strerror(static_cast<int>(os_errno));
    if (msg.find(os) == std::string::npos) {
      msg += " (";
      msg += os;
      msg += ")";
    }
  }
  r.error = Status(kind.code, std::move(msg), kind.tag);
}

void CurlFetcher::Collect(std::vector<FetchResponse>* out) {
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    CURL* e = msg->easy_handle;
    const CURLcode result = msg->data.result;  // msg dies on remove_handle.
    void* priv = nullptr;
    curl_easy_getinfo(e, CURLINFO_PRIVATE, &priv);
    auto* t = static_cast<Transfer*>(priv);
    curl_multi_remove_handle(multi_, e);
    ReleaseJar(t);
    if (follow_here_ && result == CURLE_OK && FollowRedirect(t)) continue;
    DropRequestHeaders(t);
    Finish(t, result);
    if (options_.capture_exchanges) TakeExchanges(t);
    t->active = false;
    --active_;
    idle_.push_back(t);
    out->push_back(std::move(t->response));
  }
}

std::vector<FetchResponse> CurlFetcher::Poll(int wake_fd, int timeout_ms) {
  using Clock = std::chrono::steady_clock;
  std::vector<FetchResponse> out;
  out.swap(ready_);
  const auto deadline =
      Clock::now() + std::chrono::milliseconds(std::max(timeout_ms, 0));
  while (true) {
    StartQueued();
    int running = 0;
    curl_multi_perform(multi_, &running);
    Collect(&out);
    if (!out.empty()) break;
    if (active_ == 0 && queued_.empty() && wake_fd < 0) break;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - Clock::now())
                          .count();
    if (left <= 0) break;
    curl_waitfd extra = {};
    extra.fd = wake_fd;
    extra.events = CURL_WAIT_POLLIN;
    const unsigned extra_count = wake_fd >= 0 ? 1 : 0;
    if (curl_multi_poll(multi_, extra_count > 0 ? &extra : nullptr, extra_count,
                        static_cast<int>(left), nullptr) != CURLM_OK) {
      break;
    }
    if (extra.revents != 0) {
      curl_multi_perform(multi_, &running);
      Collect(&out);
      break;
    }
  }
  // Fill the slots freed by finished transfers so that they make progress
  // while the caller handles the responses.
  StartQueued();
  return out;
}

Status ValidateOptions(const FetchOptions& o) {
  auto bad = [](const std::string& what) {
    return InvalidArgumentError("invalid FetchOptions: " + what);
  };
  if (o.max_redirects < 0) return bad("max_redirects must be >= 0");
  if (o.connect_timeout_ms <= 0) return bad("connect_timeout_ms must be > 0");
  if (o.total_timeout_ms <= 0) return bad("total_timeout_ms must be > 0");
  if (o.low_speed_limit_bytes < 0) {
    return bad("low_speed_limit_bytes must be >= 0");
  }
  if (o.low_speed_limit_bytes > 0 && o.low_speed_time_s <= 0) {
    return bad("low_speed_time_s must be > 0 when low_speed_limit_bytes is");
  }
  if (o.max_body_bytes == 0) return bad("max_body_bytes must be > 0");
  if (o.max_concurrency <= 0) return bad("max_concurrency must be > 0");
  if (!o.ca_cert_file.empty()) {
    Status ca = CheckCaCertFile(o.ca_cert_file);
    if (!ca.ok()) return ca.WithContext("invalid FetchOptions");
  }
  for (const std::string& entry : o.resolve) {
    StatusOr<ResolveRule> rule = ParseResolveRule(entry);
    if (!rule.ok()) return rule.status().WithContext("invalid FetchOptions");
  }
  Status request = ValidateRequestOptions(o);
  if (!request.ok()) return request.WithContext("invalid FetchOptions");
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<Fetcher>> NewCurlFetcher(const FetchOptions& options) {
  RETURN_IF_ERROR(ValidateOptions(options));
  // Thread-safe in libcurl >= 7.84 (Debian's build has the "threadsafe"
  // feature); done once per process, never cleaned up.
  static const CURLcode global_init = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (global_init != CURLE_OK) {
    return InternalError(std::string("curl_global_init failed: ") +
                         curl_easy_strerror(global_init));
  }
  std::vector<ResolveRule> rules;
  for (const std::string& entry : options.resolve) {
    rules.push_back(*ParseResolveRule(entry));
  }
  StatusOr<AddressPolicy> policy = AddressPolicy::Create(
      options.allow_private_addresses, options.allowed_addresses);
  if (!policy.ok()) return policy.status().WithContext("invalid FetchOptions");
  auto fetcher = std::make_unique<CurlFetcher>(options, std::move(rules),
                                               std::move(policy).value());
  RETURN_IF_ERROR(fetcher->Init());
  return std::unique_ptr<Fetcher>(std::move(fetcher));
}

}  // namespace crawler::fetch
