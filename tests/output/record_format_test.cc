// Record formats (JSON lines, CSV) and field selection: the CSV quoting of
// RFC 4180 section 2, the field list of --fields, and the JSON-lines output
// staying what it was.
#include "crawler/output/record_format.h"

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/output/record_fields.h"
#include "crawler/testing/test_util.h"

namespace crawler::output {
namespace {

using nlohmann::json;

const std::string kFffd = "\xEF\xBF\xBD";

ipc::FetchResult Ok200() {
  ipc::FetchResult r;
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

std::string Csv(std::string_view s) {
  std::string out;
  AppendCsvField(&out, s);
  return out;
}

// A strict RFC 4180 reader for the tests: rows of fields from `text`
// (CRLF line ends; quoted fields may hold anything, "" for a quote). Fails
// the test on malformed input.
std::vector<std::vector<std::string>> ParseCsv(std::string_view text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  size_t i = 0;
  bool field_start = true;
  while (i < text.size()) {
    char c = text[i];
    if (field_start && c == '"') {
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
      field_start = false;
      const bool ends_field =
          i == text.size() || text[i] == ',' || text[i] == '\r';
      REQUIRE_MESSAGE(ends_field, "text after a closing quote at " << i);
      continue;
    }
    if (c == ',') {
      row.push_back(field);
      field.clear();
      field_start = true;
      ++i;
    } else if (c == '\r') {
      const bool crlf = i + 1 < text.size() && text[i + 1] == '\n';
      REQUIRE_MESSAGE(crlf, "a bare CR outside quotes at " << i);
      row.push_back(field);
      rows.push_back(row);
      row.clear();
      field.clear();
      field_start = true;
      i += 2;
    } else {
      const bool plain = c != '"' && c != '\n';
      REQUIRE_MESSAGE(plain, "a quote or LF in an unquoted field at " << i);
      field.push_back(c);
      field_start = false;
      ++i;
    }
  }
  REQUIRE_MESSAGE(field_start, "the text does not end with CRLF");
  REQUIRE_MESSAGE(row.empty(), "the text does not end with CRLF");
  return rows;
}

TEST_SUITE("CSV (RFC 4180)") {
  TEST_CASE("RFC 4180 2.5-2.7: quoting table") {
    struct Case {
      std::string in;
      std::string out;
    };
    const Case cases[] = {
        {"plain", "plain"},
        {"", "\"\""},  // Empty string: "", apart from a null (nothing).
        {"a,b", "\"a,b\""},
        {"say \"hi\"", "\"say \"\"hi\"\"\""},
        {"\"", "\"\"\"\""},
        {",", "\",\""},
        {"two\nlines", "\"two\nlines\""},
        {"cr\rhere", "\"cr\rhere\""},
        {"crlf\r\nend", "\"crlf\r\nend\""},
        {"tab\there", "tab\there"},        // Not special in RFC 4180.
        {" padded ", " padded "},          // Spaces are part of a field.
        {"semi;colon", "semi;colon"},      // Only commas separate.
        {"it's", "it's"},                  // Single quotes are text.
        {"ünïcödé — ok", "ünïcödé — ok"},  // UTF-8 kept.
        {"bad\xff", "bad" + kFffd},        // Invalid UTF-8 → U+FFFD.
        {"bad,\xc3", "\"bad," + kFffd + "\""},
        {"a\"b,c\nd", "\"a\"\"b,c\nd\""},
    };
    for (const Case& c : cases) {
      CAPTURE(c.in);
      CHECK(Csv(c.in) == c.out);
      // A reader gets the text back (invalid bytes aside).
      if (c.in.find('\xff') == std::string::npos &&
          c.in.find('\xc3') == std::string::npos) {
        auto rows = ParseCsv(Csv(c.in) + "\r\n");
        REQUIRE(rows.size() == 1);
        REQUIRE(rows[0].size() == 1);
        CHECK(rows[0][0] == c.in);
      }
    }
  }

  TEST_CASE("Header line of field names, then one CRLF row per record") {
    auto f = NewRecordFormat(OutputFormat::kCsv, AllFields(RecordKind::kFetch));
    CHECK(f->Header() ==
          "url,final_url,status,content_type,bytes,title,links,elapsed_ms,"
          "error\r\n");
    std::string row;
    f->Append(&row, Ok200(), nullptr);
    CHECK(row ==
          "http://a.test/x,http://a.test/y,200,text/html; "
          "charset=utf-8,1234,Hello,3,42,\r\n");
  }

  TEST_CASE("Nulls are empty fields; empty strings are \"\"") {
    auto f = NewRecordFormat(OutputFormat::kCsv, AllFields(RecordKind::kCrawl));
    ipc::FetchResult r;
    r.url = "http://a.test/down";
    r.error = "connect_failed: refused, \"really\"";
    std::string row;
    CrawlContext ctx{3, ""};
    f->Append(&row, r, &ctx);
    CHECK(row ==
          "http://a.test/down,,,,0,,,0,\"connect_failed: refused, "
          "\"\"really\"\"\",3,,,,false,\r\n");
    ipc::FetchResult untitled = Ok200();
    untitled.title = "";
    row.clear();
    f->Append(&row, untitled, &ctx);
    CHECK(row.find(",1234,\"\",3,") != std::string::npos);
  }

  TEST_CASE("Hostile titles and URLs round-trip through a strict reader") {
    auto f = NewRecordFormat(OutputFormat::kCsv, AllFields(RecordKind::kCrawl));
    std::string text = f->Header();
    ipc::FetchResult r = Ok200();
    r.title = "a,\"b\"\r\nc\n\"";
    r.url = "http://a.test/?q=1,2&x=\"y\"";
    r.location = "http://ann:S3CR3T@b.test/";
    CrawlContext ctx{1, "http://a.test/,"};
    f->Append(&text, r, &ctx);
    auto rows = ParseCsv(text);
    REQUIRE(rows.size() == 2);
    REQUIRE(rows[0].size() == 15);
    REQUIRE(rows[1].size() == 15);
    CHECK(rows[0][5] == "title");
    CHECK(rows[1][5] == r.title);
    CHECK(rows[1][0] == r.url);
    CHECK(rows[1][10] == "http://a.test/,");
    CHECK(rows[1][11] == "http://ann:***@b.test/");  // Password hidden.
    CHECK(text.find("S3CR3T") == std::string::npos);
  }
}

TEST_SUITE("Fields") {
  TEST_CASE("Every field, in the documented order") {
    std::vector<std::string> names;
    for (Field f : AllFields(RecordKind::kCrawl)) {
      names.emplace_back(FieldName(f));
    }
    CHECK(names == std::vector<std::string>{
                       "url", "final_url", "status", "content_type", "bytes",
                       "title", "links", "elapsed_ms", "error", "depth",
                       "referrer", "location", "canonical", "noindex",
                       "change"});
    CHECK(AllFields(RecordKind::kFetch).size() == 9);
  }

  TEST_CASE("ResolveFields keeps the order given; empty means all") {
    auto fields = ResolveFields({"status", "url", "depth"}, RecordKind::kCrawl);
    REQUIRE_OK(fields.status());
    CHECK(*fields ==
          std::vector<Field>{Field::kStatus, Field::kUrl, Field::kDepth});
    auto all = ResolveFields({}, RecordKind::kFetch);
    REQUIRE_OK(all.status());
    CHECK(*all == AllFields(RecordKind::kFetch));
  }

  TEST_CASE("ResolveFields: an unknown name lists the valid ones") {
    auto bad = ResolveFields({"url", "titel"}, RecordKind::kFetch);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.status().code() == Code::kInvalidArgument);
    CHECK(bad.status().message() ==
          "unknown field 'titel' (fields: url, final_url, status, "
          "content_type, bytes, title, links, elapsed_ms, error)");
    auto crawl_only = ResolveFields({"depth"}, RecordKind::kFetch);
    REQUIRE_FALSE(crawl_only.ok());
    CHECK(crawl_only.status().message().find(
              "'depth' is only in crawl records") != std::string::npos);
    auto twice = ResolveFields({"url", "url"}, RecordKind::kCrawl);
    REQUIRE_FALSE(twice.ok());
    CHECK(twice.status().message() == "field 'url' is given twice");
  }

  TEST_CASE("SplitFieldList trims names and refuses empty ones") {
    auto names = SplitFieldList(" url, status ,title");
    REQUIRE_OK(names.status());
    CHECK(*names == std::vector<std::string>{"url", "status", "title"});
    CHECK_FALSE(SplitFieldList("").ok());
    CHECK_FALSE(SplitFieldList("url,,status").ok());
    CHECK_FALSE(SplitFieldList("url,").ok());
  }

  TEST_CASE("JSON lines with chosen fields: only those, in that order") {
    auto f = NewRecordFormat(OutputFormat::kJsonLines,
                             {Field::kStatus, Field::kUrl, Field::kNoindex});
    CHECK(f->Header().empty());
    std::string line;
    CrawlContext ctx{0, ""};
    f->Append(&line, Ok200(), &ctx);
    CHECK(line ==
          "{\"status\":200,\"url\":\"http://a.test/x\","
          "\"noindex\":false}\n");
  }

  TEST_CASE("CSV with chosen fields: header and rows agree") {
    auto f = NewRecordFormat(OutputFormat::kCsv, {Field::kTitle, Field::kUrl});
    CHECK(f->Header() == "title,url\r\n");
    std::string row;
    f->Append(&row, Ok200(), nullptr);
    CHECK(row == "Hello,http://a.test/x\r\n");
  }
}

TEST_CASE("JSON lines with every field: the old format, then change") {
  ipc::FetchResult r = Ok200();
  CrawlContext ctx{2, "http://a.test/", {}};
  const std::string expected =
      "{\"url\":\"http://a.test/x\",\"final_url\":\"http://a.test/y\","
      "\"status\":200,\"content_type\":\"text/html; charset=utf-8\","
      "\"bytes\":1234,\"title\":\"Hello\",\"links\":3,\"elapsed_ms\":42,"
      "\"error\":null,\"depth\":2,\"referrer\":\"http://a.test/\","
      "\"location\":null,\"canonical\":null,\"noindex\":false,"
      "\"change\":null}\n";
  CHECK(FormatRecord(r, &ctx) == expected);
  auto f =
      NewRecordFormat(OutputFormat::kJsonLines, AllFields(RecordKind::kCrawl));
  std::string line;
  f->Append(&line, r, &ctx);
  CHECK(line == expected);
  json j = json::parse(line);
  CHECK(j.size() == 15);
  // With a crawl state, change says what the state made of the answer.
  ctx.change = "unchanged";
  CHECK(json::parse(FormatRecord(r, &ctx))["change"] == "unchanged");
}

TEST_CASE("ParseOutputFormat") {
  CHECK(*ParseOutputFormat("jsonl") == OutputFormat::kJsonLines);
  CHECK(*ParseOutputFormat("json") == OutputFormat::kJsonLines);
  CHECK(*ParseOutputFormat("csv") == OutputFormat::kCsv);
  auto bad = ParseOutputFormat("xml");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message() == "unknown format 'xml' (formats: jsonl, csv)");
}

}  // namespace
}  // namespace crawler::output
