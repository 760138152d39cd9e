#include "crawler/ipc/messages.h"

#include <string>

#include "crawler/mp/wire.h"
#include "crawler/testing/test_util.h"

namespace crawler::ipc {
namespace {

FetchTask FullTask() {
  FetchTask t;
  t.id = 1234567890123ULL;
  t.url = "http://example.test/a?b=c";
  t.want_links = true;
  t.want_body = false;
  t.want_sitemap = true;
  t.if_none_match = "W/\"v1\", \"v2\"";
  t.if_modified_since = "Wed, 21 Oct 2015 07:28:00 GMT";
  t.want_hash = true;
  t.hash_sha1 = true;
  return t;
}

FetchResult FullResult() {
  FetchResult r;
  r.id = 42;
  r.url = "http://example.test/";
  r.final_url = "http://example.test/final";
  r.status = 200;
  r.content_type = "text/html";
  r.bytes = 17;
  r.parsed = true;
  r.title = "Title";
  r.links = 2;
  r.link_urls = {"http://example.test/1", "http://example.test/2"};
  r.canonical = "http://example.test/c";
  r.noindex = true;
  r.location = "http://example.test/l";
  r.retry_after = "120";
  r.body = std::string("body\0with nul", 13);
  r.sitemaps = {"http://example.test/s.xml"};
  r.elapsed_ms = 9;
  r.error_class = "";
  r.etag = "\"v1\"";
  r.last_modified = "Wed, 21 Oct 2015 07:28:00 GMT";
  r.content_hash = "sha1:GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
  return r;
}

// A FetchTask as encoded before the conditional-request fields existed.
std::string OldFormatTask() {
  mp::Encoder e(kFetchTask);
  e.U64(7).Bytes("http://example.test/").Bool(true).Bool(false).Bool(false);
  return e.Take();
}

TEST_CASE("FetchTask: the conditional-request fields round-trip") {
  const FetchTask in = FullTask();
  FetchTask out;
  REQUIRE_OK(Decode(Encode(in), &out));
  CHECK(out.id == in.id);
  CHECK(out.url == in.url);
  CHECK(out.want_links);
  CHECK_FALSE(out.want_body);
  CHECK(out.want_sitemap);
  CHECK(out.if_none_match == in.if_none_match);
  CHECK(out.if_modified_since == in.if_modified_since);
  CHECK(out.want_hash);
  CHECK(out.hash_sha1);

  // Defaults stay defaults.
  FetchTask empty;
  REQUIRE_OK(Decode(Encode(FetchTask()), &empty));
  CHECK(empty.if_none_match.empty());
  CHECK(empty.if_modified_since.empty());
  CHECK_FALSE(empty.want_hash);
  CHECK_FALSE(empty.hash_sha1);
}

TEST_CASE("FetchResult: etag, last_modified and content_hash round-trip") {
  const FetchResult in = FullResult();
  FetchResult out;
  REQUIRE_OK(Decode(Encode(in), &out));
  CHECK(out.id == in.id);
  CHECK(out.status == 200);
  CHECK(out.body == in.body);
  CHECK(out.link_urls == in.link_urls);
  CHECK(out.sitemaps == in.sitemaps);
  CHECK(out.tag == Tag::kNone);
  CHECK(out.etag == in.etag);
  CHECK(out.last_modified == in.last_modified);
  CHECK(out.content_hash == in.content_hash);
}

TEST_CASE("An old-format or truncated message fails with DataLoss") {
  // Both processes are one build (mp/wire.h): a message without the new
  // fields is refused, never half-read.
  FetchTask task;
  Status s = Decode(OldFormatTask(), &task);
  CHECK(s.code() == Code::kDataLoss);
  CHECK(s.message().find("truncated") != std::string::npos);

  // Every proper prefix of a full message fails the same way, and so does
  // a trailing byte.
  const std::string task_bytes = Encode(FullTask());
  for (size_t n = 0; n < task_bytes.size(); ++n) {
    CAPTURE(n);
    FetchTask t;
    CHECK(Decode(task_bytes.substr(0, n), &t).code() == Code::kDataLoss);
  }
  CHECK(Decode(task_bytes + '\0', &task).code() == Code::kDataLoss);
  const std::string result_bytes = Encode(FullResult());
  for (size_t n = 0; n < result_bytes.size(); ++n) {
    CAPTURE(n);
    FetchResult r;
    CHECK(Decode(result_bytes.substr(0, n), &r).code() == Code::kDataLoss);
  }
  FetchResult r;
  CHECK(Decode(result_bytes + '\0', &r).code() == Code::kDataLoss);
  // A task is not a result.
  CHECK(Decode(task_bytes, &r).code() == Code::kDataLoss);
}

}  // namespace
}  // namespace crawler::ipc
