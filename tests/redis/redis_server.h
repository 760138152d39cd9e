// RedisServer: a redis-server child process for one test, on a free
// loopback port, with no persistence (--save "" --appendonly no) and its
// working directory under $TEST_TMPDIR.
//
// The child gets SIGKILL from the kernel when the thread that started it
// dies (PR_SET_PDEATHSIG), so a crashing test leaves no server behind; the
// destructor stops it (SIGTERM, then SIGKILL after 2 s) and reaps it.
//
// Thread-safety: not thread-safe.
#ifndef TESTS_REDIS_REDIS_SERVER_H_
#define TESTS_REDIS_REDIS_SERVER_H_

#include <sys/types.h>

#include <memory>
#include <string>

#include "crawler/base/status.h"

namespace crawler::testing {

class RedisServer {
 public:
  // Starts redis-server (/usr/bin/redis-server, else from PATH) and waits
  // until it answers PING (10 s at most). Fails with kNotFound when there
  // is no redis-server, kDeadlineExceeded when it never answers.
  static StatusOr<std::unique_ptr<RedisServer>> Start();

  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;
  ~RedisServer();

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  // "redis://127.0.0.1:<port>/<db>".
  std::string Url(int db = 0) const;

  // SIGKILL by pid, then reaps it: the server is gone at return.
  void Kill();
  // Starts a new server on the same port (after Kill()), empty, and waits
  // until it answers PING.
  Status Restart();

 private:
  RedisServer(std::string dir, int port) : dir_(std::move(dir)), port_(port) {}
  Status Launch();

  std::string dir_;
  int port_;
  pid_t pid_ = -1;
};

}  // namespace crawler::testing

#endif  // TESTS_REDIS_REDIS_SERVER_H_
