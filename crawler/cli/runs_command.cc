#include "crawler/cli/runs_command.h"

#include <cstdio>
#include <ctime>

#include "crawler/base/time_format.h"
#include "crawler/cli/exit_codes.h"
#include "crawler/cli/run_summary.h"
#include "crawler/output/json.h"

namespace crawler::cli {
namespace {

constexpr char kUsage[] =
    R"(Usage: crawler runs --state DIR [--limit N] [--json]

The runs a crawl state remembers, newest first: when each started, how long
it took, how it ended (success, interrupted, too_many_errors, failed;
running for the run in progress, killed for one that never ended), its exit
status, why it stopped, and its pages and changes.

  --state DIR   the crawl's state directory (crawl --state, state.dir)
  --limit N     only the newest N runs (default: all)
  --json        one JSON object per run and line instead of a table
  -h, --help    show this help

Each run also left DIR/last-run.json (the newest run's summary, see
crawler crawl --summary-json).

Exit status: 0 listed, 1 no state in DIR or it cannot be read, 2 usage
error.
)";

// The counts the table shows, in its order.
constexpr const char* kCounted[] = {"pages",   "ok",        "errors", "new",
                                    "changed", "unchanged", "gone"};

std::string Duration(const state::RunInfo& r) {
  if (r.ended_ms == 0) return "-";
  const double s = static_cast<double>(r.ended_ms - r.started_ms) / 1000.0;
  char buf[32];
  if (s < 60) {
    std::snprintf(buf, sizeof(buf), "%.1fs", s);
  } else if (s < 3600) {
    std::snprintf(buf, sizeof(buf), "%dm%02ds", static_cast<int>(s) / 60,
                  static_cast<int>(s) % 60);
  } else {
    std::snprintf(buf, sizeof(buf), "%dh%02dm", static_cast<int>(s) / 3600,
                  static_cast<int>(s) / 60 % 60);
  }
  return buf;
}

std::string Count(const state::RunInfo& r, const char* name) {
  auto it = r.counts.find(name);
  return it == r.counts.end() ? "-" : std::to_string(it->second);
}

}  // namespace

std::string RunOutcome(const state::RunInfo& run, bool newest,
                       std::optional<int> lock_holder) {
  if (run.ended_ms == 0) {
    return newest && lock_holder ? "running" : "killed";
  }
  return OutcomeName(run.exit_code);
}

std::string FormatRuns(const std::vector<state::RunInfo>& runs,
                       std::optional<int> lock_holder) {
  std::string out;
  char line[512];
  std::snprintf(line, sizeof(line), "%-5s %-19s %8s %-15s %4s %-12s", "RUN",
                "STARTED (UTC)", "DURATION", "OUTCOME", "EXIT", "STOPPED");
  out += line;
  for (const char* c : kCounted) {
    std::snprintf(line, sizeof(line), " %9s", c);
    out += line;
  }
  out += '\n';
  for (size_t i = 0; i < runs.size(); ++i) {
    const state::RunInfo& r = runs[i];
    const std::string outcome = RunOutcome(r, i == 0, lock_holder);
    const std::string exit =
        r.ended_ms == 0 ? "-" : std::to_string(r.exit_code);
    std::snprintf(line, sizeof(line), "%-5lld %-19s %8s %-15s %4s %-12s",
                  static_cast<long long>(r.id),
                  UtcDateTime(r.started_ms / 1000).c_str(), Duration(r).c_str(),
                  outcome.c_str(), exit.c_str(),
                  r.stop_reason.empty() ? "-" : r.stop_reason.c_str());
    out += line;
    for (const char* c : kCounted) {
      std::snprintf(line, sizeof(line), " %9s", Count(r, c).c_str());
      out += line;
    }
    out += '\n';
  }
  if (runs.empty()) out += "(no runs yet)\n";
  if (lock_holder) {
    out += "a run is going on now (pid " + std::to_string(*lock_holder) +
           " holds the state)\n";
  }
  return out;
}

std::string RunsJson(const std::vector<state::RunInfo>& runs,
                     std::optional<int> lock_holder) {
  std::string out;
  for (size_t i = 0; i < runs.size(); ++i) {
    const state::RunInfo& r = runs[i];
    out += "{\"run\": " + std::to_string(r.id) +
           ", \"started_ms\": " + std::to_string(r.started_ms) +
           ", \"ended_ms\": " + std::to_string(r.ended_ms) + ", \"outcome\": ";
    output::AppendJsonString(&out, RunOutcome(r, i == 0, lock_holder));
    out +=
        ", \"exit_code\": " +
        (r.ended_ms == 0 ? std::string("null") : std::to_string(r.exit_code)) +
        ", \"stop_reason\": ";
    output::AppendJsonString(&out, r.stop_reason);
    out += ", \"output\": ";
    output::AppendJsonString(&out, r.output_path);
    out += ", \"counts\": {";
    bool first = true;
    for (const auto& [k, v] : r.counts) {
      if (!first) out += ", ";
      first = false;
      output::AppendJsonString(&out, k);
      out += ": " + std::to_string(v);
    }
    out += "}}\n";
  }
  return out;
}

int RunRunsCommand(const std::vector<std::string>& args, std::FILE* out,
                   std::FILE* err) {
  std::string dir;
  int limit = 0;
  bool json = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, out);
      return kExitOk;
    }
    if (a == "--json") {
      json = true;
    } else if (a == "--state" || a == "--limit") {
      if (i + 1 >= args.size() || args[i + 1].empty()) {
        std::fprintf(err,
                     "crawler: runs: %s needs a value (crawler runs "
                     "--help)\n",
                     a.c_str());
        return kExitUsage;
      }
      const std::string& v = args[++i];
      if (a == "--state") {
        dir = v;
      } else {
        char* end = nullptr;
        const long n = std::strtol(v.c_str(), &end, 10);
        if (*end != '\0' || n < 1 || n > 1000000) {
          std::fprintf(err,
                       "crawler: runs: --limit '%s': expected a whole "
                       "number from 1 to 1000000\n",
                       v.c_str());
          return kExitUsage;
        }
        limit = static_cast<int>(n);
      }
    } else {
      std::fprintf(err,
                   "crawler: runs: unexpected argument '%s' (crawler runs "
                   "--state DIR [--limit N] [--json])\n",
                   a.c_str());
      return kExitUsage;
    }
  }
  if (dir.empty()) {
    std::fprintf(err,
                 "crawler: runs: --state DIR is required (the crawl's state "
                 "directory)\n");
    return kExitUsage;
  }
  StatusOr<std::vector<state::RunInfo>> runs = state::ReadRuns(dir, limit);
  if (!runs.ok()) {
    std::fprintf(err, "crawler: runs: %s\n", runs.status().message().c_str());
    return kExitFailure;
  }
  const std::optional<int> holder = state::LockHolder(dir);
  const std::string text =
      json ? RunsJson(*runs, holder) : FormatRuns(*runs, holder);
  std::fputs(text.c_str(), out);
  return kExitOk;
}

}  // namespace crawler::cli
