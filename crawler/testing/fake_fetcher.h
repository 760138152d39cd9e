// FakeFetcher: a fetch::Fetcher that serves canned responses without a
// network, for tests of the worker and the coordinator.
//
// Responses by URL (host and scheme are ignored; the path decides):
//   /page/N             200 text/html, <title>Page N</title> and 3 followable
//                       links (/page/N+1, ../page/N+2, and an absolute
//                       http://fake.test/status/404).
//   /status/N           HTTP status N, text/plain body "status N".
//   /slow/MS            200 text/plain, finishes MS ms after its transfer
//                       starts; a timeout error if MS exceeds
//                       FetchOptions::total_timeout_ms.
//   /crash              raise(SIGKILL) inside Start() (a worker crash).
//   /crash-once?marker=PATH
//                       creates PATH and crashes like /crash if PATH did not
//                       exist yet; otherwise 200 text/plain.
//   /error              connect_failed error (Unavailable, kRetryable).
//   /dns-error          dns_failed error (Unavailable, kRetryable), as for a
//                       host name that does not resolve.
//   anything else       404 text/plain.
//
// Start/Poll/InFlight follow fetcher.h: at most max_concurrency transfers are
// active, the rest wait in a FIFO (their clocks not yet running); Poll waits
// with poll(2) on wake_fd until the next transfer finishes or the timeout
// expires, and returns as soon as at least one response is ready.
//
// Thread-safety: not thread-safe, like every Fetcher.
#ifndef CRAWLER_TESTING_FAKE_FETCHER_H_
#define CRAWLER_TESTING_FAKE_FETCHER_H_

#include <chrono>
#include <cstdint>
#include <deque>
#include <vector>

#include "crawler/fetch/fetch_options.h"
#include "crawler/fetch/fetcher.h"

namespace crawler::testing {

class FakeFetcher : public fetch::Fetcher {
 public:
  explicit FakeFetcher(fetch::FetchOptions options = {});

  void Start(fetch::FetchRequest request) override;
  std::vector<fetch::FetchResponse> Poll(int wake_fd, int timeout_ms) override;
  int InFlight() const override;

  // Most transfers ever active at once (never above max_concurrency).
  int max_active_seen() const { return max_active_seen_; }
  // Requests started so far.
  int started() const { return started_; }

 private:
  using Clock = std::chrono::steady_clock;
  struct Transfer {
    fetch::FetchResponse response;  // Complete except elapsed_ms.
    int64_t duration_ms = 0;        // From activation to completion.
    Clock::time_point started_at;
    Clock::time_point finish_at;
  };

  // Moves queued transfers into free active slots.
  void Activate();
  // Moves finished active transfers into *out.
  void Collect(std::vector<fetch::FetchResponse>* out);

  fetch::FetchOptions options_;
  std::deque<Transfer> queued_;
  std::vector<Transfer> active_;
  int max_active_seen_ = 0;
  int started_ = 0;
};

}  // namespace crawler::testing

#endif  // CRAWLER_TESTING_FAKE_FETCHER_H_
