// An edge restarted on an empty data directory (issue 9, fault battery): edge-0 is killed,
// its data directory deleted, and it starts again (its certificate lets it back in as the
// same node with a new, empty store). No (origin, source, seq) may be acked twice: the
// restarted source starts above the core's marks (a gap is allowed, a duplicate is not), and
// the site keeps acking edge-0's new data. Its lost copies are listed by the invariant check
// as under-replicated with the reason; repairing them is the repair scenarios' job.
#include <doctest/doctest.h>

#include <filesystem>

#include "fault_util.h"
#include "invariants.h"
#include "site.h"

namespace tern::testing {

TEST_SUITE("fault_empty_dir") {
  TEST_CASE("fault: an edge restarted on an empty data directory: no sequence reuse, acks go on") {
    const int64_t kPerEdge = 1000 * 30;
    Site site(4, {"source.synthetic.rate=1000",
                  "source.synthetic.max_records=" + std::to_string(kPerEdge),
                  "replication.timeout=1s", "uplink.timeout=2s"});
    REQUIRE(site.StartAll());
    REQUIRE(Site::WaitFor(60, [&] { return site.EdgeAddr(0) != 0; }));
    const uint32_t addr = site.EdgeAddr(0);
    REQUIRE(Site::WaitFor(90, [&] { return site.EdgeCounter(0, "grade_core") >= 30; }));

    site.KillEdge(0, 9);
    std::error_code ec;
    std::filesystem::remove_all(site.EdgeDir(0), ec);
    REQUIRE_FALSE(ec);
    REQUIRE(site.StartEdge(0));
    // The new store's chunks are acked again (its status.json is new: the directory was).
    CHECK(Site::WaitFor(90, [&] { return site.EdgeCounter(0, "grade_core") >= 30; }));
    const bool settled = Site::WaitFor(180, [&] { return site.Settled(4 * kPerEdge); });
    site.StopAll();
    INFO("core log: " << site.LogTail("core", 40));
    INFO("edge-0 log: " << site.LogTail("edge-0", 20));
    REQUIRE(settled);
    CHECK(site.EdgeAddr(0) == addr);

    InvariantOptions opt;
    opt.lost_stores[0] = "data directory deleted, the store came back empty";
    opt.gaps_allowed.insert(addr);
    InvariantResult inv = CheckInvariants(site, opt);
    INFO("invariants: " << inv.Report());
    CHECK(inv.ok());  // among others: no (origin, source, seq) acked under two ids
    CHECK(inv.missing.empty());
    MESSAGE("empty data directory: " << inv.under_replicated.size()
                                     << " chunks wait for repair (listed with the reason)");
  }
}

}  // namespace tern::testing
