// `crawler crawl --state DIR` end to end (issue 6): a crawl stopped by
// SIGINT, or killed with SIGKILL, is finished by the next run with the same
// state, and the output of both runs together holds every expected URL
// exactly once; a second run on a state in use exits with status 4; a later
// run re-fetches only what is due, conditionally, and says what changed.
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "crawler/testing/command.h"
#include "crawler/testing/proc_util.h"
#include "crawler/testing/site_server.h"
#include "crawler/testing/test_util.h"
#include "crawler/warc/digest.h"
#include "crawler/warc/warc_reader.h"
#include "tests/e2e/e2e_util.h"

namespace crawler {
namespace {

using crawler::testing::Command;
using crawler::testing::SiteServer;
using nlohmann::json;

using crawler::e2e::CrawlerPath;
using crawler::e2e::LineCount;
using crawler::e2e::ReadFile;
using crawler::e2e::Records;

std::unique_ptr<SiteServer> StartSite(std::vector<std::string> options) {
  auto site = SiteServer::Start(options);
  REQUIRE_MESSAGE(site.ok(), site.status().ToString());
  return std::move(site).value();
}

std::unique_ptr<Command> StartCrawl(const SiteServer& site,
                                    const std::string& state,
                                    const std::string& out) {
  auto cmd = Command::Start({CrawlerPath(), "crawl", "--allow-private",
                             "--delay", "0", "--per-host", "2", "-w", "2",
                             "--state", state, "-o", out, site.Url("/")});
  REQUIRE(cmd.ok());
  return std::move(cmd).value();
}

// Waits until `path` has at least `n` lines (bounded).
void WaitForLines(const std::string& path, size_t n) {
  REQUIRE(crawler::e2e::WaitForLines(path, n));
}

// Every record's URL once; the fetched ones (not refused by robots.txt) are
// exactly the server's expected crawl.
void CheckExactlyOnce(const SiteServer& site, const std::string& out) {
  StatusOr<std::string> body = site.Get("/__expected");
  REQUIRE(body.ok());
  const json expected = json::parse(*body);
  std::set<std::string> want;
  for (auto it = expected.begin(); it != expected.end(); ++it) {
    want.insert(it.key());
  }
  std::set<std::string> seen;
  std::set<std::string> fetched;
  for (const json& r : Records(out)) {
    const std::string u = r["url"];
    CHECK_MESSAGE(seen.insert(u).second, "two records for " << u);
    const bool robots =
        r["error"].is_string() &&
        r["error"].get<std::string>().rfind("blocked_by_robots", 0) == 0;
    if (!robots) fetched.insert(u);
  }
  std::vector<std::string> missing;
  std::vector<std::string> extra;
  std::set_difference(want.begin(), want.end(), fetched.begin(), fetched.end(),
                      std::back_inserter(missing));
  std::set_difference(fetched.begin(), fetched.end(), want.begin(), want.end(),
                      std::back_inserter(extra));
  CHECK_MESSAGE(missing.empty(), missing.size()
                                     << " missing, e.g. " << missing.front());
  CHECK_MESSAGE(extra.empty(), extra.size()
                                   << " unexpected, e.g. " << extra.front());
}

TEST_CASE("state: a run stopped by SIGINT is finished by the next one") {
  auto site = StartSite({"--pages", "300", "--slow-ms", "30"});
  const std::string dir = crawler::testing::TempDir() + "/sigint";
  mkdir(dir.c_str(), 0777);
  const std::string state = dir + "/state";
  const std::string out = dir + "/out.jsonl";
  {
    auto first = StartCrawl(*site, state, out);
    WaitForLines(out, 40);
    REQUIRE(kill(first->pid(), SIGINT) == 0);
    std::optional<int> code = first->Wait(20000);
    REQUIRE(code.has_value());
    CHECK(*code == 130);
    CHECK(first->Stderr().find("changes: ") != std::string::npos);
  }
  const size_t after_first = LineCount(out);
  auto second = StartCrawl(*site, state, out);
  std::optional<int> code = second->Wait(60000);
  REQUIRE(code.has_value());
  CHECK_MESSAGE(*code == 0, second->Stderr());
  CHECK(second->Stderr().find("URLs resumed from the last run") !=
        std::string::npos);
  CHECK(LineCount(out) > after_first);
  CheckExactlyOnce(*site, out);
}

TEST_CASE(
    "state: after a kill -9 of the coordinator nothing is lost or "
    "written twice") {
  auto site = StartSite({"--pages", "300", "--slow-ms", "30"});
  const std::string dir = crawler::testing::TempDir() + "/sigkill";
  mkdir(dir.c_str(), 0777);
  const std::string state = dir + "/state";
  const std::string out = dir + "/out.jsonl";
  {
    auto first = StartCrawl(*site, state, out);
    WaitForLines(out, 60);
    const std::vector<pid_t> workers =
        crawler::testing::WaitForChildren(first->pid(), 2, 10000);
    REQUIRE(kill(first->pid(), SIGKILL) == 0);
    std::optional<int> code = first->Wait(10000);
    REQUIRE(code.has_value());
    CHECK(*code == -SIGKILL);
    // Its workers see their pipe close and leave.
    for (pid_t w : workers) CHECK(crawler::testing::WaitGone(w, 10000));
  }
  // The lock went with the killed process: the next run starts at once.
  auto second = StartCrawl(*site, state, out);
  std::optional<int> code = second->Wait(60000);
  REQUIRE(code.has_value());
  CHECK_MESSAGE(*code == 0, second->Stderr());
  CheckExactlyOnce(*site, out);
}

TEST_CASE("state: a worker killed mid-crawl costs nothing either") {
  auto site = StartSite({"--pages", "300", "--slow-ms", "30"});
  const std::string dir = crawler::testing::TempDir() + "/workerkill";
  mkdir(dir.c_str(), 0777);
  const std::string out = dir + "/out.jsonl";
  auto crawl = StartCrawl(*site, dir + "/state", out);
  WaitForLines(out, 40);
  const std::vector<pid_t> workers =
      crawler::testing::WaitForChildren(crawl->pid(), 2, 10000);
  REQUIRE(!workers.empty());
  REQUIRE(kill(workers.front(), SIGKILL) == 0);
  std::optional<int> code = crawl->Wait(60000);
  REQUIRE(code.has_value());
  CHECK_MESSAGE(*code == 0, crawl->Stderr());
  CheckExactlyOnce(*site, out);
}

TEST_CASE("state: a second run on a state in use exits with status 4") {
  auto site = StartSite({"--pages", "300", "--slow-ms", "50"});
  const std::string dir = crawler::testing::TempDir() + "/locked";
  mkdir(dir.c_str(), 0777);
  const std::string state = dir + "/state";
  auto first = StartCrawl(*site, state, dir + "/a.jsonl");
  WaitForLines(dir + "/a.jsonl", 5);
  auto second = StartCrawl(*site, state, dir + "/b.jsonl");
  std::optional<int> code = second->Wait(10000);
  REQUIRE(code.has_value());
  CHECK(*code == 4);
  CHECK_MESSAGE(
      second->Stderr().find("in use by pid " + std::to_string(first->pid())) !=
          std::string::npos,
      second->Stderr());
  CHECK(ReadFile(dir + "/b.jsonl").empty());
  REQUIRE(kill(first->pid(), SIGTERM) == 0);
  code = first->Wait(20000);
  REQUIRE(code.has_value());
  CHECK(*code == 143);
}

// A static site served by python3 -m http.server, which answers
// If-Modified-Since with 304 from the files' modification times.
struct StaticSite {
  std::string root;
  std::unique_ptr<Command> server;
  int port = 0;

  void Write(const std::string& name, const std::string& body) {
    std::ofstream(root + "/" + name) << body;
  }
  std::string Url(const std::string& name) const {
    return "http://127.0.0.1:" + std::to_string(port) + "/" + name;
  }
};

StaticSite StartStatic(const std::string& root) {
  StaticSite s;
  s.root = root;
  mkdir(root.c_str(), 0777);
  s.Write("index.html",
          "<title>i</title><a href=a.html>a</a><a href=b.html>b</a>"
          "<a href=c.html>c</a>");
  s.Write("a.html", "<title>a</title>");
  s.Write("b.html", "<title>b</title>");
  s.Write("c.html", "<title>c</title>");
  s.server = crawler::e2e::StartHttpServer(root, &s.port);
  return s;
}

std::map<std::string, json> RunOnce(
    const StaticSite& site, const std::string& state, const std::string& out,
    std::string* err, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> argv = {CrawlerPath(),
                                   "crawl",
                                   "--allow-private",
                                   "--delay",
                                   "0",
                                   "--state",
                                   state,
                                   "--revisit-initial",
                                   "1",
                                   "--revisit-min",
                                   "1",
                                   "-o",
                                   out,
                                   "--report",
                                   out + ".html"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back(site.Url("index.html"));
  auto cmd = Command::Start(argv);
  REQUIRE(cmd.ok());
  std::optional<int> code = (*cmd)->Wait(30000);
  REQUIRE(code.has_value());
  *err = (*cmd)->Stderr();
  CHECK_MESSAGE(*code == 0, *err);
  std::map<std::string, json> last;  // The newest record of each URL.
  for (json& r : Records(out)) {
    const std::string u = r["url"];
    last[u] = std::move(r);
  }
  return last;
}

TEST_CASE(
    "state: a re-crawl fetches what is due, conditionally, and says "
    "what changed") {
  const std::string dir = crawler::testing::TempDir() + "/recrawl";
  mkdir(dir.c_str(), 0777);
  StaticSite site = StartStatic(dir + "/site");
  const std::string state = dir + "/state";
  const std::string out = dir + "/out.jsonl";
  std::string err;
  std::map<std::string, json> r = RunOnce(site, state, out, &err);
  REQUIRE(r.size() == 4);
  for (const auto& [u, rec] : r) CHECK_MESSAGE(rec["change"] == "new", u);
  CHECK(err.find("changes: 4 new, 0 changed, 0 unchanged, 0 gone") !=
        std::string::npos);
  // Everything is due one second after the run started; http.server's
  // dates have whole seconds, so the edit must be in a later second.
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  site.Write("a.html", "<title>a, edited</title><a href=d.html>d</a>");
  site.Write("d.html", "<title>d</title>");
  unlink((site.root + "/b.html").c_str());
  r = RunOnce(site, state, out, &err);
  CHECK(Records(out).size() == 4 + 5);
  CHECK(r.at(site.Url("index.html"))["status"] == 304);
  CHECK(r.at(site.Url("index.html"))["change"] == "unchanged");
  CHECK(r.at(site.Url("c.html"))["change"] == "unchanged");
  CHECK(r.at(site.Url("a.html"))["status"] == 200);
  CHECK(r.at(site.Url("a.html"))["change"] == "changed");
  CHECK(r.at(site.Url("b.html"))["status"] == 404);
  CHECK(r.at(site.Url("b.html"))["change"] == "gone");
  CHECK(r.at(site.Url("d.html"))["change"] == "new");
  CHECK_MESSAGE(err.find("changes: 1 new, 1 changed, 2 unchanged, 1 gone") !=
                    std::string::npos,
                err);
  // The HTML report has the same change report.
  const std::string html = ReadFile(out + ".html");
  CHECK(html.find("<dt>gone</dt><dd>1</dd>") != std::string::npos);
  CHECK(html.find("<dt>unchanged</dt><dd>2</dd>") != std::string::npos);
  // Right away again: nothing is due (the intervals grew past 1 s).
  r = RunOnce(site, state, out, &err);
  CHECK(Records(out).size() == 9);
  CHECK(err.find("0 due again") != std::string::npos);
  // The index no longer links c.html, which is still served. The next run
  // fetches c.html anyway (due again): its record stands, and it is no
  // longer linked; the run after that, which does not fetch it, reports it
  // vanished (gone, without a status), once.
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  site.Write("index.html", "<title>i</title><a href=a.html>a</a>");
  r = RunOnce(site, state, out, &err);
  CHECK(r.at(site.Url("index.html"))["change"] == "changed");
  CHECK(r.at(site.Url("c.html"))["change"] == "unchanged");
  const size_t before = Records(out).size();
  r = RunOnce(site, state, out, &err);
  const json& c = r.at(site.Url("c.html"));
  CHECK(c["change"] == "gone");
  CHECK(c["error"].get<std::string>().rfind("vanished:", 0) == 0);
  CHECK((!c.contains("status") || c["status"].is_null()));
  std::vector<json> all = Records(out);
  REQUIRE(all.size() > before);
  size_t vanished = 0;
  for (size_t i = before; i < all.size(); ++i) {
    if (all[i]["url"] == site.Url("c.html")) ++vanished;
  }
  CHECK(vanished == 1);
  CHECK_MESSAGE(err.find("vanished") != std::string::npos, err);
  CHECK_MESSAGE(err.find(" 1 gone") != std::string::npos, err);
  // Not again.
  const size_t after = Records(out).size();
  r = RunOnce(site, state, out, &err);
  all = Records(out);
  for (size_t i = after; i < all.size(); ++i) {
    CHECK(all[i]["url"] != site.Url("c.html"));
  }
}

// Runs `sql` on the state's database (between runs).
void Sql(const std::string& state, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((state + "/state.db").c_str(), &db) == SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  const std::string message = err != nullptr ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  REQUIRE_MESSAGE(rc == SQLITE_OK, message);
}

std::vector<std::string> Hashes(const std::string& state) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((state + "/state.db").c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  REQUIRE(sqlite3_prepare_v2(db,
                             "SELECT content_hash FROM urls WHERE "
                             "content_hash != '' ORDER BY url",
                             -1, &s, nullptr) == SQLITE_OK);
  std::vector<std::string> out;
  while (sqlite3_step(s) == SQLITE_ROW) {
    out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return out;
}

TEST_CASE(
    "state: pages hashed with SHA-1 by an older crawler are compared with "
    "SHA-1, so an unchanged page stays unchanged") {
  const std::string dir = crawler::testing::TempDir() + "/sha1";
  mkdir(dir.c_str(), 0777);
  StaticSite site = StartStatic(dir + "/site");
  const std::string state = dir + "/state";
  const std::string out = dir + "/out.jsonl";
  std::string err;
  std::map<std::string, json> r = RunOnce(site, state, out, &err);
  REQUIRE(r.size() == 4);
  std::vector<std::string> hashes = Hashes(state);
  REQUIRE(hashes.size() == 4);
  for (const std::string& h : hashes) CHECK(h.rfind("xxh128:", 0) == 0);
  // As an older crawler left it: SHA-1 of every body, and no validators,
  // so the next run gets every page whole (200) and compares hashes.
  for (const std::string name : {"index.html", "a.html", "b.html", "c.html"}) {
    Sql(state, "UPDATE urls SET content_hash='" +
                   warc::Sha1Digest(ReadFile(site.root + "/" + name)) +
                   "', etag='', last_modified='' WHERE url='" + site.Url(name) +
                   "'");
  }
  // b.html changes; the others do not.
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  site.Write("b.html", "<title>b, edited</title>");
  r = RunOnce(site, state, out, &err);
  for (const std::string name : {"index.html", "a.html", "c.html"}) {
    CHECK(r.at(site.Url(name))["status"] == 200);
    CHECK_MESSAGE(r.at(site.Url(name))["change"] == "unchanged", name);
  }
  CHECK(r.at(site.Url("b.html"))["change"] == "changed");
  CHECK_MESSAGE(err.find("changes: 0 new, 1 changed, 3 unchanged, 0 gone") !=
                    std::string::npos,
                err);
  // They keep SHA-1 (compared the same way next time).
  hashes = Hashes(state);
  REQUIRE(hashes.size() == 4);
  for (const std::string& h : hashes) CHECK(h.rfind("sha1:", 0) == 0);
}

// The records of the .warc.gz files in `dir`, in file name order.
std::vector<warc::ReadRecord> WarcRecords(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().string());
  }
  std::sort(names.begin(), names.end());
  std::vector<warc::ReadRecord> out;
  for (const std::string& name : names) {
    REQUIRE_MESSAGE(name.size() > 8, name);
    CHECK_MESSAGE(name.substr(name.size() - 8) == ".warc.gz", name);
    const std::string bytes = ReadFile(name);
    warc::WarcReader reader(bytes);
    warc::ReadRecord r;
    while (true) {
      StatusOr<bool> next = reader.Next(&r);
      REQUIRE_MESSAGE(next.ok(), next.status().message());
      if (!*next) break;
      out.push_back(std::move(r));
      r = warc::ReadRecord();
    }
  }
  return out;
}

TEST_CASE(
    "state + --warc: an unchanged page on a later run is a revisit record "
    "(server-not-modified)") {
  const std::string dir = crawler::testing::TempDir() + "/warc_revisit";
  mkdir(dir.c_str(), 0777);
  StaticSite site = StartStatic(dir + "/site");
  const std::string state = dir + "/state";
  const std::string out = dir + "/out.jsonl";
  mkdir((dir + "/w1").c_str(), 0777);
  mkdir((dir + "/w2").c_str(), 0777);
  std::string err;
  std::map<std::string, json> r =
      RunOnce(site, state, out, &err, {"--warc", dir + "/w1/crawl"});
  REQUIRE(r.size() == 4);
  std::map<std::string, std::string> first;  // URI -> type.
  for (const warc::ReadRecord& rec : WarcRecords(dir + "/w1")) {
    if (rec.header.Get("WARC-Type") != "request" &&
        rec.header.Get("WARC-Type") != "warcinfo") {
      first[std::string(rec.header.Get("WARC-Target-URI"))] =
          std::string(rec.header.Get("WARC-Type"));
    }
  }
  for (const std::string name : {"index.html", "a.html", "b.html", "c.html"}) {
    CHECK_MESSAGE(first[site.Url(name)] == "response", name);
  }
  // a.html changes; the others answer 304 to If-Modified-Since.
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  site.Write("a.html", "<title>a, edited</title>");
  r = RunOnce(site, state, out, &err, {"--warc", dir + "/w2/crawl"});
  CHECK(r.at(site.Url("a.html"))["change"] == "changed");
  std::map<std::string, const warc::ReadRecord*> second;
  const std::vector<warc::ReadRecord> records = WarcRecords(dir + "/w2");
  std::map<std::string, std::string> request_ids;  // URI -> record id.
  for (const warc::ReadRecord& rec : records) {
    const std::string uri(rec.header.Get("WARC-Target-URI"));
    if (rec.header.Get("WARC-Type") == "request") {
      request_ids[uri] = std::string(rec.header.Get("WARC-Record-ID"));
    } else if (rec.header.Get("WARC-Type") != "warcinfo") {
      second[uri] = &rec;
    }
  }
  for (const std::string name : {"index.html", "b.html", "c.html"}) {
    CAPTURE(name);
    CHECK(r.at(site.Url(name))["change"] == "unchanged");
    REQUIRE(second.count(site.Url(name)) == 1);
    const warc::ReadRecord& rec = *second[site.Url(name)];
    CHECK(rec.header.Get("WARC-Type") == "revisit");
    CHECK(rec.header.Get("WARC-Profile") ==
          "http://netpreserve.org/warc/1.1/revisit/server-not-modified");
    CHECK(rec.header.Get("WARC-Refers-To-Target-URI") == site.Url(name));
    CHECK(rec.header.Get("WARC-Concurrent-To") == request_ids[site.Url(name)]);
    CHECK(!rec.header.Has("WARC-Payload-Digest"));
    CHECK(rec.block.rfind("HTTP/1.0 304", 0) == 0);
    CHECK(rec.header.Get("WARC-Block-Digest") == warc::Sha1Digest(rec.block));
  }
  // The changed page is whole again, body as served.
  REQUIRE(second.count(site.Url("a.html")) == 1);
  const warc::ReadRecord& a = *second[site.Url("a.html")];
  CHECK(a.header.Get("WARC-Type") == "response");
  const std::string body = "<title>a, edited</title>";
  CHECK(a.block.size() > body.size());
  CHECK(a.block.substr(a.block.size() - body.size()) == body);
  CHECK(a.header.Get("WARC-Payload-Digest") == warc::Sha1Digest(body));
  // `warc ls` lists them; `warc cat` says where the body is instead.
  std::string w2;
  for (const auto& entry : std::filesystem::directory_iterator(dir + "/w2")) {
    w2 = entry.path().string();
  }
  auto ls = Command::Start({CrawlerPath(), "warc", "ls", w2});
  REQUIRE(ls.ok());
  REQUIRE((*ls)->Wait(20000) == std::optional<int>(0));
  CHECK((*ls)->Stdout().find("revisit") != std::string::npos);
  auto cat =
      Command::Start({CrawlerPath(), "warc", "cat", w2, site.Url("b.html")});
  REQUIRE(cat.ok());
  CHECK((*cat)->Wait(20000) == std::optional<int>(1));
  CHECK_MESSAGE(
      (*cat)->Stderr().find("only a revisit record") != std::string::npos,
      (*cat)->Stderr());
}

}  // namespace
}  // namespace crawler
