// One of three brokers killed for good (issue 9, fault battery): a core and three edges list
// the same three brokers (`mqtt.brokers`, every node on the first one, no bridge; see
// tests/failover_test.cpp and docs/architecture.md "Failure behaviour"). The first broker
// is killed (-9) during ingest and never restarted. Checked: every node moves to the second
// broker, the core keeps acking every edge's chunks, nothing acked before is lost, and the
// invariant holds with every record (no sequence gap or duplicate) and nothing
// under-replicated or missing once the site drains.
#include <doctest/doctest.h>

#include <functional>
#include <set>
#include <vector>

#include "invariants.h"
#include "site.h"

namespace tern::testing {

TEST_SUITE("fault_broker_loss") {
  TEST_CASE("fault: one of three brokers killed for good: failover, invariant holds") {
    constexpr int kEdges = 3;
    const int64_t kPerEdge = 200 * 20;  // 20 s of ingest per edge: it runs through the kill
    Site site(
        kEdges,
        {"source.synthetic.rate=200", "source.synthetic.max_records=" + std::to_string(kPerEdge),
         "replication.timeout=1s", "uplink.timeout=2s"},
        {"membership.suspect_after=3s", "membership.dead_after=10s"});
    REQUIRE(site.broker().ok());
    TempDir dir2("broker2"), dir3("broker3");
    Broker b2(dir2.path(), site.broker()), b3(dir3.path(), site.broker());
    REQUIRE(b2.ok());
    REQUIRE(b3.ok());
    auto at = [](int port) { return "127.0.0.1:" + std::to_string(port); };
    site.UseBrokers(at(site.broker().port()) + "," + at(b2.port()) + "," + at(b3.port()));
    REQUIRE(site.StartAll());
    auto all_edges = [&](const std::function<bool(int)>& pred) {
      for (int i = 0; i < kEdges; ++i) {
        if (!pred(i)) return false;
      }
      return true;
    };
    REQUIRE(Site::WaitFor(60, [&] {
      return all_edges([&](int i) {
        return site.EdgeCounter(i, "grade_core") > 0 && site.EdgeCounter(i, "mqtt_broker") == 1;
      });
    }));
    std::set<ChunkId> acked_before;
    site.ReadManifest(&acked_before);
    std::vector<int64_t> graded;
    for (int i = 0; i < kEdges; ++i) graded.push_back(site.EdgeCounter(i, "grade_core"));

    site.broker().Kill(/*hard=*/true);

    const bool moved = Site::WaitFor(60, [&] {
      return all_edges([&](int i) { return site.EdgeCounter(i, "mqtt_broker") == 2; }) &&
             site.CoreCounter("mqtt_broker") == 2;
    });
    INFO("core log: " << site.LogTail("core", 30));
    INFO("edge-0 log: " << site.LogTail("edge-0", 30));
    REQUIRE(moved);
    CHECK(Site::WaitFor(60, [&] {
      return all_edges([&](int i) {
        return site.EdgeCounter(i, "grade_core") > graded[static_cast<size_t>(i)] + 5;
      });
    }));
    const bool settled = Site::WaitFor(180, [&] { return site.Settled(kEdges * kPerEdge); });
    InvariantResult inv = CheckInvariants(site);
    std::set<ChunkId> acked_after;
    site.ReadManifest(&acked_after);
    site.StopAll();
    REQUIRE(settled);
    INFO("invariants: " << inv.Report());
    CHECK(inv.ok());
    CHECK(inv.under_replicated.empty());
    CHECK(inv.missing.empty());
    CHECK(inv.records == kEdges * kPerEdge);
    int lost = 0;
    for (const ChunkId& id : acked_before) lost += acked_after.count(id) ? 0 : 1;
    CHECK(lost == 0);
  }
}

}  // namespace tern::testing
