#include "crawler/output/json.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/output/record_writer.h"
#include "crawler/testing/test_util.h"

namespace crawler::output {
namespace {

using nlohmann::json;

const std::string kFffd = "\xEF\xBF\xBD";

std::string Quote(std::string_view s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

// Quote(s), parsed back by a strict JSON parser: proves the output is valid.
std::string RoundTrip(std::string_view s) {
  const std::string q = Quote(s);
  json j = json::parse(q, nullptr, /*allow_exceptions=*/false);
  REQUIRE_MESSAGE(!j.is_discarded(), "not JSON: " << q);
  REQUIRE(j.is_string());
  return j.get<std::string>();
}

std::string Repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

TEST_CASE("AppendJsonString appends to what is already there") {
  std::string out = "x=";
  AppendJsonString(&out, "a");
  AppendJsonString(&out, "");
  CHECK(out == "x=\"a\"\"\"");
}

TEST_CASE("Plain ASCII is quoted unchanged") {
  CHECK(Quote("") == "\"\"");
  CHECK(Quote("hello, world /path?q=1&r=2") ==
        "\"hello, world /path?q=1&r=2\"");
}

TEST_CASE("Quotes and backslashes are escaped") {
  CHECK(Quote("say \"hi\"") == R"("say \"hi\"")");
  CHECK(Quote("C:\\dir\\") == R"("C:\\dir\\")");
  CHECK(RoundTrip("\\\"\\\"") == "\\\"\\\"");
}

TEST_CASE("Control characters are escaped, short forms for \\n \\r \\t") {
  CHECK(Quote("a\nb\rc\td") == R"("a\nb\rc\td")");
  CHECK(Quote(std::string_view("\0", 1)) == R"("\u0000")");
  CHECK(Quote("\x01\x08\x0b\x0c\x1b\x1f") ==
        R"("\u0001\u0008\u000b\u000c\u001b\u001f")");
  CHECK(Quote("\x7f") == R"("\u007f")");  // DEL.
  CHECK(Quote(" ~") == "\" ~\"");         // 0x20 and 0x7e are printable.
  // Every byte below 0x20 and DEL round-trips through a JSON parser.
  std::string all;
  for (int c = 0; c < 0x20; ++c) all.push_back(static_cast<char>(c));
  all.push_back('\x7f');
  CHECK(RoundTrip(all) == all);
  CHECK(Quote(all).find_first_of(all) == std::string::npos);  // No raw ones.
}

TEST_CASE("Valid multi-byte UTF-8 is kept byte for byte") {
  for (const std::string s : {
           "\xC2\x80",          // U+0080, smallest 2-byte.
           "caf\xC3\xA9",       // é
           "\xDF\xBF",          // U+07FF
           "\xE0\xA0\x80",      // U+0800, smallest 3-byte.
           "\xE2\x82\xAC",      // €
           "\xED\x9F\xBF",      // U+D7FF, just below the surrogates.
           "\xEE\x80\x80",      // U+E000, just above them.
           "\xEF\xBF\xBD",      // U+FFFD itself.
           "\xEF\xBF\xBF",      // U+FFFF
           "\xF0\x90\x80\x80",  // U+10000, smallest 4-byte.
           "\xF0\x9F\x98\x80",  // 😀
           "\xF4\x8F\xBF\xBF",  // U+10FFFF, the largest code point.
       }) {
    CAPTURE(s);
    CHECK(Quote(s) == "\"" + s + "\"");
    CHECK(RoundTrip(s) == s);
  }
}

TEST_CASE("Each invalid UTF-8 byte becomes one U+FFFD") {
  struct Case {
    std::string in;
    std::string out;
  };
  const std::vector<Case> cases = {
      {"\x80", kFffd},  // Lone continuation.
      {"a\xBF"
       "b",
       "a" + kFffd + "b"},                     // Lone continuation.
      {"\xC0\x80", Repeat(kFffd, 2)},          // Overlong NUL.
      {"\xC1\xBF", Repeat(kFffd, 2)},          // Overlong 2-byte.
      {"\xE0\x80\x80", Repeat(kFffd, 3)},      // Overlong 3-byte.
      {"\xE0\x9F\xBF", Repeat(kFffd, 3)},      // Overlong U+07FF.
      {"\xF0\x80\x80\x80", Repeat(kFffd, 4)},  // Overlong 4-byte.
      {"\xF0\x8F\xBF\xBF", Repeat(kFffd, 4)},  // Overlong U+FFFF.
      {"\xED\xA0\x80", Repeat(kFffd, 3)},      // Surrogate U+D800.
      {"\xED\xBF\xBF", Repeat(kFffd, 3)},      // Surrogate U+DFFF.
      {"\xF4\x90\x80\x80", Repeat(kFffd, 4)},  // U+110000.
      {"\xF5\x80\x80\x80", Repeat(kFffd, 4)},  // F5 lead.
      {"\xF8", kFffd},                         // F8..FF never valid.
      {"\xFE\xFF", Repeat(kFffd, 2)},          //
      {"\xC3", kFffd},                         // Truncated at end.
      {"\xE2\x82", Repeat(kFffd, 2)},          // Truncated at end.
      {"\xF0\x9F\x98", Repeat(kFffd, 3)},      // Truncated at end.
      {"\xC3"
       "A",
       kFffd + "A"},  // Cut by ASCII.
      {"\xE2\x82"
       "A",
       Repeat(kFffd, 2) + "A"},                       // Cut by ASCII.
      {"\xF0\x9F\x98\"", Repeat(kFffd, 3) + "\\\""},  // Cut by a quote.
      {"\xE2\xC3\xA9", kFffd + "\xC3\xA9"},           // Cut by a valid seq.
      {"\xC3\xA9\xA9", "\xC3\xA9" + kFffd},           // One too many.
  };
  for (const Case& c : cases) {
    CAPTURE(c.in);
    CHECK(Quote(c.in) == "\"" + c.out + "\"");
    // And the result is valid UTF-8 JSON for a strict parser.
    std::string expected = c.out;
    if (expected.size() >= 2 && expected.substr(expected.size() - 2) == "\\\"")
      expected.replace(expected.size() - 2, 2, "\"");
    CHECK(RoundTrip(c.in) == expected);
  }
}

TEST_CASE("Random bytes always give valid JSON") {
  uint32_t x = 12345;
  for (int round = 0; round < 2000; ++round) {
    std::string s;
    for (int i = 0; i < 17; ++i) {
      x = x * 1664525u + 1013904223u;
      s.push_back(static_cast<char>(x >> 24));
    }
    const std::string q = Quote(s);
    CHECK_MESSAGE(json::accept(q), "not JSON for input #" << round);
  }
}

ipc::FetchResult Ok200() {
  ipc::FetchResult r;
  r.id = 9;
  r.url = "http://a.test/x";
  r.final_url = "http://a.test/y";
  r.status = 200;
  r.content_type = "text/html; charset=utf-8";
  r.bytes = 1234;
  r.parsed = true;
  r.title = "Hello";
  r.links = 3;
  r.elapsed_ms = 42;
  return r;
}

json ParseRecord(const std::string& line) {
  REQUIRE(!line.empty());
  CHECK(line.back() == '\n');
  CHECK(line.find('\n') == line.size() - 1);  // One line.
  json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
  REQUIRE_MESSAGE(!j.is_discarded(), "not JSON: " << line);
  return j;
}

TEST_CASE("FormatRecord writes the nine fields in the documented order") {
  const std::string line = FormatRecord(Ok200());
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(line);
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  CHECK(keys == std::vector<std::string>{"url", "final_url", "status",
                                         "content_type", "bytes", "title",
                                         "links", "elapsed_ms", "error"});
}

TEST_CASE("FormatRecord of a parsed 200 has every value") {
  json j = ParseRecord(FormatRecord(Ok200()));
  CHECK(j["url"] == "http://a.test/x");
  CHECK(j["final_url"] == "http://a.test/y");
  CHECK(j["status"] == 200);
  CHECK(j["content_type"] == "text/html; charset=utf-8");
  CHECK(j["bytes"] == 1234);
  CHECK(j["title"] == "Hello");
  CHECK(j["links"] == 3);
  CHECK(j["elapsed_ms"] == 42);
  CHECK(j["error"].is_null());
}

TEST_CASE("FormatRecord: no response gives null final_url/status/type") {
  ipc::FetchResult r;
  r.url = "http://down.test/";
  r.final_url = "http://down.test/";  // Even if set, no status means null.
  r.content_type = "text/html";
  r.elapsed_ms = 7;
  r.error = "connect_failed: http://down.test/: refused";
  r.error_class = "connect_failed";
  json j = ParseRecord(FormatRecord(r));
  CHECK(j["url"] == "http://down.test/");
  CHECK(j["final_url"].is_null());
  CHECK(j["status"].is_null());
  CHECK(j["content_type"].is_null());
  CHECK(j["bytes"] == 0);
  CHECK(j["title"].is_null());
  CHECK(j["links"].is_null());
  CHECK(j["elapsed_ms"] == 7);
  CHECK(j["error"] == "connect_failed: http://down.test/: refused");
}

TEST_CASE("FormatRecord: a 404 is a success with a status, unparsed") {
  ipc::FetchResult r;
  r.url = r.final_url = "http://a.test/missing";
  r.status = 404;
  r.bytes = 9;
  json j = ParseRecord(FormatRecord(r));
  CHECK(j["status"] == 404);
  CHECK(j["final_url"] == "http://a.test/missing");
  CHECK(j["content_type"].is_null());  // No Content-Type header.
  CHECK(j["title"].is_null());         // Not parsed.
  CHECK(j["links"].is_null());
  CHECK(j["error"].is_null());
}

TEST_CASE("FormatRecord: a parsed page without a title has an empty title") {
  ipc::FetchResult r = Ok200();
  r.title.clear();
  r.links = 0;
  json j = ParseRecord(FormatRecord(r));
  CHECK(j["title"] == "");
  CHECK(j["links"] == 0);
}

TEST_CASE("FormatRecord: an error after a response keeps the status") {
  ipc::FetchResult r = Ok200();
  r.parsed = false;
  r.error = "too_large: http://a.test/x: body exceeds 16 MiB";
  r.error_class = "too_large";
  json j = ParseRecord(FormatRecord(r));
  CHECK(j["status"] == 200);
  CHECK(j["title"].is_null());
  CHECK(j["error"] == "too_large: http://a.test/x: body exceeds 16 MiB");
}

TEST_CASE("FormatRecord escapes hostile strings into valid one-line JSON") {
  ipc::FetchResult r = Ok200();
  r.url = "http://a.test/\"}\n{\"url\":\"x";
  r.title = std::string("T\0\xC0\x80\n\xED\xA0\x80\"\\", 10);
  r.error = "other: \x01\xFF";
  json j = ParseRecord(FormatRecord(r));
  CHECK(j["url"] == "http://a.test/\"}\n{\"url\":\"x");
  CHECK(j["title"] == std::string("T\0", 2) + kFffd + kFffd + "\n" + kFffd +
                          kFffd + kFffd + "\"\\");
  CHECK(j["error"] == "other: \x01" + kFffd);
}

TEST_CASE("FormatRecord writes large numbers exactly") {
  ipc::FetchResult r = Ok200();
  r.bytes = 18446744073709551615ull;
  r.elapsed_ms = 9007199254740993;  // 2^53 + 1: beyond a double.
  r.links = 2000000000000;
  json j = ParseRecord(FormatRecord(r));
  CHECK(j["bytes"].get<uint64_t>() == 18446744073709551615ull);
  CHECK(j["elapsed_ms"].get<int64_t>() == 9007199254740993);
  CHECK(j["links"].get<int64_t>() == 2000000000000);
}

// Fault matrix S7: passwords in URLs never reach a record.
TEST_CASE(
    "RedactUserinfo hides passwords in URLs and in messages quoting them") {
  CHECK(RedactUserinfo("http://ann:S3CR3T@host.test/x") ==
        "http://ann:***@host.test/x");
  CHECK(RedactUserinfo("https://u:p@a/ and ftp://v:q@b:21/") ==
        "https://u:***@a/ and ftp://v:***@b:21/");
  CHECK(RedactUserinfo("connect_failed: http://u:pw@127.0.0.1:1/: refused") ==
        "connect_failed: http://u:***@127.0.0.1:1/: refused");
  CHECK(RedactUserinfo("http://user@host/") == "http://user@host/");
  CHECK(RedactUserinfo("http://host/a@b:c") == "http://host/a@b:c");
  CHECK(RedactUserinfo("mailto:a@b") == "mailto:a@b");
  CHECK(RedactUserinfo("no url") == "no url");
  ipc::FetchResult r;
  r.url = "http://ann:S3CR3T@host.test/";
  r.final_url = r.url;
  r.status = 200;
  r.error = "timeout: http://ann:S3CR3T@host.test/: slow";
  output::CrawlContext ctx{1, "http://bob:HUNTER2@ref.test/"};
  const std::string line = FormatRecord(r, &ctx);
  CHECK(line.find("S3CR3T") == std::string::npos);
  CHECK(line.find("HUNTER2") == std::string::npos);
  CHECK(line.find("http://ann:***@host.test/") != std::string::npos);
}

}  // namespace
}  // namespace crawler::output
