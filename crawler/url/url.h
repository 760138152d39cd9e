// URL normalization and resolution for the crawler, built on libcurl's URL API
// (curl_url()). Only absolute http and https URLs are accepted; every result
// is in one normal form, so two spellings of the same resource compare equal
// as strings (the frontier deduplicates on it):
//   - scheme and host lowercased (a non-ASCII IDN host is left as curl gives
//     it: UTF-8, only its ASCII letters lowercased);
//   - default port removed (:80 for http, :443 for https);
//   - dot-segments ("." and "..") removed from the path;
//   - fragment removed; an empty path becomes "/";
//   - everything else (percent-encoding, query, user info) kept as written.
//
// Errors are InvalidArgument with tag kPermanent and say what is wrong:
//   "malformed URL 'x': <curl's reason>",
//   "unsupported scheme 'ftp' in 'ftp://a/' (only http and https are fetched)",
//   "URL longer than 8192 bytes (limit url max_length)".
// Raw spaces and control characters (including CR/LF) are rejected, as curl
// does; quoted URLs in messages are truncated and escaped.
//
// Thread-safety: the functions are pure and may be called from any thread. A
// UrlResolver is immutable after Create(); its const methods may be called
// concurrently from many threads.
#ifndef CRAWLER_URL_URL_H_
#define CRAWLER_URL_URL_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "crawler/base/status.h"

// libcurl's URL handle (curl/urlapi.h), kept out of this header.
struct Curl_URL;

namespace crawler::url {

struct UrlOptions {
  // Inputs and results longer than this many bytes are refused.
  size_t max_length = 8192;
};

// Parses the absolute http(s) URL `url` and returns its normal form (see the
// file comment). Fails with InvalidArgument (kPermanent) if `url` is longer
// than options.max_length, is not a well-formed absolute URL, or its scheme
// is not http or https.
StatusOr<std::string> NormalizeUrl(std::string_view url,
                                   const UrlOptions& options = {});

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
  ~UrlResolver();

  // The normalized base URL.
  const std::string& base() const { return base_url_; }

  // Resolves `href` (relative or absolute, as found in a page) against the
  // base and returns the normalized result. Fails with InvalidArgument
  // (kPermanent) if `href` is malformed or longer than max_length, if the
  // result's scheme is not http or https ("mailto:x", "ftp://a/"), or if the
  // result is longer than max_length. Raw spaces and control characters are
  // refused in relative references too (curl would percent-encode them). An
  // empty or fragment-only `href` resolves to the base.
  StatusOr<std::string> Resolve(std::string_view href) const;

 private:
  struct CurluDeleter {
    void operator()(Curl_URL* u) const;
  };
  UrlResolver(std::unique_ptr<Curl_URL, CurluDeleter> base, std::string url,
              const UrlOptions& options);

  std::unique_ptr<Curl_URL, CurluDeleter> base_;
  std::string base_url_;
  UrlOptions options_;
};

}  // namespace crawler::url

#endif  // CRAWLER_URL_URL_H_
