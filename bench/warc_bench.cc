// warc_bench: the CPU that --warc's own work takes per exchange, without
// the crawl around it: each part of the archive path measured alone, in a
// loop, on the benchmark site's pages (crawl_bench.sh's generated site)
// made into 200 responses with the headers nginx sends. What a crawl pays
// on top (bench/flag_cost.sh) is these parts plus the capture in the
// fetcher and the effects on the rest of the worker; these figures are the
// floor.
//
//   deflate      one response record into a gzip member at the default
//                level 1 (igzip level 0), GzipCompressor::Compress
//   stored       the same as stored blocks (level 0: CRC-32 and a copy)
//   records      the request and response records of an exchange, fields
//                and both SHA-1 digests (ExchangeRecords)
//   archive L1   NewWarcArchive(level 1).Archive(exchange): all of the
//                above and the write(2) into a file in OUT_DIR
//   archive L0   the same with stored members
//
// The pages are cycled `reps` times through a set of `pages` (default 150,
// about 2.3 MB: they stay in the CPU's caches, as a page just received
// does). With --gzip, each page's .gz beside it (bench/flag_cost.sh --gzip
// makes them) is the body, with Content-Encoding: gzip.
//
// Usage: warc_bench SITE_DIR OUT_DIR [--pages N] [--reps N] [--gzip]
// Prints microseconds of process CPU (user + system) per exchange.
#include <dirent.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "crawler/base/status.h"
#include "crawler/fetch/fetcher.h"
#include "crawler/warc/gzip_member.h"
#include "crawler/warc/warc_archive.h"
#include "crawler/warc/warc_options.h"

namespace {

double CpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Up to `n` page files of the site (SECTION/page-N.html), sorted.
std::vector<std::string> PagePaths(const std::string& site, size_t n) {
  std::vector<std::string> out;
  DIR* top = ::opendir(site.c_str());
  if (top == nullptr) return out;
  std::vector<std::string> sections;
  while (dirent* e = ::readdir(top)) {
    const std::string name = e->d_name;
    if (name != "." && name != ".." && name.find('.') == std::string::npos) {
      sections.push_back(site + "/" + name);
    }
  }
  ::closedir(top);
  std::sort(sections.begin(), sections.end());
  for (const std::string& dir : sections) {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) continue;
    std::vector<std::string> pages;
    while (dirent* e = ::readdir(d)) {
      const std::string name = e->d_name;
      if (name.size() > 5 && name.substr(name.size() - 5) == ".html") {
        pages.push_back(dir + "/" + name);
      }
    }
    ::closedir(d);
    std::sort(pages.begin(), pages.end());
    // A few from each section, until there are enough.
    for (size_t i = 0; i < pages.size() && i < 8; ++i) out.push_back(pages[i]);
  }
  std::sort(out.begin(), out.end());
  if (out.size() > n) out.resize(n);
  return out;
}

crawler::fetch::Exchange MakeExchange(const std::string& path,
                                      const std::string& body, bool gzip) {
  crawler::fetch::Exchange e;
  const std::string target = path.substr(path.rfind('/', path.rfind('/') - 1));
  e.url = "http://127.0.0.1:8080" + target;
  e.ip_address = "127.0.0.1";
  e.sent_unix_us = 1795705449000007LL;
  e.request = "GET " + target +
              " HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: crawler/0.1.0 "
              "(+https://example.invalid/bot)\r\nAccept: */*\r\n"
              "Accept-Encoding: deflate, gzip, br, zstd\r\n\r\n";
  e.response =
      "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\n"
      "Date: Thu, 26 Nov 2026 15:04:09 GMT\r\n"
      "Content-Type: text/html\r\nContent-Length: " +
      std::to_string(body.size()) +
      "\r\nLast-Modified: Wed, 25 Nov 2026 10:00:00 GMT\r\n"
      "Connection: keep-alive\r\nETag: \"6740a9e0-3d2a\"\r\n" +
      (gzip ? "Content-Encoding: gzip\r\n" : "") +
      "Accept-Ranges: bytes\r\n\r\n" + body;
  return e;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace crawler;
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: warc_bench SITE_DIR OUT_DIR [--pages N] [--reps N] "
                 "[--gzip]\n");
    return 2;
  }
  const std::string site = argv[1];
  const std::string out_dir = argv[2];
  size_t pages = 150;
  int reps = 40;
  bool gzip = false;
  for (int i = 3; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--pages" && i + 1 < argc) {
      pages = std::strtoul(argv[++i], nullptr, 10);
    } else if (a == "--reps" && i + 1 < argc) {
      reps = std::atoi(argv[++i]);
    } else if (a == "--gzip") {
      gzip = true;
    } else {
      std::fprintf(stderr, "warc_bench: unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  std::vector<fetch::Exchange> exchanges;
  size_t body_bytes = 0;
  for (const std::string& path : PagePaths(site, pages)) {
    const std::string body = ReadFile(gzip ? path + ".gz" : path);
    if (body.empty()) {
      std::fprintf(stderr, "warc_bench: cannot read %s%s\n", path.c_str(),
                   gzip ? ".gz (bench/flag_cost.sh --gzip makes them)" : "");
      return 1;
    }
    body_bytes += body.size();
    exchanges.push_back(MakeExchange(path, body, gzip));
  }
  if (exchanges.empty()) {
    std::fprintf(stderr,
                 "warc_bench: no pages under %s (bench/crawl_bench.sh or "
                 "bench/flag_cost.sh generates the site)\n",
                 site.c_str());
    return 1;
  }
  std::printf("%zu pages%s, %.0f body bytes on average, %d passes\n",
              exchanges.size(), gzip ? " (gzip)" : "",
              static_cast<double>(body_bytes) / exchanges.size(), reps);

  int failures = 0;
  // Runs `step` over every exchange `reps` times (after one pass to warm
  // up) and prints the CPU per exchange.
  auto measure = [&](const char* name,
                     const std::function<Status(size_t)>& step) {
    for (size_t i = 0; i < exchanges.size(); ++i) {
      if (!step(i).ok()) ++failures;
    }
    const double t0 = CpuSeconds();
    for (int r = 0; r < reps; ++r) {
      for (size_t i = 0; i < exchanges.size(); ++i) {
        Status s = step(i);
        if (!s.ok()) {
          if (failures++ == 0) {
            std::fprintf(stderr, "warc_bench: %s: %s\n", name,
                         s.ToString().c_str());
          }
        }
      }
    }
    const double us = (CpuSeconds() - t0) * 1e6 /
                      (static_cast<double>(reps) * exchanges.size());
    std::printf("%-12s %7.2f us per exchange\n", name, us);
  };

  std::string member;
  auto level1 = warc::GzipCompressor::Create(1);
  auto level0 = warc::GzipCompressor::Create(0);
  if (!level1.ok() || !level0.ok()) return 1;
  measure("deflate", [&](size_t i) {
    member.clear();
    return (*level1)->Compress({exchanges[i].response}, &member);
  });
  measure("stored", [&](size_t i) {
    member.clear();
    return (*level0)->Compress({exchanges[i].response}, &member);
  });
  measure("records", [&](size_t i) {
    std::vector<warc::WarcWriter::Record> rs =
        warc::ExchangeRecords(exchanges[i], "<urn:uuid:a>", "<urn:uuid:b>");
    return rs.size() == 2 ? Status::Ok() : InternalError("no records");
  });
  // Archive() takes a vector: one per exchange, made before measuring.
  std::vector<std::vector<fetch::Exchange>> singles;
  for (const fetch::Exchange& e : exchanges) singles.push_back({e});
  for (int level : {1, 0}) {
    warc::WarcOptions o;
    o.prefix = out_dir + "/bench-l" + std::to_string(level);
    o.compression_level = level;
    auto archive = warc::NewWarcArchive(o);
    if (!archive.ok()) {
      std::fprintf(stderr, "warc_bench: %s\n",
                   archive.status().ToString().c_str());
      return 1;
    }
    measure(level == 1 ? "archive L1" : "archive L0",
            [&](size_t i) { return (*archive)->Archive(singles[i]); });
    if (!(*archive)->Close().ok()) ++failures;
  }
  return failures == 0 ? 0 : 1;
}
