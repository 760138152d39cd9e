// ProxyServer: runs tests/testdata/proxy_server.py, a forward proxy (HTTP
// absolute-form requests, CONNECT tunnels and SOCKS5, with optional
// credentials and a request log), as a child process for the lifetime of
// one object. The script's docstring documents its options and its log.
//
// A test must depend on //crawler/testing:proxy_server, which carries the
// script as data. The child is killed and reaped by the destructor, and gets
// SIGKILL from the kernel if the test dies (Command).
//
// Thread-safety: the accessors may be called from many threads; Start() and
// the destructor must not race with other calls.
#ifndef CRAWLER_TESTING_PROXY_SERVER_H_
#define CRAWLER_TESTING_PROXY_SERVER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/base/status.h"
#include "crawler/testing/command.h"

namespace crawler::testing {

struct ProxyServerOptions {
  // Required credentials, "USER:PASSWORD" (--auth); "" for none.
  std::string credentials;
  // Name overrides, "SUFFIX=ADDRESS" (--map), e.g. "test=127.0.0.1" for
  // the fault server's fake *.test hosts.
  std::vector<std::string> map;
};

class ProxyServer {
 public:
  // Fails with kDeadlineExceeded when no "READY <port>" line arrives within
  // 10 s, or as Command::Start does.
  static StatusOr<std::unique_ptr<ProxyServer>> Start(
      const ProxyServerOptions& options = {});

  ProxyServer(const ProxyServer&) = delete;
  ProxyServer& operator=(const ProxyServer&) = delete;
  // Stops the proxy and removes its log.
  ~ProxyServer();

  // The TCP port on 127.0.0.1.
  int port() const { return port_; }
  // "<scheme>://127.0.0.1:<port>", e.g. Url("socks5h").
  std::string Url(std::string_view scheme) const;
  // The request log so far: one JSON object per line, per request answered.
  std::vector<std::string> LogLines() const;

 private:
  ProxyServer(std::unique_ptr<Command> command, std::string log, int port)
      : command_(std::move(command)), log_(std::move(log)), port_(port) {}

  std::unique_ptr<Command> command_;
  std::string log_;
  int port_;
};

}  // namespace crawler::testing

#endif  // CRAWLER_TESTING_PROXY_SERVER_H_
