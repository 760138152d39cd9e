// `crawler run CRAWL.yaml` end to end: the real binary against the generated
// site of tests/testdata/site_server.py on 127.0.0.1. A crawl file like the
// examples under seeds/ must fetch exactly the pages of the equivalent
// `crawler crawl` command line; flags must win over the file; a broken file
// must stop the run before any request.
//
// The servers (SiteServer) and the crawler processes (Command) are stopped
// by their destructors, so a failing check never leaves one behind.
#include <algorithm>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "crawler/testing/command.h"
#include "crawler/testing/site_server.h"
#include "crawler/testing/test_util.h"
#include "tests/e2e/e2e_util.h"

namespace crawler {
namespace {

using crawler::e2e::CrawlerPath;
using crawler::e2e::ReadFile;

using crawler::testing::Command;
using crawler::testing::SiteServer;
using nlohmann::json;

std::unique_ptr<SiteServer> StartSite() {
  auto s = SiteServer::Start({"--pages", "300"});
  REQUIRE_MESSAGE(s.ok(), s.status().ToString());
  return std::move(s).value();
}

std::string WriteFile(const std::string& name, const std::string& text) {
  const std::string path = crawler::testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

struct Run {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs the crawler with `args` to completion.
Run Crawler(const std::vector<std::string>& args,
            const std::vector<std::string>& env = {}) {
  std::vector<std::string> argv = {CrawlerPath()};
  argv.insert(argv.end(), args.begin(), args.end());
  auto cmd = Command::Start(argv, env);
  REQUIRE_MESSAGE(cmd.ok(), cmd.status().ToString());
  std::optional<int> code = (*cmd)->Wait(60000);
  REQUIRE_MESSAGE(code.has_value(), "crawler did not finish in time");
  return Run{*code, (*cmd)->Stdout(), (*cmd)->Stderr()};
}

// The URLs of the JSON-lines records in `out`; a URL seen twice fails.
std::set<std::string> Urls(const std::string& out) {
  std::set<std::string> urls;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    REQUIRE_MESSAGE(!j.is_discarded(), "not JSON: " << line);
    const std::string u = j["url"];
    CHECK_MESSAGE(urls.insert(u).second, "two records for " << u);
  }
  return urls;
}

// Checks that two URL sets are equal, listing a few differences.
void CheckSameUrls(const std::set<std::string>& got,
                   const std::set<std::string>& want) {
  std::vector<std::string> missing, extra;
  std::set_difference(want.begin(), want.end(), got.begin(), got.end(),
                      std::back_inserter(missing));
  std::set_difference(got.begin(), got.end(), want.begin(), want.end(),
                      std::back_inserter(extra));
  auto few = [](const std::vector<std::string>& v) {
    std::string s;
    for (size_t i = 0; i < v.size() && i < 5; ++i) s += " " + v[i];
    return s;
  };
  CHECK_MESSAGE(missing.empty(),
                missing.size() << " URLs only in the crawl:" << few(missing));
  CHECK_MESSAGE(extra.empty(), extra.size()
                                   << " URLs only in the run:" << few(extra));
}

std::string LastLine(std::string s) {
  while (!s.empty() && s.back() == '\n') s.pop_back();
  const size_t nl = s.rfind('\n');
  return nl == std::string::npos ? s : s.substr(nl + 1);
}

// Like seeds/site-mirror.yaml, for the loopback site: the seed comes from
// the environment, as a deployment would pass it. No depth limit, as in the
// example: the set of URLs fetched is then exactly the reachable part of the
// site in scope, whatever order the pages are fetched in. (With a depth
// limit the set at the limit can vary from run to run: a URL first found
// through a longer path keeps that depth.)
std::string MirrorFile(const std::string& output) {
  return "seeds:\n"
         "  urls: ['${SITE}/']\n"
         "scope:\n"
         "  mode: host\n"
         "  exclude: ['/files/', '\\.png$']\n"
         "  strip_query: [v]\n"
         "limits:\n"
         "  max_depth: -1\n"
         "politeness:\n"
         "  delay: 0\n"
         "  per_host: 8\n"
         "fetch:\n"
         "  allow_private: true\n"
         "  timeout: 10\n"
         "workers:\n"
         "  count: 2\n"
         "output:\n"
         "  path: " +
         output + "\n";
}

TEST_CASE("run: a crawl file fetches the pages of the equivalent crawl") {
  auto server = StartSite();
  const std::string out = crawler::testing::TempDir() + "/mirror.jsonl";
  const std::string file = WriteFile("mirror.yaml", MirrorFile(out));
  const std::string site = "SITE=" + server->Url("");

  Run validate = Crawler({"validate", file}, {site});
  CHECK_MESSAGE(validate.exit_code == 0, validate.err);
  CHECK(validate.out ==
        file + ": ok (11 keys set; 1 seed URL, 0 seed files)\n");

  Run run = Crawler({"run", file}, {site});
  REQUIRE_MESSAGE(run.exit_code == 0, run.err);
  CHECK(run.out.empty());  // The records went to output.path.
  CHECK_MESSAGE(
      LastLine(run.err).find("crawl stopped (done)") != std::string::npos,
      run.err);
  const std::set<std::string> from_file = Urls(ReadFile(out));

  Run crawl = Crawler({"crawl",
                       server->Url("/"),
                       "--scope",
                       "host",
                       "--exclude",
                       "/files/",
                       "--exclude",
                       "\\.png$",
                       "--strip-query",
                       "v",
                       "--max-depth",
                       "-1",
                       "--delay",
                       "0",
                       "--per-host",
                       "8",
                       "--allow-private",
                       "--timeout",
                       "10",
                       "--workers",
                       "2"});
  REQUIRE_MESSAGE(crawl.exit_code == 0, crawl.err);
  const std::set<std::string> from_flags = Urls(crawl.out);

  CHECK(from_file.size() > 100);
  CheckSameUrls(from_file, from_flags);
  for (const std::string& u : from_file) {
    CHECK_MESSAGE(u.find("/files/") == std::string::npos, u);
    CHECK_MESSAGE(u.find("?v=1") == std::string::npos, u);
  }
}

TEST_CASE("run: flags on the command line override the file") {
  auto server = StartSite();
  const std::string out = crawler::testing::TempDir() + "/limited.jsonl";
  const std::string file = WriteFile("limited.yaml", MirrorFile(out));
  Run run = Crawler({"run", file, "--max-pages", "5", "-o", "-"},
                    {"SITE=" + server->Url("")});
  REQUIRE_MESSAGE(run.exit_code == 0, run.err);
  // -o - beat output.path, --max-pages the file's (absent) limit.
  CHECK(Urls(run.out).size() == 5);
  CHECK_MESSAGE(
      LastLine(run.err).find("crawl stopped (max_pages)") != std::string::npos,
      run.err);
}

TEST_CASE("run: a broken crawl file stops it before any request") {
  auto server = StartSite();
  const std::string file =
      WriteFile("broken.yaml",
                "seeds:\n  urls: ['${SITE}/']\nlimits:\n  max_pgaes: 5\n"
                "fetch:\n  allow_private: true\n  timeout: ${TIMEOUT}\n");
  Run run = Crawler({"run", file}, {"SITE=" + server->Url("")});
  CHECK(run.exit_code == 2);
  CHECK(run.out.empty());
  CHECK(run.err ==
        file +
            ":4:3: limits.max_pgaes: unknown key `max_pgaes`, did you "
            "mean `max_pages`?\n" +
            file +
            ":7:12: fetch.timeout: environment variable `TIMEOUT` is not "
            "set\n"
            "crawler: run: " +
            file +
            " has 2 errors; nothing was fetched (crawler validate checks a "
            "file without running it)\n");
  Run validate = Crawler({"validate", file}, {"SITE=" + server->Url("")});
  CHECK(validate.exit_code == 2);
  CHECK(validate.err.find(file + ":4:3: limits.max_pgaes: ") == 0);
  StatusOr<std::string> log = server->Get("/__log");
  REQUIRE(log.ok());
  CHECK(json::parse(*log).empty());
}

}  // namespace
}  // namespace crawler
