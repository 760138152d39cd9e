#include "crawler/frontier/memory_frontier.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string_view>

namespace crawler::frontier {
namespace {

Duration Seconds(double s) {
  if (!(s > 0)) return Duration::zero();
  return std::chrono::duration_cast<Duration>(
      std::chrono::duration<double>(std::min(s, 1e7)));
}

}  // namespace

AddResult MemoryFrontier::Add(CrawlItem item) {
  Host& host = HostOf(item.host);
  if (options_.per_host_cap > 0 && host.accepted >= options_.per_host_cap) {
    return seen_.Contains(item.url) ? AddResult::kSeen
                                    : AddResult::kHostCapReached;
  }
  // Normalized URLs have no fragment, and a '?' cannot come before the
  // path, so the first '?' starts the query.
  const size_t query = item.url.find('?');
  int64_t* variants = nullptr;
  if (options_.max_query_variants > 0 && query != std::string::npos) {
    variants = &query_variants_[Fingerprint(
        std::string_view(item.url).substr(0, query))];
    if (*variants >= options_.max_query_variants) {
      return seen_.Contains(item.url) ? AddResult::kSeen
                                      : AddResult::kQueryVariantsCapReached;
    }
  }
  if (!seen_.Insert(item.url)) {
    if (!QueuedDeeper(item.url, item.depth)) return AddResult::kSeen;
    // A shorter path to a URL still queued: queue a copy at the lower
    // depth; the deeper entry is skipped when it comes up (DropReplaced).
    Live& live = live_[Fingerprint(item.url)];
    ++live.replaced;
    live.seq = seq_;
    live.depth = item.depth;
    const std::string name = item.host;
    Host& h = HostOf(name);
    const int depth = item.depth;
    h.queue.push({depth, seq_++, std::move(item)});
    Schedule(name, h);
    return AddResult::kShallower;
  }
  ++host.accepted;
  if (variants != nullptr) ++*variants;
  Enqueue(std::move(item));
  return AddResult::kAdded;
}

bool MemoryFrontier::QueuedDeeper(const std::string& url, int depth) const {
  if (!options_.requeue_shallower || live_.empty()) return false;
  auto it = live_.find(Fingerprint(url));
  return it != live_.end() && it->second.depth > depth;
}

bool MemoryFrontier::Popped(const std::string& url, uint64_t seq) {
  if (!options_.requeue_shallower) return true;
  auto it = live_.find(Fingerprint(url));
  if (it == live_.end()) return true;  // Not expected.
  Live& live = it->second;
  const bool is_live = live.seq == seq;
  if (is_live) {
    live.depth = -1;
  } else {
    --live.replaced;
  }
  if (live.depth < 0 && live.replaced <= 0) live_.erase(it);
  return is_live;
}

void MemoryFrontier::DropReplaced(Host& host) {
  if (!options_.requeue_shallower) return;
  while (!host.queue.empty()) {
    const Queued& top = host.queue.top();
    auto it = live_.find(Fingerprint(top.item.url));
    if (it == live_.end() || it->second.seq == top.seq) return;
    Popped(top.item.url, top.seq);
    host.queue.pop();  // Not counted in queued_: its copy is.
  }
}

void MemoryFrontier::Retry(CrawlItem item, SteadyTime not_before) {
  ++queued_;
  delayed_.push({not_before, seq_++, std::move(item)});
}

void MemoryFrontier::Enqueue(CrawlItem item) {
  const std::string name = item.host;
  Host& host = HostOf(name);
  const int depth = item.depth;
  if (options_.requeue_shallower) {
    Live& live = live_[Fingerprint(item.url)];
    live.seq = seq_;
    live.depth = depth;
  }
  host.queue.push({depth, seq_++, std::move(item)});
  ++queued_;
  Schedule(name, host);
}

Duration MemoryFrontier::Interval(const Host& host) const {
  double s = options_.delay_s;
  s = std::max(s, std::min(host.crawl_delay_s, options_.max_crawl_delay_s));
  s = std::max(s, options_.delay_factor * host.last_response_s);
  return Seconds(s);
}

void MemoryFrontier::Schedule(const std::string& name, Host& host) {
  ++host.version;
  if (host.queue.empty() || host.blocked ||
      host.in_flight >= std::max(1, options_.per_host)) {
    return;
  }
  const Queued& head = host.queue.top();
  ready_.push({host.next_allowed, head.depth, head.seq, name, host.version});
}

void MemoryFrontier::PromoteDelayed(SteadyTime now) {
  while (!delayed_.empty() && delayed_.top().not_before <= now) {
    CrawlItem item = delayed_.top().item;
    delayed_.pop();
    --queued_;  // Enqueue counts it again.
    Enqueue(std::move(item));
  }
}

void MemoryFrontier::CleanTop() const {
  while (!ready_.empty()) {
    const Slot& top = ready_.top();
    auto it = hosts_.find(top.host);
    if (it != hosts_.end() && it->second.version == top.version) return;
    ready_.pop();
  }
}

std::optional<CrawlItem> MemoryFrontier::Lease(SteadyTime now,
                                               const LeaseFilter& filter) {
  PromoteDelayed(now);
  while (true) {
    CleanTop();
    if (ready_.empty() || ready_.top().ready > now) return std::nullopt;
    const std::string name = ready_.top().host;
    ready_.pop();
    Host& host = hosts_[name];
    DropReplaced(host);
    if (host.queue.empty()) {
      Schedule(name, host);
      continue;
    }
    if (filter) {
      LeaseVerdict verdict = filter(host.queue.top().item);
      if (verdict == LeaseVerdict::kDrop) {
        Popped(host.queue.top().item.url, host.queue.top().seq);
        host.queue.pop();
        --queued_;
        Schedule(name, host);
        continue;
      }
      if (verdict == LeaseVerdict::kHoldHost) {
        host.blocked = true;
        Schedule(name, host);
        continue;
      }
    }
    const uint64_t seq = host.queue.top().seq;
    CrawlItem item = std::move(const_cast<Queued&>(host.queue.top()).item);
    host.queue.pop();
    --queued_;
    Popped(item.url, seq);
    ++host.in_flight;
    host.next_allowed = std::max(host.next_allowed, now + Interval(host));
    Schedule(name, host);
    return item;
  }
}

std::optional<SteadyTime> MemoryFrontier::NextReady() const {
  CleanTop();
  std::optional<SteadyTime> t;
  if (!ready_.empty()) t = ready_.top().ready;
  if (!delayed_.empty() && (!t || delayed_.top().not_before < *t)) {
    t = delayed_.top().not_before;
  }
  return t;
}

bool MemoryFrontier::Acquire(const std::string& name, SteadyTime now) {
  Host& host = HostOf(name);
  if (host.in_flight >= std::max(1, options_.per_host) ||
      host.next_allowed > now) {
    return false;
  }
  ++host.in_flight;
  host.next_allowed = std::max(host.next_allowed, now + Interval(host));
  Schedule(name, host);
  return true;
}

void MemoryFrontier::Release(const std::string& name,
                             const HostFeedback& feedback, SteadyTime now) {
  Host& host = HostOf(name);
  if (host.in_flight > 0) --host.in_flight;
  host.last_response_s = feedback.response_ms / 1000.0;
  host.last_end = now;
  // The delay also runs from the end of a request (stricter for slow hosts).
  host.next_allowed = std::max(host.next_allowed, now + Interval(host));
  if (feedback.retry_after_s > 0) {
    host.next_allowed = std::max(
        host.next_allowed, now + Seconds(std::min(feedback.retry_after_s,
                                                  options_.max_retry_after_s)));
  }
  Schedule(name, host);
}

void MemoryFrontier::Block(const std::string& name) {
  Host& host = HostOf(name);
  host.blocked = true;
  Schedule(name, host);
}

void MemoryFrontier::Unblock(const std::string& name) {
  Host& host = HostOf(name);
  host.blocked = false;
  Schedule(name, host);
}

void MemoryFrontier::SetCrawlDelay(const std::string& name, double seconds) {
  Host& host = HostOf(name);
  host.crawl_delay_s = std::isfinite(seconds) && seconds > 0 ? seconds : 0;
  // A delay learned after a request (robots.txt itself) counts from its end.
  if (host.last_end != SteadyTime{}) {
    host.next_allowed =
        std::max(host.next_allowed, host.last_end + Interval(host));
  }
  Schedule(name, host);
}

std::vector<std::pair<std::string, size_t>> MemoryFrontier::LongestQueues(
    size_t n, size_t* queued_hosts) const {
  using Entry = std::pair<std::string, size_t>;
  // Longer queue first, then the smaller name.
  auto before = [](const Entry& a, const Entry& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  };
  std::vector<Entry> top;  // A heap whose front is the weakest kept entry.
  size_t hosts = 0;
  for (const auto& [name, host] : hosts_) {
    const size_t queued = host.queue.size();
    if (queued == 0) continue;
    ++hosts;
    if (n == 0) continue;
    if (top.size() < n) {
      top.emplace_back(name, queued);
      std::push_heap(top.begin(), top.end(), before);
    } else if (before(Entry(name, queued), top.front())) {
      std::pop_heap(top.begin(), top.end(), before);
      top.back() = Entry(name, queued);
      std::push_heap(top.begin(), top.end(), before);
    }
  }
  std::sort(top.begin(), top.end(), before);
  if (queued_hosts != nullptr) *queued_hosts = hosts;
  return top;
}

}  // namespace crawler::frontier
