#include "crawler/report/collector.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <unordered_map>
#include <utility>

#include "crawler/coordinator/crawl_job.h"
#include "crawler/output/json.h"

namespace crawler::report {
namespace {

// `s` cut to at most `max` bytes without splitting a UTF-8 sequence, with
// "..." appended when cut.
std::string Cut(const std::string& s, size_t max) {
  if (s.size() <= max) return s;
  size_t end = max;
  // Step back over continuation bytes (10xxxxxx) to a character start.
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end) + "...";
}

// A string from the web: passwords in URLs hidden (fault matrix S7), cut.
std::string Clean(const std::string& s, size_t max) {
  if (s.find('@') == std::string::npos) return Cut(s, max);
  return Cut(output::RedactUserinfo(s), max);
}

bool Slower(const SlowPage& a, const SlowPage& b) {
  return a.elapsed_ms > b.elapsed_ms;
}

}  // namespace

std::string OriginOf(const std::string& url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  const size_t host_start = scheme_end + 3;
  size_t end = url.find_first_of("/?#", host_start);
  if (end == std::string::npos) end = url.size();
  std::string authority = url.substr(host_start, end - host_start);
  const size_t at = authority.rfind('@');
  if (at != std::string::npos) authority.erase(0, at + 1);
  return url.substr(0, host_start) + authority;
}

std::string MediaType(const std::string& content_type) {
  std::string out;
  for (char c : content_type) {
    if (c == ';') break;
    if (c == ' ' || c == '\t') continue;
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out.empty() ? "(none)" : out;
}

// Space-Saving: `capacity` counters. A value already counted is incremented;
// a new one takes a free counter, or replaces the smallest counter and
// inherits its count plus one (so a count over-estimates by at most the
// count it inherited, `error`).
class ReportCollector::TopCounter {
 public:
  explicit TopCounter(size_t capacity)
      : capacity_(std::max<size_t>(1, capacity)) {}

  void Add(const std::string& key) {
    auto it = counts_.find(key);
    if (it != counts_.end()) {
      order_.erase({it->second.count, key});
      ++it->second.count;
      order_.insert({it->second.count, key});
      return;
    }
    Entry entry{1, 0};
    if (counts_.size() >= capacity_) {
      auto smallest = order_.begin();
      entry.count = smallest->first + 1;
      entry.error = smallest->first;
      max_error_ = std::max(max_error_, entry.error);
      evicted_ = true;
      counts_.erase(smallest->second);
      order_.erase(smallest);
    }
    counts_.emplace(key, entry);
    order_.insert({entry.count, key});
  }

  // The `n` largest counts, largest first (ties by key).
  std::vector<CountRow> Top(size_t n) const {
    std::vector<CountRow> rows;
    for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
      rows.push_back({it->second, it->first});
    }
    std::stable_sort(
        rows.begin(), rows.end(), [](const CountRow& a, const CountRow& b) {
          return a.count != b.count ? a.count > b.count : a.label < b.label;
        });
    if (rows.size() > n) rows.resize(n);
    return rows;
  }

  bool approximate() const { return evicted_; }
  uint64_t max_error() const { return max_error_; }

 private:
  struct Entry {
    uint64_t count;
    uint64_t error;
  };
  size_t capacity_;
  std::unordered_map<std::string, Entry> counts_;
  std::set<std::pair<uint64_t, std::string>> order_;
  bool evicted_ = false;
  uint64_t max_error_ = 0;
};

ReportCollector::ReportCollector(const ReportOptions& options)
    : options_(options),
      bucket_seconds_(options.initial_bucket_seconds > 0
                          ? options.initial_bucket_seconds
                          : 1.0),
      content_types_(
          std::make_unique<TopCounter>(options.content_type_counters)),
      hosts_(std::make_unique<TopCounter>(options.host_counters)) {
  options_.max_time_buckets = std::max<size_t>(2, options_.max_time_buckets);
  options_.max_depth_bucket = std::max(0, options_.max_depth_bucket);
}

ReportCollector::~ReportCollector() = default;

void ReportCollector::SetSeeds(const std::vector<std::string>& seeds) {
  seed_count_ = seeds.size();
  seeds_.clear();
  for (size_t i = 0; i < seeds.size() && i < options_.max_seeds; ++i) {
    seeds_.push_back(Clean(seeds[i], options_.max_string_bytes));
  }
}

void ReportCollector::SetFailure(const std::string& message) {
  failure_ = Clean(message, options_.max_string_bytes);
}

void ReportCollector::CountTime(double elapsed_s) {
  if (!(elapsed_s >= 0)) elapsed_s = 0;  // Also NaN.
  last_elapsed_s_ = std::max(last_elapsed_s_, elapsed_s);
  size_t index =
      static_cast<size_t>(std::min(elapsed_s / bucket_seconds_, 1e15));
  // Merge neighbours (doubling the width) until the bucket fits.
  while (index >= options_.max_time_buckets) {
    std::vector<uint64_t> merged((buckets_.size() + 1) / 2, 0);
    for (size_t i = 0; i < buckets_.size(); ++i) merged[i / 2] += buckets_[i];
    buckets_ = std::move(merged);
    bucket_seconds_ *= 2;
    index /= 2;
  }
  if (buckets_.size() <= index) buckets_.resize(index + 1, 0);
  ++buckets_[index];
}

void ReportCollector::OnRecord(const ipc::FetchResult& r,
                               coordinator::RecordKind kind, int depth,
                               double elapsed_s) {
  const bool fetched = kind == coordinator::RecordKind::kFetched;
  const bool failed = !r.error.empty();
  if (fetched) {
    ++pages_;
    if (failed) {
      ++errors_total_;
    } else {
      ++ok_;
    }
    bytes_ += r.bytes;
    CountTime(elapsed_s);
    auto status = statuses_.find(r.status);
    if (status != statuses_.end()) {
      ++status->second;
    } else if (statuses_.size() < options_.max_statuses) {
      statuses_[r.status] = 1;
    } else {
      ++statuses_[-1];
    }
    if (r.status != 0) content_types_->Add(Cut(MediaType(r.content_type), 100));
    hosts_->Add(Cut(OriginOf(r.url), options_.max_string_bytes));
    const size_t d =
        static_cast<size_t>(std::clamp(depth, 0, options_.max_depth_bucket));
    if (depths_.size() <= d) depths_.resize(d + 1, 0);
    ++depths_[d];
    if (options_.slowest_pages > 0 &&
        (slowest_.size() < options_.slowest_pages ||
         r.elapsed_ms > slowest_.front().elapsed_ms)) {
      SlowPage page{Clean(r.url, options_.max_string_bytes), r.elapsed_ms,
                    r.status, Cut(r.error_class, 100)};
      if (slowest_.size() >= options_.slowest_pages) {
        std::pop_heap(slowest_.begin(), slowest_.end(), Slower);
        slowest_.pop_back();
      }
      slowest_.push_back(std::move(page));
      std::push_heap(slowest_.begin(), slowest_.end(), Slower);
    }
  } else {
    ++unfetched_;
  }
  if (failed) {
    std::string error_class = r.error_class.empty() ? "other" : r.error_class;
    error_class = Cut(error_class, 100);
    auto it = errors_.find(error_class);
    if (it == errors_.end()) {
      if (errors_.size() >= options_.max_error_classes) {
        error_class = "other";
      }
      it = errors_.try_emplace(error_class).first;
      it->second.error_class = error_class;
    }
    ErrorRow& row = it->second;
    ++row.count;
    if (row.examples.size() < options_.examples_per_error) {
      row.examples.push_back({Clean(r.url, options_.max_string_bytes),
                              Clean(r.error, options_.max_string_bytes)});
    }
  }
}

void ReportCollector::OnProgress(const coordinator::CrawlState& state) {
  last_elapsed_s_ = std::max(last_elapsed_s_, state.elapsed_s);
  // The crawl's own totals win over the counts of the records seen here
  // (they agree, except that the crawl counts a refused seed as an error).
  const coordinator::CrawlSummary& totals = *state.totals;
  pages_ = totals.pages;
  ok_ = totals.ok;
  errors_total_ = totals.errors;
  unfetched_ = totals.unfetched;
  bytes_ = totals.bytes;
  retries_ = state.totals->retries;
  robots_fetches_ = state.totals->robots_fetches;
  stop_reason_ = state.final || state.stopping ? state.totals->stop_reason : "";
  worker_restarts_ = state.worker_restarts;
  seen_ = state.seen;
  if (totals.with_state) changes_ = totals.changes;
}

ReportData ReportCollector::Data(const std::string& generated_at) const {
  ReportData d;
  if (!seeds_.empty()) {
    d.title = "Crawl of " + seeds_.front();
    if (seed_count_ > 1) {
      d.title += " and " + std::to_string(seed_count_ - 1) + " other seed" +
                 (seed_count_ > 2 ? "s" : "");
    }
  }
  d.generated_at = generated_at;
  d.seeds = seeds_;
  d.seed_count = seed_count_;
  d.pages = pages_;
  d.ok = ok_;
  d.errors = errors_total_;
  d.unfetched = unfetched_;
  d.bytes = bytes_;
  d.retries = retries_;
  d.robots_fetches = robots_fetches_;
  d.changes = changes_;
  d.worker_restarts = worker_restarts_;
  d.seen = seen_;
  d.seconds = last_elapsed_s_;
  d.stop_reason = failure_.empty() ? stop_reason_ : "failed: " + failure_;
  d.bucket_seconds = bucket_seconds_;
  d.pages_per_bucket = buckets_;
  for (const auto& [status, count] : statuses_) {
    if (status >= 0) d.statuses.push_back({status, count});
  }
  if (auto other = statuses_.find(-1); other != statuses_.end()) {
    d.statuses.push_back({-1, other->second});
  }
  d.content_types = content_types_->Top(options_.top_content_types);
  {
    uint64_t shown = 0;
    uint64_t answered = 0;
    for (const CountRow& row : d.content_types) shown += row.count;
    for (const auto& [status, count] : statuses_) {
      if (status != 0) answered += count;
    }
    if (answered > shown)
      d.content_types.push_back({"(other)", answered - shown});
  }
  d.depths = depths_;
  d.depth_capped =
      !depths_.empty() &&
      depths_.size() == static_cast<size_t>(options_.max_depth_bucket) + 1;
  d.top_hosts = hosts_->Top(options_.top_hosts);
  d.hosts_approximate = hosts_->approximate();
  d.host_count_error = hosts_->max_error();
  d.slowest = slowest_;
  std::sort(d.slowest.begin(), d.slowest.end(),
            [](const SlowPage& a, const SlowPage& b) {
              return a.elapsed_ms != b.elapsed_ms ? a.elapsed_ms > b.elapsed_ms
                                                  : a.url < b.url;
            });
  for (const auto& [name, row] : errors_) d.errors_by_class.push_back(row);
  std::stable_sort(
      d.errors_by_class.begin(), d.errors_by_class.end(),
      [](const ErrorRow& a, const ErrorRow& b) { return a.count > b.count; });
  return d;
}

}  // namespace crawler::report
