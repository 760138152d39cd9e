#include "crawler/cli/progress_display.h"

#include <chrono>
#include <cstdio>

#include "crawler/coordinator/crawl_job.h"
#include "crawler/coordinator/fetch_job.h"

namespace crawler::cli {
namespace {

// The window of the rate on the status line.
constexpr auto kRateWindow = std::chrono::seconds(5);

Duration Seconds(double s) {
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s));
}

// "812 B", "15.2 kB", "12.3 MB", "1.2 GB" (powers of 1000, as the summary).
std::string Bytes(uint64_t n) {
  char buf[32];
  if (n < 1000) {
    std::snprintf(buf, sizeof buf, "%llu B",
                  static_cast<unsigned long long>(n));
  } else if (n < 1000 * 1000) {
    std::snprintf(buf, sizeof buf, "%.1f kB", n / 1e3);
  } else if (n < 1000ull * 1000 * 1000) {
    std::snprintf(buf, sizeof buf, "%.1f MB", n / 1e6);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f GB", n / 1e9);
  }
  return buf;
}

// "0:07", "2:05", "1:02:05".
std::string Elapsed(double seconds) {
  const long long s = seconds > 0 ? static_cast<long long>(seconds) : 0;
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600,
                  (s / 60) % 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
  }
  return buf;
}

}  // namespace

ProgressDisplay::ProgressDisplay(log::Console& console, const Clock& clock,
                                 Options options)
    : console_(console),
      clock_(clock),
      options_(options),
      start_(clock.Now()) {}

std::string ProgressDisplay::StatusLine(const coordinator::ProgressSnapshot& s,
                                        double rate) {
  auto u = [](uint64_t n) { return static_cast<unsigned long long>(n); };
  char buf[256];
  std::snprintf(buf, sizeof buf, "%llu %s | %.1f/s", u(s.done), s.unit.c_str(),
                rate);
  std::string line = buf;
  if (s.queued >= 0) {
    line += " | " + std::to_string(s.queued) + " queued";
  }
  line += " | " + std::to_string(s.in_flight) + " in flight";
  line += " | " + std::to_string(s.errors) + " errors";
  line += " | " + Bytes(s.bytes);
  line += " | " + Elapsed(s.elapsed_s);
  if (!s.stopping.empty()) line += " | stopping (" + s.stopping + ")";
  return line;
}

double ProgressDisplay::Rate(const coordinator::ProgressSnapshot& s,
                             SteadyTime now) {
  history_.emplace_back(now, s.done);
  while (history_.size() > 2 && now - history_[1].first >= kRateWindow) {
    history_.pop_front();
  }
  const double span =
      std::chrono::duration<double>(now - history_.front().first).count();
  if (span >= 1.0) {
    return static_cast<double>(s.done - history_.front().second) / span;
  }
  return s.elapsed_s > 0 ? s.done / s.elapsed_s : 0.0;
}

void ProgressDisplay::OnProgress(const coordinator::ProgressSnapshot& s) {
  const SteadyTime now = clock_.Now();
  const double rate = Rate(s, now);
  if (options_.mode == Mode::kStatusLine) {
    if (s.final) {
      console_.ClearStatus();
      if (options_.final_line) {
        console_.PrintLine(coordinator::FormatProgressLine(s));
      }
      return;
    }
    if (drawn_ && now - last_shown_ < Seconds(options_.redraw_interval_s)) {
      return;
    }
    console_.SetStatus(StatusLine(s, rate));
  } else {
    // A line after each full interval (none for a job shorter than one),
    // and the last one.
    if (!s.final && now - (drawn_ ? last_shown_ : start_) <
                        Seconds(options_.line_interval_s)) {
      return;
    }
    console_.PrintLine(coordinator::FormatProgressLine(s));
  }
  drawn_ = true;
  last_shown_ = now;
}

void ProgressDisplay::OnProgress(const coordinator::CrawlState& state) {
  coordinator::ProgressSnapshot s;
  s.unit = "pages";
  if (state.totals != nullptr) {
    const coordinator::CrawlSummary& t = *state.totals;
    s.done = t.pages;
    s.ok = t.ok;
    s.errors = t.errors;
    s.skipped = t.skipped_type;
    s.bytes = t.bytes;
    if (state.stopping) s.stopping = t.stop_reason;
  }
  s.queued = static_cast<int64_t>(state.queued);
  s.in_flight = state.in_flight;
  s.seen = static_cast<int64_t>(state.seen);
  s.elapsed_s = state.elapsed_s;
  s.final = state.final;
  if (options_.mode == Mode::kLines) {
    s.workers = coordinator::WorkerStatsLine(options_.stats);
  }
  OnProgress(s);
}

}  // namespace crawler::cli
