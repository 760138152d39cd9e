#include "crawler/worker/worker.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "crawler/charset/charset.h"
#include "crawler/sitemap/sitemap.h"
#include "crawler/state/content_hash.h"
#include "crawler/url/url.h"

namespace crawler::worker {
namespace {

constexpr size_t kBodyLimit = 512 * 1024;

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i])
      return false;
  }
  return true;
}

std::string_view TrimLeft(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
    s.remove_prefix(1);
  }
  return s;
}

}  // namespace

// True when the body starts like a binary format (fault matrix C1: a PNG
// served as text/html must never reach the HTML parser).
bool LooksBinary(std::string_view body) {
  std::string_view head = body.substr(0, 512);
  if (head.find('\0') != std::string_view::npos) return true;
  for (std::string_view magic :
       {std::string_view("\x89PNG", 4), std::string_view("GIF8", 4),
        std::string_view("%PDF-", 5), std::string_view("\xFF\xD8\xFF", 3),
        std::string_view("PK\x03\x04", 4), std::string_view("\x1F\x8B", 2)}) {
    if (head.substr(0, magic.size()) == magic) return true;
  }
  return false;
}

bool LooksLikeHtml(std::string_view content_type, std::string_view body) {
  content_type = TrimLeft(content_type);
  if (!content_type.empty()) {
    return (StartsWithNoCase(content_type, "text/html") ||
            StartsWithNoCase(content_type, "application/xhtml+xml")) &&
           !LooksBinary(body);
  }
  // No Content-Type: sniff the start (a subset of the WHATWG MIME sniffing
  // rules), and never hand binary data to the parser.
  std::string_view head = body.substr(0, 1024);
  if (head.find('\0') != std::string_view::npos) return false;
  if (head.size() >= 3 && head.substr(0, 3) == "\xEF\xBB\xBF")
    head.remove_prefix(3);
  head = TrimLeft(head);
  return StartsWithNoCase(head, "<!doctype html") ||
         StartsWithNoCase(head, "<html") || StartsWithNoCase(head, "<head") ||
         StartsWithNoCase(head, "<body") || StartsWithNoCase(head, "<title");
}

ipc::FetchResult BuildResult(fetch::FetchResponse r, bool want_links,
                             const html::HtmlOptions& options) {
  ResultOptions o;
  o.want_links = want_links;
  o.html = options;
  return BuildResult(std::move(r), o);
}

namespace {

// BuildResult but for content_hash.
ipc::FetchResult BuildResultWithoutHash(fetch::FetchResponse r,
                                        const ResultOptions& options) {
  ipc::FetchResult out;
  out.id = r.id;
  out.url = std::move(r.url);
  out.final_url = std::move(r.final_url);
  out.status = r.status;
  out.content_type = std::move(r.content_type);
  out.bytes = r.bytes;
  out.elapsed_ms = r.elapsed_ms;
  out.location = std::move(r.location);
  out.retry_after = std::move(r.retry_after);
  out.etag = std::move(r.etag);
  out.last_modified = std::move(r.last_modified);
  if (!r.error.ok()) {
    out.error = r.error.message();
    out.error_class = r.error_class.empty() ? "other" : r.error_class;
    out.tag = r.error.tag();
    // robots.txt over its cap: the caller parses the part it allows (RFC
    // 9309 2.5); any other failed body is never used.
    if (options.want_body && out.error_class == "too_large") {
      out.body = r.body.substr(0, options.body_limit);
    }
    // A body cut short is returned too when asked for (robots.txt callers
    // treat a failed fetch as unreachable anyway).
    return out;  // A truncated or failed body is never parsed.
  }
  if (options.want_body) {
    out.body = r.body.substr(0, options.body_limit);
    return out;
  }
  // Not modified: nothing was sent to parse (the coordinator keeps what it
  // had).
  if (out.status == 304) return out;
  if (options.want_sitemap) {
    StatusOr<sitemap::Sitemap> map = sitemap::ParseSitemap(r.body);
    if (!map.ok()) {
      out.error = "sitemap_error: " + map.status().message();
      out.error_class = "sitemap_error";
      out.tag = Tag::kPermanent;
      return out;
    }
    out.link_urls = std::move(map->urls);
    out.sitemaps = std::move(map->sitemaps);
    out.links = static_cast<int64_t>(out.link_urls.size());
    return out;
  }
  // One X-Robots-Tag header per line: a "bot:" prefix covers only the
  // rest of its own header.
  html::RobotsDirectives header;
  std::string_view tags = r.x_robots_tag;
  while (!tags.empty()) {
    size_t nl = tags.find('\n');
    html::RobotsDirectives d =
        html::ParseXRobotsTag(tags.substr(0, nl), options.html.robots_token);
    header.noindex = header.noindex || d.noindex;
    header.nofollow = header.nofollow || d.nofollow;
    tags = nl == std::string_view::npos ? "" : tags.substr(nl + 1);
  }
  out.noindex = header.noindex;
  out.nofollow = header.nofollow;
  // gumbo reads UTF-8 only (fault matrix C3): a page in another encoding
  // (by its BOM, the Content-Type charset or a <meta charset>; see
  // crawler/charset) is converted first, invalid bytes becoming U+FFFD, so
  // links come out percent-encoded as UTF-8. A UTF-8 page goes as it is
  // (gumbo replaces its invalid bytes itself). The output is capped just
  // past the parser's input limit (cut at a character boundary, so at most
  // 3 bytes short of the cap), which then refuses it as it would a UTF-8
  // page of that size.
  const charset::Charset cs = charset::DetectCharset(r.body, out.content_type);
  const size_t utf8_cap =
      std::max(options.html.max_input_bytes, options.html.max_input_bytes + 4);
  std::string converted;
  // UTF-16 text is full of NUL bytes, which the binary sniffing of
  // LooksLikeHtml would refuse: it looks at the converted text instead.
  const bool utf16 = charset::IsUtf16(cs.encoding);
  if (utf16) converted = charset::ConvertToUtf8(r.body, cs.encoding, utf8_cap);
  if (!LooksLikeHtml(out.content_type, utf16 ? converted : r.body)) return out;
  if (!utf16 && cs.encoding != charset::kUtf8) {
    converted = charset::ConvertToUtf8(r.body, cs.encoding, utf8_cap);
  }
  const std::string_view page =
      cs.encoding == charset::kUtf8 ? std::string_view(r.body) : converted;
  StatusOr<html::HtmlDocument> doc = html::ExtractHtml(page, options.html);
  if (!doc.ok()) {
    out.error = "parse_limit: " + doc.status().message();
    out.error_class = "parse_limit";
    out.tag = Tag::kPermanent;
    return out;
  }
  out.parsed = true;
  out.title = std::move(doc->title);
  out.noindex = out.noindex || doc->meta_noindex;
  out.nofollow = out.nofollow || doc->meta_nofollow;
  if (!options.want_links) {
    for (const std::string& href : doc->hrefs) {
      out.links += html::IsFollowableHref(href) ? 1 : 0;
    }
    return out;
  }
  // Resolve against <base href> when present (itself resolved against the
  // document's URL), else against the final URL.
  std::string base = out.final_url.empty() ? out.url : out.final_url;
  if (!doc->base_href.empty()) {
    auto doc_resolver = url::UrlResolver::Create(base, options.url);
    if (doc_resolver.ok()) {
      auto b = doc_resolver->Resolve(doc->base_href);
      if (b.ok()) base = *b;
    }
  }
  auto resolver = url::UrlResolver::Create(base, options.url);
  if (!resolver.ok()) return out;
  if (!doc->canonical.empty()) {
    auto c = resolver->Resolve(doc->canonical);
    if (c.ok()) out.canonical = std::move(*c);
  }
  const bool drop_all = options.honour_nofollow && out.nofollow;
  std::unordered_set<std::string> seen;
  for (const html::Link& link : doc->links) {
    if (drop_all || (options.honour_nofollow && link.nofollow)) continue;
    if (!html::IsFollowableHref(link.url)) continue;
    auto u = resolver->Resolve(link.url);
    if (!u.ok()) continue;
    if (seen.insert(*u).second) out.link_urls.push_back(std::move(*u));
  }
  out.links = static_cast<int64_t>(out.link_urls.size());
  return out;
}

}  // namespace

ipc::FetchResult BuildResult(fetch::FetchResponse r,
                             const ResultOptions& options) {
  std::string hash;
  if (options.want_hash && r.error.ok() && r.status >= 200 && r.status < 300) {
    hash = state::ContentHash(r.body, options.hash_sha1
                                          ? state::HashAlgorithm::kSha1
                                          : state::HashAlgorithm::kXxh128);
  }
  ipc::FetchResult out = BuildResultWithoutHash(std::move(r), options);
  // A complete body that failed to parse (parse_limit, sitemap_error) has
  // no hash either: with an error, content_hash is always "".
  if (out.error.empty()) out.content_hash = std::move(hash);
  return out;
}

namespace {

// The worker's loop (RunWorker): tasks in, results out, exchanges into
// `archive` (may be null); sets *archive_failed when that failed.
Status Serve(mp::Connection& conn, fetch::Fetcher& fetcher,
             const WorkerOptions& options, warc::ExchangeArchive* archive,
             bool* archive_failed);

// An archive failure, as RunWorker reports it.
Status ArchiveFailed(const Status& s) {
  return Status(Code::kFailedPrecondition, "warc: " + s.message(),
                Tag::kPermanent);
}

}  // namespace

Status RunWorker(mp::Connection& conn, fetch::Fetcher& fetcher,
                 const WorkerOptions& options) {
  // Ctrl-C reaches the whole process group; the coordinator decides how the
  // crawl stops, so workers ignore SIGINT and finish what they hold.
  ::signal(SIGINT, SIG_IGN);
  std::unique_ptr<warc::ExchangeArchive> archive;
  if (options.archive) {
    // A group-wide SIGTERM too: the files are closed only at the end.
    ::signal(SIGTERM, SIG_IGN);
    StatusOr<std::unique_ptr<warc::ExchangeArchive>> made = options.archive();
    if (!made.ok()) return ArchiveFailed(made.status());
    archive = std::move(*made);
  }
  bool archive_failed = false;
  Status served = Serve(conn, fetcher, options, archive.get(), &archive_failed);
  if (archive != nullptr && !archive_failed) {
    Status closed = archive->Close();
    if (!closed.ok()) return ArchiveFailed(closed);
  }
  return served;
}

namespace {

Status Serve(mp::Connection& conn, fetch::Fetcher& fetcher,
             const WorkerOptions& options, warc::ExchangeArchive* archive,
             bool* archive_failed) {
  // In flight: id -> what the task asked for.
  std::unordered_map<uint64_t, ipc::FetchTask> wants;
  mp::SharedStats* stats = options.stats;
  const int stat_bytes = stats != nullptr ? stats->Slot(kStatBytes) : -1;
  const int stat_parsed = stats != nullptr ? stats->Slot(kStatParsed) : -1;
  const int stat_parse_us =
      stats != nullptr ? stats->Slot(kStatParseMicros) : -1;
  bool input_open = true;
  std::string frame;
  while (input_open || fetcher.InFlight() > 0) {
    // Take every task that has arrived.
    while (input_open && conn.Poll(0)) {
      Status s = conn.Recv(&frame, 10000);
      if (s.code() == Code::kClosed) {
        input_open = false;
        break;
      }
      if (!s.ok()) return s;
      ipc::FetchTask task;
      RETURN_IF_ERROR(ipc::Decode(frame, &task));
      if (!options.crash_on.empty() &&
          task.url.find(options.crash_on) != std::string::npos) {
        ::raise(SIGKILL);
      }
      if (!options.hang_on.empty() &&
          task.url.find(options.hang_on) != std::string::npos) {
        while (true) ::pause();
      }
      ipc::FetchTask& flags = wants[task.id];
      flags.want_links = task.want_links;
      flags.want_body = task.want_body;
      flags.want_sitemap = task.want_sitemap;
      flags.want_hash = task.want_hash;
      flags.hash_sha1 = task.hash_sha1;
      fetch::FetchRequest request{task.id, std::move(task.url)};
      request.if_none_match = std::move(task.if_none_match);
      request.if_modified_since = std::move(task.if_modified_since);
      // robots.txt: read a little past the 500 KiB the parser uses, no more
      // (fault matrix R6: a bigger or inflating file stops there).
      if (task.want_body) {
        request.max_body_bytes = kBodyLimit;
        request.keep_truncated = true;
      }
      // A crawl page is parsed only as HTML (LooksLikeHtml's types): the
      // body of a 2xx answer declared as another type is not read (fault
      // matrix C1). Pages without a Content-Type are read and sniffed;
      // robots.txt, sitemaps and `crawler fetch` URLs are read whatever
      // their type, and so is a page whose hash is wanted (a re-crawl
      // compares the content of every type).
      if (task.want_links && !task.want_hash) {
        request.accept_content_types = {"text/html", "application/xhtml+xml"};
      }
      fetcher.Start(std::move(request));
    }
    if (!input_open && fetcher.InFlight() == 0) break;
    std::vector<fetch::FetchResponse> done =
        fetcher.Poll(input_open ? conn.fd() : -1, 1000);
    for (fetch::FetchResponse& r : done) {
      ResultOptions result_options;
      result_options.html = options.html;
      result_options.honour_nofollow = options.honour_nofollow;
      result_options.url = options.url;
      if (auto it = wants.find(r.id); it != wants.end()) {
        result_options.want_links = it->second.want_links;
        result_options.want_body = it->second.want_body;
        result_options.want_sitemap = it->second.want_sitemap;
        result_options.want_hash = it->second.want_hash;
        result_options.hash_sha1 = it->second.hash_sha1;
        wants.erase(it);
      }
      if (archive != nullptr && !r.exchanges.empty()) {
        Status archived = archive->Archive(r.exchanges);
        if (!archived.ok()) {
          *archive_failed = true;
          return ArchiveFailed(archived);
        }
      }
      r.exchanges.clear();
      const uint64_t bytes = r.bytes;
      const auto t0 = std::chrono::steady_clock::now();
      ipc::FetchResult result = BuildResult(std::move(r), result_options);
      if (stat_bytes >= 0) stats->Add(stat_bytes, static_cast<int64_t>(bytes));
      if (result.parsed && stat_parsed >= 0) {
        stats->Add(stat_parsed, 1);
        if (stat_parse_us >= 0) {
          stats->Add(stat_parse_us,
                     std::chrono::duration_cast<std::chrono::microseconds>(
                         std::chrono::steady_clock::now() - t0)
                         .count());
        }
      }
      RETURN_IF_ERROR(conn.Send(ipc::Encode(result)));
    }
  }
  return Status::Ok();
}

}  // namespace

}  // namespace crawler::worker
