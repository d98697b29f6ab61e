// Two stores lost together (issue 9, fault battery): on a site of five edges, edges 3 and 4
// are killed at once and their data directories deleted (never restarted), so three live
// stores remain. Checked with real processes:
//   - repair brings every acked chunk back to three good copies (the invariant, with the
//     two stores declared lost: nothing under-replicated, nothing missing);
//   - the chunks that had only those two plus one other copy are copied from that survivor;
//   - the order, from the core's own evidence (the repair history of GET /api/v1/repair):
//     one-copy chunks go before two-copy ones. The rule, with repair.max_streams taken into
//     account (docs/architecture.md, "Repair and reconciliation"): a copy of a chunk with two
//     good copies never starts while a chunk with one good copy is waiting, i.e. for every
//     two-copy copy A and every one-copy copy B, if B was waiting at its rank when A started
//     (B.ready_ms <= A.started_ms) then B started no later than A. One-copy chunks that wait
//     for a stream hold two-copy ones back; they may be started in the same tick.
// repair.max_streams is 2 here so that the queue is long enough for the order to matter.
#include <doctest/doctest.h>

#include <map>
#include <set>
#include <sstream>

#include "fault_util.h"
#include "invariants.h"
#include "repair_util.h"
#include "site.h"
#include "tern/common/bytes.h"

namespace tern::testing {

TEST_SUITE("fault_two_stores_lost") {
  TEST_CASE("fault: two stores lost together: all accounted for, one-copy chunks first") {
    const int64_t kPerEdge = 2400;  // 12 s at 200 records/s, chunks of ~200 ms: ~60 each
    Site site(
        5,
        {"source.synthetic.rate=200", "source.synthetic.max_records=" + std::to_string(kPerEdge),
         "chunk.window=200ms", "replication.timeout=2s", "uplink.timeout=3s"},
        {"membership.dead_after=5s", "repair.copy_timeout=10s", "repair.max_streams=2"});
    REQUIRE(site.StartAll());
    REQUIRE(Site::WaitFor(240, [&] { return site.Settled(5 * kPerEdge); }));

    // Who holds what before the loss: the chunks with both lost stores among their holders
    // have one good copy left, on their survivor.
    std::set<ChunkId> acked;
    const auto holders = site.ReadManifest(&acked);
    std::map<std::string, std::string> names;  // address -> node name
    for (int i = 0; i < site.edges(); ++i) {
      names[std::to_string(site.EdgeAddr(i))] = "edge-" + std::to_string(i);
    }
    const uint32_t lost3 = site.EdgeAddr(3), lost4 = site.EdgeAddr(4);
    std::map<std::string, std::string> survivor;  // id prefix -> the one holder left
    for (const auto& [id, h] : holders) {         // acked chunks and placed results
      if (!h.count(lost3) || !h.count(lost4)) continue;
      for (uint32_t a : h) {
        if (a != lost3 && a != lost4) survivor[ToHex(id).substr(0, 16)] = names[std::to_string(a)];
      }
    }
    MESSAGE(acked.size() << " acked chunks, " << survivor.size()
                         << " with both lost stores among their holders");
    REQUIRE(!survivor.empty());
    REQUIRE(!SiteToken(site).empty());

    LoseStore(site, 3);
    LoseStore(site, 4);
    REQUIRE(Site::WaitFor(60, [&] { return site.CoreCounter("nodes_dead") >= 2; }));

    InvariantOptions opt;
    opt.lost_stores[3] = "data directory deleted (lost with edge-4)";
    opt.lost_stores[4] = "data directory deleted (lost with edge-3)";
    InvariantResult inv;
    nlohmann::json doc;
    const bool repaired = Site::WaitFor(300, [&] {
      doc = CoreApi(site, "/api/v1/repair");
      if (doc.value("queue", 1) != 0 || doc.value("in_flight", 1) != 0) return false;
      inv = CheckInvariants(site, opt);
      return inv.ok() && inv.under_replicated.empty() && inv.missing.empty();
    });
    INFO("invariants: " << inv.Report());
    INFO("core log: " << site.LogTail("core", 40));
    REQUIRE(repaired);
    CHECK(inv.acked >= static_cast<int64_t>(acked.size()));
    // The gauges in status.json (written every 200 ms) may trail the repair document a little.
    CHECK(Site::WaitFor(10, [&] {
      return site.CoreCounter("under_replicated_1") == 0 &&
             site.CoreCounter("under_replicated_2") == 0 && site.CoreCounter("missing_chunks") == 0;
    }));

    // The order and the sources, from the core's history of repair copies.
    const auto history = RepairHistory(doc);
    REQUIRE(doc.value("started", int64_t{-1}) == static_cast<int64_t>(history.size()));
    int one_copy = 0, two_copy = 0, waited = 0, out_of_order = 0, wrong_source = 0;
    std::ostringstream why;
    for (const auto& b : history) {
      if (b.copies != 1) continue;
      ++one_copy;
      waited += b.started_ms > b.ready_ms;
      auto s = survivor.find(b.id);
      if (s == survivor.end() || s->second != b.source) {
        ++wrong_source;
        why << "\n  one-copy chunk " << b.id << " copied from " << b.source << ", survivor "
            << (s == survivor.end() ? std::string("(none: it had another copy)") : s->second);
      }
      for (const auto& a : history) {
        if (a.copies != 2 || b.ready_ms > a.started_ms || b.started_ms <= a.started_ms) continue;
        ++out_of_order;
        if (out_of_order <= 10) {
          why << "\n  two-copy " << a.id << " started at " << a.started_ms << " while one-copy "
              << b.id << " waited (since " << b.ready_ms << ", started " << b.started_ms
              << "); copies of " << b.id << ":";
          for (const auto& e : history) {
            if (e.id != b.id) continue;
            why << " [" << e.copies << " good, ready " << e.ready_ms << ", " << e.started_ms << "-"
                << e.finished_ms << " " << e.source << "->" << e.target << " " << e.result << "]";
          }
        }
      }
    }
    for (const auto& a : history) two_copy += a.copies == 2;
    for (const auto& e : history) {  // no copy was made from or to a lost store
      if (e.result != "done") continue;
      CHECK(e.source != "edge-3");
      CHECK(e.source != "edge-4");
      CHECK(e.target != "edge-3");
      CHECK(e.target != "edge-4");
    }
    MESSAGE("repair copies: " << history.size() << ", of one-copy chunks " << one_copy << " ("
                              << waited << " waited for a stream), of two-copy chunks "
                              << two_copy);
    INFO("order and sources:" << why.str());
    CHECK(out_of_order == 0);
    CHECK(wrong_source == 0);
    // Not vacuous: both ranks were repaired and one-copy chunks had to wait for streams.
    CHECK(one_copy > 0);
    CHECK(two_copy > 0);
    CHECK(waited > 0);
    site.StopAll();
  }
}

}  // namespace tern::testing
