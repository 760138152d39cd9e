#include "crawler/metrics/exposition.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string_view>

#include "crawler/output/json.h"

namespace crawler::metrics {
namespace {

// A sample value: integers as such, other numbers in the shortest form
// that reads back exactly.
std::string Value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  if (ec != std::errc()) return "NaN";
  return std::string(buf, end);
}

std::string Value(uint64_t v) { return std::to_string(v); }

std::string LabelValue(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else if (u < 0x20 || u >= 0x7F) {
      out += '?';
    } else {
      out += c;
    }
  }
  return out;
}

class Writer {
 public:
  void Family(const char* name, const char* type, const char* help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += help;
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }
  void Sample(std::string_view name, const std::string& value) {
    out_.append(name).append(" ").append(value).append("\n");
  }
  void Sample(std::string_view name, std::string_view label,
              std::string_view label_value, const std::string& value) {
    out_.append(name).append("{").append(label).append("=\"");
    out_.append(LabelValue(label_value)).append("\"} ");
    out_.append(value).append("\n");
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

constexpr const char* kStates[] = {"starting", "running", "stopping", "done"};

}  // namespace

std::string RenderPrometheus(const MetricsSnapshot& s, double age_s) {
  Writer w;
  w.Family("crawler_crawl_state", "gauge",
           "1 for the crawl's current state (starting, running, stopping, "
           "done), 0 for the others.");
  for (const char* state : kStates) {
    w.Sample("crawler_crawl_state", "state", state,
             s.state == state ? "1" : "0");
  }
  w.Family("crawler_elapsed_seconds", "gauge",
           "Seconds since the crawl started.");
  w.Sample("crawler_elapsed_seconds", Value(s.elapsed_s));
  w.Family("crawler_snapshot_age_seconds", "gauge",
           "Seconds since the coordinator last sent these figures (a few "
           "times a second while it runs).");
  w.Sample("crawler_snapshot_age_seconds", Value(age_s));

  w.Family("crawler_pages_total", "counter",
           "Fetched URLs (records), by HTTP status class; none: no HTTP "
           "answer (a fetch error).");
  for (size_t i = 0; i < kStatusClassCount; ++i) {
    w.Sample("crawler_pages_total", "class", kStatusClasses[i],
             Value(s.pages_by_class[i]));
  }
  w.Family("crawler_pages_ok_total", "counter",
           "Fetched URLs whose record has no error.");
  w.Sample("crawler_pages_ok_total", Value(s.ok));
  w.Family("crawler_errors_total", "counter",
           "Records with an error, by error class (docs/output.md).");
  for (const NamedCount& e : s.errors_by_class) {
    w.Sample("crawler_errors_total", "class", e.name, Value(e.value));
  }
  w.Family("crawler_unfetched_total", "counter",
           "Queued URLs given up without a fetch (blocked_by_robots, "
           "robots_unreachable, host_error_budget).");
  w.Sample("crawler_unfetched_total", Value(s.unfetched));
  w.Family("crawler_body_bytes_total", "counter",
           "Body bytes received, after content decoding.");
  w.Sample("crawler_body_bytes_total", Value(s.bytes));
  w.Family("crawler_retries_total", "counter",
           "Fetches retried after a transient failure.");
  w.Sample("crawler_retries_total", Value(s.retries));
  w.Family("crawler_urls_accepted_total", "counter",
           "URLs accepted into the frontier (the seen-set's size).");
  w.Sample("crawler_urls_accepted_total", Value(s.accepted));
  w.Family("crawler_worker_restarts_total", "counter",
           "Worker processes replaced after dying or hanging.");
  w.Sample("crawler_worker_restarts_total", Value(s.worker_restarts));

  w.Family("crawler_queued_urls", "gauge", "URLs waiting in the frontier.");
  w.Sample("crawler_queued_urls", Value(s.queued));
  w.Family("crawler_in_flight_requests", "gauge",
           "Requests held by workers now.");
  w.Sample("crawler_in_flight_requests", Value(s.in_flight));
  w.Family("crawler_queued_hosts", "gauge",
           "Hosts (origins) with at least one URL queued.");
  w.Sample("crawler_queued_hosts", Value(s.queued_hosts));
  w.Family("crawler_host_queued_urls", "gauge",
           "URLs queued per origin: the longest queues, and origin=\"other\" "
           "for all the rest.");
  for (const NamedCount& q : s.host_queues) {
    w.Sample("crawler_host_queued_urls", "origin", q.name, Value(q.value));
  }
  w.Sample("crawler_host_queued_urls", "origin", "other",
           Value(s.other_hosts_queued));

  w.Family("crawler_robots_cache_entries", "gauge",
           "Origins in the robots.txt cache, by state: ready (rules known), "
           "pending (fetch queued or running), unreachable (given up).");
  w.Sample("crawler_robots_cache_entries", "state", "ready",
           Value(s.robots_ready));
  w.Sample("crawler_robots_cache_entries", "state", "pending",
           Value(s.robots_pending));
  w.Sample("crawler_robots_cache_entries", "state", "unreachable",
           Value(s.robots_unreachable));
  w.Family("crawler_robots_fetches_total", "counter",
           "robots.txt fetches started (cache misses and refreshes).");
  w.Sample("crawler_robots_fetches_total", Value(s.robots_fetches));
  w.Family("crawler_robots_blocked_total", "counter",
           "URLs not fetched because robots.txt disallows them or stayed "
           "unreachable.");
  w.Sample("crawler_robots_blocked_total", Value(s.robots_blocked));

  w.Family("crawler_fetch_duration_seconds", "histogram",
           "Transfer time of fetched URLs.");
  uint64_t cumulative = 0;
  for (size_t i = 0; i < kLatencyBoundCount; ++i) {
    cumulative += s.latency_buckets[i];
    w.Sample("crawler_fetch_duration_seconds_bucket", "le",
             Value(kLatencyBounds[i]), Value(cumulative));
  }
  cumulative += s.latency_buckets[kLatencyBoundCount];
  // Every fetched record is in one bucket and in the count, so the +Inf
  // bucket equals _count.
  w.Sample("crawler_fetch_duration_seconds_bucket", "le", "+Inf",
           Value(cumulative));
  w.Sample("crawler_fetch_duration_seconds_sum", Value(s.latency_sum_s));
  w.Sample("crawler_fetch_duration_seconds_count", Value(s.latency_count));
  return w.Take();
}

std::string RenderStatusJson(const MetricsSnapshot& s, double age_s) {
  std::string out = "{\"state\":";
  output::AppendJsonString(&out, s.state);
  out += ",\"stop_reason\":";
  if (s.stop_reason.empty()) {
    out += "null";
  } else {
    output::AppendJsonString(&out, s.stop_reason);
  }
  uint64_t pages = 0;
  for (uint64_t n : s.pages_by_class) pages += n;
  auto field = [&out](const char* name, const std::string& value) {
    out += ",\"";
    out += name;
    out += "\":";
    out += value;
  };
  field("elapsed_seconds", Value(s.elapsed_s));
  field("snapshot_age_seconds", Value(age_s));
  field("pages", Value(pages));
  field(
      "pages_per_second",
      Value(s.elapsed_s > 0 ? static_cast<double>(pages) / s.elapsed_s : 0.0));
  field("ok", Value(s.ok));
  field("errors", Value(s.errors));
  field("unfetched", Value(s.unfetched));
  field("bytes", Value(s.bytes));
  field("retries", Value(s.retries));
  field("accepted", Value(s.accepted));
  field("queued", Value(s.queued));
  field("in_flight", Value(s.in_flight));
  field("queued_hosts", Value(s.queued_hosts));
  field("worker_restarts", Value(s.worker_restarts));
  out += ",\"pages_by_class\":{";
  for (size_t i = 0; i < kStatusClassCount; ++i) {
    if (i > 0) out += ',';
    output::AppendJsonString(&out, kStatusClasses[i]);
    out += ':' + Value(s.pages_by_class[i]);
  }
  out += "},\"errors_by_class\":{";
  for (size_t i = 0; i < s.errors_by_class.size(); ++i) {
    if (i > 0) out += ',';
    output::AppendJsonString(&out, s.errors_by_class[i].name);
    out += ':' + Value(s.errors_by_class[i].value);
  }
  out += "},\"host_queues\":[";
  for (size_t i = 0; i < s.host_queues.size(); ++i) {
    if (i > 0) out += ',';
    out += "{\"origin\":";
    output::AppendJsonString(&out, s.host_queues[i].name);
    out += ",\"queued\":" + Value(s.host_queues[i].value) + "}";
  }
  out += "],\"other_hosts_queued\":" + Value(s.other_hosts_queued);
  out += ",\"robots\":{\"fetches\":" + Value(s.robots_fetches) +
         ",\"blocked\":" + Value(s.robots_blocked) +
         ",\"ready\":" + Value(s.robots_ready) +
         ",\"pending\":" + Value(s.robots_pending) +
         ",\"unreachable\":" + Value(s.robots_unreachable) + "}";
  out += ",\"fetch_seconds\":{\"count\":" + Value(s.latency_count) +
         ",\"sum\":" + Value(s.latency_sum_s) + "}}\n";
  return out;
}

}  // namespace crawler::metrics
