// state_bench: what the crawl state (crawler/state, --state) costs per URL,
// without the network: for N URLs, one Queue() when the URL is discovered
// and one Fetched() `lag` URLs later (a breadth-first frontier runs well
// ahead of the fetches, so the two writes of a URL fall into different
// batches), a Commit() every `commit_every` calls (the coordinator commits
// every second: about 14,000 calls at 7,000 pages/s), then a second run
// that loads the state back (ForEachUrl), as a resumed or re-crawl run
// does, and walks the links kept (Vanish: the end of a complete run,
// vanished URLs). URLs have the benchmark site's shape
// (/sectionN/page-M.html, in no key order) and a referrer each.
//
// Each page keeps `links` links (FetchedUrl::links; the coordinator
// fingerprints them and encodes the BLOB, which is counted in the write
// path): page i links pages 2i+1 and 2i+2 (a tree: every page is reached)
// and others picked at random.
//
// Usage: state_bench [N] [commit_every] [links] [lag]
//        (defaults 20000, 14000, 30 and N/3; links 0: none kept, as before
//        schema version 2)
// Prints the process's CPU microseconds per URL for the write path (the
// caller's thread and the store's writer thread together) and the load,
// and the CPU of the walk.
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "crawler/state/state_store.h"

namespace {

double CpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

double WallSeconds() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace crawler;
  const long n = argc > 1 ? std::atol(argv[1]) : 20000;
  const long every = argc > 2 ? std::atol(argv[2]) : 14000;
  const long links = argc > 3 ? std::atol(argv[3]) : 30;
  const long lag = argc > 4 ? std::atol(argv[4]) : n / 3;
  // The benchmark site's shape: 20 sections, page numbers in no order.
  auto url_of = [n](long i) {
    const long page = (i * 7919) % (n > 0 ? n : 1);
    return "http://127.0.0.1:8080/section" + std::to_string(page % 20) +
           "/page-" + std::to_string(page) + ".html";
  };
  // The links of each page, as the worker would return them (URLs).
  std::vector<std::vector<std::string>> link_urls(n);
  {
    std::mt19937 rng(7);
    std::uniform_int_distribution<long> pick(0, n - 1);
    for (long i = 0; i < n && links > 0; ++i) {
      std::vector<std::string>& l = link_urls[i];
      if (2 * i + 1 < n) l.push_back(url_of(2 * i + 1));
      if (2 * i + 2 < n) l.push_back(url_of(2 * i + 2));
      while (static_cast<long>(l.size()) < links)
        l.push_back(url_of(pick(rng)));
    }
  }
  char tmpl[] = "/tmp/state_bench.XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return 1;
  const std::string dir = std::string(tmpl) + "/state";
  {
    auto store = state::OpenStateStore(dir);
    if (!store.ok()) {
      std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
      return 1;
    }
    (void)(*store)->BeginRun(1, "out.jsonl");
    const double c0 = CpuSeconds(), w0 = WallSeconds();
    long calls = 0;
    // As a crawl does it: a URL is queued when discovered and recorded
    // `lag` URLs later (a breadth-first frontier runs well ahead of the
    // fetches), so its two writes fall into different batches.
    auto fetched = [&](long i) {
      state::FetchedUrl f;
      f.url = url_of(i);
      f.depth = 3;
      f.referrer = url_of(i / 2);
      f.status = 200;
      f.fetch_ms = 1764115200000 + i;
      f.verdict.change = state::Change::kNew;
      f.verdict.next.ok_status = 200;
      f.verdict.next.content_hash = "xxh128:3111caffaaca16e1c2bf1becc671a112";
      f.verdict.next.etag = "\"5f3a-1b2c\"";
      f.verdict.next.last_modified = "Tue, 24 Nov 2026 10:00:00 GMT";
      f.verdict.next.interval_s = 86400;
      f.next_due_ms = f.fetch_ms + 86400000;
      if (links > 0) {
        std::vector<uint64_t> fps;
        fps.reserve(link_urls[i].size());
        for (const std::string& l : link_urls[i]) {
          fps.push_back(state::LinkFingerprint(l));
        }
        f.links = state::EncodeLinks(std::move(fps));
      }
      return (*store)->Fetched(f);
    };
    for (long i = 0; i < n + lag; ++i) {
      Status s;
      if (i < n) {
        s = (*store)->Queue(url_of(i), 3, url_of(i / 2));
        ++calls;
      }
      if (s.ok() && i >= lag) {
        s = fetched(i - lag);
        ++calls;
      }
      if (s.ok() && calls % every < 2) s = (*store)->Commit(calls * 300);
      if (!s.ok()) {
        std::fprintf(stderr, "%s\n", s.ToString().c_str());
        return 1;
      }
    }
    (void)(*store)->EndRun(2, "done", 0, {}, 0);
    const double cpu = CpuSeconds() - c0, wall = WallSeconds() - w0;
    std::printf(
        "write: %ld URLs (Queue + Fetched, %ld links kept each), commit "
        "every %ld calls: %.3f s CPU, %.3f s wall, %.2f us CPU per URL\n",
        n, links, every, cpu, wall, cpu / n * 1e6);
  }
  {
    auto store = state::OpenStateStore(dir);
    const double c0 = CpuSeconds();
    long rows = 0;
    (void)(*store)->ForEachUrl([&](state::KnownUrl&&) { ++rows; });
    const double cpu = CpuSeconds() - c0;
    std::printf("load: %ld URLs in %.3f s CPU, %.2f us per URL\n", rows, cpu,
                cpu / (rows > 0 ? rows : 1) * 1e6);
    // The end of a complete run: read every URL's links, walk from the
    // seed, mark what is not reached (nothing here: a tree spans them).
    (void)(*store)->BeginRun(3, "out.jsonl");
    const double c1 = CpuSeconds(), w1 = WallSeconds();
    StatusOr<state::WalkResult> walk = (*store)->Vanish(
        {url_of(0)}, [](const std::string&, int, const std::string&) {
          return Status::Ok();
        });
    (void)(*store)->EndRun(4, "done", 0, {}, 0);
    const double wcpu = CpuSeconds() - c1, wwall = WallSeconds() - w1;
    if (!walk.ok()) {
      std::fprintf(stderr, "%s\n", walk.status().ToString().c_str());
      return 1;
    }
    std::printf(
        "walk: %lld URLs x %ld links, %lld reached, %lld vanished: %.3f s "
        "CPU, %.3f s wall\n",
        static_cast<long long>(walk->urls), links,
        static_cast<long long>(walk->reached),
        static_cast<long long>(walk->vanished), wcpu, wwall);
  }
  std::string cmd = std::string("rm -rf ") + tmpl;
  return std::system(cmd.c_str()) == 0 ? 0 : 1;
}
