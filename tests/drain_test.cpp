// Drain with real processes (issue 9 item 5): one edge of a five-edge site is drained with
// `ternctl node drain` while the other four keep ingesting. Its own ingest is stopped first
// (a draining node that still collects acks each new chunk the usual way and empties only
// once it stops: docs/http-api.md, drain). It must end up holding nothing — its own
// chunks as well as its replicas — by its store's own answer (its heartbeat's count and its
// SQLite file), with every acked chunk still on three good stores (the fault battery's
// invariant check), `ternctl report` and `node drain --wait` saying so; then `node forget`
// removes it.
#include <doctest/doctest.h>
#include <signal.h>

#include "ctl_run.h"
#include "fault/invariants.h"
#include "site.h"

namespace tern::testing {
namespace {

nlohmann::json JsonOf(const CtlRun& r) {
  auto j = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? nlohmann::json() : j;
}

// edge-4's entry in `ternctl report --json` (null if the report failed).
nlohmann::json ReportEntry(const Site& site) {
  for (const auto& n : JsonOf(Ctl(site, {"report", "--json"})).value("nodes", nlohmann::json())) {
    if (n.value("name", "") == "edge-4") return n;
  }
  return nullptr;
}

}  // namespace

TEST_SUITE("drain") {
  TEST_CASE("a drained edge gives up every copy, own chunks too, then is forgotten") {
    // The four that stay ingest for about a minute; edge-4 collects 1,500 records and stops.
    Site site(5,
              {"source.synthetic.rate=300", "source.synthetic.max_records=20000",
               "replication.timeout=2s", "uplink.timeout=3s"},
              {"membership.dead_after=5s", "repair.copy_timeout=5s"});
    REQUIRE(site.StartCore());
    for (int i = 0; i < 4; ++i) REQUIRE(site.StartEdge(i));
    REQUIRE(site.StartEdgeWith(4, {"source.synthetic.max_records=1500"}));
    // edge-4 holds own chunks (acked, out of its outbox) and replicas of the others'.
    REQUIRE(Site::WaitFor(120, [&] {
      auto s = site.EdgeStatus(4);
      return site.EdgeCounter(4, "records_local") >= 1500 &&
             s.value("outbox_chunks", int64_t{-1}) == 0 && site.EdgeCounter(4, "grade_core") > 0 &&
             site.EdgeCounter(4, "replicas_stored") > 0;
    }));
    size_t own = 0;
    for (const auto& c : site.ReadStore(4)) own += c.own;
    REQUIRE(own > 0);

    auto drain = Ctl(site, {"node", "drain", "edge-4"});
    REQUIRE_MESSAGE(drain.code == 0, drain.out);
    CHECK(drain.out.find("draining") != std::string::npos);

    // Empty by the manifest and by its own store (heartbeat count and its file), while the
    // others still ingest.
    nlohmann::json entry;
    const bool emptied = Site::WaitFor(240, [&] {
      entry = ReportEntry(site);
      return entry.is_object() && entry.value("drained", false) && site.ReadStore(4).empty();
    });
    INFO("edge-4 in the report: " << entry.dump() << "\ncore log:\n"
                                  << site.LogTail("core", 30) << "\nedge-4 log:\n"
                                  << site.LogTail("edge-4", 20));
    REQUIRE(emptied);
    CHECK(entry["chunks"] == 0);
    CHECK(entry["store_chunks"] == 0);
    CHECK(site.EdgeCounter(4, "drain_drops") > 0);
    auto waited = Ctl(site, {"node", "drain", "edge-4", "--wait", "60"});
    CHECK_MESSAGE(waited.code == 0, waited.out);
    CHECK(waited.out.find("drained, empty") != std::string::npos);
    CHECK(Ctl(site, {"report"}).out.find("drained: empty") != std::string::npos);

    // The rest finish their ingest; every acked chunk is on three good stores.
    REQUIRE(Site::WaitFor(240, [&] {
      for (int i = 0; i < 4; ++i) {
        if (site.EdgeCounter(i, "records_local") < 20000) return false;
      }
      return site.Settled(4 * 20000 + 1500) && site.CoreCounter("repair_queue") == 0;
    }));
    CHECK(site.ReadStore(4).empty());  // nothing came back to it
    InvariantResult inv;
    REQUIRE(Site::WaitFor(60, [&] {
      inv = CheckInvariants(site);
      return inv.ok() && inv.under_replicated.empty() && inv.missing.empty();
    }));
    INFO(inv.Report());
    CHECK(inv.acked > 0);
    CHECK(inv.on_three == inv.acked);

    // Retired: stopped, then forgotten (refused while it is live).
    CHECK(Ctl(site, {"node", "forget", "edge-4"}).code == 1);
    site.KillEdge(4, SIGTERM);
    REQUIRE(Site::WaitFor(60, [&] {
      auto r = Ctl(site, {"node", "forget", "edge-4"});
      return r.code == 0;
    }));
    auto nodes = Ctl(site, {"nodes", "--json"});
    for (const auto& n : JsonOf(nodes)["nodes"]) CHECK(n.value("name", "") != "edge-4");
    CHECK(CheckInvariants(site).ok());
    site.StopAll();
  }
}

}  // namespace tern::testing
