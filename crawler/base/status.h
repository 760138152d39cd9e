// Status and StatusOr<T>: errors as values.
//
// A Status is either OK or carries a Code (what kind of failure), a Tag (what
// the caller should do about it: retry, give up, ...) and a human-readable
// message that says what failed, where, and what to do next. Functions that can
// fail return Status or StatusOr<T>; nothing in //crawler throws across a
// package boundary.
//
// Thread-safety: a const Status may be read from many threads; mutation needs
// external synchronisation, like any value type.
#ifndef CRAWLER_BASE_STATUS_H_
#define CRAWLER_BASE_STATUS_H_

#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace crawler {

// Broad kind of failure, used for exit codes and messages.
enum class Code {
  kOk = 0,
  kInvalidArgument,     // The caller passed something malformed.
  kNotFound,            // A file, key or resource does not exist.
  kFailedPrecondition,  // The system is not in a state to do this.
  kDeadlineExceeded,    // A timeout expired.
  kUnavailable,         // A peer or resource is (maybe temporarily) gone.
  kClosed,              // A queue, pipe or pool was closed.
  kResourceExhausted,   // A size or count limit was reached.
  kDataLoss,            // Bytes were corrupt or truncated.
  kInternal,            // A bug or an unexpected system error.
};

// What a caller should do about a failure. Policy (retry, drop, requeue)
// branches on the tag, never on the message text.
enum class Tag {
  kNone = 0,
  kRetryable,        // Transient: timeouts, resets, 5xx; try again later.
  kPermanent,        // Will fail again: bad URL, 4xx; record and move on.
  kRobotsDisallowed, // robots.txt forbids the fetch.
  kWorkerLost,       // The process doing the work died.
};

class Status {
 public:
  Status() = default;  // OK.
  Status(Code code, std::string message, Tag tag = Tag::kNone)
      : code_(code), tag_(tag), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  Tag tag() const { return tag_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "context: message"; OK stays OK.
  Status WithContext(std::string_view context) const;
  // Returns a copy with the given tag.
  Status WithTag(Tag tag) const;

  // "InvalidArgument: message" (or "OK").
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  Tag tag_ = Tag::kNone;
  std::string message_;
};

const char* CodeName(Code code);
const char* TagName(Tag tag);

inline Status InvalidArgumentError(std::string m) {
  return Status(Code::kInvalidArgument, std::move(m), Tag::kPermanent);
}
inline Status NotFoundError(std::string m) {
  return Status(Code::kNotFound, std::move(m));
}
inline Status FailedPreconditionError(std::string m) {
  return Status(Code::kFailedPrecondition, std::move(m));
}
inline Status DeadlineExceededError(std::string m) {
  return Status(Code::kDeadlineExceeded, std::move(m), Tag::kRetryable);
}
inline Status UnavailableError(std::string m) {
  return Status(Code::kUnavailable, std::move(m), Tag::kRetryable);
}
inline Status ClosedError(std::string m) {
  return Status(Code::kClosed, std::move(m));
}
inline Status ResourceExhaustedError(std::string m) {
  return Status(Code::kResourceExhausted, std::move(m));
}
inline Status DataLossError(std::string m) {
  return Status(Code::kDataLoss, std::move(m));
}
inline Status InternalError(std::string m) {
  return Status(Code::kInternal, std::move(m));
}
// An error from a failed system call: "what: strerror(errno_value)".
Status ErrnoError(std::string_view what, int errno_value);

// Either a T or a non-OK Status.
template <typename T>
class StatusOr {
 public:
  StatusOr(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  StatusOr(Status status) : status_(std::move(status)) {  // NOLINT
    if (status_.ok()) status_ = InternalError("StatusOr built from OK status");
  }

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  // REQUIRES: ok(). Aborts otherwise (a programming error).
  T& value() & {
    CheckOk();
    return *value_;
  }
  const T& value() const& {
    CheckOk();
    return *value_;
  }
  T&& value() && {
    CheckOk();
    return std::move(*value_);
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  void CheckOk() const {
    if (!status_.ok()) std::abort();
  }
  Status status_;
  std::optional<T> value_;
};

}  // namespace crawler

#define CRAWLER_CONCAT_INNER_(a, b) a##b
#define CRAWLER_CONCAT_(a, b) CRAWLER_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` yields a non-OK Status.
#define RETURN_IF_ERROR(expr)                          \
  do {                                                 \
    ::crawler::Status crawler_status_ = (expr);        \
    if (!crawler_status_.ok()) return crawler_status_; \
  } while (0)

// ASSIGN_OR_RETURN(auto x, Foo()): assigns the value or returns the error.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL_(CRAWLER_CONCAT_(crawler_statusor_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                           \
  if (!tmp.ok()) return tmp.status();          \
  lhs = std::move(tmp).value()

#endif  // CRAWLER_BASE_STATUS_H_
