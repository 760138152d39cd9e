#include "crawler/mp/shared_stats.h"

#include "crawler/mp/process.h"
#include "crawler/testing/test_util.h"

namespace crawler::mp {
namespace {

// Ten processes updating shared values (the tutorial's Manager example).
TEST_CASE("SharedStats: ten processes update counters and gauges") {
  auto stats = SharedStats::Create({"pages", "bytes", "in_flight", "peak"});
  REQUIRE(stats.ok());
  SharedStats& s = **stats;
  const int pages = s.Slot("pages"), bytes = s.Slot("bytes"),
            peak = s.Slot("peak");
  CHECK(s.Slot("nope") == -1);
  std::vector<std::unique_ptr<Process>> procs;
  for (int p = 0; p < 10; ++p) {
    procs.push_back(std::make_unique<Process>([&, p] {
      for (int i = 0; i < 10000; ++i) {
        s.Add(pages, 1);
        s.Add(bytes, 100);
        s.Max(peak, p * 10000 + i);
      }
      s.Set(s.Slot("in_flight"), 5);
      return 0;
    }));
    REQUIRE_OK(procs.back()->Start());
  }
  for (auto& p : procs) CHECK_OK(p->Join());
  CHECK(s.Get(pages) == 100000);
  CHECK(s.Get(bytes) == 10000000);
  CHECK(s.Get(peak) == 99999);
  auto snap = s.Snapshot();
  REQUIRE(snap.size() == 4);
  CHECK(snap[2].first == "in_flight");
  CHECK(snap[2].second == 5);
}

TEST_CASE("SharedStats: duplicate or empty names are refused") {
  CHECK(SharedStats::Create({"a", "a"}).status().code() ==
        Code::kInvalidArgument);
  CHECK(SharedStats::Create({""}).status().code() == Code::kInvalidArgument);
}

}  // namespace
}  // namespace crawler::mp
