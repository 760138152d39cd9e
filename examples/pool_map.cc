// Tutorial idea 8: Pool.map over a list of files, and over a list of URLs.
//
// Python:
//   with Pool() as pool: pool.map(make_thumbnail, image_paths)
//   with Pool() as pool: pool.map(fetch, urls)
//
// Usage:
//   pool_map files FILE...                     links in local HTML files
//   pool_map urls [--allow-private] URL...     fetch and parse with the
//                                              crawler's fetch stack
//
// `files`: each task reads one HTML file and counts its links with the
// crawler's extractor (html::ExtractHtml + IsFollowableHref), the analogue of
// the tutorial's thumbnail job: CPU work on one file per task.
//
// `urls`: each task fetches one URL with the crawler's libcurl Fetcher and
// turns the response into the record `crawler fetch` writes (status, title,
// followable links) with worker::BuildResult. Each pool worker creates its
// own Fetcher on its first task, after the fork, as crawler workers do.
// Connections to loopback and private addresses are refused unless
// --allow-private is given (the flag is set before the pool forks, so the
// workers inherit it). `crawler fetch` itself does the same job with
// per-worker pipes and many transfers per worker; see
// crawler/coordinator/fetch_job.h.
//
// Results are printed in input order (Map keeps it). Exit status: 0 when
// every task ran (a 404 or a refused connection is a result), 1 when a task
// failed, 2 on a usage error.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "crawler/fetch/curl_fetcher.h"
#include "crawler/fetch/fetch_options.h"
#include "crawler/fetch/fetcher.h"
#include "crawler/html/html_extractor.h"
#include "crawler/mp/codec.h"
#include "crawler/mp/pool.h"
#include "crawler/worker/worker.h"

namespace example {

// What a task returns. It crosses the process boundary through the Codec
// specialisation below: fields written one by one, never as raw bytes.
struct PageSummary {
  std::string name;  // File name or URL.
  int64_t status = 0;
  std::string title;
  int64_t hrefs = 0;       // Every <a>/<area> href.
  int64_t followable = 0;  // The ones a crawler could follow.
  std::string error;       // Empty when none.
};

}  // namespace example

template <>
struct crawler::mp::Codec<example::PageSummary> {
  static void Encode(const example::PageSummary& v, Encoder& e) {
    e.Bytes(v.name).I64(v.status).Bytes(v.title).I64(v.hrefs);
    e.I64(v.followable).Bytes(v.error);
  }
  static Status Decode(Decoder& d, example::PageSummary* v) {
    RETURN_IF_ERROR(d.Bytes(&v->name));
    RETURN_IF_ERROR(d.I64(&v->status));
    RETURN_IF_ERROR(d.Bytes(&v->title));
    RETURN_IF_ERROR(d.I64(&v->hrefs));
    RETURN_IF_ERROR(d.I64(&v->followable));
    return d.Bytes(&v->error);
  }
};

namespace example {
namespace {

bool g_allow_private = false;  // Set before the pool forks.

std::string BaseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Task: count the links of one HTML file.
PageSummary CountLinks(std::string path) {
  PageSummary out;
  out.name = BaseName(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    out.error = "cannot open " + path;
    return out;
  }
  std::stringstream body;
  body << in.rdbuf();
  auto doc = crawler::html::ExtractHtml(body.str());
  if (!doc.ok()) {
    out.error = doc.status().ToString();
    return out;
  }
  out.title = doc->title;
  out.hrefs = static_cast<int64_t>(doc->hrefs.size());
  for (const std::string& href : doc->hrefs) {
    out.followable += crawler::html::IsFollowableHref(href) ? 1 : 0;
  }
  return out;
}

// This worker process's Fetcher, created on first use (after the fork).
crawler::StatusOr<crawler::fetch::Fetcher*> WorkerFetcher() {
  static std::unique_ptr<crawler::fetch::Fetcher> fetcher;
  if (fetcher == nullptr) {
    crawler::fetch::FetchOptions options;
    options.allow_private_addresses = g_allow_private;
    options.max_concurrency = 1;
    options.total_timeout_ms = 10000;
    options.connect_timeout_ms = 5000;
    ASSIGN_OR_RETURN(fetcher, crawler::fetch::NewCurlFetcher(options));
  }
  return fetcher.get();
}

// Task: fetch one URL and summarise it as `crawler fetch` would.
PageSummary FetchUrl(std::string url) {
  PageSummary out;
  out.name = url;
  auto fetcher = WorkerFetcher();
  if (!fetcher.ok()) {
    out.error = fetcher.status().ToString();
    return out;
  }
  (*fetcher)->Start({.id = 1, .url = url});
  std::vector<crawler::fetch::FetchResponse> done;
  while (done.empty()) done = (*fetcher)->Poll(-1, 1000);
  auto result = crawler::worker::BuildResult(std::move(done.front()),
                                             /*want_links=*/false,
                                             crawler::html::HtmlOptions{});
  out.status = result.status;
  out.title = result.title;
  out.followable = result.links;
  out.error = result.error;
  return out;
}

int Usage() {
  std::fprintf(stderr,
               "usage: pool_map files FILE...\n"
               "       pool_map urls [--allow-private] URL...\n");
  return 2;
}

}  // namespace
}  // namespace example

int main(int argc, char** argv) {
  using namespace example;
  if (argc < 2) return Usage();
  const std::string mode = argv[1];
  std::vector<std::string> inputs;
  for (int i = 2; i < argc; ++i) {
    if (mode == "urls" && std::strcmp(argv[i], "--allow-private") == 0) {
      g_allow_private = true;
    } else {
      inputs.emplace_back(argv[i]);
    }
  }
  if ((mode != "files" && mode != "urls") || inputs.empty()) return Usage();

  auto pool = crawler::mp::Pool::Create({.processes = 2});
  if (!pool.ok()) {
    std::fprintf(stderr, "pool: %s\n", pool.status().ToString().c_str());
    return 1;
  }
  auto results = mode == "files" ? (*pool)->Map(&CountLinks, inputs)
                                 : (*pool)->Map(&FetchUrl, inputs);
  int failed = 0;
  int64_t total = 0;
  for (size_t i = 0; i < results.size(); ++i) {
    if (!results[i].ok()) {
      std::printf("%s: task failed: %s\n", inputs[i].c_str(),
                  results[i].status().ToString().c_str());
      ++failed;
      continue;
    }
    const PageSummary& r = *results[i];
    if (mode == "files") {
      std::printf("%s: \"%s\", %lld links, %lld followable", r.name.c_str(),
                  r.title.c_str(), static_cast<long long>(r.hrefs),
                  static_cast<long long>(r.followable));
    } else {
      std::printf("%s: status %lld, \"%s\", %lld followable links",
                  r.name.c_str(), static_cast<long long>(r.status),
                  r.title.c_str(), static_cast<long long>(r.followable));
    }
    if (!r.error.empty()) std::printf(", error: %s", r.error.c_str());
    std::printf("\n");
    total += r.followable;
  }
  std::printf("%zu %s, %lld followable links in all\n", results.size(),
              mode == "files" ? "files" : "URLs",
              static_cast<long long>(total));
  (*pool)->Close();
  if (crawler::Status s = (*pool)->Join(10000); !s.ok()) {
    std::fprintf(stderr, "join: %s\n", s.ToString().c_str());
    return 1;
  }
  return failed == 0 ? 0 : 1;
}
