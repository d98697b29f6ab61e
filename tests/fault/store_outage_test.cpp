// A brief outage of one store (issue 9, fault battery): edge-1 stopped by SIGSTOP for 20 s,
// well inside `membership.dead_after` (60 s here), then resumed. Repair starts only for a
// dead holder, so the core requests no repair copy (`repair_copies_requested` stays 0:
// absent, it reads 0), nobody is declared dead, and once the bounded sources drain nothing
// acked is lost and the invariant check holds.
#include <doctest/doctest.h>
#include <signal.h>

#include "fault_util.h"
#include "invariants.h"
#include "site.h"

namespace tern::testing {

TEST_SUITE("fault_outage") {
  TEST_CASE("fault: a store out for 20 s (SIGSTOP) inside dead_after: zero repair copies") {
    const int64_t kPerEdge = 1000 * 40;
    Site site(
        4,
        {"source.synthetic.rate=1000", "source.synthetic.max_records=" + std::to_string(kPerEdge),
         "replication.timeout=2s", "uplink.timeout=3s"},
        {"membership.suspect_after=3s", "membership.dead_after=60s"});
    REQUIRE(site.StartAll());
    auto acks = [&] {
      int64_t n = 0;
      for (int i = 0; i < site.edges(); ++i) n += site.EdgeCounter(i, "grade_core");
      return n;
    };
    REQUIRE(Site::WaitFor(60, [&] { return acks() > 20; }));
    std::set<ChunkId> acked_before;
    site.ReadManifest(&acked_before);
    const int64_t dead_before = site.CoreCounter("nodes_dead");
    REQUIRE(site.SignalEdge(1, SIGSTOP));
    // The outage lasts 20 s unless a repair copy is requested meanwhile.
    const bool repaired_during =
        Site::WaitFor(20, [&] { return site.CoreCounter("repair_copies_requested") != 0; });
    REQUIRE(site.SignalEdge(1, SIGCONT));
    const bool settled = Site::WaitFor(180, [&] { return site.Settled(4 * kPerEdge); });
    const int64_t repairs = site.CoreCounter("repair_copies_requested");
    site.StopAll();
    INFO("core log: " << site.LogTail("core", 40));
    CHECK_FALSE(repaired_during);
    CHECK(repairs == 0);
    CHECK(site.CoreCounter("nodes_dead") == dead_before);
    REQUIRE(settled);
    InvariantResult inv = CheckInvariants(site);
    INFO("invariants: " << inv.Report());
    CHECK(inv.ok());
    CHECK(inv.under_replicated.empty());
    CHECK(inv.missing.empty());
    std::set<ChunkId> acked_after;
    site.ReadManifest(&acked_after);
    int64_t lost = 0;
    for (const auto& id : acked_before) lost += acked_after.count(id) ? 0 : 1;
    CHECK(lost == 0);
  }
}

}  // namespace tern::testing
