// Independent conformance suites for the debug subcommands (issue 3, point
// 8), run through the crawler binary: `crawler url resolve` on the reference
// resolution examples of RFC 3986 section 5.4, and `crawler robots check` on
// the example of RFC 9309 section 5.1 with the verdicts its rules imply. The
// expectations are data files written from the RFCs' text
// (rfc3986_resolve.tsv, rfc9309_robots.txt, rfc9309_verdicts.tsv), not from
// the crawler's output.
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "crawler/testing/command.h"
#include "crawler/testing/test_util.h"

namespace crawler {
namespace {

using crawler::testing::Command;
using crawler::testing::RunfilePath;

struct Run {
  int code = -1;
  std::string out;
  std::string err;
};

Run Crawler(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {RunfilePath("crawler/cli/crawler")};
  argv.insert(argv.end(), args.begin(), args.end());
  auto cmd = Command::Start(argv);
  REQUIRE(cmd.ok());
  std::optional<int> code = (*cmd)->Wait(30000);
  REQUIRE(code.has_value());
  return {*code, (*cmd)->Stdout(), (*cmd)->Stderr()};
}

// Rows of a tab-separated data file; blank lines and comment lines ("# ...")
// skipped ("#s" is a reference of RFC 3986's list, not a comment).
std::vector<std::vector<std::string>> Rows(const std::string& name) {
  std::ifstream in(RunfilePath("tests/conformance/" + name));
  REQUIRE_MESSAGE(in.good(), "cannot read " << name);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line == "#" || line.rfind("# ", 0) == 0) continue;
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string col;
    while (std::getline(ss, col, '\t')) cols.push_back(col);
    if (!line.empty() && line.back() == '\t') cols.push_back("");
    rows.push_back(cols);
  }
  return rows;
}

TEST_CASE("RFC 3986 5.4: every example resolves as the RFC says") {
  const auto rows = Rows("rfc3986_resolve.tsv");
  CHECK(rows.size() == 40);  // 22 normal (without "g:h") + 18 abnormal.
  for (const auto& row : rows) {
    REQUIRE(row.size() == 2);
    std::string want = row[1];
    // The crawler's normal form drops the fragment (docs/output.md).
    want = want.substr(0, want.find('#'));
    // ... and writes an empty path as "/".
    if (want == "http://g") want = "http://g/";
    const Run r = Crawler({"url", "resolve", "http://a/b/c/d;p?q", row[0]});
    INFO("reference '", row[0], "'");
    CHECK(r.code == 0);
    CHECK(r.out == want + "\n");
  }
}

TEST_CASE("RFC 3986 5.4.1: \"g:h\" resolves to g:h, which is not http(s)") {
  const Run r = Crawler({"url", "resolve", "http://a/b/c/d;p?q", "g:h"});
  CHECK(r.code != 0);
  CHECK(r.out.empty());
  CHECK_FALSE(r.err.empty());
}

TEST_CASE("RFC 9309 5.1: the example's verdicts for every group") {
  const std::string robots =
      RunfilePath("tests/conformance/rfc9309_robots.txt");
  const auto rows = Rows("rfc9309_verdicts.tsv");
  CHECK(rows.size() >= 25);
  for (const auto& row : rows) {
    REQUIRE(row.size() == 3);
    const std::string url = "http://example.com" + row[1];
    const Run r = Crawler(
        {"robots", "check", "--robots", robots, "--agent", row[0], url});
    INFO("agent ", row[0], " path ", row[1]);
    CHECK(r.code == 0);
    CHECK(r.out == row[2] + " " + url + "\n");
  }
}

}  // namespace
}  // namespace crawler
