// Clock: the time source, behind an interface so that politeness, backoff and
// cache lifetimes can be tested with a fake clock instead of sleeping.
//
// Thread-safety: SystemClock is safe from any thread; FakeClock is not.
#ifndef CRAWLER_BASE_CLOCK_H_
#define CRAWLER_BASE_CLOCK_H_

#include <chrono>

namespace crawler {

using SteadyTime = std::chrono::steady_clock::time_point;
using Duration = std::chrono::steady_clock::duration;

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic time: for intervals, deadlines, politeness and backoff.
  virtual SteadyTime Now() const = 0;
  // Wall-clock time: only to interpret HTTP dates (Retry-After) and for
  // reporting.
  virtual std::chrono::system_clock::time_point WallNow() const = 0;
};

// The real clocks.
class SystemClock : public Clock {
 public:
  SteadyTime Now() const override { return std::chrono::steady_clock::now(); }
  std::chrono::system_clock::time_point WallNow() const override {
    return std::chrono::system_clock::now();
  }
};

// A clock that moves only when told to.
class FakeClock : public Clock {
 public:
  SteadyTime Now() const override { return now_; }
  std::chrono::system_clock::time_point WallNow() const override {
    return wall_ + (now_ - SteadyTime());
  }
  void Advance(Duration d) { now_ += d; }
  void SetWall(std::chrono::system_clock::time_point t) {
    wall_ = t - (now_ - SteadyTime());
  }

 private:
  SteadyTime now_ = SteadyTime() + std::chrono::hours(1);
  std::chrono::system_clock::time_point wall_ =
      std::chrono::system_clock::from_time_t(1767225600);  // 2026-01-01 UTC
};

}  // namespace crawler

#endif  // CRAWLER_BASE_CLOCK_H_
