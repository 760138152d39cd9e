#include "crawler/worker/worker.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "crawler/ipc/messages.h"
#include "crawler/mp/pipe.h"
#include "crawler/mp/process.h"
#include "crawler/state/content_hash.h"
#include "crawler/testing/fake_fetcher.h"
#include "crawler/testing/proc_util.h"
#include "crawler/testing/test_util.h"
#include "crawler/warc/digest.h"

namespace crawler::worker {
namespace {

using crawler::testing::ChildPids;
using crawler::testing::FakeFetcher;
using namespace std::chrono_literals;

// ---------------------------------------------------------------------------
// LooksLikeHtml

TEST_CASE("LooksLikeHtml decides by Content-Type when there is one") {
  struct Row {
    std::string type;
    std::string body;
    bool html;
  };
  const std::vector<Row> rows = {
      {"text/html", "", true},
      {"text/html; charset=utf-8", "", true},
      {"TEXT/HTML", "", true},
      {"Text/Html;Charset=ISO-8859-1", "", true},
      {"  text/html", "", true},  // Leading whitespace.
      {"application/xhtml+xml", "", true},
      {"application/XHTML+XML; charset=utf-8", "", true},
      {"text/plain", "<html><title>x</title>", false},  // Type wins.
      {"application/json", "<!doctype html>", false},
      {"image/png", "\x89PNG\r\n", false},
      {"text/xml", "<html>", false},
      {"application/octet-stream", "<html>", false},
      {"text/htm", "<html>", false},
  };
  for (const Row& r : rows) {
    CAPTURE(r.type);
    CHECK(LooksLikeHtml(r.type, r.body) == r.html);
  }
}

TEST_CASE("LooksLikeHtml sniffs the body when the type is missing") {
  struct Row {
    std::string body;
    bool html;
  };
  const std::vector<Row> rows = {
      {"<!DOCTYPE html><p>x", true},
      {"<!doctype HTML>", true},
      {"<html lang=en>", true},
      {"<HEAD><title>x", true},
      {"<body>", true},
      {"<title>t</title>", true},
      {"\n\t  <html>", true},                 // Leading whitespace.
      {"\xEF\xBB\xBF<!doctype html>", true},  // UTF-8 BOM.
      {"\xEF\xBB\xBF  <html>", true},         // BOM then whitespace.
      {"", false},
      {"hello <html>", false},
      {"{\"a\": 1}", false},
      {"<?xml version=\"1.0\"?><html>", false},
      {"<p>fragment</p>", false},
      {std::string("<html>\0\0\0\x01", 10), false},  // Binary: NUL inside.
      {std::string("\0<html>", 7), false},
  };
  for (const Row& r : rows) {
    CAPTURE(r.body);
    CHECK(LooksLikeHtml("", r.body) == r.html);
  }
}

// ---------------------------------------------------------------------------
// BuildResult

fetch::FetchResponse HtmlResponse(std::string body) {
  fetch::FetchResponse r;
  r.id = 77;
  r.url = "http://site.test/dir/page";
  r.final_url = "http://site.test/dir/page";
  r.status = 200;
  r.content_type = "text/html";
  r.bytes = body.size();
  r.body = std::move(body);
  r.elapsed_ms = 12;
  return r;
}

TEST_CASE(
    "BuildResult: X-Robots-Tag headers are read one by one; nofollow drops "
    "links") {
  ResultOptions o;
  o.want_links = true;
  o.html.robots_token = "crawler";
  fetch::FetchResponse r = HtmlResponse(
      "<title>t</title><a href=/a>a</a><a href=/b rel=nofollow>b</a>");
  // A "bot:" prefix covers only its own header line.
  r.x_robots_tag = "otherbot: nofollow\nnoindex";
  ipc::FetchResult out = BuildResult(r, o);
  CHECK(out.noindex);
  CHECK_FALSE(out.nofollow);
  REQUIRE(out.link_urls.size() == 1);  // rel=nofollow dropped.
  CHECK(out.link_urls[0].find("/a") != std::string::npos);

  r.x_robots_tag = "crawler: nofollow";
  out = BuildResult(r, o);
  CHECK(out.nofollow);
  CHECK(out.link_urls.empty());  // Page-level nofollow: no links at all.

  o.honour_nofollow = false;  // --follow-nofollow
  out = BuildResult(r, o);
  CHECK(out.link_urls.size() == 2);
}

TEST_CASE("BuildResult copies an error and never parses the partial body") {
  fetch::FetchResponse r = HtmlResponse("<title>Partial</title><a href=x>");
  r.status = 200;
  r.error_class = "too_large";
  r.error = Status(Code::kResourceExhausted,
                   "too_large: http://site.test/dir/page: body over 5 bytes",
                   Tag::kPermanent);
  ipc::FetchResult out = BuildResult(r, /*want_links=*/true, {});
  CHECK(out.id == 77);
  CHECK(out.url == "http://site.test/dir/page");
  CHECK(out.status == 200);
  CHECK(out.bytes == r.bytes);
  CHECK(out.elapsed_ms == 12);
  CHECK_FALSE(out.parsed);
  CHECK(out.title.empty());
  CHECK(out.links == 0);
  CHECK(out.link_urls.empty());
  CHECK(out.error == "too_large: http://site.test/dir/page: body over 5 bytes");
  CHECK(out.error_class == "too_large");
  CHECK(out.tag == Tag::kPermanent);
}

TEST_CASE("BuildResult copies a network error with its retryable tag") {
  fetch::FetchResponse r;
  r.id = 3;
  r.url = r.final_url = "http://down.test/";
  r.error_class = "connect_failed";
  r.error = UnavailableError("connect_failed: http://down.test/: refused");
  ipc::FetchResult out = BuildResult(r, false, {});
  CHECK(out.status == 0);
  CHECK(out.error == "connect_failed: http://down.test/: refused");
  CHECK(out.error_class == "connect_failed");
  CHECK(out.tag == Tag::kRetryable);
  CHECK_FALSE(out.parsed);
}

TEST_CASE("BuildResult gives an error without a class the class 'other'") {
  fetch::FetchResponse r;
  r.url = "http://x.test/";
  r.error = InternalError("other: http://x.test/: weird");
  ipc::FetchResult out = BuildResult(r, false, {});
  CHECK(out.error_class == "other");
  CHECK(out.error == "other: http://x.test/: weird");
}

TEST_CASE("BuildResult extracts the title and counts followable links") {
  ipc::FetchResult out = BuildResult(
      HtmlResponse(
          "<title> My \n Page </title>"
          "<a href=/a>1</a><a href='b'>2</a>"
          "<a href='https://other.test/c'>3</a>"
          "<a href='mailto:x@y'>no</a><a href='javascript:void 0'>no</a>"
          "<a href='#top'>no</a><a href='ftp://f/'>no</a>"),
      /*want_links=*/false, {});
  CHECK(out.parsed);
  CHECK(out.title == "My Page");
  CHECK(out.links == 3);
  CHECK(out.link_urls.empty());  // Not wanted: counted only.
  CHECK(out.error.empty());
  CHECK(out.error_class.empty());
  CHECK(out.tag == Tag::kNone);
}

TEST_CASE("BuildResult resolves links against the final URL, deduplicated") {
  fetch::FetchResponse r = HtmlResponse(
      "<title>T</title>"
      "<a href='next'>rel</a>"
      "<a href='/root'>abs path</a>"
      "<a href='../up'>dot dot</a>"
      "<a href='//cdn.test/x'>scheme-relative</a>"
      "<a href='HTTP://Other.Test:80/y#frag'>absolute</a>"
      "<a href='?q=1'>query</a>"
      "<a href='next'>duplicate</a>"
      "<a href='./next#again'>same after resolving</a>"
      "<a href='mailto:a@b'>mail</a>"
      "<a href='data:text/plain,x'>data</a>"
      "<a href='#frag'>fragment</a>");
  r.url = "http://site.test/old/page";
  r.final_url = "http://site.test/new/dir/page";  // After a redirect.
  ipc::FetchResult out = BuildResult(r, /*want_links=*/true, {});
  CHECK(out.parsed);
  CHECK(out.link_urls == std::vector<std::string>{
                             "http://site.test/new/dir/next",
                             "http://site.test/root", "http://site.test/new/up",
                             "http://cdn.test/x", "http://other.test/y",
                             "http://site.test/new/dir/page?q=1"});
  CHECK(out.links == 6);
}

TEST_CASE("BuildResult resolves links against <base href>") {
  fetch::FetchResponse r = HtmlResponse(
      "<head><base href='/assets/v2/'><title>B</title></head>"
      "<a href='img'>a</a><a href='/top'>b</a><a href='http://x.test/'>c</a>");
  r.final_url = "https://site.test/dir/page";
  ipc::FetchResult out = BuildResult(r, true, {});
  CHECK(out.link_urls ==
        std::vector<std::string>{"https://site.test/assets/v2/img",
                                 "https://site.test/top", "http://x.test/"});

  r = HtmlResponse("<base href='http://other.test/base/'><a href='z'>z</a>");
  out = BuildResult(r, true, {});
  CHECK(out.link_urls == std::vector<std::string>{"http://other.test/base/z"});
}

TEST_CASE("BuildResult ignores an unusable <base href>") {
  fetch::FetchResponse r =
      HtmlResponse("<base href='javascript:alert(1)'><a href='z'>z</a>");
  ipc::FetchResult out = BuildResult(r, true, {});
  CHECK(out.link_urls == std::vector<std::string>{"http://site.test/dir/z"});
}

TEST_CASE("BuildResult resolves against the URL when final_url is empty") {
  fetch::FetchResponse r = HtmlResponse("<a href='z'>z</a>");
  r.final_url.clear();
  ipc::FetchResult out = BuildResult(r, true, {});
  CHECK(out.link_urls == std::vector<std::string>{"http://site.test/dir/z"});
}

TEST_CASE("BuildResult does not parse non-HTML bodies") {
  fetch::FetchResponse r = HtmlResponse("<title>Looks like HTML</title>");
  r.content_type = "text/plain";
  ipc::FetchResult out = BuildResult(r, true, {});
  CHECK_FALSE(out.parsed);
  CHECK(out.title.empty());
  CHECK(out.links == 0);
  CHECK(out.link_urls.empty());
  CHECK(out.error.empty());

  r = HtmlResponse("\xEF\xBB\xBF<title>Sniffed</title>");
  r.content_type.clear();
  out = BuildResult(r, false, {});
  CHECK(out.parsed);
  CHECK(out.title == "Sniffed");
}

TEST_CASE("BuildResult parses an HTML 404 page too") {
  fetch::FetchResponse r = HtmlResponse("<title>Not Found</title>");
  r.status = 404;
  ipc::FetchResult out = BuildResult(r, false, {});
  CHECK(out.status == 404);
  CHECK(out.parsed);
  CHECK(out.title == "Not Found");
  CHECK(out.error.empty());
}

TEST_CASE("BuildResult turns hostile HTML into a parse_limit error") {
  std::string deep = "<title>Deep</title>";
  for (int i = 0; i < 100000; ++i) deep += "<div>";
  auto t0 = std::chrono::steady_clock::now();
  ipc::FetchResult out = BuildResult(HtmlResponse(deep), true, {});
  CHECK(std::chrono::steady_clock::now() - t0 < 5s);
  CHECK_FALSE(out.parsed);
  CHECK(out.error_class == "parse_limit");
  CHECK(out.error.rfind("parse_limit: ", 0) == 0);
  CHECK(out.error.find("depth") != std::string::npos);
  CHECK(out.tag == Tag::kPermanent);
  CHECK(out.status == 200);  // The response itself is still reported.

  std::string attrs = "<a";
  for (int i = 0; i < 100000; ++i) attrs += " a" + std::to_string(i) + "=1";
  attrs += ">";
  out = BuildResult(HtmlResponse(attrs), false, {});
  CHECK(out.error_class == "parse_limit");
  CHECK_FALSE(out.parsed);
}

TEST_CASE("BuildResult copies the validators; a 304 is not parsed") {
  fetch::FetchResponse r = HtmlResponse("");
  r.status = 304;
  r.etag = "W/\"abc\"";
  r.last_modified = "Wed, 21 Oct 2015 07:28:00 GMT";
  ResultOptions o;
  o.want_links = true;
  o.want_hash = true;
  ipc::FetchResult out = BuildResult(r, o);
  CHECK(out.status == 304);
  CHECK(out.error.empty());
  CHECK(out.etag == "W/\"abc\"");
  CHECK(out.last_modified == "Wed, 21 Oct 2015 07:28:00 GMT");
  CHECK_FALSE(out.parsed);          // No body came: not an empty page.
  CHECK(out.content_hash.empty());  // Not 2xx.

  // Copied on an error too (a skipped type has its headers).
  r = HtmlResponse("");
  r.etag = "\"e\"";
  r.error_class = "skipped_content_type";
  r.error = Status(Code::kFailedPrecondition, "skipped_content_type: x",
                   Tag::kPermanent);
  out = BuildResult(r, o);
  CHECK(out.etag == "\"e\"");
}

TEST_CASE("BuildResult: content_hash only when wanted, 2xx and no error") {
  const std::string page = "<title>T</title><a href=/a>a</a>";
  const std::string digest = state::ContentHash(page);
  REQUIRE(digest.rfind("xxh128:", 0) == 0);
  ResultOptions o;
  o.want_links = true;
  CHECK(BuildResult(HtmlResponse(page), o).content_hash.empty());
  o.want_hash = true;
  ipc::FetchResult out = BuildResult(HtmlResponse(page), o);
  CHECK(out.content_hash == digest);
  CHECK(out.parsed);  // Hashing does not change the rest.
  CHECK(out.link_urls.size() == 1);

  // Whatever the type and the other wants: the whole decoded body.
  fetch::FetchResponse r = HtmlResponse(std::string("\x89PNG\0\1", 6));
  r.content_type = "image/png";
  CHECK(BuildResult(r, o).content_hash ==
        state::ContentHash(std::string("\x89PNG\0\1", 6)));
  // SHA-1 when asked (a URL whose state hash is an older SHA-1 one).
  ResultOptions sha1 = o;
  sha1.hash_sha1 = true;
  CHECK(BuildResult(HtmlResponse(page), sha1).content_hash ==
        warc::Sha1Digest(page));
  ResultOptions robots = o;
  robots.want_links = false;
  robots.want_body = true;
  robots.body_limit = 4;
  out = BuildResult(HtmlResponse(page), robots);
  CHECK(out.body.size() == 4);
  CHECK(out.content_hash == digest);
  CHECK(BuildResult(HtmlResponse(""), o).content_hash ==
        state::ContentHash(""));  // An empty 200 has a hash.

  // Other statuses and every error: none.
  r = HtmlResponse(page);
  r.status = 404;
  CHECK(BuildResult(r, o).content_hash.empty());
  r.status = 301;
  CHECK(BuildResult(r, o).content_hash.empty());
  r = HtmlResponse(page);
  r.error_class = "too_large";
  r.error = Status(Code::kResourceExhausted, "too_large: x", Tag::kPermanent);
  CHECK(BuildResult(r, o).content_hash.empty());
  std::string deep = "<title>Deep</title>";
  for (int i = 0; i < 100000; ++i) deep += "<div>";
  out = BuildResult(HtmlResponse(deep), o);
  CHECK(out.error_class == "parse_limit");
  CHECK(out.content_hash.empty());
}

TEST_CASE("BuildResult honours the HTML limits it is given") {
  html::HtmlOptions small;
  small.max_depth = 5;
  std::string page = "<title>x</title>";
  for (int i = 0; i < 20; ++i) page += "<div>";
  CHECK(BuildResult(HtmlResponse(page), false, {}).parsed);
  CHECK(BuildResult(HtmlResponse(page), false, small).error_class ==
        "parse_limit");
}

TEST_CASE("BuildResult converts a page in another encoding to UTF-8 (C3)") {
  // UTF-16LE with a BOM: full of NUL bytes, still parsed.
  const std::string page =
      "<title>utf-16 page</title><a href=\"/caf\xC3\xA9\">x</a>";
  std::string utf16 = "\xFF\xFE";
  for (size_t i = 0; i < page.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(page[i]);
    if (c == 0xC3) {  // U+00E9, two bytes in UTF-8, one unit in UTF-16.
      utf16 += '\xE9';
      ++i;
    } else {
      utf16 += static_cast<char>(c);
    }
    utf16 += '\0';
  }
  ipc::FetchResult out = BuildResult(HtmlResponse(utf16), true, {});
  CHECK(out.parsed);
  CHECK(out.title == "utf-16 page");
  CHECK(out.link_urls ==
        std::vector<std::string>{"http://site.test/caf%C3%A9"});
  // A Latin-1 label or <meta charset>: the title and the links in UTF-8.
  fetch::FetchResponse r =
      HtmlResponse("<title>caf\xE9</title><a href='/\xE9t\xE9'>e</a>");
  r.content_type = "text/html; charset=ISO-8859-1";
  out = BuildResult(r, true, {});
  CHECK(out.title == "caf\xC3\xA9");
  CHECK(out.link_urls ==
        std::vector<std::string>{"http://site.test/%C3%A9t%C3%A9"});
  out = BuildResult(
      HtmlResponse("<meta charset=windows-1252><title>\x93q\x94</title>"),
      false, {});
  CHECK(out.title == "\xE2\x80\x9Cq\xE2\x80\x9D");
  // A UTF-16 label on a binary body: the NUL check still refuses it.
  r = HtmlResponse(std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16));
  r.content_type = "text/html; charset=utf-16le";
  CHECK_FALSE(BuildResult(r, false, {}).parsed);
}

TEST_CASE("BuildResult: a converted page over the HTML size limit is refused") {
  html::HtmlOptions small;
  small.max_input_bytes = 100;
  // 60 bytes of Latin-1, 120 bytes once in UTF-8.
  fetch::FetchResponse r = HtmlResponse(std::string(60, '\xE9'));
  r.content_type = "text/html; charset=latin1";
  ipc::FetchResult out = BuildResult(r, false, small);
  CHECK_FALSE(out.parsed);
  CHECK(out.error_class == "parse_limit");
}

// ---------------------------------------------------------------------------
// FakeFetcher: the worker loop below relies on its Poll semantics.

TEST_CASE("FakeFetcher: Poll honours timeout, wake_fd and max_concurrency") {
  fetch::FetchOptions o;
  o.max_concurrency = 2;
  FakeFetcher f(o);
  // Nothing in flight and no wake_fd: returns at once.
  auto t0 = std::chrono::steady_clock::now();
  CHECK(f.Poll(-1, 5000).empty());
  CHECK(std::chrono::steady_clock::now() - t0 < 1s);

  const auto started = std::chrono::steady_clock::now();
  for (uint64_t id = 1; id <= 4; ++id) {
    f.Start({id, "http://fake.test/slow/150"});
  }
  CHECK(f.InFlight() == 4);
  t0 = std::chrono::steady_clock::now();
  CHECK(f.Poll(-1, 50).empty());  // Times out first.
  CHECK(std::chrono::steady_clock::now() - t0 >= 45ms);

  auto ends = mp::Pipe();
  REQUIRE(ends.ok());
  REQUIRE_OK(ends->second.Send("wake"));
  t0 = std::chrono::steady_clock::now();
  CHECK(f.Poll(ends->first.fd(), 5000).empty());  // Woken early.
  CHECK(std::chrono::steady_clock::now() - t0 < 100ms);

  std::set<uint64_t> got;
  while (f.InFlight() > 0) {
    for (auto& r : f.Poll(-1, 5000)) {
      CHECK(r.status == 200);
      CHECK(r.error.ok());
      got.insert(r.id);
    }
  }
  CHECK(got == std::set<uint64_t>{1, 2, 3, 4});
  CHECK(f.max_active_seen() == 2);
  // Two at a time: the second pair's clocks start when the first finishes.
  CHECK(std::chrono::steady_clock::now() - started >= 295ms);
}

// ---------------------------------------------------------------------------
// RunWorker in a real child process.

// A worker process running RunWorker over a Pipe with a FakeFetcher. The
// child's exit code is the Code of RunWorker's status (0 = OK). Destroying it
// closes the pipe and stops the child.
class WorkerUnderTest {
 public:
  explicit WorkerUnderTest(int concurrency = 4, WorkerOptions options = {}) {
    auto ends = mp::Pipe();
    REQUIRE(ends.ok());
    conn_ = std::move(ends->first);
    const int child_fd = ends->second.fd();
    const int parent_fd = conn_.fd();
    process_ = std::make_unique<mp::Process>(
        [child_fd, parent_fd, concurrency, options] {
          ::close(parent_fd);
          mp::Connection conn(child_fd);
          fetch::FetchOptions fo;
          fo.max_concurrency = concurrency;
          FakeFetcher fetcher(fo);
          Status s = RunWorker(conn, fetcher, options);
          return static_cast<int>(s.code());
        },
        mp::ProcessOptions{.name = "test-worker", .stop_grace_ms = 200});
    REQUIRE_OK(process_->Start());
    ends->second.Close();
  }
  ~WorkerUnderTest() {
    conn_.Close();
    process_.reset();  // Stops and reaps the child if it still runs.
  }

  Status Send(uint64_t id, const std::string& url, bool want_links = false) {
    ipc::FetchTask t;
    t.id = id;
    t.url = url;
    t.want_links = want_links;
    return conn_.Send(ipc::Encode(t));
  }
  // Receives one result; fails the test on timeout or garbage.
  ipc::FetchResult Receive() {
    std::string frame;
    Status s = conn_.Recv(&frame, 10000);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    ipc::FetchResult r;
    REQUIRE_OK(ipc::Decode(frame, &r));
    return r;
  }
  // Tells the worker there is no more work but keeps reading its results.
  void EndInput() { REQUIRE(::shutdown(conn_.fd(), SHUT_WR) == 0); }
  // The exit code once the child exited (fails the test after 10 s).
  int ExitCode() {
    REQUIRE_OK(process_->Join(10000));
    REQUIRE(process_->exit_code().has_value());
    return *process_->exit_code();
  }

  mp::Connection& conn() { return conn_; }
  mp::Process& process() { return *process_; }

 private:
  mp::Connection conn_;
  std::unique_ptr<mp::Process> process_;
};

TEST_CASE("RunWorker answers every task once and exits 0 at end of input") {
  {
    WorkerUnderTest w(/*concurrency=*/4);
    std::map<uint64_t, std::string> sent;
    for (uint64_t id = 0; id < 40; ++id) {
      std::string url;
      switch (id % 4) {
        case 0:
          url = "http://fake.test/page/" + std::to_string(id);
          break;
        case 1:
          url = "http://fake.test/status/404";
          break;
        case 2:
          url = "http://fake.test/error";
          break;
        case 3:
          url = "http://fake.test/slow/20";
          break;
      }
      sent[id] = url;
      REQUIRE_OK(w.Send(id, url));
    }
    std::set<uint64_t> seen;
    for (int i = 0; i < 40; ++i) {
      ipc::FetchResult r = w.Receive();
      CAPTURE(r.id);
      REQUIRE(sent.count(r.id) == 1);
      CHECK(seen.insert(r.id).second);  // Exactly once.
      CHECK(r.url == sent[r.id]);
      switch (r.id % 4) {
        case 0:
          CHECK(r.status == 200);
          CHECK(r.parsed);
          CHECK(r.title == "Page " + std::to_string(r.id));
          CHECK(r.links == 3);
          CHECK(r.link_urls.empty());
          CHECK(r.error.empty());
          break;
        case 1:
          CHECK(r.status == 404);
          CHECK_FALSE(r.parsed);
          CHECK(r.error.empty());
          break;
        case 2:
          CHECK(r.status == 0);
          CHECK(r.error_class == "connect_failed");
          CHECK(r.error.rfind("connect_failed: ", 0) == 0);
          CHECK(r.tag == Tag::kRetryable);
          break;
        case 3:
          CHECK(r.status == 200);
          CHECK(r.elapsed_ms >= 20);
          break;
      }
    }
    w.EndInput();
    std::string frame;
    CHECK(w.conn().Recv(&frame, 10000).code() == Code::kClosed);
    CHECK(w.ExitCode() == 0);
  }
  CHECK(ChildPids().empty());
}

TEST_CASE("RunWorker finishes the tasks in flight after its input closes") {
  {
    WorkerUnderTest w(/*concurrency=*/2);
    for (uint64_t id = 1; id <= 5; ++id) {
      REQUIRE_OK(w.Send(id, "http://fake.test/slow/100"));
    }
    w.EndInput();  // Before any of them can have finished.
    std::set<uint64_t> got;
    for (int i = 0; i < 5; ++i) {
      ipc::FetchResult r = w.Receive();
      CHECK(r.status == 200);
      CHECK(r.error.empty());
      got.insert(r.id);
    }
    CHECK(got == std::set<uint64_t>{1, 2, 3, 4, 5});
    std::string frame;
    CHECK(w.conn().Recv(&frame, 10000).code() == Code::kClosed);
    CHECK(w.ExitCode() == 0);
  }
  CHECK(ChildPids().empty());
}

TEST_CASE("RunWorker returns resolved links when the task wants them") {
  WorkerUnderTest w;
  REQUIRE_OK(w.Send(1, "http://fake.test/page/7", /*want_links=*/true));
  REQUIRE_OK(w.Send(2, "http://fake.test/page/8", /*want_links=*/false));
  for (int i = 0; i < 2; ++i) {
    ipc::FetchResult r = w.Receive();
    if (r.id == 1) {
      CHECK(r.link_urls ==
            std::vector<std::string>{"http://fake.test/page/8",
                                     "http://fake.test/page/9",
                                     "http://fake.test/status/404"});
      CHECK(r.links == 3);
    } else {
      CHECK(r.id == 2);
      CHECK(r.link_urls.empty());
      CHECK(r.links == 3);
    }
  }
  w.EndInput();
  CHECK(w.ExitCode() == 0);
}

TEST_CASE("RunWorker exits 0 at once when closed with nothing in flight") {
  WorkerUnderTest w;
  w.conn().Close();
  CHECK(w.ExitCode() == 0);
}

TEST_CASE("RunWorker returns DataLoss on a garbage frame") {
  WorkerUnderTest w;
  SUBCASE("random bytes") {
    REQUIRE_OK(w.conn().Send("\xde\xad\xbe\xef garbage"));
  }
  SUBCASE("an empty frame") { REQUIRE_OK(w.conn().Send("")); }
  SUBCASE("a result where a task belongs") {
    ipc::FetchResult r;
    r.id = 1;
    r.url = "http://fake.test/page/1";
    REQUIRE_OK(w.conn().Send(ipc::Encode(r)));
  }
  SUBCASE("a truncated task") {
    ipc::FetchTask t;
    t.id = 1;
    t.url = "http://fake.test/page/1";
    std::string frame = ipc::Encode(t);
    REQUIRE_OK(w.conn().Send(frame.substr(0, frame.size() - 3)));
  }
  CHECK(w.ExitCode() == static_cast<int>(Code::kDataLoss));
}

TEST_CASE("RunWorker answers good tasks sent before a garbage frame") {
  WorkerUnderTest w;
  REQUIRE_OK(w.Send(1, "http://fake.test/page/1"));
  ipc::FetchResult r = w.Receive();
  CHECK(r.id == 1);
  REQUIRE_OK(w.conn().Send("junk"));
  CHECK(w.ExitCode() == static_cast<int>(Code::kDataLoss));
}

TEST_CASE("RunWorker returns Closed when the coordinator disappears") {
  WorkerUnderTest w;
  REQUIRE_OK(w.Send(1, "http://fake.test/slow/200"));
  w.conn().Close();  // Both directions: the result cannot be delivered.
  CHECK(w.ExitCode() == static_cast<int>(Code::kClosed));
}

TEST_CASE("A worker dies by SIGKILL on a crashing URL or the crash_on hook") {
  SUBCASE("FakeFetcher /crash") {
    WorkerUnderTest w;
    REQUIRE_OK(w.Send(1, "http://fake.test/crash"));
    CHECK(w.ExitCode() == -9);
  }
  SUBCASE("WorkerOptions::crash_on") {
    WorkerOptions o;
    o.crash_on = "boom";
    WorkerUnderTest w(4, o);
    REQUIRE_OK(w.Send(1, "http://fake.test/page/1"));
    CHECK(w.Receive().id == 1);
    REQUIRE_OK(w.Send(2, "http://fake.test/page/boom"));
    CHECK(w.ExitCode() == -9);
    CHECK(w.process().ExitDescription() == "killed by signal 9 (Killed)");
  }
  CHECK(ChildPids().empty());
}

// Fault matrix C1: a lying Content-Type never hands binary to the parser.
TEST_CASE("LooksLikeHtml: binary bodies served as text/html are not parsed") {
  CHECK(LooksLikeHtml("text/html", "<html><title>x</title>"));
  CHECK_FALSE(LooksLikeHtml("text/html", std::string("\x89PNG\r\n\x1a\n", 8)));
  CHECK_FALSE(LooksLikeHtml("text/html; charset=utf-8", "%PDF-1.4 ..."));
  CHECK_FALSE(LooksLikeHtml("text/html", std::string("<html>\0\0\0", 9)));
  CHECK_FALSE(LooksLikeHtml("text/html", "GIF89a...."));
  CHECK_FALSE(LooksLikeHtml("text/html", std::string("\x1f\x8b\x08", 3)));
}

}  // namespace
}  // namespace crawler::worker
