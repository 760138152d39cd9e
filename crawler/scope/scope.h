// Crawl scope: which normalized URLs a crawl may fetch.
//
// A Scope is built once from ScopeOptions and the seed URLs, then asked about
// every discovered URL (and every redirect hop) with Check(). A URL is in
// scope when it passes every rule, checked in this order (the first failure
// is reported):
//   1. url_too_long:   length <= max_url_length (checked before parsing);
//   2. bad_url:        a valid absolute http(s) URL (crawler/url);
//   3. out_of_scope:   the host is not in (or under) a deny_domains entry;
//                      the host is in (or under) an allow_domains entry, when
//                      there are any;
//                      the mode: kHost, the host of some seed; kDomain, the
//                      registered domain (eTLD+1, libpsl) of some seed's
//                      host; kAny, anything;
//                      no exclude pattern matches; some include pattern
//                      matches, when there are any;
//   4. trap_suspected: no path segment more than max_path_repetitions times;
//                      at most max_query_params query parameters.
// Hosts compare without port or scheme: "http://a/" and "https://a:8443/"
// have the same host. Patterns are RE2 regular expressions matched anywhere
// in the normalized URL (RE2::PartialMatch): RE2 runs in time linear in the
// URL, so a hostile URL cannot make a pattern backtrack exponentially.
//
// A per-host page budget (fault matrix T1) and the per-path budget of query
// variants (T5) need state across the crawl and belong to the frontier
// (FrontierOptions::per_host_cap, max_query_variants), not here.
//
// Thread-safety: a Scope is immutable after Create(); Check() and
// RegisteredDomain() may be called concurrently from many threads.
#ifndef CRAWLER_SCOPE_SCOPE_H_
#define CRAWLER_SCOPE_SCOPE_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "crawler/base/status.h"
#include "crawler/url/url.h"

namespace re2 {
class RE2;
}

namespace crawler::scope {

// Which hosts a crawl may leave its seeds for.
enum class ScopeMode {
  kHost,    // "host": only the seeds' hosts (the default).
  kDomain,  // "domain": any host under a seed's registered domain.
  kAny,     // "any": any host (still limited by the other rules).
};

// Parses "host", "domain" or "any" (the --scope values). Fails with
// InvalidArgument naming the bad value and listing the valid ones.
StatusOr<ScopeMode> ParseScopeMode(std::string_view name);

// "host", "domain" or "any".
const char* ScopeModeName(ScopeMode mode);

struct ScopeOptions {
  // Which hosts are in scope, relative to the seeds' hosts.
  ScopeMode mode = ScopeMode::kHost;

  // If non-empty, the host must be one of these domains or a subdomain of
  // one ("example.com" allows "example.com" and "a.example.com"). Applies on
  // top of `mode`; use kAny to crawl exactly these domains. Case-insensitive;
  // IDN in UTF-8 or punycode; a leading "." or "*." is ignored.
  std::vector<std::string> allow_domains;
  // Never crawled, nor their subdomains; wins over everything else. Same
  // syntax as allow_domains.
  std::vector<std::string> deny_domains;

  // RE2 patterns: if any, the normalized URL must match one (partial match).
  std::vector<std::string> include;
  // RE2 patterns: a normalized URL matching any of them is skipped.
  std::vector<std::string> exclude;

  // Traps (fault matrix T3-T5). 0 turns a check off.
  // Longest URL crawled, in bytes (2083, like Scrapy's URLLENGTH_LIMIT).
  size_t max_url_length = 2083;
  // A non-empty path segment appearing more often than this in one path
  // ("/a/a/a/a/", "/x/y/x/y/x/y/x/y") marks a trap.
  int max_path_repetitions = 3;
  // More query parameters ('&'-separated, non-empty) than this marks a trap.
  int max_query_params = 30;
};

class Scope {
 public:
  // Compiles the patterns and records the seeds' hosts and registered
  // domains. Fails with InvalidArgument (kPermanent) naming the bad regular
  // expression and RE2's error ("invalid exclude regular expression '(':
  // missing ): ("), a bad allow/deny domain, or a seed URL that is not a
  // valid http(s) URL; and when mode is kHost or kDomain with no seeds.
  static StatusOr<Scope> Create(const ScopeOptions& options,
                                const std::vector<std::string>& seed_urls);

  Scope(Scope&&) noexcept;
  Scope& operator=(Scope&&) noexcept;
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;
  ~Scope();

  // OK when `normalized_url` (from url::NormalizeUrl or UrlResolver::Resolve)
  // is in scope. Otherwise a Status tagged kPermanent whose message starts
  // with the reason class and says which rule failed:
  //   "url_too_long: 2100 bytes, more than max_url_length 2083: 'http://...'"
  //     (code kResourceExhausted; the URL is quoted only in part),
  //   "bad_url: malformed URL '...': ..." (kInvalidArgument),
  //   "out_of_scope: host 'b.example' is not a seed host (scope host)"
  //     (kFailedPrecondition),
  //   "trap_suspected: path segment 'a' appears more than
  //     max_path_repetitions 3 times" (kResourceExhausted).
  Status Check(std::string_view normalized_url) const;
  // The same for a URL already split with url::SplitUrl (saves a parse).
  // REQUIRES: parts == url::SplitUrl(normalized_url).value().
  Status Check(std::string_view normalized_url,
               const url::UrlParts& parts) const;

  // The registered domain (eTLD+1) of `host` from the Public Suffix List via
  // libpsl: "a.example.co.uk" -> "example.co.uk", "www.example.com" ->
  // "example.com". IP literals ("127.0.0.1", "[::1]"), single-label hosts
  // ("localhost") and public suffixes themselves ("co.uk") are returned
  // as they are. `host` is lowercased first; pass punycode for IDN hosts.
  static std::string RegisteredDomain(std::string_view host);

 private:
  Scope();

  ScopeOptions options_;  // Domains normalized, as matched.
  std::unordered_set<std::string> seed_hosts_;
  std::unordered_set<std::string> seed_domains_;
  std::vector<std::unique_ptr<re2::RE2>> include_;
  std::vector<std::unique_ptr<re2::RE2>> exclude_;
};

}  // namespace crawler::scope

#endif  // CRAWLER_SCOPE_SCOPE_H_
