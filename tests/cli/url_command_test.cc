// Tests of `crawler url resolve` through RunUrlCommand, with stdout and
// stderr captured in memory streams.
#include "crawler/cli/url_command.h"

#include <cstdio>
#include <cstdlib>
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

Result Run(const std::vector<std::string>& args) {
  Capture out;
  Capture err;
  REQUIRE(out.file() != nullptr);
  REQUIRE(err.file() != nullptr);
  Result r;
  r.code = RunUrlCommand(args, out.file(), err.file());
  r.out = out.Take();
  r.err = err.Take();
  return r;
}

TEST_SUITE("crawler url resolve") {
  TEST_CASE("prints the absolute normalized URL") {
    struct Case {
      const char* base;
      const char* href;
      const char* out;
    };
    const Case cases[] = {
        {"http://a/b/c/d;p?q", "../g", "http://a/b/g\n"},
        {"http://a/b/c/d;p?q", "", "http://a/b/c/d;p?q\n"},
        {"http://a/b/c/d;p?q", "#frag", "http://a/b/c/d;p?q\n"},
        {"HTTP://Example.COM:80/a/", "  ./x y?q=%7e#f ",
         "http://example.com/a/x%20y?q=~\n"},
        {"https://a.example/",
         "//B\xC3\xBC"
         "cher.example:443\\x",
         "https://xn--bcher-kva.example/x\n"},
        {"http://a/", "\thttp:\\\\h.example\\p\n", "http://h.example/p\n"},
        {"http://a/", "HTTPS://Other.Example/%2f%41",
         "https://other.example/%2FA\n"},
    };
    for (const Case& c : cases) {
      CAPTURE(std::string(c.href));
      const Result r = Run({"resolve", c.base, c.href});
      CHECK(r.code == 0);
      CHECK(r.out == c.out);
      CHECK(r.err == "");
    }
  }

  TEST_CASE("--strip-param removes matching parameters; -- ends options") {
    Result r = Run({"resolve", "--strip-param", "utm_*", "--strip-param=sid",
                    "http://a/", "p;sid=1?utm_source=x&k=v&SID=2"});
    CHECK(r.code == 0);
    CHECK(r.out == "http://a/p?k=v\n");
    r = Run({"resolve", "--", "http://a/b/", "-x"});
    CHECK(r.code == 0);
    CHECK(r.out == "http://a/b/-x\n");
    r = Run({"resolve", "http://a/b/", "-"});
    CHECK(r.code == 0);
    CHECK(r.out == "http://a/b/-\n");
  }

  TEST_CASE("exits 1 with the reason when the result is not an http(s) URL") {
    struct Case {
      const char* base;
      const char* href;
      const char* err;
    };
    const Case cases[] = {
        {"http://a/", "mailto:x@y.example",
         "crawler url resolve: unsupported scheme 'mailto' in "
         "'mailto:x@y.example' (only http and https are fetched)\n"},
        {"http://a/", "javascript:alert(1)",
         "crawler url resolve: unsupported scheme 'javascript' in "
         "'javascript:alert(1)' (only http and https are fetched)\n"},
        {"http://a/", "http://exa mple.com/",
         "crawler url resolve: malformed URL 'http://exa mple.com/': Bad "
         "hostname\n"},
        {"http://a/", "http://a:99999/",
         "crawler url resolve: malformed URL 'http://a:99999/': Port number "
         "was not a decimal number between 0 and 65535\n"},
        {"ftp://a/", "x",
         "crawler url resolve: bad BASE: unsupported scheme 'ftp' in "
         "'ftp://a/' (only http and https are fetched)\n"},
        {"/relative", "x",
         "crawler url resolve: bad BASE: malformed URL '/relative': Bad "
         "scheme\n"},
    };
    for (const Case& c : cases) {
      CAPTURE(std::string(c.href));
      const Result r = Run({"resolve", c.base, c.href});
      CHECK(r.code == 1);
      CHECK(r.out == "");
      CHECK(r.err == c.err);
    }
    const Result r = Run({"resolve", "http://a/", std::string(9000, 'x')});
    CHECK(r.code == 1);
    CHECK(r.err ==
          "crawler url resolve: URL longer than 8192 bytes (limit url "
          "max_length)\n");
  }

  TEST_CASE("usage errors exit 2 and name the problem") {
    struct Case {
      std::vector<std::string> args;
      const char* err;
    };
    const Case cases[] = {
        {{},
         "crawler url: missing subcommand (expected: resolve) (see crawler "
         "url --help)\n"},
        {{"parse", "http://a/"},
         "crawler url: unknown subcommand 'parse' (expected: resolve) (see "
         "crawler url --help)\n"},
        {{"--verbose"},
         "crawler url: unknown flag '--verbose' (expected: resolve) (see "
         "crawler url --help)\n"},
        {{"resolve"},
         "crawler url: resolve: expected BASE and HREF, got 0 arguments (see "
         "crawler url --help)\n"},
        {{"resolve", "http://a/"},
         "crawler url: resolve: expected BASE and HREF, got 1 argument (see "
         "crawler url --help)\n"},
        {{"resolve", "http://a/", "b", "c"},
         "crawler url: resolve: expected BASE and HREF, got 3 arguments (see "
         "crawler url --help)\n"},
        {{"resolve", "--bogus", "http://a/", "b"},
         "crawler url: resolve: unknown flag '--bogus' (put -- before an HREF "
         "that starts with '-') (see crawler url --help)\n"},
        {{"resolve", "http://a/", "b", "--strip-param"},
         "crawler url: resolve: --strip-param needs a GLOB (see crawler url "
         "--help)\n"},
    };
    for (const Case& c : cases) {
      const Result r = Run(c.args);
      CHECK(r.code == 2);
      CHECK(r.out == "");
      CHECK(r.err == c.err);
    }
  }

  TEST_CASE("--help prints the usage and exits 0") {
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"--help"},
          {"-h"},
          {"resolve", "--help"},
          {"resolve", "http://a/", "b", "-h"}}) {
      const Result r = Run(args);
      CHECK(r.code == 0);
      CHECK(r.out == UrlUsage());
      CHECK(r.err == "");
    }
    CHECK(std::string(UrlUsage()).rfind("Usage: crawler url resolve", 0) == 0);
    // After "--", "--help" is an HREF.
    const Result r = Run({"resolve", "--", "http://a/b/", "--help"});
    CHECK(r.code == 0);
    CHECK(r.out == "http://a/b/--help\n");
  }
}

}  // namespace
}  // namespace crawler::cli
