#include "crawler/base/status.h"

#include <cerrno>

#include "crawler/testing/test_util.h"

namespace crawler {
namespace {

StatusOr<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgumentError("odd: " + std::to_string(x));
  return x / 2;
}

Status Quarter(int x, int* out) {
  ASSIGN_OR_RETURN(int h, Half(x));
  ASSIGN_OR_RETURN(*out, Half(h));
  return Status::Ok();
}

TEST_CASE("Status: OK by default, errors carry code, tag and context") {
  CHECK(Status().ok());
  Status s = UnavailableError("peer gone").WithContext("fetch http://a/");
  CHECK_FALSE(s.ok());
  CHECK(s.code() == Code::kUnavailable);
  CHECK(s.tag() == Tag::kRetryable);
  CHECK(s.ToString() == "Unavailable: fetch http://a/: peer gone");
  CHECK(s.WithTag(Tag::kWorkerLost).tag() == Tag::kWorkerLost);
  CHECK(ErrnoError("open x", ENOENT).code() == Code::kNotFound);
}

TEST_CASE("StatusOr and the macros propagate the first error") {
  int out = 0;
  CHECK_OK(Quarter(8, &out));
  CHECK(out == 2);
  Status s = Quarter(6, &out);
  CHECK(s.code() == Code::kInvalidArgument);
  CHECK(s.message() == "odd: 3");
}

}  // namespace
}  // namespace crawler
