// The broker stopped (SIGSTOP) with every connection open, then killed and restarted
// (issue 9, fault battery): for the whole stall nobody is declared dead (the core's
// `nodes_dead` counter does not move: a core that cannot hear the broker judges no one),
// ingest resumes after the restart, and once the bounded sources have drained the invariant
// check holds. 15 s in the default run, 60 s under the label `fault`.
#include <doctest/doctest.h>
#include <signal.h>

#include "fault_util.h"
#include "invariants.h"
#include "site.h"

namespace tern::testing {

TEST_SUITE("fault_broker") {
  TEST_CASE("fault: broker stalled by SIGSTOP then killed and restarted: nobody dead (scaled)") {
    const int kStall = FaultScale(15, 60);
    const int64_t kRate = 1000;
    const int64_t kPerEdge = kRate * (kStall + 25);  // sources run through the stall and past it
    Site site(4, {"source.synthetic.rate=" + std::to_string(kRate),
                  "source.synthetic.max_records=" + std::to_string(kPerEdge),
                  "replication.timeout=2s", "uplink.timeout=3s"});
    REQUIRE(site.StartAll());
    auto acks = [&] {
      int64_t n = 0;
      for (int i = 0; i < site.edges(); ++i) n += site.EdgeCounter(i, "grade_core");
      return n;
    };
    REQUIRE(Site::WaitFor(
        60, [&] { return acks() > 20 && site.CoreStatus().value("broker_heard", false); }));
    const int64_t dead_before = site.CoreCounter("nodes_dead");
    const pid_t pid = site.broker().pid();
    REQUIRE(pid > 0);
    REQUIRE(::kill(pid, SIGSTOP) == 0);
    MESSAGE("broker stalled for " << kStall << " s");
    // The stall lasts its full length unless someone is declared dead meanwhile.
    const bool dead_during =
        Site::WaitFor(kStall, [&] { return site.CoreCounter("nodes_dead") != dead_before; });
    site.broker().Kill(true);  // SIGKILL ends a stopped process too
    REQUIRE(site.broker().Restart());
    const int64_t before = acks();
    CHECK(Site::WaitFor(120, [&] { return acks() > before + 20; }));  // ingest resumes
    const bool settled = Site::WaitFor(240, [&] { return site.Settled(4 * kPerEdge); });
    site.StopAll();
    INFO("core log: " << site.LogTail("core", 40));
    CHECK_FALSE(dead_during);
    CHECK(site.CoreCounter("nodes_dead") == dead_before);
    REQUIRE(settled);
    InvariantResult inv = CheckInvariants(site);
    INFO("invariants: " << inv.Report());
    CHECK(inv.ok());
    CHECK(inv.under_replicated.empty());
    CHECK(inv.missing.empty());
    CHECK(inv.records >= 4 * kPerEdge);
  }
}

}  // namespace tern::testing
