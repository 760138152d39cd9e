// The crawler's WARC files read by an independent implementation: warcio
// from npm (tests/testdata/warcio/read_warc.mjs, pinned by its
// package-lock.json; `npm ci` there is part of scripts/setup.sh, this test
// installs nothing). A crawl of the generated site and of the fault
// server's chunked, gzip and deflate answers is written with --warc, then
// warcio must find the same records as the project's reader (count, types,
// URIs, dates, statuses) and decode each response body to the same length;
// the same for the revisit records of a re-crawl with --state (their
// profile and WARC-Refers-To-Target-URI too). Then, at every kind of
// compression level, each gzip member of the files (its byte range taken from
// `crawler warc ls` and `crawler warc cdxj`) is decoded on its own by GNU gzip,
// another independent implementation.
#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "crawler/testing/command.h"
#include "crawler/testing/fault_server.h"
#include "crawler/testing/site_server.h"
#include "crawler/testing/test_util.h"
#include "crawler/warc/content_decoding.h"
#include "crawler/warc/http_message.h"
#include "crawler/warc/warc_reader.h"
#include "tests/e2e/e2e_util.h"

namespace crawler {
namespace {

using crawler::e2e::ReadFile;

using crawler::testing::Command;
using crawler::testing::FaultServer;
using crawler::testing::RunfilePath;
using crawler::testing::SiteServer;
using nlohmann::json;

std::vector<std::string> WarcFiles(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  REQUIRE(d != nullptr);
  while (dirent* e = ::readdir(d)) {
    const std::string n = e->d_name;
    if (n != "." && n != "..") out.push_back(dir + "/" + n);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

// The script, with warcio installed beside it (node resolves "warcio" from
// the script's real path, the source tree, where `npm ci` put it).
std::string ReadWarcScript() {
  const std::string link = RunfilePath("tests/testdata/warcio/read_warc.mjs");
  char real[PATH_MAX];
  REQUIRE_MESSAGE(::realpath(link.c_str(), real) != nullptr,
                  "tests/testdata/warcio/read_warc.mjs is not in the runfiles");
  std::string dir = real;
  dir = dir.substr(0, dir.rfind('/'));
  struct stat st;
  REQUIRE_MESSAGE(
      ::stat((dir + "/node_modules/warcio/package.json").c_str(), &st) == 0,
      "warcio is not installed: " << dir
                                  << "/node_modules is missing. Run `npm ci` "
                                     "in tests/testdata/warcio (bash "
                                     "scripts/setup.sh does it).");
  return real;
}

// One record as either reader saw it.
struct Seen {
  std::string file;
  std::string type;
  std::string uri;
  std::string date;
  int status = 0;
  int64_t length = -1;
  std::string profile;    // WARC-Profile.
  std::string refers_to;  // WARC-Refers-To-Target-URI.
  bool operator==(const Seen& o) const {
    return file == o.file && type == o.type && uri == o.uri && date == o.date &&
           status == o.status && length == o.length && profile == o.profile &&
           refers_to == o.refers_to;
  }
};

std::ostream& operator<<(std::ostream& os, const Seen& s) {
  return os << s.file << " " << s.type << " " << s.uri << " " << s.date << " "
            << s.status << " " << s.length << " " << s.profile << " "
            << s.refers_to;
}

std::vector<Seen> OurReader(const std::vector<std::string>& files) {
  std::vector<Seen> out;
  for (const std::string& f : files) {
    const std::string bytes = ReadFile(f);
    warc::WarcReader reader(bytes);
    warc::ReadRecord r;
    while (true) {
      StatusOr<bool> next = reader.Next(&r);
      REQUIRE_MESSAGE(next.ok(), f << ": " << next.status().ToString());
      if (!*next) break;
      Seen s;
      s.file = f;
      s.type = std::string(r.header.Get("WARC-Type"));
      s.uri = std::string(r.header.Get("WARC-Target-URI"));
      s.date = std::string(r.header.Get("WARC-Date"));
      s.profile = std::string(r.header.Get("WARC-Profile"));
      s.refers_to = std::string(r.header.Get("WARC-Refers-To-Target-URI"));
      if (s.type == "response") {
        StatusOr<warc::HttpHead> head = warc::ParseHttpHead(r.block);
        REQUIRE_OK(head.status());
        s.status = head->status;
        std::string payload;
        (void)warc::ForEachPayloadPiece(
            *head, std::string_view(r.block).substr(head->size),
            [&](std::string_view p) { payload.append(p); });
        const std::string ce = head->Get("Content-Encoding");
        if (!ce.empty() && r.header.Get("WARC-Truncated").empty()) {
          StatusOr<std::string> d =
              warc::DecodeContent(payload, ce, size_t{1} << 30);
          REQUIRE_OK(d.status());
          payload = std::move(*d);
        }
        s.length = static_cast<int64_t>(payload.size());
      }
      out.push_back(std::move(s));
    }
  }
  return out;
}

std::vector<Seen> Warcio(const std::vector<std::string>& files) {
  std::vector<std::string> args = {"/usr/bin/env", "node", ReadWarcScript()};
  args.insert(args.end(), files.begin(), files.end());
  auto cmd = Command::Start(args);
  REQUIRE(cmd.ok());
  std::optional<int> code = (*cmd)->Wait(120000);
  REQUIRE_MESSAGE(code.has_value(), "node did not finish in time");
  REQUIRE_MESSAGE(*code == 0, "node read_warc.mjs failed (exit "
                                  << *code << "): " << (*cmd)->Stderr());
  std::vector<Seen> out;
  std::istringstream lines((*cmd)->Stdout());
  std::string line;
  while (std::getline(lines, line)) {
    const json j = json::parse(line);
    Seen s;
    s.file = j["file"];
    s.type = j["type"];
    if (j["uri"].is_string()) s.uri = j["uri"];
    if (j["date"].is_string()) s.date = j["date"];
    if (j["status"].is_number()) s.status = j["status"];
    if (j["length"].is_number()) s.length = j["length"];
    if (j["profile"].is_string()) s.profile = j["profile"];
    if (j["refersTo"].is_string()) s.refers_to = j["refersTo"];
    out.push_back(std::move(s));
  }
  return out;
}

void Crawl(const std::vector<std::string>& extra) {
  std::vector<std::string> args = {RunfilePath("crawler/cli/crawler"),
                                   "crawl",
                                   "--allow-private",
                                   "--delay",
                                   "0",
                                   "-q",
                                   "-o",
                                   "/dev/null"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto cmd = Command::Start(args);
  REQUIRE(cmd.ok());
  std::optional<int> code = (*cmd)->Wait(60000);
  REQUIRE(code.has_value());
  REQUIRE_MESSAGE(*code == 0, (*cmd)->Stderr());
}

TEST_CASE("warcio reads what --warc wrote: records, URIs, bodies") {
  const std::string script = ReadWarcScript();  // Fails early, clearly.
  const std::string dir = testing::TempDir() + "/interop";
  REQUIRE(std::system(
              ("rm -rf '" + dir + "' && mkdir '" + dir + "'").c_str()) == 0);
  auto site = SiteServer::Start({"--pages", "200"});
  REQUIRE_MESSAGE(site.ok(), site.status().ToString());
  Crawl({(*site)->Url("/"), "--per-host", "4", "-w", "2", "--warc",
         dir + "/site", "--warc-max-size", "64K"});
  auto fault = FaultServer::Start();
  REQUIRE_MESSAGE(fault.ok(), fault.status().ToString());
  Crawl({"--no-robots", "--max-depth", "0", "--warc", dir + "/fault",
         (*fault)->Url("/html?links=50"),
         (*fault)->Url("/bomb?enc=gzip&size=50000"),
         // warcio 2.4 decodes gzip and deflate, not br.
         (*fault)->Url("/bomb?enc=deflate&size=50000"),
         (*fault)->Url("/redirect?chain=1")});

  const std::vector<std::string> files = WarcFiles(dir);
  REQUIRE(files.size() > 3);  // Rotated at 64 KiB.
  const std::vector<Seen> ours = OurReader(files);
  const std::vector<Seen> theirs = Warcio(files);
  REQUIRE(ours.size() > 400);
  CHECK(theirs.size() == ours.size());
  const size_t n = std::min(ours.size(), theirs.size());
  int mismatches = 0;
  for (size_t i = 0; i < n && mismatches < 10; ++i) {
    if (!(ours[i] == theirs[i])) {
      ++mismatches;
      CHECK_MESSAGE(false, "record " << i << ": ours " << ours[i]
                                     << " / warcio " << theirs[i]);
    }
  }
  // The URIs are those crawled.
  int responses = 0;
  for (const Seen& s : theirs) {
    if (s.type != "response") continue;
    ++responses;
    CHECK_MESSAGE(s.uri.rfind("http://127.0.0.1:", 0) == 0, s.uri);
  }
  CHECK(responses * 2 + static_cast<int>(files.size()) ==
        static_cast<int>(theirs.size()));

  // The CDXJ index: `crawler warc cdxj` and warcio's `cdx-index` write the
  // same lines (SURT keys, timestamps, offsets, lengths...), once sorted.
  std::vector<std::string> cdxj_args = {RunfilePath("crawler/cli/crawler"),
                                        "warc", "cdxj"};
  cdxj_args.insert(cdxj_args.end(), files.begin(), files.end());
  auto ours_cdxj = Command::Start(cdxj_args);
  REQUIRE(ours_cdxj.ok());
  REQUIRE((*ours_cdxj)->Wait(60000) == std::optional<int>(0));
  const std::string cli =
      script.substr(0, script.rfind('/')) + "/node_modules/warcio/dist/cli.js";
  std::vector<std::string> warcio_args = {"/usr/bin/env", "node", cli,
                                          "cdx-index"};
  warcio_args.insert(warcio_args.end(), files.begin(), files.end());
  auto theirs_cdxj = Command::Start(warcio_args);
  REQUIRE(theirs_cdxj.ok());
  REQUIRE_MESSAGE((*theirs_cdxj)->Wait(120000) == std::optional<int>(0),
                  (*theirs_cdxj)->Stderr());
  auto sorted_lines = [](const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) lines.push_back(line);
    std::sort(lines.begin(), lines.end());
    return lines;
  };
  const std::vector<std::string> a = sorted_lines((*ours_cdxj)->Stdout());
  const std::vector<std::string> b = sorted_lines((*theirs_cdxj)->Stdout());
  CHECK(static_cast<int>(a.size()) == responses);
  CHECK(a.size() == b.size());
  int differ = 0;
  for (size_t i = 0; i < std::min(a.size(), b.size()) && differ < 5; ++i) {
    if (a[i] != b[i]) {
      ++differ;
      CHECK_MESSAGE(false, "ours:   " << a[i] << "\nwarcio: " << b[i]);
    }
  }
  // Ours comes out sorted already.
  CHECK(sorted_lines((*ours_cdxj)->Stdout()) == a);
}

// The lines of `text`.
std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

std::string RunCrawler(const std::vector<std::string>& args) {
  std::vector<std::string> all = {RunfilePath("crawler/cli/crawler")};
  all.insert(all.end(), args.begin(), args.end());
  auto cmd = Command::Start(all);
  REQUIRE(cmd.ok());
  REQUIRE_MESSAGE((*cmd)->Wait(60000) == std::optional<int>(0),
                  (*cmd)->Stderr());
  return (*cmd)->Stdout();
}

// `member` decoded by GNU gzip alone (`gzip -dc`, which exits with 2 on
// trailing bytes after a member and 1 on a bad one): its output, or
// nothing when gzip did not exit with 0.
std::optional<std::string> Gunzip(const std::string& member,
                                  const std::string& scratch) {
  {
    std::ofstream out(scratch + ".gz", std::ios::binary | std::ios::trunc);
    out << member;
  }
  const std::string cmd = "gzip -dc < '" + scratch + ".gz' > '" + scratch +
                          ".out' 2> '" + scratch + ".err'";
  const int rc = std::system(cmd.c_str());
  if (rc == -1 || !WIFEXITED(rc) || WEXITSTATUS(rc) != 0) {
    MESSAGE("gzip -dc: " << ReadFile(scratch + ".err"));
    return std::nullopt;
  }
  return ReadFile(scratch + ".out");
}

TEST_CASE("warcio reads a re-crawl's revisit records (--state, 304s)") {
  ReadWarcScript();  // Fails early, clearly.
  const std::string dir = testing::TempDir() + "/interop_revisit";
  REQUIRE(std::system(("rm -rf '" + dir + "' && mkdir -p '" + dir + "/site' '" +
                       dir + "/w1' '" + dir + "/w2'")
                          .c_str()) == 0);
  for (const std::string name : {"index", "a", "b"}) {
    std::ofstream(dir + "/site/" + name + ".html")
        << "<title>" << name << "</title><a href=a.html>a</a>"
        << "<a href=b.html>b</a>";
  }
  // python3 -m http.server answers If-Modified-Since with 304.
  int port = 0;
  std::unique_ptr<Command> server =
      crawler::e2e::StartHttpServer(dir + "/site", &port);
  const std::string seed =
      "http://127.0.0.1:" + std::to_string(port) + "/index.html";
  const std::vector<std::string> flags = {"--state",           dir + "/state",
                                          "--revisit-initial", "1",
                                          "--revisit-min",     "1"};
  std::vector<std::string> first = flags;
  first.insert(first.end(), {"--warc", dir + "/w1/crawl", seed});
  Crawl(first);
  // Everything is due again after a second; the pages are unchanged.
  ::usleep(1200000);
  std::vector<std::string> second = flags;
  second.insert(second.end(), {"--warc", dir + "/w2/crawl", seed});
  Crawl(second);

  const std::vector<std::string> files = WarcFiles(dir + "/w2");
  REQUIRE(files.size() == 1);
  const std::vector<Seen> ours = OurReader(files);
  const std::vector<Seen> theirs = Warcio(files);
  CHECK(theirs.size() == ours.size());
  for (size_t i = 0; i < std::min(ours.size(), theirs.size()); ++i) {
    CHECK_MESSAGE(ours[i] == theirs[i], "record " << i << ": ours " << ours[i]
                                                  << " / warcio " << theirs[i]);
  }
  int revisits = 0;
  for (const Seen& s : theirs) {
    if (s.type != "revisit") continue;
    ++revisits;
    CHECK(s.profile ==
          "http://netpreserve.org/warc/1.1/revisit/server-not-modified");
    CHECK(s.refers_to == s.uri);
  }
  CHECK(revisits == 3);  // index, a and b: robots.txt is a 404 again.
}

TEST_CASE("each gzip member decoded alone by gzip -dc, at every level kind") {
  const std::string dir = testing::TempDir() + "/members";
  REQUIRE(std::system(
              ("rm -rf '" + dir + "' && mkdir '" + dir + "'").c_str()) == 0);
  auto site = SiteServer::Start({"--pages", "40"});
  REQUIRE_MESSAGE(site.ok(), site.status().ToString());
  // 0: stored; 1: igzip's level 0 (the default); 2 and 3: igzip's levels 1
  // and 2; 12: igzip's level 3.
  for (const char* level : {"0", "1", "2", "3", "12"}) {
    CAPTURE(level);
    const std::string sub = dir + "/level" + level;
    REQUIRE(std::system(("mkdir '" + sub + "'").c_str()) == 0);
    Crawl({(*site)->Url("/"), "--per-host", "4", "-w", "2", "--warc",
           sub + "/site", "--warc-compression-level", level});
    const std::vector<std::string> files = WarcFiles(sub);
    REQUIRE(!files.empty());
    // Every member's range, from `warc ls` (offsets; a member ends where the
    // next begins, the last at the end of the file), by file base name.
    std::map<std::string, std::map<uint64_t, uint64_t>> ranges;
    int members = 0;
    for (const std::string& f : files) {
      const std::string bytes = ReadFile(f);
      const std::string base = f.substr(f.rfind('/') + 1);
      std::vector<uint64_t> offsets;
      for (const std::string& line : Lines(RunCrawler({"warc", "ls", f}))) {
        offsets.push_back(std::stoull(line.substr(0, line.find('\t'))));
      }
      REQUIRE(offsets.size() >= 3);  // warcinfo, request, response.
      CHECK(offsets[0] == 0);
      for (size_t i = 0; i < offsets.size(); ++i) {
        const uint64_t end =
            i + 1 < offsets.size() ? offsets[i + 1] : bytes.size();
        REQUIRE(end > offsets[i]);
        ranges[base][offsets[i]] = end - offsets[i];
        const std::string member = bytes.substr(offsets[i], end - offsets[i]);
        std::optional<std::string> record = Gunzip(member, sub + "/m");
        REQUIRE_MESSAGE(record.has_value(),
                        base << " member at offset " << offsets[i]);
        // Exactly one whole record: header, Content-Length bytes, CRLF CRLF.
        StatusOr<warc::ParsedHeader> h = warc::ParseHeader(*record);
        REQUIRE_OK(h.status());
        CHECK(h->version == "WARC/1.1");
        CHECK(record->size() == h->size + h->content_length + 4);
        CHECK(record->substr(record->size() - 4) == "\r\n\r\n");
        ++members;
      }
    }
    CHECK(members > 40);  // Pages and robots.txt, two records each.
    // The CDXJ index's offset and length name exactly one of those members,
    // a response record.
    std::vector<std::string> cdxj_args = {"warc", "cdxj"};
    cdxj_args.insert(cdxj_args.end(), files.begin(), files.end());
    int indexed = 0;
    for (const std::string& line : Lines(RunCrawler(cdxj_args))) {
      const json j = json::parse(line.substr(line.find('{')));
      const std::string file = j["filename"];
      const uint64_t offset = std::stoull(j["offset"].get<std::string>());
      const uint64_t length = std::stoull(j["length"].get<std::string>());
      REQUIRE(ranges.count(file) == 1);
      REQUIRE(ranges[file].count(offset) == 1);
      CHECK(ranges[file][offset] == length);
      const std::string member =
          ReadFile(sub + "/" + file).substr(offset, length);
      std::optional<std::string> record = Gunzip(member, sub + "/c");
      REQUIRE(record.has_value());
      StatusOr<warc::ParsedHeader> h = warc::ParseHeader(*record);
      REQUIRE_OK(h.status());
      CHECK(h->header.Get("WARC-Type") == "response");
      CHECK(h->header.Get("WARC-Target-URI") == j["url"].get<std::string>());
      ++indexed;
    }
    CHECK(indexed * 2 + static_cast<int>(files.size()) == members);
  }
}

}  // namespace
}  // namespace crawler
