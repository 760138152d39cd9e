// URL cleaning, normalization, resolution and splitting for the crawler, built
// on libcurl's URL API (curl_url()): curl parses every URL, resolves relative
// references, removes dot-segments, checks and normalizes the host (IPv4
// notations such as "http://0x7f.1/" become "127.0.0.1") and converts IDN
// hosts to punycode (CURLU_PUNYCODE). Only absolute http and https URLs are
// accepted; every result is in one normal form, so two spellings of the same
// resource compare equal as strings (the frontier deduplicates on it):
//   - scheme and host lowercased; a non-ASCII (IDN) host in punycode
//     ("bücher.example" -> "xn--bcher-kva.example");
//   - default port removed (:80 for http, :443 for https);
//   - dot-segments ("." and "..", also spelled "%2E") removed from the path;
//   - in the path and the query, percent-encoded unreserved characters
//     (A-Z a-z 0-9 - . _ ~) decoded, other percent-encodings kept with
//     upper-case hex digits ("%2f" -> "%2F"), and bytes that RFC 3986 does
//     not allow there encoded: controls, space, non-ASCII bytes,
//     " < > \ ^ ` { | } and a '%' not followed by two hex digits;
//   - fragment removed; an empty path becomes "/"; an empty query ("x?") is
//     removed;
//   - optionally, query parameters whose names match
//     UrlOptions::strip_query_params removed, and the query's parameters
//     sorted (UrlOptions::sort_query; see there);
//   - user info ("user:pw@") kept as written.
// Normalization is idempotent: NormalizeUrl(NormalizeUrl(u)) == NormalizeUrl(u)
// with the same options.
//
// Errors are InvalidArgument with tag kPermanent and say what is wrong:
//   "malformed URL 'x': <curl's reason>",
//   "unsupported scheme 'ftp' in 'ftp://a/' (only http and https are fetched)",
//   "URL longer than 8192 bytes (limit url max_length)".
// NormalizeUrl takes URLs as a user or a file gives them: raw spaces and
// control characters (including CR/LF) are rejected, as curl does. Hrefs
// found in pages go through UrlResolver::Resolve, which first cleans them
// mostly as browsers do (CleanHref), with one deliberate difference: a raw CR
// or LF inside an href makes it malformed, where the WHATWG URL parser
// removes it. The fault matrix decides "CRLF rejected" (row C4), as curl
// refuses raw CR/LF in any URL: such an href is dropped rather than guessed
// at. Quoted URLs in messages are truncated and escaped.
//
// Thread-safety: the functions are pure and may be called from any thread. A
// UrlResolver is immutable after Create(); its const methods may be called
// concurrently from many threads.
#ifndef CRAWLER_URL_URL_H_
#define CRAWLER_URL_URL_H_

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/base/status.h"

// libcurl's URL handle (curl/urlapi.h), kept out of this header.
struct Curl_URL;

namespace crawler::url {

struct UrlOptions {
  // Inputs and results longer than this many bytes are refused.
  size_t max_length = 8192;
  // Query parameters whose names match one of these glob patterns ('*' any
  // run of characters, '?' one character; ASCII case-insensitive) are
  // removed, e.g. {"utm_*", "jsessionid", "phpsessid", "sid"}. Path
  // parameters (";name=value" after a path segment, as in
  // "/a;jsessionid=X") whose names match are removed too. Names are matched
  // after percent-encoding normalization. Empty: nothing is removed.
  std::vector<std::string> strip_query_params;
  // Sort the query's '&'-separated parameters (bytewise, after the
  // percent-encoding normalization and strip_query_params) and drop empty
  // and exactly repeated ones, so that "?b=2&a=1&a=1" and "?a=1&b=2" are one
  // URL (fault matrix T5: parameter-order canonicalization). Off by
  // default: the URL fetched is then not the one linked, and a few servers
  // care about the order of their parameters.
  bool sort_query = false;
};

// What the crawler does to an href before parsing it, modelled on the WHATWG
// URL parser's input cleaning: strips leading and trailing C0 control
// characters and spaces (a CR or LF at either end goes with them), removes
// ASCII tab everywhere, and turns '\' into '/' before the first '?' or '#' when
// the href is an http(s) URL or a relative reference (no scheme). Other schemes
// ("mailto:a\b") keep their backslashes. Unlike browsers, it keeps a CR or
// LF inside the href, which UrlResolver::Resolve then refuses (see the file
// comment). Pure; never fails.
std::string CleanHref(std::string_view href);

// Parses the absolute http(s) URL `url` and returns its normal form (see the
// file comment). Fails with InvalidArgument (kPermanent) if `url` is longer
// than options.max_length (before or after normalization), is not a
// well-formed absolute URL, has a host that is not a valid internationalized
// domain name, or its scheme is not http or https.
StatusOr<std::string> NormalizeUrl(std::string_view url,
                                   const UrlOptions& options = {});

// The parts of a normalized URL that politeness and robots.txt key on.
struct UrlParts {
  std::string scheme;  // "http" or "https".
  // Lowercase, punycode; an IPv6 literal keeps its brackets ("[::1]").
  std::string host;
  int port = 0;  // The explicit port, else the scheme's default (80, 443).
  // The path, starting with '/', then '?' and the query when there is one.
  std::string path_and_query;

  // "scheme://host" plus ":port" when the port is not the scheme's default:
  // the key for robots.txt and per-host politeness (RFC 9309 2.3).
  std::string origin() const;
};

// Splits an http(s) URL into UrlParts. `normalized` should come from
// NormalizeUrl or UrlResolver::Resolve; any other absolute http(s) URL is
// normalized first (default options), so the parts are always in normal
// form. Fails like NormalizeUrl.
StatusOr<UrlParts> SplitUrl(std::string_view normalized);

// Resolves references (RFC 3986 section 5) against one base URL, parsing the
// base only once; use one resolver for all links of a page.
class UrlResolver {
 public:
  // Parses `base`, which must be an absolute http(s) URL. Fails like
  // NormalizeUrl.
  static StatusOr<UrlResolver> Create(std::string_view base,
                                      const UrlOptions& options = {});

  UrlResolver(UrlResolver&&) noexcept;
  UrlResolver& operator=(UrlResolver&&) noexcept;
  UrlResolver(const UrlResolver&) = delete;
  UrlResolver& operator=(const UrlResolver&) = delete;
  ~UrlResolver();

  // The normalized base URL.
  const std::string& base() const { return base_url_; }

  // Resolves `href` (relative or absolute, as found in a page) against the
  // base and returns the normalized result. The href is first cleaned with
  // CleanHref; a CR or LF left inside it ("/a\r\nb", "/a\nb") makes it
  // malformed; then remaining spaces and control characters are
  // percent-encoded, as browsers do ("a b" -> "a%20b"). As in browsers, an
  // href with the base's scheme but no "//" ("http:g", "http:/g") is a
  // relative reference, and "https:g" against an http base means
  // "https://g/". An empty or fragment-only `href` resolves to the base.
  // Fails with InvalidArgument (kPermanent) if `href` is longer than
  // max_length or malformed (for example a space in the host, or "malformed
  // URL '/a\x0d\x0ab': CR or LF inside the reference"), if the
  // result's scheme is not http or https ("mailto:x", "ftp://a/"), or if the
  // result is longer than max_length.
  StatusOr<std::string> Resolve(std::string_view href) const;

  // Resolve with every reference going through libcurl, skipping the native
  // path that handles plain relative references (see url.cc): the reference
  // implementation the tests and the url fuzzer compare Resolve with.
  StatusOr<std::string> ResolveWithoutFastPathForTesting(
      std::string_view href) const;

 private:
  struct CurluDeleter {
    void operator()(Curl_URL* u) const;
  };
  UrlResolver(std::unique_ptr<Curl_URL, CurluDeleter> base, std::string url,
              std::string scheme, const UrlOptions& options);

  StatusOr<std::string> ResolveImpl(std::string_view href,
                                    bool fast_path) const;
  // The result for a plain relative reference computed without libcurl, or
  // nullopt when `ref` is not one (then libcurl resolves it).
  std::optional<std::string> ResolveSimple(std::string_view ref) const;

  std::unique_ptr<Curl_URL, CurluDeleter> base_;
  std::string base_url_;
  std::string base_scheme_;  // "http" or "https".
  UrlOptions options_;
  // For ResolveSimple: base_url_ up to its path ("http://h:8080"), and its
  // path ("/a/b.html"); origin empty when the base does not qualify.
  std::string simple_origin_;
  std::string simple_path_;
};

}  // namespace crawler::url

#endif  // CRAWLER_URL_URL_H_
