// Interrupts: the first SIGINT/SIGTERM is a flag; a second ends the process
// at once with 128 + the signal. Each case that may exit runs in a child.
#include "crawler/coordinator/interrupts.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "crawler/testing/test_util.h"

namespace crawler::coordinator {
namespace {

struct ChildResult {
  int exit_code = -1;  // -signal when killed.
  std::string err;     // Its stderr.
};

// Runs `body` in a child with stderr on a pipe; the child exits 0 when
// `body` returns.
template <typename Fn>
ChildResult RunInChild(Fn body) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    close(fds[0]);
    dup2(fds[1], STDERR_FILENO);
    body();
    _exit(0);
  }
  close(fds[1]);
  ChildResult result;
  char buf[512];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) result.err.append(buf, n);
  close(fds[0]);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  result.exit_code =
      WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  return result;
}

TEST_CASE("The first SIGINT is only a flag") {
  Interrupts interrupts(Interrupts::SecondSignal::kCount);
  CHECK(interrupts.signal() == 0);
  CHECK(interrupts.count() == 0);
  raise(SIGINT);
  CHECK(interrupts.signal() == SIGINT);
  CHECK(interrupts.count() == 1);
  raise(SIGTERM);  // Counted; signal() keeps the first.
  CHECK(interrupts.signal() == SIGINT);
  CHECK(interrupts.count() == 2);
}

TEST_CASE("A second SIGINT exits at once with 130, saying so") {
  ChildResult r = RunInChild([] {
    Interrupts interrupts;
    raise(SIGINT);
    if (interrupts.count() != 1) _exit(3);
    raise(SIGINT);
    _exit(4);  // Not reached.
  });
  CHECK(r.exit_code == 130);
  CHECK(r.err == "crawler: second signal: exiting at once\n");
}

TEST_CASE("SIGTERM then SIGINT exits with 143: the code of the first") {
  ChildResult r = RunInChild([] {
    Interrupts interrupts;
    raise(SIGTERM);
    raise(SIGINT);
    _exit(4);
  });
  CHECK(r.exit_code == 143);
}

TEST_CASE("The previous handlers come back when it is destroyed") {
  ChildResult r = RunInChild([] {
    signal(SIGINT, SIG_DFL);  // Not the test framework's handler.
    { Interrupts interrupts; }
    raise(SIGINT);  // The default action again: killed by SIGINT.
    _exit(4);
  });
  CHECK(r.exit_code == -SIGINT);
}

TEST_CASE("SignalName") {
  CHECK(std::string(SignalName(SIGINT)) == "SIGINT");
  CHECK(std::string(SignalName(SIGTERM)) == "SIGTERM");
  CHECK_FALSE(std::string(SignalName(SIGHUP)).empty());
}

}  // namespace
}  // namespace crawler::coordinator
