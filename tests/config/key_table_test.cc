#include "crawler/config/key_table.h"

#include <set>

#include "crawler/config/crawl_file.h"
#include "crawler/config/reference.h"
#include "crawler/testing/test_util.h"

namespace crawler::config {
namespace {

EnvLookup NoEnv() {
  return [](const std::string&) -> std::optional<std::string> {
    return std::nullopt;
  };
}

TEST_SUITE("KeyTable") {
  TEST_CASE("every key is group.name, in a listed group, grouped together") {
    std::set<std::string> groups;
    for (const GroupSpec& g : Groups()) {
      CHECK_MESSAGE(groups.insert(g.name).second, g.name);
      CHECK_FALSE(g.help.empty());
    }
    std::set<std::string> paths;
    std::set<std::string> finished_groups;
    std::string current;
    for (const KeySpec& k : Keys()) {
      CAPTURE(k.path);
      CHECK(paths.insert(k.path).second);
      const size_t dot = k.path.find('.');
      REQUIRE(dot != std::string::npos);
      CHECK(k.path.find('.', dot + 1) == std::string::npos);
      const std::string group = k.path.substr(0, dot);
      CHECK(groups.count(group) == 1);
      if (group != current) {
        CHECK_MESSAGE(finished_groups.insert(group).second,
                      "keys of group " << group << " are not together");
        current = group;
      }
      for (char c : k.path) {
        CHECK(((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
               c == '.'));
      }
    }
  }

  TEST_CASE("every key has a flag, a help text, a setter and a default") {
    const CrawlConfig defaults;
    for (const KeySpec& k : Keys()) {
      CAPTURE(k.path);
      CHECK_FALSE(k.flag.empty());
      CHECK_FALSE(k.help.empty());
      CHECK(k.help.back() == '.');
      CHECK(static_cast<bool>(k.set));
      CHECK(static_cast<bool>(k.get));
      CHECK_FALSE(Expected(k).empty());
      CHECK((k.default_note.empty() != k.get(defaults).empty()));
      if (k.type == ValueType::kEnum) CHECK_FALSE(k.choices.empty());
    }
  }

  TEST_CASE("FindKey finds exactly the table's paths") {
    CHECK(FindKey("politeness.delay") != nullptr);
    CHECK(FindKey("politeness.delay")->type == ValueType::kSeconds);
    CHECK(FindKey("politeness") == nullptr);
    CHECK(FindKey("delay") == nullptr);
  }

  TEST_CASE("what a value must look like") {
    CHECK(Expected(*FindKey("workers.count")) == "an integer from 0 to 256");
    CHECK(Expected(*FindKey("politeness.delay")) ==
          "a number of seconds from 0 to 86400");
    CHECK(Expected(*FindKey("fetch.max_body")) ==
          "a byte count from 1 to 4G (suffix K, M or G allowed)");
    CHECK(Expected(*FindKey("robots.enabled")) == "true or false");
    CHECK(Expected(*FindKey("scope.mode")) == "one of host, domain, any");
    CHECK(Expected(*FindKey("scope.include")) ==
          "a list of RE2 regular expressions");
    CHECK(Expected(*FindKey("fetch.auth")) ==
          "a list of {origin, scheme, credentials_env} mappings");
    CHECK(Expected(*FindKey("output.format")) == "one of jsonl, csv");
    CHECK(Expected(*FindKey("logging.level")) ==
          "one of error, warn, info, debug");
  }

  TEST_CASE("the keys of secrets never show them") {
    CrawlConfig c;
    c.fetch.proxy = "http://127.0.0.1:3128";
    c.fetch.proxy_credentials = "alice:s3cret";
    fetch::HostAuth auth;
    auth.origin = "https://a.test:443";
    auth.scheme = fetch::AuthScheme::kBasic;
    auth.secret = "bob:s3cret";
    c.fetch.auth.push_back(auth);
    for (const KeySpec& k : Keys()) {
      CAPTURE(k.path);
      CHECK(k.get(c).find("s3cret") == std::string::npos);
    }
    CHECK(FindKey("fetch.proxy_user_env")->get(c) == "\"***\"");
    CHECK(FindKey("fetch.auth")->get(c) ==
          "[{origin: \"https://a.test:443\", scheme: basic}]");
    CHECK(FindKey("fetch.proxy_user_env")->env_name);
    CHECK(FindKey("fetch.auth")->fields.at(2).env_name);
  }

  TEST_CASE("spellings: numbers, byte counts, quoted strings") {
    CHECK(FormatNumber(1) == "1");
    CHECK(FormatNumber(0.5) == "0.5");
    CHECK(FormatNumber(1e6) == "1000000");
    CHECK(FormatNumber(0.001) == "0.001");
    CHECK(FormatBytes(0) == "0");
    CHECK(FormatBytes(16 << 20) == "16M");
    CHECK(FormatBytes(int64_t{4} << 30) == "4G");
    CHECK(FormatBytes(1536) == "1536");
  }

  TEST_CASE("quoting") {
    CHECK(QuoteYaml("a\"b\\c") == "\"a\\\"b\\\\c\"");
    CHECK(QuoteYaml("x\ny") == "\"x\\x0Ay\"");
  }

  TEST_CASE("the reference file is a valid crawl file giving the defaults") {
    CrawlConfig defaults;
    defaults.job.max_pages = 7;  // Any value: the reference shows it.
    defaults.fetch.user_agent = "refbot/2";
    const std::string yaml = ReferenceYaml(defaults);
    LoadedCrawlFile loaded =
        LoadCrawlText(yaml, "reference.yaml", CrawlConfig{}, NoEnv());
    REQUIRE_MESSAGE(loaded.ok(), loaded.ToStatus().message());
    for (const KeySpec& k : Keys()) {
      CAPTURE(k.path);
      if (!k.example.empty()) continue;
      CHECK(k.get(loaded.config) == k.get(defaults));
    }
    CHECK(loaded.config.job.max_pages == 7);
    CHECK(loaded.config.fetch.user_agent == "refbot/2");
    // Every key is set by it, but the one whose default is computed.
    size_t computed = 0;
    for (const KeySpec& k : Keys()) computed += !k.default_note.empty();
    CHECK(loaded.keys_set.size() == Keys().size() - computed);
  }

  TEST_CASE("the Markdown table has a row per key") {
    const std::string md = KeysMarkdown(CrawlConfig{});
    for (const KeySpec& k : Keys()) {
      CHECK_MESSAGE(md.find("| `" + k.path + "` |") != std::string::npos,
                    k.path);
    }
    CHECK(md.find("| `--delay` |") != std::string::npos);
  }
}

}  // namespace
}  // namespace crawler::config
