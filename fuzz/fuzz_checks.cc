#include "fuzz/fuzz_checks.h"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/coordinator/retry_after.h"
#include "crawler/html/html_extractor.h"
#include "crawler/ipc/messages.h"
#include "crawler/robots/robots.h"
#include "crawler/schedule/cron.h"
#include "crawler/sitemap/sitemap.h"
#include "crawler/url/url.h"
#include "crawler/warc/content_decoding.h"
#include "crawler/warc/http_message.h"
#include "crawler/warc/warc_reader.h"

namespace crawler::fuzz {
namespace {

// Quotes at most the first 200 bytes of `s` for a failure message, escaping
// non-printable bytes.
std::string Quote(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "'";
  for (size_t i = 0; i < s.size() && i < 200; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
      out.push_back(static_cast<char>(c));
    } else {
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  if (s.size() > 200) out += "...";
  return out + "'";
}

bool IsAsciiWhitespace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

bool IsTrimmed(std::string_view s) {
  return !s.empty() && !IsAsciiWhitespace(s.front()) &&
         !IsAsciiWhitespace(s.back());
}

// Strict UTF-8 (no overlongs, no surrogates, at most U+10FFFF).
bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n;
    uint32_t cp;
    if ((c & 0xe0) == 0xc0) {
      n = 1;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    for (size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return false;
      unsigned char d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3f);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

// ---------------------------------------------------------------- robots

std::string CheckVerdictsAgree(const robots::RobotsPolicy& a,
                               const robots::RobotsPolicy& b,
                               const std::vector<std::string>& paths,
                               std::string_view what) {
  if (a.rule_count() != b.rule_count()) {
    return std::string(what) + ": rule_count " +
           std::to_string(a.rule_count()) + " vs " +
           std::to_string(b.rule_count());
  }
  if (a.crawl_delay_seconds() != b.crawl_delay_seconds()) {
    return std::string(what) + ": crawl-delay differs";
  }
  for (const std::string& p : paths) {
    if (a.IsAllowed(p) != b.IsAllowed(p)) {
      return std::string(what) + ": verdict differs for path " + Quote(p);
    }
  }
  return "";
}

// True when `line`, after leading spaces and tabs, starts with "allow" or
// "di" (every disallow spelling), ASCII case-insensitively: a rule line, or an
// unknown line that is ignored wherever it stands. Such lines never open or
// end a group by their position among each other.
bool IsRuleLikeLine(std::string_view line) {
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
    line.remove_prefix(1);
  }
  auto starts = [&](std::string_view prefix) {
    if (line.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i) {
      char c = line[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != prefix[i]) return false;
    }
    return true;
  };
  return starts("allow") || starts("di");
}

// `body` with the order of every run of consecutive rule-like lines reversed
// (RFC 9309: the order of rules within a group never matters). Line ends (LF,
// CR, CRLF) travel with their lines; a final line end is added first.
std::string ReverseRuleRuns(std::string_view body) {
  std::vector<std::string_view> lines;  // Each with its line end.
  size_t start = 0;
  while (start < body.size()) {
    size_t end = body.find_first_of("\r\n", start);
    if (end == std::string_view::npos) {
      end = body.size();
    } else if (body[end] == '\r' && end + 1 < body.size() &&
               body[end + 1] == '\n') {
      end += 2;
    } else {
      end += 1;
    }
    lines.push_back(body.substr(start, end - start));
    start = end;
  }
  std::string out;
  out.reserve(body.size() + 1);
  size_t i = 0;
  while (i < lines.size()) {
    size_t j = i;
    while (j < lines.size() && IsRuleLikeLine(lines[j])) ++j;
    if (j == i) {
      out.append(lines[i]);
      ++i;
      continue;
    }
    for (size_t k = j; k > i; --k) {
      out.append(lines[k - 1]);
      if (out.back() != '\n' && out.back() != '\r') out.push_back('\n');
    }
    i = j;
  }
  return out;
}

}  // namespace

std::string CheckRobots(std::string_view data) {
  std::string_view body = data;
  std::vector<std::string> paths = {"/",        "/robots.txt", "/index.html",
                                    "/a/b?c=d", "/%7Ex/%2a$",  ""};
  size_t nul = data.rfind('\0');
  if (nul != std::string_view::npos) {
    body = data.substr(0, nul);
    paths.emplace_back(data.substr(nul + 1));
  }
  // Every rule value (text after the first ':' of a line, trimmed), as a path:
  // wildcards and anchors are then matched against their own patterns.
  size_t start = 0;
  while (start < body.size() && paths.size() < 48) {
    size_t end = body.find_first_of("\r\n", start);
    if (end == std::string_view::npos) end = body.size();
    std::string_view line = body.substr(start, end - start);
    size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string_view v = line.substr(colon + 1);
      while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) {
        v.remove_prefix(1);
      }
      while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) {
        v.remove_suffix(1);
      }
      if (!v.empty() && v.size() <= 4096) paths.emplace_back(v);
    }
    start = end + 1;
  }

  robots::RobotsPolicy lower = robots::RobotsPolicy::Parse(body, "crawler");
  for (const std::string& p : paths) lower.IsAllowed(p);
  for (std::string_view p : {"/robots.txt", "robots.txt"}) {
    if (!lower.IsAllowed(p)) {
      return "/robots.txt disallowed by the parsed policy (path " + Quote(p) +
             ")";
    }
  }
  if (!robots::RobotsPolicy::DisallowAll().IsAllowed("/robots.txt")) {
    return "/robots.txt disallowed by DisallowAll()";
  }
  robots::RobotsPolicy upper =
      robots::RobotsPolicy::Parse(body, "CRAWLER/2.0 (+https://x.test/)");
  std::string err =
      CheckVerdictsAgree(lower, upper, paths, "product token case or version");
  if (!err.empty()) return err;
  // Order independence within a group (fault matrix F1). Small bodies only:
  // the 500 KiB cut would fall elsewhere in a reordered body.
  if (body.size() < robots::kMaxRobotsBytes / 2) {
    std::string body_end(body);
    if (!body_end.empty() && body_end.back() != '\n' &&
        body_end.back() != '\r') {
      body_end.push_back('\n');
    }
    robots::RobotsPolicy ended =
        robots::RobotsPolicy::Parse(body_end, "crawler");
    err = CheckVerdictsAgree(lower, ended, paths, "final line end added");
    if (!err.empty()) return err;
    robots::RobotsPolicy reversed =
        robots::RobotsPolicy::Parse(ReverseRuleRuns(body), "crawler");
    err = CheckVerdictsAgree(lower, reversed, paths,
                             "rule order reversed within groups");
    if (!err.empty()) return err;
  }
  robots::NormalizePathForMatching(body.substr(0, 512));
  robots::ProductToken(body.substr(0, 128));
  return "";
}

// ---------------------------------------------------------------- url

namespace {

bool IsHttpUrl(std::string_view u) {
  return u.starts_with("http://") || u.starts_with("https://");
}

// Checks one URL returned as normalized by NormalizeUrl or Resolve.
std::string CheckNormalForm(std::string_view input, const std::string& u,
                            const url::UrlOptions& options,
                            std::string_view what) {
  std::string ctx =
      std::string(what) + " of " + Quote(input) + " gave " + Quote(u) + ": ";
  if (!IsHttpUrl(u)) return ctx + "scheme is not http or https";
  if (u.size() > options.max_length) return ctx + "longer than max_length";
  StatusOr<std::string> again = url::NormalizeUrl(u, options);
  if (!again.ok()) {
    return ctx + "not accepted by NormalizeUrl: " + again.status().message();
  }
  if (*again != u) {
    return ctx + "NormalizeUrl is not idempotent: it gives " + Quote(*again);
  }
  StatusOr<url::UrlParts> parts = url::SplitUrl(u);
  if (!parts.ok()) return ctx + "SplitUrl failed: " + parts.status().message();
  if (!u.starts_with(parts->scheme + "://")) {
    return ctx + "SplitUrl scheme " + Quote(parts->scheme) + " differs";
  }
  if (parts->path_and_query.empty() || parts->path_and_query[0] != '/') {
    return ctx + "path_and_query " + Quote(parts->path_and_query) +
           " does not start with '/'";
  }
  return "";
}

// Resolve's native path for plain references must give libcurl's result.
std::string SameAsLibcurl(const url::UrlResolver& r, std::string_view href) {
  StatusOr<std::string> fast = r.Resolve(href);
  StatusOr<std::string> slow = r.ResolveWithoutFastPathForTesting(href);
  if (fast.ok() != slow.ok() ||
      (fast.ok() ? *fast != *slow
                 : fast.status().message() != slow.status().message())) {
    return "Resolve of " + Quote(href) + " against " + Quote(r.base()) +
           " gives " + (fast.ok() ? Quote(*fast) : fast.status().message()) +
           ", libcurl " + (slow.ok() ? Quote(*slow) : slow.status().message());
  }
  return "";
}

const url::UrlResolver& FixedResolver() {
  static const url::UrlResolver* resolver = [] {
    StatusOr<url::UrlResolver> r =
        url::UrlResolver::Create("http://Example.COM:80/a/b/c;p?q=1#f");
    return new url::UrlResolver(std::move(r).value());
  }();
  return *resolver;
}

}  // namespace

std::string CheckUrl(std::string_view data) {
  url::UrlOptions plain;
  url::UrlOptions strip;
  strip.strip_query_params = {"utm_*", "sid", "jsessionid", "?d"};
  url::UrlOptions sorted = strip;
  sorted.sort_query = true;
  for (const url::UrlOptions* options : {&plain, &strip, &sorted}) {
    StatusOr<std::string> n = url::NormalizeUrl(data, *options);
    if (n.ok()) {
      std::string err = CheckNormalForm(data, *n, *options, "NormalizeUrl");
      if (!err.empty()) return err;
    }
  }
  url::CleanHref(data);
  StatusOr<std::string> r = FixedResolver().Resolve(data);
  if (r.ok()) {
    std::string err = CheckNormalForm(data, *r, plain, "Resolve");
    if (!err.empty()) return err;
  }
  std::string err = SameAsLibcurl(FixedResolver(), data);
  if (!err.empty()) return err;
  size_t nul = data.find('\0');
  if (nul != std::string_view::npos) {
    StatusOr<url::UrlResolver> base =
        url::UrlResolver::Create(data.substr(0, nul), strip);
    if (base.ok()) {
      std::string err =
          CheckNormalForm(data.substr(0, nul), base->base(), strip, "Create");
      if (!err.empty()) return err;
      StatusOr<std::string> r2 = base->Resolve(data.substr(nul + 1));
      if (r2.ok()) {
        err = CheckNormalForm(data, *r2, strip, "Resolve (input base)");
        if (!err.empty()) return err;
      }
      err = SameAsLibcurl(*base, data.substr(nul + 1));
      if (!err.empty()) return err;
      StatusOr<url::UrlResolver> plain_base =
          url::UrlResolver::Create(data.substr(0, nul), plain);
      if (plain_base.ok()) {
        err = SameAsLibcurl(*plain_base, data.substr(nul + 1));
        if (!err.empty()) return err;
      }
    }
  }
  return "";
}

// ---------------------------------------------------------------- html

std::string CheckHtml(std::string_view data) {
  html::HtmlOptions options;
  options.max_input_bytes = 1 << 20;
  options.max_depth = 256;
  options.max_attributes = 64;
  options.max_links = 16;
  options.robots_token = "crawler";
  StatusOr<html::HtmlDocument> doc = html::ExtractHtml(data, options);
  size_t eol = data.find('\n');
  html::ParseXRobotsTag(data.substr(0, eol == data.npos ? 256 : eol),
                        "crawler");
  if (!doc.ok()) return "";
  if (doc->links.size() > options.max_links) {
    return std::to_string(doc->links.size()) + " links, max_links is " +
           std::to_string(options.max_links);
  }
  if (doc->hrefs.size() > options.max_links) {
    return std::to_string(doc->hrefs.size()) + " hrefs, max_links is " +
           std::to_string(options.max_links);
  }
  for (const html::Link& link : doc->links) {
    if (!IsTrimmed(link.url)) return "link " + Quote(link.url) + " untrimmed";
    if (link.kind == html::LinkKind::kFrame && link.nofollow) {
      return "frame link " + Quote(link.url) + " marked nofollow";
    }
  }
  for (const std::string& href : doc->hrefs) {
    if (!IsTrimmed(href)) return "href " + Quote(href) + " untrimmed";
    html::IsFollowableHref(href);
  }
  if (!doc->base_href.empty() && !IsTrimmed(doc->base_href)) {
    return "base href " + Quote(doc->base_href) + " untrimmed";
  }
  if (!doc->canonical.empty() && !IsTrimmed(doc->canonical)) {
    return "canonical " + Quote(doc->canonical) + " untrimmed";
  }
  const std::string& t = doc->title;
  if (!IsValidUtf8(t)) return "title " + Quote(t) + " is not valid UTF-8";
  if (!t.empty() && (t.front() == ' ' || t.back() == ' ')) {
    return "title " + Quote(t) + " untrimmed";
  }
  if (t.find_first_of("\t\n\f\r") != std::string::npos ||
      t.find("  ") != std::string::npos) {
    return "title " + Quote(t) + " has uncollapsed whitespace";
  }
  // Markup compaction (html/markup_compactor.h) never changes the result.
  html::HtmlOptions full = options;
  full.compact_text = false;
  StatusOr<html::HtmlDocument> ref = html::ExtractHtml(data, full);
  if (!ref.ok())
    return "fails only without compaction: " + ref.status().message();
  if (ref->title != doc->title) {
    return "title " + Quote(doc->title) + " with compaction, " +
           Quote(ref->title) + " without";
  }
  if (ref->base_href != doc->base_href || ref->canonical != doc->canonical) {
    return "base href or canonical differ with compaction";
  }
  if (ref->hrefs != doc->hrefs) return "hrefs differ with compaction";
  if (ref->links.size() != doc->links.size()) {
    return "link count differs with compaction";
  }
  for (size_t i = 0; i < ref->links.size(); ++i) {
    const html::Link& a = ref->links[i];
    const html::Link& b = doc->links[i];
    if (a.url != b.url || a.kind != b.kind || a.nofollow != b.nofollow) {
      return "link " + Quote(a.url) + " differs with compaction";
    }
  }
  if (ref->links_truncated != doc->links_truncated ||
      ref->meta_noindex != doc->meta_noindex ||
      ref->meta_nofollow != doc->meta_nofollow) {
    return "flags differ with compaction";
  }
  return "";
}

// ---------------------------------------------------------------- sitemap

std::string CheckSitemap(std::string_view data) {
  sitemap::SitemapOptions options;
  options.max_decompressed_bytes = 64 << 10;
  options.max_urls = 8;
  StatusOr<sitemap::Sitemap> sm = sitemap::ParseSitemap(data, options);
  if (!sm.ok()) return "";
  size_t n = sm->urls.size() + sm->sitemaps.size();
  if (n > options.max_urls) {
    return std::to_string(n) + " entries, max_urls is " +
           std::to_string(options.max_urls);
  }
  if (sm->kind == sitemap::Sitemap::Kind::kIndex && !sm->urls.empty()) {
    return "a sitemap index returned urls";
  }
  if (sm->kind != sitemap::Sitemap::Kind::kIndex && !sm->sitemaps.empty()) {
    return "a urlset or text sitemap returned child sitemaps";
  }
  if (sm->truncated == sm->truncation_reason.empty()) {
    return "truncated is " + std::to_string(sm->truncated) +
           " but truncation_reason is " + Quote(sm->truncation_reason);
  }
  for (const auto* list : {&sm->urls, &sm->sitemaps}) {
    for (const std::string& u : *list) {
      if (u.empty() || u.front() == ' ' || u.front() == '\t' ||
          u.front() == '\r' || u.front() == '\n' || u.back() == ' ' ||
          u.back() == '\t' || u.back() == '\r' || u.back() == '\n') {
        return "entry " + Quote(u) + " empty or untrimmed";
      }
    }
  }
  return "";
}

// ---------------------------------------------------------------- ipc

namespace {

bool Same(const ipc::FetchTask& a, const ipc::FetchTask& b) {
  return a.id == b.id && a.url == b.url && a.want_links == b.want_links &&
         a.want_body == b.want_body && a.want_sitemap == b.want_sitemap;
}

bool Same(const ipc::FetchResult& a, const ipc::FetchResult& b) {
  return a.id == b.id && a.url == b.url && a.final_url == b.final_url &&
         a.status == b.status && a.content_type == b.content_type &&
         a.bytes == b.bytes && a.parsed == b.parsed && a.title == b.title &&
         a.links == b.links && a.link_urls == b.link_urls &&
         a.canonical == b.canonical && a.noindex == b.noindex &&
         a.nofollow == b.nofollow && a.location == b.location &&
         a.retry_after == b.retry_after && a.body == b.body &&
         a.sitemaps == b.sitemaps && a.elapsed_ms == b.elapsed_ms &&
         a.error == b.error && a.error_class == b.error_class && a.tag == b.tag;
}

template <typename Message>
std::string CheckRoundTrip(std::string_view data, std::string_view name) {
  Message m;
  if (!ipc::Decode(data, &m).ok()) return "";
  std::string encoded = ipc::Encode(m);
  std::string ctx = std::string(name) + " decoded from " + Quote(data) + ": ";
  if (encoded.size() > data.size()) {
    return ctx + "re-encoding is longer than the input";
  }
  Message again;
  Status s = ipc::Decode(encoded, &again);
  if (!s.ok()) return ctx + "its encoding does not decode: " + s.message();
  if (!Same(m, again)) return ctx + "Decode(Encode(m)) != m";
  if (ipc::Encode(again) != encoded) return ctx + "Encode is not a fixed point";
  return "";
}

}  // namespace

std::string CheckIpc(std::string_view data) {
  std::string err = CheckRoundTrip<ipc::FetchTask>(data, "FetchTask");
  if (!err.empty()) return err;
  return CheckRoundTrip<ipc::FetchResult>(data, "FetchResult");
}

// ---------------------------------------------------------------- retry_after

std::string CheckRetryAfter(std::string_view data) {
  using std::chrono::seconds;
  using std::chrono::sys_seconds;
  constexpr int64_t kMax = 3600;
  constexpr int64_t kSmallMax = 10;
  const sys_seconds now{seconds(1767225600)};  // 2026-01-01 00:00:00 UTC.
  const sys_seconds later = now + seconds(86400 * 400);
  const std::string ctx = "RetryAfterSeconds of " + Quote(data) + ": ";
  const std::optional<int64_t> v =
      coordinator::RetryAfterSeconds(data, now, kMax);
  if (v && (*v < 0 || *v > kMax)) {
    return ctx + std::to_string(*v) + " is outside [0, max]";
  }
  const std::optional<int64_t> small =
      coordinator::RetryAfterSeconds(data, now, kSmallMax);
  if (small.has_value() != v.has_value() ||
      (v && *small != std::min(*v, kSmallMax))) {
    return ctx + "a smaller cap does not give min(value, cap)";
  }
  const std::string padded = " \t" + std::string(data) + "\t ";
  if (coordinator::RetryAfterSeconds(padded, now, kMax) != v) {
    return ctx + "surrounding whitespace changes the value";
  }
  const std::optional<sys_seconds> date = coordinator::ParseHttpDate(data, now);
  if (coordinator::RetryAfterSeconds(data, later, kMax) != v && !date) {
    return ctx + "depends on now but is not an HTTP-date";
  }
  if (!date) return "";
  const int64_t expected = std::clamp<int64_t>((*date - now).count(), 0, kMax);
  if (v != expected) {
    return ctx + "gives " + (v ? std::to_string(*v) : "no value") +
           " for a date " + std::to_string(expected) + " s ahead (clamped)";
  }
  // FormatHttpDate covers years 0000-9999 (a leap second on the last day
  // of 9999 is past them).
  const std::optional<sys_seconds> last =
      coordinator::ParseHttpDate("Fri, 31 Dec 9999 23:59:59 GMT", now);
  if (*date > *last) return "";
  const std::string text = coordinator::FormatHttpDate(*date);
  if (coordinator::ParseHttpDate(text, now) != date) {
    return "ParseHttpDate of " + Quote(data) + ": its IMF-fixdate " +
           Quote(text) + " does not parse back to the same instant";
  }
  return "";
}

std::string CheckCron(std::string_view data) {
  if (data.size() > 256) return "";  // A crontab line, not a book.
  StatusOr<schedule::CronExpression> cron =
      schedule::CronExpression::Parse(data);
  if (!cron.ok()) return "";
  const std::string ctx = "cron " + Quote(data) + ": ";
  for (const std::string& text : {cron->text(), " \t" + cron->text() + "\t "}) {
    StatusOr<schedule::CronExpression> again =
        schedule::CronExpression::Parse(text);
    if (!again.ok() || again->fields() != cron->fields()) {
      return ctx + "parsing " + Quote(text) + " again gives " +
             (again.ok() ? Quote(again->fields()) : again.status().message());
    }
  }
  // The civil time of `t` in a fixed zone.
  auto civil = [](int64_t t, int offset, int* month, int* day, int* weekday,
                  int* hour, int* minute) {
    const int64_t local = t + offset;
    const int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
    const int64_t secs = local - days * 86400;
    *hour = static_cast<int>(secs / 3600);
    *minute = static_cast<int>(secs % 3600 / 60);
    *weekday = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01: Thu.
    const std::chrono::year_month_day ymd{
        std::chrono::sys_days{std::chrono::days{days}}};
    *month = static_cast<int>(static_cast<unsigned>(ymd.month()));
    *day = static_cast<int>(static_cast<unsigned>(ymd.day()));
  };
  auto matches = [&](int64_t t, int offset) {
    int month, day, weekday, hour, minute;
    civil(t, offset, &month, &day, &weekday, &hour, &minute);
    return cron->Matches(month, day, weekday, hour, minute);
  };
  for (const int offset : {0, 19800}) {
    const std::unique_ptr<schedule::TimeZone> zone =
        schedule::FixedTimeZone(offset);
    // 2026-01-01 00:00:00, 2028-02-28 23:59:30 (a leap day next),
    // 2026-12-31 23:59:59 UTC.
    for (const int64_t start :
         {int64_t{1767225600}, int64_t{1835481570}, int64_t{1798761599}}) {
      const std::optional<int64_t> next = cron->Next(start, *zone);
      if (!next) continue;  // Allowed for the rarest expressions.
      const std::string at = "Next(" + std::to_string(start) + ", UTC+" +
                             std::to_string(offset) +
                             ") = " + std::to_string(*next) + ": ";
      if (*next <= start) return ctx + at + "not after its start";
      if (*next % 60 != 0) return ctx + at + "not a whole minute";
      if (!matches(*next, offset)) return ctx + at + "does not match";
      if (*next - start <= 2 * 86400) {
        for (int64_t t = (start / 60 + 1) * 60; t < *next; t += 60) {
          if (matches(t, offset)) {
            return ctx + at + std::to_string(t) + " matches before it";
          }
        }
      }
      const std::optional<int64_t> after = cron->Next(*next, *zone);
      if (after && *after <= *next)
        return ctx + at + "the next one is not later";
    }
  }
  return "";
}

std::string CheckWarc(std::string_view data) {
  constexpr size_t kMaxRecord = 64 << 10;
  constexpr size_t kMaxDecoded = 64 << 10;
  warc::WarcReaderOptions options;
  options.max_record_bytes = kMaxRecord;
  warc::WarcReader reader(data, options);
  // A record takes at least a version line, a Content-Length field and
  // two line-end pairs (about 30 bytes); deflate expands at most 1032:1.
  const size_t max_records = (data.size() + 1) * 64;
  size_t records = 0;
  uint64_t last_offset = 0;
  warc::ReadRecord r;
  while (true) {
    StatusOr<bool> next = reader.Next(&r);
    if (!next.ok()) {
      const Code code = next.status().code();
      if (code != Code::kDataLoss && code != Code::kResourceExhausted) {
        return "Next failed with neither DataLoss nor ResourceExhausted: " +
               next.status().ToString();
      }
      if (reader.offset() > data.size()) {
        return "a failure at offset " + std::to_string(reader.offset()) +
               " past the input (" + std::to_string(data.size()) + " bytes)";
      }
      if (next.status().message().find("offset " +
                                       std::to_string(reader.offset())) ==
          std::string::npos) {
        return "a failure that does not name its offset " +
               std::to_string(reader.offset()) + ": " + next.status().message();
      }
      StatusOr<bool> again = reader.Next(&r);
      if (again.ok() || again.status().message() != next.status().message()) {
        return "after a failure, the next call did not fail the same way";
      }
      return "";
    }
    if (!*next) return "";
    if (++records > max_records) return "more records than bytes allow";
    if (r.offset < last_offset) return "a record before the one read last";
    last_offset = r.offset;
    if (r.offset + r.stored_length > data.size()) {
      return "a record whose member ends past the input";
    }
    if (r.block.size() > kMaxRecord) return "a block over max_record_bytes";
    // The reader took Content-Length as digits only (leading zeros too).
    const std::string length(r.header.Get("Content-Length"));
    if (std::strtoull(length.c_str(), nullptr, 10) != r.block.size()) {
      return "a block of " + std::to_string(r.block.size()) +
             " bytes under Content-Length " + Quote(length);
    }
    StatusOr<warc::HttpHead> head = warc::ParseHttpHead(r.block);
    if (!head.ok()) continue;
    if (head->size > r.block.size()) return "an HTTP head past its block";
    const std::string_view body = std::string_view(r.block).substr(head->size);
    std::string payload;
    const char* after = body.data();
    std::string error;
    (void)warc::ForEachPayloadPiece(*head, body, [&](std::string_view p) {
      if (!error.empty()) return;
      if (p.data() < after || p.data() + p.size() > body.data() + body.size()) {
        error = "a payload piece outside the body, or out of order";
        return;
      }
      after = p.data() + p.size();
      payload.append(p);
    });
    if (!error.empty()) return error;
    if (payload.size() > body.size()) return "a payload longer than its body";
    const std::string encoding = head->Get("Content-Encoding");
    if (encoding.empty()) continue;
    StatusOr<std::string> decoded =
        warc::DecodeContent(payload, encoding, kMaxDecoded);
    if (decoded.ok()) {
      if (decoded->size() > kMaxDecoded) {
        return "a decoded payload over the cap (" +
               std::to_string(decoded->size()) + " bytes)";
      }
    } else {
      const Code code = decoded.status().code();
      if (code != Code::kInvalidArgument && code != Code::kDataLoss &&
          code != Code::kResourceExhausted) {
        return "DecodeContent failed with an unexpected code: " +
               decoded.status().ToString();
      }
    }
  }
}

}  // namespace crawler::fuzz
