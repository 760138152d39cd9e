// robots.txt parsing and matching per RFC 9309 (the Robots Exclusion
// Protocol), https://www.rfc-editor.org/rfc/rfc9309.
//
// This package is pure: it turns a robots.txt *body* and a product token into
// a RobotsPolicy, and answers "may this path be fetched?". Fetching the file,
// caching it, and mapping HTTP outcomes to a policy belong to the caller:
//   - 2xx: RobotsPolicy::Parse(body, token);
//   - 4xx, or no robots.txt: RobotsPolicy::AllowAll() (RFC 9309 2.3.1.3);
//   - 5xx, 429, network error, body cut short: RobotsPolicy::DisallowAll()
//     (RFC 9309 2.3.1.4; 429 as decided in the fault matrix).
//
// Parsing never fails: robots.txt comes from the network and is untrusted, so
// every line that can be understood is used and every other line is skipped
// (RFC 9309 2.3.1.5). Time and memory are bounded by the 500 KiB parse limit,
// the line-length cap and a linear-time matcher.
//
// Decisions taken where RFC 9309 leaves room (each one has a test):
//   - Parse limit: the first 500 KiB (512,000 bytes) are parsed; when the body
//     is longer, the line cut by the limit is dropped (2.5).
//   - A UTF-8 byte order mark at the start, whole or partial (EF, EF BB,
//     EF BB BF), is skipped. Lines end at CR, LF or CRLF.
//   - Lines longer than 16,384 bytes are truncated to that length (the rest is
//     ignored), which keeps any pattern a URL of up to 8 KiB needs.
//   - Keys are case-insensitive. Accepted spellings (common typos):
//       user-agent: "user-agent", "useragent", "user agent", "user_agent"
//       allow:      "allow"
//       disallow:   "disallow", "dissallow", "dissalow", "disalow",
//                   "diasllow", "disallaw"
//       crawl-delay: "crawl-delay", "crawldelay", "crawl delay",
//                    "crawl_delay"
//       sitemap:    "sitemap", "site-map", "site map"
//     A missing colon is tolerated when the key and a one-word value are
//     separated by whitespace ("Disallow /private"). Unknown keys are ignored
//     and do not end a group.
//   - Groups: consecutive user-agent lines (blank lines, comments, sitemap and
//     unknown lines between them do not matter) open one group; a user-agent
//     line after an allow, disallow or crawl-delay line opens the next group.
//     Rules before the first user-agent line are ignored (2.1).
//   - A user-agent line names the product token made of its value's leading
//     [A-Za-z_-] characters ("Foo Bar" and "Foo/1.2" name "Foo"); "*" names the
//     global group. Other values match nothing.
//   - Group selection: every group naming the product token
//     (case-insensitively) is merged; if none does, every "*" group is merged;
//     if there is none either, everything is allowed (2.2.1). A specific group
//     never inherits "*" rules, even when it has no rules of its own.
//   - Specificity ("the match with the most octets", 2.2.2) is the length of
//     the rule's pattern after percent-encoding normalization, '*' and '$'
//     included. Allow wins a tie. Rule order never matters.
//   - Percent-encoding (2.2.2), applied to patterns and paths alike: octets
//     outside ASCII, controls, space and the ASCII characters RFC 3986 allows
//     nowhere (" < > \ ^ ` { | }) are encoded; "%xx" escapes of unreserved
//     characters (A-Z a-z 0-9 - . _ ~) are decoded; other escapes keep their
//     encoding with upper-case hex; a '%' not followed by two hex digits is
//     encoded as %25. Raw reserved characters stay raw, so "/" and "%2F"
//     differ. In a path, '*' and '$' are data and compare equal to %2A and %24
//     (2.2.3); in a pattern, '*' is the wildcard and a final '$' the end
//     anchor, and a '$' elsewhere is a literal (%24).
//   - Patterns are matched from the first octet of the path; a pattern that
//     starts with neither '/' nor '*' can therefore never match. An empty
//     allow or disallow value is no rule.
//   - "/robots.txt" (exactly, no query) is always allowed, even by
//     DisallowAll().
//   - Crawl-delay: a non-negative decimal number ("10", "0.5", ".5"),
//     optionally followed by "s", "sec", "secs", "second" or "seconds"; any
//     other value is ignored. When the selected groups give several valid
//     values, the largest is kept. Crawl-delay lines before the first
//     user-agent line are ignored.
//   - Sitemap: every non-empty sitemap value, trimmed, in file order,
//     duplicates kept, whatever the group; the values are not resolved or
//     checked (the caller decides what to fetch).
//
// Thread-safety: a RobotsPolicy is an immutable value after construction; its
// const methods may be called concurrently from many threads.
#ifndef CRAWLER_ROBOTS_ROBOTS_H_
#define CRAWLER_ROBOTS_ROBOTS_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crawler::robots {

// The number of bytes of a robots.txt that are parsed (RFC 9309 2.5: at least
// 500 KiB).
inline constexpr size_t kMaxRobotsBytes = 500 * 1024;
// Longer lines are truncated to this many bytes.
inline constexpr size_t kMaxLineBytes = 16 * 1024;

// Extracts the product token from a User-Agent header value or a bare token:
// leading spaces and tabs are skipped, then the token is the run of
// [A-Za-z_-] characters (RFC 9309 2.2.1), ending at the first other
// character. "Crawler/0.1 (+https://x)" -> "Crawler"; "" or "/1.0" -> "".
std::string ProductToken(std::string_view user_agent);

// The rules of one robots.txt as they apply to one product token.
class RobotsPolicy {
 public:
  // Everything is allowed (robots.txt answered 4xx, or does not exist).
  static RobotsPolicy AllowAll();
  // Everything but "/robots.txt" is disallowed (robots.txt unreachable: 5xx,
  // 429, network error, body cut short).
  static RobotsPolicy DisallowAll();
  // Parses at most the first kMaxRobotsBytes of `body` (a partial last line is
  // dropped) and keeps the rules of the groups matching `product_token`
  // (case-insensitive, merged when several match), else those of the '*'
  // group(s), else none (allow all). `product_token` may be a full User-Agent
  // value: ProductToken() is applied to it. An empty token matches only '*'.
  // Never fails; see the file comment for the decisions taken.
  static RobotsPolicy Parse(std::string_view body,
                            std::string_view product_token);

  // RFC 9309 2.2.2: whether `path` (the URL's path plus "?query", starting
  // with '/'; a missing leading '/' is added) may be fetched. Longest match
  // wins, Allow wins ties, '*' and '$' are supported, percent-encoding is
  // normalized on both sides, "/robots.txt" is always allowed. Runs in time
  // linear in the total size of the path and the patterns (no backtracking).
  bool IsAllowed(std::string_view path) const;

  // The Crawl-delay of the selected group(s), in seconds, if one was valid.
  std::optional<double> crawl_delay_seconds() const { return crawl_delay_; }
  // Every Sitemap value in the file, whatever the group, in file order.
  const std::vector<std::string>& sitemaps() const { return sitemaps_; }
  // The number of allow and disallow rules that apply (for diagnostics).
  size_t rule_count() const { return rules_.size(); }

 private:
  // One allow or disallow rule, compiled for matching.
  struct Rule {
    bool allow = false;
    // Length of the normalized pattern: the rule's specificity.
    size_t specificity = 0;
    // The literal pieces between '*' wildcards, normalized. The first piece
    // is anchored at the start of the path; with `anchored_end`, the last
    // piece is anchored at its end.
    std::vector<std::string> pieces;
    // KMP failure tables, one per piece (pieces[0] needs none).
    std::vector<std::vector<int>> failure;
    // The pattern has at least one '*'.
    bool has_wildcard = false;
    bool anchored_end = false;
  };

  RobotsPolicy() = default;
  static Rule Compile(bool allow, std::string_view pattern);
  static bool Matches(const Rule& rule, std::string_view path);

  bool disallow_all_ = false;
  // Sorted by decreasing specificity, allow before disallow at equal
  // specificity: the first rule that matches decides.
  std::vector<Rule> rules_;
  std::optional<double> crawl_delay_;
  std::vector<std::string> sitemaps_;
};

// Normalizes the percent-encoding of a URL path (plus query) the way
// IsAllowed() compares it (see the file comment). Exposed for tests and
// diagnostics.
std::string NormalizePathForMatching(std::string_view path);

}  // namespace crawler::robots

#endif  // CRAWLER_ROBOTS_ROBOTS_H_
