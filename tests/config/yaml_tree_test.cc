#include "crawler/config/yaml_tree.h"

#include "crawler/testing/test_util.h"

namespace crawler::config {
namespace {

using Kind = YamlNode::Kind;

TEST_SUITE("YamlTree") {
  TEST_CASE("every node has its 1-based line and column") {
    YamlParse p = ParseYaml("a: 1\nb:\n  - x\n  - \"y\"\n");
    REQUIRE(p.ok);
    REQUIRE(p.root.kind == Kind::kMapping);
    REQUIRE(p.root.entries.size() == 2);
    const auto& [a, one] = p.root.entries[0];
    CHECK(a.text == "a");
    CHECK(a.mark.line == 1);
    CHECK(a.mark.column == 1);
    CHECK(one.text == "1");
    CHECK(one.mark.column == 4);
    const YamlNode& list = p.root.entries[1].second;
    REQUIRE(list.kind == Kind::kSequence);
    REQUIRE(list.items.size() == 2);
    CHECK(list.items[1].text == "y");
    CHECK(list.items[1].mark.line == 4);
    CHECK(list.items[1].mark.column == 5);
  }

  TEST_CASE("plain and quoted scalars are told apart; null is no scalar") {
    YamlParse p = ParseYaml("a: 10\nb: '10'\nc:\nd: ~\ne: null\nf: \"null\"\n");
    REQUIRE(p.ok);
    const auto& e = p.root.entries;
    CHECK(e[0].second.plain);
    CHECK_FALSE(e[1].second.plain);
    CHECK(e[1].second.text == "10");
    CHECK(e[2].second.kind == Kind::kNull);
    CHECK(e[3].second.kind == Kind::kNull);
    CHECK(e[4].second.kind == Kind::kNull);
    CHECK(e[5].second.kind == Kind::kScalar);
  }

  TEST_CASE("duplicate keys are kept, in file order") {
    YamlParse p = ParseYaml("a: 1\na: 2\n");
    REQUIRE(p.ok);
    REQUIRE(p.root.entries.size() == 2);
    CHECK(p.root.entries[1].second.text == "2");
    CHECK(p.root.entries[1].first.mark.line == 2);
  }

  TEST_CASE("an empty text or only comments is a null root") {
    CHECK(ParseYaml("").root.kind == Kind::kNull);
    CHECK(ParseYaml("# nothing\n\n").root.kind == Kind::kNull);
    CHECK(ParseYaml("").ok);
  }

  TEST_CASE("a syntax error carries yaml-cpp's position and the key path") {
    YamlParse p = ParseYaml("a:\n  b: [1, 2\nc: 3\n");
    REQUIRE_FALSE(p.ok);
    CHECK(p.error.mark.line == 3);
    CHECK(p.error.message ==
          "end of sequence flow not found (a '[' without its ']')");
    CHECK(p.error.key_path == std::vector<std::string>{"a", "b"});
  }

  TEST_CASE("a tab in the indentation is named") {
    YamlParse p = ParseYaml("a:\n\tb: 1\n");
    REQUIRE_FALSE(p.ok);
    CHECK(p.error.message.find(
              "line 2 is indented with a tab; YAML indents with spaces "
              "only") != std::string::npos);
  }

  TEST_CASE("aliases and a second document are refused") {
    YamlParse alias = ParseYaml("a: &x 1\nb: *x\n");
    REQUIRE_FALSE(alias.ok);
    CHECK(alias.error.mark.line == 2);
    CHECK(alias.error.key_path == std::vector<std::string>{"b"});
    YamlParse two = ParseYaml("a: 1\n---\nb: 2\n");
    REQUIRE_FALSE(two.ok);
    CHECK(two.error.mark.line == 2);
  }

  TEST_CASE("deep nesting is an error, not a crash") {
    std::string deep(5000, '[');
    YamlParse p = ParseYaml(deep);
    CHECK_FALSE(p.ok);
    CHECK(p.error.message.find("nested more than 32 levels deep") == 0);
    // Block mappings too, past yaml-cpp's own limit (YAML::DeepRecursion).
    std::string block;
    for (int i = 0; i < 3000; ++i) {
      block += std::string(2 * static_cast<size_t>(i), ' ') + "k:\n";
    }
    p = ParseYaml(block);
    REQUIRE_FALSE(p.ok);
    CHECK(p.error.message ==
          "nested more than 32 levels deep (a crawl file needs 4: group, "
          "key, list, entry)");
    // The 33rd mapping starts on line 33, under 32 keys.
    CHECK(p.error.mark.line == 33);
    CHECK(p.error.key_path.size() == 32);
    // At the limit: parsed; one more level: refused.
    const size_t max = kMaxYamlDepth;
    CHECK(ParseYaml(std::string(max, '[') + std::string(max, ']')).ok);
    CHECK_FALSE(
        ParseYaml(std::string(max + 1, '[') + std::string(max + 1, ']')).ok);
  }

  TEST_CASE("explicit tags are refused; quoting and '!' are not tags") {
    for (const char* text :
         {"a: !!int 5\n", "a: !!binary aGk=\n", "a: !!map {b: 1}\n",
          "a: !!seq [1]\n", "a: !local x\n", "a: !<tag:x> y\n", "a: !!null\n",
          "!!map\na: 1\n", "a: !!python/object:os.system x\n"}) {
      CAPTURE(text);
      YamlParse p = ParseYaml(text);
      REQUIRE_FALSE(p.ok);
      CHECK(p.error.message.find("are not supported in crawl files") !=
            std::string::npos);
    }
    YamlParse p = ParseYaml("a: !!int 5\n");
    CHECK(p.error.message.rfind("tags (`!!int`)", 0) == 0);
    CHECK(p.error.mark.line == 1);
    CHECK(p.error.mark.column == 4);
    CHECK(p.error.key_path == std::vector<std::string>{"a"});
    CHECK(
        ParseYaml("a: !local x\n").error.message.rfind("tags (`!local`)", 0) ==
        0);
    YamlParse fine = ParseYaml("a: ! 5\nb: '5'\nc: |\n  x\n");
    REQUIRE(fine.ok);
    CHECK(fine.root.entries[0].second.text == "5");
    CHECK_FALSE(fine.root.entries[0].second.plain);
  }
}

}  // namespace
}  // namespace crawler::config
