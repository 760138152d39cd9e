// RunWorker in a child process with the libcurl fetcher, against the
// loopback fixture server (tests/testdata/fixture_server.py, /conditional:
// ETag "v1", Last-Modified kLastModified): FetchTask's validators reach the
// server, FetchResult carries the response's validators and, when wanted,
// the content hash of the body served.
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "crawler/fetch/curl_fetcher.h"
#include "crawler/fetch/fetch_options.h"
#include "crawler/ipc/messages.h"
#include "crawler/mp/pipe.h"
#include "crawler/mp/process.h"
#include "crawler/state/content_hash.h"
#include "crawler/testing/fixture_server.h"
#include "crawler/testing/test_util.h"
#include "crawler/warc/digest.h"
#include "crawler/worker/worker.h"

namespace crawler::worker {
namespace {

using ::crawler::testing::FixtureServer;

constexpr char kLastModified[] = "Wed, 21 Oct 2015 07:28:00 GMT";
// What the fixture serves at /conditional and /text.
const std::string kConditionalBody = "conditional body\n";

std::string TextBody() {
  std::string body;
  for (int i = 0; i < 20; ++i) body += "plain text document\n";
  return body;
}

// Sends `tasks` to a worker process running the libcurl fetcher, closes its
// input, and returns the results by id (fails the test unless every task is
// answered once and the worker exits 0).
std::map<uint64_t, ipc::FetchResult> RunTasks(
    const std::vector<ipc::FetchTask>& tasks, size_t max_body_bytes = 0) {
  auto ends = mp::Pipe();
  REQUIRE(ends.ok());
  mp::Connection conn = std::move(ends->first);
  const int child_fd = ends->second.fd();
  const int parent_fd = conn.fd();
  mp::Process process(
      [child_fd, parent_fd, max_body_bytes] {
        ::close(parent_fd);
        mp::Connection child(child_fd);
        fetch::FetchOptions fo;
        fo.allow_private_addresses = true;
        fo.max_redirects = 0;  // As in a crawl.
        if (max_body_bytes > 0) fo.max_body_bytes = max_body_bytes;
        auto fetcher = fetch::NewCurlFetcher(fo);
        if (!fetcher.ok()) return 100;
        Status s = RunWorker(child, **fetcher, WorkerOptions());
        return static_cast<int>(s.code());
      },
      mp::ProcessOptions{.name = "test-worker", .stop_grace_ms = 200});
  REQUIRE_OK(process.Start());
  ends->second.Close();
  for (const ipc::FetchTask& t : tasks) REQUIRE_OK(conn.Send(ipc::Encode(t)));
  // End of input: the worker answers everything, then exits.
  REQUIRE(::shutdown(conn.fd(), SHUT_WR) == 0);
  std::map<uint64_t, ipc::FetchResult> results;
  for (size_t i = 0; i < tasks.size(); ++i) {
    std::string frame;
    Status s = conn.Recv(&frame, 10000);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    ipc::FetchResult r;
    REQUIRE_OK(ipc::Decode(frame, &r));
    CHECK(results.count(r.id) == 0);
    results[r.id] = std::move(r);
  }
  std::string frame;
  CHECK(conn.Recv(&frame, 10000).code() == Code::kClosed);
  REQUIRE_OK(process.Join(10000));
  REQUIRE(process.exit_code().has_value());
  CHECK(*process.exit_code() == 0);
  return results;
}

ipc::FetchTask Task(uint64_t id, std::string url) {
  ipc::FetchTask t;
  t.id = id;
  t.url = std::move(url);
  return t;
}

TEST_CASE("Worker: validators out, validators and content hash back") {
  auto server = FixtureServer::Start();
  REQUIRE_OK(server.status());
  FixtureServer& s = **server;
  std::vector<ipc::FetchTask> tasks;
  // 1: a first crawl of the page, hash wanted.
  tasks.push_back(Task(1, s.Url("/conditional?w=1")));
  tasks.back().want_links = true;
  tasks.back().want_hash = true;
  // 2: the same, hash not wanted (a crawl then skips text/plain).
  tasks.push_back(Task(2, s.Url("/conditional?w=2")));
  tasks.back().want_links = true;
  // 3, 4: re-crawls with each validator: not modified.
  tasks.push_back(Task(3, s.Url("/conditional?w=3")));
  tasks.back().want_links = true;
  tasks.back().want_hash = true;
  tasks.back().if_none_match = "\"v1\"";
  tasks.push_back(Task(4, s.Url("/conditional?w=4")));
  tasks.back().want_hash = true;
  tasks.back().if_modified_since = kLastModified;
  // 5: a stale validator: the full answer, hashed.
  tasks.push_back(Task(5, s.Url("/conditional?w=5")));
  tasks.back().want_hash = true;
  tasks.back().if_none_match = "\"v0\"";
  // 6: an HTML page, parsed and hashed.
  tasks.push_back(Task(6, s.Url("/page/3")));
  tasks.back().want_links = true;
  tasks.back().want_hash = true;
  // 7: as 5, hashed with SHA-1 (the state holds an older SHA-1 hash).
  tasks.push_back(Task(7, s.Url("/conditional?w=7")));
  tasks.back().want_hash = true;
  tasks.back().hash_sha1 = true;
  std::map<uint64_t, ipc::FetchResult> r = RunTasks(tasks);

  CHECK(r[1].status == 200);
  CHECK(r[1].error.empty());
  CHECK(r[1].etag == "\"v1\"");
  CHECK(r[1].last_modified == kLastModified);
  CHECK(r[1].content_hash == state::ContentHash(kConditionalBody));
  CHECK_FALSE(r[1].parsed);  // text/plain, read for its hash.

  // A crawl skips a text/plain body it does not hash; the headers came.
  CHECK(r[2].error_class == "skipped_content_type");
  CHECK(r[2].etag == "\"v1\"");
  CHECK(r[2].content_hash.empty());

  for (uint64_t id : {3, 4}) {
    CAPTURE(id);
    CHECK(r[id].status == 304);
    CHECK(r[id].error.empty());
    CHECK(r[id].error_class.empty());
    CHECK(r[id].bytes == 0);
    CHECK(r[id].etag == "\"v1\"");
    CHECK(r[id].last_modified == kLastModified);
    CHECK(r[id].content_hash.empty());
    CHECK_FALSE(r[id].parsed);
  }

  CHECK(r[5].status == 200);
  CHECK(r[5].content_hash == state::ContentHash(kConditionalBody));

  CHECK(r[6].status == 200);
  CHECK(r[6].parsed);
  CHECK(r[6].title == "Page 3");
  CHECK_FALSE(r[6].link_urls.empty());
  CHECK(r[6].content_hash.rfind("xxh128:", 0) == 0);
  CHECK(r[6].content_hash.size() == 39);  // "xxh128:" + 32 hex digits.
  CHECK(r[6].etag.empty());  // The fixture's pages have no validators.

  CHECK(r[7].status == 200);
  CHECK(r[7].content_hash == warc::Sha1Digest(kConditionalBody));
}

TEST_CASE("Worker: a crawl task that wants the hash reads every type") {
  auto server = FixtureServer::Start();
  REQUIRE_OK(server.status());
  FixtureServer& s = **server;
  std::vector<ipc::FetchTask> tasks;
  tasks.push_back(Task(1, s.Url("/text")));
  tasks.back().want_links = true;
  tasks.back().want_hash = true;
  // Without the hash a crawl skips the body of a type it does not parse.
  tasks.push_back(Task(2, s.Url("/text")));
  tasks.back().want_links = true;
  std::map<uint64_t, ipc::FetchResult> r = RunTasks(tasks);
  CHECK(r[1].error.empty());
  CHECK(r[1].bytes == TextBody().size());
  CHECK(r[1].content_hash == state::ContentHash(TextBody()));
  CHECK(r[2].error_class == "skipped_content_type");
  CHECK(r[2].content_hash.empty());
}

TEST_CASE("Worker: no content hash for errors and non-2xx answers") {
  auto server = FixtureServer::Start();
  REQUIRE_OK(server.status());
  FixtureServer& s = **server;
  std::vector<ipc::FetchTask> tasks;
  tasks.push_back(Task(1, s.Url("/status/404")));
  tasks.push_back(Task(2, s.Url("/big?bytes=5000")));     // Over the cap.
  tasks.push_back(Task(3, s.Url("/redirect?to=/text")));  // Not followed.
  tasks.push_back(Task(4, "http://127.0.0.1:1/refused"));
  tasks.push_back(Task(5, s.Url("/text")));
  for (ipc::FetchTask& t : tasks) t.want_hash = true;
  std::map<uint64_t, ipc::FetchResult> r = RunTasks(tasks, 4096);
  CHECK(r[1].status == 404);
  CHECK(r[1].error.empty());
  CHECK(r[2].error_class == "too_large");
  CHECK(r[3].status == 302);
  CHECK(r[4].error_class == "connect_failed");
  for (uint64_t id : {1, 2, 3, 4}) {
    CAPTURE(id);
    CHECK(r[id].content_hash.empty());
  }
  // The cap is not in the way of a body under it.
  CHECK(r[5].content_hash == state::ContentHash(TextBody()));
}

}  // namespace
}  // namespace crawler::worker
