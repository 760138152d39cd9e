// --warc end to end: the real binary, real workers and libcurl, against the
// generated site (tests/testdata/site_server.py) and the fault server
// (tests/testdata/fault_server.py, for chunked, gzip and br responses), then
// the files read back with crawler/warc's reader and with `crawler warc`:
// every response body byte-identical to what the server sent, the request
// and response records paired, digests right, files closed, a truncated
// file reported with the offset of its broken record.
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "crawler/testing/command.h"
#include "crawler/testing/fault_server.h"
#include "crawler/testing/site_server.h"
#include "crawler/testing/test_util.h"
#include "crawler/warc/content_decoding.h"
#include "crawler/warc/digest.h"
#include "crawler/warc/http_message.h"
#include "crawler/warc/warc_reader.h"
#include "tests/e2e/e2e_util.h"

namespace crawler {
namespace {

using crawler::e2e::CrawlerPath;
using crawler::e2e::ReadFile;

using crawler::testing::Command;
using crawler::testing::FaultServer;
using crawler::testing::SiteServer;
using nlohmann::json;

// A fresh, empty directory under the test's scratch space.
std::string FreshDir(const std::string& name) {
  const std::string dir = testing::TempDir() + "/" + name;
  REQUIRE(std::system(("rm -rf '" + dir + "'").c_str()) == 0);
  REQUIRE(::mkdir(dir.c_str(), 0755) == 0);
  return dir;
}

std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  REQUIRE(d != nullptr);
  while (dirent* e = ::readdir(d)) {
    const std::string n = e->d_name;
    if (n != "." && n != "..") out.push_back(n);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

// The body the site server sends for `path` to a client that names it
// "127.0.0.1:<port>" in its Host header, as the crawler does (the site's
// absolute links carry the Host's authority), read over a plain socket.
std::string ServedBody(int port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  const std::string req =
      "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
      "\r\nConnection: close\r\n\r\n";
  REQUIRE(::write(fd, req.data(), req.size()) ==
          static_cast<ssize_t>(req.size()));
  std::string resp;
  char buf[65536];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) {
    resp.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  REQUIRE_MESSAGE(resp.rfind("HTTP/1.1 200 ", 0) == 0, path);
  const size_t end = resp.find("\r\n\r\n");
  REQUIRE(end != std::string::npos);
  return resp.substr(end + 4);
}

struct Record {
  std::string file;
  warc::ReadRecord r;
  std::string Get(std::string_view name) const {
    return std::string(r.header.Get(name));
  }
};

// Every record of every file in `dir`; each file must read to its end.
std::vector<Record> ReadDir(const std::string& dir) {
  std::vector<Record> out;
  for (const std::string& name : ListDir(dir)) {
    const std::string bytes = ReadFile(dir + "/" + name);
    warc::WarcReader reader(bytes);
    while (true) {
      Record rec;
      rec.file = name;
      StatusOr<bool> next = reader.Next(&rec.r);
      REQUIRE_MESSAGE(next.ok(), name << ": " << next.status().ToString());
      if (!*next) break;
      out.push_back(std::move(rec));
    }
  }
  return out;
}

// The body of an archived response: de-chunked, and decoded unless `raw`.
std::string Body(const std::string& block, bool decode = true) {
  StatusOr<warc::HttpHead> head = warc::ParseHttpHead(block);
  REQUIRE_OK(head.status());
  std::string payload;
  REQUIRE_OK(warc::ForEachPayloadPiece(
      *head, std::string_view(block).substr(head->size),
      [&](std::string_view p) { payload.append(p); }));
  const std::string ce = head->Get("Content-Encoding");
  if (!decode || ce.empty()) return payload;
  StatusOr<std::string> decoded =
      warc::DecodeContent(payload, ce, size_t{1} << 30);
  REQUIRE_OK(decoded.status());
  return *decoded;
}

struct Run {
  int exit_code = 0;
  std::string out;
  std::string err;
};

Run Crawler(std::vector<std::string> args, int timeout_ms = 60000) {
  args.insert(args.begin(), CrawlerPath());
  auto cmd = Command::Start(args);
  REQUIRE(cmd.ok());
  std::optional<int> code = (*cmd)->Wait(timeout_ms);
  REQUIRE_MESSAGE(code.has_value(), "crawler did not finish in time");
  return {*code, (*cmd)->Stdout(), (*cmd)->Stderr()};
}

// Checks the pairing and the digests of every exchange in `records`:
// request then response, each naming the other, one date, one URI, block
// digests and the payload digest recomputed.
void CheckExchanges(const std::vector<Record>& records) {
  std::map<std::string, const Record*> by_id;
  for (const Record& rec : records) by_id[rec.Get("WARC-Record-ID")] = &rec;
  for (const Record& rec : records) {
    const std::string type = rec.Get("WARC-Type");
    if (type == "warcinfo") continue;
    CAPTURE(rec.Get("WARC-Target-URI"));
    CHECK(rec.r.version == "WARC/1.1");
    CHECK(rec.Get("WARC-Block-Digest") == warc::Sha1Digest(rec.r.block));
    const auto other = by_id.find(rec.Get("WARC-Concurrent-To"));
    REQUIRE(other != by_id.end());
    const Record& o = *other->second;
    CHECK(o.file == rec.file);
    CHECK(o.Get("WARC-Concurrent-To") == rec.Get("WARC-Record-ID"));
    CHECK(o.Get("WARC-Date") == rec.Get("WARC-Date"));
    CHECK(o.Get("WARC-Target-URI") == rec.Get("WARC-Target-URI"));
    CHECK(rec.Get("WARC-IP-Address") == "127.0.0.1");
    if (type == "request") {
      CHECK(o.Get("WARC-Type") == "response");
      CHECK(rec.Get("Content-Type") == "application/http; msgtype=request");
      CHECK(rec.r.block.rfind("GET ", 0) == 0);
    } else {
      REQUIRE(type == "response");
      CHECK(o.Get("WARC-Type") == "request");
      CHECK(rec.Get("Content-Type") == "application/http; msgtype=response");
      CHECK(rec.Get("WARC-Payload-Digest") ==
            warc::Sha1Digest(Body(rec.r.block, /*decode=*/false)));
    }
  }
}

TEST_CASE("crawl --warc: every response body as served, robots.txt too") {
  auto server = SiteServer::Start({"--pages", "300"});
  REQUIRE_MESSAGE(server.ok(), server.status().ToString());
  const std::string dir = FreshDir("site");
  Run run =
      Crawler({"crawl", "--allow-private", (*server)->Url("/"), "--delay", "0",
               "--per-host", "8", "-w", "2", "--warc", dir + "/site", "-q"});
  REQUIRE_MESSAGE(run.exit_code == 0, run.err);
  // Closed files only, named PREFIX-TIMESTAMP-SERIAL-PID.warc.gz.
  const std::vector<std::string> names = ListDir(dir);
  REQUIRE(!names.empty());
  CHECK(names.size() <= 2);  // One per worker (no rotation at 1 GB).
  for (const std::string& n : names) {
    const bool closed = n.size() > 8 && n.substr(n.size() - 8) == ".warc.gz";
    CHECK_MESSAGE(closed, n);
    CHECK(n.rfind("site-", 0) == 0);
  }
  const std::vector<Record> records = ReadDir(dir);
  CheckExchanges(records);

  // Every fetched URL of the JSON records has its exchange in the archive.
  std::set<std::string> fetched;
  std::istringstream lines(run.out);
  std::string line;
  while (std::getline(lines, line)) {
    const json r = json::parse(line);
    if (!r["status"].is_null()) fetched.insert(r["url"].get<std::string>());
  }
  REQUIRE(fetched.size() > 300);
  std::set<std::string> archived;
  int bodies = 0;
  const std::string base = (*server)->Url("");
  for (const Record& rec : records) {
    if (rec.Get("WARC-Type") != "response") continue;
    const std::string uri = rec.Get("WARC-Target-URI");
    archived.insert(uri);
    StatusOr<warc::HttpHead> head = warc::ParseHttpHead(rec.r.block);
    REQUIRE_OK(head.status());
    if (head->status != 200 || !rec.Get("WARC-Truncated").empty()) continue;
    // The body as the server serves it, byte for byte.
    REQUIRE(uri.rfind(base, 0) == 0);
    const std::string served =
        ServedBody((*server)->port(), uri.substr(base.size()));
    CHECK_MESSAGE(Body(rec.r.block) == served, uri);
    ++bodies;
  }
  for (const std::string& u : fetched) {
    CHECK_MESSAGE(archived.count(u) == 1, "not archived: " << u);
  }
  CHECK(archived.count(base + "/robots.txt") == 1);
  CHECK(bodies > 250);
  // PDFs and images are not read by a crawl: their records say so.
  int skipped = 0;
  for (const Record& rec : records) {
    if (rec.Get("WARC-Target-URI").find("/files/") != std::string::npos &&
        rec.Get("WARC-Type") == "response") {
      CHECK(rec.Get("WARC-Truncated") == "unspecified");
      ++skipped;
    }
  }
  CHECK(skipped > 0);
  // Each file starts with its warcinfo record.
  std::set<std::string> infos;
  for (const Record& rec : records) {
    if (rec.Get("WARC-Type") == "warcinfo") {
      CHECK(rec.r.offset == 0);
      CHECK(rec.r.block.find("software: crawler/") != std::string::npos);
      CHECK(rec.r.block.find("robots: classic") != std::string::npos);
      infos.insert(rec.file);
    }
  }
  CHECK(infos.size() == names.size());
}

TEST_CASE("crawl --warc on chunked, gzip and br responses (fault server)") {
  auto server = FaultServer::Start();
  REQUIRE_MESSAGE(server.ok(), server.status().ToString());
  FaultServer& fs = **server;
  // br only when the server's python has the brotli module.
  StatusOr<testing::RawResponse> caps = fs.Get("/__caps");
  REQUIRE_OK(caps.status());
  const json caps_json = json::parse(caps->body, nullptr, false);
  const bool brotli = caps_json.is_object() && caps_json.value("brotli", false);
  std::vector<std::string> targets = {
      "/html?links=300",                // Chunked HTML.
      "/bomb?enc=gzip&size=300000",     // gzip, chunked.
      "/bomb?enc=deflate&size=100000",  // zlib deflate, chunked.
      "/enc?variant=latin1_as_utf8",    // Content-Length.
      "/redirect?chain=2",              // Hops, each its own exchange.
  };
  if (brotli) targets.push_back("/bomb?enc=br&size=200000");
  const std::string dir = FreshDir("fault");
  std::vector<std::string> args = {
      "crawl", "--allow-private", "--no-robots", "--max-depth",
      "0",     "--delay",         "0",           "--per-host",
      "4",     "--warc",          dir + "/f",    "-q"};
  for (const std::string& t : targets) args.push_back(fs.Url(t));
  Run run = Crawler(args);
  REQUIRE_MESSAGE(run.exit_code == 0, run.err);
  const std::vector<Record> records = ReadDir(dir);
  CheckExchanges(records);
  std::map<std::string, const Record*> responses;
  for (const Record& rec : records) {
    if (rec.Get("WARC-Type") == "response") {
      CHECK_MESSAGE(responses.count(rec.Get("WARC-Target-URI")) == 0,
                    rec.Get("WARC-Target-URI"));
      responses[rec.Get("WARC-Target-URI")] = &rec;
    }
  }
  for (const std::string& t : targets) {
    if (t.rfind("/redirect", 0) == 0) continue;
    CAPTURE(t);
    REQUIRE(responses.count(fs.Url(t)) == 1);
    const Record& rec = *responses[fs.Url(t)];
    CHECK(rec.Get("WARC-Truncated").empty());
    // The bytes after the head are those the server wrote, framing and
    // coding included.
    StatusOr<testing::RawResponse> raw = fs.Get(t);
    REQUIRE_OK(raw.status());
    StatusOr<warc::HttpHead> head = warc::ParseHttpHead(rec.r.block);
    REQUIRE_OK(head.status());
    CHECK(rec.r.block.substr(head->size) == raw->body);
    // `crawler warc cat` gives the decoded body.
    Run cat = Crawler({"warc", "cat", dir + "/" + rec.file, fs.Url(t)});
    CHECK_MESSAGE(cat.exit_code == 0, cat.err);
    if (t.rfind("/bomb", 0) == 0) {
      const size_t eq = t.rfind('=');
      const size_t size = std::stoul(t.substr(eq + 1));
      CHECK(cat.out == std::string(size, '\0'));
      CHECK(head->Get("Content-Encoding").size() > 0);
    } else {
      CHECK(cat.out == Body(rec.r.block));
    }
    // The fault server streams these chunked (br and zstd bombs are sent
    // with a Content-Length).
    if (t.rfind("/html", 0) == 0 || t.rfind("/bomb?enc=gzip", 0) == 0 ||
        t.rfind("/bomb?enc=deflate", 0) == 0) {
      CHECK(head->Chunked());
    }
  }
  // Redirects: the crawl follows them hop by hop, each hop archived.
  CHECK(responses.count(fs.Url("/redirect?chain=2")) == 1);
  CHECK(responses.count(fs.Url("/redirect?chain=1&code=302")) == 1);
  CHECK(responses.count(fs.Url("/redirect?chain=0&code=302")) == 1);
}

TEST_CASE("fetch --warc: the hops libcurl follows, rotation, ls and cat") {
  auto server = FaultServer::Start();
  REQUIRE_MESSAGE(server.ok(), server.status().ToString());
  FaultServer& fs = **server;
  const std::string dir = FreshDir("fetch");
  std::vector<std::string> args = {
      "fetch",    "--allow-private", "-w", "1",  "--warc",
      dir + "/x", "--warc-max-size", "4K", "-q", fs.Url("/redirect?chain=3")};
  for (int i = 0; i < 10; ++i) {
    args.push_back(fs.Url("/big?cl=3000&n=" + std::to_string(i)));
  }
  Run run = Crawler(args);
  REQUIRE_MESSAGE(run.exit_code == 0, run.err);
  const std::vector<std::string> names = ListDir(dir);
  CHECK(names.size() >= 3);  // Rotated at 4 KiB.
  for (const std::string& n : names) {
    struct stat st;
    REQUIRE(::stat((dir + "/" + n).c_str(), &st) == 0);
    CHECK(st.st_size <= 4096);
  }
  const std::vector<Record> records = ReadDir(dir);
  CheckExchanges(records);
  int responses = 0;
  for (const Record& rec : records) {
    responses += rec.Get("WARC-Type") == "response";
  }
  CHECK(responses == 4 + 10);
  // ls: one line per record, the file name first with several files.
  std::vector<std::string> ls_args = {"warc", "ls"};
  for (const std::string& n : names) ls_args.push_back(dir + "/" + n);
  Run ls = Crawler(ls_args);
  CHECK_MESSAGE(ls.exit_code == 0, ls.err);
  CHECK(static_cast<size_t>(std::count(ls.out.begin(), ls.out.end(), '\n')) ==
        records.size());
  CHECK(ls.out.find("\t0\twarcinfo\t") != std::string::npos);
  CHECK(ls.out.find("\tresponse\t") != std::string::npos);
  CHECK(ls.out.find(fs.Url("/redirect?chain=0&code=302")) != std::string::npos);
  // cat: no such URI.
  Run cat = Crawler({"warc", "cat", dir + "/" + names[0], "http://nowhere/"});
  CHECK(cat.exit_code == 1);
  CHECK(cat.err.find("no response record for http://nowhere/") !=
        std::string::npos);
}

TEST_CASE("warc ls: a truncated file is reported with the broken offset") {
  auto server = FaultServer::Start();
  REQUIRE_MESSAGE(server.ok(), server.status().ToString());
  const std::string dir = FreshDir("cut");
  std::vector<std::string> args = {"fetch",  "--allow-private", "-w", "1",
                                   "--warc", dir + "/c",        "-q"};
  for (int i = 0; i < 5; ++i) {
    args.push_back((*server)->Url("/big?cl=20000&n=" + std::to_string(i)));
  }
  Run run = Crawler(args);
  REQUIRE_MESSAGE(run.exit_code == 0, run.err);
  const std::vector<std::string> names = ListDir(dir);
  REQUIRE(names.size() == 1);
  const std::string path = dir + "/" + names[0];
  const std::string bytes = ReadFile(path);
  const std::vector<Record> records = ReadDir(dir);
  REQUIRE(records.size() == 11);
  const warc::ReadRecord& last = records.back().r;
  const std::string cut_path = dir + "/cut.warc.gz";
  std::ofstream(cut_path, std::ios::binary)
      << bytes.substr(0, last.offset + last.stored_length / 2);
  Run ls = Crawler({"warc", "ls", cut_path});
  CHECK(ls.exit_code == 1);
  CHECK(std::count(ls.out.begin(), ls.out.end(), '\n') == 10);
  CHECK_MESSAGE(
      ls.err.find("cut.warc.gz: at offset " + std::to_string(last.offset) +
                  ": truncated gzip member") != std::string::npos,
      ls.err);
  // Garbage in the middle: reported at that member, nothing after it read.
  std::string bad = bytes;
  const warc::ReadRecord& third = records[3].r;
  for (size_t i = 10; i < 40; ++i) bad[third.offset + i] = 'X';
  std::ofstream(dir + "/bad.warc.gz", std::ios::binary) << bad;
  ls = Crawler({"warc", "ls", dir + "/bad.warc.gz"});
  CHECK(ls.exit_code == 1);
  CHECK(std::count(ls.out.begin(), ls.out.end(), '\n') == 3);
  CHECK_MESSAGE(ls.err.find("at offset " + std::to_string(third.offset) +
                            ": corrupt gzip member") != std::string::npos,
                ls.err);
  // Not a WARC file at all.
  std::ofstream(dir + "/text.warc", std::ios::binary) << "hello\n";
  ls = Crawler({"warc", "ls", dir + "/text.warc"});
  CHECK(ls.exit_code == 1);
  CHECK(ls.err.find("at offset 0: neither a gzip member nor a WARC record") !=
        std::string::npos);
}

TEST_CASE("a crawl stopped by SIGINT closes its files; SIGKILL leaves .open") {
  auto server = SiteServer::Start({"--pages", "2000", "--slow-ms", "20"});
  REQUIRE_MESSAGE(server.ok(), server.status().ToString());
  for (int sig : {SIGINT, SIGKILL}) {
    CAPTURE(sig);
    const std::string dir = FreshDir("stop" + std::to_string(sig));
    auto cmd =
        Command::Start({CrawlerPath(), "crawl", "--allow-private",
                        (*server)->Url("/"), "--delay", "0", "--per-host", "4",
                        "-w", "2", "--warc", dir + "/s", "-q"});
    REQUIRE(cmd.ok());
    // Wait until some records are written.
    for (int i = 0; i < 200; ++i) {
      bool some = false;
      for (const std::string& n : ListDir(dir)) {
        struct stat st;
        if (::stat((dir + "/" + n).c_str(), &st) == 0 && st.st_size > 20000) {
          some = true;
        }
      }
      if (some) break;
      ::usleep(50000);
    }
    REQUIRE(::kill((*cmd)->pid(), sig) == 0);
    std::optional<int> code = (*cmd)->Wait(30000);
    REQUIRE(code.has_value());
    // The workers are gone too (PR_SET_PDEATHSIG after a SIGKILL).
    ::usleep(300000);
    const std::vector<std::string> names = ListDir(dir);
    REQUIRE(!names.empty());
    for (const std::string& n : names) {
      const bool open = n.size() > 5 && n.substr(n.size() - 5) == ".open";
      CHECK_MESSAGE(open == (sig == SIGKILL), n);
      // Readable up to the last whole record, whatever the stop.
      Run ls = Crawler({"warc", "ls", dir + "/" + n});
      CHECK(std::count(ls.out.begin(), ls.out.end(), '\n') > 1);
      if (sig == SIGINT) CHECK_MESSAGE(ls.exit_code == 0, ls.err);
      if (ls.exit_code != 0) {
        CHECK_MESSAGE(ls.err.find("truncated") != std::string::npos, ls.err);
      }
    }
    if (sig == SIGINT) CHECK(*code == 130);
  }
}

TEST_CASE("a worker that cannot write its files stops the crawl: exit 1") {
  auto server = SiteServer::Start({"--pages", "2000", "--slow-ms", "20"});
  REQUIRE_MESSAGE(server.ok(), server.status().ToString());
  const std::string dir = FreshDir("gone");
  REQUIRE(std::system(("rm -rf '" + dir + ".gone'").c_str()) == 0);
  auto cmd = Command::Start({CrawlerPath(), "crawl", "--allow-private",
                             (*server)->Url("/"), "--delay", "0", "--per-host",
                             "4", "-w", "2", "--warc", dir + "/g",
                             "--warc-max-size", "1K"});
  REQUIRE(cmd.ok());
  for (int i = 0; i < 200 && ListDir(dir).size() < 3; ++i) ::usleep(50000);
  // The directory goes away (moved at once, while the workers write): the
  // next file cannot be named or created.
  REQUIRE(::rename(dir.c_str(), (dir + ".gone").c_str()) == 0);
  std::optional<int> code = (*cmd)->Wait(30000);
  REQUIRE(code.has_value());
  CHECK(*code == 1);
  const std::string err = (*cmd)->Stderr();
  CHECK_MESSAGE(err.find("warc: cannot ") != std::string::npos, err);
  CHECK_MESSAGE(err.find("could not write its WARC files") != std::string::npos,
                err);
}

}  // namespace
}  // namespace crawler
