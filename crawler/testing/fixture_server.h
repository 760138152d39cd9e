// FixtureServer: runs tests/testdata/fixture_server.py, the loopback HTTP
// fixture server, as a child process for the lifetime of one object.
//
// Start() finds the script in the Bazel runfiles (a test must list
// //crawler/testing:fixture_server as a dependency, which carries the script as
// data), starts it with python3 (/usr/bin/python3 when it exists, else python3
// from PATH), and waits for its "READY <port>" line. The server listens on
// 127.0.0.1 only; see the script's docstring for its endpoints.
//
// The child is stopped by the destructor (SIGTERM, then SIGKILL after 2 s,
// then reaped). It also gets SIGKILL from the kernel when the thread that
// called Start() dies, so a crashing test never leaves a server behind; call
// Start() from a thread that outlives the object (normally the test's main
// thread).
//
// Thread-safety: port() and Url() may be called from many threads; Start() and
// the destructor must not race with other calls on the same object.
#ifndef CRAWLER_TESTING_FIXTURE_SERVER_H_
#define CRAWLER_TESTING_FIXTURE_SERVER_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <string_view>

#include "crawler/base/status.h"

namespace crawler::testing {

class FixtureServer {
 public:
  // Starts a server. `pages` is passed as --pages when > 0 (the site then has
  // pages 0..pages-1). Fails with kNotFound when the script or python3 cannot
  // be found, kDeadlineExceeded when no READY line arrives within 10 s, and
  // kUnavailable when the server exits or prints something else first (its
  // stderr goes to the test log).
  static StatusOr<std::unique_ptr<FixtureServer>> Start(int pages = 0);

  FixtureServer(const FixtureServer&) = delete;
  FixtureServer& operator=(const FixtureServer&) = delete;
  // Stops the server and waits for it to exit.
  ~FixtureServer();

  // The TCP port on 127.0.0.1.
  int port() const { return port_; }
  // "http://127.0.0.1:<port>" followed by `path` (which should start with /).
  std::string Url(std::string_view path) const;
  // The server's process id.
  pid_t pid() const { return pid_; }

 private:
  FixtureServer(pid_t pid, int port) : pid_(pid), port_(port) {}

  pid_t pid_;
  int port_;
};

}  // namespace crawler::testing

#endif  // CRAWLER_TESTING_FIXTURE_SERVER_H_
