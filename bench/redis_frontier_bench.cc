// redis_frontier_bench: what the Redis frontier costs, against a real
// redis-server on this machine. Prints figures; it is not a test.
//
//   bazel run -c opt //bench:redis_frontier_bench            # own server
//   bazel run -c opt //bench:redis_frontier_bench -- redis://127.0.0.1:6379/0
//
// With no URL it starts a redis-server of its own on a free loopback port
// (no persistence) and stops it at the end. With a URL it uses crawl names
// "bench-*" there and deletes their keys first.
//
// Measures:
//  1. Seen-set memory per URL: INFO memory's used_memory before and after
//     MarkSeen() of N fingerprints, for several seen_bucket_bits, and a
//     plain one-key SET of the same fingerprints for comparison.
//  2. Add throughput as the coordinator calls it: per fetched page, 30
//     links, Contains() first, then Add() of those not known locally; most
//     links are already seen (site navigation).
//  3. Lease throughput: Lease + Release + Done per URL over many hosts, with
//     and without ClaimRecord (one round trip per page) before Done.
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "crawler/base/clock.h"
#include "crawler/base/status.h"
#include "crawler/frontier/redis_frontier.h"
#include "crawler/redis/redis_client.h"
#include "tests/redis/redis_server.h"

namespace {

using crawler::SystemClock;
using crawler::frontier::CrawlItem;
using crawler::frontier::FrontierOptions;
using crawler::frontier::RedisFrontier;
using crawler::frontier::RedisFrontierOptions;
using crawler::redis::HiredisClient;

double Since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t)
      .count();
}

int64_t UsedMemory(HiredisClient& c) {
  auto r = c.Command({"INFO", "memory"});
  if (!r.ok()) return -1;
  const std::string key = "used_memory:";
  size_t at = r->str.find(key);
  if (at == std::string::npos) return -1;
  return std::stoll(r->str.substr(at + key.size()));
}

void DeleteCrawl(HiredisClient& c, const std::string& name) {
  const std::string pattern = "crawler:{" + name + "}:*";
  std::string cursor = "0";
  do {
    auto r = c.Command({"SCAN", cursor, "MATCH", pattern, "COUNT", "10000"});
    if (!r.ok() || r->elements.size() != 2) return;
    cursor = r->elements[0].str;
    std::vector<std::vector<std::string>> dels;
    for (const auto& k : r->elements[1].elements)
      dels.push_back({"UNLINK", k.str});
    if (!dels.empty()) c.Pipeline(dels);
  } while (cursor != "0");
}

std::unique_ptr<RedisFrontier> Make(const std::string& url,
                                    const std::string& name, int bits,
                                    const SystemClock& clock,
                                    FrontierOptions f = {.delay_s = 0}) {
  RedisFrontierOptions o;
  o.crawl_name = name;
  o.node_id = "bench";
  o.seen_bucket_bits = bits;
  auto r = RedisFrontier::Create(url, f, o, clock);
  if (!r.ok()) {
    std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(r).value();
}

void Memory(const std::string& url, HiredisClient& admin, int64_t n, int bits,
            const SystemClock& clock) {
  const std::string name = "bench-mem";
  DeleteCrawl(admin, name);
  admin.Command({"MEMORY", "PURGE"});
  const int64_t before = UsedMemory(admin);
  auto f = Make(url, name, bits, clock);
  for (int64_t i = 0; i < n; ++i) {
    f->MarkSeen("https://host" + std::to_string(i % 1000) + ".example/page/" +
                std::to_string(i));
  }
  if (!f->Flush().ok()) std::fprintf(stderr, "flush failed\n");
  f.reset();
  // The node's heartbeat and counters are a few hundred bytes in all.
  const int64_t after = UsedMemory(admin);
  std::printf("seen-set  %8lld URLs  bucket_bits %2d  %6.1f bytes/URL\n",
              static_cast<long long>(n), bits,
              static_cast<double>(after - before) / static_cast<double>(n));
  DeleteCrawl(admin, name);
}

void PlainSet(HiredisClient& admin, int64_t n) {
  const std::string key = "bench-plain-set";
  admin.Command({"UNLINK", key});
  admin.Command({"MEMORY", "PURGE"});
  const int64_t before = UsedMemory(admin);
  std::mt19937_64 rng(1);
  std::vector<std::vector<std::string>> batch;
  for (int64_t i = 0; i < n; ++i) {
    // 64-bit fingerprints as 8-byte binary strings.
    uint64_t fp = rng();
    batch.push_back(
        {"SADD", key, std::string(reinterpret_cast<char*>(&fp), 8)});
    if (batch.size() == 1000) {
      admin.Pipeline(batch);
      batch.clear();
    }
  }
  admin.Pipeline(batch);
  const int64_t after = UsedMemory(admin);
  std::printf("plain SET %8lld URLs  (one key)       %6.1f bytes/URL\n",
              static_cast<long long>(n),
              static_cast<double>(after - before) / static_cast<double>(n));
  admin.Command({"UNLINK", key});
}

void Adds(const std::string& url, HiredisClient& admin, int pages,
          const SystemClock& clock) {
  const std::string name = "bench-add";
  DeleteCrawl(admin, name);
  auto f = Make(url, name, 16, clock);
  std::mt19937 rng(7);
  int64_t links = 0, adds = 0, fresh = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int p = 0; p < pages; ++p) {
    const std::string host =
        "https://site" + std::to_string(p % 50) + ".example";
    for (int l = 0; l < 30; ++l) {
      // 24 navigation links (a few hundred pages per site, seen soon),
      // 6 links to new pages.
      std::string u = l < 24 ? host + "/nav/" + std::to_string(rng() % 200)
                             : host + "/item/" + std::to_string(fresh++);
      ++links;
      if (f->Contains(u)) continue;
      CrawlItem item;
      item.url = u;
      item.host = host;
      item.depth = 1;
      item.referrer = host + "/";
      f->Add(std::move(item));
      ++adds;
    }
  }
  if (!f->Flush().ok()) std::fprintf(stderr, "flush failed\n");
  const double s = Since(start);
  const auto st = f->stats();
  std::printf(
      "add       %d pages x 30 links: %.0f links/s, %.0f Add()s/s (%lld "
      "Add()s), %.4f round trips per link\n",
      pages, static_cast<double>(links) / s, static_cast<double>(adds) / s,
      static_cast<long long>(adds),
      static_cast<double>(st.round_trips) / static_cast<double>(links));
  f.reset();
  DeleteCrawl(admin, name);

  // Worst case: every link new.
  f = Make(url, name, 16, clock);
  const int64_t n = static_cast<int64_t>(pages) * 30;
  const auto start2 = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < n; ++i) {
    CrawlItem item;
    item.host = "https://site" + std::to_string(i % 1000) + ".example";
    item.url = item.host + "/new/" + std::to_string(i);
    item.depth = 2;
    f->Add(std::move(item));
  }
  if (!f->Flush().ok()) std::fprintf(stderr, "flush failed\n");
  const double s2 = Since(start2);
  std::printf(
      "add       %lld new URLs: %.0f Add()s/s, %.4f round trips per Add\n",
      static_cast<long long>(n), static_cast<double>(n) / s2,
      static_cast<double>(f->stats().round_trips) / static_cast<double>(n));
  f.reset();
  DeleteCrawl(admin, name);
}

void Leases(const std::string& url, HiredisClient& admin, int hosts,
            int per_host, bool claim, const SystemClock& clock) {
  const std::string name = "bench-lease";
  DeleteCrawl(admin, name);
  auto f = Make(url, name, 16, clock, {.delay_s = 0, .per_host = 1});
  for (int h = 0; h < hosts; ++h) {
    for (int i = 0; i < per_host; ++i) {
      CrawlItem item;
      item.host = "https://h" + std::to_string(h) + ".example";
      item.url = item.host + "/" + std::to_string(i);
      f->Add(std::move(item));
    }
  }
  if (!f->Flush().ok()) std::fprintf(stderr, "flush failed\n");
  const uint64_t trips_before = f->stats().round_trips;
  int64_t leased = 0;
  const auto start = std::chrono::steady_clock::now();
  while (true) {
    auto item = f->Lease(clock.Now());
    if (!item) {
      if (!f->NextReady().has_value()) break;
      continue;
    }
    ++leased;
    f->Release(item->host, {}, clock.Now());
    if (claim) f->ClaimRecord(item->url);
    f->Done(item->url);
  }
  const double s = Since(start);
  std::printf(
      "lease     %d hosts x %d URLs%s: %.0f leases/s, %.3f round trips per "
      "lease (%lld leased)\n",
      hosts, per_host, claim ? " + ClaimRecord" : "",
      static_cast<double>(leased) / s,
      static_cast<double>(f->stats().round_trips - trips_before) /
          static_cast<double>(leased),
      static_cast<long long>(leased));
  f.reset();
  DeleteCrawl(admin, name);
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  std::unique_ptr<crawler::testing::RedisServer> own;
  std::string url;
  if (argc > 1) {
    url = argv[1];
  } else {
    auto s = crawler::testing::RedisServer::Start();
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.status().ToString().c_str());
      return 1;
    }
    own = std::move(s).value();
    url = own->Url();
  }
  auto address = crawler::redis::ParseRedisUrl(url);
  if (!address.ok()) {
    std::fprintf(stderr, "%s\n", address.status().ToString().c_str());
    return 2;
  }
  HiredisClient admin(*address, {});
  auto version = admin.Command({"INFO", "server"});
  if (version.ok()) {
    size_t at = version->str.find("redis_version:");
    if (at != std::string::npos) {
      std::printf(
          "redis %s at %s\n",
          version->str.substr(at + 14, version->str.find('\r', at) - at - 14)
              .c_str(),
          url.c_str());
    }
  }
  SystemClock clock;
  for (int bits : {8, 12, 16}) Memory(url, admin, 100000, bits, clock);
  Memory(url, admin, 1000000, 12, clock);
  Memory(url, admin, 1000000, 16, clock);
  PlainSet(admin, 100000);
  PlainSet(admin, 1000000);
  Adds(url, admin, 20000, clock);
  Leases(url, admin, 1000, 50, false, clock);
  Leases(url, admin, 1000, 50, true, clock);
  Leases(url, admin, 10, 5000, false, clock);
  return 0;
}
