#include "crawler/metrics/metrics_server.h"

#include <httplib.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <thread>

#include "crawler/metrics/exposition.h"
#include "crawler/mp/pipe.h"
#include "crawler/mp/process.h"
#include "crawler/mp/queue.h"
#include "crawler/mp/wire.h"

namespace crawler::metrics {
namespace {

constexpr uint8_t kReadyType = 2;  // Server -> coordinator, once.

// Snapshots are a few kilobytes; a handful may wait.
constexpr size_t kQueueBytes = size_t{4} << 20;
constexpr size_t kQueueMessages = 16;

using SteadyClock = std::chrono::steady_clock;

constexpr char kIndex[] =
    "crawler metrics server\n"
    "/metrics  Prometheus text format 0.0.4\n"
    "/status   the same figures as JSON\n";

// The body of the server process. Returns its exit code.
int Serve(const MetricsServerOptions& options, mp::Queue& queue,
          mp::Connection& ready) {
  ::signal(SIGINT, SIG_IGN);
  std::mutex mu;
  MetricsSnapshot latest;                                // Guarded by mu.
  SteadyClock::time_point updated = SteadyClock::now();  // Guarded by mu.
  auto current = [&](double* age_s) {
    std::lock_guard<std::mutex> lock(mu);
    *age_s =
        std::chrono::duration<double>(SteadyClock::now() - updated).count();
    return latest;
  };

  httplib::Server server;
  const size_t threads = static_cast<size_t>(std::max(1, options.threads));
  server.new_task_queue = [threads] {
    return new httplib::ThreadPool(threads);
  };
  server.set_keep_alive_timeout(2);
  server.set_read_timeout(5, 0);
  server.set_write_timeout(5, 0);
  server.Get("/metrics", [&](const httplib::Request&, httplib::Response& res) {
    double age = 0;
    MetricsSnapshot s = current(&age);
    res.set_content(RenderPrometheus(s, age), kPrometheusContentType);
  });
  server.Get("/status", [&](const httplib::Request&, httplib::Response& res) {
    double age = 0;
    MetricsSnapshot s = current(&age);
    res.set_content(RenderStatusJson(s, age), "application/json");
  });
  server.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(kIndex, "text/plain; charset=utf-8");
  });

  const std::string& host = options.address.host;
  errno = 0;
  int port = options.address.port;
  if (port == 0) {
    port = server.bind_to_any_port(host);
  } else if (!server.bind_to_port(host, port)) {
    port = -1;
  }
  const int bind_errno = errno;
  mp::Encoder reply(kReadyType);
  if (port <= 0) {
    std::string why =
        "cannot listen on " + FormatHostPort(host, options.address.port);
    if (bind_errno != 0) why += std::string(": ") + std::strerror(bind_errno);
    reply.Bool(false).U64(0).Bytes(why);
    (void)ready.Send(reply.data());
    return 1;
  }
  reply.Bool(true).U64(static_cast<uint64_t>(port)).Bytes("");
  if (!ready.Send(reply.data()).ok()) return 1;
  ready.Close();

  std::thread listener([&server] { server.listen_after_bind(); });
  std::string message;
  while (true) {
    Status got = queue.Get(&message, 250);
    if (got.ok()) {
      MetricsSnapshot s;
      if (DecodeSnapshot(message, &s).ok()) {
        std::lock_guard<std::mutex> lock(mu);
        latest = std::move(s);
        updated = SteadyClock::now();
      }
      continue;
    }
    if (got.code() == Code::kDeadlineExceeded) continue;
    break;  // Closed: the crawl is over.
  }
  server.stop();
  listener.join();
  return 0;
}

}  // namespace

MetricsServer::MetricsServer(const MetricsServerOptions& options,
                             std::unique_ptr<mp::Queue> queue,
                             std::unique_ptr<mp::Process> process, int port)
    : options_(options),
      queue_(std::move(queue)),
      process_(std::move(process)),
      port_(port) {}

MetricsServer::~MetricsServer() { Stop(); }

StatusOr<std::unique_ptr<MetricsServer>> MetricsServer::Start(
    const MetricsServerOptions& options) {
  mp::QueueOptions qopts;
  qopts.capacity_bytes = kQueueBytes;
  qopts.max_messages = kQueueMessages;
  qopts.spin_iterations = 0;
  ASSIGN_OR_RETURN(std::unique_ptr<mp::Queue> queue, mp::Queue::Create(qopts));
  ASSIGN_OR_RETURN(auto ends, mp::Pipe());
  mp::Queue* q = queue.get();
  const int parent_fd = ends.first.fd();
  const int child_fd = ends.second.fd();
  mp::ProcessOptions popts;
  popts.name = "crawler-metrics";
  popts.stop_grace_ms = options.stop_timeout_ms;
  auto process = std::make_unique<mp::Process>(
      [options, q, parent_fd, child_fd]() {
        ::close(parent_fd);
        mp::Connection ready(child_fd);
        return Serve(options, *q, ready);
      },
      popts);
  RETURN_IF_ERROR(process->Start());
  ends.second.Close();
  std::string message;
  Status got = ends.first.Recv(&message, options.start_timeout_ms);
  std::string error;
  uint64_t port = 0;
  if (got.ok()) {
    mp::Decoder d(message);
    bool ok = false;
    got = d.Header(kReadyType);
    if (got.ok()) got = d.Bool(&ok);
    if (got.ok()) got = d.U64(&port);
    if (got.ok()) got = d.Bytes(&error);
    if (got.ok() && !ok) got = UnavailableError(error);
  } else {
    got =
        UnavailableError("the metrics server did not start: " + got.message());
  }
  if (!got.ok()) {
    (void)process->Kill();
    (void)process->Join(options.stop_timeout_ms);
    return got;
  }
  return std::unique_ptr<MetricsServer>(new MetricsServer(
      options, std::move(queue), std::move(process), static_cast<int>(port)));
}

void MetricsServer::Publish(const MetricsSnapshot& snapshot) {
  if (queue_ == nullptr || process_ == nullptr) return;
  (void)queue_->Put(EncodeSnapshot(snapshot), 0);
}

void MetricsServer::Stop() {
  if (process_ == nullptr) return;
  queue_->Close();
  if (!process_->Join(options_.stop_timeout_ms).ok()) {
    (void)process_->Kill();
    (void)process_->Join(options_.stop_timeout_ms);
  }
  process_.reset();
}

std::string MetricsServer::base_url() const {
  return "http://" + FormatHostPort(options_.address.host, port_);
}

pid_t MetricsServer::pid() const {
  return process_ != nullptr ? process_->pid() : 0;
}

}  // namespace crawler::metrics
