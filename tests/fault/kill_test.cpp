// kill -9 of edges at random moments during ingest (issue 9, fault battery): four edges
// ingest while one after another is killed without warning and restarted at once, after a
// random delay drawn from a seeded RNG (the seed is printed; TERN_FAULT_SEED repeats it).
// 100 kill points in the default run, 1,000 under the label `fault`. At the end each edge
// is killed once more and restarted with its source off, so the site comes to rest; once
// every outbox has drained, every copy made beyond three during the churn must be gone
// again (excess_pending 0: deletes lost at a kill are asked again, holders whose `dropped`
// notice was lost are removed), the invariant check (invariants.h, which forbids a phantom
// holder) must hold, and every chunk seen acked during the run must still be acked on three
// stores.
#include <doctest/doctest.h>

#include <filesystem>
#include <random>
#include <set>
#include <sstream>

#include "fault_util.h"
#include "invariants.h"
#include "site.h"

namespace tern::testing {

TEST_SUITE("fault_kill") {
  TEST_CASE("fault: kill -9 of edges at random moments during ingest (scaled)") {
    const int kKills = FaultScale(100, 1000);
    const uint64_t seed = FaultSeed();
    MESSAGE("kill -9: " << kKills << " kill points, seed " << seed
                        << " (TERN_FAULT_SEED repeats it)");
    std::mt19937_64 rng(seed);
    Site site(4, {"source.synthetic.rate=2000", "replication.timeout=1s", "uplink.timeout=2s"});
    REQUIRE(site.StartAll());
    REQUIRE(Site::WaitFor(60, [&] {
      for (int i = 0; i < site.edges(); ++i) {
        if (site.EdgeAddr(i) == 0) return false;
      }
      std::set<ChunkId> a;
      site.ReadManifest(&a);
      return a.size() >= 20;
    }));

    std::set<ChunkId> seen_acked;
    std::ostringstream schedule;  // "edge@delay_ms" per kill, printed on failure
    for (int k = 0; k < kKills; ++k) {
      const int edge = k % site.edges();
      const auto delay_ms = static_cast<int>(20 + rng() % 700);
      HoldFault(delay_ms / 1000.0);
      site.KillEdge(edge, 9);
      REQUIRE_MESSAGE(site.StartEdge(edge), "restart of edge-" << edge << " after kill " << k);
      schedule << " " << edge << "@" << delay_ms;
      if (k % 10 == 9) site.ReadManifest(&seen_acked);
    }
    site.ReadManifest(&seen_acked);
    // Come to rest: one more kill each, back with the source off (the outbox still ships).
    for (int i = 0; i < site.edges(); ++i) {
      site.KillEdge(i, 9);
      // The dead process's status.json would read as drained until the new one writes.
      std::filesystem::remove(site.EdgeDir(i) + "/status.json");
      REQUIRE(site.StartEdgeWith(i, {"source.synthetic.enabled=false"}));
    }
    INFO("kill schedule (edge@delay ms):" << schedule.str());
    // Drained: every outbox empty, the core's queues empty (excess copies aside: below).
    const bool drained = Site::WaitFor(180, [&] {
      for (int i = 0; i < site.edges(); ++i) {
        if (!site.EdgeRunning(i)) return false;
      }
      if (!site.Drained(0)) return false;
      auto c = site.CoreStatus();
      return c.contains("scheduler") && c["scheduler"].value("queued", 1) == 0 &&
             c.value("results_placing", 1) == 0 && c.value("spool_depth", 1) == 0;
    });
    // Copies made beyond three during the churn are dropped again: a delete lost at a kill
    // is asked again after 10 s (AckPolicy::kDeleteRetryMs), so this is a generous bound.
    const bool settled = drained && Site::WaitFor(120, [&] { return site.Settled(0); });
    const nlohmann::json core = site.CoreStatus();
    site.StopAll();
    INFO("core log: " << site.LogTail("core", 30));
    INFO("core status at the end of the wait: scheduler "
         << core.value("scheduler", nlohmann::json()) << ", results_placing "
         << core.value("results_placing", -1) << ", spool_depth " << core.value("spool_depth", -1)
         << ", excess_pending " << core.value("excess_pending", -1) << ", counters "
         << core.value("counters", nlohmann::json()));
    REQUIRE(drained);
    CHECK_MESSAGE(settled, "excess_pending still " << core.value("excess_pending", -1)
                                                   << " 120 s after the outboxes drained");

    InvariantResult inv = CheckInvariants(site);
    INFO("invariants: " << inv.Report());
    CHECK(inv.ok());
    CHECK(inv.under_replicated.empty());
    CHECK(inv.missing.empty());
    // Nothing seen acked during the run has gone.
    std::set<ChunkId> acked_now;
    site.ReadManifest(&acked_now);
    int64_t gone = 0;
    for (const auto& id : seen_acked) gone += acked_now.count(id) ? 0 : 1;
    CHECK(gone == 0);
    const nlohmann::json counters = core.value("counters", nlohmann::json::object());
    MESSAGE("kill -9: " << seen_acked.size() << " chunks seen acked during the run; excess "
                        << "copies found " << counters.value("excess_copies_found", 0)
                        << ", removed " << counters.value("excess_copies_removed", 0)
                        << ", deletes retried " << counters.value("excess_delete_retries", 0)
                        << ", cleared " << counters.value("excess_requests_cleared", 0) << "; "
                        << inv.Report());
  }
}

}  // namespace tern::testing
