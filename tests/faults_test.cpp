// Faults mid-run, with real processes: the broker restarted, a peer killed, the core killed.
// Once they are back, every chunk is on exactly three stores, the manifest equals the
// stores, no record is lost or duplicated, and nothing that was acknowledged is lost.
#include <doctest/doctest.h>

#include <thread>

#include "site.h"
#include "tern/common/bytes.h"

namespace tern::testing {
namespace {
void Sleep(double s) { std::this_thread::sleep_for(std::chrono::duration<double>(s)); }
}  // namespace

TEST_SUITE("faults") {
  TEST_CASE("broker restart, peer kill -9, core kill -9 mid-run: nothing acked is lost") {
    const int64_t kPerEdge = 30000;
    Site site(4, {"source.synthetic.rate=4000",
                  "source.synthetic.max_records=" + std::to_string(kPerEdge),
                  "replication.timeout=1s", "uplink.timeout=2s"},
              {"membership.suspect_after=1s", "membership.dead_after=3s"});
    REQUIRE(site.StartAll());
    std::set<ChunkId> acked_before;
    auto snapshot = [&] {
      std::set<ChunkId> a;
      site.ReadManifest(&a);
      acked_before.insert(a.begin(), a.end());
    };

    Sleep(1.5);
    snapshot();
    site.broker().Kill(true);  // gateway dies
    Sleep(1.0);
    REQUIRE(site.broker().Restart());

    Sleep(1.5);
    snapshot();
    site.KillEdge(3, 9);  // a peer (and producer) dies without a goodbye
    Sleep(2.0);
    REQUIRE(site.StartEdge(3));

    Sleep(1.5);
    snapshot();
    site.KillCore(9);  // the core dies mid-transaction
    Sleep(1.5);
    REQUIRE(site.StartCore());

    bool drained = Site::WaitFor(120, [&] { return site.Settled(4 * kPerEdge); });
    site.StopAll();
    INFO("core log:\n" << site.LogOf("core").substr(0, 20000));
    REQUIRE(drained);
    REQUIRE_FALSE(acked_before.empty());

    SiteCheck c = CheckSite(site);
    INFO("problems:" << c.Report());
    CHECK(c.problems.empty());
    // Edges that ran throughout produced exactly their records; the killed one restarted its
    // source, so it has at least that many, still without gaps or duplicates (checked above).
    uint32_t killed = site.EdgeAddr(3);
    for (const auto& [src, n] : c.records_per_source) {
      if (src.rfind(std::to_string(killed) + "/", 0) == 0) {
        CHECK(n >= kPerEdge);
      } else {
        CHECK(n == kPerEdge);
      }
    }
    // Every chunk acknowledged before a fault still has its three copies.
    std::set<ChunkId> held;
    for (int i = 0; i < site.edges(); ++i) {
      for (const auto& sc : site.ReadStore(i)) held.insert(sc.id);
    }
    int lost = 0;
    for (const auto& id : acked_before) lost += held.count(id) ? 0 : 1;
    CHECK(lost == 0);
    MESSAGE("acked before faults: " << acked_before.size() << ", chunks at end: " << c.chunks
                                    << ", records: " << c.records);
  }
}
}  // namespace tern::testing
