#include "crawler/url/url.h"

#include <curl/curl.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace crawler::url {
namespace {

struct CurlFree {
  void operator()(char* p) const { curl_free(p); }
};
using CurlString = std::unique_ptr<char, CurlFree>;

struct HandleDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
using Handle = std::unique_ptr<CURLU, HandleDeleter>;

// Quotes `s` for an error message: at most 200 bytes, non-printable bytes as
// \xNN.
std::string Quote(std::string_view s) {
  constexpr size_t kMax = 200;
  std::string out = "'";
  for (size_t i = 0; i < s.size() && i < kMax; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (s.size() > kMax) out += "...";
  out += "'";
  return out;
}

Status Malformed(std::string_view url, CURLUcode rc) {
  return InvalidArgumentError("malformed URL " + Quote(url) + ": " +
                              curl_url_strerror(rc));
}

Status UnsupportedScheme(std::string_view scheme, std::string_view url) {
  std::string lower(scheme);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return InvalidArgumentError("unsupported scheme " + Quote(lower) + " in " +
                              Quote(url) +
                              " (only http and https are fetched)");
}

Status TooLong(size_t max_length) {
  return InvalidArgumentError("URL longer than " + std::to_string(max_length) +
                              " bytes (limit url max_length)");
}

// Reports the scheme of a URL that curl refused with "unsupported scheme".
Status SchemeErrorFor(const std::string& url) {
  Handle h(curl_url());
  if (h != nullptr && curl_url_set(h.get(), CURLUPART_URL, url.c_str(),
                                   CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK) {
    char* scheme = nullptr;
    if (curl_url_get(h.get(), CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK) {
      CurlString owned(scheme);
      return UnsupportedScheme(scheme, url);
    }
  }
  // "mailto:x" and the like have no "//", which curl needs even for schemes
  // it does not support; it has already checked that the text before the
  // first ':' is a well-formed scheme.
  const size_t colon = url.find(':');
  return UnsupportedScheme(colon == std::string::npos
                               ? std::string_view(url)
                               : std::string_view(url).substr(0, colon),
                           url);
}

// Sets `text` (NUL-terminated) on `h`, resolving against what `h` holds.
Status SetUrl(CURLU* h, const std::string& text) {
  const CURLUcode rc = curl_url_set(h, CURLUPART_URL, text.c_str(), 0);
  if (rc == CURLUE_OK) return Status::Ok();
  if (rc == CURLUE_UNSUPPORTED_SCHEME) return SchemeErrorFor(text);
  if (rc == CURLUE_OUT_OF_MEMORY) return InternalError("curl: out of memory");
  return Malformed(text, rc);
}

// Brings a parsed URL into normal form and returns it as a string. `input`
// is for error messages.
StatusOr<std::string> Normalize(CURLU* h, std::string_view input,
                                size_t max_length) {
  char* raw = nullptr;
  CURLUcode rc = curl_url_get(h, CURLUPART_SCHEME, &raw, 0);
  if (rc != CURLUE_OK) return Malformed(input, rc);
  CurlString scheme(raw);
  const std::string_view s(scheme.get());
  if (s != "http" && s != "https") return UnsupportedScheme(s, input);

  // curl lowercases the scheme but keeps the host's case.
  rc = curl_url_get(h, CURLUPART_HOST, &raw, 0);
  if (rc != CURLUE_OK) return Malformed(input, rc);
  CurlString host(raw);
  bool has_upper = false;
  for (char* p = host.get(); *p != '\0'; ++p) {
    if (*p >= 'A' && *p <= 'Z') {
      *p = static_cast<char>(*p - 'A' + 'a');
      has_upper = true;
    }
  }
  if (has_upper) {
    rc = curl_url_set(h, CURLUPART_HOST, host.get(), 0);
    if (rc != CURLUE_OK) return Malformed(input, rc);
  }
  curl_url_set(h, CURLUPART_FRAGMENT, nullptr, 0);  // Clearing cannot fail.

  rc = curl_url_get(h, CURLUPART_URL, &raw, CURLU_NO_DEFAULT_PORT);
  if (rc != CURLUE_OK) return Malformed(input, rc);
  CurlString full(raw);
  std::string out(full.get());
  if (out.size() > max_length) return TooLong(max_length);
  return out;
}

}  // namespace

void UrlResolver::CurluDeleter::operator()(Curl_URL* u) const {
  curl_url_cleanup(u);
}

StatusOr<std::string> NormalizeUrl(std::string_view url,
                                   const UrlOptions& options) {
  if (url.size() > options.max_length) return TooLong(options.max_length);
  Handle h(curl_url());
  if (h == nullptr) return InternalError("curl_url: out of memory");
  RETURN_IF_ERROR(SetUrl(h.get(), std::string(url)));
  return Normalize(h.get(), url, options.max_length);
}

UrlResolver::UrlResolver(std::unique_ptr<Curl_URL, CurluDeleter> base,
                         std::string url, const UrlOptions& options)
    : base_(std::move(base)), base_url_(std::move(url)), options_(options) {}
UrlResolver::UrlResolver(UrlResolver&&) noexcept = default;
UrlResolver& UrlResolver::operator=(UrlResolver&&) noexcept = default;
UrlResolver::~UrlResolver() = default;

StatusOr<UrlResolver> UrlResolver::Create(std::string_view base,
                                          const UrlOptions& options) {
  if (base.size() > options.max_length) return TooLong(options.max_length);
  std::unique_ptr<Curl_URL, CurluDeleter> h(curl_url());
  if (h == nullptr) return InternalError("curl_url: out of memory");
  RETURN_IF_ERROR(SetUrl(h.get(), std::string(base)));
  ASSIGN_OR_RETURN(std::string normalized,
                   Normalize(h.get(), base, options.max_length));
  return UrlResolver(std::move(h), std::move(normalized), options);
}

StatusOr<std::string> UrlResolver::Resolve(std::string_view href) const {
  if (href.size() > options_.max_length) return TooLong(options_.max_length);
  // An empty or fragment-only reference means the base itself (RFC 3986
  // section 5.2.2; fragments are dropped). curl refuses an empty URL, and
  // libcurl 7.88 resolves "#s" against "http://a/b/c/d;p?q" to "http://a/b/c/".
  if (href.empty() || href.front() == '#') return base_url_;
  // curl percent-encodes spaces in relative references but rejects them in
  // absolute ones; refuse them (and control characters) in both.
  for (const char c : href) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F) {
      return InvalidArgumentError("malformed URL " + Quote(href) +
                                  ": contains a space or control character");
    }
  }
  // curl_url_dup only reads its argument (its parameter is const in newer
  // libcurl), so concurrent Resolve calls on one resolver are safe.
  Handle h(curl_url_dup(base_.get()));
  if (h == nullptr) return InternalError("curl_url_dup: out of memory");
  RETURN_IF_ERROR(SetUrl(h.get(), std::string(href)));
  return Normalize(h.get(), href, options_.max_length);
}

}  // namespace crawler::url
