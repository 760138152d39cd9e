// MetricsServer: serves `/metrics` (Prometheus text format) and `/status`
// (JSON) from a process of its own, fed with snapshots by the coordinator.
//
// Why a process: the HTTP server (cpp-httplib, Debian's libcpp-httplib-dev)
// runs threads, and the coordinator must stay single-threaded because it
// forks workers (mp/process.h refuses to fork from a multi-threaded
// process). So Start() forks the server process with mp::Process, before
// the crawl starts any worker; the server binds, reports the port over an
// mp::Pipe, then serves the latest snapshot it got through an mp::Queue.
// Publish() never blocks the crawl: a snapshot that does not fit the queue
// at once is dropped (the next one supersedes it).
//
// Lifetime: Stop() (or the destructor) closes the queue; the server drains
// it, stops listening and exits, and is killed if it has not exited within
// MetricsServerOptions::stop_timeout_ms. If the coordinator dies, even by
// SIGKILL, the kernel kills the server (PR_SET_PDEATHSIG, as for workers).
// The server ignores SIGINT: Ctrl-C reaches the whole process group, and
// the coordinator, which finishes the requests in flight, decides when it
// ends.
//
// Thread-safety: not thread-safe; use it from the coordinator's thread.
#ifndef CRAWLER_METRICS_METRICS_SERVER_H_
#define CRAWLER_METRICS_METRICS_SERVER_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>

#include "crawler/base/status.h"
#include "crawler/metrics/collector.h"
#include "crawler/metrics/listen_address.h"
#include "crawler/metrics/snapshot.h"

namespace crawler::mp {
class Process;
class Queue;
}  // namespace crawler::mp

namespace crawler::metrics {

struct MetricsServerOptions {
  // Where to listen (port 0: a free port, see port()).
  ListenAddress address;
  // How long Start() waits for the server to listen.
  int64_t start_timeout_ms = 10000;
  // How long Stop() waits for the server to exit before killing it.
  int64_t stop_timeout_ms = 3000;
  // Threads of the HTTP server (each serves one connection at a time).
  int threads = 2;
};

class MetricsServer : public SnapshotSink {
 public:
  // Forks the server process and waits until it listens. REQUIRES: the
  // caller is single-threaded (mp::Process). Fails with Unavailable when the
  // address cannot be bound (in use, not local), naming it, and with the
  // mp error when the process cannot start.
  static StatusOr<std::unique_ptr<MetricsServer>> Start(
      const MetricsServerOptions& options);
  ~MetricsServer() override;
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Hands a snapshot to the server, or drops it when the queue is full.
  void Publish(const MetricsSnapshot& snapshot) override;

  // Ends the server process and waits for it. Idempotent.
  void Stop();

  // The port listened on (the one the system picked for port 0).
  int port() const { return port_; }
  // "http://127.0.0.1:PORT" ("http://[::1]:PORT").
  std::string base_url() const;
  // The server process's id (0 once stopped).
  pid_t pid() const;

 private:
  MetricsServer(const MetricsServerOptions& options,
                std::unique_ptr<mp::Queue> queue,
                std::unique_ptr<mp::Process> process, int port);

  MetricsServerOptions options_;
  std::unique_ptr<mp::Queue> queue_;
  std::unique_ptr<mp::Process> process_;
  int port_;
};

}  // namespace crawler::metrics

#endif  // CRAWLER_METRICS_METRICS_SERVER_H_
