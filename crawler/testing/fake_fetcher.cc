#include "crawler/testing/fake_fetcher.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <string>
#include <string_view>
#include <utility>

namespace crawler::testing {
namespace {

// Parses all of `s` as a non-negative decimal integer, or returns -1.
int64_t ParseNumber(std::string_view s) {
  int64_t n = -1;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size() || n < 0) return -1;
  return n;
}

void Crash() {
  ::raise(SIGKILL);
  ::_exit(137);  // Not reached.
}

void SetError(fetch::FetchResponse* r, const std::string& error_class,
              Code code, Tag tag, const std::string& what) {
  r->error_class = error_class;
  r->error = Status(code, error_class + ": " + r->url + ": " + what, tag);
}

}  // namespace

FakeFetcher::FakeFetcher(fetch::FetchOptions options)
    : options_(std::move(options)) {}

void FakeFetcher::Start(fetch::FetchRequest request) {
  ++started_;
  Transfer t;
  fetch::FetchResponse& r = t.response;
  r.id = request.id;
  r.url = std::move(request.url);
  r.final_url = r.url;

  std::string_view u = r.url;
  size_t scheme_end = u.find("://");
  std::string_view path;
  std::string_view query;
  if (scheme_end != std::string_view::npos) {
    std::string_view rest = u.substr(scheme_end + 3);
    size_t slash = rest.find('/');
    path = slash == std::string_view::npos ? "/" : rest.substr(slash);
    size_t q = path.find('?');
    if (q != std::string_view::npos) {
      query = path.substr(q + 1);
      path = path.substr(0, q);
    }
  }
  auto after = [&](std::string_view prefix, std::string_view* tail) {
    if (path.substr(0, prefix.size()) != prefix) return false;
    *tail = path.substr(prefix.size());
    return true;
  };

  std::string_view tail;
  auto respond = [&](int status, std::string content_type, std::string body) {
    r.status = status;
    r.content_type = std::move(content_type);
    r.bytes = body.size();
    if (options_.keep_body) r.body = std::move(body);
  };
  if (scheme_end == std::string_view::npos) {
    SetError(&r, "bad_url", Code::kInvalidArgument, Tag::kPermanent,
             "not an absolute URL");
  } else if (after("/page/", &tail) && ParseNumber(tail) >= 0) {
    int64_t n = ParseNumber(tail);
    respond(200, "text/html; charset=utf-8",
            "<!DOCTYPE html><html><head><title>Page " + std::to_string(n) +
                "</title></head><body>"
                "<a href=\"/page/" +
                std::to_string(n + 1) + "\">next</a> <a href=\"../page/" +
                std::to_string(n + 2) +
                "\">after</a> <a "
                "href=\"http://fake.test/status/404\">missing</a>"
                "</body></html>");
  } else if (after("/status/", &tail) && ParseNumber(tail) >= 100 &&
             ParseNumber(tail) <= 599) {
    int status = static_cast<int>(ParseNumber(tail));
    respond(status, "text/plain", "status " + std::to_string(status));
  } else if (after("/slow/", &tail) && ParseNumber(tail) >= 0) {
    t.duration_ms = ParseNumber(tail);
    if (t.duration_ms > options_.total_timeout_ms) {
      t.duration_ms = options_.total_timeout_ms;
      SetError(&r, "timeout", Code::kDeadlineExceeded, Tag::kRetryable,
               "no response within " +
                   std::to_string(options_.total_timeout_ms) + " ms");
    } else {
      respond(200, "text/plain", "slept " + std::string(tail) + " ms");
    }
  } else if (path == "/crash") {
    Crash();
  } else if (path == "/crash-once") {
    std::string marker;
    if (query.substr(0, 7) == "marker=") marker = query.substr(7);
    if (marker.empty()) {
      SetError(&r, "other", Code::kInvalidArgument, Tag::kPermanent,
               "crash-once needs ?marker=PATH");
    } else {
      int fd =
          ::open(marker.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
      if (fd >= 0) {
        ::close(fd);
        Crash();
      }
      if (errno == EEXIST) {
        respond(200, "text/plain", "survived");
      } else {
        SetError(&r, "other", Code::kInternal, Tag::kPermanent,
                 "cannot create marker " + marker);
      }
    }
  } else if (path == "/error") {
    SetError(&r, "connect_failed", Code::kUnavailable, Tag::kRetryable,
             "connection refused");
  } else if (path == "/dns-error") {
    SetError(&r, "dns_failed", Code::kUnavailable, Tag::kRetryable,
             "Could not resolve host");
  } else {
    respond(404, "text/plain", "not found");
  }
  queued_.push_back(std::move(t));
  Activate();
}

void FakeFetcher::Activate() {
  const size_t limit =
      static_cast<size_t>(std::max(options_.max_concurrency, 1));
  while (!queued_.empty() && active_.size() < limit) {
    Transfer t = std::move(queued_.front());
    queued_.pop_front();
    t.started_at = Clock::now();
    t.finish_at = t.started_at + std::chrono::milliseconds(t.duration_ms);
    active_.push_back(std::move(t));
  }
  max_active_seen_ =
      std::max(max_active_seen_, static_cast<int>(active_.size()));
}

void FakeFetcher::Collect(std::vector<fetch::FetchResponse>* out) {
  const Clock::time_point now = Clock::now();
  auto finished = [&](const Transfer& t) { return t.finish_at <= now; };
  for (Transfer& t : active_) {
    if (!finished(t)) continue;
    t.response.elapsed_ms = t.duration_ms;
    out->push_back(std::move(t.response));
  }
  active_.erase(std::remove_if(active_.begin(), active_.end(), finished),
                active_.end());
}

std::vector<fetch::FetchResponse> FakeFetcher::Poll(int wake_fd,
                                                    int timeout_ms) {
  std::vector<fetch::FetchResponse> out;
  const Clock::time_point deadline =
      Clock::now() + std::chrono::milliseconds(std::max(timeout_ms, 0));
  while (true) {
    // Collecting frees slots, which may start queued transfers that are
    // already finished (duration 0): collect again until nothing changes.
    size_t before;
    do {
      before = out.size();
      Activate();
      Collect(&out);
    } while (out.size() != before);
    if (!out.empty()) return out;
    if (active_.empty() && wake_fd < 0) return out;
    const Clock::time_point now = Clock::now();
    if (now >= deadline) return out;
    Clock::time_point next = deadline;
    for (const Transfer& t : active_) next = std::min(next, t.finish_at);
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(next - now);
    pollfd p{wake_fd, POLLIN, 0};
    int n = ::poll(wake_fd >= 0 ? &p : nullptr, wake_fd >= 0 ? 1 : 0,
                   static_cast<int>(wait.count()));
    if (n > 0) {
      Activate();
      Collect(&out);
      return out;
    }
  }
}

int FakeFetcher::InFlight() const {
  return static_cast<int>(queued_.size() + active_.size());
}

}  // namespace crawler::testing
