// RedisServer: a redis-server child process for one test, on a free
// loopback port, with its working directory under $TEST_TMPDIR. By default
// it keeps nothing on disk (--save "" --appendonly no); with
// Options::append_only it writes an append-only file and fsyncs it before
// every reply (--appendonly yes --appendfsync always), so that a server
// killed with SIGKILL and started again by Restart() has every write it
// acknowledged.
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
  struct Options {
    // Persistence: an append-only file in dir(), fsynced before each reply.
    bool append_only = false;
  };

  // Starts redis-server (/usr/bin/redis-server, else from PATH) and waits
  // until it answers PING (10 s at most). Fails with kNotFound when there
  // is no redis-server, kDeadlineExceeded when it never answers.
  static StatusOr<std::unique_ptr<RedisServer>> Start(const Options& options);
  static StatusOr<std::unique_ptr<RedisServer>> Start() { return Start({}); }

  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;
  ~RedisServer();

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  // "redis://127.0.0.1:<port>/<db>".
  std::string Url(int db = 0) const;

  // Its working directory (the append-only files go to dir()/appendonlydir).
  const std::string& dir() const { return dir_; }
  // SIGKILL by pid, then reaps it: the server is gone at return.
  void Kill();
  // Starts a new server on the same port with the same directory and
  // options (after Kill(); a running one is killed first) and waits until
  // it answers PING, which includes loading its append-only file. Without
  // append_only the new server is empty.
  Status Restart();

 private:
  RedisServer(std::string dir, int port, const Options& options)
      : dir_(std::move(dir)), port_(port), options_(options) {}
  Status Launch();

  std::string dir_;
  int port_;
  Options options_;
  pid_t pid_ = -1;
};

}  // namespace crawler::testing

#endif  // TESTS_REDIS_REDIS_SERVER_H_
