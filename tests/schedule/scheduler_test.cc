// The loop of `crawler schedule` (crawler/schedule/scheduler.h) with a fake
// host: a clock that moves only when the loop sleeps or a run takes time.
#include "crawler/schedule/scheduler.h"

#include <doctest/doctest.h>

#include <functional>
#include <string>
#include <vector>

namespace crawler::schedule {
namespace {

// 2026-11-26 00:00:00 UTC.
constexpr int64_t kStart = 1795651200;

class FakeHost : public ScheduleHost {
 public:
  int64_t now = kStart;
  // How long each run takes (seconds), by run index; the last one repeats.
  std::vector<int64_t> run_seconds = {60};
  // Called with the run's index when it starts; may request a stop.
  std::function<void(int)> on_run;
  // A stop is requested when the clock reaches this while sleeping.
  int64_t stop_at = -1;
  bool stop = false;
  std::vector<int64_t> started;    // When each run started.
  std::vector<int64_t> scheduled;  // The time each run was scheduled for.
  std::vector<std::string> log;
  std::vector<int> exit_codes = {0};

  int64_t NowUnixSeconds() override { return now; }
  bool SleepUntil(int64_t t) override {
    if (stop) return false;
    if (stop_at >= 0 && t >= stop_at) {
      now = std::max(now, stop_at);
      stop = true;
      return false;
    }
    now = std::max(now, t);
    return true;
  }
  int RunOnce(int64_t scheduled_at) override {
    const int i = static_cast<int>(started.size());
    started.push_back(now);
    scheduled.push_back(scheduled_at);
    if (on_run) on_run(i);
    now += run_seconds[std::min<size_t>(i, run_seconds.size() - 1)];
    return exit_codes[std::min<size_t>(i, exit_codes.size() - 1)];
  }
  bool StopRequested() override { return stop; }
  void Log(const std::string& line) override { log.push_back(line); }

  bool Logged(const std::string& part) const {
    for (const std::string& l : log) {
      if (l.find(part) != std::string::npos) return true;
    }
    return false;
  }
};

CronExpression Cron(const char* text) {
  StatusOr<CronExpression> c = CronExpression::Parse(text);
  REQUIRE_MESSAGE(c.ok(), c.status().ToString());
  return *c;
}

TEST_CASE("runs start at the scheduled times, one after the other") {
  FakeHost host;
  auto utc = FixedTimeZone(0);
  SchedulerOptions options;
  options.max_runs = 3;
  StatusOr<ScheduleResult> r =
      RunSchedule(Cron("*/15 * * * *"), *utc, options, host);
  REQUIRE(r.ok());
  CHECK(r->runs == 3);
  CHECK(r->skipped == 0);
  CHECK_FALSE(r->stopped);
  REQUIRE(host.started.size() == 3);
  CHECK(host.started[0] == kStart + 15 * 60);
  CHECK(host.started[1] == kStart + 30 * 60);
  CHECK(host.started[2] == kStart + 45 * 60);
  CHECK(host.scheduled == host.started);
  CHECK(host.Logged("next run at 2026-11-26 00:15:00 +0000"));
}

TEST_CASE("a run longer than the interval: the times it covered are skipped") {
  FakeHost host;
  host.now = kStart + 5;  // 00:00:05
  host.run_seconds = {40 * 60, 60};
  auto utc = FixedTimeZone(0);
  SchedulerOptions options;
  options.max_runs = 2;
  StatusOr<ScheduleResult> r =
      RunSchedule(Cron("*/15 * * * *"), *utc, options, host);
  REQUIRE(r.ok());
  REQUIRE(host.started.size() == 2);
  // First at 00:15, runs until 00:55: 00:30 and 00:45 are skipped, never
  // started late or at once; the next run is at 01:00.
  CHECK(host.started[0] == kStart + 15 * 60);
  CHECK(host.started[1] == kStart + 60 * 60);
  CHECK(r->skipped == 2);
  CHECK(host.Logged("skipped 2 scheduled runs"));
}

TEST_CASE("a run ending exactly on a scheduled time skips that time") {
  FakeHost host;
  host.run_seconds = {15 * 60, 1};
  auto utc = FixedTimeZone(0);
  SchedulerOptions options;
  options.max_runs = 2;
  REQUIRE(RunSchedule(Cron("*/15 * * * *"), *utc, options, host).ok());
  REQUIRE(host.started.size() == 2);
  // Ends 00:30:00 when 00:30 is due: it counts as covered (the run was
  // still going at that time), so the next one is 00:45.
  CHECK(host.started[1] == kStart + 45 * 60);
}

TEST_CASE("--run-now starts at once, then follows the schedule") {
  FakeHost host;
  host.now = kStart + 7 * 3600 + 123;  // 07:02:03
  auto utc = FixedTimeZone(0);
  SchedulerOptions options;
  options.run_now = true;
  options.max_runs = 2;
  REQUIRE(RunSchedule(Cron("0 2 * * *"), *utc, options, host).ok());
  REQUIRE(host.started.size() == 2);
  CHECK(host.started[0] == kStart + 7 * 3600 + 123);
  CHECK(host.started[1] == kStart + 86400 + 2 * 3600);  // Tomorrow 02:00.
}

TEST_CASE("a stop while waiting ends the loop at once, no run started") {
  FakeHost host;
  host.stop_at = kStart + 3600;
  auto utc = FixedTimeZone(0);
  StatusOr<ScheduleResult> r =
      RunSchedule(Cron("0 2 * * *"), *utc, SchedulerOptions{}, host);
  REQUIRE(r.ok());
  CHECK(r->stopped);
  CHECK(r->runs == 0);
  CHECK(host.started.empty());
  CHECK(host.Logged("stopped (no run in progress)"));
}

TEST_CASE("a stop during a run: the run ends, then the loop, nothing after") {
  FakeHost host;
  host.on_run = [&](int i) {
    if (i == 1) host.stop = true;
  };
  host.exit_codes = {0, 143};
  auto utc = FixedTimeZone(0);
  StatusOr<ScheduleResult> r =
      RunSchedule(Cron("@hourly"), *utc, SchedulerOptions{}, host);
  REQUIRE(r.ok());
  CHECK(r->stopped);
  CHECK(r->runs == 2);
  CHECK(r->last_exit_code == 143);
  CHECK(host.Logged("run 2 ended with exit status 143"));
  CHECK(host.Logged("stopped (after the run in progress)"));
}

TEST_CASE("the last run's exit status is the result's") {
  FakeHost host;
  host.exit_codes = {0, 4};
  auto utc = FixedTimeZone(0);
  SchedulerOptions options;
  options.max_runs = 2;
  StatusOr<ScheduleResult> r = RunSchedule(Cron("@daily"), *utc, options, host);
  REQUIRE(r.ok());
  CHECK(r->last_exit_code == 4);
  CHECK(host.Logged("run 2 ended with exit status 4"));
}

TEST_CASE("times are the zone's civil times") {
  FakeHost host;
  // UTC+01:00: 02:30 local is 01:30 UTC.
  auto cet = FixedTimeZone(3600);
  SchedulerOptions options;
  options.max_runs = 1;
  REQUIRE(RunSchedule(Cron("30 2 * * *"), *cet, options, host).ok());
  REQUIRE(host.started.size() == 1);
  CHECK(host.started[0] == kStart + 3600 + 1800);
  CHECK(host.Logged("2026-11-26 02:30:00 +0100"));
}

TEST_CASE("FormatLocalTime shows the zone's offset") {
  auto ny = FixedTimeZone(-5 * 3600);
  CHECK(FormatLocalTime(kStart, *ny) == "2026-11-25 19:00:00 -0500");
  auto india = FixedTimeZone(5 * 3600 + 1800);
  CHECK(FormatLocalTime(kStart, *india) == "2026-11-26 05:30:00 +0530");
}

}  // namespace
}  // namespace crawler::schedule
