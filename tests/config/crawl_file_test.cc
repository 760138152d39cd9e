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

  TEST_CASE(
      "request, output, logging and metrics keys, as the flags set them") {
    LoadedCrawlFile f =
        Load(std::string(kSeeds) +
                 "fetch:\n"
                 "  headers: ['Accept-Language:   fr  ', 'X-Team: ${TEAM}']\n"
                 "  cookies: true\n"
                 "  proxy: socks5h://127.0.0.1:1080\n"
                 "  proxy_user_env: PROXY_CREDS\n"
                 "  noproxy: [intranet.test, 10.0.0.0/8]\n"
                 "  auth:\n"
                 "    - origin: API.a.test\n"
                 "      scheme: Bearer\n"
                 "      credentials_env: API_TOKEN\n"
                 "    - {origin: 'http://b.test:8080', scheme: basic, "
                 "credentials_env: B_CREDS}\n"
                 "output:\n"
                 "  format: json\n"
                 "  fields: [url, status, depth]\n"
                 "  report: report.html\n"
                 "  warc: archive/crawl\n"
                 "  warc_max_size: 100M\n"
                 "logging:\n"
                 "  level: warning\n"
                 "  file: logs/crawl.log\n"
                 "limits:\n"
                 "  grace_period: 0.5\n"
                 "  max_error_rate: 5%\n"
                 "metrics:\n"
                 "  listen: '[::1]:9464'\n",
             {{"TEAM", "search"},
              {"PROXY_CREDS", "alice:s3cret"},
              {"API_TOKEN", "tok.en-1="},
              {"B_CREDS", "bob:pw"}});
    REQUIRE_MESSAGE(f.ok(), f.ToStatus().message());
    const CrawlConfig& c = f.config;
    // Headers as ParseRequestHeader writes them.
    CHECK(c.fetch.headers ==
          std::vector<std::string>{"Accept-Language: fr", "X-Team: search"});
    CHECK(c.fetch.cookies);
    CHECK(c.fetch.proxy == "socks5h://127.0.0.1:1080");
    // Secrets: read from the variables the file names.
    CHECK(c.fetch.proxy_credentials == "alice:s3cret");
    CHECK(c.fetch.no_proxy ==
          std::vector<std::string>{"intranet.test", "10.0.0.0/8"});
    REQUIRE(c.fetch.auth.size() == 2);
    CHECK(c.fetch.auth[0].origin == "https://api.a.test:443");
    CHECK(c.fetch.auth[0].scheme == fetch::AuthScheme::kBearer);
    CHECK(c.fetch.auth[0].secret == "tok.en-1=");
    CHECK(c.fetch.auth[1].origin == "http://b.test:8080");
    CHECK(c.fetch.auth[1].scheme == fetch::AuthScheme::kBasic);
    CHECK(c.fetch.auth[1].secret == "bob:pw");
    // The spellings the flags accept.
    CHECK(c.records.format == output::OutputFormat::kJsonLines);
    CHECK(c.records.fields ==
          std::vector<std::string>{"url", "status", "depth"});
    CHECK(c.log.level == log::LogLevel::kWarn);
    // Files the crawl writes: relative to the working directory, as given.
    CHECK(c.log.file == "logs/crawl.log");
    CHECK(c.report == "report.html");
    CHECK(c.warc.prefix == "archive/crawl");
    CHECK(c.warc.max_file_bytes == 100 << 20);
    CHECK(c.job.interrupt_grace_s == 0.5);
    CHECK(c.job.max_error_rate == 0.05);
    REQUIRE(c.metrics.has_value());
    CHECK(c.metrics->host == "::1");
    CHECK(c.metrics->port == 9464);
    CHECK(c.metrics->loopback);
  }

  TEST_CASE("files the crawl writes are not resolved against the crawl file") {
    const std::string crawl =
        WriteFile("writes.yaml", std::string(kSeeds) +
                                     "output:\n  path: out.jsonl\n  report: "
                                     "r.html\nlogging:\n  file: c.log\n");
    LoadedCrawlFile f = LoadCrawlFile(crawl, CrawlConfig{}, FakeEnv());
    REQUIRE_MESSAGE(f.ok(), f.ToStatus().message());
    CHECK(f.config.output == "out.jsonl");
    CHECK(f.config.report == "r.html");
    CHECK(f.config.log.file == "c.log");
  }

  TEST_CASE("empty values turn the options off") {
    CrawlConfig defaults;
    defaults.report = "x.html";
    defaults.log.file = "x.log";
    defaults.metrics = metrics::ListenAddress{};
    LoadedCrawlFile f = LoadCrawlText(
        std::string(kSeeds) +
            "output:\n  report: ''\nlogging:\n  file: ''\nmetrics:\n  "
            "listen: ''\nfetch:\n  proxy: ''\n  proxy_user_env: ''\n  "
            "noproxy: []\n",
        "crawl.yaml", defaults, FakeEnv());
    REQUIRE_MESSAGE(f.ok(), f.ToStatus().message());
    CHECK(f.config.report.empty());
    CHECK(f.config.log.file.empty());
    CHECK_FALSE(f.config.metrics.has_value());
    CHECK(f.config.fetch.proxy_credentials.empty());
  }

  TEST_CASE("a value from the environment is shown as ${NAME} in messages") {
    // The check quotes the whole header; the message shows what the file
    // says instead of the value.
    LoadedCrawlFile f =
        Load(std::string(kSeeds) + "fetch:\n  headers: ['X Key: ${KEY}']\n",
             {{"KEY", "s3cret-value"}});
    CHECK(Errors(f) ==
          std::vector<std::string>{
              "crawl.yaml:4:13: fetch.headers[0]: header 'X Key: ${KEY}': the "
              "name must be an RFC 9110 token (letters, digits and "
              "!#$%&'*+-.^_`|~; no space before the colon) (from the "
              "environment)"});
    // A value wholly from the environment.
    f = Load(std::string(kSeeds) + "fetch:\n  proxy: '${PROXY}'\n",
             {{"PROXY", "http://proxy.test:3128/s3cret"}});
    REQUIRE(f.errors.size() == 1);
    CHECK(f.errors[0].message.find("s3cret") == std::string::npos);
    CHECK(f.errors[0].message.find("${PROXY}") != std::string::npos);
  }

  TEST_CASE("errors are in file order, also those found after the walk") {
    LoadedCrawlFile f =
        Load("fetch:\n  noproxy: [a.test]\nlimits:\n  max_depth: x\n");
    CHECK(Errors(f) ==
          std::vector<std::string>{
              "crawl.yaml:1:1: seeds: no seeds: expected at least one URL in "
              "seeds.urls or one file in seeds.files",
              "crawl.yaml:2:3: fetch.noproxy: needs fetch.proxy, which is not "
              "set",
              "crawl.yaml:4:14: limits.max_depth: expected an integer from -1 "
              "to 1000, got `x`"});
  }

  TEST_CASE("a crawl file over 1 MiB is refused before it is parsed") {
    std::string text = std::string(kSeeds) + "# ";
    text += std::string(kMaxCrawlFileBytes - text.size(), 'x');
    CHECK(text.size() == kMaxCrawlFileBytes);
    // At the cap: loaded (the comment is no error).
    const std::string at_cap = WriteFile("at-cap.yaml", text);
    CHECK(LoadCrawlFile(at_cap, CrawlConfig{}, FakeEnv()).ok());
    const std::string over = WriteFile("over-cap.yaml", text + "x");
    CHECK(Errors(LoadCrawlFile(over, CrawlConfig{}, FakeEnv())) ==
          std::vector<std::string>{
              over +
              ": crawl file too large: 1048577 bytes, more than the 1 MiB "
              "(1048576 bytes) a crawl file may have"});
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
  // The environment the file is loaded with.
  std::map<std::string, std::string> env = {};
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
       "keys here: max_depth, max_pages, max_bytes, max_duration, "
       "grace_period, max_error_rate)"},
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
       "(progress, level, file), got `true`"},
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
       "(seeds, scope, limits, politeness, robots, fetch, workers, state, "
       "frontier, schedule, output, logging, metrics) with at least seeds.urls "
       "or "
       "seeds.files"},
      {"a list at the top", "- https://a.test/\n",
       "crawl.yaml:1:1: expected a mapping of groups (seeds, scope, limits, "
       "politeness, robots, fetch, workers, state, frontier, schedule, output, "
       "logging, "
       "metrics), got a list"},
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
      {"a tag", s + "limits:\n  max_pages: !!int 5\n",
       "crawl.yaml:4:14: limits.max_pages: YAML syntax error: tags (`!!int`) "
       "are not supported in crawl files; remove it (each key's type says "
       "how its value is read)"},
      {"a local tag on a group", s + "fetch: !secret\n  cookies: true\n",
       "crawl.yaml:3:8: fetch: YAML syntax error: tags (`!secret`) are not "
       "supported in crawl files; remove it (each key's type says how its "
       "value is read)"},
      {"deep nesting",
       s + "scope:\n  include: " + std::string(40, '[') + std::string(40, ']') +
           "\n",
       "crawl.yaml:4:42: scope.include: YAML syntax error: nested more than "
       "32 levels deep (a crawl file needs 4: group, key, list, entry)"},
      {"too large", s + "# " + std::string(kMaxCrawlFileBytes, 'x') + "\n",
       "crawl.yaml: crawl file too large: 1048612 bytes, more than the 1 MiB "
       "(1048576 bytes) a crawl file may have"},
      // The keys of the request options, output, logging and metrics.
      {"credential header", s + "fetch:\n  headers: ['Cookie: a=1']\n",
       "crawl.yaml:4:13: fetch.headers[0]: header 'Cookie' is not allowed: "
       "extra headers go to every host; --cookies keeps cookies per host"},
      {"header without a colon", s + "fetch:\n  headers: [X-Team]\n",
       "crawl.yaml:4:13: fetch.headers[0]: header 'X-Team': expected 'Name: "
       "value'"},
      {"too many headers",
       s + "fetch:\n  headers: [" +
           [] {
             std::string list;
             for (int i = 0; i < 65; ++i) {
               list += (i > 0 ? ", 'X-H" : "'X-H") + std::to_string(i) + ": 1'";
             }
             return list;
           }() +
           "]\n",
       "crawl.yaml:4:12: fetch.headers: at most 64 extra headers, got 65"},
      {"cookies: on", s + "fetch:\n  cookies: on\n",
       "crawl.yaml:4:12: fetch.cookies: expected true or false, got `on`"},
      {"proxy URL with credentials",
       s + "fetch:\n  proxy: 'http://alice:s3cret@proxy.test:3128'\n",
       "crawl.yaml:4:10: fetch.proxy: proxy URL must not hold credentials "
       "(user:password@); they are read from an environment variable "
       "(--proxy-user-env)"},
      {"proxy without a port", s + "fetch:\n  proxy: http://proxy.test\n",
       "crawl.yaml:4:10: fetch.proxy: proxy URL 'http://proxy.test': the "
       "port is required (expected SCHEME://HOST:PORT with SCHEME http, "
       "https, socks5 or socks5h, e.g. 'http://proxy.example:3128')"},
      {"proxy credentials variable unset",
       s + "fetch:\n  proxy: http://proxy.test:3128\n"
           "  proxy_user_env: PROXY_CREDS\n",
       "crawl.yaml:5:19: fetch.proxy_user_env: environment variable "
       "`PROXY_CREDS` is not set"},
      {"proxy credentials variable empty",
       s + "fetch:\n  proxy: http://proxy.test:3128\n"
           "  proxy_user_env: PROXY_CREDS\n",
       "crawl.yaml:5:19: fetch.proxy_user_env: environment variable "
       "`PROXY_CREDS` is empty",
       {{"PROXY_CREDS", ""}}},
      {"proxy credentials in clear where the variable goes",
       s + "fetch:\n  proxy: http://proxy.test:3128\n"
           "  proxy_user_env: 'alice:s3cret'\n",
       "crawl.yaml:5:19: fetch.proxy_user_env: expected the name of the "
       "environment variable that holds the secret (letters, digits and '_', "
       "not starting with a digit); the value written is not shown, in case "
       "it is the secret itself"},
      {"malformed proxy credentials",
       s + "fetch:\n  proxy: http://proxy.test:3128\n"
           "  proxy_user_env: PROXY_CREDS\n",
       "crawl.yaml:5:19: fetch.proxy_user_env: environment variable "
       "`PROXY_CREDS`: proxy credentials must be USER:PASSWORD (no ':' in "
       "them)",
       {{"PROXY_CREDS", "s3cret"}}},
      {"proxy credentials without a proxy",
       s + "fetch:\n  proxy_user_env: PROXY_CREDS\n",
       "crawl.yaml:4:3: fetch.proxy_user_env: needs fetch.proxy, which is not "
       "set",
       {{"PROXY_CREDS", "alice:s3cret"}}},
      {"noproxy without a proxy", s + "fetch:\n  noproxy: [intranet.test]\n",
       "crawl.yaml:4:3: fetch.noproxy: needs fetch.proxy, which is not set"},
      {"bad noproxy entry",
       s + "fetch:\n  proxy: http://proxy.test:3128\n  noproxy: "
           "['a.test,b.test']\n",
       "crawl.yaml:5:13: fetch.noproxy[0]: no-proxy entry 'a.test,b.test': "
       "unexpected character ',' (expected a host name, an IP address, "
       "ADDRESS/PREFIX or '*')"},
      {"auth origin with a path",
       s + "fetch:\n  auth:\n    - origin: https://a.test/login\n"
           "      scheme: basic\n      credentials_env: A_CREDS\n",
       "crawl.yaml:5:15: fetch.auth[0].origin: origin 'https://a.test/login': "
       "an origin has no path, query or fragment (expected "
       "[http://|https://]HOST[:PORT], e.g. 'https://api.example.com' or "
       "'http://intranet.example:8080')",
       {{"A_CREDS", "alice:s3cret"}}},
      {"auth scheme unknown",
       s + "fetch:\n  auth: [{origin: a.test, scheme: digest, "
           "credentials_env: A_CREDS}]\n",
       "crawl.yaml:4:35: fetch.auth[0].scheme: authentication scheme "
       "'digest': expected basic or bearer",
       {{"A_CREDS", "alice:s3cret"}}},
      {"auth entry missing its credentials",
       s + "fetch:\n  auth: [{origin: a.test, scheme: bearer}]\n",
       "crawl.yaml:4:10: fetch.auth[0]: missing key `credentials_env` (each "
       "entry needs origin, scheme, credentials_env)"},
      {"auth field misspelt",
       s + "fetch:\n  auth: [{orign: a.test, scheme: bearer, "
           "credentials_env: TOKEN}]\n",
       "crawl.yaml:4:10: fetch.auth[0]: missing key `origin` (each entry "
       "needs origin, scheme, credentials_env)\n"
       "crawl.yaml:4:11: fetch.auth[0].orign: unknown key `orign`, did you "
       "mean `origin`?",
       {{"TOKEN", "abc"}}},
      {"auth token that is no bearer token",
       s + "fetch:\n  auth: [{origin: a.test, scheme: bearer, "
           "credentials_env: TOKEN}]\n",
       "crawl.yaml:4:60: fetch.auth[0].credentials_env: environment variable "
       "`TOKEN`: bearer token is not an RFC 6750 b64token (letters, digits "
       "and -._~+/, then optional '=')",
       {{"TOKEN", "s3cret token"}}},
      {"auth twice for one origin",
       s + "fetch:\n  auth:\n"
           "    - {origin: a.test, scheme: bearer, credentials_env: TOKEN}\n"
           "    - {origin: 'HTTPS://A.test:443', scheme: basic, "
           "credentials_env: CREDS}\n",
       "crawl.yaml:5:5: fetch.auth: two entries for https://a.test:443 (entry "
       "1); one entry per origin",
       {{"TOKEN", "abc"}, {"CREDS", "alice:s3cret"}}},
      {"auth in the flag's form", s + "fetch:\n  auth: a.test=bearer:TOKEN\n",
       "crawl.yaml:4:9: fetch.auth: expected a list of {origin, scheme, "
       "credentials_env} mappings, got `a.test=bearer:TOKEN` (write one `- ` "
       "line per entry, each a mapping)"},
      {"auth entry that is no mapping", s + "fetch:\n  auth: [a.test]\n",
       "crawl.yaml:4:10: fetch.auth[0]: expected a mapping of origin, scheme, "
       "credentials_env, got `a.test`"},
      {"unknown output format", s + "output:\n  format: xml\n",
       "crawl.yaml:4:11: output.format: expected one of jsonl, csv, got `xml`"},
      {"unknown record field", s + "output:\n  fields: [url, titel]\n",
       "crawl.yaml:4:17: output.fields[1]: unknown field 'titel' (fields: "
       "url, final_url, status, content_type, bytes, title, links, "
       "elapsed_ms, error, depth, referrer, location, canonical, noindex, "
       "change)"},
      {"record field twice", s + "output:\n  fields: [url, status, url]\n",
       "crawl.yaml:4:11: output.fields: field 'url' is given twice"},
      {"unknown log level", s + "logging:\n  level: verbose\n",
       "crawl.yaml:4:10: logging.level: expected one of error, warn, info, "
       "debug, got `verbose`"},
      {"log file that is a list", s + "logging:\n  file: [a.log]\n",
       "crawl.yaml:4:9: logging.file: expected a file path, or \"\", got a "
       "list"},
      {"grace period with a unit", s + "limits:\n  grace_period: 5s\n",
       "crawl.yaml:4:17: limits.grace_period: expected a number of seconds "
       "from 0 to 86400, got `5s`"},
      {"error rate over 100%", s + "limits:\n  max_error_rate: 150%\n",
       "crawl.yaml:4:19: limits.max_error_rate: expected a fraction from 0 to "
       "1 (0.05) or a percentage from 0% to 100% (5%), got `150%`"},
      {"WARC prefix that names a directory only", s + "output:\n  warc: out/\n",
       "crawl.yaml:4:9: output.warc: expected a file name prefix such as "
       "`out/crawl` (files out/crawl-YYYYMMDDhhmmss-NNNNN-PID.warc.gz); "
       "prefix 'out/' names a directory only; add a file name prefix, e.g. "
       "'out/crawl'"},
      {"WARC files too small", s + "output:\n  warc_max_size: 512\n",
       "crawl.yaml:4:18: output.warc_max_size: expected a byte count from 1K "
       "to 4G (suffix K, M or G allowed), got `512`"},
      {"metrics port out of range", s + "metrics:\n  listen: 99999\n",
       "crawl.yaml:4:11: metrics.listen: port 99999 is over 65535 in "
       "'99999'"},
      {"metrics as a scalar", s + "metrics: 9464\n",
       "crawl.yaml:3:10: metrics: expected a mapping of metrics keys "
       "(listen), got `9464`"},
  };
  std::set<std::string> messages;
  for (const BrokenFile& c : cases) {
    const std::string name = c.name;
    CAPTURE(name);
    LoadedCrawlFile f = Load(c.text, c.env);
    // Compared as one string so that a failure prints both.
    CHECK(f.ToStatus().message() == c.message);
    CHECK_FALSE(f.ok());
    CHECK_MESSAGE(messages.insert(c.message).second, "two cases, one message");
    // No message shows a secret, wherever it was written.
    CHECK(f.ToStatus().message().find("s3cret") == std::string::npos);
  }
  CHECK(messages.size() >= 20);
}

}  // namespace
}  // namespace crawler::config
