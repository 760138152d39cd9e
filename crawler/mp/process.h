// Process: a child process running a function, the counterpart of Python's
// multiprocessing.Process (fork start method).
//
// Start method: fork without exec. The child is a copy of the parent at the
// moment of Start(), so a Process can run any callable (a lambda with
// captures, a member function) and inherits Queues, Pipes and SharedStats
// created before Start(). fork() in a process that has other threads is unsafe
// (only the calling thread survives in the child, possibly while another
// thread held a lock inside malloc, libcurl or OpenSSL), so Start() refuses
// with FailedPrecondition when the caller has more than one thread, after
// stopping the threads of registered fork guards (fork_guard.h: a helper
// thread that stops for the fork and starts again after it). The
// crawler is built around this rule: the coordinator is a single-threaded
// event loop, and each worker initialises its own libcurl handles after the
// fork. curl_global_init() may run before forking: it starts no thread.
// See docs/architecture.md for why fork was chosen over fork+exec.
//
// Lifetime guarantees:
// - No orphans: every child gets PR_SET_PDEATHSIG(SIGKILL), so it dies when
//   the process that started it dies, even by SIGKILL.
// - No zombies: Join(), IsAlive() and the destructor reap the child.
// - The destructor stops a child that is still running: SIGTERM, then SIGKILL
//   after a grace period; call Join() first to wait for a clean exit.
//
// Thread-safety: not thread-safe; use a Process from the thread that made it.
#ifndef CRAWLER_MP_PROCESS_H_
#define CRAWLER_MP_PROCESS_H_

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "crawler/base/status.h"

namespace crawler::mp {

struct ProcessOptions {
  // Shown in messages and set as the child's comm name (first 15 bytes).
  std::string name = "process";
  // Python's daemon flag: a daemon child is killed, not awaited, when its
  // Process object is destroyed. Every child, daemon or not, dies with its
  // parent (PR_SET_PDEATHSIG).
  bool daemon = false;
  // Grace period between SIGTERM and SIGKILL when the destructor stops a
  // running child.
  int64_t stop_grace_ms = 1000;
};

class Process {
 public:
  // Runs `target` in the child; its return value is the exit code.
  explicit Process(std::function<int()> target, ProcessOptions options = {});
  // For subclasses that override Run().
  explicit Process(ProcessOptions options = {});
  virtual ~Process();

  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  // Forks the child, which calls Run() and exits with its return value (an
  // uncaught exception exits with 70, after printing it to stderr). Fails
  // with FailedPrecondition when already started or when the calling process
  // has more than one thread, and with the errno text when fork fails.
  Status Start();

  // Waits for the child to exit. timeout_ms < 0 waits forever. OK once the
  // child has exited (whatever its exit code; see exit_code()),
  // DeadlineExceeded when it is still running after the timeout,
  // FailedPrecondition when it was never started.
  Status Join(int64_t timeout_ms = -1);

  // True when started and not yet exited (reaps the child if it has exited).
  bool IsAlive();

  // Sends SIGTERM (Python's terminate()). OK if the child already exited.
  Status Terminate();
  // Sends SIGKILL. OK if the child already exited.
  Status Kill();
  // Sends any signal.
  Status Signal(int signo);

  // The child's pid once started, 0 before.
  pid_t pid() const { return pid_; }
  const std::string& name() const { return options_.name; }
  bool daemon() const { return options_.daemon; }

  // Python's exitcode: nullopt while running (or never started), the exit
  // status when it exited, -N when signal N ended it.
  std::optional<int> exit_code() const { return exit_code_; }
  // "exited with code 3", "killed by signal 9 (Killed)", "running", ...
  std::string ExitDescription() const;

 protected:
  // The child's body. The default runs the target given to the constructor.
  virtual int Run();

 private:
  void RecordWaitStatus(int status);

  std::function<int()> target_;
  ProcessOptions options_;
  pid_t pid_ = 0;
  std::optional<int> exit_code_;
};

// Number of threads of the calling process (from /proc/self/task).
int CurrentThreadCount();

// Describes an exit code in Python's convention (negative = signal).
std::string DescribeExitCode(int exit_code);

}  // namespace crawler::mp

#endif  // CRAWLER_MP_PROCESS_H_
