#include "crawler/mp/process.h"

#include <dirent.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>
#include <thread>

#include "crawler/mp/fork_guard.h"

namespace crawler::mp {

int CurrentThreadCount() {
  DIR* dir = ::opendir("/proc/self/task");
  if (dir == nullptr) return 1;
  int count = 0;
  while (dirent* e = ::readdir(dir)) {
    if (e->d_name[0] != '.') ++count;
  }
  ::closedir(dir);
  return count;
}

std::string DescribeExitCode(int exit_code) {
  if (exit_code >= 0) return "exited with code " + std::to_string(exit_code);
  int sig = -exit_code;
  const char* name = ::strsignal(sig);
  return "killed by signal " + std::to_string(sig) + " (" +
         (name != nullptr ? name : "unknown") + ")";
}

Process::Process(std::function<int()> target, ProcessOptions options)
    : target_(std::move(target)), options_(std::move(options)) {}

Process::Process(ProcessOptions options) : options_(std::move(options)) {}

Process::~Process() {
  if (pid_ == 0 || exit_code_.has_value()) return;
  if (!IsAlive()) return;
  if (options_.daemon) {
    Kill();
    Join();
    return;
  }
  Terminate();
  if (!Join(options_.stop_grace_ms).ok()) {
    Kill();
    Join();
  }
}

int Process::Run() { return target_ ? target_() : 0; }

Status Process::Start() {
  if (pid_ != 0) {
    return FailedPreconditionError("process '" + options_.name +
                                   "' was already started (pid " +
                                   std::to_string(pid_) + ")");
  }
  // Helper threads registered as fork guards stop for the fork. A joined
  // thread can stay listed in /proc/self/task for a moment after join()
  // returns (the kernel releases it a little later): wait up to 1 s.
  const int stopped = StopAllForkGuards();
  int threads = CurrentThreadCount();
  for (int i = 0; i < 1000 && threads > 1 && stopped > 0; ++i) {
    ::usleep(1000);
    threads = CurrentThreadCount();
  }
  if (threads > 1) {
    RestartAllForkGuards();
    return FailedPreconditionError(
        "cannot fork process '" + options_.name + "': the caller has " +
        std::to_string(threads) +
        " threads, and fork() is only safe from a single-threaded process; "
        "start processes before creating threads");
  }
  const pid_t parent = ::getpid();
  std::fflush(nullptr);
  std::cout.flush();
  std::cerr.flush();
  pid_t pid = ::fork();
  if (pid != 0) RestartAllForkGuards();  // The parent, or a failed fork.
  if (pid < 0) return ErrnoError("fork '" + options_.name + "'", errno);
  if (pid == 0) {
    // Child. Die with the parent, and close the race where it died before
    // prctl() took effect.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(1);
    ::prctl(PR_SET_NAME, options_.name.substr(0, 15).c_str());
    int code = 0;
    try {
      code = Run();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "process '%s': uncaught exception: %s\n",
                   options_.name.c_str(), e.what());
      code = 70;
    } catch (...) {
      std::fprintf(stderr, "process '%s': uncaught exception\n",
                   options_.name.c_str());
      code = 70;
    }
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
    // _exit: the child must not run the parent's atexit handlers or static
    // destructors (they would flush the parent's buffers a second time).
    ::_exit(code & 0xff);
  }
  pid_ = pid;
  return Status::Ok();
}

void Process::RecordWaitStatus(int status) {
  if (WIFEXITED(status)) {
    exit_code_ = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    exit_code_ = -WTERMSIG(status);
  }
}

Status Process::Join(int64_t timeout_ms) {
  if (pid_ == 0) {
    return FailedPreconditionError("process '" + options_.name +
                                   "' was never started");
  }
  if (exit_code_.has_value()) return Status::Ok();
  int status = 0;
  if (timeout_ms < 0) {
    while (true) {
      pid_t r = ::waitpid(pid_, &status, 0);
      if (r == pid_) break;
      if (r < 0 && errno != EINTR) return ErrnoError("waitpid", errno);
    }
    RecordWaitStatus(status);
    return Status::Ok();
  }
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  auto sleep = std::chrono::microseconds(100);
  while (true) {
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      RecordWaitStatus(status);
      return Status::Ok();
    }
    if (r < 0 && errno != EINTR) return ErrnoError("waitpid", errno);
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      return DeadlineExceededError(
          "process '" + options_.name + "' (pid " + std::to_string(pid_) +
          ") still running after " + std::to_string(timeout_ms) + " ms");
    }
    std::this_thread::sleep_for(
        std::min<std::chrono::nanoseconds>(sleep, deadline - now));
    sleep = std::min<std::chrono::microseconds>(sleep * 2,
                                                std::chrono::milliseconds(10));
  }
}

bool Process::IsAlive() {
  if (pid_ == 0 || exit_code_.has_value()) return false;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    RecordWaitStatus(status);
    return false;
  }
  return r == 0;
}

Status Process::Signal(int signo) {
  if (pid_ == 0) {
    return FailedPreconditionError("process '" + options_.name +
                                   "' was never started");
  }
  if (exit_code_.has_value()) return Status::Ok();
  // The child is not reaped yet (we hold its zombie), so the pid cannot have
  // been reused by another process.
  if (::kill(pid_, signo) != 0 && errno != ESRCH) {
    return ErrnoError("kill", errno);
  }
  return Status::Ok();
}

Status Process::Terminate() { return Signal(SIGTERM); }
Status Process::Kill() { return Signal(SIGKILL); }

std::string Process::ExitDescription() const {
  if (pid_ == 0) return "not started";
  if (!exit_code_.has_value()) return "running";
  return DescribeExitCode(*exit_code_);
}

}  // namespace crawler::mp
