// An edge restarted on an empty data directory (issue 9, fault battery): edge-0 is killed,
// its data directory deleted, and it starts again (its certificate lets it back in as the
// same node with a new, empty store). No (origin, source, seq) may be acked twice: the
// restarted source starts above the core's marks (a gap is allowed, a duplicate is not), and
// the site keeps acking edge-0's new data. The copies its old store held count as lost: the
// operator is told (core counter stores_returned_empty, WARN lines "came back with an empty
// store" and "removed N holder rows"), and repair brings every acked chunk back to three
// good copies (the invariant, with nothing declared lost: nothing under-replicated or
// missing).
#include <doctest/doctest.h>

#include <filesystem>

#include "fault_util.h"
#include "invariants.h"
#include "site.h"

namespace tern::testing {

TEST_SUITE("fault_empty_dir") {
  TEST_CASE(
      "fault: an edge restarted on an empty data directory: no sequence reuse, its lost copies "
      "repaired") {
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
    INFO("core log: " << site.LogTail("core", 40));
    INFO("edge-0 log: " << site.LogTail("edge-0", 20));
    REQUIRE(settled);
    CHECK(site.EdgeAddr(0) == addr);

    // The operator is told: a counter and the core's WARN lines.
    CHECK(site.CoreCounter("stores_returned_empty") == 1);
    const std::string core_log = site.LogOf("core");
    CHECK(core_log.find("'edge-0' (address " + std::to_string(addr) +
                        ") came back with an empty store") != std::string::npos);
    CHECK(core_log.find("holder rows of 'edge-0' (its old store's copies)") != std::string::npos);

    // Its lost copies are repaired: every acked chunk on three good copies again.
    InvariantOptions opt;
    opt.gaps_allowed.insert(addr);
    InvariantResult inv;
    const bool repaired = Site::WaitFor(180, [&] {
      if (site.CoreCounter("repair_queue") != 0 || site.CoreCounter("repair_in_flight") != 0) {
        return false;
      }
      inv = CheckInvariants(site, opt);
      return inv.ok() && inv.under_replicated.empty() && inv.missing.empty();
    });
    Site::WaitFor(10, [&] { return site.CoreCounter("repair_copies_done") > 0; });
    const int64_t copies_done = site.CoreCounter("repair_copies_done");
    site.StopAll();
    INFO("invariants: " << inv.Report());
    CHECK(repaired);
    CHECK(inv.ok());  // among others: no (origin, source, seq) acked under two ids
    CHECK(inv.under_replicated.empty());
    CHECK(inv.missing.empty());
    CHECK(copies_done > 0);
    MESSAGE("empty data directory: " << copies_done << " repair copies made");
  }
}

}  // namespace tern::testing
