#include "crawler/cli/run_summary.h"

#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>

#include "crawler/base/time_format.h"
#include "crawler/cli/crawl_flags.h"
#include "crawler/cli/exit_codes.h"
#include "crawler/output/json.h"

namespace crawler::cli {
namespace {

class JsonObject {
 public:
  JsonObject() { out_ = "{"; }
  void Key(const char* k) {
    if (out_.size() > 1) out_ += ", ";
    output::AppendJsonString(&out_, k);
    out_ += ": ";
  }
  void String(const char* k, const std::string& v) {
    Key(k);
    output::AppendJsonString(&out_, v);
  }
  void Int(const char* k, int64_t v) {
    Key(k);
    out_ += std::to_string(v);
  }
  void Count(const char* k, uint64_t v) { Int(k, static_cast<int64_t>(v)); }
  void Number(const char* k, double v) {
    Key(k);
    if (!std::isfinite(v)) v = 0;
    char buf[40];
    std::snprintf(buf, sizeof(buf), "%.6g", v);
    out_ += buf;
  }
  void Map(const char* k, const std::map<std::string, uint64_t>& m) {
    JsonObject o;
    for (const auto& [name, n] : m) o.Count(name.c_str(), n);
    Raw(k, o.Done());
  }
  void Raw(const char* k, const std::string& json) {
    Key(k);
    out_ += json;
  }
  std::string Done() { return out_ + "}"; }

 private:
  std::string out_;
};

}  // namespace

std::string OutcomeName(int exit_code) {
  switch (exit_code) {
    case kExitOk:
      return "success";
    case kExitFailure:
      return "failed";
    case kExitUsage:
      return "usage_error";
    case kExitTooManyErrors:
      return "too_many_errors";
    case kExitStateLocked:
      return "refused";
  }
  if (exit_code >= kExitSignalBase) return "interrupted";
  return "exit_" + std::to_string(exit_code);
}

std::string RunSummaryJson(const RunReport& r) {
  JsonObject o;
  o.Int("version", 1);
  o.String("crawler", kCrawlerVersion);
  if (!r.crawl_file.empty()) o.String("crawl_file", r.crawl_file);
  if (!r.state_dir.empty()) {
    o.String("state", r.state_dir);
    if (r.run_id != 0) o.Int("run", r.run_id);
  }
  o.String("started", Rfc3339Millis(r.started_ms));
  o.String("ended", Rfc3339Millis(r.ended_ms));
  o.Number("duration_s",
           static_cast<double>(r.ended_ms - r.started_ms) / 1000.0);
  o.String("outcome", OutcomeName(r.exit_code));
  o.Int("exit_code", r.exit_code);
  if (r.summary) {
    const coordinator::CrawlSummary& s = *r.summary;
    o.String("stop_reason", s.stop_reason);
    if (s.interrupted_by != 0) o.Int("signal", s.interrupted_by);
  }
  o.String("message", r.message);
  if (r.summary) {
    const coordinator::CrawlSummary& s = *r.summary;
    o.Count("pages", s.pages);
    o.Count("ok", s.ok);
    o.Count("errors", s.errors);
    o.Count("skipped_type", s.skipped_type);
    o.Count("unfetched", s.unfetched);
    std::map<std::string, uint64_t> classes;
    for (int i = 1; i <= 5; ++i) {
      classes[std::to_string(i) + "xx"] = s.status_classes[i];
    }
    classes["none"] = s.status_classes[0];
    o.Map("status_classes", classes);
    o.Map("errors_by_class", s.error_classes);
    o.Map("unfetched_by_class", s.unfetched_classes);
    o.Count("bytes", s.bytes);
    o.Count("hosts", s.hosts);
    o.Count("robots_fetches", s.robots_fetches);
    o.Count("retries", s.retries);
    o.Count("worker_restarts", s.worker_restarts);
    o.Count("abandoned", s.abandoned);
    o.Number("error_rate", s.error_rate);
    if (s.with_state) {
      const state::ChangeCounts& c = s.changes;
      o.Raw("changes", [&] {
        JsonObject ch;
        ch.Count("new", c.new_urls);
        ch.Count("changed", c.changed);
        ch.Count("unchanged", c.unchanged);
        ch.Count("gone", c.gone);
        ch.Count("vanished", c.vanished);
        ch.Count("resumed", c.resumed);
        ch.Count("due", c.due);
        ch.Count("not_due", c.not_due);
        return ch.Done();
      }());
    }
  }
  o.String("output", r.output_path);
  return o.Done() + "\n";
}

Status WriteFileAtomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp-" + std::to_string(getpid());
  std::FILE* f = std::fopen(tmp.c_str(), "w");
  if (f == nullptr) {
    return InvalidArgumentError("cannot write " + tmp + ": " +
                                std::strerror(errno) +
                                " (does its directory exist?)");
  }
  const bool wrote = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  const bool flushed = std::fflush(f) == 0 && fsync(fileno(f)) == 0;
  const int err = errno;
  std::fclose(f);
  if (!wrote || !flushed) {
    std::remove(tmp.c_str());
    return InternalError("writing " + tmp + ": " + std::strerror(err));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    std::remove(tmp.c_str());
    return InvalidArgumentError("cannot replace " + path + ": " +
                                std::strerror(e));
  }
  return Status::Ok();
}

}  // namespace crawler::cli
