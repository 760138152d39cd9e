// Tests of `crawler robots check` through RunRobotsCommand, with stdout and
// stderr captured in memory streams.
#include "crawler/cli/robots_command.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "crawler/testing/test_util.h"

namespace crawler::cli {
namespace {

struct Result {
  int code = -1;
  std::string out;
  std::string err;
};

// A memory stream that collects what is written to it.
class Capture {
 public:
  Capture() : file_(open_memstream(&buf_, &size_)) {}
  ~Capture() {
    if (file_ != nullptr) std::fclose(file_);
    std::free(buf_);
  }
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

Result Run(const std::vector<std::string>& args) {
  Capture out;
  Capture err;
  REQUIRE(out.file() != nullptr);
  REQUIRE(err.file() != nullptr);
  Result r;
  r.code = RunRobotsCommand(args, out.file(), err.file());
  r.out = out.Take();
  r.err = err.Take();
  return r;
}

std::string WriteRobots(const std::string& name, const std::string& body) {
  const std::string path = testing::TempDir() + "/" + name;
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << body;
  return path;
}

bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

const char* kRobots =
    "User-agent: *\n"
    "Disallow: /private/\n"
    "Allow: /private/public\n"
    "Disallow: /*.pdf$\n"
    "\n"
    "User-agent: Crawler\n"
    "Disallow: /no-crawler\n"
    "Disallow: /~user\n"
    "Disallow: /search?q=\n";

TEST_SUITE("RobotsCommand") {
  TEST_CASE("robots check prints one verdict per URL, in argument order") {
    const std::string file = WriteRobots("robots_order.txt", kRobots);
    Result r = Run({"check", "--robots", file, "--agent", "OtherBot",
                    "https://example.com/private/x",
                    "https://example.com/private/public/page",
                    "http://example.com/doc.pdf",
                    "http://example.com/doc.pdf?x", "http://example.com"});
    CHECK(r.code == 0);
    CHECK(r.out ==
          "disallowed https://example.com/private/x\n"
          "allowed https://example.com/private/public/page\n"
          "disallowed http://example.com/doc.pdf\n"
          "allowed http://example.com/doc.pdf?x\n"
          "allowed http://example.com\n");
    CHECK(r.err.empty());
  }

  TEST_CASE("robots check matches the product token of a full User-Agent") {
    const std::string file = WriteRobots("robots_agent.txt", kRobots);
    Result r = Run({"check", "--robots=" + file,
                    "--agent=crawler/0.1 (+https://example.com/bot)",
                    "https://example.com/no-crawler",
                    "https://example.com/private/x"});
    CHECK(r.code == 0);
    // The Crawler group applies, and it does not inherit the '*' rules.
    CHECK(r.out ==
          "disallowed https://example.com/no-crawler\n"
          "allowed https://example.com/private/x\n");
  }

  TEST_CASE(
      "robots check matches path and query, ignoring host, port, user "
      "info and fragment") {
    const std::string file = WriteRobots("robots_query.txt", kRobots);
    Result r = Run({"check", "--agent", "Crawler", "--robots", file,
                    "http://user@example.com:8080/search?q=robots#top",
                    "http://example.com/search?page=2",
                    "http://example.com/%7Euser/index.html",
                    "http://example.com/a/../no-crawler"});
    CHECK(r.code == 0);
    CHECK(r.out ==
          "disallowed http://user@example.com:8080/search?q=robots#top\n"
          "allowed http://example.com/search?page=2\n"
          "disallowed http://example.com/%7Euser/index.html\n"
          "disallowed http://example.com/a/../no-crawler\n");
  }

  TEST_CASE(
      "robots check compares non-ASCII paths with their percent-encoding "
      "(RFC 9309 2.2.2)") {
    const std::string file = WriteRobots(
        "robots_utf8.txt",
        "User-agent: *\nDisallow: /caf%c3%a9\nDisallow: /\xE3\x83\x84\n");
    Result r =
        Run({"check", "--robots", file, "--agent", "bot",
             "https://example.com/caf\xC3\xA9/menu",
             "https://example.com/%E3%83%84", "https://example.com/cafe"});
    CHECK(r.code == 0);
    CHECK(r.out ==
          "disallowed https://example.com/caf\xC3\xA9/menu\n"
          "disallowed https://example.com/%E3%83%84\n"
          "allowed https://example.com/cafe\n");
  }

  TEST_CASE(
      "robots check: an invalid URL exits 1 and the others are still "
      "printed") {
    const std::string file = WriteRobots("robots_bad_url.txt", kRobots);
    Result r = Run({"check", "--robots", file, "--agent", "OtherBot",
                    "https://example.com/private/x", "ftp://example.com/file",
                    "not a url", "https://example.com/ok"});
    CHECK(r.code == 1);
    CHECK(r.out ==
          "disallowed https://example.com/private/x\n"
          "allowed https://example.com/ok\n");
    CHECK(Contains(r.err, "'ftp://example.com/file'"));
    CHECK(Contains(r.err, "'not a url'"));
  }

  TEST_CASE("robots check: URLs after -- may start with '-'") {
    const std::string file = WriteRobots("robots_dashdash.txt", kRobots);
    Result r = Run({"check", "--robots", file, "--agent", "bot", "--",
                    "--not-a-flag", "https://example.com/"});
    CHECK(r.code == 1);
    CHECK(r.out == "allowed https://example.com/\n");
    CHECK(Contains(r.err, "'--not-a-flag'"));
  }

  TEST_CASE("robots check: a missing robots file exits 2 naming it") {
    const std::string missing = testing::TempDir() + "/no-such-robots.txt";
    Result r = Run({"check", "--robots", missing, "--agent", "bot",
                    "https://example.com/"});
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK(Contains(r.err, missing));
    CHECK(Contains(r.err, "--robots"));
  }

  TEST_CASE("robots check: a directory as robots file exits 2") {
    Result r = Run({"check", "--robots", testing::TempDir(), "--agent", "bot",
                    "https://example.com/"});
    CHECK(r.code == 2);
    CHECK(Contains(r.err, testing::TempDir()));
  }

  TEST_CASE("robots check: missing --robots or --agent is a usage error") {
    const std::string file = WriteRobots("robots_usage.txt", kRobots);
    Result no_robots = Run({"check", "--agent", "bot", "https://example.com/"});
    CHECK(no_robots.code == 2);
    CHECK(Contains(no_robots.err, "--robots"));
    CHECK(no_robots.out.empty());

    Result no_agent = Run({"check", "--robots", file, "https://example.com/"});
    CHECK(no_agent.code == 2);
    CHECK(Contains(no_agent.err, "--agent"));
    CHECK(no_agent.out.empty());

    Result no_value = Run({"check", "--robots", file, "--agent"});
    CHECK(no_value.code == 2);
    CHECK(Contains(no_value.err, "--agent"));
  }

  TEST_CASE("robots check: other usage errors exit 2") {
    const std::string file = WriteRobots("robots_usage2.txt", kRobots);
    struct Case {
      std::vector<std::string> args;
      const char* in_err;
    };
    const Case cases[] = {
        {{}, "check"},
        {{"verify"}, "'verify'"},
        {{"check", "--robots", file, "--agent", "bot"}, "URL"},
        {{"check", "--robots", file, "--agent", "bot", "--verbose",
          "http://a/"},
         "'--verbose'"},
        {{"check", "--robots", file, "--agent", "/1.0", "http://a/"},
         "product token"},
        {{"check", "--robots", file, "--robots", file, "--agent", "b",
          "http://a/"},
         "twice"},
        {{"check", "--robots=", "--agent", "b", "http://a/"}, "--robots"},
    };
    for (const Case& c : cases) {
      CAPTURE(c.in_err);
      Result r = Run(c.args);
      CHECK(r.code == 2);
      CHECK(r.out.empty());
      CHECK(Contains(r.err, c.in_err));
      CHECK(Contains(r.err, "--help"));
    }
  }

  TEST_CASE("robots --help prints the usage to out and exits 0") {
    for (const std::vector<std::string>& args :
         std::vector<std::vector<std::string>>{
             {"--help"}, {"check", "--help"}, {"check", "-h", "--robots"}}) {
      Result r = Run(args);
      CHECK(r.code == 0);
      CHECK(Contains(r.out, "crawler robots check --robots FILE --agent UA"));
      CHECK(r.err.empty());
    }
  }

  TEST_CASE("robots check reads a large file only up to the parse limit") {
    std::string body = "User-agent: *\nDisallow: /early\n";
    body.append(600 * 1024, '#');
    body += "\nDisallow: /late\n";
    const std::string file = WriteRobots("robots_big.txt", body);
    Result r = Run({"check", "--robots", file, "--agent", "bot",
                    "https://example.com/early", "https://example.com/late"});
    CHECK(r.code == 0);
    CHECK(r.out ==
          "disallowed https://example.com/early\n"
          "allowed https://example.com/late\n");
  }

  TEST_CASE("robots check with an empty robots file allows everything") {
    const std::string file = WriteRobots("robots_empty.txt", "");
    Result r =
        Run({"check", "--robots", file, "--agent", "bot", "https://a.test/x"});
    CHECK(r.code == 0);
    CHECK(r.out == "allowed https://a.test/x\n");
  }

}  // TEST_SUITE("RobotsCommand")

}  // namespace
}  // namespace crawler::cli
