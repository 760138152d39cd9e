// RunWorker with an exchange archive (WorkerOptions::archive, `--warc`):
// every response's exchanges are archived before its result goes out, the
// archive is closed at the end, and an archive failure stops the worker
// with FailedPrecondition.
#include <signal.h>
#include <sys/socket.h>

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "crawler/fetch/fetcher.h"
#include "crawler/ipc/messages.h"
#include "crawler/mp/pipe.h"
#include "crawler/testing/test_util.h"
#include "crawler/warc/exchange_archive.h"
#include "crawler/worker/worker.h"

namespace crawler::worker {
namespace {

// Answers every request at once with one captured exchange.
class ExchangeFetcher : public fetch::Fetcher {
 public:
  void Start(fetch::FetchRequest request) override {
    fetch::FetchResponse r;
    r.id = request.id;
    r.url = request.url;
    r.final_url = request.url;
    r.status = 200;
    r.content_type = "text/plain";
    r.body = "body of " + request.url;
    r.bytes = r.body.size();
    fetch::Exchange e;
    e.url = request.url;
    e.request = "GET / HTTP/1.1\r\n\r\n";
    e.response = "HTTP/1.1 200 OK\r\n\r\n" + r.body;
    r.exchanges.push_back(e);
    ready_.push_back(std::move(r));
  }
  std::vector<fetch::FetchResponse> Poll(int, int) override {
    std::vector<fetch::FetchResponse> out(ready_.begin(), ready_.end());
    ready_.clear();
    return out;
  }
  int InFlight() const override { return static_cast<int>(ready_.size()); }

 private:
  std::deque<fetch::FetchResponse> ready_;
};

// What the archive saw.
struct Seen {
  std::vector<std::string> urls;
  int closes = 0;
  int made = 0;
};

class RecordingArchive : public warc::ExchangeArchive {
 public:
  RecordingArchive(Seen* seen, int fail_after)
      : seen_(seen), fail_after_(fail_after) {}
  Status Archive(const std::vector<fetch::Exchange>& exchanges) override {
    if (fail_after_ >= 0 &&
        static_cast<int>(seen_->urls.size()) >= fail_after_) {
      return Status(Code::kUnavailable,
                    "cannot write 'x.warc.gz.open': No space left on device");
    }
    for (const fetch::Exchange& e : exchanges) seen_->urls.push_back(e.url);
    return Status::Ok();
  }
  Status Close() override {
    ++seen_->closes;
    return Status::Ok();
  }

 private:
  Seen* seen_;
  int fail_after_;
};

struct Run {
  Status status;
  std::vector<ipc::FetchResult> results;
};

// Sends `urls` as tasks, closes the input, runs the worker here, collects
// the results. Restores the signal dispositions RunWorker changes.
Run RunWith(const WorkerOptions& options,
            const std::vector<std::string>& urls) {
  auto ends = mp::Pipe();
  REQUIRE(ends.ok());
  mp::Connection& coordinator = ends->first;
  for (size_t i = 0; i < urls.size(); ++i) {
    ipc::FetchTask t;
    t.id = i;
    t.url = urls[i];
    REQUIRE_OK(coordinator.Send(ipc::Encode(t)));
  }
  REQUIRE(::shutdown(coordinator.fd(), SHUT_WR) == 0);
  struct sigaction old_int, old_term;
  sigaction(SIGINT, nullptr, &old_int);
  sigaction(SIGTERM, nullptr, &old_term);
  ExchangeFetcher fetcher;
  Run run;
  run.status = RunWorker(ends->second, fetcher, options);
  ends->second.Close();
  std::string frame;
  while (coordinator.Recv(&frame, 1000).ok()) {
    ipc::FetchResult r;
    REQUIRE_OK(ipc::Decode(frame, &r));
    run.results.push_back(std::move(r));
  }
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  return run;
}

WorkerOptions WithArchive(Seen* seen, int fail_after = -1) {
  WorkerOptions o;
  o.archive =
      [seen, fail_after]() -> StatusOr<std::unique_ptr<warc::ExchangeArchive>> {
    ++seen->made;
    return std::unique_ptr<warc::ExchangeArchive>(
        new RecordingArchive(seen, fail_after));
  };
  return o;
}

TEST_SUITE("Worker archive") {
  TEST_CASE("every exchange is archived, once, and the archive closed") {
    Seen seen;
    const std::vector<std::string> urls = {"http://a.test/1", "http://a.test/2",
                                           "http://a.test/3"};
    Run run = RunWith(WithArchive(&seen), urls);
    CHECK_OK(run.status);
    CHECK(run.results.size() == 3);
    CHECK(seen.made == 1);
    CHECK(seen.urls == urls);
    CHECK(seen.closes == 1);
  }

  TEST_CASE("no archive: nothing is made") {
    Run run = RunWith(WorkerOptions(), {"http://a.test/1"});
    CHECK_OK(run.status);
    CHECK(run.results.size() == 1);
  }

  TEST_CASE("a worker with an archive ignores SIGTERM while it works") {
    Seen seen;
    WorkerOptions o = WithArchive(&seen);
    struct sigaction seen_term = {};
    o.archive =
        [&seen,
         &seen_term]() -> StatusOr<std::unique_ptr<warc::ExchangeArchive>> {
      sigaction(SIGTERM, nullptr, &seen_term);
      return std::unique_ptr<warc::ExchangeArchive>(
          new RecordingArchive(&seen, -1));
    };
    Run run = RunWith(o, {"http://a.test/1"});
    CHECK_OK(run.status);
    const bool ignored = seen_term.sa_handler == SIG_IGN;
    CHECK(ignored);
  }

  TEST_CASE("an archive that fails stops the worker: FailedPrecondition") {
    Seen seen;
    Run run =
        RunWith(WithArchive(&seen, /*fail_after=*/1),
                {"http://a.test/1", "http://a.test/2", "http://a.test/3"});
    CHECK(run.status.code() == Code::kFailedPrecondition);
    CHECK(run.status.message() ==
          "warc: cannot write 'x.warc.gz.open': No space left on device");
    CHECK(seen.urls.size() == 1);
    CHECK(seen.closes == 0);         // The file stays as it is.
    CHECK(run.results.size() == 1);  // The failed page's result is not sent.
  }

  TEST_CASE("an archive that cannot be made: FailedPrecondition") {
    WorkerOptions o;
    o.archive = []() -> StatusOr<std::unique_ptr<warc::ExchangeArchive>> {
      return Status(Code::kUnavailable, "cannot create 'x': Permission denied");
    };
    Run run = RunWith(o, {"http://a.test/1"});
    CHECK(run.status.code() == Code::kFailedPrecondition);
    CHECK(run.status.message() == "warc: cannot create 'x': Permission denied");
    CHECK(run.results.empty());
  }
}

}  // namespace
}  // namespace crawler::worker
