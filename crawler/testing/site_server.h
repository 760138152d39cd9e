// SiteServer: runs tests/testdata/site_server.py, the generated-site HTTP
// server of the crawl end-to-end tests, as a child process for the lifetime
// of one object.
//
// Start() finds the script in the Bazel runfiles (a test must list
// //crawler/testing:site_server as a dependency, which carries the script as
// data), starts it with python3 (/usr/bin/python3 when it exists, else python3
// from PATH) and the given options (e.g. {"--pages", "50", "--slow-ms",
// "200"}), and waits for its "READY <port>" line. The server listens on
// 127.0.0.1 only; see the script's docstring for the site, /__log and
// /__expected.
//
// The child is stopped by the destructor (SIGTERM, then SIGKILL after 2 s,
// then reaped). It also gets SIGKILL from the kernel when the thread that
// called Start() dies, so a crashing test never leaves a server behind.
//
// Thread-safety: port(), Url() and Get() may be called from many threads;
// Start() and the destructor must not race with other calls on the object.
#ifndef CRAWLER_TESTING_SITE_SERVER_H_
#define CRAWLER_TESTING_SITE_SERVER_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/base/status.h"

namespace crawler::testing {

class SiteServer {
 public:
  // Starts a server with `options` appended to its command line. Fails with
  // kNotFound when the script or python3 cannot be found, kDeadlineExceeded
  // when no READY line arrives within 10 s, and kUnavailable when the server
  // exits or prints something else first (its stderr goes to the test log).
  static StatusOr<std::unique_ptr<SiteServer>> Start(
      const std::vector<std::string>& options = {});

  SiteServer(const SiteServer&) = delete;
  SiteServer& operator=(const SiteServer&) = delete;
  // Stops the server and waits for it to exit.
  ~SiteServer();

  // The TCP port on 127.0.0.1.
  int port() const { return port_; }
  // "http://127.0.0.1:<port>" followed by `path` (which should start with /).
  std::string Url(std::string_view path) const;
  // The body of GET `path` (HTTP/1.0 on a plain socket, not the crawler), or
  // an error when the server cannot be reached or does not answer 200.
  StatusOr<std::string> Get(const std::string& path) const;
  // The server's process id.
  pid_t pid() const { return pid_; }

 private:
  SiteServer(pid_t pid, int port) : pid_(pid), port_(port) {}

  pid_t pid_;
  int port_;
};

}  // namespace crawler::testing

#endif  // CRAWLER_TESTING_SITE_SERVER_H_
