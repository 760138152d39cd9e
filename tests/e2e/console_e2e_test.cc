// What `crawler crawl` and `crawler fetch` write, end to end: records in
// JSON lines or CSV, to a file or to standard output (-o -), with chosen
// fields; progress (none when stderr is not a terminal, lines with
// --progress, a status line refreshed in place on a pseudo-terminal);
// message levels and --log-file; Ctrl-C once (graceful: records of the
// requests in flight, the summary, exit 130) and twice (at once); the grace
// period; exit 3 over --max-error-rate; and only whole records after
// kill -9. Against the generated site of tests/testdata/site_server.py,
// stopped by its destructor whatever happens.
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "crawler/testing/command.h"
#include "crawler/testing/proc_util.h"
#include "crawler/testing/site_server.h"
#include "crawler/testing/test_util.h"
#include "tests/e2e/e2e_util.h"

namespace crawler {
namespace {

using crawler::e2e::CrawlerPath;
using crawler::e2e::ReadFile;

using crawler::testing::ChildrenOf;
using crawler::testing::Command;
using crawler::testing::SiteServer;
using nlohmann::json;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::unique_ptr<SiteServer> StartSite(const std::vector<std::string>& options) {
  auto s = SiteServer::Start(options);
  REQUIRE_MESSAGE(s.ok(), s.status().ToString());
  return std::move(s).value();
}

std::string Scratch(const std::string& name) {
  static int counter = 0;
  return crawler::testing::TempDir() + "/console_" + std::to_string(getpid()) +
         "_" + std::to_string(counter++) + "_" + name;
}

std::string LastLine(std::string text) {
  while (!text.empty() && text.back() == '\n') text.pop_back();
  const size_t nl = text.rfind('\n');
  return nl == std::string::npos ? text : text.substr(nl + 1);
}

// Every line of `text` is a JSON object and the text ends with a line
// break: nothing was cut.
std::vector<json> WholeJsonLines(const std::string& text) {
  std::vector<json> records;
  if (text.empty()) return records;
  REQUIRE_MESSAGE(text.back() == '\n',
                  "the output ends inside a record: " << text.substr(
                      text.size() > 200 ? text.size() - 200 : 0));
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    REQUIRE_MESSAGE((!j.is_discarded() && j.is_object()),
                    "not a whole JSON record: " << line);
    records.push_back(std::move(j));
  }
  return records;
}

// A strict RFC 4180 reader: rows of fields; fails the test on anything
// malformed, including a last row without its CRLF.
std::vector<std::vector<std::string>> CsvRows(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  size_t i = 0;
  bool at_start = true;
  while (i < text.size()) {
    const char c = text[i];
    if (at_start && c == '"') {
      ++i;
      while (true) {
        REQUIRE_MESSAGE(i < text.size(), "unterminated quoted field");
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field.push_back(text[i++]);
      }
      at_start = false;
      continue;
    }
    if (c == ',') {
      row.push_back(field);
      field.clear();
      at_start = true;
      ++i;
    } else if (c == '\r') {
      const bool crlf = i + 1 < text.size() && text[i + 1] == '\n';
      REQUIRE_MESSAGE(crlf, "a CR without LF at " << i);
      row.push_back(field);
      rows.push_back(row);
      row.clear();
      field.clear();
      at_start = true;
      i += 2;
    } else {
      const bool plain = c != '"' && c != '\n';
      REQUIRE_MESSAGE(plain, "a quote or LF outside quotes at " << i);
      field.push_back(c);
      at_start = false;
      ++i;
    }
  }
  const bool whole = at_start && row.empty() && field.empty();
  REQUIRE_MESSAGE(whole, "the CSV ends inside a row");
  return rows;
}

// Starts `crawler ARGS...`.
StatusOr<std::unique_ptr<Command>> StartCrawler(
    const std::vector<std::string>& args) {
  std::vector<std::string> argv = {CrawlerPath()};
  argv.insert(argv.end(), args.begin(), args.end());
  return Command::Start(argv);
}

struct Run {
  int exit_code = -1;
  std::string out;
  std::string err;
};

Run RunCrawler(const std::vector<std::string>& args, int timeout_ms = 60000) {
  auto cmd = StartCrawler(args);
  REQUIRE(cmd.ok());
  std::optional<int> code = (*cmd)->Wait(timeout_ms);
  REQUIRE_MESSAGE(code.has_value(), "crawler did not finish in time");
  return {*code, (*cmd)->Stdout(), (*cmd)->Stderr()};
}

// `crawler crawl --allow-private --delay 0 --per-host 4 ARGS... SEED`,
// without the program.
std::vector<std::string> CrawlArgs(const SiteServer& site,
                                   std::vector<std::string> args) {
  std::vector<std::string> all = {
      "crawl", "--allow-private", "--delay", "0", "--per-host",
      "4",     "--workers",       "2"};
  all.insert(all.end(), args.begin(), args.end());
  all.push_back(site.Url("/"));
  return all;
}

TEST_CASE("Records: JSON lines to stdout with -o -, the same in a file") {
  auto site = StartSite({"--pages", "40"});
  Run to_stdout = RunCrawler(CrawlArgs(*site, {"-o", "-"}));
  REQUIRE_MESSAGE(to_stdout.exit_code == 0, to_stdout.err);
  const std::vector<json> a = WholeJsonLines(to_stdout.out);
  CHECK(a.size() > 40);
  const std::string path = Scratch("out.jsonl");
  Run to_file = RunCrawler(CrawlArgs(*site, {"-o", path}));
  REQUIRE_MESSAGE(to_file.exit_code == 0, to_file.err);
  CHECK(to_file.out.empty());
  const std::vector<json> b = WholeJsonLines(ReadFile(path));
  CHECK(b.size() == a.size());
  std::remove(path.c_str());
}

TEST_CASE("Records: CSV with a header, chosen fields in order, RFC 4180") {
  auto site = StartSite({"--pages", "40"});
  Run run = RunCrawler(CrawlArgs(
      *site, {"--format", "csv", "--fields", "status,url,title,depth,error"}));
  REQUIRE_MESSAGE(run.exit_code == 0, run.err);
  const auto rows = CsvRows(run.out);
  REQUIRE(rows.size() > 40);
  CHECK(rows[0] ==
        std::vector<std::string>{"status", "url", "title", "depth", "error"});
  bool saw_root = false, saw_404 = false, saw_skip = false;
  for (size_t i = 1; i < rows.size(); ++i) {
    REQUIRE(rows[i].size() == 5);
    if (rows[i][1] == site->Url("/")) {
      saw_root = true;
      CHECK(rows[i][0] == "200");
      CHECK(rows[i][3] == "0");
      CHECK(rows[i][4].empty());  // A null error: an empty field.
    }
    if (rows[i][0] == "404") saw_404 = true;
    if (rows[i][4].rfind("skipped_content_type: ", 0) == 0) saw_skip = true;
  }
  CHECK(saw_root);
  CHECK(saw_404);
  CHECK(saw_skip);
  // The same crawl in JSON lines with the same fields: the same keys, in
  // that order.
  Run jsonl = RunCrawler(CrawlArgs(*site, {"--fields", "status,url"}));
  REQUIRE_MESSAGE(jsonl.exit_code == 0, jsonl.err);
  const std::string first = jsonl.out.substr(0, jsonl.out.find('\n'));
  CHECK(first.rfind("{\"status\":", 0) == 0);
  CHECK(first.find(",\"url\":\"") != std::string::npos);
  CHECK(json::parse(first).size() == 2);
}

TEST_CASE("Records: fetch writes CSV too; an unknown field is a usage error") {
  auto site = StartSite({"--pages", "5"});
  Run run =
      RunCrawler({"fetch", "--allow-private", "--format", "csv", "--fields",
                  "url,status", site->Url("/"), site->Url("/missing/1.html")});
  REQUIRE_MESSAGE(run.exit_code == 0, run.err);
  const auto rows = CsvRows(run.out);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0] == std::vector<std::string>{"url", "status"});
  Run bad = RunCrawler({"crawl", "--fields", "url,size", site->Url("/")});
  CHECK(bad.exit_code == 2);
  CHECK(bad.out.empty());
  CHECK(bad.err.find("unknown field 'size' (fields: url, final_url, status,") !=
        std::string::npos);
}

TEST_CASE("Not a terminal: no progress; --progress gives lines; a summary") {
  auto site = StartSite({"--pages", "40", "--slow-ms", "40"});
  Run quiet_progress = RunCrawler(CrawlArgs(*site, {"--per-host", "2"}));
  REQUIRE_MESSAGE(quiet_progress.exit_code == 0, quiet_progress.err);
  const std::string& err = quiet_progress.err;
  CHECK(err.find('\r') == std::string::npos);
  CHECK(err.find(" in flight") == std::string::npos);  // No progress line.
  CHECK(err.find("crawler: pages by status: 2xx ") != std::string::npos);
  CHECK(err.find(" from 1 host in ") != std::string::npos);
  const std::string last = LastLine(err);
  CHECK(last.rfind("crawler: crawl stopped (done): ", 0) == 0);
  // skipped_content_type (the site's PDFs and PNGs) is not an error.
  CHECK(last.find(" 0 errors, ") != std::string::npos);
  CHECK(last.find(" 0 skipped by type") == std::string::npos);

  Run forced = RunCrawler(CrawlArgs(*site, {"--per-host", "2", "--progress"}));
  REQUIRE_MESSAGE(forced.exit_code == 0, forced.err);
  CHECK(forced.err.find('\r') == std::string::npos);
  CHECK(forced.err.find(" in flight, ") != std::string::npos);
  CHECK(forced.err.find("crawler: done: ") != std::string::npos);
  CHECK(LastLine(forced.err).find("crawl stopped (done)") != std::string::npos);
}

TEST_CASE("Levels: -q says nothing on success; -v a line per URL") {
  auto site = StartSite({"--pages", "10"});
  Run quiet = RunCrawler(CrawlArgs(*site, {"-q"}));
  REQUIRE(quiet.exit_code == 0);
  CHECK(quiet.err.empty());
  CHECK(!quiet.out.empty());
  Run verbose = RunCrawler(CrawlArgs(*site, {"-v"}));
  REQUIRE(verbose.exit_code == 0);
  CHECK(verbose.err.find("crawler: 200 " + site->Url("/") + " (depth 0, ") !=
        std::string::npos);
  CHECK(verbose.err.find("crawler: 404 " + site->Url("/missing/")) !=
        std::string::npos);
  Run warn = RunCrawler(CrawlArgs(*site, {"--log-level", "warn"}));
  REQUIRE(warn.exit_code == 0);
  CHECK(warn.err.find("crawl stopped") == std::string::npos);  // Info.
}

TEST_CASE("--log-file: timestamped messages in the file, stderr quiet") {
  auto site = StartSite({"--pages", "10"});
  const std::string log = Scratch("crawl.log");
  Run run = RunCrawler(CrawlArgs(*site, {"--log-file", log, "-v"}));
  REQUIRE(run.exit_code == 0);
  CHECK(run.err.empty());
  const std::string text = ReadFile(log);
  CHECK(text.find(" debug 200 " + site->Url("/")) != std::string::npos);
  CHECK(text.find(" info crawl stopped (done): ") != std::string::npos);
  // Lines start with a UTC time: 2026-01-01T00:00:00.000Z.
  CHECK(text.size() > 25);
  CHECK(text[4] == '-');
  CHECK(text[10] == 'T');
  CHECK(text[23] == 'Z');
  std::remove(log.c_str());
}

// Runs the crawler with stderr on a pseudo-terminal (stdout to a file) and
// returns what the terminal received.
struct PtyRun {
  int exit_code = -1;
  std::string terminal;
  std::string out;
};

PtyRun RunOnPty(const std::vector<std::string>& args) {
  int master = -1, slave = -1;
  winsize size{};
  size.ws_row = 24;
  size.ws_col = 120;
  REQUIRE(openpty(&master, &slave, nullptr, nullptr, &size) == 0);
  const std::string out_path = Scratch("pty.out");
  std::vector<std::string> argv = {CrawlerPath()};
  argv.insert(argv.end(), args.begin(), args.end());
  const pid_t parent = getpid();
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    setsid();
    ioctl(slave, TIOCSCTTY, 0);
    const int in = open("/dev/null", O_RDONLY);
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(in, 0);
    dup2(out, 1);
    dup2(slave, 2);
    close(master);
    std::vector<char*> cargv;
    for (std::string& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    execv(cargv[0], cargv.data());
    _exit(127);
  }
  close(slave);
  PtyRun run;
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  char buf[4096];
  while (Clock::now() < deadline) {
    pollfd p{master, POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) continue;
    const ssize_t n = read(master, buf, sizeof buf);
    if (n <= 0) break;  // EIO: every holder of the terminal is gone.
    run.terminal.append(buf, static_cast<size_t>(n));
  }
  close(master);
  // The terminal closes as the process exits: it may take a moment more to
  // become waitable.
  int status = 0;
  pid_t reaped = 0;
  for (int i = 0; i < 100 && reaped == 0; ++i) {
    reaped = waitpid(pid, &status, WNOHANG);
    if (reaped == 0) std::this_thread::sleep_for(milliseconds(50));
  }
  if (reaped == 0) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    FAIL("the crawler on the pseudo-terminal did not finish");
  }
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  run.out = ReadFile(out_path);
  std::remove(out_path.c_str());
  return run;
}

TEST_CASE("A terminal: one status line refreshed in place with \\r") {
  auto site = StartSite({"--pages", "60", "--slow-ms", "50"});
  PtyRun run = RunOnPty(CrawlArgs(*site, {"--per-host", "2"}));
  REQUIRE_MESSAGE(run.exit_code == 0, run.terminal);
  const std::string redraw = "\r\x1b[K";
  // Several redraws of the status line, each a line of counters.
  size_t redraws = 0;
  for (size_t at = 0; (at = run.terminal.find(redraw, at)) != std::string::npos;
       at += redraw.size()) {
    ++redraws;
  }
  CHECK_MESSAGE(redraws >= 4, run.terminal);
  const size_t first = run.terminal.find(redraw);
  REQUIRE(first != std::string::npos);
  const std::string status = run.terminal.substr(first + redraw.size(), 200);
  CHECK_MESSAGE(status.find(" pages | ") != std::string::npos, status);
  CHECK(status.find("/s | ") != std::string::npos);
  CHECK(status.find(" queued | ") != std::string::npos);
  CHECK(status.find(" in flight | ") != std::string::npos);
  CHECK(status.find(" errors | ") != std::string::npos);
  // Erased at the end; the summary follows, its last line as always.
  CHECK(run.terminal.find("crawl stopped (done)") != std::string::npos);
  CHECK(WholeJsonLines(run.out).size() > 60);
  // -q: nothing at all on the terminal.
  PtyRun quiet = RunOnPty(CrawlArgs(*site, {"-q"}));
  CHECK(quiet.exit_code == 0);
  CHECK(quiet.terminal.empty());
}

TEST_CASE("Ctrl-C once: requests in flight finish, summary, exit 130") {
  auto site = StartSite({"--pages", "300", "--slow-ms", "300"});
  const std::string path = Scratch("sigint.jsonl");
  auto cmd = StartCrawler(CrawlArgs(*site, {"--per-host", "4", "-o", path}));
  REQUIRE(cmd.ok());
  std::this_thread::sleep_for(milliseconds(1200));
  const std::vector<pid_t> workers = ChildrenOf((*cmd)->pid());
  const auto t0 = Clock::now();
  REQUIRE(kill((*cmd)->pid(), SIGINT) == 0);
  std::optional<int> code = (*cmd)->Wait(10000);
  REQUIRE(code.has_value());
  CHECK(*code == 130);
  CHECK(Clock::now() - t0 < std::chrono::seconds(3));  // 300 ms in flight.
  const std::string err = (*cmd)->Stderr();
  CHECK(err.find("crawler: SIGINT received: interrupted; finishing ") !=
        std::string::npos);
  CHECK(LastLine(err).rfind("crawler: crawl stopped (interrupted): ", 0) == 0);
  CHECK(err.find("pages by status: ") != std::string::npos);
  const std::vector<json> records = WholeJsonLines(ReadFile(path));
  CHECK(records.size() >= 4);
  CHECK(records.size() < 300);
  for (const json& r : records) {  // No casualties of the interruption.
    const bool fine =
        r["error"].is_null() ||
        r["error"].get<std::string>().rfind("skipped_content_type: ", 0) == 0;
    CHECK_MESSAGE(fine, r.dump());
  }
  for (pid_t w : workers) CHECK(crawler::testing::WaitGone(w, 2000));
  std::remove(path.c_str());
}

TEST_CASE("Ctrl-C twice: the crawler exits at once, whole records only") {
  auto site = StartSite({"--pages", "300", "--slow-ms", "4000"});
  const std::string path = Scratch("twice.jsonl");
  auto cmd = StartCrawler(CrawlArgs(*site, {"--per-host", "4", "-o", path}));
  REQUIRE(cmd.ok());
  // robots.txt answers at once; then the first pages take 4 s each.
  std::this_thread::sleep_for(milliseconds(800));
  const std::vector<pid_t> workers = ChildrenOf((*cmd)->pid());
  REQUIRE(kill((*cmd)->pid(), SIGINT) == 0);
  std::this_thread::sleep_for(milliseconds(300));
  const auto t0 = Clock::now();
  REQUIRE(kill((*cmd)->pid(), SIGINT) == 0);
  std::optional<int> code = (*cmd)->Wait(3000);
  REQUIRE(code.has_value());
  CHECK(*code == 130);
  CHECK(Clock::now() - t0 < milliseconds(1000));
  const std::string err = (*cmd)->Stderr();
  CHECK(err.find("SIGINT received") != std::string::npos);
  CHECK(LastLine(err) == "crawler: second signal: exiting at once");
  WholeJsonLines(ReadFile(path));
  for (pid_t w : workers) CHECK(crawler::testing::WaitGone(w, 2000));
  std::remove(path.c_str());
}

TEST_CASE("Ctrl-C: after the grace period, requests in flight are dropped") {
  auto site = StartSite({"--pages", "100", "--slow-ms", "5000"});
  auto cmd = StartCrawler(
      CrawlArgs(*site, {"--per-host", "4", "--grace-period", "0.5"}));
  REQUIRE(cmd.ok());
  std::this_thread::sleep_for(milliseconds(800));
  const std::vector<pid_t> workers = ChildrenOf((*cmd)->pid());
  const auto t0 = Clock::now();
  REQUIRE(kill((*cmd)->pid(), SIGTERM) == 0);
  std::optional<int> code = (*cmd)->Wait(5000);
  REQUIRE(code.has_value());
  CHECK(*code == 143);
  CHECK(Clock::now() - t0 < milliseconds(2500));
  const std::string err = (*cmd)->Stderr();
  CHECK(err.find("up to 0.5 s") != std::string::npos);
  CHECK(err.find("grace period over: abandoning ") != std::string::npos);
  CHECK(LastLine(err).find("requests in flight abandoned after the grace "
                           "period") != std::string::npos);
  WholeJsonLines((*cmd)->Stdout());
  for (pid_t w : workers) CHECK(crawler::testing::WaitGone(w, 2000));
}

TEST_CASE("--max-error-rate: exit 3 above it, 0 at it") {
  auto site = StartSite({"--pages", "5"});
  // Port 1 refuses: one of the two URLs fails.
  const std::vector<std::string> urls = {site->Url("/"),
                                         "http://127.0.0.1:1/refused"};
  std::vector<std::string> args = {"fetch", "--allow-private",
                                   "--max-error-rate", "0.4"};
  args.insert(args.end(), urls.begin(), urls.end());
  Run above = RunCrawler(args);
  CHECK(above.exit_code == 3);
  CHECK(above.err.find("crawler: 50% of the fetched URLs ended with an error "
                       "(1 of 2), more than --max-error-rate 40%") !=
        std::string::npos);
  CHECK(WholeJsonLines(above.out).size() == 2);  // Records all the same.
  args[3] = "50%";
  Run at = RunCrawler(args);
  CHECK(at.exit_code == 0);
  // A crawl: the refused seed is a fetched page with an error.
  Run crawl = RunCrawler({"crawl", "--allow-private", "--no-robots",
                          "--retries", "0", "--delay", "0", "--scope", "any",
                          "--max-error-rate", "0", urls[0], urls[1]});
  CHECK(crawl.exit_code == 3);
  CHECK(crawl.err.find("of the fetched pages ended with an error") !=
        std::string::npos);
  CHECK(LastLine(crawl.err).find("crawl stopped (done)") != std::string::npos);
}

TEST_CASE("kill -9 mid-crawl leaves only whole records") {
  // Slow enough (10 ms a page, 16 at once) to be killed mid-crawl.
  auto site = StartSite({"--pages", "4000", "--slow-ms", "10"});
  std::mt19937 rng(std::random_device{}());
  for (const char* format : {"jsonl", "csv", "jsonl", "csv", "jsonl"}) {
    CAPTURE(format);
    const std::string path = Scratch(std::string("killed.") + format);
    auto cmd = StartCrawler(
        CrawlArgs(*site, {"--per-host", "16", "--format", format, "-o", path}));
    REQUIRE(cmd.ok());
    std::this_thread::sleep_for(
        milliseconds(std::uniform_int_distribution<int>(600, 1500)(rng)));
    REQUIRE(kill((*cmd)->pid(), SIGKILL) == 0);
    std::optional<int> code = (*cmd)->Wait(5000);
    REQUIRE(code.has_value());
    CHECK(*code == -SIGKILL);
    const std::string text = ReadFile(path);
    if (std::string(format) == "jsonl") {
      CHECK(WholeJsonLines(text).size() > 0);
    } else {
      const auto rows = CsvRows(text);
      REQUIRE(rows.size() > 1);
      size_t ragged = 0;
      for (const auto& row : rows) ragged += row.size() != rows[0].size();
      CHECK(ragged == 0);
    }
    std::remove(path.c_str());
  }
}

}  // namespace
}  // namespace crawler
