// FaultServer: runs tests/testdata/fault_server.py, the fault-injection HTTP
// server (fault matrix section 7.1), as a child process for the lifetime of
// one object.
//
// Start() finds the script in the Bazel runfiles (a test must depend on
// //crawler/testing:fault_server, which carries the script as data), starts
// it with python3 (/usr/bin/python3 when it exists, for brotli; else python3
// from PATH) and waits for its "READY <port>" line (after "CANARY <port2>"
// when a canary was asked for). The server listens on 127.0.0.1 (and the
// canary on 127.0.0.2); the script's docstring documents every endpoint.
//
// Fake host names: the crawler reaches them with ResolveFlag(), e.g.
//   crawler fetch --allow-private --resolve '*.test:PORT:127.0.0.1'
//       http://s503.test:PORT/robots.txt
// and the server answers per Host header.
//
// The child is stopped by the destructor (SIGTERM, then SIGKILL after 2 s,
// then reaped). It also gets SIGKILL from the kernel when the thread that
// called Start() dies (PR_SET_PDEATHSIG), so a crashing test never leaves a
// server behind; call Start() from a thread that outlives the object.
//
// Thread-safety: the accessors and Get()/Log() may be called from many
// threads; Start() and the destructor must not race with other calls.
#ifndef CRAWLER_TESTING_FAULT_SERVER_H_
#define CRAWLER_TESTING_FAULT_SERVER_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/base/status.h"

namespace crawler::testing {

struct FaultServerOptions {
  // Also listen on 127.0.0.2 (a canary that records hits; --canary).
  bool canary = false;
  // The per-host robots.txt scenario table, a JSON object such as
  // {"r503.test": {"status": 503}, "hang.test": {"variant": "hang"}}
  // (--robots); empty for none.
  std::string robots_json;
  // More arguments for the script.
  std::vector<std::string> extra_args;
};

// A raw HTTP response read by FaultServer::Get().
struct RawResponse {
  int status = 0;    // From the status line; 0 if none.
  std::string head;  // Status line and headers, up to the blank line.
  std::string body;  // Everything after the blank line, as sent.
};

class FaultServer {
 public:
  // Fails with kNotFound when the script or python3 cannot be found,
  // kDeadlineExceeded when no READY line arrives within 10 s, kUnavailable
  // when the server exits or prints something else first (its stderr goes to
  // the test log).
  static StatusOr<std::unique_ptr<FaultServer>> Start(
      const FaultServerOptions& options = {});

  FaultServer(const FaultServer&) = delete;
  FaultServer& operator=(const FaultServer&) = delete;
  // Stops the server and waits for it to exit.
  ~FaultServer();

  // The TCP port on 127.0.0.1.
  int port() const { return port_; }
  // The canary's TCP port on 127.0.0.2; 0 without a canary.
  int canary_port() const { return canary_port_; }
  // The server's process id.
  pid_t pid() const { return pid_; }

  // "http://127.0.0.1:<port>" + path (path starts with '/').
  std::string Url(std::string_view path) const;
  // "http://<host>:<port>" + path, e.g. Url("s503.test", "/robots.txt").
  std::string Url(std::string_view host, std::string_view path) const;
  // "http://127.0.0.2:<canary_port>" + path.
  std::string CanaryUrl(std::string_view path) const;
  // "*.test:<port>:127.0.0.1", the value of the crawler's --resolve flag.
  std::string ResolveFlag() const;

  // GETs `target` (path and query) from 127.0.0.1:<port> over a plain socket
  // with "Host: <host>" (default 127.0.0.1:<port>) and Connection: close, and
  // reads until the server closes or `timeout_ms` passes (then
  // kDeadlineExceeded). A reset after some bytes returns what was read.
  StatusOr<RawResponse> Get(std::string_view target, std::string_view host = "",
                            int timeout_ms = 10000) const;
  // The request log, /__log with `query` (e.g. "listener=canary",
  // "host=a.test", "clear=1"): a JSON array as text.
  StatusOr<std::string> Log(std::string_view query = "") const;

 private:
  FaultServer(pid_t pid, int port, int canary_port)
      : pid_(pid), port_(port), canary_port_(canary_port) {}

  pid_t pid_;
  int port_;
  int canary_port_;
};

}  // namespace crawler::testing

#endif  // CRAWLER_TESTING_FAULT_SERVER_H_
