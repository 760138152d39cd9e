#include "crawler/coordinator/progress.h"

#include <cstdio>

namespace crawler::coordinator {

std::string FormatProgressLine(const ProgressSnapshot& s) {
  auto u = [](uint64_t n) { return static_cast<unsigned long long>(n); };
  char buf[512];
  std::string line = s.final ? "done: " : "";
  std::snprintf(buf, sizeof buf, "%llu %s (%llu ok, %llu errors", u(s.done),
                s.unit.c_str(), u(s.ok), u(s.errors));
  line += buf;
  if (s.skipped > 0) {
    std::snprintf(buf, sizeof buf, ", %llu skipped by type", u(s.skipped));
    line += buf;
  }
  line += ")";
  if (s.queued >= 0) {
    std::snprintf(buf, sizeof buf, ", %lld queued",
                  static_cast<long long>(s.queued));
    line += buf;
  }
  std::snprintf(buf, sizeof buf, ", %llu in flight", u(s.in_flight));
  line += buf;
  if (s.seen >= 0) {
    std::snprintf(buf, sizeof buf, ", %lld seen",
                  static_cast<long long>(s.seen));
    line += buf;
  }
  std::snprintf(buf, sizeof buf, ", %.1f s, %.0f %s/s", s.elapsed_s,
                s.elapsed_s > 0 ? s.done / s.elapsed_s : 0.0, s.unit.c_str());
  line += buf;
  line += s.workers;
  return line;
}

}  // namespace crawler::coordinator
