// The crawl-file loader and validator: what a valid file sets, and a table
// of broken files, each with the exact message it must give (file, line,
// column, key path, what was expected).
#include "crawler/config/crawl_file.h"

#include <unistd.h>

#include <fstream>
#include <map>
#include <set>

#include "crawler/testing/test_util.h"

namespace crawler::config {
namespace {

EnvLookup FakeEnv(std::map<std::string, std::string> vars = {}) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

const char kSeeds[] = "seeds:\n  urls: [https://a.test/]\n";

LoadedCrawlFile Load(const std::string& text,
                     std::map<std::string, std::string> env = {}) {
  return LoadCrawlText(text, "crawl.yaml", CrawlConfig{}, FakeEnv(env));
}

std::vector<std::string> Errors(const LoadedCrawlFile& f) {
  std::vector<std::string> out;
  for (const ConfigError& e : f.errors) out.push_back(e.ToString());
  return out;
}

std::string WriteFile(const std::string& name, const std::string& text) {
  const std::string path = crawler::testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST_SUITE("CrawlFile") {
  TEST_CASE("a valid file sets exactly the keys it names") {
    CrawlConfig defaults;
    defaults.fetch.user_agent = "crawler/9";
    LoadedCrawlFile f = LoadCrawlText(
        "seeds:\n"
        "  urls:\n"
        "    - https://a.test/\n"
        "    - http://b.test/x\n"
        "scope:\n"
        "  mode: domain\n"
        "  include: ['^https?://a\\.test/', b]\n"
        "limits:\n"
        "  max_depth: -1\n"
        "  max_pages: 100\n"
        "  max_bytes: 500M\n"
        "politeness:\n"
        "  delay: 0.25\n"
        "  delay_factor: \"2\"\n"
        "robots:\n"
        "  enabled: false\n"
        "fetch:\n"
        "  timeout: 2.5\n"
        "  max_body: 1K\n"
        "  allow_private: TRUE\n"
        "workers:\n"
        "  lease_timeout: 60\n"
        "output: {path: out.jsonl}\n"
        "logging:\n",
        "crawl.yaml", defaults, FakeEnv());
    REQUIRE_MESSAGE(f.ok(), f.ToStatus().message());
    const CrawlConfig& c = f.config;
    CHECK(c.seeds ==
          std::vector<std::string>{"https://a.test/", "http://b.test/x"});
    CHECK(c.job.scope.mode == scope::ScopeMode::kDomain);
    CHECK(c.job.scope.include ==
          std::vector<std::string>{"^https?://a\\.test/", "b"});
    CHECK(c.job.max_depth == -1);
    CHECK(c.job.max_pages == 100);
    CHECK(c.job.max_bytes == 500 << 20);
    CHECK(c.job.frontier.delay_s == 0.25);
    CHECK(c.job.frontier.delay_factor == 2);
    CHECK_FALSE(c.job.robots);
    CHECK(c.fetch.total_timeout_ms == 2500);
    CHECK(c.fetch.max_body_bytes == 1024);
    CHECK(c.fetch.allow_private_addresses);
    CHECK(c.job.workers.lease_timeout_ms == 60000);
    CHECK(c.output == "out.jsonl");
    // Untouched: the defaults passed in.
    CHECK(c.fetch.user_agent == "crawler/9");
    CHECK(c.job.frontier.per_host == 1);
    CHECK(c.fetch.connect_timeout_ms == 10000);
    CHECK(f.keys_set ==
          std::vector<std::string>{
              "seeds.urls", "scope.mode", "scope.include", "limits.max_depth",
              "limits.max_pages", "limits.max_bytes", "politeness.delay",
              "politeness.delay_factor", "robots.enabled", "fetch.timeout",
              "fetch.max_body", "fetch.allow_private", "workers.lease_timeout",
              "output.path"});
  }

  TEST_CASE("${NAME} in values comes from the environment") {
    LoadedCrawlFile f = Load(
        "seeds:\n"
        "  urls: [\"${SITE}/start\"]\n"
        "limits:\n"
        "  max_pages: ${PAGES}\n"
        "fetch:\n"
        "  user_agent: \"bot/1 (+mailto:$${not_a_var})\"\n",
        {{"SITE", "http://127.0.0.1:8080"}, {"PAGES", "25"}});
    REQUIRE_MESSAGE(f.ok(), f.ToStatus().message());
    CHECK(f.config.seeds ==
          std::vector<std::string>{"http://127.0.0.1:8080/start"});
    CHECK(f.config.job.max_pages == 25);
    CHECK(f.config.fetch.user_agent == "bot/1 (+mailto:${not_a_var})");
  }

  TEST_CASE("a bad value from the environment is reported without it") {
    LoadedCrawlFile f =
        Load(std::string(kSeeds) + "limits:\n  max_pages: ${PAGES}\n",
             {{"PAGES", "s3cret"}});
    CHECK(Errors(f) ==
          std::vector<std::string>{
              "crawl.yaml:4:14: limits.max_pages: expected an integer from 0 "
              "to 1099511627776, got `${PAGES}` (value from the environment "
              "not shown)"});
  }

  TEST_CASE("relative seed files are found next to the crawl file") {
    const std::string dir = crawler::testing::TempDir();
    WriteFile("relative-seeds.txt", "https://a.test/\n");
    const std::string crawl =
        WriteFile("relative.yaml", "seeds:\n  files: [relative-seeds.txt]\n");
    LoadedCrawlFile f = LoadCrawlFile(crawl, CrawlConfig{}, FakeEnv());
    REQUIRE_MESSAGE(f.ok(), f.ToStatus().message());
    CHECK(f.config.seed_files ==
          std::vector<std::string>{dir + "/relative-seeds.txt"});
    // An absolute path stays as it is; the output path is not resolved.
    f = LoadCrawlFile(
        WriteFile("absolute.yaml", "seeds:\n  files: [" + dir +
                                       "/relative-seeds.txt]\noutput:\n  "
                                       "path: out.jsonl\n"),
        CrawlConfig{}, FakeEnv());
    REQUIRE_MESSAGE(f.ok(), f.ToStatus().message());
    CHECK(f.config.seed_files ==
          std::vector<std::string>{dir + "/relative-seeds.txt"});
    CHECK(f.config.output == "out.jsonl");
  }

  TEST_CASE("an unreadable crawl file is one error naming it") {
    LoadedCrawlFile f =
        LoadCrawlFile("/nonexistent/crawl.yaml", CrawlConfig{}, FakeEnv());
    CHECK(Errors(f) == std::vector<std::string>{
                           "/nonexistent/crawl.yaml: cannot read crawl file: "
                           "No such file or directory"});
    f = LoadCrawlFile(crawler::testing::TempDir(), CrawlConfig{}, FakeEnv());
    REQUIRE(f.errors.size() == 1);
    CHECK(f.errors[0].message == "cannot read crawl file: not a regular file");
  }

  TEST_CASE("several errors are reported at once, in file order") {
    LoadedCrawlFile f = Load(
        "seeds:\n"
        "  urls: [https://a.test/, 'ftp://b.test/']\n"
        "politeness:\n"
        "  delay: fast\n"
        "  per_hots: 2\n"
        "fetch:\n"
        "  retries: 11\n"
        "  timeout: ${TIMEOUT}\n");
    CHECK(Errors(f) ==
          std::vector<std::string>{
              "crawl.yaml:2:27: seeds.urls[1]: expected an absolute http or "
              "https URL; unsupported scheme 'ftp' in 'ftp://b.test/' (only "
              "http and https are fetched)",
              "crawl.yaml:4:10: politeness.delay: expected a number of "
              "seconds from 0 to 86400, got `fast`",
              "crawl.yaml:5:3: politeness.per_hots: unknown key `per_hots`, "
              "did you mean `per_host`?",
              "crawl.yaml:7:12: fetch.retries: expected an integer from 0 to "
              "10, got `11`",
              "crawl.yaml:8:12: fetch.timeout: environment variable `TIMEOUT` "
              "is not set"});
    CHECK_FALSE(f.ToStatus().ok());
    CHECK(f.ToStatus().message().find("\ncrawl.yaml:4:10: ") !=
          std::string::npos);
  }

  TEST_CASE("errors past kMaxErrors are counted, not listed") {
    std::string text = kSeeds;
    text += "limits:\n";
    for (int i = 0; i < kMaxErrors + 10; ++i) {
      text += "  unknown_" + std::to_string(i) + ": 1\n";
    }
    LoadedCrawlFile f = Load(text);
    REQUIRE(f.errors.size() == static_cast<size_t>(kMaxErrors));
    CHECK(f.errors.back().ToString() == "crawl.yaml: 11 more errors not shown");
  }

  TEST_CASE("NearestKey: within a distance that grows with the word") {
    const std::vector<std::string> keys = {"max_pages", "max_depth", "delay",
                                           "per_host"};
    CHECK(NearestKey("max_pgaes", keys) == "max_pages");  // A swap is 1.
    CHECK(NearestKey("Max_Pages", keys) == "max_pages");  // Case is free.
    CHECK(NearestKey("max-depth", keys) == "max_depth");
    CHECK(NearestKey("dely", keys) == "delay");
    CHECK(NearestKey("perhost", keys) == "per_host");
    CHECK(NearestKey("xyz", keys).empty());
    CHECK(NearestKey("workers", keys).empty());
  }
}

// One broken file and the one message it must give.
struct BrokenFile {
  const char* name;
  std::string text;
  std::string message;
};

TEST_CASE("the validator on broken files: one exact message each") {
  const std::string dir = crawler::testing::TempDir();
  const std::string s = kSeeds;
  const std::vector<BrokenFile> cases = {
      {"misspelt key", s + "limits:\n  max_pgaes: 10\n",
       "crawl.yaml:4:3: limits.max_pgaes: unknown key `max_pgaes`, did you "
       "mean `max_pages`?"},
      {"misspelt group", s + "politness:\n  delay: 1\n",
       "crawl.yaml:3:1: politness: unknown key `politness`, did you mean "
       "`politeness`?"},
      {"key outside its group", s + "max_pages: 5\n",
       "crawl.yaml:3:1: max_pages: unknown key `max_pages`, did you mean "
       "`limits.max_pages`?"},
      {"key in the wrong group", s + "politeness:\n  max_depth: 5\n",
       "crawl.yaml:4:3: politeness.max_depth: unknown key `max_depth`, did "
       "you mean `limits.max_depth`?"},
      {"unknown key, nothing near", s + "limits:\n  frobnicate: 1\n",
       "crawl.yaml:4:3: limits.frobnicate: unknown key `frobnicate` (valid "
       "keys here: max_depth, max_pages, max_bytes, max_duration)"},
      {"dotted key", s + "politeness.delay: 2\n",
       "crawl.yaml:3:1: politeness.delay: unknown key `politeness.delay`: "
       "dotted keys are not expanded; write `delay` under `politeness:`"},
      {"not a number", s + "politeness:\n  delay: fast\n",
       "crawl.yaml:4:10: politeness.delay: expected a number of seconds from "
       "0 to 86400, got `fast`"},
      {"negative seconds", s + "politeness:\n  delay: -1\n",
       "crawl.yaml:4:10: politeness.delay: expected a number of seconds from "
       "0 to 86400, got `-1`"},
      {"integer out of range", s + "politeness:\n  per_host: 0\n",
       "crawl.yaml:4:13: politeness.per_host: expected an integer from 1 to "
       "1000, got `0`"},
      {"fraction for an integer", s + "limits:\n  max_pages: 1.5\n",
       "crawl.yaml:4:14: limits.max_pages: expected an integer from 0 to "
       "1099511627776, got `1.5`"},
      {"byte count with a unit suffix", s + "fetch:\n  max_body: 16MB\n",
       "crawl.yaml:4:13: fetch.max_body: expected a byte count from 1 to 4G "
       "(suffix K, M or G allowed), got `16MB`"},
      {"byte count too large", s + "limits:\n  max_bytes: 5G\n",
       "crawl.yaml:4:14: limits.max_bytes: expected a byte count from 0 to "
       "4G (suffix K, M or G allowed), got `5G`"},
      {"byte count beyond 64 bits", s + "limits:\n  max_bytes: 999999999999G\n",
       "crawl.yaml:4:14: limits.max_bytes: expected a byte count from 0 to "
       "4G (suffix K, M or G allowed), got `999999999999G`"},
      {"yes is not a boolean", s + "robots:\n  enabled: yes\n",
       "crawl.yaml:4:12: robots.enabled: expected true or false, got `yes`"},
      {"unknown enum value", s + "scope:\n  mode: hots\n",
       "crawl.yaml:4:9: scope.mode: expected one of host, domain, any, got "
       "`hots`, did you mean `host`?"},
      {"invalid regular expression", s + "scope:\n  include: ['a', '(']\n",
       "crawl.yaml:4:18: scope.include[1]: expected an RE2 regular "
       "expression; invalid include regular expression '(': missing ): ("},
      {"a scalar where a list goes", s + "scope:\n  exclude: \\.pdf$\n",
       "crawl.yaml:4:12: scope.exclude: expected a list of RE2 regular "
       "expressions, got `\\.pdf$` (write a list: [\\.pdf$], or one `- ` line "
       "per item)"},
      {"a mapping in a list", s + "scope:\n  deny_domains: [{a: 1}]\n",
       "crawl.yaml:4:18: scope.deny_domains[0]: expected a string, got a "
       "mapping"},
      {"a scalar where a group goes", s + "logging: true\n",
       "crawl.yaml:3:10: logging: expected a mapping of logging keys "
       "(progress), got `true`"},
      {"no value", s + "limits:\n  max_depth:\n",
       "crawl.yaml:4:3: limits.max_depth: expected an integer from -1 to "
       "1000, got nothing"},
      {"duplicate key", s + "politeness:\n  delay: 1\n  delay: 2\n",
       "crawl.yaml:5:3: politeness.delay: duplicate key `delay` (first set at "
       "line 4)"},
      {"duplicate group", s + "limits:\n  max_depth: 1\nlimits: {}\n",
       "crawl.yaml:5:1: limits: duplicate key `limits` (first set at line "
       "3)"},
      {"missing environment variable", s + "fetch:\n  user_agent: ${UA}\n",
       "crawl.yaml:4:15: fetch.user_agent: environment variable `UA` is not "
       "set"},
      {"malformed ${", s + "output:\n  path: \"${OUT\"\n",
       "crawl.yaml:4:9: output.path: `${` without a closing `}`"},
      {"User-Agent without a product token",
       s + "fetch:\n  user_agent: \"/1.0\"\n",
       "crawl.yaml:4:15: fetch.user_agent: expected a User-Agent starting "
       "with a product token (letters, '_' or '-'), e.g. `mybot/1.0 "
       "(+https://example.com/bot)`, got `/1.0`"},
      {"bad resolve rule", s + "fetch:\n  resolve: ['a.test:80']\n",
       "crawl.yaml:4:13: fetch.resolve[0]: resolve entry 'a.test:80': missing "
       "the second ':' (expected HOST:PORT:ADDRESS, e.g. "
       "'*.test:8080:127.0.0.1')"},
      {"unreadable CA file", s + "fetch:\n  ca_cert: /nonexistent/ca.pem\n",
       "crawl.yaml:4:12: fetch.ca_cert: expected a PEM file of CA "
       "certificates; CA certificate file '/nonexistent/ca.pem': No such "
       "file or directory"},
      {"unreadable seed file", "seeds:\n  files: [/nonexistent/seeds.txt]\n",
       "crawl.yaml:2:11: seeds.files[0]: cannot read seed file "
       "`/nonexistent/seeds.txt`: No such file or directory"},
      {"seed that is not an http(s) URL",
       "seeds:\n  urls: ['mailto:a@b.test']\n",
       "crawl.yaml:2:10: seeds.urls[0]: expected an absolute http or https "
       "URL; unsupported scheme 'mailto' in 'mailto:a@b.test' (only http and "
       "https are fetched)"},
      {"no seeds", "limits:\n  max_depth: 2\n",
       "crawl.yaml:1:1: seeds: no seeds: expected at least one URL in "
       "seeds.urls or one file in seeds.files"},
      {"empty seeds", "limits:\n  max_depth: 2\nseeds:\n  urls: []\n",
       "crawl.yaml:3:1: seeds: no seeds: expected at least one URL in "
       "seeds.urls or one file in seeds.files"},
      {"empty file", "# nothing here\n",
       "crawl.yaml:1:1: empty crawl file: expected a mapping of groups "
       "(seeds, scope, limits, politeness, robots, fetch, workers, output, "
       "logging) with at least seeds.urls or seeds.files"},
      {"a list at the top", "- https://a.test/\n",
       "crawl.yaml:1:1: expected a mapping of groups (seeds, scope, limits, "
       "politeness, robots, fetch, workers, output, logging), got a list"},
      {"YAML syntax: unclosed [",
       "seeds:\n  urls: [https://a.test/\n"
       "limits:\n  max_depth: 2\n",
       "crawl.yaml:3:7: seeds.urls: YAML syntax error: end of sequence flow "
       "not found (a '[' without its ']')"},
      {"YAML syntax: unclosed quote", s + "output:\n  path: \"x.jsonl\n",
       "crawl.yaml:4:9: output.path: YAML syntax error: a quoted value "
       "without its closing quote"},
      {"YAML syntax: unclosed quote at the end", s + "output:\n  path: 'x",
       "crawl.yaml:4:11: output.path: YAML syntax error: illegal EOF in "
       "scalar (a quoted value without its closing quote)"},
      {"YAML syntax: tab indentation", "seeds:\n\turls: [https://a.test/]\n",
       "crawl.yaml:2:6: YAML syntax error: illegal map value (line 2 is "
       "indented with a tab; YAML indents with spaces only)"},
      {"YAML syntax: unquoted colon", s + "fetch:\n  user_agent: bot: 1\n",
       "crawl.yaml:4:18: fetch: YAML syntax error: illegal map "
       "value (a value containing \": \" must be quoted, or the indentation "
       "is off)"},
      {"alias", "seeds:\n  urls: &u [https://a.test/]\n  files: *u\n",
       "crawl.yaml:3:10: seeds.files: YAML syntax error: aliases (*name) are "
       "not supported in crawl files; write the value out"},
      {"two documents", s + "---\nlimits: {}\n",
       "crawl.yaml:3:1: YAML syntax error: a second YAML document; a crawl "
       "file holds exactly one (remove the '---' or '...' line, or check the "
       "indentation)"},
  };
  std::set<std::string> messages;
  for (const BrokenFile& c : cases) {
    const std::string name = c.name;
    CAPTURE(name);
    LoadedCrawlFile f = Load(c.text);
    // Compared as one string so that a failure prints both.
    CHECK(f.ToStatus().message() == c.message);
    CHECK_FALSE(f.ok());
    CHECK_MESSAGE(messages.insert(c.message).second, "two cases, one message");
  }
  CHECK(messages.size() >= 20);
}

}  // namespace
}  // namespace crawler::config
