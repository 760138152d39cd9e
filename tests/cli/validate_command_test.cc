// `crawler validate`: the verdicts and exit codes, the generated reference,
// and the repository's own crawl files: every seeds/*.yaml validates, and
// seeds/reference.yaml and the README's key table are what the key table
// generates now.
#include "crawler/cli/validate_command.h"

#include <dirent.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "crawler/cli/run_command.h"
#include "crawler/config/reference.h"
#include "crawler/testing/command.h"
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

struct Result {
  int code = -1;
  std::string out;
  std::string err;
};

Result Validate(const std::vector<std::string>& args,
                std::map<std::string, std::string> env = {}) {
  Capture out, err;
  Result r;
  r.code = RunValidateCommand(
      args, out.file(), err.file(),
      [env](const std::string& name) -> std::optional<std::string> {
        auto it = env.find(name);
        if (it == env.end()) return std::nullopt;
        return it->second;
      });
  r.out = out.Take();
  r.err = err.Take();
  return r;
}

std::string WriteFile(const std::string& name, const std::string& text) {
  const std::string path = crawler::testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), "cannot read " << path);
  return std::string((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
}

TEST_SUITE("ValidateCommand") {
  TEST_CASE("a valid file: ok with counts, exit 0") {
    const std::string list =
        WriteFile("v-seeds.txt", "# two\nhttp://b.test/\nhttp://c.test/\n");
    const std::string f =
        WriteFile("valid.yaml", "seeds:\n  urls: [http://a.test/]\n  files: [" +
                                    list + "]\nlimits:\n  max_depth: 1\n");
    Result r = Validate({f});
    CHECK(r.code == 0);
    CHECK(r.out == f + ": ok (3 keys set; 3 seed URLs, 1 seed file)\n");
    CHECK(r.err.empty());
  }

  TEST_CASE("an invalid file: every error on stderr, then a count, exit 2") {
    const std::string f =
        WriteFile("invalid.yaml",
                  "seeds:\n  urls: [http://a.test/]\nscope:\n  mode: hots\n"
                  "  include: ['(']\n");
    Result r = Validate({f});
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK(r.err == f +
                       ":4:9: scope.mode: expected one of host, domain, any, "
                       "got `hots`, did you mean `host`?\n" +
                       f +
                       ":5:13: scope.include[0]: expected an RE2 regular "
                       "expression; invalid include regular expression '(': "
                       "missing ): (\n" +
                       f + ": 2 errors\n");
  }

  TEST_CASE("seed files that hold no URL leave the crawl without seeds") {
    const std::string list = WriteFile("empty-seeds.txt", "# none yet\n\n");
    const std::string f =
        WriteFile("no-urls.yaml", "seeds:\n  files: [" + list + "]\n");
    Result r = Validate({f});
    CHECK(r.code == 2);
    CHECK(r.err == f +
                       ": seeds: no seed URLs: seeds.urls is empty and the "
                       "files of seeds.files hold none\n" +
                       f + ": 1 error\n");
  }

  TEST_CASE("several files: each judged, exit 2 if any is invalid") {
    const std::string good =
        WriteFile("good.yaml", "seeds:\n  urls: [http://a.test/]\n");
    const std::string bad = WriteFile("bad.yaml", "seeds: {}\n");
    Result r = Validate({good, bad, good});
    CHECK(r.code == 2);
    CHECK(r.out == good + ": ok (1 key set; 1 seed URL, 0 seed files)\n" +
                       good + ": ok (1 key set; 1 seed URL, 0 seed files)\n");
    CHECK(r.err.find(bad + ":1:1: seeds: no seeds") == 0);
    CHECK(Validate({good, good}).code == 0);
  }

  TEST_CASE("${NAME} is looked up when validating") {
    const std::string f =
        WriteFile("env.yaml", "seeds:\n  urls: ['http://${HOST}/']\n");
    CHECK(Validate({f}, {{"HOST", "a.test"}}).code == 0);
    Result r = Validate({f});
    CHECK(r.code == 2);
    CHECK(r.err.find(":2:10: seeds.urls[0]: environment variable `HOST` is "
                     "not set\n") != std::string::npos);
  }

  TEST_CASE("usage errors and help") {
    CHECK(Validate({}).code == 2);
    CHECK(Validate({"--frobnicate"}).code == 2);
    CHECK(Validate({"--print-reference", "x.yaml"}).code == 2);
    Result help = Validate({"--help"});
    CHECK(help.code == 0);
    CHECK(help.out == ValidateUsage());
  }

  TEST_CASE(
      "--print-reference and --print-markdown print the generated texts") {
    Result ref = Validate({"--print-reference"});
    CHECK(ref.code == 0);
    CHECK(ref.out == config::ReferenceYaml(DefaultCrawlConfig()));
    Result md = Validate({"--print-markdown"});
    CHECK(md.code == 0);
    CHECK(md.out == config::KeysMarkdown(DefaultCrawlConfig()));
  }

  TEST_CASE("every crawl file under seeds/ validates") {
    const std::string dir = crawler::testing::RunfilePath("seeds");
    std::vector<std::string> files;
    DIR* d = opendir(dir.c_str());
    REQUIRE_MESSAGE(d != nullptr, "cannot list " << dir);
    while (dirent* e = readdir(d)) {
      const std::string name = e->d_name;
      if (name.size() > 5 && name.substr(name.size() - 5) == ".yaml") {
        files.push_back(dir + "/" + name);
      }
    }
    closedir(d);
    std::sort(files.begin(), files.end());
    // The three examples and the reference at least.
    CHECK(files.size() >= 4);
    for (const std::string& f : files) {
      CAPTURE(f);
      Result r = Validate({f});
      CHECK_MESSAGE(r.code == 0, r.err);
    }
  }

  TEST_CASE("seeds/reference.yaml is what the key table generates") {
    const std::string committed =
        ReadFile(crawler::testing::RunfilePath("seeds/reference.yaml"));
    CHECK_MESSAGE(committed == config::ReferenceYaml(DefaultCrawlConfig()),
                  "seeds/reference.yaml is stale: regenerate it with "
                  "`crawler validate --print-reference > "
                  "seeds/reference.yaml`");
  }

  TEST_CASE("the README's key table is what the key table generates") {
    const std::string readme =
        ReadFile(crawler::testing::RunfilePath("README.md"));
    const std::string begin = "<!-- BEGIN crawl-file keys";
    const std::string end = "<!-- END crawl-file keys -->";
    const size_t b = readme.find(begin);
    const size_t e = readme.find(end);
    REQUIRE(b != std::string::npos);
    REQUIRE(e != std::string::npos);
    const size_t start = readme.find('\n', b) + 1;
    REQUIRE(start <= e);
    CHECK_MESSAGE(readme.substr(start, e - start) ==
                      config::KeysMarkdown(DefaultCrawlConfig()),
                  "README.md's crawl-file keys are stale: replace the lines "
                  "between the markers with `crawler validate "
                  "--print-markdown`");
  }
}

}  // namespace
}  // namespace crawler::cli
