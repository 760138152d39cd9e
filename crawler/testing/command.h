// Command: runs a program (normally the crawler binary) as a child process
// in a test, with stdin from a string and stdout/stderr captured to files.
//
// The destructor kills and reaps a child that is still running, so a failing
// test never leaves it behind; the child also gets PR_SET_PDEATHSIG(SIGKILL).
#ifndef CRAWLER_TESTING_COMMAND_H_
#define CRAWLER_TESTING_COMMAND_H_

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crawler/base/status.h"

namespace crawler::testing {

class Command {
 public:
  // Starts argv[0] (a path) with the given arguments and extra environment
  // entries ("NAME=value"). `stdin_data` is written to a file fed as stdin.
  static StatusOr<std::unique_ptr<Command>> Start(
      const std::vector<std::string>& argv,
      const std::vector<std::string>& extra_env = {},
      const std::string& stdin_data = "");
  ~Command();

  pid_t pid() const { return pid_; }
  // Waits up to timeout_ms for the exit; the exit code (or -signal), or
  // nullopt on timeout.
  std::optional<int> Wait(int timeout_ms);
  // Captured output (read the files; complete once the child exited).
  std::string Stdout() const;
  std::string Stderr() const;

 private:
  pid_t pid_ = 0;
  bool reaped_ = false;
  std::string dir_;
};

// Path of a binary or data file from the Bazel runfiles, e.g.
// "crawler/cli/crawler".
std::string RunfilePath(const std::string& workspace_relative);

// Pids of the children of process `pid` (all its threads).
std::vector<pid_t> ChildrenOf(pid_t pid);

// Polls ChildrenOf(pid) until it lists at least `count` pids or timeout_ms
// passes; returns the last list seen (possibly shorter than `count`).
// Processes start their children asynchronously, so a test that needs them
// waits here instead of sleeping a fixed time.
std::vector<pid_t> WaitForChildren(pid_t pid, size_t count, int timeout_ms);

}  // namespace crawler::testing

#endif  // CRAWLER_TESTING_COMMAND_H_
