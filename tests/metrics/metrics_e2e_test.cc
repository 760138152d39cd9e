// `crawler crawl --metrics` end to end: the real binary crawls the generated
// site (tests/testdata/site_server.py, slowed down so the crawl lasts a few
// seconds) while the test scrapes /metrics and /status over plain sockets.
// The metrics server process must be gone when the crawl ends and when the
// coordinator is killed; a bad --metrics value is a usage error.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "crawler/testing/command.h"
#include "crawler/testing/proc_util.h"
#include "crawler/testing/site_server.h"
#include "crawler/testing/test_util.h"
#include "tests/metrics/http_get.h"
#include "tests/metrics/prometheus_text.h"

namespace crawler {
namespace {

using crawler::testing::Command;
using crawler::testing::HttpGet;
using crawler::testing::ParsePromText;
using crawler::testing::PromText;
using crawler::testing::SiteServer;
using SteadyClock = std::chrono::steady_clock;

std::unique_ptr<SiteServer> StartSite() {
  // ~100 ms per page: with two requests at a time the crawl takes seconds.
  auto site = SiteServer::Start({"--pages", "120", "--slow-ms", "100"});
  REQUIRE_MESSAGE(site.ok(), site.status().ToString());
  return std::move(site).value();
}

std::unique_ptr<Command> StartCrawl(const SiteServer& site,
                                    std::vector<std::string> extra) {
  std::vector<std::string> argv = {
      crawler::testing::RunfilePath("crawler/cli/crawler"),
      "crawl",
      "--allow-private",
      "--delay",
      "0",
      "--per-host",
      "2",
      "--workers",
      "1",
      "-o",
      crawler::testing::TempDir() + "/records.jsonl"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back(site.Url("/"));
  auto cmd = Command::Start(argv);
  REQUIRE(cmd.ok());
  return std::move(cmd).value();
}

struct Endpoint {
  int port = 0;
  pid_t pid = 0;
};

// Waits for the crawler's "crawler: metrics: http://...:PORT/metrics ...
// (pid N)" line on stderr.
Endpoint WaitForMetricsLine(Command& cmd) {
  const std::regex line(
      "crawler: metrics: http://127\\.0\\.0\\.1:([0-9]+)/metrics .*\\(pid "
      "([0-9]+)\\)");
  const auto deadline = SteadyClock::now() + std::chrono::seconds(20);
  while (SteadyClock::now() < deadline) {
    std::smatch m;
    const std::string err = cmd.Stderr();
    if (std::regex_search(err, m, line)) {
      return {std::stoi(m[1]), static_cast<pid_t>(std::stoi(m[2]))};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  FAIL("no metrics line on stderr: " << cmd.Stderr());
  return {};
}

PromText Scrape(int port) {
  StatusOr<crawler::testing::HttpResponse> r = HttpGet(port, "/metrics");
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  REQUIRE(r->status == 200);
  CHECK(r->headers.find("content-type: text/plain; version=0.0.4") !=
        std::string::npos);
  StatusOr<PromText> text = ParsePromText(r->body);
  REQUIRE_MESSAGE(text.ok(), text.status().ToString() << "\n" << r->body);
  return *text;
}

TEST_CASE("/metrics moves during a crawl and the server ends with it") {
  std::unique_ptr<SiteServer> site = StartSite();
  std::unique_ptr<Command> crawl = StartCrawl(*site, {"--metrics", "0"});
  const Endpoint ep = WaitForMetricsLine(*crawl);
  REQUIRE(ep.port > 0);
  REQUIRE(ep.pid > 0);
  // The metrics server starts before the worker, which may not exist yet.
  CHECK(crawler::testing::WaitForChildren(crawl->pid(), 2, 10000).size() >=
        2);  // Metrics server + worker.

  // First scrape once some pages are in.
  PromText first;
  const auto deadline = SteadyClock::now() + std::chrono::seconds(20);
  do {
    first = Scrape(ep.port);
    if (first.Sum("crawler_pages_total") >= 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  } while (SteadyClock::now() < deadline);
  REQUIRE(first.Sum("crawler_pages_total") >= 3);
  CHECK(first.Value("crawler_crawl_state", {{"state", "running"}}) == 1);
  CHECK(first.Value("crawler_robots_cache_entries", {{"state", "ready"}}) == 1);
  CHECK(first.Value("crawler_robots_fetches_total") == 1);
  CHECK(first.Value("crawler_snapshot_age_seconds") < 5);
  CHECK(first.Family("crawler_fetch_duration_seconds")->type == "histogram");
  // The site's queue is listed by origin while the crawl runs.
  const std::string origin = site->Url("");
  CHECK(first.Family("crawler_host_queued_urls") != nullptr);

  StatusOr<crawler::testing::HttpResponse> status = HttpGet(ep.port, "/status");
  REQUIRE(status.ok());
  CHECK(status->status == 200);
  nlohmann::json j = nlohmann::json::parse(status->body);
  CHECK(j["state"] == "running");
  CHECK(j["pages"].get<double>() >= 3);
  CHECK(j["robots"]["ready"] == 1);
  CHECK(j.contains("queued"));
  CHECK(j.contains("in_flight"));

  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  PromText second = Scrape(ep.port);
  INFO("first: " << first.Sum("crawler_pages_total")
                 << " pages, second: " << second.Sum("crawler_pages_total"));
  CHECK(second.Sum("crawler_pages_total") > first.Sum("crawler_pages_total"));
  CHECK(second.Value("crawler_fetch_duration_seconds_count") >
        first.Value("crawler_fetch_duration_seconds_count"));
  CHECK(second.Value("crawler_body_bytes_total") >
        first.Value("crawler_body_bytes_total"));
  CHECK(second.Value("crawler_elapsed_seconds") >
        first.Value("crawler_elapsed_seconds"));
  // Pages of about 100 ms: most transfers fall between 0.1 and 0.25 s.
  CHECK(
      second.Value("crawler_fetch_duration_seconds_bucket", {{"le", "0.05"}}) <
      second.Value("crawler_fetch_duration_seconds_count"));

  std::optional<int> code = crawl->Wait(120000);
  REQUIRE_MESSAGE(code.has_value(), "the crawl did not finish");
  CHECK_MESSAGE(*code == 0, crawl->Stderr());
  CHECK_MESSAGE(crawler::testing::WaitGone(ep.pid, 10000),
                "the metrics server outlived the crawl");
  CHECK(HttpGet(ep.port, "/metrics").status().code() == Code::kUnavailable);
}

TEST_CASE("The metrics server dies with a SIGKILLed coordinator") {
  std::unique_ptr<SiteServer> site = StartSite();
  std::unique_ptr<Command> crawl = StartCrawl(*site, {"--metrics", ":0"});
  const Endpoint ep = WaitForMetricsLine(*crawl);
  REQUIRE(HttpGet(ep.port, "/metrics").ok());
  REQUIRE(::kill(crawl->pid(), SIGKILL) == 0);
  std::optional<int> code = crawl->Wait(10000);
  REQUIRE(code.has_value());
  CHECK(*code == -SIGKILL);
  CHECK_MESSAGE(crawler::testing::WaitGone(ep.pid, 10000),
                "the metrics server outlived its coordinator");
}

TEST_CASE("A bad --metrics value is a usage error, before any fetch") {
  std::unique_ptr<SiteServer> site = StartSite();
  for (const char* value :
       {"nope", "example.com:9464", "127.0.0.1:70000", "", "[::1]"}) {
    std::unique_ptr<Command> crawl = StartCrawl(*site, {"--metrics", value});
    std::optional<int> code = crawl->Wait(20000);
    REQUIRE(code.has_value());
    CHECK_MESSAGE(*code == 2, value << ": " << crawl->Stderr());
    CHECK_MESSAGE(crawl->Stderr().find("--metrics") != std::string::npos,
                  crawl->Stderr());
  }
  StatusOr<std::string> log = site->Get("/__log");
  REQUIRE(log.ok());
  CHECK(nlohmann::json::parse(*log).empty());
}

TEST_CASE("A --metrics port in use fails the crawl before any fetch") {
  std::unique_ptr<SiteServer> site = StartSite();
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(fd, 1) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  const std::string port = std::to_string(ntohs(addr.sin_port));
  std::unique_ptr<Command> crawl =
      StartCrawl(*site, {"--metrics", "127.0.0.1:" + port});
  std::optional<int> code = crawl->Wait(20000);
  ::close(fd);
  REQUIRE(code.has_value());
  CHECK(*code == 1);
  CHECK_MESSAGE(crawl->Stderr().find("cannot listen on 127.0.0.1:" + port) !=
                    std::string::npos,
                crawl->Stderr());
  StatusOr<std::string> log = site->Get("/__log");
  REQUIRE(log.ok());
  CHECK(nlohmann::json::parse(*log).empty());
}

}  // namespace
}  // namespace crawler
