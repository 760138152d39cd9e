// `crawler run CRAWL.yaml [flags]` up to the crawl: the file's values, the
// flags on top (precedence), ${NAME} substitution, and the errors.
#include "crawler/cli/run_command.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "crawler/config/key_table.h"
#include "crawler/testing/test_util.h"

namespace crawler::cli {
namespace {

// A memory stream that collects what is written to it.
class Capture {
 public:
  Capture() : file_(open_memstream(&buf_, &size_)) {}
  ~Capture() {
    if (file_ != nullptr) std::fclose(file_);
    std::free(buf_);
  }
  Capture(const Capture&) = delete;
  Capture& operator=(const Capture&) = delete;
  std::FILE* file() { return file_; }
  std::string Take() {
    std::fclose(file_);
    file_ = nullptr;
    return std::string(buf_, size_);
  }

 private:
  char* buf_ = nullptr;
  size_t size_ = 0;
  std::FILE* file_;
};

config::EnvLookup FakeEnv(std::map<std::string, std::string> vars = {}) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string WriteFile(const std::string& name, const std::string& text) {
  const std::string path = crawler::testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

struct Prepared {
  RunPlan plan;
  std::string out;
  std::string err;
};

Prepared Prepare(const std::string& yaml, std::vector<std::string> flags,
                 std::map<std::string, std::string> env = {}) {
  flags.insert(flags.begin(), WriteFile("run.yaml", yaml));
  Capture out, err;
  Prepared p;
  p.plan = PrepareRunCommand(flags, out.file(), err.file(), FakeEnv(env));
  p.out = out.Take();
  p.err = err.Take();
  return p;
}

// The file must give a crawl; the flags (if any) are applied on top.
CrawlFlags Flags(const std::string& yaml, std::vector<std::string> flags = {},
                 std::map<std::string, std::string> env = {}) {
  Prepared p = Prepare(yaml, std::move(flags), env);
  REQUIRE_MESSAGE(!p.plan.exit_code.has_value(), p.err);
  CHECK(p.err.empty());
  return p.plan.flags;
}

bool Has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

const char kSeeds[] = "seeds:\n  urls: [http://a.test/]\n";

TEST_SUITE("RunCommand") {
  TEST_CASE("a file alone gives crawl's defaults plus its keys") {
    CrawlFlags f = Flags(std::string(kSeeds) +
                         "limits:\n  max_pages: 5\npoliteness:\n  delay: 2\n");
    CrawlFlags d = *ParseCrawlFlags({"http://a.test/"});
    CHECK(f.seeds == std::vector<std::string>{"http://a.test/"});
    CHECK(f.job.max_pages == 5);
    CHECK(f.job.frontier.delay_s == 2);
    // Everything else, derived values included, as `crawl` would have it.
    CHECK(f.fetch.user_agent == d.fetch.user_agent);
    CHECK(f.job.product_token == "crawler");
    CHECK(f.fetch.max_redirects == 0);
    CHECK(f.job.workers.lease_timeout_ms == d.job.workers.lease_timeout_ms);
    CHECK(f.job.url.strip_query_params == d.job.url.strip_query_params);
  }

  TEST_CASE("a flag overrides the key that sets the same option") {
    const std::string yaml = std::string(kSeeds) +
                             "limits:\n  max_pages: 5\n  max_depth: 3\n"
                             "politeness:\n  delay: 2\n"
                             "fetch:\n  user_agent: filebot/1\n"
                             "robots:\n  enabled: true\n";
    CrawlFlags f = Flags(yaml, {"--max-pages", "100", "--delay=0.5",
                                "--user-agent", "flagbot/2", "--no-robots"});
    CHECK(f.job.max_pages == 100);
    CHECK(f.job.frontier.delay_s == 0.5);
    CHECK(f.fetch.user_agent == "flagbot/2");
    CHECK(f.job.product_token == "flagbot");
    CHECK_FALSE(f.job.robots);
    // Keys without a flag keep the file's value.
    CHECK(f.job.max_depth == 3);
  }

  TEST_CASE("flags over the output, logging, request and metrics keys") {
    const std::string yaml =
        std::string(kSeeds) +
        "output:\n  format: csv\n  fields: [url, status]\n  report: "
        "a.html\n"
        "logging:\n  level: debug\n  file: a.log\n"
        "limits:\n  grace_period: 2\n  max_error_rate: 0.1\n"
        "metrics:\n  listen: 9464\n"
        "fetch:\n  headers: ['X-A: 1']\n  noproxy: [a.test]\n"
        "  proxy: http://127.0.0.1:3128\n"
        "  auth: [{origin: a.test, scheme: bearer, credentials_env: TOKEN}]\n";
    const std::map<std::string, std::string> env = {{"TOKEN", "file-token"}};
    // The file alone.
    CrawlFlags file = Flags(yaml, {}, env);
    CHECK(file.records.format == output::OutputFormat::kCsv);
    CHECK(file.log.level == log::LogLevel::kDebug);
    CHECK(file.metrics->port == 9464);
    // Flags that set one value win; --fields replaces the file's list.
    CrawlFlags f =
        Flags(yaml,
              {"--format", "jsonl", "--fields", "title", "--report", "b.html",
               "-q", "--log-file", "b.log", "--grace-period", "0",
               "--max-error-rate", "50%", "--metrics", "127.0.0.1:0"},
              env);
    CHECK(f.records.format == output::OutputFormat::kJsonLines);
    CHECK(f.records.fields == std::vector<std::string>{"title"});
    CHECK(f.report == "b.html");
    CHECK(f.log.level == log::LogLevel::kError);
    CHECK(f.log.file == "b.log");
    CHECK(f.job.interrupt_grace_s == 0);
    CHECK(f.job.max_error_rate == 0.5);
    CHECK(f.metrics->port == 0);
    CHECK(Flags(yaml, {"-v"}, env).log.level == log::LogLevel::kDebug);
    CHECK(Flags(yaml, {"--log-level", "info"}, env).log.level ==
          log::LogLevel::kInfo);
    // Repeatable ones add: headers, no-proxy entries, auth for another
    // origin.
    ::setenv("RUN_TEST_OTHER_TOKEN", "flag-token", 1);
    f = Flags(yaml,
              {"-H", "X-B: 2", "--noproxy", "b.test", "--auth",
               "c.test=bearer:RUN_TEST_OTHER_TOKEN"},
              env);
    ::unsetenv("RUN_TEST_OTHER_TOKEN");
    CHECK(f.fetch.headers == std::vector<std::string>{"X-A: 1", "X-B: 2"});
    CHECK(f.fetch.no_proxy == std::vector<std::string>{"a.test", "b.test"});
    REQUIRE(f.fetch.auth.size() == 2);
    CHECK(f.fetch.auth[0].secret == "file-token");
    CHECK(f.fetch.auth[1].origin == "https://c.test:443");
    CHECK(f.fetch.auth[1].secret == "flag-token");
  }

  TEST_CASE(
      "a secret's variable missing stops the run; the value is never shown") {
    const std::string yaml =
        std::string(kSeeds) +
        "fetch:\n  proxy: http://127.0.0.1:3128\n  proxy_user_env: CREDS\n";
    Prepared p = Prepare(yaml, {});
    REQUIRE(p.plan.exit_code.has_value());
    CHECK(*p.plan.exit_code == 2);
    CHECK(p.err.find("run.yaml:5:19: fetch.proxy_user_env: environment "
                     "variable `CREDS` is not set\n") != std::string::npos);
    p = Prepare(yaml, {}, {{"CREDS", "s3cret-without-colon"}});
    REQUIRE(p.plan.exit_code.has_value());
    CHECK(p.err.find("environment variable `CREDS`: proxy credentials must "
                     "be USER:PASSWORD") != std::string::npos);
    CHECK(p.err.find("s3cret") == std::string::npos);
  }

  TEST_CASE("URLs and repeatable flags add to the file's lists") {
    const std::string seeds = WriteFile("more-seeds.txt", "http://c.test/\n");
    CrawlFlags f = Flags(
        std::string(kSeeds) + "scope:\n  mode: any\n  include: ['^http://a']\n",
        {"http://b.test/", "--include", "^http://b", "--seeds", seeds});
    CHECK(f.seeds ==
          std::vector<std::string>{"http://a.test/", "http://b.test/"});
    CHECK(f.seed_files == std::vector<std::string>{seeds});
    CHECK(f.job.scope.include ==
          std::vector<std::string>{"^http://a", "^http://b"});
  }

  TEST_CASE("derived values come from the merged options") {
    // The lease timeout follows the file's fetch.timeout...
    CHECK(Flags(std::string(kSeeds) + "fetch:\n  timeout: 5\n")
              .job.workers.lease_timeout_ms == 15000);
    // ... or the flag's, which wins...
    CHECK(Flags(std::string(kSeeds) + "fetch:\n  timeout: 5\n",
                {"--timeout", "7"})
              .job.workers.lease_timeout_ms == 17000);
    // ... unless the file or a flag sets it.
    CHECK(Flags(std::string(kSeeds) + "workers:\n  lease_timeout: 60\n")
              .job.workers.lease_timeout_ms == 60000);
    CHECK(Flags(std::string(kSeeds) + "workers:\n  lease_timeout: 60\n",
                {"--lease-timeout", "9"})
              .job.workers.lease_timeout_ms == 9000);
    // Transfers per fetcher follow workers.concurrency.
    CHECK(Flags(std::string(kSeeds) + "workers:\n  concurrency: 4\n")
              .fetch.max_concurrency == 4);
    // Session ids are stripped unless the file (or the flag) keeps them.
    const std::string strip =
        std::string(kSeeds) + "scope:\n  strip_query: [utm_*]\n";
    CrawlFlags stripped = Flags(strip);
    CHECK(Has(stripped.job.url.strip_query_params, "utm_*"));
    CHECK(Has(stripped.job.url.strip_query_params, "jsessionid"));
    CrawlFlags kept = Flags(strip + "  keep_session_ids: true\n");
    CHECK(kept.job.url.strip_query_params == std::vector<std::string>{"utm_*"});
    CHECK(Flags(strip, {"--keep-session-ids"}).job.url.strip_query_params ==
          std::vector<std::string>{"utm_*"});
  }

  TEST_CASE("a file and the equivalent command line give the same options") {
    const std::string ca =
        WriteFile("ca.pem",
                  "-----BEGIN CERTIFICATE-----\nMIIB\n-----END "
                  "CERTIFICATE-----\n");
    const std::string list = WriteFile("list.txt", "http://d.test/\n");
    const std::string yaml =
        "seeds:\n"
        "  urls: [http://a.test/]\n"
        "  files: [" +
        list +
        "]\n"
        "  sitemaps: true\n"
        "scope:\n"
        "  mode: domain\n"
        "  include: [a]\n"
        "  exclude: [b]\n"
        "  allow_domains: [a.test]\n"
        "  deny_domains: [x.a.test]\n"
        "  strip_query: [utm_*]\n"
        "  keep_session_ids: true\n"
        "  max_query_variants: 20\n"
        "  sort_query: true\n"
        "  per_host_cap: 50\n"
        "limits:\n"
        "  max_depth: 4\n"
        "  max_pages: 10\n"
        "  max_bytes: 2M\n"
        "  max_duration: 60\n"
        "  grace_period: 0.5\n"
        "  max_error_rate: 5%\n"
        "politeness:\n"
        "  delay: 0.2\n"
        "  per_host: 3\n"
        "  max_crawl_delay: 5\n"
        "  delay_factor: 1.5\n"
        "robots:\n"
        "  enabled: false\n"
        "  honour_nofollow: false\n"
        "fetch:\n"
        "  user_agent: 'samebot/1.0 (+http://a.test/bot)'\n"
        "  timeout: 12\n"
        "  connect_timeout: 3\n"
        "  retries: 4\n"
        "  max_redirects: 6\n"
        "  max_body: 1M\n"
        "  allow_private: true\n"
        "  allow_addresses: ['127.0.0.1:8080']\n"
        "  resolve: ['a.test:80:127.0.0.1']\n"
        "  ca_cert: " +
        ca +
        "\n"
        "  insecure: true\n"
        "  headers: ['X-Team: search', 'Accept-Language: fr']\n"
        "  cookies: true\n"
        "  proxy: 'http://127.0.0.1:3128'\n"
        "  proxy_user_env: RUN_TEST_PROXY_CREDS\n"
        "  noproxy: [intranet.test, 10.0.0.0/8]\n"
        "  auth:\n"
        "    - {origin: a.test, scheme: bearer, credentials_env: "
        "RUN_TEST_TOKEN}\n"
        "    - {origin: 'http://b.test:8080', scheme: basic, "
        "credentials_env: RUN_TEST_CREDS}\n"
        "workers:\n"
        "  count: 2\n"
        "  concurrency: 8\n"
        "  lease_timeout: 30\n"
        "state:\n"
        "  dir: crawl-state\n"
        "  revisit_initial: 7200\n"
        "  revisit_min: 600\n"
        "  revisit_max: 864000\n"
        "frontier:\n"
        "  url: redis://127.0.0.1:6380/2\n"
        "  crawl_name: c1\n"
        "  node_id: n1\n"
        "  timeout: 5\n"
        "  lease: 10\n"
        "output:\n"
        "  path: out.jsonl\n"
        "  format: csv\n"
        "  fields: [url, status, depth]\n"
        "  report: report.html\n"
        "  summary_json: run.json\n"
        "  warc: archive/crawl\n"
        "  warc_max_size: 100M\n"
        "  warc_compression_level: 6\n"
        "logging:\n"
        "  progress: true\n"
        "  level: warn\n"
        "  file: crawl.log\n"
        "metrics:\n"
        "  listen: 9464\n";
    // The flags read the secrets from the process's environment, the file
    // from the one it is given: the same variables in both.
    const std::map<std::string, std::string> secrets = {
        {"RUN_TEST_PROXY_CREDS", "alice:s3cret"},
        {"RUN_TEST_TOKEN", "tok-1"},
        {"RUN_TEST_CREDS", "bob:pw"}};
    for (const auto& [name, value] : secrets) {
      ::setenv(name.c_str(), value.c_str(), 1);
    }
    CrawlFlags from_file = Flags(yaml, {}, secrets);
    StatusOr<CrawlFlags> from_flags =
        ParseCrawlFlags({"http://a.test/",
                         "--seeds",
                         list,
                         "--sitemaps",
                         "--scope",
                         "domain",
                         "--include",
                         "a",
                         "--exclude",
                         "b",
                         "--allow-domain",
                         "a.test",
                         "--deny-domain",
                         "x.a.test",
                         "--strip-query",
                         "utm_*",
                         "--keep-session-ids",
                         "--max-query-variants",
                         "20",
                         "--sort-query",
                         "--per-host-cap",
                         "50",
                         "--max-depth",
                         "4",
                         "--max-pages",
                         "10",
                         "--max-bytes",
                         "2M",
                         "--max-duration",
                         "60",
                         "--delay",
                         "0.2",
                         "--per-host",
                         "3",
                         "--max-crawl-delay",
                         "5",
                         "--delay-factor",
                         "1.5",
                         "--no-robots",
                         "--follow-nofollow",
                         "--user-agent",
                         "samebot/1.0 (+http://a.test/bot)",
                         "--timeout",
                         "12",
                         "--connect-timeout",
                         "3",
                         "--retries",
                         "4",
                         "--max-redirects",
                         "6",
                         "--max-body",
                         "1M",
                         "--allow-private",
                         "--allow-address",
                         "127.0.0.1:8080",
                         "--resolve",
                         "a.test:80:127.0.0.1",
                         "--ca-cert",
                         ca,
                         "--insecure",
                         "--workers",
                         "2",
                         "--concurrency",
                         "8",
                         "--lease-timeout",
                         "30",
                         "--state",
                         "crawl-state",
                         "--revisit-initial",
                         "2h",
                         "--revisit-min",
                         "10m",
                         "--revisit-max",
                         "10d",
                         "--frontier",
                         "redis://127.0.0.1:6380/2",
                         "--crawl-name",
                         "c1",
                         "--node-id",
                         "n1",
                         "--frontier-timeout",
                         "5",
                         "--frontier-lease",
                         "10",
                         "-H",
                         "X-Team: search",
                         "--header=Accept-Language: fr",
                         "--cookies",
                         "--proxy",
                         "http://127.0.0.1:3128",
                         "--proxy-user-env",
                         "RUN_TEST_PROXY_CREDS",
                         "--noproxy",
                         "intranet.test,10.0.0.0/8",
                         "--auth",
                         "a.test=bearer:RUN_TEST_TOKEN",
                         "--auth",
                         "http://b.test:8080=basic:RUN_TEST_CREDS",
                         "-o",
                         "out.jsonl",
                         "--format",
                         "csv",
                         "--fields",
                         "url,status,depth",
                         "--report",
                         "report.html",
                         "--summary-json",
                         "run.json",
                         "--warc",
                         "archive/crawl",
                         "--warc-max-size",
                         "100M",
                         "--warc-compression-level",
                         "6",
                         "--progress",
                         "--log-level",
                         "warn",
                         "--log-file",
                         "crawl.log",
                         "--grace-period",
                         "0.5",
                         "--max-error-rate",
                         "5%",
                         "--metrics",
                         "9464"});
    for (const auto& [name, value] : secrets) ::unsetenv(name.c_str());
    REQUIRE_MESSAGE(from_flags.ok(), from_flags.status().ToString());
    const config::CrawlConfig a = ToCrawlConfig(from_file);
    const config::CrawlConfig b = ToCrawlConfig(*from_flags);
    const config::CrawlConfig defaults = DefaultCrawlConfig();
    for (const config::KeySpec& k : config::Keys()) {
      // The schedule group is read by `crawler cron` and `crawler
      // schedule`, not by the crawl (tests/cli/schedule_command_test.cc).
      if (k.path.rfind("schedule.", 0) == 0) continue;
      CAPTURE(k.path);
      CHECK(k.get(a) == k.get(b));
      // The file above sets every key to something other than its default.
      if (k.default_note.empty()) CHECK(k.get(a) != k.get(defaults));
    }
    // The secrets, which the keys' values do not show.
    CHECK(from_file.fetch.proxy_credentials == "alice:s3cret");
    CHECK(from_file.fetch.proxy_credentials ==
          from_flags->fetch.proxy_credentials);
    REQUIRE(from_file.fetch.auth.size() == 2);
    REQUIRE(from_flags->fetch.auth.size() == 2);
    for (size_t i = 0; i < 2; ++i) {
      CHECK(from_file.fetch.auth[i].origin == from_flags->fetch.auth[i].origin);
      CHECK(from_file.fetch.auth[i].scheme == from_flags->fetch.auth[i].scheme);
      CHECK(from_file.fetch.auth[i].secret == from_flags->fetch.auth[i].secret);
    }
    // The metrics address, of which the key shows host and port.
    REQUIRE(from_file.metrics.has_value());
    CHECK(from_file.metrics->loopback == from_flags->metrics->loopback);
    // Derived values too.
    CHECK(from_file.job.product_token == from_flags->job.product_token);
    CHECK(from_file.fetch.max_concurrency == from_flags->fetch.max_concurrency);
    CHECK(from_file.fetch.max_redirects == from_flags->fetch.max_redirects);
    CHECK(from_file.fetch.capture_exchanges);
    CHECK(from_flags->fetch.capture_exchanges);
  }

  // The options listed by `crawler crawl --help` (the first --name of each
  // line that starts with a dash in the option column; deeper lines are
  // descriptions), but --help.
  std::set<std::string> CrawlOptions() {
    std::set<std::string> options;
    std::istringstream usage(CrawlUsage());
    std::string line;
    while (std::getline(usage, line)) {
      const size_t start = line.find_first_not_of(' ');
      if (start == std::string::npos || start > 6 || line[start] != '-') {
        continue;
      }
      const size_t dashes = line.find("--", start);
      if (dashes == std::string::npos) continue;
      const size_t end = line.find_first_of(" =,", dashes);
      options.insert(line.substr(dashes, end - dashes));
    }
    REQUIRE(options.size() > 30);
    options.erase("--help");
    return options;
  }

  // The flags the keys name: every --word of KeySpec::flag ("--no-robots
  // (sets false)" names --no-robots; "--log-level (-q/--quiet: error,
  // -v/--verbose: debug)" names --log-level, --quiet and --verbose).
  std::set<std::string> KeyFlags() {
    std::set<std::string> flags;
    auto flag_char = [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    };
    for (const config::KeySpec& k : config::Keys()) {
      // "crawler cron --log": another command's option.
      if (k.flag.rfind("crawler ", 0) == 0) continue;
      for (size_t at = k.flag.find("--"); at != std::string::npos;
           at = k.flag.find("--", at + 2)) {
        if (at > 0 && flag_char(k.flag[at - 1])) continue;
        size_t end = at + 2;
        while (end < k.flag.size() && flag_char(k.flag[end])) ++end;
        flags.insert(k.flag.substr(at, end - at));
      }
    }
    return flags;
  }

  TEST_CASE("every key's flag is an option of crawl") {
    const std::set<std::string> options = CrawlOptions();
    for (const std::string& flag : KeyFlags()) {
      CHECK_MESSAGE(
          options.count(flag) == 1,
          "a key names " << flag << ", which crawler crawl does not have");
    }
  }

  // So that no crawl option can lack a key: a new flag of crawl_flags.cc
  // fails here until MakeKeys() has its key.
  TEST_CASE("every option of crawl has a key") {
    const std::set<std::string> key_flags = KeyFlags();
    for (const std::string& o : CrawlOptions()) {
      CHECK_MESSAGE(key_flags.count(o) == 1,
                    "crawler crawl " << o
                                     << " has no crawl-file key: add one to "
                                        "MakeKeys() in "
                                        "crawler/config/key_table.cc (see "
                                        "key_table.h)");
    }
  }

  TEST_CASE("${NAME} in the file comes from the environment") {
    CrawlFlags f =
        Flags("seeds:\n  urls: ['${SITE}/']\nfetch:\n  user_agent: '${UA}'\n",
              {}, {{"SITE", "http://127.0.0.1:8080"}, {"UA", "envbot/3"}});
    CHECK(f.seeds == std::vector<std::string>{"http://127.0.0.1:8080/"});
    CHECK(f.fetch.user_agent == "envbot/3");
    CHECK(f.job.product_token == "envbot");
  }

  TEST_CASE("a missing variable stops the run with a located error") {
    Prepared p = Prepare("seeds:\n  urls: ['${SITE}/']\n", {});
    REQUIRE(p.plan.exit_code.has_value());
    CHECK(*p.plan.exit_code == 2);
    CHECK(p.err.find("run.yaml:2:10: seeds.urls[0]: environment variable "
                     "`SITE` is not set\n") != std::string::npos);
    CHECK(p.err.find("has 1 error; nothing was fetched") != std::string::npos);
  }

  TEST_CASE("every error of the file is written, one per line, exit 2") {
    Prepared p = Prepare(
        "seeds:\n  urls: [http://a.test/]\nlimits:\n  max_pgaes: 1\n"
        "politeness:\n  delay: x\n",
        {"--max-pages", "3"});
    REQUIRE(p.plan.exit_code.has_value());
    CHECK(*p.plan.exit_code == 2);
    const std::string file = crawler::testing::TempDir() + "/run.yaml";
    CHECK(p.err == file +
                       ":4:3: limits.max_pgaes: unknown key `max_pgaes`, did "
                       "you mean `max_pages`?\n" +
                       file +
                       ":6:10: politeness.delay: expected a number of seconds "
                       "from 0 to 86400, got `x`\n"
                       "crawler: run: " +
                       file +
                       " has 2 errors; nothing was fetched (crawler validate "
                       "checks a file without running it)\n");
    CHECK(p.out.empty());
  }

  TEST_CASE("a bad flag after a valid file is a usage error") {
    Prepared p = Prepare(kSeeds, {"--max-pages", "0"});
    REQUIRE(p.plan.exit_code.has_value());
    CHECK(*p.plan.exit_code == 2);
    CHECK(p.err ==
          "crawler: run: --max-pages expects an integer from 1 to "
          "1099511627776, got '0'\n");
  }

  TEST_CASE("the crawl file comes first; --help anywhere prints the usage") {
    Capture out, err;
    RunPlan plan =
        PrepareRunCommand({"--max-pages", "3"}, out.file(), err.file());
    CHECK(plan.exit_code == std::optional<int>(2));
    CHECK(err.Take().find("expected the crawl file first") !=
          std::string::npos);
    Capture out2, err2;
    plan = PrepareRunCommand({}, out2.file(), err2.file());
    CHECK(plan.exit_code == std::optional<int>(2));
    Capture out3, err3;
    plan = PrepareRunCommand({"x.yaml", "--help"}, out3.file(), err3.file());
    CHECK(plan.exit_code == std::optional<int>(0));
    CHECK(out3.Take() == RunUsage());
    CHECK(err3.Take().empty());
  }

  TEST_CASE("an unreadable crawl file is named") {
    Capture out, err;
    RunPlan plan =
        PrepareRunCommand({"/nonexistent/crawl.yaml"}, out.file(), err.file());
    CHECK(plan.exit_code == std::optional<int>(2));
    CHECK(err.Take().rfind("/nonexistent/crawl.yaml: cannot read crawl file: "
                           "No such file or directory\n",
                           0) == 0);
  }
}

}  // namespace
}  // namespace crawler::cli
