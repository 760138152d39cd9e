#include "crawler/robots/robots.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace crawler::robots {
namespace {

constexpr std::string_view kRobotsTxtPath = "/robots.txt";

bool IsTokenChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
         c == '-';
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

char ToLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ToLower(a[i]) != ToLower(b[i])) return false;
  }
  return true;
}

bool IsHexDigit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
         (c >= 'A' && c <= 'F');
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

// RFC 3986 2.3: ALPHA / DIGIT / "-" / "." / "_" / "~".
bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
}

// Octets that may not appear raw in a URI: non-ASCII, controls, space, DEL and
// the ASCII characters RFC 3986 allows nowhere.
bool MustEncode(unsigned char c) {
  if (c >= 0x80 || c <= 0x20 || c == 0x7F) return true;
  return std::strchr("\"<>\\^`{|}", c) != nullptr;
}

void AppendEncoded(std::string& out, unsigned char c) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out += '%';
  out += kHex[c >> 4];
  out += kHex[c & 15];
}

// Normalizes percent-encoding (see the file comment of robots.h). In a
// pattern, '*' stays the wildcard and a final '$' the end anchor; in a path
// both are data and get encoded.
std::string NormalizeEncoding(std::string_view in, bool is_pattern) {
  std::string out;
  out.reserve(in.size() + in.size() / 4);
  for (size_t i = 0; i < in.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(in[i]);
    if (c == '%') {
      if (i + 2 < in.size() && IsHexDigit(in[i + 1]) && IsHexDigit(in[i + 2])) {
        const unsigned char v = static_cast<unsigned char>(
            HexValue(in[i + 1]) * 16 + HexValue(in[i + 2]));
        if (IsUnreserved(v)) {
          out += static_cast<char>(v);
        } else {
          AppendEncoded(out, v);
        }
        i += 2;
      } else {
        AppendEncoded(out, c);
      }
    } else if (MustEncode(c)) {
      AppendEncoded(out, c);
    } else if (c == '*') {
      if (is_pattern) {
        out += '*';
      } else {
        AppendEncoded(out, c);
      }
    } else if (c == '$') {
      if (is_pattern && i + 1 == in.size()) {
        out += '$';
      } else {
        AppendEncoded(out, c);
      }
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// The Knuth-Morris-Pratt failure function of `p`.
std::vector<int> FailureTable(std::string_view p) {
  std::vector<int> f(p.size(), 0);
  int k = 0;
  for (size_t i = 1; i < p.size(); ++i) {
    while (k > 0 && p[i] != p[k]) k = f[k - 1];
    if (p[i] == p[k]) ++k;
    f[i] = k;
  }
  return f;
}

// The first position at or after `from` where `p` occurs in `text`, in time
// linear in the scanned text: no backtracking on hostile input.
size_t KmpFind(std::string_view text, size_t from, std::string_view p,
               const std::vector<int>& f) {
  if (p.empty()) return from <= text.size() ? from : std::string_view::npos;
  int k = 0;
  const int m = static_cast<int>(p.size());
  for (size_t i = from; i < text.size(); ++i) {
    while (k > 0 && text[i] != p[k]) k = f[k - 1];
    if (text[i] == p[k]) ++k;
    if (k == m) return i + 1 - p.size();
  }
  return std::string_view::npos;
}

// Strips a whole or partial UTF-8 byte order mark.
std::string_view SkipBom(std::string_view body) {
  static constexpr std::string_view kBom = "\xEF\xBB\xBF";
  size_t n = 0;
  while (n < kBom.size() && n < body.size() && body[n] == kBom[n]) ++n;
  body.remove_prefix(n);
  return body;
}

// Applies the parse limit: at most kMaxRobotsBytes, and when the body is
// longer, without the line the limit cuts.
std::string_view ApplyParseLimit(std::string_view body) {
  if (body.size() <= kMaxRobotsBytes) return body;
  const char next = body[kMaxRobotsBytes];
  std::string_view kept = body.substr(0, kMaxRobotsBytes);
  if (next == '\n' || next == '\r') return kept;
  const size_t last_eol = kept.find_last_of("\r\n");
  return last_eol == std::string_view::npos ? std::string_view()
                                            : kept.substr(0, last_eol + 1);
}

enum class Key {
  kUnknown,
  kUserAgent,
  kAllow,
  kDisallow,
  kCrawlDelay,
  kSitemap
};

Key ClassifyKey(std::string_view key) {
  struct Spelling {
    std::string_view text;
    Key key;
  };
  static constexpr Spelling kSpellings[] = {
      {"user-agent", Key::kUserAgent},
      {"useragent", Key::kUserAgent},
      {"user agent", Key::kUserAgent},
      {"user_agent", Key::kUserAgent},
      {"allow", Key::kAllow},
      {"disallow", Key::kDisallow},
      {"dissallow", Key::kDisallow},
      {"dissalow", Key::kDisallow},
      {"disalow", Key::kDisallow},
      {"diasllow", Key::kDisallow},
      {"disallaw", Key::kDisallow},
      {"crawl-delay", Key::kCrawlDelay},
      {"crawldelay", Key::kCrawlDelay},
      {"crawl delay", Key::kCrawlDelay},
      {"crawl_delay", Key::kCrawlDelay},
      {"sitemap", Key::kSitemap},
      {"site-map", Key::kSitemap},
      {"site map", Key::kSitemap},
  };
  for (const Spelling& s : kSpellings) {
    if (EqualsIgnoreCase(key, s.text)) return s.key;
  }
  return Key::kUnknown;
}

struct Directive {
  Key key = Key::kUnknown;
  std::string_view value;
};

// Splits one line (without its end of line) into key and value; nullopt for
// blank, comment-only and unparseable lines.
std::optional<Directive> ParseLine(std::string_view line) {
  if (line.size() > kMaxLineBytes) line = line.substr(0, kMaxLineBytes);
  const size_t hash = line.find('#');
  if (hash != std::string_view::npos) line = line.substr(0, hash);
  line = Trim(line);
  if (line.empty()) return std::nullopt;
  std::string_view key;
  std::string_view value;
  const size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    key = Trim(line.substr(0, colon));
    value = Trim(line.substr(colon + 1));
  } else {
    // Lenient: "Disallow /path", a key and a one-word value.
    size_t space = 0;
    while (space < line.size() && !IsSpace(line[space])) ++space;
    if (space == line.size()) return std::nullopt;
    key = line.substr(0, space);
    value = Trim(line.substr(space));
    for (char c : value) {
      if (IsSpace(c)) return std::nullopt;
    }
  }
  const Key k = ClassifyKey(key);
  if (k == Key::kUnknown) return std::nullopt;
  return Directive{k, value};
}

// Calls `fn(line)` for each line of `body` (CR, LF or CRLF line ends).
template <typename Fn>
void ForEachLine(std::string_view body, Fn&& fn) {
  size_t pos = 0;
  while (pos < body.size()) {
    size_t eol = body.find_first_of("\r\n", pos);
    if (eol == std::string_view::npos) eol = body.size();
    fn(body.substr(pos, eol - pos));
    pos = eol;
    if (pos < body.size()) {
      const bool crlf =
          body[pos] == '\r' && pos + 1 < body.size() && body[pos + 1] == '\n';
      pos += crlf ? 2 : 1;
    }
  }
}

// "10", "0.5", ".5", optionally followed by a seconds unit; nullopt otherwise.
std::optional<double> ParseCrawlDelay(std::string_view value) {
  size_t i = 0;
  double seconds = 0;
  size_t digits = 0;
  while (i < value.size() && value[i] >= '0' && value[i] <= '9') {
    seconds = seconds * 10 + (value[i] - '0');
    ++i;
    ++digits;
  }
  if (i < value.size() && value[i] == '.') {
    ++i;
    double scale = 0.1;
    while (i < value.size() && value[i] >= '0' && value[i] <= '9') {
      seconds += (value[i] - '0') * scale;
      scale /= 10;
      ++i;
      ++digits;
    }
  }
  if (digits == 0 || !std::isfinite(seconds)) return std::nullopt;
  const std::string_view unit = Trim(value.substr(i));
  if (!unit.empty() && !EqualsIgnoreCase(unit, "s") &&
      !EqualsIgnoreCase(unit, "sec") && !EqualsIgnoreCase(unit, "secs") &&
      !EqualsIgnoreCase(unit, "second") && !EqualsIgnoreCase(unit, "seconds")) {
    return std::nullopt;
  }
  return seconds;
}

bool IsStarAgent(std::string_view value) {
  return !value.empty() && value[0] == '*' &&
         (value.size() == 1 || IsSpace(value[1]));
}

// The rules and crawl delay collected for one kind of group.
struct Collected {
  bool seen = false;  // A group of this kind exists, even without rules.
  std::vector<std::pair<bool, std::string_view>> rules;  // (allow, pattern)
  std::optional<double> crawl_delay;

  void AddDelay(double d) {
    if (!crawl_delay.has_value() || d > *crawl_delay) crawl_delay = d;
  }
};

}  // namespace

std::string ProductToken(std::string_view user_agent) {
  size_t i = 0;
  while (i < user_agent.size() && IsSpace(user_agent[i])) ++i;
  size_t end = i;
  while (end < user_agent.size() && IsTokenChar(user_agent[end])) ++end;
  return std::string(user_agent.substr(i, end - i));
}

std::string NormalizePathForMatching(std::string_view path) {
  std::string p = NormalizeEncoding(path, /*is_pattern=*/false);
  if (p.empty() || p[0] != '/') p.insert(p.begin(), '/');
  return p;
}

RobotsPolicy RobotsPolicy::AllowAll() { return RobotsPolicy(); }

RobotsPolicy RobotsPolicy::DisallowAll() {
  RobotsPolicy p;
  p.disallow_all_ = true;
  return p;
}

RobotsPolicy RobotsPolicy::Parse(std::string_view body,
                                 std::string_view product_token) {
  const std::string token = ProductToken(product_token);
  RobotsPolicy policy;
  Collected specific;
  Collected global;

  bool in_group = false;        // A user-agent line was seen.
  bool group_has_rule = false;  // The current group has a rule line.
  bool group_specific = false;  // The current group names our token.
  bool group_global = false;    // The current group is a '*' group.

  ForEachLine(ApplyParseLimit(SkipBom(body)), [&](std::string_view line) {
    const std::optional<Directive> d = ParseLine(line);
    if (!d.has_value()) return;
    switch (d->key) {
      case Key::kUserAgent: {
        if (group_has_rule) {
          group_has_rule = false;
          group_specific = false;
          group_global = false;
        }
        in_group = true;
        if (IsStarAgent(d->value)) {
          group_global = true;
          global.seen = true;
        } else {
          const std::string named = ProductToken(d->value);
          if (!token.empty() && EqualsIgnoreCase(named, token)) {
            group_specific = true;
            specific.seen = true;
          }
        }
        break;
      }
      case Key::kAllow:
      case Key::kDisallow: {
        if (!in_group) break;
        group_has_rule = true;
        if (d->value.empty()) break;  // An empty value is no rule.
        const bool allow = d->key == Key::kAllow;
        if (group_specific) specific.rules.emplace_back(allow, d->value);
        if (group_global) global.rules.emplace_back(allow, d->value);
        break;
      }
      case Key::kCrawlDelay: {
        if (!in_group) break;
        group_has_rule = true;
        const std::optional<double> delay = ParseCrawlDelay(d->value);
        if (!delay.has_value()) break;
        if (group_specific) specific.AddDelay(*delay);
        if (group_global) global.AddDelay(*delay);
        break;
      }
      case Key::kSitemap:
        if (!d->value.empty()) policy.sitemaps_.emplace_back(d->value);
        break;
      case Key::kUnknown:
        break;
    }
  });

  const Collected* selected = specific.seen ? &specific
                              : global.seen ? &global
                                            : nullptr;
  if (selected == nullptr) return policy;
  policy.crawl_delay_ = selected->crawl_delay;
  policy.rules_.reserve(selected->rules.size());
  for (const auto& [allow, pattern] : selected->rules) {
    policy.rules_.push_back(Compile(allow, pattern));
  }
  std::stable_sort(policy.rules_.begin(), policy.rules_.end(),
                   [](const Rule& a, const Rule& b) {
                     if (a.specificity != b.specificity) {
                       return a.specificity > b.specificity;
                     }
                     return a.allow && !b.allow;
                   });
  return policy;
}

RobotsPolicy::Rule RobotsPolicy::Compile(bool allow, std::string_view pattern) {
  Rule rule;
  rule.allow = allow;
  std::string normalized = NormalizeEncoding(pattern, /*is_pattern=*/true);
  rule.specificity = normalized.size();
  if (!normalized.empty() && normalized.back() == '$') {
    rule.anchored_end = true;
    normalized.pop_back();
  }
  // "/a*$" ends in a wildcard: the anchor adds nothing.
  if (rule.anchored_end && !normalized.empty() && normalized.back() == '*') {
    rule.anchored_end = false;
  }
  std::string_view rest = normalized;
  const size_t first_star = rest.find('*');
  rule.pieces.emplace_back(rest.substr(0, first_star));
  rule.failure.emplace_back();
  if (first_star != std::string_view::npos) {
    rest.remove_prefix(first_star + 1);
    while (true) {
      const size_t star = rest.find('*');
      const std::string_view piece = rest.substr(0, star);
      if (!piece.empty()) {
        rule.pieces.emplace_back(piece);
        rule.failure.push_back(FailureTable(piece));
      }
      if (star == std::string_view::npos) break;
      rest.remove_prefix(star + 1);
    }
  }
  rule.has_wildcard = first_star != std::string_view::npos;
  return rule;
}

bool RobotsPolicy::Matches(const Rule& rule, std::string_view path) {
  const std::string& prefix = rule.pieces[0];
  if (path.substr(0, prefix.size()) != prefix) return false;
  if (!rule.has_wildcard) {
    return !rule.anchored_end || path.size() == prefix.size();
  }
  size_t pos = prefix.size();
  const size_t n = rule.pieces.size();
  for (size_t j = 1; j < n; ++j) {
    const std::string& piece = rule.pieces[j];
    if (rule.anchored_end && j + 1 == n) {
      // The last piece must end the path, after what was matched so far.
      return path.size() >= pos + piece.size() &&
             path.substr(path.size() - piece.size()) == piece;
    }
    const size_t at = KmpFind(path, pos, piece, rule.failure[j]);
    if (at == std::string_view::npos) return false;
    pos = at + piece.size();
  }
  return true;
}

bool RobotsPolicy::IsAllowed(std::string_view path) const {
  const std::string normalized = NormalizePathForMatching(path);
  if (normalized == kRobotsTxtPath) return true;
  if (disallow_all_) return false;
  for (const Rule& rule : rules_) {
    if (Matches(rule, normalized)) return rule.allow;
  }
  return true;
}

}  // namespace crawler::robots
