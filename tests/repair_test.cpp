// Repair with real processes (issue 9): a store lost for good (kill -9, its data directory
// deleted) has every acked chunk brought back to three good copies, checked in the stores'
// own SQLite files; a store that is only out for 20 s (less than membership.dead_after)
// makes no repair copy at all. These are the repair feature's own integration tests; the
// fault battery (tests/fault/store_loss_test.cpp, two_stores_lost_test.cpp) runs the loss
// scenarios again with the full invariant check and the repair order.
#include <doctest/doctest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <set>

#include "site.h"

namespace tern::testing {

namespace {

// Acked chunks with fewer than three copies in the stores of `live` (their own files).
size_t ShortOfThree(const Site& site, const std::vector<int>& live, size_t* acked_count) {
  std::set<ChunkId> acked;
  site.ReadManifest(&acked);
  std::map<ChunkId, int> copies;
  for (int i : live) {
    for (const auto& c : site.ReadStore(i)) ++copies[c.id];
  }
  size_t short_of = 0;
  for (const ChunkId& id : acked) short_of += copies[id] < 3;
  if (acked_count) *acked_count = acked.size();
  return short_of;
}

int64_t Acks(const Site& site) {
  int64_t n = 0;
  for (int i = 0; i < site.edges(); ++i) n += site.EdgeCounter(i, "grade_core");
  return n;
}

}  // namespace

TEST_SUITE("repair") {
  TEST_CASE("a store lost for good: every acked chunk is back at three copies in the stores") {
    Site site(5, {"source.synthetic.rate=200", "replication.timeout=2s", "uplink.timeout=3s"},
              {"membership.dead_after=5s", "repair.copy_timeout=5s"});
    REQUIRE(site.StartAll());
    REQUIRE(Site::WaitFor(60, [&] { return Acks(site) > 100; }));
    site.KillEdge(4, SIGKILL);
    std::error_code ec;
    std::filesystem::remove_all(site.EdgeDir(4), ec);
    REQUIRE_FALSE(ec);
    // Dead after 5 s; then repair copies its chunks from the others.
    REQUIRE(Site::WaitFor(60, [&] { return site.CoreCounter("repair_copies_done") > 0; }));
    size_t acked = 0, short_of = 0;
    auto next = std::chrono::steady_clock::now();
    const bool repaired = Site::WaitFor(180, [&] {
      if (std::chrono::steady_clock::now() < next) return false;  // the stores read every 2 s
      next = std::chrono::steady_clock::now() + std::chrono::seconds(2);
      short_of = ShortOfThree(site, {0, 1, 2, 3}, &acked);
      return short_of == 0 && site.CoreCounter("repair_queue") == 0;
    });
    INFO("acked " << acked << ", short of three copies " << short_of << ", queue "
                  << site.CoreCounter("repair_queue") << "\ncore log:\n"
                  << site.LogTail("core", 40));
    CHECK(repaired);
    CHECK(acked > 0);
    CHECK(site.CoreCounter("repair_copies_done") >= 1);
    CHECK(site.CoreCounter("missing_chunks") == 0);
    site.StopAll();
  }

  TEST_CASE("a store out for 20 s (less than dead_after) makes no repair copy") {
    Site site(5, {"source.synthetic.rate=200", "replication.timeout=2s", "uplink.timeout=3s"},
              {"membership.dead_after=60s"});
    REQUIRE(site.StartAll());
    REQUIRE(Site::WaitFor(60, [&] { return Acks(site) > 100; }));
    site.KillEdge(4, SIGKILL);
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    Site::WaitFor(40, [&] { return std::chrono::steady_clock::now() >= until; });
    REQUIRE(site.StartEdge(4));
    const int64_t before = Acks(site);
    REQUIRE(Site::WaitFor(60, [&] { return Acks(site) > before + 50; }));
    INFO("core log:\n" << site.LogTail("core", 40));
    CHECK(site.CoreCounter("repair_copies_requested") == 0);
    CHECK(site.CoreCounter("nodes_dead") == 0);
    site.StopAll();
  }
}

}  // namespace tern::testing
