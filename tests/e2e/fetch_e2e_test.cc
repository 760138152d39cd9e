// `crawler fetch` end to end: the real binary, real worker processes, libcurl
// and gumbo, against the fixture server on 127.0.0.1.
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "crawler/testing/command.h"
#include "crawler/testing/fixture_server.h"
#include "crawler/testing/proc_util.h"
#include "crawler/testing/test_util.h"
#include "tests/e2e/e2e_util.h"

namespace crawler {
namespace {

using crawler::e2e::CrawlerPath;

using crawler::testing::ChildPids;
using crawler::testing::ChildrenOf;
using crawler::testing::Command;
using crawler::testing::FixtureServer;
using nlohmann::json;
using namespace std::chrono_literals;

std::unique_ptr<FixtureServer> StartServer() {
  auto s = FixtureServer::Start();
  REQUIRE_MESSAGE(s.ok(), s.status().ToString());
  return std::move(s).value();
}

// A port on 127.0.0.1 with nothing listening (bound, then closed).
int RefusedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

// A plain HTTP/1.0 GET on 127.0.0.1, for reading the fixture's request log
// without going through the crawler.
std::string HttpGet(int port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  std::string req = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  REQUIRE(write(fd, req.data(), req.size()) ==
          static_cast<ssize_t>(req.size()));
  std::string resp;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) resp.append(buf, n);
  close(fd);
  return resp;
}

std::vector<json> ParseLines(const std::string& out) {
  std::vector<json> records;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    REQUIRE_MESSAGE(!j.is_discarded(), "not JSON: " << line);
    records.push_back(std::move(j));
  }
  return records;
}

struct Run {
  int exit_code;
  std::string out;
  std::string err;
};

Run RunCrawler(std::vector<std::string> args,
               const std::string& stdin_data = "",
               std::vector<std::string> env = {}, int timeout_ms = 60000) {
  args.insert(args.begin(), CrawlerPath());
  auto cmd = Command::Start(args, env, stdin_data);
  REQUIRE(cmd.ok());
  std::optional<int> code = (*cmd)->Wait(timeout_ms);
  REQUIRE_MESSAGE(code.has_value(), "crawler did not finish in time");
  return {*code, (*cmd)->Stdout(), (*cmd)->Stderr()};
}

std::map<std::string, json> ByUrl(const std::vector<json>& records) {
  std::map<std::string, json> m;
  for (const json& r : records) {
    std::string u = r["url"];
    CHECK_MESSAGE(m.count(u) == 0, "duplicate record for " << u);
    m[u] = r;
  }
  return m;
}

TEST_CASE("fetch: ~200 URLs of every kind, one correct record each") {
  auto server = StartServer();
  const int refused = RefusedPort();
  std::vector<std::string> pages, missing, errors, redirects, binary, texts,
      refused_urls, malformed;
  for (int i = 0; i < 150; ++i)
    pages.push_back(server->Url("/page/" + std::to_string(i)));
  for (int i = 0; i < 10; ++i)
    missing.push_back(server->Url("/status/404?i=" + std::to_string(i)));
  for (int i = 0; i < 5; ++i)
    errors.push_back(server->Url("/status/500?i=" + std::to_string(i)));
  for (int i = 0; i < 10; ++i) {
    redirects.push_back(server->Url("/redirect?code=30" +
                                    std::to_string(i % 2 + 1) + "&to=/page/" +
                                    std::to_string(1000 + i)));
  }
  for (int i = 0; i < 5; ++i)
    binary.push_back(server->Url("/bin?i=" + std::to_string(i)));
  for (int i = 0; i < 5; ++i)
    texts.push_back(server->Url("/text?i=" + std::to_string(i)));
  for (int i = 0; i < 3; ++i) {
    refused_urls.push_back("http://127.0.0.1:" + std::to_string(refused) +
                           "/x" + std::to_string(i));
  }
  malformed = {"http://bad host/",      "not a url",           "http://",
               "ftp://example.com/f",   "javascript:alert(1)", "http://[::1/",
               "gopher://127.0.0.1:70/"};
  std::string input = "# a seed list with comments and blank lines\n\n";
  size_t total = 0;
  for (const auto* group : {&pages, &missing, &errors, &redirects, &binary,
                            &texts, &refused_urls, &malformed}) {
    for (const std::string& u : *group) {
      input += "  " + u + "  \n";
      ++total;
    }
  }
  Run run = RunCrawler({"fetch", "--allow-private", "--workers", "3",
                        "--concurrency", "8", "--timeout", "10"},
                       input);
  CHECK_MESSAGE(run.exit_code == 0, run.err);
  auto records = ParseLines(run.out);
  CHECK(records.size() == total);
  auto by_url = ByUrl(records);
  CHECK(by_url.size() == total);
  for (const json& r : records) {
    for (const char* key : {"url", "final_url", "status", "content_type",
                            "bytes", "title", "links", "elapsed_ms", "error"}) {
      CHECK_MESSAGE(r.contains(key), "missing " << key << " in " << r.dump());
    }
  }
  for (size_t i = 0; i < pages.size(); ++i) {
    const json& r = by_url[pages[i]];
    CHECK(r["status"] == 200);
    CHECK(r["final_url"] == pages[i]);
    CHECK(r["title"] == "Page " + std::to_string(i));
    CHECK(r["links"] == 5);
    CHECK(r["error"].is_null());
    CHECK(r["bytes"].get<int>() > 1000);
    CHECK(r["content_type"].get<std::string>().rfind("text/html", 0) == 0);
  }
  for (const auto& u : missing) {
    CHECK(by_url[u]["status"] == 404);
    CHECK(by_url[u]["error"].is_null());  // A 404 is an answer, not an error.
    CHECK(by_url[u]["title"].is_null());  // text/plain: not parsed.
  }
  for (const auto& u : errors) CHECK(by_url[u]["status"] == 500);
  for (size_t i = 0; i < redirects.size(); ++i) {
    const json& r = by_url[redirects[i]];
    CHECK(r["status"] == 200);
    CHECK(r["final_url"] == server->Url("/page/" + std::to_string(1000 + i)));
    CHECK(r["title"] == "Page " + std::to_string(1000 + i));
  }
  for (const auto& u : binary) {
    CHECK(by_url[u]["status"] == 200);
    CHECK(by_url[u]["content_type"] == "application/octet-stream");
    CHECK(by_url[u]["title"].is_null());
    CHECK(by_url[u]["links"].is_null());
    CHECK(by_url[u]["bytes"] == 10240);
  }
  for (const auto& u : texts) CHECK(by_url[u]["title"].is_null());
  for (const auto& u : refused_urls) {
    const json& r = by_url[u];
    CHECK(r["status"].is_null());
    std::string e = r["error"];
    CHECK_MESSAGE(e.rfind("connect_failed: ", 0) == 0, e);
    CHECK(e.find("Connection refused") != std::string::npos);
  }
  for (const auto& u : malformed) {
    REQUIRE_MESSAGE(by_url.count(u) == 1, u);
    std::string e = by_url[u]["error"];
    CHECK_MESSAGE((e.rfind("bad_url: ", 0) == 0 ||
                   e.rfind("unsupported_scheme: ", 0) == 0),
                  e);
  }
  CHECK(by_url["ftp://example.com/f"]["error"].get<std::string>().find(
            "only http and https") != std::string::npos);
  CHECK(ChildPids().size() == 1);  // Only the fixture server is left.
}

TEST_CASE(
    "fetch: --ordered writes records in input order; -o and --input files") {
  auto server = StartServer();
  std::string dir = crawler::testing::TempDir();
  std::string in_path = dir + "/ordered_in.txt";
  std::string out_path = dir + "/ordered_out.jsonl";
  std::vector<std::string> urls;
  for (int i = 0; i < 30; ++i) {
    // Early URLs are the slowest, so completion order differs from input order.
    urls.push_back(server->Url("/slow?ms=" + std::to_string((30 - i) * 10)));
  }
  {
    std::ofstream f(in_path);
    for (const auto& u : urls) f << u << "\n";
  }
  Run run = RunCrawler({"fetch", "--allow-private", "--ordered", "-w", "2",
                        "-c", "16", "--input", in_path, "-o", out_path});
  CHECK_MESSAGE(run.exit_code == 0, run.err);
  CHECK(run.out.empty());
  std::ifstream f(out_path);
  std::stringstream ss;
  ss << f.rdbuf();
  auto records = ParseLines(ss.str());
  REQUIRE(records.size() == urls.size());
  for (size_t i = 0; i < urls.size(); ++i) CHECK(records[i]["url"] == urls[i]);
}

TEST_CASE("fetch: loopback addresses are refused unless --allow-private") {
  auto server = StartServer();
  std::string url = server->Url("/page/7?private-check");
  Run run = RunCrawler({"fetch", url});
  CHECK(run.exit_code == 0);
  auto records = ParseLines(run.out);
  REQUIRE(records.size() == 1);
  std::string e = records[0]["error"];
  CHECK_MESSAGE(e.rfind("blocked_private_address: ", 0) == 0, e);
  CHECK(e.find("--allow-private") != std::string::npos);
  // The server never saw the request.
  std::string log = HttpGet(server->port(), "/__log");
  CHECK(log.find("/page/1") == std::string::npos);
  CHECK(log.find("private-check") == std::string::npos);
  // Sanity: the log does record requests that were made.
  Run allowed = RunCrawler({"fetch", "--allow-private", url});
  CHECK(ParseLines(allowed.out)[0]["status"] == 200);
  CHECK(HttpGet(server->port(), "/__log").find("private-check") !=
        std::string::npos);
}

TEST_CASE("fetch: a worker killed with SIGKILL mid-run loses nothing") {
  auto server = StartServer();
  std::string input;
  std::vector<std::string> urls;
  for (int i = 0; i < 40; ++i) {
    urls.push_back(server->Url("/slow?ms=" + std::to_string(250 + i)));
    input += urls.back() + "\n";
  }
  auto cmd = Command::Start(
      {CrawlerPath(), "fetch", "--allow-private", "-w", "2", "-c", "6"}, {},
      input);
  REQUIRE(cmd.ok());
  // Wait until both workers exist and are busy, then kill one.
  std::vector<pid_t> workers;
  for (int i = 0; i < 200 && workers.size() < 2; ++i) {
    std::this_thread::sleep_for(10ms);
    workers = ChildrenOf((*cmd)->pid());
  }
  REQUIRE(workers.size() == 2);
  std::this_thread::sleep_for(100ms);
  REQUIRE(kill(workers[0], SIGKILL) == 0);
  auto code = (*cmd)->Wait(60000);
  REQUIRE(code.has_value());
  CHECK(*code == 0);
  std::string err = (*cmd)->Stderr();
  CHECK_MESSAGE(err.find("killed by signal 9") != std::string::npos, err);
  auto records = ParseLines((*cmd)->Stdout());
  CHECK(records.size() == urls.size());
  auto by_url = ByUrl(records);
  for (const auto& u : urls) {
    REQUIRE(by_url.count(u) == 1);
    CHECK_MESSAGE(by_url[u]["status"] == 200, by_url[u].dump());
  }
}

TEST_CASE(
    "fetch: a URL that crashes every worker is reported after 3 attempts") {
  auto server = StartServer();
  std::vector<std::string> urls;
  std::string input;
  for (int i = 0; i < 20; ++i) {
    urls.push_back(server->Url("/page/" + std::to_string(i)));
    input += urls.back() + "\n";
  }
  std::string poison = server->Url("/page/99?poison");
  input += poison + "\n";
  Run run = RunCrawler({"fetch", "--allow-private", "-w", "2", "-c", "4"},
                       input, {"CRAWLER_TEST_CRASH_ON=poison"});
  CHECK_MESSAGE(run.exit_code == 0, run.err);
  auto by_url = ByUrl(ParseLines(run.out));
  CHECK(by_url.size() == urls.size() + 1);
  std::string e = by_url[poison]["error"];
  CHECK_MESSAGE(
      e.rfind("worker_crashed: worker killed by signal 9 (Killed)", 0) == 0, e);
  CHECK(e.find("gave up after 3 attempts") != std::string::npos);
  for (const auto& u : urls) CHECK(by_url[u]["status"] == 200);
}

TEST_CASE(
    "fetch: a worker that stops responding is killed after the lease timeout") {
  auto server = StartServer();
  std::vector<std::string> urls;
  std::string input;
  for (int i = 0; i < 10; ++i) {
    urls.push_back(server->Url("/page/" + std::to_string(i)));
    input += urls.back() + "\n";
  }
  std::string stuck = server->Url("/page/5?stuck");
  input += stuck + "\n";
  auto t0 = std::chrono::steady_clock::now();
  Run run = RunCrawler(
      {"fetch", "--allow-private", "-w", "2", "--lease-timeout", "0.5"}, input,
      {"CRAWLER_TEST_HANG_ON=stuck"}, 30000);
  auto took = std::chrono::steady_clock::now() - t0;
  CHECK_MESSAGE(run.exit_code == 0, run.err);
  auto by_url = ByUrl(ParseLines(run.out));
  CHECK(by_url.size() == urls.size() + 1);
  std::string e = by_url[stuck]["error"];
  CHECK_MESSAGE(e.find("held a URL for more than 500 ms without answering") !=
                    std::string::npos,
                e);
  CHECK(e.find("gave up after 3 attempts") != std::string::npos);
  for (const auto& u : urls) CHECK(by_url[u]["status"] == 200);
  CHECK(took < 10s);
}

TEST_CASE("fetch: SIGTERM drains the URLs in flight and exits 143") {
  auto server = StartServer();
  std::string input;
  for (int i = 0; i < 200; ++i)
    input += server->Url("/slow?ms=" + std::to_string(400 + i)) + "\n";
  auto cmd = Command::Start(
      {CrawlerPath(), "fetch", "--allow-private", "-w", "2", "-c", "4"}, {},
      input);
  REQUIRE(cmd.ok());
  std::this_thread::sleep_for(600ms);
  std::vector<pid_t> workers = ChildrenOf((*cmd)->pid());
  REQUIRE(kill((*cmd)->pid(), SIGTERM) == 0);
  auto code = (*cmd)->Wait(10000);
  REQUIRE(code.has_value());
  CHECK(*code == 143);
  auto records = ParseLines((*cmd)->Stdout());
  CHECK(records.size() > 0);
  CHECK(records.size() < 200);  // Stopped early...
  for (const json& r : records)
    CHECK(r["status"] == 200);  // ...with no casualties.
  CHECK((*cmd)->Stderr().find("finishing") != std::string::npos);
  for (pid_t w : workers) CHECK(crawler::testing::IsGoneOrZombie(w));
}

TEST_CASE("fetch: workers exit by themselves when the coordinator is killed") {
  REQUIRE(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
  auto server = StartServer();
  std::string input;
  for (int i = 0; i < 50; ++i)
    input += server->Url("/slow?ms=" + std::to_string(2000 + i)) + "\n";
  auto cmd = Command::Start(
      {CrawlerPath(), "fetch", "--allow-private", "-w", "2"}, {}, input);
  REQUIRE(cmd.ok());
  std::vector<pid_t> workers;
  for (int i = 0; i < 200 && workers.size() < 2; ++i) {
    std::this_thread::sleep_for(10ms);
    workers = ChildrenOf((*cmd)->pid());
  }
  REQUIRE(workers.size() == 2);
  REQUIRE(kill((*cmd)->pid(), SIGKILL) == 0);
  CHECK((*cmd)->Wait(5000) == -SIGKILL);
  for (pid_t w : workers) {
    CHECK(crawler::testing::WaitGone(w, 3000));
    int status;
    waitpid(w, &status, 0);  // Adopted by us (subreaper): reap.
  }
  prctl(PR_SET_CHILD_SUBREAPER, 0);
}

TEST_CASE("fetch: --progress reports what workers counted in shared memory") {
  auto server = StartServer();
  std::string input;
  for (int i = 0; i < 20; ++i)
    input += server->Url("/page/" + std::to_string(i)) + "\n";
  input += server->Url("/bin") + "\n";
  Run run =
      RunCrawler({"fetch", "--allow-private", "--progress", "-w", "2"}, input);
  CHECK(run.exit_code == 0);
  CHECK(ParseLines(run.out).size() == 21);
  // The final line: 21 URLs, 20 of them HTML parsed by the workers.
  CHECK_MESSAGE(
      run.err.find("done: 21 URLs (21 ok, 0 errors)") != std::string::npos,
      run.err);
  CHECK_MESSAGE(run.err.find(" 20 pages parsed") != std::string::npos, run.err);
}

TEST_CASE("CLI: url resolve and robots check through the binary") {
  Run ok = RunCrawler({"url", "resolve", "http://a/b/c/d;p?q", "../g"});
  CHECK(ok.exit_code == 0);
  CHECK(ok.out == "http://a/b/g\n");
  Run idn = RunCrawler({"url", "resolve", "http://example.com/x/",
                        "HTTP://B\xC3\xBC"
                        "cher.Example:80/a/./b/../c#frag"});
  CHECK(idn.exit_code == 0);
  CHECK(idn.out == "http://xn--bcher-kva.example/a/c\n");
  Run bad = RunCrawler({"url", "resolve", "http://a/", "mailto:x@y"});
  CHECK(bad.exit_code != 0);
  CHECK(bad.out.empty());
  CHECK(bad.err.find("mailto") != std::string::npos);
  Run usage = RunCrawler({"url", "resolve", "http://a/"});
  CHECK(usage.exit_code == 2);

  std::string robots = crawler::testing::TempDir() + "/cli_robots.txt";
  {
    std::ofstream f(robots);
    f << "User-agent: *\nDisallow: /private\n\nUser-agent: mybot\nDisallow: "
         "/\nAllow: /public\n";
  }
  Run check = RunCrawler({"robots", "check", "--robots", robots, "--agent",
                          "MyBot/2.0", "http://s/public/x", "http://s/other"});
  CHECK(check.exit_code == 0);
  CHECK(check.out == "allowed http://s/public/x\ndisallowed http://s/other\n");
  Run other = RunCrawler({"robots", "check", "--robots", robots, "--agent",
                          "crawler", "http://s/private/1", "http://s/x"});
  CHECK(other.out == "disallowed http://s/private/1\nallowed http://s/x\n");
  Run missing =
      RunCrawler({"robots", "check", "--robots", "/nonexistent/robots.txt",
                  "--agent", "a", "http://s/"});
  CHECK(missing.exit_code == 2);
}

TEST_CASE("CLI: help, version and usage errors") {
  Run help = RunCrawler({"--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("fetch") != std::string::npos);
  Run fhelp = RunCrawler({"fetch", "--help"});
  CHECK(fhelp.exit_code == 0);
  CHECK(fhelp.out.find("--concurrency") != std::string::npos);
  Run version = RunCrawler({"--version"});
  CHECK(version.exit_code == 0);
  CHECK(version.out.rfind("crawler ", 0) == 0);
  Run none = RunCrawler({});
  CHECK(none.exit_code == 2);
  Run bad_cmd = RunCrawler({"fecth"});
  CHECK(bad_cmd.exit_code == 2);
  CHECK(bad_cmd.err.find("unknown command 'fecth'") != std::string::npos);
  Run bad_opt = RunCrawler({"fetch", "--wrokers", "2"});
  CHECK(bad_opt.exit_code == 2);
  CHECK(bad_opt.err.find("unknown option '--wrokers'") != std::string::npos);
  Run bad_val = RunCrawler({"fetch", "--workers", "0"});
  CHECK(bad_val.exit_code == 2);
  CHECK(
      bad_val.err.find("--workers expects an integer from 1 to 256, got '0'") !=
      std::string::npos);
  Run no_file = RunCrawler({"fetch", "--input", "/nonexistent/urls.txt"});
  CHECK(no_file.exit_code == 2);
  CHECK(no_file.err.find("/nonexistent/urls.txt") != std::string::npos);
  Run empty = RunCrawler({"fetch"}, "");  // No URLs at all: nothing to do.
  CHECK(empty.exit_code == 0);
  CHECK(empty.out.empty());
}

TEST_CASE("fetch: an unwritable output is a clear failure, exit 1") {
  auto server = StartServer();
  Run run = RunCrawler(
      {"fetch", "--allow-private", "-o", "/dev/full", server->Url("/page/1")});
  CHECK(run.exit_code == 1);
  CHECK_MESSAGE(run.err.find("No space left on device") != std::string::npos,
                run.err);
  CHECK(run.err.find("/dev/full") != std::string::npos);
}

}  // namespace
}  // namespace crawler
