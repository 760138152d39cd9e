#include "crawler/fetch/request_options.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <strings.h>

#include <set>
#include <string>
#include <string_view>

namespace crawler::fetch {
namespace {

bool IsAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
char Lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

std::string LowerCopy(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Lower(c);
  return out;
}

// RFC 9110 section 5.6.2: tchar.
bool IsTchar(char c) {
  if (IsAlpha(c) || IsDigit(c)) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

// A control character other than HTAB (RFC 5234 CTL: 0x00-0x1F, 0x7F).
bool IsCtlNotTab(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u < 0x20 && c != '\t') || u == 0x7f;
}

bool HasControl(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return true;
  }
  return false;
}

// Names the first control character of `s` for a message: "CR", "LF",
// "NUL" or "0xNN".
std::string ControlName(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u == '\r') return "CR";
    if (u == '\n') return "LF";
    if (u == 0) return "NUL";
    if (u < 0x20 || u == 0x7f) {
      static const char kHex[] = "0123456789abcdef";
      return std::string("0x") + kHex[u >> 4] + kHex[u & 15];
    }
  }
  return "";
}

// The port of "PORT" (1-65535), or 0.
int ParsePort(std::string_view s) {
  if (s.empty() || s.size() > 5) return 0;
  int p = 0;
  for (char c : s) {
    if (!IsDigit(c)) return 0;
    p = p * 10 + (c - '0');
  }
  return p >= 1 && p <= 65535 ? p : 0;
}

// Checks a URL host: a DNS name (letters, digits, '-', '_', '.'; no empty
// label), a dotted IPv4 address or a bracketed IPv6 address. Returns the
// reason it is bad, or "".
std::string BadHost(std::string_view host) {
  if (host.empty()) return "no host";
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return "bad IPv6 address";
    const std::string inner(host.substr(1, host.size() - 2));
    in6_addr a;
    if (inet_pton(AF_INET6, inner.c_str(), &a) != 1) return "bad IPv6 address";
    return "";
  }
  if (host.size() > 253) return "host name longer than 253 characters";
  if (host.front() == '.' || host.back() == '.' ||
      host.find("..") != std::string_view::npos) {
    return "empty label in the host name";
  }
  for (char c : host) {
    if (!(IsAlpha(c) || IsDigit(c) || c == '-' || c == '_' || c == '.')) {
      return "host names must be ASCII letters, digits, '-', '_' and '.' "
             "(write an IDN in punycode, an IPv6 address in brackets)";
    }
  }
  return "";
}

// Splits "HOST[:PORT]" (HOST possibly a bracketed IPv6 address). Returns
// false when the text after the host is not ":PORT".
bool SplitHostPort(std::string_view authority, std::string_view* host,
                   std::string_view* port) {
  size_t host_end;
  if (!authority.empty() && authority.front() == '[') {
    host_end = authority.find(']');
    if (host_end == std::string_view::npos) return false;
    ++host_end;
  } else {
    host_end = authority.find(':');
    if (host_end == std::string_view::npos) host_end = authority.size();
  }
  *host = authority.substr(0, host_end);
  std::string_view rest = authority.substr(host_end);
  if (rest.empty()) {
    *port = {};
    return true;
  }
  if (rest.front() != ':') return false;
  *port = rest.substr(1);
  return true;
}

// Headers an extra header must not set, and why.
struct RefusedHeader {
  const char* name;
  const char* why;
};
constexpr RefusedHeader kRefusedHeaders[] = {
    {"host", "the Host header is the URL's"},
    {"content-length", "message framing is libcurl's"},
    {"transfer-encoding", "message framing is libcurl's"},
    {"te", "connection management is libcurl's"},
    {"trailer", "message framing is libcurl's"},
    {"connection", "connection management is libcurl's"},
    {"keep-alive", "connection management is libcurl's"},
    {"proxy-connection", "connection management is libcurl's"},
    {"upgrade", "connection management is libcurl's"},
    {"user-agent", "use --user-agent (robots.txt rules are matched on it)"},
    {"authorization",
     "extra headers go to every host; use --auth, which sends credentials "
     "to one origin only"},
    {"proxy-authorization",
     "credentials for the proxy come from --proxy-user-env"},
    {"cookie",
     "extra headers go to every host; --cookies keeps cookies per host"},
};

}  // namespace

StatusOr<Origin> ParseOrigin(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return InvalidArgumentError(
        "origin '" + std::string(text) + "': " + why +
        " (expected [http://|https://]HOST[:PORT], e.g. "
        "'https://api.example.com' or 'http://intranet.example:8080')");
  };
  if (HasControl(text)) return bad("control character in it");
  Origin o;
  std::string_view rest = text;
  const size_t sep = rest.find("://");
  if (sep != std::string_view::npos) {
    o.scheme = LowerCopy(rest.substr(0, sep));
    rest.remove_prefix(sep + 3);
    if (o.scheme != "http" && o.scheme != "https") {
      return bad("the scheme must be http or https");
    }
  } else {
    o.scheme = "https";
  }
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find('@') != std::string_view::npos) {
    return bad("no user information: credentials come from the environment");
  }
  if (rest.find_first_of("/?#") != std::string_view::npos) {
    return bad("an origin has no path, query or fragment");
  }
  std::string_view host, port;
  if (!SplitHostPort(rest, &host, &port)) return bad("bad port");
  const std::string why = BadHost(host);
  if (!why.empty()) return bad(why);
  o.host = LowerCopy(host);
  if (port.data() == nullptr) {
    o.port = o.scheme == "https" ? 443 : 80;
  } else {
    o.port = ParsePort(port);
    if (o.port == 0) return bad("the port must be from 1 to 65535");
  }
  return o;
}

std::string FormatOrigin(const Origin& origin) {
  return origin.scheme + "://" + origin.host + ":" +
         std::to_string(origin.port);
}

StatusOr<std::string> ParseRequestHeader(std::string_view header) {
  // A header with a control character is not quoted: it would break the
  // message's line.
  if (header.size() > kMaxRequestHeaderBytes) {
    return InvalidArgumentError("header of " + std::to_string(header.size()) +
                                " bytes (at most " +
                                std::to_string(kMaxRequestHeaderBytes) + ")");
  }
  const size_t colon = header.find(':');
  const std::string_view name =
      header.substr(0, colon == std::string_view::npos ? header.size() : colon);
  if (HasControl(name)) {
    return InvalidArgumentError("header name holds a control character (" +
                                ControlName(name) + ")");
  }
  if (colon == std::string_view::npos) {
    return InvalidArgumentError("header '" + std::string(header) +
                                "': expected 'Name: value'");
  }
  if (name.empty()) {
    return InvalidArgumentError("header '" + std::string(header) +
                                "': empty name");
  }
  for (char c : name) {
    if (!IsTchar(c)) {
      return InvalidArgumentError(
          "header '" + std::string(header) +
          "': the name must be an RFC 9110 token (letters, digits and "
          "!#$%&'*+-.^_`|~; no space before the colon)");
    }
  }
  std::string_view value = header.substr(colon + 1);
  for (char c : value) {
    if (IsCtlNotTab(c)) {
      return InvalidArgumentError("header '" + std::string(name) +
                                  "': the value holds a control character (" +
                                  ControlName(value) + ")");
    }
  }
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
    value.remove_prefix(1);
  }
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
    value.remove_suffix(1);
  }
  if (value.empty()) {
    return InvalidArgumentError("header '" + std::string(name) +
                                "': empty value");
  }
  const std::string lower = LowerCopy(name);
  for (const RefusedHeader& r : kRefusedHeaders) {
    if (lower == r.name) {
      return InvalidArgumentError("header '" + std::string(name) +
                                  "' is not allowed: " + r.why);
    }
  }
  return std::string(name) + ": " + std::string(value);
}

Status CheckProxyUrl(std::string_view url) {
  if (url.find('@') != std::string_view::npos) {
    // Not quoted: the text before '@' is probably a password.
    return InvalidArgumentError(
        "proxy URL must not hold credentials (user:password@); they are "
        "read from an environment variable (--proxy-user-env)");
  }
  auto bad = [&](const std::string& why) {
    return InvalidArgumentError(
        "proxy URL '" + std::string(url) + "': " + why +
        " (expected SCHEME://HOST:PORT with SCHEME http, https, socks5 or "
        "socks5h, e.g. 'http://proxy.example:3128')");
  };
  if (HasControl(url)) {
    return InvalidArgumentError("proxy URL holds a control character (" +
                                ControlName(url) + ")");
  }
  if (url.size() > kMaxProxyUrlBytes) return bad("too long");
  const size_t sep = url.find("://");
  if (sep == std::string_view::npos) return bad("no scheme");
  const std::string scheme = LowerCopy(url.substr(0, sep));
  if (scheme != "http" && scheme != "https" && scheme != "socks5" &&
      scheme != "socks5h") {
    return bad("unsupported scheme '" + scheme + "'");
  }
  std::string_view rest = url.substr(sep + 3);
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find_first_of("/?#") != std::string_view::npos) {
    return bad("a proxy URL has no path, query or fragment");
  }
  std::string_view host, port;
  if (!SplitHostPort(rest, &host, &port)) return bad("bad port");
  const std::string why = BadHost(host);
  if (!why.empty()) return bad(why);
  if (port.data() == nullptr) return bad("the port is required");
  if (ParsePort(port) == 0) return bad("the port must be from 1 to 65535");
  return Status::Ok();
}

Status CheckNoProxyEntry(std::string_view entry) {
  auto bad = [&](const std::string& why) {
    return InvalidArgumentError(
        "no-proxy entry '" + std::string(entry) + "': " + why +
        " (expected a host name, an IP address, ADDRESS/PREFIX or '*')");
  };
  if (HasControl(entry)) {
    return InvalidArgumentError("no-proxy entry holds a control character (" +
                                ControlName(entry) + ")");
  }
  if (entry.empty()) return bad("empty");
  if (entry.size() > kMaxProxyUrlBytes) return bad("too long");
  if (entry == "*") return Status::Ok();
  for (char c : entry) {
    if (!(IsAlpha(c) || IsDigit(c) || c == '-' || c == '_' || c == '.' ||
          c == ':' || c == '[' || c == ']' || c == '/')) {
      return bad("unexpected character '" + std::string(1, c) + "'");
    }
  }
  return Status::Ok();
}

Status CheckProxyCredentials(std::string_view credentials) {
  if (credentials.size() > kMaxSecretBytes) {
    return InvalidArgumentError("proxy credentials longer than " +
                                std::to_string(kMaxSecretBytes) + " bytes");
  }
  if (HasControl(credentials)) {
    return InvalidArgumentError("proxy credentials hold a control character (" +
                                ControlName(credentials) + ")");
  }
  const size_t colon = credentials.find(':');
  if (colon == std::string_view::npos) {
    return InvalidArgumentError(
        "proxy credentials must be USER:PASSWORD (no ':' in them)");
  }
  if (colon == 0) {
    return InvalidArgumentError(
        "proxy credentials must be USER:PASSWORD (empty USER)");
  }
  return Status::Ok();
}

Status CheckAuthSecret(AuthScheme scheme, std::string_view secret) {
  const char* what =
      scheme == AuthScheme::kBasic ? "basic credentials" : "bearer token";
  if (secret.empty()) return InvalidArgumentError(std::string(what) + " empty");
  if (secret.size() > kMaxSecretBytes) {
    return InvalidArgumentError(std::string(what) + " longer than " +
                                std::to_string(kMaxSecretBytes) + " bytes");
  }
  if (HasControl(secret)) {
    return InvalidArgumentError(std::string(what) +
                                " hold a control character (" +
                                ControlName(secret) + ")");
  }
  if (scheme == AuthScheme::kBasic) {
    const size_t colon = secret.find(':');
    if (colon == std::string_view::npos) {
      return InvalidArgumentError(
          "basic credentials must be USER:PASSWORD (no ':' in them)");
    }
    if (colon == 0) {
      return InvalidArgumentError(
          "basic credentials must be USER:PASSWORD (empty USER)");
    }
    return Status::Ok();
  }
  // RFC 6750 section 2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" /
  // "~" / "+" / "/" ) *"="
  size_t i = 0;
  while (i < secret.size()) {
    const char c = secret[i];
    if (!(IsAlpha(c) || IsDigit(c) || c == '-' || c == '.' || c == '_' ||
          c == '~' || c == '+' || c == '/')) {
      break;
    }
    ++i;
  }
  const size_t body = i;
  while (i < secret.size() && secret[i] == '=') ++i;
  if (body == 0 || i != secret.size()) {
    return InvalidArgumentError(
        "bearer token is not an RFC 6750 b64token (letters, digits and "
        "-._~+/, then optional '=')");
  }
  return Status::Ok();
}

StatusOr<AuthScheme> ParseAuthScheme(std::string_view name) {
  const std::string lower = LowerCopy(name);
  if (lower == "basic") return AuthScheme::kBasic;
  if (lower == "bearer") return AuthScheme::kBearer;
  return InvalidArgumentError("authentication scheme '" + std::string(name) +
                              "': expected basic or bearer");
}

const char* AuthSchemeName(AuthScheme scheme) {
  return scheme == AuthScheme::kBasic ? "basic" : "bearer";
}

Status ValidateRequestOptions(const FetchOptions& options) {
  if (options.headers.size() > kMaxRequestHeaders) {
    return InvalidArgumentError(
        "headers: at most " + std::to_string(kMaxRequestHeaders) +
        " extra headers, got " + std::to_string(options.headers.size()));
  }
  for (const std::string& h : options.headers) {
    StatusOr<std::string> parsed = ParseRequestHeader(h);
    if (!parsed.ok()) return parsed.status().WithContext("headers");
    if (*parsed != h) {
      return InvalidArgumentError("headers: '" + h +
                                  "' is not in the form 'Name: value'");
    }
  }
  if (!options.proxy.empty()) {
    Status s = CheckProxyUrl(options.proxy);
    if (!s.ok()) return s.WithContext("proxy");
  }
  if (!options.proxy_credentials.empty()) {
    if (options.proxy.empty()) {
      return InvalidArgumentError("proxy_credentials: set without a proxy");
    }
    Status s = CheckProxyCredentials(options.proxy_credentials);
    if (!s.ok()) return s.WithContext("proxy_credentials");
  }
  if (!options.no_proxy.empty() && options.proxy.empty()) {
    return InvalidArgumentError("no_proxy: set without a proxy");
  }
  for (const std::string& e : options.no_proxy) {
    Status s = CheckNoProxyEntry(e);
    if (!s.ok()) return s.WithContext("no_proxy");
  }
  std::set<std::string> origins;
  for (const HostAuth& a : options.auth) {
    StatusOr<Origin> o = ParseOrigin(a.origin);
    if (!o.ok()) return o.status().WithContext("auth");
    if (FormatOrigin(*o) != a.origin) {
      return InvalidArgumentError("auth: origin '" + a.origin +
                                  "' is not in the form scheme://host:port "
                                  "(e.g. '" +
                                  FormatOrigin(*o) + "')");
    }
    if (!origins.insert(a.origin).second) {
      return InvalidArgumentError("auth: two entries for " + a.origin);
    }
    Status s = CheckAuthSecret(a.scheme, a.secret);
    if (!s.ok()) return s.WithContext("auth for " + a.origin);
  }
  return Status::Ok();
}

}  // namespace crawler::fetch
