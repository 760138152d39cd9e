// Manager: shared dicts and lists that many processes read and update, the
// counterpart of Python's multiprocessing.Manager() with its dict() and
// list() proxies.
//
// Like Python's, it is a server process. Manager::Create() forks the manager
// process, which owns every dict and list and serves requests one at a time
// from a poll() loop; every other process holds only a connection to it and
// sends each operation as one request (mp/wire.h over a Pipe-style framed
// socket) and waits for its reply. Because the server is single-threaded and
// applies a request only once the whole frame has arrived, every operation is
// atomic: no reader ever sees half an update.
//
// Connections: the Manager object is created before fork() and inherited by
// every child. The first call in a process that is not the one holding the
// current connection (a child, detected by pid) creates a fresh socketpair,
// hands one end to the server over a shared registration socket
// (SCM_RIGHTS, one datagram, so concurrent registrations never interleave)
// and closes the inherited copy of its parent's connection. No call is needed
// in the child before use. A child that never calls the Manager keeps the
// inherited descriptor open until it exits; that is harmless.
//
// Crash semantics:
// - A client killed at any point (SIGKILL included) cannot corrupt anything:
//   a request that had not fully reached the server when the client died is
//   discarded whole (counted in ManagerStats::clients_lost_mid_request), one
//   that had is applied whole. So every operation whose call returned OK is
//   in the structure, and the one in progress at the kill is either fully
//   there or not at all. Other clients are never blocked by a dead or
//   stopped client: the server reads every connection without blocking.
// - If the manager process dies, the data dies with it (as in Python): every
//   later call fails with Closed or Unavailable. It dies with the process
//   that created it (PR_SET_PDEATHSIG).
// - A call that times out (ManagerOptions::request_timeout_ms) drops the
//   connection, so a late reply can never be taken for the next one; the
//   timed-out operation may or may not have been applied, and the next call
//   reconnects.
//
// Values are byte strings; DictProxy and ListProxy below encode typed keys
// and values with Codec<T> (mp/codec.h), the way the Pool moves arguments.
//
// Thread-safety: NOT thread-safe within a process (one connection per
// process); use it from one thread per process, any number of processes.
// Create() forks, so it must be called from a single-threaded process.
#ifndef CRAWLER_MP_MANAGER_H_
#define CRAWLER_MP_MANAGER_H_

#include <sys/types.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crawler/base/status.h"
#include "crawler/mp/codec.h"
#include "crawler/mp/pipe.h"
#include "crawler/mp/process.h"
#include "crawler/mp/wire.h"

namespace crawler::mp {

struct ManagerOptions {
  // Name of the manager process (its comm name).
  std::string name = "manager";
  // How long a client waits for a reply, in ms; < 0 waits forever (a client
  // still learns at once when the manager process dies: its connection
  // closes).
  int64_t request_timeout_ms = 30000;
  // How long the server waits to write one reply to a client that does not
  // read it before dropping that client, in ms.
  int64_t reply_timeout_ms = 10000;
};

// Counters kept by the manager process.
struct ManagerStats {
  uint64_t requests = 0;           // Requests applied before this one.
  uint64_t clients_connected = 0;  // Connections open now (the caller's too).
  uint64_t clients_total = 0;      // Connections ever registered.
  // Connections that closed in the middle of a request frame (a client
  // killed while sending); their partial request was discarded.
  uint64_t clients_lost_mid_request = 0;
};

class Manager {
 public:
  // Forks the manager process. Fails with FailedPrecondition when the caller
  // has more than one thread, and with the errno text when a socket or the
  // fork fails.
  static StatusOr<std::unique_ptr<Manager>> Create(
      const ManagerOptions& options = {});
  // In the process that called Create(): shuts the manager down (Shutdown()).
  // Children exit with _exit and never run it.
  ~Manager();
  Manager(const Manager&) = delete;
  Manager& operator=(const Manager&) = delete;

  // --- Dicts: name -> (key -> value). A dict exists once written to; reading
  // a dict that was never written sees it empty.
  Status DictSet(std::string_view dict, std::string_view key,
                 std::string_view value);
  // NotFound when the key is absent.
  StatusOr<std::string> DictGet(std::string_view dict, std::string_view key);
  // True when the key was there.
  StatusOr<bool> DictErase(std::string_view dict, std::string_view key);
  StatusOr<size_t> DictSize(std::string_view dict);
  // Every entry, sorted by key bytes (one consistent snapshot).
  StatusOr<std::vector<std::pair<std::string, std::string>>> DictItems(
      std::string_view dict);

  // --- Lists: name -> sequence of values.
  // Appends; returns the index of the new element.
  StatusOr<size_t> ListAppend(std::string_view list, std::string_view value);
  // InvalidArgument when index >= size.
  StatusOr<std::string> ListGet(std::string_view list, size_t index);
  Status ListSet(std::string_view list, size_t index, std::string_view value);
  StatusOr<size_t> ListSize(std::string_view list);
  // Every element in order (one consistent snapshot).
  StatusOr<std::vector<std::string>> ListItems(std::string_view list);

  StatusOr<ManagerStats> Stats();

  // Stops the manager process (Python's shutdown()) and waits for it; every
  // later call from any process fails with Closed. Only the process that
  // called Create() may call it (FailedPrecondition elsewhere). Idempotent.
  Status Shutdown();

  // The manager process's pid.
  pid_t server_pid() const { return server_->pid(); }

  // Test hook: sends the first half of a DictSet(dict, key, value) request
  // and returns, leaving the connection mid-frame, as a client killed while
  // sending would. The next call from this process fails.
  Status SendPartialRequestForTesting(std::string_view dict,
                                      std::string_view key,
                                      std::string_view value);

 private:
  Manager(ManagerOptions options, std::unique_ptr<Process> server,
          Connection conn, int register_fd);

  // Connects this process if it does not hold the current connection.
  Status EnsureConnected();
  // Sends `request` and returns the decoder-ready reply payload after the
  // OK/error header, or the error the server replied with.
  StatusOr<std::string> Call(const std::string& request);

  ManagerOptions options_;
  std::unique_ptr<Process> server_;
  pid_t owner_pid_;
  Connection conn_;  // This process's connection to the server.
  pid_t conn_pid_;   // The pid that created conn_.
  int register_fd_;  // Shared registration socket (client side).
  bool shut_down_ = false;
};

namespace manager_internal {

// Codec encoding of one key or value of a proxy (message type kValueType).
inline constexpr uint8_t kValueType = 30;
template <typename T>
std::string EncodeValue(const T& v) {
  Encoder e(kValueType);
  Codec<T>::Encode(v, e);
  return e.Take();
}
template <typename T>
StatusOr<T> DecodeValue(std::string_view bytes) {
  Decoder d(bytes);
  RETURN_IF_ERROR(d.Header(kValueType));
  T v{};
  RETURN_IF_ERROR(Codec<T>::Decode(d, &v));
  RETURN_IF_ERROR(d.Done());
  return v;
}

}  // namespace manager_internal

// A typed view of one managed dict (Python's manager.dict()). Keys and values
// are encoded with Codec<K> and Codec<V>. Cheap to copy; the Manager must
// outlive it.
template <typename K, typename V>
class DictProxy {
 public:
  DictProxy(Manager* manager, std::string name)
      : manager_(manager), name_(std::move(name)) {}

  Status Set(const K& key, const V& value) {
    return manager_->DictSet(name_, manager_internal::EncodeValue(key),
                             manager_internal::EncodeValue(value));
  }
  // NotFound when absent.
  StatusOr<V> Get(const K& key) {
    ASSIGN_OR_RETURN(
        std::string bytes,
        manager_->DictGet(name_, manager_internal::EncodeValue(key)));
    return manager_internal::DecodeValue<V>(bytes);
  }
  StatusOr<bool> Erase(const K& key) {
    return manager_->DictErase(name_, manager_internal::EncodeValue(key));
  }
  StatusOr<size_t> Size() { return manager_->DictSize(name_); }
  // Every entry, sorted by key (K's operator<).
  StatusOr<std::vector<std::pair<K, V>>> Items() {
    ASSIGN_OR_RETURN(auto raw, manager_->DictItems(name_));
    std::vector<std::pair<K, V>> out;
    out.reserve(raw.size());
    for (const auto& [k, v] : raw) {
      ASSIGN_OR_RETURN(K key, manager_internal::DecodeValue<K>(k));
      ASSIGN_OR_RETURN(V value, manager_internal::DecodeValue<V>(v));
      out.emplace_back(std::move(key), std::move(value));
    }
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    return out;
  }
  const std::string& name() const { return name_; }

 private:
  Manager* manager_;
  std::string name_;
};

// A typed view of one managed list (Python's manager.list()). Elements are
// encoded with Codec<T>. Cheap to copy; the Manager must outlive it.
template <typename T>
class ListProxy {
 public:
  ListProxy(Manager* manager, std::string name)
      : manager_(manager), name_(std::move(name)) {}

  // Returns the index of the new element.
  StatusOr<size_t> Append(const T& value) {
    return manager_->ListAppend(name_, manager_internal::EncodeValue(value));
  }
  StatusOr<T> Get(size_t index) {
    ASSIGN_OR_RETURN(std::string bytes, manager_->ListGet(name_, index));
    return manager_internal::DecodeValue<T>(bytes);
  }
  Status Set(size_t index, const T& value) {
    return manager_->ListSet(name_, index,
                             manager_internal::EncodeValue(value));
  }
  StatusOr<size_t> Size() { return manager_->ListSize(name_); }
  StatusOr<std::vector<T>> Items() {
    ASSIGN_OR_RETURN(auto raw, manager_->ListItems(name_));
    std::vector<T> out;
    out.reserve(raw.size());
    for (const auto& bytes : raw) {
      ASSIGN_OR_RETURN(T v, manager_internal::DecodeValue<T>(bytes));
      out.push_back(std::move(v));
    }
    return out;
  }
  const std::string& name() const { return name_; }

 private:
  Manager* manager_;
  std::string name_;
};

}  // namespace crawler::mp

#endif  // CRAWLER_MP_MANAGER_H_
