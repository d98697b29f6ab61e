// A corrupted copy (issue 9, fault battery): edge-1 is stopped, bytes are flipped inside one
// chunk body row of its edge.db (behind its back, as a rotting disk would), and it starts
// again with scrub.period=5s. Checked with real processes:
//   - its scrub finds the copy (scrub_corrupt_found) and the core hears of it
//     (corrupt_copies); the time from the restart is printed;
//   - the core repairs it: the chunk is back at three holders in the manifest, each of whose
//     stores holds bytes that hash to the id (the quarantined copy is not counted);
//   - GET /api/v1/chunks/{id}/bytes, polled from the moment scrub found the copy until after
//     the repair, never returns bytes whose hash is not the id (any 200 answer must match).
//     It is not polled before: a `get` reaching the corrupt copy would find it first (the
//     store checks every copy it serves), and that phase is the scrub's;
//   - the invariant holds with nothing under-replicated or missing.
// membership.dead_after is 60 s, so the short stop itself makes no repair.
#include <doctest/doctest.h>

#include <chrono>
#include <set>
#include <string>

#include "fault_util.h"
#include "invariants.h"
#include "repair_util.h"
#include "site.h"
#include "tern/common/bytes.h"
#include "tern/common/sqlite.h"

namespace tern::testing {
namespace {

// Flips bytes in the middle of chunk `id`'s body row in the (stopped) store at `db_path`.
void FlipBody(const std::string& db_path, const ChunkId& id) {
  auto db = Database::Open(db_path).value();
  auto q = db->Prepare("SELECT data FROM chunks WHERE id = ?").value();
  q->BindBlob(1, id);
  REQUIRE(q->Step().value());
  std::string data(q->Blob(0));
  q.reset();
  REQUIRE(data.size() > 8);
  for (size_t k = data.size() / 2; k < data.size() / 2 + 4; ++k) {
    data[k] = static_cast<char>(data[k] ^ 0x5a);
  }
  auto u = db->Prepare("UPDATE chunks SET data = ? WHERE id = ?").value();
  REQUIRE(u->BindBlob(1, data).BindBlob(2, id).Run().ok());
}

}  // namespace

TEST_SUITE("fault_corrupt_copy") {
  TEST_CASE("fault: a corrupted copy is found by scrub, repaired, and never served") {
    const int64_t kPerEdge = 200 * 15;
    Site site(
        4,
        {"source.synthetic.rate=200", "source.synthetic.max_records=" + std::to_string(kPerEdge),
         "chunk.window=200ms", "replication.timeout=2s", "uplink.timeout=3s"},
        {"membership.dead_after=60s", "repair.copy_timeout=10s"});
    REQUIRE(site.StartAll());
    REQUIRE(Site::WaitFor(240, [&] { return site.Settled(4 * kPerEdge); }));
    const int port = site.CoreStatus().value("http_port", -1);
    REQUIRE(port > 0);
    const std::string token = SiteToken(site);
    REQUIRE(!token.empty());

    // An acked replica (not edge-1's own chunk) in edge-1's store.
    // Read again until found: a read of core.db or edge.db that meets a writer comes back
    // empty on a busy box.
    ChunkId bad;
    int victim = 1;  // the edge whose copy is corrupted
    REQUIRE(Site::WaitFor(30, [&] {
      std::set<ChunkId> acked;
      site.ReadManifest(&acked);
      // Co-located placement may leave a store without replicas of this short run's few
      // windows: take the first edge from 1 on that holds one.
      for (int e = 1; e <= 4; ++e) {
        for (const auto& c : site.ReadStore(e % 4)) {
          if (!c.own && acked.count(c.id)) {
            bad = c.id;
            victim = e % 4;
            return true;
          }
        }
      }
      return false;
    }));
    const std::string hex = ToHex(bad);

    // The bytes endpoint, polled through the episode: any 200 answer must hash to the id.
    int served = 0, wrong = 0;
    auto next_get = std::chrono::steady_clock::now();
    auto poll = [&] {
      if (std::chrono::steady_clock::now() < next_get) return;
      next_get = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
      auto r = HttpCall(port, "GET", "/api/v1/chunks/" + hex + "/bytes", token);
      if (r.status != 200) return;
      ++served;
      wrong += ChunkIdOf(r.body) != bad;
    };

    site.KillEdge(victim, 15);
    FlipBody(site.EdgeDir(victim) + "/edge.db", bad);
    const auto restarted = std::chrono::steady_clock::now();
    REQUIRE(site.StartEdgeWith(victim, {"scrub.period=5s"}));
    // Not polled yet: a `get` reaching the corrupt copy would find it first (and quarantine
    // it, reason get), and this phase is the scrub's.
    const bool found =
        Site::WaitFor(60, [&] { return site.EdgeCounter(victim, "scrub_corrupt_found") >= 1; });
    INFO("victim log: " << site.LogTail("edge-" + std::to_string(victim), 20));
    REQUIRE(found);
    const double found_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - restarted).count();
    MESSAGE("scrub found the corrupt copy " << found_s << " s after the restart (period 5 s)");
    CHECK(Site::WaitFor(60, [&] {
      poll();
      return site.CoreCounter("corrupt_copies") >= 1;
    }));

    // Repaired: three holders in the manifest, each holding bytes that hash to the id.
    std::set<uint32_t> holders;
    std::set<uint32_t> good;
    const bool repaired = Site::WaitFor(120, [&] {
      poll();
      holders = site.ReadManifest()[bad];
      good.clear();
      for (int i = 0; i < site.edges(); ++i) {
        for (const auto& c : site.ReadStore(i)) {
          if (c.id == bad && ChunkIdOf(c.wire) == bad) good.insert(site.EdgeAddr(i));
        }
      }
      return holders.size() == 3 && holders == good;
    });
    INFO("holders " << holders.size() << ", good copies " << good.size());
    INFO("core log: " << site.LogTail("core", 30));
    CHECK(repaired);
    // status.json is written every 200 ms: the counter may trail the manifest a little.
    CHECK(Site::WaitFor(10, [&] { return site.CoreCounter("repair_copies_done") >= 1; }));
    const auto history = RepairHistory(CoreApi(site, "/api/v1/repair"));
    bool in_history = false;
    for (const auto& e : history) {
      in_history = in_history || (e.id == hex.substr(0, 16) && e.result == "done");
    }
    CHECK(in_history);
    // A few more reads once repaired.
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    Site::WaitFor(10, [&] {
      poll();
      return std::chrono::steady_clock::now() >= until;
    });
    CHECK(served > 0);
    CHECK(wrong == 0);

    // The invariants hold at rest: the restarted edge-1 runs its source again (another
    // kPerEdge records), and a chunk acked between the reads of two stores would read as a
    // missing copy. Wait until those are in and acked too.
    CHECK(Site::WaitFor(240, [&] { return site.Settled(4 * kPerEdge); }));
    InvariantResult inv = CheckInvariants(site);
    site.StopAll();
    INFO("invariants: " << inv.Report());
    CHECK(inv.ok());
    CHECK(inv.under_replicated.empty());
    CHECK(inv.missing.empty());
  }
}

}  // namespace tern::testing
