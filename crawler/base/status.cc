#include "crawler/base/status.h"

#include <cstring>

namespace crawler {

const char* CodeName(Code code) {
  switch (code) {
    case Code::kOk: return "OK";
    case Code::kInvalidArgument: return "InvalidArgument";
    case Code::kNotFound: return "NotFound";
    case Code::kFailedPrecondition: return "FailedPrecondition";
    case Code::kDeadlineExceeded: return "DeadlineExceeded";
    case Code::kUnavailable: return "Unavailable";
    case Code::kClosed: return "Closed";
    case Code::kResourceExhausted: return "ResourceExhausted";
    case Code::kDataLoss: return "DataLoss";
    case Code::kInternal: return "Internal";
  }
  return "Unknown";
}

const char* TagName(Tag tag) {
  switch (tag) {
    case Tag::kNone: return "none";
    case Tag::kRetryable: return "retryable";
    case Tag::kPermanent: return "permanent";
    case Tag::kRobotsDisallowed: return "robots-disallowed";
    case Tag::kWorkerLost: return "worker-lost";
  }
  return "unknown";
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  return Status(code_, std::string(context) + ": " + message_, tag_);
}

Status Status::WithTag(Tag tag) const {
  Status s = *this;
  s.tag_ = tag;
  return s;
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(CodeName(code_)) + ": " + message_;
}

Status ErrnoError(std::string_view what, int errno_value) {
  std::string m(what);
  m += ": ";
  m += std::strerror(errno_value);
  Code code = Code::kInternal;
  if (errno_value == ENOENT) code = Code::kNotFound;
  if (errno_value == EINVAL) code = Code::kInvalidArgument;
  return Status(code, std::move(m));
}

}  // namespace crawler
