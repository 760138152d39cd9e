#include "crawler/url/url.h"

#include <curl/curl.h>
#include <locale.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

constexpr char kUpperHex[] = "0123456789ABCDEF";

char ToLowerAscii(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool IsAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 3986 2.3.
bool IsUnreserved(unsigned char c) {
  return IsAlpha(static_cast<char>(c)) || IsDigit(static_cast<char>(c)) ||
         c == '-' || c == '.' || c == '_' || c == '~';
}

// Bytes that RFC 3986 allows neither raw nor as reserved characters in a
// path or query.
bool MustEncode(unsigned char c) {
  if (c <= 0x20 || c >= 0x7F) return true;
  switch (c) {
    case '"':
    case '<':
    case '>':
    case '\\':
    case '^':
    case '`':
    case '{':
    case '|':
    case '}':
      return true;
    default:
      return false;
  }
}

void AppendEncoded(unsigned char c, std::string& out) {
  out += '%';
  out += kUpperHex[c >> 4];
  out += kUpperHex[c & 15];
}

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

Status Malformed(std::string_view url, std::string_view reason) {
  return InvalidArgumentError("malformed URL " + Quote(url) + ": " +
                              std::string(reason));
}

Status Malformed(std::string_view url, CURLUcode rc) {
  return Malformed(url, curl_url_strerror(rc));
}

Status UnsupportedScheme(std::string_view scheme, std::string_view url) {
  std::string lower(scheme);
  for (char& c : lower) c = ToLowerAscii(c);
  return InvalidArgumentError("unsupported scheme " + Quote(lower) + " in " +
                              Quote(url) +
                              " (only http and https are fetched)");
}

Status TooLong(size_t max_length) {
  return InvalidArgumentError("URL longer than " + std::to_string(max_length) +
                              " bytes (limit url max_length)");
}

// The length of the scheme at the start of `s` ("http" in "http:x"), when `s`
// starts with one followed by ':' (RFC 3986 3.1); 0 otherwise.
size_t SchemeLength(std::string_view s) {
  if (s.empty() || !IsAlpha(s[0])) return 0;
  for (size_t i = 1; i < s.size(); ++i) {
    const char c = s[i];
    if (c == ':') return i;
    if (!IsAlpha(c) && !IsDigit(c) && c != '+' && c != '-' && c != '.') {
      return 0;
    }
  }
  return 0;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ToLowerAscii(a[i]) != ToLowerAscii(b[i])) return false;
  }
  return true;
}

// Reports the scheme of a URL that curl refused with "unsupported scheme".
Status SchemeErrorFor(const std::string& text, std::string_view display) {
  Handle h(curl_url());
  if (h != nullptr && curl_url_set(h.get(), CURLUPART_URL, text.c_str(),
                                   CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK) {
    char* scheme = nullptr;
    if (curl_url_get(h.get(), CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK) {
      CurlString owned(scheme);
      return UnsupportedScheme(scheme, display);
    }
  }
  // "mailto:x" and the like have no "//", which curl needs even for schemes
  // it does not support; it has already checked that the text before the
  // first ':' is a well-formed scheme.
  const size_t colon = text.find(':');
  return UnsupportedScheme(colon == std::string::npos
                               ? std::string_view(text)
                               : std::string_view(text).substr(0, colon),
                           display);
}

// Sets `text` on `h`, resolving against what `h` holds. `display` is what
// error messages quote (the caller's input).
Status SetUrl(CURLU* h, const std::string& text, std::string_view display) {
  if (text.find('\0') != std::string::npos) {
    return Malformed(display, "contains a NUL byte");
  }
  const CURLUcode rc = curl_url_set(h, CURLUPART_URL, text.c_str(), 0);
  if (rc == CURLUE_OK) return Status::Ok();
  if (rc == CURLUE_UNSUPPORTED_SCHEME) return SchemeErrorFor(text, display);
  if (rc == CURLUE_OUT_OF_MEMORY) return InternalError("curl: out of memory");
  return Malformed(display, rc);
}

// Gets a part of `h` as a string; `present` is false when the part is absent
// (no query, ...).
StatusOr<std::string> GetPart(CURLU* h, CURLUPart part, unsigned flags,
                              std::string_view display, bool* present) {
  char* raw = nullptr;
  const CURLUcode rc = curl_url_get(h, part, &raw, flags);
  if (present != nullptr) *present = rc == CURLUE_OK;
  if (rc == CURLUE_OK) {
    CurlString owned(raw);
    return std::string(raw);
  }
  if (present != nullptr &&
      (rc == CURLUE_NO_QUERY || rc == CURLUE_NO_FRAGMENT ||
       rc == CURLUE_NO_PORT || rc == CURLUE_NO_USER ||
       rc == CURLUE_NO_PASSWORD || rc == CURLUE_NO_OPTIONS)) {
    return std::string();
  }
  return Malformed(display, rc);
}

// The host in punycode via CURLU_PUNYCODE. libcurl 7.88 converts with
// idn2_lookup_ul(), which reads the host in the encoding of the current
// locale's LC_CTYPE and fails ("A memory function failed") under the "C"
// locale that programs start in (curl issue #10984, fixed in 8.1.0 by
// switching to idn2_lookup_u8). Hosts in URLs are UTF-8, so the conversion
// runs with a UTF-8 LC_CTYPE set for this thread only (uselocale), leaving
// the process locale alone.
StatusOr<std::string> PunycodeHost(CURLU* h, std::string_view display) {
  static const locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", nullptr);
  if (utf8 == nullptr) {
    return InternalError("newlocale(C.UTF-8) failed: cannot convert IDN host");
  }
  const locale_t previous = uselocale(utf8);
  char* raw = nullptr;
  const CURLUcode rc = curl_url_get(h, CURLUPART_HOST, &raw, CURLU_PUNYCODE);
  uselocale(previous);
  if (rc != CURLUE_OK) {
    // libcurl 7.88 reports every failed IDN conversion as out of memory.
    return Malformed(display,
                     "the host is not a valid internationalized domain name");
  }
  CurlString owned(raw);
  return std::string(raw);
}

// Normalizes percent-encoding in a path or query (see url.h).
std::string NormalizePercent(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '%') {
      const int hi = i + 2 < s.size() ? HexValue(s[i + 1]) : -1;
      const int lo = hi >= 0 ? HexValue(s[i + 2]) : -1;
      if (lo < 0) {
        out += "%25";  // A stray '%'.
        continue;
      }
      const unsigned char v = static_cast<unsigned char>(hi * 16 + lo);
      if (IsUnreserved(v)) {
        out += static_cast<char>(v);
      } else {
        AppendEncoded(v, out);
      }
      i += 2;
    } else if (MustEncode(c)) {
      AppendEncoded(c, out);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// ASCII case-insensitive glob match: '*' matches any run, '?' one byte.
bool GlobMatch(std::string_view pattern, std::string_view name) {
  size_t p = 0, n = 0;
  size_t star = std::string_view::npos, star_n = 0;
  while (n < name.size()) {
    if (p < pattern.size() &&
        (pattern[p] == '?' ||
         (pattern[p] != '*' &&
          ToLowerAscii(pattern[p]) == ToLowerAscii(name[n])))) {
      ++p;
      ++n;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_n = n;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      n = ++star_n;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool NameMatches(std::string_view param, const std::vector<std::string>& pats) {
  const std::string_view name = param.substr(0, param.find('='));
  for (const std::string& p : pats) {
    if (GlobMatch(p, name)) return true;
  }
  return false;
}

// Removes ";name=value" path parameters whose names match.
std::string StripPathParams(std::string_view path,
                            const std::vector<std::string>& patterns) {
  if (patterns.empty() || path.find(';') == std::string_view::npos) {
    return std::string(path);
  }
  std::string out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view segment = path.substr(start, end - start);
    size_t semi = segment.find(';');
    out += segment.substr(0, semi);
    while (semi != std::string_view::npos) {
      size_t next = segment.find(';', semi + 1);
      const std::string_view param = segment.substr(
          semi + 1, next == std::string_view::npos ? std::string_view::npos
                                                   : next - semi - 1);
      if (!NameMatches(param, patterns)) {
        out += ';';
        out += param;
      }
      semi = next;
    }
    if (end < path.size()) out += '/';
    start = end + 1;
  }
  return out;
}

// Removes query parameters whose names match; empty parameters go too when
// anything was removed.
std::string StripQueryParams(std::string_view query,
                             const std::vector<std::string>& patterns) {
  if (patterns.empty()) return std::string(query);
  std::vector<std::string_view> kept;
  bool removed = false;
  size_t start = 0;
  while (start <= query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view param = query.substr(start, end - start);
    if (!param.empty() && NameMatches(param, patterns)) {
      removed = true;
    } else {
      kept.push_back(param);
    }
    start = end + 1;
  }
  if (!removed) return std::string(query);
  std::string out;
  for (const std::string_view param : kept) {
    if (param.empty()) continue;
    if (!out.empty()) out += '&';
    out += param;
  }
  return out;
}

// Sorts the '&'-separated parameters of `query` bytewise and drops empty and
// repeated ones (UrlOptions::sort_query).
std::string SortQueryParams(std::string_view query) {
  std::vector<std::string_view> params;
  size_t start = 0;
  while (start <= query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    if (end > start) params.push_back(query.substr(start, end - start));
    start = end + 1;
  }
  std::sort(params.begin(), params.end());
  params.erase(std::unique(params.begin(), params.end()), params.end());
  std::string out;
  out.reserve(query.size());
  for (const std::string_view param : params) {
    if (!out.empty()) out += '&';
    out += param;
  }
  return out;
}

// Upper-cases the hex digits of every percent-encoding in `s`. curl_url_set
// lower-cases them when a path or query is set on its own.
void UppercasePercentHex(std::string& s) {
  for (size_t i = 0; i + 2 < s.size(); ++i) {
    if (s[i] == '%' && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      s[i + 1] = kUpperHex[HexValue(s[i + 1])];
      s[i + 2] = kUpperHex[HexValue(s[i + 2])];
      i += 2;
    }
  }
}

// True when a segment of `path` is "." or "..".
bool HasDotSegment(std::string_view path) {
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view segment = path.substr(start, end - start);
    if (segment == "." || segment == "..") return true;
    start = end + 1;
  }
  return false;
}

// True for four decimal octets without leading zeros ("10.0.0.1"): the
// form curl gives an IPv4 host it recognized.
bool IsDottedQuad(std::string_view host) {
  int parts = 0;
  size_t i = 0;
  while (i <= host.size()) {
    size_t end = host.find('.', i);
    if (end == std::string_view::npos) end = host.size();
    const std::string_view part = host.substr(i, end - i);
    if (part.empty() || part.size() > 3 ||
        (part.size() > 1 && part[0] == '0')) {
      return false;
    }
    int value = 0;
    for (const char c : part) {
      if (c < '0' || c > '9') return false;
      value = value * 10 + (c - '0');
    }
    if (value > 255) return false;
    ++parts;
    i = end + 1;
  }
  return parts == 4;
}

// True when `url`, as rendered by curl from a parsed handle, is already what
// Normalize() would return: an http(s) scheme, a host without upper-case
// letters, only ASCII, no percent-encoding (whose case or unreserved
// characters Normalize would change), none of the characters Normalize
// encodes (space, controls, " < > \\ ^ ` { | }), no empty query. A fragment is
// cut off here (curl renders it last, after the first '#').
bool AlreadyNormal(std::string& url) {
  size_t authority;
  if (url.compare(0, 7, "http://") == 0) {
    authority = 7;
  } else if (url.compare(0, 8, "https://") == 0) {
    authority = 8;
  } else {
    return false;
  }
  const size_t hash = url.find('#');
  if (hash != std::string::npos) url.resize(hash);
  const size_t path = url.find('/', authority);
  for (size_t i = 0; i < url.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(url[i]);
    if (c >= 0x80 || c <= 0x20 || c == 0x7F || c == '%' || c == '"' ||
        c == '<' || c == '>' || c == '\\' || c == '^' || c == '`' || c == '{' ||
        c == '|' || c == '}') {
      return false;
    }
    if (i >= authority && (path == std::string::npos || i < path) && c >= 'A' &&
        c <= 'Z') {
      return false;
    }
  }
  if (path == std::string::npos) return false;  // curl always renders a path.
  return url.back() != '?';
}

// Brings a parsed URL in `h` into normal form and returns it as a string; `h`
// then holds the normal form. `display` is for error messages.
StatusOr<std::string> Normalize(CURLU* h, std::string_view display,
                                const UrlOptions& options) {
  ASSIGN_OR_RETURN(const std::string scheme,
                   GetPart(h, CURLUPART_SCHEME, 0, display, nullptr));
  if (scheme != "http" && scheme != "https") {
    return UnsupportedScheme(scheme, display);
  }

  // curl lowercases the scheme but keeps the host as written.
  ASSIGN_OR_RETURN(std::string host,
                   GetPart(h, CURLUPART_HOST, 0, display, nullptr));
  bool ascii = true;
  bool has_upper = false;
  // Only digits, dots and hex letters: possibly an IPv4 address in another
  // spelling ("127.1", "0x7f.1") that curl put in dotted-quad form only if it
  // saw it before percent-decoding.
  bool ipv4_like = !host.empty();
  for (const char c : host) {
    const unsigned char u = static_cast<unsigned char>(c);
    // libcurl 7.88 decodes "%7F" in a host and keeps the DEL byte (it
    // refuses the other control characters): refuse it here.
    if (u <= 0x20 || u == 0x7F) {
      return Malformed(display, "control character in the host");
    }
    if (u >= 0x80) ascii = false;
    if (c >= 'A' && c <= 'Z') has_upper = true;
    if (!(std::isxdigit(u) || c == '.' || c == 'x' || c == 'X')) {
      ipv4_like = false;
    }
  }
  if (!ascii) {
    ASSIGN_OR_RETURN(host, PunycodeHost(h, display));
    has_upper = true;  // Set it back whatever its case.
  }
  if (has_upper) {
    for (char& c : host) c = ToLowerAscii(c);
    const CURLUcode rc = curl_url_set(h, CURLUPART_HOST, host.c_str(), 0);
    if (rc != CURLUE_OK) return Malformed(display, rc);
  }
  curl_url_set(h, CURLUPART_FRAGMENT, nullptr, 0);  // Clearing cannot fail.

  ASSIGN_OR_RETURN(const std::string path,
                   GetPart(h, CURLUPART_PATH, 0, display, nullptr));
  const std::string new_path =
      StripPathParams(NormalizePercent(path), options.strip_query_params);
  if (new_path != path) {
    const CURLUcode rc = curl_url_set(h, CURLUPART_PATH, new_path.c_str(), 0);
    if (rc != CURLUE_OK) return Malformed(display, rc);
  }
  bool has_query = false;
  ASSIGN_OR_RETURN(const std::string query,
                   GetPart(h, CURLUPART_QUERY, 0, display, &has_query));
  if (has_query) {
    std::string new_query =
        StripQueryParams(NormalizePercent(query), options.strip_query_params);
    if (options.sort_query) new_query = SortQueryParams(new_query);
    if (new_query.empty()) {
      curl_url_set(h, CURLUPART_QUERY, nullptr, 0);  // Clearing cannot fail.
    } else if (new_query != query) {
      const CURLUcode rc =
          curl_url_set(h, CURLUPART_QUERY, new_query.c_str(), 0);
      if (rc != CURLUE_OK) return Malformed(display, rc);
    }
  }

  ASSIGN_OR_RETURN(
      std::string out,
      GetPart(h, CURLUPART_URL, CURLU_NO_DEFAULT_PORT, display, nullptr));
  if ((new_path != path && HasDotSegment(new_path)) ||
      (ipv4_like && !IsDottedQuad(host))) {
    // Decoding "%2E" made dot-segments, or decoding the host made an IPv4
    // address in a short or hex form ("%31%32%37.1" is "127.1"): a second
    // parse by curl puts either in normal form.
    RETURN_IF_ERROR(SetUrl(h, out, display));
    ASSIGN_OR_RETURN(out, GetPart(h, CURLUPART_URL, CURLU_NO_DEFAULT_PORT,
                                  display, nullptr));
  }
  UppercasePercentHex(out);
  if (out.size() > options.max_length) return TooLong(options.max_length);
  return out;
}

// Parses the absolute URL `url` into a new handle and normalizes it.
StatusOr<std::string> ParseAbsolute(std::string_view url,
                                    const UrlOptions& options, Handle& h) {
  if (url.size() > options.max_length) return TooLong(options.max_length);
  h.reset(curl_url());
  if (h == nullptr) return InternalError("curl_url: out of memory");
  RETURN_IF_ERROR(SetUrl(h.get(), std::string(url), url));
  return Normalize(h.get(), url, options);
}

// Characters a plain relative reference may hold (RFC 3986 pchar and the
// query's '/' and '?', without '%'): libcurl keeps them as they are and
// Normalize changes none of them. Anything else goes through libcurl.
bool IsPlainRefChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
      (c >= '0' && c <= '9')) {
    return true;
  }
  switch (c) {
    case '-':
    case '.':
    case '_':
    case '~':
    case '/':
    case '?':
    case '=':
    case '&':
    case '+':
    case ',':
    case ';':
    case ':':
    case '@':
    case '!':
    case '$':
    case '*':
    case '\'':
    case '(':
    case ')':
      return true;
    default:
      return false;
  }
}

// remove_dot_segments of RFC 3986 section 5.2.4 for a path starting with
// '/'.
std::string RemoveDotSegments(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  auto pop_segment = [&out] {
    const size_t slash = out.rfind('/');
    out.resize(slash == std::string::npos ? 0 : slash);
  };
  while (!in.empty()) {
    if (in.substr(0, 3) == "../") {
      in.remove_prefix(3);
    } else if (in.substr(0, 2) == "./") {
      in.remove_prefix(2);
    } else if (in.substr(0, 3) == "/./") {
      in.remove_prefix(2);
    } else if (in == "/.") {
      in = "/";
    } else if (in.substr(0, 4) == "/../") {
      in.remove_prefix(3);
      pop_segment();
    } else if (in == "/..") {
      in = "/";
      pop_segment();
    } else if (in == "." || in == "..") {
      in = {};
    } else {
      const size_t next = in.find('/', in.front() == '/' ? 1 : 0);
      const size_t len = next == std::string_view::npos ? in.size() : next;
      out.append(in.substr(0, len));
      in.remove_prefix(len);
    }
  }
  return out;
}

}  // namespace

std::string CleanHref(std::string_view href) {
  size_t begin = 0;
  size_t end = href.size();
  while (begin < end && static_cast<unsigned char>(href[begin]) <= 0x20) {
    ++begin;
  }
  while (end > begin && static_cast<unsigned char>(href[end - 1]) <= 0x20) {
    --end;
  }
  std::string out;
  out.reserve(end - begin);
  for (size_t i = begin; i < end; ++i) {
    const char c = href[i];
    if (c != '\t') out += c;
  }
  const size_t scheme_length = SchemeLength(out);
  const std::string_view scheme =
      std::string_view(out).substr(0, scheme_length);
  if (scheme_length == 0 || EqualsIgnoreCase(scheme, "http") ||
      EqualsIgnoreCase(scheme, "https")) {
    for (char& c : out) {
      if (c == '?' || c == '#') break;
      if (c == '\\') c = '/';
    }
  }
  return out;
}

StatusOr<std::string> NormalizeUrl(std::string_view url,
                                   const UrlOptions& options) {
  Handle h;
  return ParseAbsolute(url, options, h);
}

std::string UrlParts::origin() const {
  std::string out = scheme + "://" + host;
  const int default_port = scheme == "https" ? 443 : 80;
  if (port != default_port) out += ":" + std::to_string(port);
  return out;
}

StatusOr<UrlParts> SplitUrl(std::string_view normalized) {
  Handle h;
  ASSIGN_OR_RETURN(const std::string url, ParseAbsolute(normalized, {}, h));
  // Read the parts from the normal form itself (Normalize may leave
  // lower-case percent-encodings in the handle).
  RETURN_IF_ERROR(SetUrl(h.get(), url, url));
  UrlParts parts;
  ASSIGN_OR_RETURN(parts.scheme,
                   GetPart(h.get(), CURLUPART_SCHEME, 0, url, nullptr));
  ASSIGN_OR_RETURN(parts.host,
                   GetPart(h.get(), CURLUPART_HOST, 0, url, nullptr));
  ASSIGN_OR_RETURN(
      const std::string port,
      GetPart(h.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT, url, nullptr));
  parts.port = std::stoi(port);  // curl has checked it: 0..65535.
  ASSIGN_OR_RETURN(parts.path_and_query,
                   GetPart(h.get(), CURLUPART_PATH, 0, url, nullptr));
  bool has_query = false;
  ASSIGN_OR_RETURN(const std::string query,
                   GetPart(h.get(), CURLUPART_QUERY, 0, url, &has_query));
  if (has_query) parts.path_and_query += "?" + query;
  return parts;
}

void UrlResolver::CurluDeleter::operator()(Curl_URL* u) const {
  curl_url_cleanup(u);
}

UrlResolver::UrlResolver(std::unique_ptr<Curl_URL, CurluDeleter> base,
                         std::string url, std::string scheme,
                         const UrlOptions& options)
    : base_(std::move(base)),
      base_url_(std::move(url)),
      base_scheme_(std::move(scheme)),
      options_(options) {
  // The native path needs a base in plain normal form: no percent sign (its
  // decoding is Normalize's business), a path, no query or fragment parts
  // that would leak into the merge.
  std::string check = base_url_;
  const size_t authority = base_scheme_.size() + 3;
  const size_t path = base_url_.find('/', authority);
  if (AlreadyNormal(check) && check == base_url_ &&
      base_url_.find('%') == std::string::npos && path != std::string::npos &&
      base_url_.find("//", path) == std::string::npos) {
    simple_origin_ = base_url_.substr(0, path);
    const size_t end = base_url_.find('?', path);
    simple_path_ = base_url_.substr(
        path, end == std::string::npos ? std::string::npos : end - path);
  }
}
UrlResolver::UrlResolver(UrlResolver&&) noexcept = default;
UrlResolver& UrlResolver::operator=(UrlResolver&&) noexcept = default;
UrlResolver::~UrlResolver() = default;

StatusOr<UrlResolver> UrlResolver::Create(std::string_view base,
                                          const UrlOptions& options) {
  Handle h;
  ASSIGN_OR_RETURN(std::string normalized, ParseAbsolute(base, options, h));
  std::string scheme = normalized.substr(0, normalized.find(':'));
  return UrlResolver(std::unique_ptr<Curl_URL, CurluDeleter>(h.release()),
                     std::move(normalized), std::move(scheme), options);
}

StatusOr<std::string> UrlResolver::Resolve(std::string_view href) const {
  return ResolveImpl(href, /*fast_path=*/true);
}

StatusOr<std::string> UrlResolver::ResolveWithoutFastPathForTesting(
    std::string_view href) const {
  return ResolveImpl(href, /*fast_path=*/false);
}

// Most links on a page are plain relative references ("page-3.html",
// "../sport/", "/tech/page-5.html?x=1#top"): merged with the base path and
// cleaned of dot segments as RFC 3986 section 5.2 says, they give a URL
// already in normal form, at a fraction of libcurl's parse, merge and
// render. tests/url and the url fuzzer compare every result with libcurl's.
std::optional<std::string> UrlResolver::ResolveSimple(
    std::string_view ref) const {
  if (simple_origin_.empty() || ref.empty()) return std::nullopt;
  if (ref.size() >= 2 && ref[0] == '/' && ref[1] == '/') return std::nullopt;
  const size_t hash = ref.find('#');
  if (hash != std::string_view::npos) ref = ref.substr(0, hash);
  bool delimiter_seen = false;
  for (const char c : ref) {
    if (!IsPlainRefChar(c)) return std::nullopt;
    if (c == '/' || c == '?') delimiter_seen = true;
    // A ':' before any '/' or '?' could end a scheme ("a:b").
    if (c == ':' && !delimiter_seen) return std::nullopt;
  }
  // Parameters to strip or sort live in a query or a ";name=" segment.
  if ((!options_.strip_query_params.empty() || options_.sort_query) &&
      ref.find_first_of("?;") != std::string_view::npos) {
    return std::nullopt;
  }
  const size_t question = ref.find('?');
  const std::string_view ref_path = ref.substr(0, question);
  // libcurl 7.88 departs from RFC 3986 5.2.4 around empty segments next to
  // dot segments ("a/.//b", "..//x") and drops the slash a dot segment leaves
  // before a query ("./?q" gives "/dir?q"); its result is the normal form
  // here, so such references take its path.
  if (ref_path.find("//") != std::string_view::npos) return std::nullopt;
  if (question != std::string_view::npos && HasDotSegment(ref_path)) {
    return std::nullopt;
  }
  const std::string_view query = question == std::string_view::npos
                                     ? std::string_view()
                                     : ref.substr(question + 1);
  std::string merged;
  if (ref_path.empty()) {
    merged = simple_path_;
  } else if (ref_path.front() == '/') {
    merged = std::string(ref_path);
  } else {
    merged = simple_path_.substr(0, simple_path_.rfind('/') + 1);
    merged.append(ref_path);
  }
  std::string out = simple_origin_;
  out += RemoveDotSegments(merged);
  if (!query.empty()) {
    out += '?';
    out.append(query);
  }
  if (out.size() > options_.max_length || !AlreadyNormal(out)) {
    return std::nullopt;
  }
  return out;
}

StatusOr<std::string> UrlResolver::ResolveImpl(std::string_view href,
                                               bool fast_path) const {
  if (href.size() > options_.max_length) return TooLong(options_.max_length);
  // Most hrefs need no cleaning: skip the copy CleanHref makes.
  bool plain = true;
  for (const char c : href) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F || c == '\\') {
      plain = false;
      break;
    }
  }
  std::string ref = plain ? std::string(href) : CleanHref(href);
  // A CR or LF inside the reference (not at its ends, which CleanHref
  // trimmed) refuses it, where browsers would remove it (fault matrix C4:
  // "CRLF rejected"; see url.h).
  if (!plain && ref.find_first_of("\r\n") != std::string::npos) {
    return Malformed(href, "CR or LF inside the reference");
  }
  // An href with an http(s) scheme but without "//" (WHATWG URL, "special
  // relative or authority state"): with the base's scheme it is a relative
  // reference ("http:g", RFC 3986 5.4.2's "backward compatibility" reading);
  // with the other one the slashes are implied ("https:g" -> "https://g").
  // curl refuses both.
  const size_t scheme_length = SchemeLength(ref);
  if (scheme_length > 0) {
    const std::string_view scheme =
        std::string_view(ref).substr(0, scheme_length);
    const std::string_view rest =
        std::string_view(ref).substr(scheme_length + 1);
    if ((EqualsIgnoreCase(scheme, "http") ||
         EqualsIgnoreCase(scheme, "https")) &&
        rest.substr(0, 2) != "//") {
      if (EqualsIgnoreCase(scheme, base_scheme_)) {
        ref = std::string(rest);
      } else {
        const size_t host = rest.find_first_not_of('/');
        std::string fixed = base_scheme_ == "http" ? "https://" : "http://";
        if (host != std::string_view::npos) fixed += rest.substr(host);
        ref = std::move(fixed);
      }
    }
  }
  // An empty or fragment-only reference means the base itself (RFC 3986
  // section 5.2.2; fragments are dropped). curl refuses an empty URL, and
  // libcurl 7.88 resolves "#s" against "http://a/b/c/d;p?q" to "http://a/b/c/".
  if (ref.empty() || ref.front() == '#') return base_url_;
  if (fast_path && plain) {
    std::optional<std::string> simple = ResolveSimple(ref);
    if (simple.has_value()) return std::move(*simple);
  }
  // Spaces and control characters left inside are percent-encoded, as
  // browsers do; curl would refuse them in absolute URLs and turn a space in
  // a relative query into '+'. A space in the host stays an error ("%20" is
  // not a valid host).
  std::string encoded;
  if (plain) {
    encoded = std::move(ref);
  } else {
    encoded.reserve(ref.size());
    for (const char c : ref) {
      const unsigned char u = static_cast<unsigned char>(c);
      if (u <= 0x20 || u == 0x7F) {
        AppendEncoded(u, encoded);
      } else {
        encoded += c;
      }
    }
  }
  // curl_url_dup only reads its argument (its parameter is const in newer
  // libcurl), so concurrent Resolve calls on one resolver are safe.
  Handle h(curl_url_dup(base_.get()));
  if (h == nullptr) return InternalError("curl_url_dup: out of memory");
  RETURN_IF_ERROR(SetUrl(h.get(), encoded, href));
  // Fast path: most links resolve to a URL that curl already writes in
  // normal form. Normalize() takes it apart and rebuilds it with five more
  // curl_url_get calls (about 2 us of the 3 us a link cost): skip that when
  // curl's own rendering has nothing Normalize would change.
  // Only when neither the base nor the reference holds a percent sign or a
  // non-ASCII byte: curl_url_get can change a handle whose host is
  // percent-encoded, and such URLs need Normalize() anyway.
  bool simple = base_url_.find('%') == std::string::npos;
  for (const char c : encoded) {
    if (c == '%' || static_cast<unsigned char>(c) >= 0x80) simple = false;
  }
  if (simple) {
    char* rendered = nullptr;
    if (curl_url_get(h.get(), CURLUPART_URL, &rendered,
                     CURLU_NO_DEFAULT_PORT) == CURLUE_OK) {
      std::string out(rendered);
      curl_free(rendered);
      // Parameters to strip can only be in a query or a ";name=" segment,
      // parameters to sort only in a query.
      const bool nothing_to_rewrite =
          (options_.strip_query_params.empty() ||
           out.find_first_of("?;") == std::string::npos) &&
          (!options_.sort_query || out.find('?') == std::string::npos);
      if (nothing_to_rewrite && AlreadyNormal(out)) {
        if (out.size() > options_.max_length)
          return TooLong(options_.max_length);
        return out;
      }
    }
  }
  return Normalize(h.get(), href, options_);
}

}  // namespace crawler::url
