// Tutorial idea 3: Process's methods and attributes: start, is_alive, join
// with a timeout, terminate, exitcode, name, pid and daemon.
//
// Python:
//   p = Process(target=slow, name='sleeper')
//   print(p.is_alive()); p.start(); print(p.is_alive(), p.pid)
//   p.join(0.1); print(p.is_alive())      # still running after the timeout
//   p.terminate(); p.join(); print(p.is_alive(), p.exitcode)   # False -15
//   d = Process(target=slow, daemon=True) # not awaited at exit
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "crawler/mp/pipe.h"
#include "crawler/mp/process.h"

namespace {

using crawler::Status;
using crawler::mp::Connection;
using crawler::mp::Process;
using crawler::mp::ProcessOptions;

const char* YesNo(bool b) { return b ? "yes" : "no"; }

int Fail(const char* what, const Status& s) {
  std::fprintf(stderr, "%s: %s\n", what, s.ToString().c_str());
  return 1;
}

}  // namespace

int main() {
  // The child reports its own getpid() over a Pipe, so that we can show
  // that pid() is the child's pid without printing a number that changes.
  auto ends = crawler::mp::Pipe();
  if (!ends.ok()) return Fail("pipe", ends.status());
  const int child_fd = ends->second.fd();
  Process sleeper(
      [child_fd] {
        Connection to_parent(::dup(child_fd));
        (void)to_parent.Send(std::to_string(::getpid()));
        std::this_thread::sleep_for(std::chrono::seconds(60));
        return 0;
      },
      ProcessOptions{.name = "sleeper"});
  std::printf("name: %s\n", sleeper.name().c_str());
  std::printf("before start: is_alive=%s pid=%d exit_code=%s\n",
              YesNo(sleeper.IsAlive()), static_cast<int>(sleeper.pid()),
              sleeper.ExitDescription().c_str());
  if (Status s = sleeper.Start(); !s.ok()) return Fail("start", s);
  ends->second.Close();
  std::string reported;
  if (Status s = ends->first.Recv(&reported, 10000); !s.ok()) {
    return Fail("recv", s);
  }
  std::printf("after start: is_alive=%s, pid() is the child's getpid(): %s\n",
              YesNo(sleeper.IsAlive()),
              YesNo(std::to_string(sleeper.pid()) == reported));
  Status timed_out = sleeper.Join(100);
  std::printf("join(100 ms): %s, is_alive=%s, exit_code=%s\n",
              timed_out.ok() ? "OK" : "timed out", YesNo(sleeper.IsAlive()),
              sleeper.ExitDescription().c_str());
  if (Status s = sleeper.Terminate(); !s.ok()) return Fail("terminate", s);
  if (Status s = sleeper.Join(); !s.ok()) return Fail("join", s);
  std::printf("after terminate and join: is_alive=%s, exit_code=%d (%s)\n",
              YesNo(sleeper.IsAlive()), sleeper.exit_code().value_or(0),
              sleeper.ExitDescription().c_str());

  // A process that finishes by itself.
  Process quick([] { return 3; }, ProcessOptions{.name = "quick"});
  if (Status s = quick.Start(); !s.ok()) return Fail("start", s);
  if (Status s = quick.Join(5000); !s.ok()) return Fail("join", s);
  std::printf("%s: exit_code=%d (%s)\n", quick.name().c_str(),
              quick.exit_code().value_or(-1), quick.ExitDescription().c_str());

  // A daemon: its owner does not wait for it; destroying the Process object
  // kills it (every child, daemon or not, also dies with its parent).
  pid_t daemon_pid = 0;
  {
    Process daemon_proc(
        [] {
          std::this_thread::sleep_for(std::chrono::seconds(60));
          return 0;
        },
        ProcessOptions{.name = "daemon", .daemon = true});
    if (Status s = daemon_proc.Start(); !s.ok()) return Fail("start", s);
    daemon_pid = daemon_proc.pid();
    std::printf("daemon: daemon=%s is_alive=%s\n", YesNo(daemon_proc.daemon()),
                YesNo(daemon_proc.IsAlive()));
  }
  std::printf("daemon after its Process was destroyed: gone=%s\n",
              YesNo(::kill(daemon_pid, 0) != 0));
  return 0;
}
