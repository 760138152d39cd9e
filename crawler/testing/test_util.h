// Helpers shared by the doctest suites.
#ifndef CRAWLER_TESTING_TEST_UTIL_H_
#define CRAWLER_TESTING_TEST_UTIL_H_

#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "crawler/base/status.h"

// CHECK_OK(expr): fails the test (and continues) with the status text.
#define CHECK_OK(expr)                                 \
  do {                                                 \
    ::crawler::Status s_ = (expr);                     \
    CHECK_MESSAGE(s_.ok(), s_.ToString());             \
  } while (0)
#define REQUIRE_OK(expr)                               \
  do {                                                 \
    ::crawler::Status s_ = (expr);                     \
    REQUIRE_MESSAGE(s_.ok(), s_.ToString());           \
  } while (0)

namespace crawler::testing {

// A writable scratch directory: $TEST_TMPDIR under Bazel, /tmp otherwise.
inline std::string TempDir() {
  const char* d = std::getenv("TEST_TMPDIR");
  return d != nullptr ? d : "/tmp";
}

}  // namespace crawler::testing

#endif  // CRAWLER_TESTING_TEST_UTIL_H_
