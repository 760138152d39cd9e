#include "crawler/cli/summary.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "crawler/cli/exit_codes.h"

namespace crawler::cli {
namespace {

// Error classes listed at most; the rest are counted together.
constexpr size_t kMaxClasses = 10;

unsigned long long U(uint64_t n) { return static_cast<unsigned long long>(n); }

// "timeout 2, connect_failed 1": most frequent first, then by name.
std::string ClassCounts(const std::map<std::string, uint64_t>& counts) {
  std::vector<std::pair<std::string, uint64_t>> sorted(counts.begin(),
                                                       counts.end());
  std::stable_sort(
      sorted.begin(), sorted.end(),
      [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string out;
  uint64_t other = 0;
  size_t other_classes = 0;
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (i >= kMaxClasses) {
      other += sorted[i].second;
      ++other_classes;
      continue;
    }
    if (!out.empty()) out += ", ";
    out += sorted[i].first + " " + std::to_string(sorted[i].second);
  }
  if (other_classes > 0) {
    out += ", " + std::to_string(other) + " in " +
           std::to_string(other_classes) + " other classes";
  }
  return out;
}

std::string Percent(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g%%", fraction * 100);
  return buf;
}

}  // namespace

std::vector<std::string> CrawlSummaryLines(const coordinator::CrawlSummary& s,
                                           bool insecure) {
  std::vector<std::string> lines;
  char buf[1024];
  std::string by_status = "pages by status: ";
  if (s.status_classes[1] > 0) {
    by_status += "1xx " + std::to_string(s.status_classes[1]) + ", ";
  }
  std::snprintf(buf, sizeof buf,
                "2xx %llu, 3xx %llu, 4xx %llu, 5xx %llu, "
                "none %llu",
                U(s.status_classes[2]), U(s.status_classes[3]),
                U(s.status_classes[4]), U(s.status_classes[5]),
                U(s.status_classes[0]));
  lines.push_back(by_status + buf);
  if (!s.error_classes.empty()) {
    lines.push_back("errors: " + ClassCounts(s.error_classes));
  }
  if (!s.unfetched_classes.empty()) {
    lines.push_back("not fetched: " + ClassCounts(s.unfetched_classes));
  }
  std::snprintf(buf, sizeof buf,
                "%.1f MB from %llu host%s in %.1f s, %.1f "
                "pages/s",
                s.bytes / 1e6, U(s.hosts), s.hosts == 1 ? "" : "s", s.seconds,
                s.seconds > 0 ? s.pages / s.seconds : 0.0);
  lines.push_back(buf);
  if (s.with_state) {
    // The change report (docs/state.md); each record's "change" field
    // says the same per URL.
    // "gone" counts the vanished URLs too (no longer linked; not fetched).
    const std::string vanished =
        s.changes.vanished > 0
            ? " (" + std::to_string(s.changes.vanished) + " vanished)"
            : std::string();
    std::snprintf(buf, sizeof buf,
                  "changes: %llu new, %llu changed, %llu unchanged, %llu "
                  "gone%s; state: %llu URLs resumed, %llu due again, %llu not "
                  "due",
                  U(s.changes.new_urls), U(s.changes.changed),
                  U(s.changes.unchanged), U(s.changes.gone), vanished.c_str(),
                  U(s.changes.resumed), U(s.changes.due), U(s.changes.not_due));
    lines.push_back(buf);
  }
  std::snprintf(
      buf, sizeof buf,
      "crawl stopped (%s): %llu pages (%llu ok, %llu errors, %llu skipped by "
      "type), %.1f MB, %llu robots.txt fetches, %llu sitemaps listed, %llu "
      "fetched (%llu URLs), %llu retries in %.1f s; skipped: %llu seen, %llu "
      "out of scope, %llu by robots.txt, %llu too deep, %llu over the "
      "per-host cap, %llu over the query-variant cap, %llu bad URLs; "
      "seen-set %llu URLs at %.1f bytes/URL",
      s.stop_reason.c_str(), U(s.pages), U(s.ok), U(s.errors),
      U(s.skipped_type), s.bytes / 1e6, U(s.robots_fetches),
      U(s.sitemaps_listed), U(s.sitemap_fetches), U(s.sitemap_urls),
      U(s.retries), s.seconds, U(s.skipped_seen), U(s.skipped_scope),
      U(s.skipped_robots), U(s.skipped_depth), U(s.skipped_host_cap),
      U(s.skipped_query_variants), U(s.skipped_bad_url), U(s.seen),
      s.seen_bytes_per_url);
  std::string last = buf;
  if (s.abandoned > 0) {
    last += "; " + std::to_string(s.abandoned) +
            " requests in flight abandoned after the grace period";
  }
  if (insecure) last += "; --insecure: TLS certificates not verified";
  lines.push_back(last);
  return lines;
}

std::string ErrorRateMessage(double rate, uint64_t errors, uint64_t total,
                             double max_rate, const std::string& unit) {
  return Percent(rate) + " of the fetched " + unit + " ended with an error (" +
         std::to_string(errors) + " of " + std::to_string(total) +
         "), more than --max-error-rate " + Percent(max_rate);
}

int CrawlExitCode(const coordinator::CrawlSummary& s) {
  if (s.interrupted_by != 0) return kExitSignalBase + s.interrupted_by;
  if (s.error_rate_exceeded) return kExitTooManyErrors;
  return kExitOk;
}

int FetchExitCode(const coordinator::FetchJobSummary& s) {
  if (s.interrupted_by != 0) return kExitSignalBase + s.interrupted_by;
  if (s.error_rate_exceeded) return kExitTooManyErrors;
  return kExitOk;
}

}  // namespace crawler::cli
