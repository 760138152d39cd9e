// Helpers shared by the doctest suites.
#ifndef CRAWLER_TESTING_TEST_UTIL_H_
#define CRAWLER_TESTING_TEST_UTIL_H_

#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

#include "crawler/base/status.h"

// CHECK_OK(expr): fails the test (and continues) with the status text.
#define CHECK_OK(expr)                     \
  do {                                     \
    ::crawler::Status s_ = (expr);         \
    CHECK_MESSAGE(s_.ok(), s_.ToString()); \
  } while (0)
#define REQUIRE_OK(expr)                     \
  do {                                       \
    ::crawler::Status s_ = (expr);           \
    REQUIRE_MESSAGE(s_.ok(), s_.ToString()); \
  } while (0)

namespace crawler::testing {

// A writable scratch directory: $TEST_TMPDIR under Bazel, /tmp otherwise.
inline std::string TempDir() {
  const char* d = std::getenv("TEST_TMPDIR");
  return d != nullptr ? d : "/tmp";
}

// What a command function (`int Run...Command(args, out, err)`) returned
// and wrote.
struct Captured {
  int code = -1;
  std::string out;
  std::string err;
};

// Calls fn(out, err) with two temporary files and reads them back.
template <typename Fn>
Captured Capture(Fn fn) {
  std::FILE* out = std::tmpfile();
  std::FILE* err = std::tmpfile();
  REQUIRE(out != nullptr);
  REQUIRE(err != nullptr);
  Captured c;
  c.code = fn(out, err);
  for (auto [f, s] : {std::pair{out, &c.out}, std::pair{err, &c.err}}) {
    std::fflush(f);
    std::rewind(f);
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s->append(buf, n);
    std::fclose(f);
  }
  return c;
}

}  // namespace crawler::testing

#endif  // CRAWLER_TESTING_TEST_UTIL_H_
