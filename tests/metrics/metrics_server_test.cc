// The metrics server process in-process: it listens, serves the latest
// snapshot, refuses a port in use, and is gone after Stop().
#include "crawler/metrics/metrics_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "crawler/testing/proc_util.h"
#include "crawler/testing/test_util.h"
#include "tests/metrics/http_get.h"
#include "tests/metrics/prometheus_text.h"

namespace crawler::metrics {
namespace {

using crawler::testing::HttpGet;
using crawler::testing::HttpResponse;

std::unique_ptr<MetricsServer> StartServer(int port = 0) {
  MetricsServerOptions options;
  options.address.port = port;
  StatusOr<std::unique_ptr<MetricsServer>> server =
      MetricsServer::Start(options);
  REQUIRE_MESSAGE(server.ok(), server.status().ToString());
  return std::move(server).value();
}

TEST_SUITE("MetricsServer") {
  TEST_CASE("Serves the latest snapshot on /metrics and /status") {
    std::unique_ptr<MetricsServer> server = StartServer();
    REQUIRE(server->port() > 0);
    REQUIRE(server->pid() > 0);
    CHECK(server->base_url() ==
          "http://127.0.0.1:" + std::to_string(server->port()));

    StatusOr<HttpResponse> first = HttpGet(server->port(), "/metrics");
    REQUIRE_MESSAGE(first.ok(), first.status().ToString());
    CHECK(first->status == 200);
    CHECK(first->headers.find("content-type: text/plain; version=0.0.4") !=
          std::string::npos);
    StatusOr<crawler::testing::PromText> text =
        crawler::testing::ParsePromText(first->body);
    REQUIRE_MESSAGE(text.ok(), text.status().ToString());
    CHECK(text->Value("crawler_crawl_state", {{"state", "starting"}}) == 1);

    MetricsSnapshot s;
    s.state = "running";
    s.pages_by_class[1] = 42;
    s.queued = 7;
    server->Publish(s);
    double pages = 0;
    for (int i = 0; i < 200 && pages != 42; ++i) {
      StatusOr<HttpResponse> r = HttpGet(server->port(), "/metrics");
      REQUIRE(r.ok());
      StatusOr<crawler::testing::PromText> t =
          crawler::testing::ParsePromText(r->body);
      REQUIRE(t.ok());
      pages = t->Value("crawler_pages_total", {{"class", "2xx"}});
      if (pages != 42)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    CHECK(pages == 42);

    StatusOr<HttpResponse> status = HttpGet(server->port(), "/status");
    REQUIRE(status.ok());
    CHECK(status->status == 200);
    nlohmann::json j = nlohmann::json::parse(status->body);
    CHECK(j["state"] == "running");
    CHECK(j["queued"] == 7);

    StatusOr<HttpResponse> missing = HttpGet(server->port(), "/nope");
    REQUIRE(missing.ok());
    CHECK(missing->status == 404);

    const pid_t pid = server->pid();
    const int port = server->port();
    server->Stop();
    CHECK(server->pid() == 0);
    CHECK(crawler::testing::WaitGone(pid, 5000));
    CHECK(HttpGet(port, "/metrics").status().code() == Code::kUnavailable);
    server->Publish(s);  // After Stop: dropped, no crash.
  }

  TEST_CASE("A port in use is Unavailable, naming the address") {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd, 1) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    const int port = ntohs(addr.sin_port);
    MetricsServerOptions options;
    options.address.port = port;
    StatusOr<std::unique_ptr<MetricsServer>> server =
        MetricsServer::Start(options);
    ::close(fd);
    REQUIRE_FALSE(server.ok());
    CHECK(server.status().code() == Code::kUnavailable);
    CHECK(server.status().message().find("127.0.0.1:" + std::to_string(port)) !=
          std::string::npos);
    CHECK(crawler::testing::ChildPids().empty());
  }

  TEST_CASE("The destructor stops the server") {
    pid_t pid = 0;
    {
      std::unique_ptr<MetricsServer> server = StartServer();
      pid = server->pid();
    }
    CHECK(crawler::testing::WaitGone(pid, 5000));
  }
}

}  // namespace
}  // namespace crawler::metrics
