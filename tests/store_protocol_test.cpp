// The store protocol at the edge, with real processes: a byte flipped inside one edge's
// SQLite file (behind its back, as a rotting disk would) is found by that edge's scrubber
// within its period, taken out of service and counted; every edge sends a block report
// after registering; and an edge with too few live peers says why it cannot place copies.
// The core's side of repair is not relied on here (it may put a good copy back at once).
#include <doctest/doctest.h>

#include <string>

#include "site.h"
#include "tern/common/chunk.h"
#include "tern/common/sqlite.h"

namespace tern::testing {
namespace {
// Flips a byte in the middle of one replica (not an own chunk) in edge i's store; its id.
ChunkId FlipOneReplica(const Site& site, int i) {
  ChunkId id;
  for (const auto& c : site.ReadStore(i)) {
    if (!c.own) {
      id = c.id;
      break;
    }
  }
  REQUIRE(!id.empty());
  auto db = Database::Open(site.EdgeDir(i) + "/edge.db").value();
  auto q = db->Prepare("SELECT data FROM chunks WHERE id = ?").value();
  q->BindBlob(1, id);
  REQUIRE(q->Step().value());
  std::string data(q->Blob(0));
  q.reset();
  data[data.size() / 2] = static_cast<char>(data[data.size() / 2] ^ 0x5a);
  auto u = db->Prepare("UPDATE chunks SET data = ? WHERE id = ?").value();
  REQUIRE(u->BindBlob(1, data).BindBlob(2, id).Run().ok());
  return id;
}
}  // namespace

TEST_SUITE("store_protocol") {
  TEST_CASE("a flipped byte in a store is found by its scrub, quarantined and counted") {
    Site site(4, {"source.synthetic.rate=200", "scrub.period=3s"});
    REQUIRE(site.StartAll());
    // Every edge reports its store after registering.
    for (int i = 0; i < site.edges(); ++i) {
      INFO("edge " << i);
      CHECK(Site::WaitFor(30, [&] { return site.EdgeCounter(i, "block_reports_sent") >= 1; }));
    }
    REQUIRE(Site::WaitFor(60, [&] {
      int replicas = 0;
      for (const auto& c : site.ReadStore(0)) replicas += !c.own;
      return replicas >= 20;
    }));
    const ChunkId bad = FlipOneReplica(site, 0);
    REQUIRE(Site::WaitFor(30, [&] { return site.EdgeCounter(0, "scrub_corrupt_found") >= 1; }));
    CHECK(Site::WaitFor(10, [&] { return site.EdgeCounter(0, "corrupt_reported") >= 1; }));
    CHECK(site.EdgeCounter(0, "scrub_passes") >= 1);
    // The corrupt bytes are out of service. The core may already have repaired the chunk
    // back onto this store (it no longer holds a good copy there): then only good bytes.
    bool corrupt_served = false;
    for (const auto& c : site.ReadStore(0)) {
      corrupt_served = corrupt_served || (c.id == bad && ChunkIdOf(c.wire) != bad);
    }
    CHECK_FALSE(corrupt_served);
    for (int i = 1; i < site.edges(); ++i) CHECK(site.EdgeCounter(i, "scrub_corrupt_found") == 0);
    site.StopAll();
  }

  TEST_CASE("with one live peer an edge says why its copies cannot be placed") {
    Site site(2, {"source.synthetic.rate=50"});
    REQUIRE(site.StartAll());
    REQUIRE(Site::WaitFor(30, [&] {
      return site.EdgeStatus(0).value("replication_blocked_reason", "") == "1 live peer, need 2";
    }));
    CHECK(site.EdgeStatus(0).value("replication_blocked", false));
    CHECK(Site::WaitFor(10, [&] { return site.EdgeCounter(0, "replication_blocked") == 1; }));
    CHECK(Site::WaitFor(30, [&] { return site.EdgeStatus(0).value("outbox_chunks", 0) > 0; }));
    site.StopAll();
  }
}
}  // namespace tern::testing
