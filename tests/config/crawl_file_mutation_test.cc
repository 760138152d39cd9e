// The crawl-file loader on 20,000 broken variants of real crawl files
// (fault matrix F5: "exception -> clean error, never abort"). Not a
// coverage-guided fuzzer: the loader links yaml-cpp and most of the
// crawler's option checks (50 source files), more than fuzz/build.sh's
// clang build takes, so this Bazel test mutates the example crawl files of
// seeds/ and a few hostile YAML snippets with a fixed pseudo-random
// sequence (the same inputs on every run, so a failure reproduces) and
// runs every variant through LoadCrawlText in every CI configuration
// (default, ASan, UBSan).
//
// Properties of each load: no exception escapes; at most kMaxErrors errors
// plus the summary, each with a message and in file order; the same text
// loads to the same errors twice; a value taken from the environment for a
// secret never appears in a message; OK and ToStatus agree.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/config/crawl_file.h"
#include "crawler/testing/test_util.h"

namespace crawler::config {
namespace {

namespace fs = std::filesystem;

// What every environment variable is set to: a secret that must never be
// quoted back.
constexpr char kSecret[] = "s3cr3t-F5-value";

EnvLookup SecretEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    if (name == "UNSET_VAR") return std::nullopt;
    return std::string(kSecret);
  };
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The example crawl files (seeds/*.yaml), from the runfiles.
std::vector<std::string> SeedFiles() {
  std::vector<std::string> out;
  for (const char* var : {"TEST_SRCDIR", "RUNFILES_DIR"}) {
    const char* v = std::getenv(var);
    if (v == nullptr || *v == '\0') continue;
    const fs::path dir = fs::path(v) / "crawler" / "seeds";
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    std::vector<fs::path> paths;
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.path().extension() == ".yaml") paths.push_back(e.path());
    }
    std::sort(paths.begin(), paths.end());
    for (const fs::path& p : paths) out.push_back(ReadFile(p));
    break;
  }
  return out;
}

// Hostile shapes of their own: aliases and tags (refused), deep nesting,
// flow style, several documents, substitutions of secrets, odd scalars.
const char* const kSnippets[] = {
    "seeds:\n  urls: [http://a.test/]\n",
    "a: &x {b: 1}\nc: *x\n",
    "seeds: !!map {urls: [http://a.test/]}\n",
    "seeds:\n  urls: "
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
    "]]\n",
    "---\nseeds: {urls: [http://a.test/]}\n---\nlimits: {max_depth: 1}\n",
    "fetch:\n  proxy: http://p.test:3128/\n  proxy_user_env: PROXY_CREDS\n"
    "seeds: {urls: ['${SEED_URL}']}\n",
    "fetch:\n  auth: [{host: a.test, scheme: bearer, credentials_env: "
    "API_TOKEN}]\nseeds: {urls: [http://a.test/]}\n",
    "politeness:\n  delay: ${UNSET_VAR}\n  user_agent: \"${UA}\"\n",
    "seeds: {urls: [http://a.test/]}\npoliteness: {delay: \"${DELAY}\"}\n",
    "limits: {max_depth: 99999999999999999999, max_pages: -1}\n",
    "scope:\n  include: ['(', '[a-', '\\\\']\n",
    "output: {path: /dev/null, warc: '', format: yaml}\n",
    "%YAML 1.2\n---\n? [a, b]\n: c\n",
    "seeds: {urls: [\"http://a.test/\\u0000\"]}\n",
    "\xef\xbb\xbfseeds:\n\turls: [x]\n",
};

// Tokens spliced in by the mutator.
const char* const kTokens[] = {
    ":", "- ", "[",   "]",  "{",    "}",    "&a ", "*a",  "!!str ", "${",
    "}", "\n", "  ",  "\t", "\"",   "'",    "#",   "|\n", ">-\n",   "---\n",
    "~", "0x", "1e9", "-1", "true", "null", "?",   ",",   "\\",     "%",
};

std::string Mutate(std::string text, std::mt19937& rng,
                   const std::vector<std::string>& pool) {
  const int steps = 1 + static_cast<int>(rng() % 4);
  for (int i = 0; i < steps; ++i) {
    const size_t at = text.empty() ? 0 : rng() % (text.size() + 1);
    switch (rng() % 6) {
      case 0:  // Flip a byte.
        if (!text.empty()) {
          text[std::min(at, text.size() - 1)] ^=
              static_cast<char>(1 + rng() % 255);
        }
        break;
      case 1:  // Insert a token.
        text.insert(at, kTokens[rng() % std::size(kTokens)]);
        break;
      case 2: {  // Delete a range.
        const size_t n = std::min<size_t>(rng() % 40, text.size() - at);
        text.erase(at, n);
        break;
      }
      case 3: {  // Repeat a range.
        const size_t n = std::min<size_t>(rng() % 80, text.size() - at);
        text.insert(at, text.substr(at, n));
        break;
      }
      case 4: {  // Splice a piece of another input.
        const std::string& other = pool[rng() % pool.size()];
        if (!other.empty()) {
          const size_t from = rng() % other.size();
          text.insert(at, other.substr(from, rng() % 120));
        }
        break;
      }
      default: {  // Move a line's indentation.
        const size_t line = text.rfind('\n', at == 0 ? 0 : at - 1);
        const size_t start = line == std::string::npos ? 0 : line + 1;
        if (rng() % 2 == 0) {
          text.insert(start, " ");
        } else if (start < text.size() && text[start] == ' ') {
          text.erase(start, 1);
        }
        break;
      }
    }
  }
  return text;
}

// The input, escaped and cut, for a failure message.
std::string Show(std::string_view text) {
  std::string out;
  for (char ch : text.substr(0, 300)) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20 || c >= 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += ch;
    }
  }
  return out;
}

// "" when every property holds for `text`, else what failed; *ok says
// whether it loaded without errors.
std::string Check(const std::string& text, bool* ok) {
  LoadedCrawlFile first;
  LoadedCrawlFile second;
  try {
    first = LoadCrawlText(text, "/nonexistent-f5/crawl.yaml", CrawlConfig{},
                          SecretEnv());
    second = LoadCrawlText(text, "/nonexistent-f5/crawl.yaml", CrawlConfig{},
                           SecretEnv());
  } catch (const std::exception& e) {
    return std::string("an exception escaped: ") + e.what();
  } catch (...) {
    return "an exception escaped";
  }
  if (first.errors.size() > static_cast<size_t>(kMaxErrors) + 1) {
    return std::to_string(first.errors.size()) + " errors";
  }
  std::pair<int, int> last = {0, 0};
  for (const ConfigError& e : first.errors) {
    if (e.message.empty()) return "an error without a message";
    if (e.line < 0 || e.column < 0) return "a negative position";
    const std::string s = e.ToString();
    if (s.find(kSecret) != std::string::npos) {
      return "a secret in a message: " + s;
    }
    const std::pair<int, int> at = {e.line, e.column};
    if (e.line > 0 && at < last) return "errors out of file order: " + s;
    if (e.line > 0) last = at;
  }
  if (first.ToStatus().ToString() != second.ToStatus().ToString()) {
    return "two loads of the same text differ";
  }
  *ok = first.ok();
  if (first.ok() != first.ToStatus().ok()) return "ok() and ToStatus differ";
  if (!first.ok() && first.ToStatus().code() != Code::kInvalidArgument) {
    return "errors, but not InvalidArgument";
  }
  return "";
}

TEST_CASE("thousands of mutated crawl files: clean errors, never a crash") {
  std::vector<std::string> pool = SeedFiles();
  REQUIRE_MESSAGE(pool.size() >= 4, "seeds/*.yaml not in the runfiles");
  for (const char* s : kSnippets) pool.emplace_back(s);
  // The originals first (the example files load; the snippets mostly not).
  for (size_t i = 0; i < pool.size(); ++i) {
    bool ok = false;
    CHECK_MESSAGE(Check(pool[i], &ok).empty(), Show(pool[i]));
  }
  std::mt19937 rng(20261126);
  constexpr int kVariants = 20000;
  int failures = 0;
  int loaded_ok = 0;
  for (int i = 0; i < kVariants && failures < 5; ++i) {
    const std::string text = Mutate(pool[rng() % pool.size()], rng, pool);
    bool ok = false;
    const std::string error = Check(text, &ok);
    if (!error.empty()) {
      ++failures;
      CHECK_MESSAGE(false, "variant " << i << ": " << error
                                      << "\n  input: " << Show(text));
    }
    if (ok) ++loaded_ok;
  }
  // Both outcomes are exercised: some variants still load, most do not.
  MESSAGE(loaded_ok << " of " << kVariants << " variants loaded");
  CHECK(loaded_ok > 0);
  CHECK(loaded_ok < kVariants);
}

}  // namespace
}  // namespace crawler::config
