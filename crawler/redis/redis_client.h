// RedisClient: a small synchronous Redis client (RESP2 over TCP, on hiredis
// 0.14) with errors as Status values.
//
// It runs commands whose arguments are binary-safe byte strings, pipelines
// (many commands written at once, their replies read in order: one round
// trip), and Lua scripts by EVALSHA, loading a script with SCRIPT LOAD the
// first time a server answers NOSCRIPT (a new connection, a restarted or
// flushed server). See
// https://redis.io/docs/latest/develop/interact/programmability/eval-intro/
// ("Script cache": scripts are cached by SHA1 until the server restarts or
// SCRIPT FLUSH).
//
// Errors:
//   kUnavailable (Tag::kRetryable): no connection: refused, reset, closed by
//     the server, a connect or reply timeout, or a server that says it cannot
//     serve now (LOADING, BUSY, READONLY, MASTERDOWN, TRYAGAIN, CLUSTERDOWN).
//     The connection is dropped; the next call connects again, no more often
//     than Options::reconnect_interval_ms (calls in between fail at once
//     with the last error, so a dead server costs no time per call).
//   kInvalidArgument: a malformed redis:// URL; a command the server rejects
//     as malformed (wrong number of arguments, unknown command, syntax).
//   kResourceExhausted: the server's maxmemory is reached (OOM reply).
//   kInternal: any other error reply (WRONGTYPE, a Lua runtime error), a
//     protocol error, or a reply of an unexpected type.
// An error reply to one command of a pipeline is that command's reply (type
// kError), not a failure of the pipeline.
//
// The process must ignore SIGPIPE (crawler/cli/main.cc and the test main do):
// hiredis writes with write(2), and a server gone mid-write would otherwise
// kill the process.
//
// Thread-safety: not thread-safe; use one client per thread.
#ifndef CRAWLER_REDIS_REDIS_CLIENT_H_
#define CRAWLER_REDIS_REDIS_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "crawler/base/status.h"

namespace crawler::redis {

// Where a Redis server is: redis://host[:port][/db].
struct RedisAddress {
  std::string host;  // Name or IP literal (an IPv6 literal without brackets).
  int port = 6379;   // TCP port.
  int db = 0;        // Logical database (SELECT), 0..15 on a default server.

  // "redis://host:port/db" (IPv6 literals in brackets).
  std::string ToUrl() const;
};

// Parses "redis://host[:port][/db]" (host may be a bracketed IPv6 literal).
// Fails with kInvalidArgument naming the URL and what is wrong: another
// scheme, credentials (not supported yet), an empty host, a port outside
// 1..65535, a db that is not a number 0..9999, a query or fragment.
StatusOr<RedisAddress> ParseRedisUrl(std::string_view url);

// One reply, copied out of hiredis's reply object.
struct Reply {
  enum class Type { kNil, kString, kStatus, kError, kInteger, kArray };
  Type type = Type::kNil;
  std::string str;              // kString, kStatus and kError.
  int64_t integer = 0;          // kInteger.
  std::vector<Reply> elements;  // kArray.

  bool is_error() const { return type == Type::kError; }
  // A one-line description for messages ("integer 3", "error ERR ...").
  std::string Describe() const;
};

// The Status of an error reply (see the mapping at the top); OK for any
// other reply. `what` prefixes the message (e.g. the command's name).
Status ReplyError(const Reply& reply, std::string_view what);

// A Lua script, identified by its SHA1 once a server has loaded it.
struct Script {
  std::string name;    // For messages ("add_batch").
  std::string source;  // The Lua source.
};

// The operations the Redis frontier needs; an interface so that a fake can
// stand in for a server.
class RedisClient {
 public:
  virtual ~RedisClient() = default;

  // Runs one command (argv[0] is its name). Returns the reply, which may be
  // an error reply (check Reply::is_error or ReplyError), or a non-OK Status
  // when there was no reply (see the error list at the top).
  virtual StatusOr<Reply> Command(const std::vector<std::string>& argv) = 0;
  // Runs the commands in one round trip; their replies in order. Fails as a
  // whole only when the connection fails.
  virtual StatusOr<std::vector<Reply>> Pipeline(
      const std::vector<std::vector<std::string>>& commands) = 0;
  // EVALSHA of the script with these keys and arguments, after SCRIPT LOAD
  // when the server does not have it. A Lua error becomes kInternal with the
  // script's name and the server's message; the reply of a script that
  // succeeded is returned as is.
  virtual StatusOr<Reply> Eval(const Script& script,
                               const std::vector<std::string>& keys,
                               const std::vector<std::string>& args) = 0;
  // The last failure of a call (OK after a call that succeeded).
  virtual Status health() const = 0;
};

class HiredisClient : public RedisClient {
 public:
  struct Options {
    // Connecting (TCP connect and SELECT) gives up after this long.
    int connect_timeout_ms = 2000;
    // A command whose reply takes longer fails (and the connection is
    // dropped: its reply could still arrive later).
    int command_timeout_ms = 5000;
    // After a failed connection, calls fail at once for this long before the
    // next attempt to connect.
    int reconnect_interval_ms = 500;
  };

  // Does not connect: the first call does. The address is used as is.
  HiredisClient(const RedisAddress& address, const Options& options);
  ~HiredisClient() override;
  HiredisClient(const HiredisClient&) = delete;
  HiredisClient& operator=(const HiredisClient&) = delete;

  // Connects now (if not connected). Same errors as the calls.
  Status Connect();
  // Drops the connection without a word to the server (a test's "node
  // died"); the next call connects again.
  void Disconnect();

  StatusOr<Reply> Command(const std::vector<std::string>& argv) override;
  StatusOr<std::vector<Reply>> Pipeline(
      const std::vector<std::vector<std::string>>& commands) override;
  StatusOr<Reply> Eval(const Script& script,
                       const std::vector<std::string>& keys,
                       const std::vector<std::string>& args) override;
  Status health() const override { return health_; }

  const RedisAddress& address() const { return address_; }
  // Round trips made so far (a pipeline or an EVALSHA counts one).
  uint64_t round_trips() const { return round_trips_; }

 private:
  struct Context;
  Status EnsureConnected();
  // Maps the context's error to a Status, drops the connection, and records
  // the error in health_.
  Status ConnectionFailed(std::string_view what);
  StatusOr<std::vector<Reply>> RoundTrip(
      const std::vector<std::vector<std::string>>& commands);

  RedisAddress address_;
  Options options_;
  std::unique_ptr<Context> context_;  // Null when not connected.
  std::chrono::steady_clock::time_point retry_at_{};
  Status health_;
  uint64_t round_trips_ = 0;
  // Script source -> SHA1 returned by SCRIPT LOAD.
  std::unordered_map<std::string, std::string> shas_;
};

}  // namespace crawler::redis

#endif  // CRAWLER_REDIS_REDIS_CLIENT_H_
