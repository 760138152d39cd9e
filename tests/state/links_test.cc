// The links kept per page and the walk over them (vanished URLs).
#include "crawler/state/links.h"

#include <doctest/doctest.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "crawler/frontier/seen_set.h"

namespace crawler::state {
namespace {

TEST_CASE("a links BLOB round-trips, sorted and without duplicates") {
  CHECK(EncodeLinks({}).empty());
  CHECK(DecodeLinks("").empty());
  const uint64_t a = LinkFingerprint("http://a.test/");
  const uint64_t b = LinkFingerprint("http://a.test/b");
  const uint64_t big = 0xfedcba9876543210ULL;
  const std::string blob = EncodeLinks({b, a, big, a, 1});
  CHECK(blob.size() == 4 * 8);
  std::vector<uint64_t> want = {a, b, big, 1};
  std::sort(want.begin(), want.end());
  CHECK(DecodeLinks(blob) == want);
  // Little-endian: 1 is the byte 01 then seven zeros.
  CHECK(EncodeLinks({1}) == std::string("\x01\0\0\0\0\0\0\0", 8));
  // A trailing partial entry is ignored.
  CHECK(DecodeLinks(blob + "abc") == want);
}

TEST_CASE("link fingerprints are the frontier's") {
  CHECK(LinkFingerprint("http://a.test/x") ==
        frontier::Fingerprint("http://a.test/x"));
  CHECK(LinkFingerprint("http://a.test/x") !=
        LinkFingerprint("http://a.test/y"));
}

// Nodes 0..n-1 named by their number.
uint64_t N(int i) {
  return LinkFingerprint("http://a.test/" + std::to_string(i));
}

TEST_CASE(
    "the walk reaches what the roots link to, transitively, and no more") {
  // 0 -> 1 -> 2 -> 0 (a cycle), 3 -> 1 (nothing links to 3), 4 alone,
  // 1 -> a URL the state does not know.
  const std::vector<uint64_t> nodes = {N(0), N(1), N(2), N(3), N(4)};
  const std::vector<std::string> links = {
      EncodeLinks({N(1)}), EncodeLinks({N(2), N(99)}), EncodeLinks({N(0)}),
      EncodeLinks({N(1)}), ""};
  CHECK(Reach(nodes, links, {N(0)}) == std::vector<char>{1, 1, 1, 0, 0});
  CHECK(Reach(nodes, links, {N(3)}) == std::vector<char>{1, 1, 1, 1, 0});
  CHECK(Reach(nodes, links, {N(4), N(42)}) == std::vector<char>{0, 0, 0, 0, 1});
  CHECK(Reach(nodes, links, {}) == std::vector<char>{0, 0, 0, 0, 0});
}

TEST_CASE("the walk over 100,000 URLs x 30 links (time printed)") {
  const int n = 100000;
  std::vector<uint64_t> nodes(n);
  for (int i = 0; i < n; ++i) nodes[i] = N(i);
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> pick(0, n - 1);
  std::vector<std::string> links(n);
  for (int i = 0; i < n; ++i) {
    std::vector<uint64_t> out;
    // A tree (every node i > 0 is linked from i / 2), plus random links.
    if (2 * i + 1 < n) out.push_back(nodes[2 * i + 1]);
    if (2 * i + 2 < n) out.push_back(nodes[2 * i + 2]);
    while (out.size() < 30) out.push_back(nodes[pick(rng)]);
    links[i] = EncodeLinks(std::move(out));
  }
  timespec t0, t1;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
  const std::vector<char> reached = Reach(nodes, links, {nodes[0]});
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
  int count = 0;
  for (char c : reached) count += c;
  CHECK(count == n);
  std::printf(
      "Reach: %d URLs x 30 links in %.1f ms CPU\n", n,
      ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / 1e6);
}

}  // namespace
}  // namespace crawler::state
