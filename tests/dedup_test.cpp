// Dedup with real processes (issue 12, item 3): identical files dropped under different names
// are kept once in every store that holds them (the origin's and both peers'), the bytes saved
// reach the core's status; corrupting the shared body in one store's edge.db is found by that
// store's scrub in every chunk that references it, and repair restores them from the other
// holders (sharing the body again); removing one reference keeps the body for the other.
#include <doctest/doctest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <random>

#include "site.h"
#include "tern/common/sqlite.h"
#include "tern/edge/local_store.h"

namespace tern::testing {
namespace {

std::string RandomBytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

void Drop(const std::string& dir, const std::string& name, const std::string& data) {
  std::ofstream(dir + "/." + name, std::ios::binary)
      .write(data.data(), static_cast<std::streamsize>(data.size()));
  std::error_code ec;
  std::filesystem::rename(dir + "/." + name, dir + "/" + name, ec);
  REQUIRE_FALSE(ec);
}

edge::DedupStats StoreDedup(const Site& site, int i) {
  auto s = edge::LocalStore::OpenReadOnly(site.EdgeDir(i) + "/edge.db");
  if (!s.ok()) return {-1, -1, -1};
  auto d = (*s)->Dedup();
  return d.ok() ? *d : edge::DedupStats{-1, -1, -1};
}

// The file name inside each chunk of edge i's store whose bytes hash to its id.
std::map<std::string, ChunkId> GoodFiles(const Site& site, int i) {
  std::map<std::string, ChunkId> out;
  for (const auto& c : site.ReadStore(i)) {
    if (ChunkIdOf(c.wire) != c.id) continue;
    auto v = DecodeChunk(c.wire);
    if (!v.ok()) continue;
    auto recs = DecodeRecords(*v);
    if (!recs.ok() || recs->empty()) continue;
    auto part = DecodeBlobPart((*recs)[0].payload);
    if (part.ok()) out[part->name] = c.id;
  }
  return out;
}

}  // namespace

TEST_SUITE("dedup") {
  TEST_CASE("identical files: one body per store, scrub finds the corrupt shared body, repair") {
    constexpr size_t kSize = 100 * 1024;
    Site site(3,
              // The drop directory's default codec (raw) is what dedup applies to.
              {"source.synthetic.enabled=false", "replication.timeout=2s", "uplink.timeout=3s"},
              {"membership.dead_after=60s", "repair.copy_timeout=10s"});
    const std::string drop = site.dir() + "/drop";
    std::filesystem::create_directories(drop);
    const std::vector<std::string> edge0 = {"source.dropdir.path=" + drop,
                                            "source.dropdir.poll=100ms"};
    REQUIRE(site.StartCore());
    REQUIRE(site.StartEdgeWith(0, edge0));
    REQUIRE(site.StartEdge(1));
    REQUIRE(site.StartEdge(2));
    REQUIRE(Site::WaitFor(
        60, [&] { return site.EdgeStatus(0).value("replication_blocked", true) == false; }));
    const std::string same = RandomBytes(kSize, 1);
    Drop(drop, "a.bin", same);
    Drop(drop, "b.bin", same);
    Drop(drop, "c.bin", RandomBytes(kSize / 2, 2));

    // Every store holds the three files, with one body for a and b.
    auto all_held = [&] {
      for (int i = 0; i < 3; ++i) {
        if (GoodFiles(site, i).size() != 3) return false;
      }
      return true;
    };
    REQUIRE(Site::WaitFor(90, all_held));
    for (int i = 0; i < 3; ++i) {
      const auto d = StoreDedup(site, i);
      INFO("edge-" << i);
      CHECK(d.bodies == 2);
      CHECK(d.body_bytes == static_cast<int64_t>(kSize + kSize / 2));
      CHECK(d.saved_bytes == static_cast<int64_t>(kSize));
    }
    // The core sums the heartbeats: per node and for the site.
    CHECK(Site::WaitFor(30, [&] {
      return site.CoreStatus().value("dedup_saved_bytes", int64_t{0}) ==
             static_cast<int64_t>(3 * kSize);
    }));
    const auto nodes = site.CoreStatus().value("nodes", nlohmann::json::array());
    int edges_seen = 0;
    for (const auto& n : nodes) {
      if (n.value("name", "").rfind("edge-", 0) != 0) continue;
      ++edges_seen;
      CHECK(n.value("dedup_saved_bytes", int64_t{-1}) == static_cast<int64_t>(kSize));
    }
    CHECK(edges_seen == 3);

    // Corrupt the shared body in edge-1's store while it is stopped (a rotted sector).
    const auto files = GoodFiles(site, 1);
    site.KillEdge(1, SIGTERM);
    {
      auto db = Database::Open(site.EdgeDir(1) + "/edge.db").value();
      auto q = db->Prepare("SELECT hash, data FROM bodies WHERE refs = 2").value();
      REQUIRE(q->Step().value());
      const std::string hash(q->Blob(0));
      std::string data(q->Blob(1));
      q.reset();
      data[1000] = static_cast<char>(data[1000] ^ 0x10);
      auto u = db->Prepare("UPDATE bodies SET data = ? WHERE hash = ?").value();
      REQUIRE(u->BindBlob(1, data).BindBlob(2, hash).Run().ok());
    }
    REQUIRE(site.StartEdgeWith(1, {"scrub.period=5s"}));
    // Both chunks on that body fail their id check (c does not). Usually scrub finds both
    // before anything is repaired; if a repaired copy of one arrives first, storing it
    // replaces the rotted body (it no longer hashes to its key), which heals the other too.
    const bool found =
        Site::WaitFor(60, [&] { return site.EdgeCounter(1, "scrub_corrupt_found") >= 1; });
    INFO("edge-1 log: " << site.LogTail("edge-1", 20));
    REQUIRE(found);
    CHECK(Site::WaitFor(30, [&] { return site.CoreCounter("corrupt_copies") >= 1; }));
    // Repair copies a and b back from the other holders; they share one body again.
    const bool repaired = Site::WaitFor(120, [&] {
      const auto d = StoreDedup(site, 1);
      return GoodFiles(site, 1).size() == 3 && d.bodies == 2 &&
             d.saved_bytes == static_cast<int64_t>(kSize);
    });
    INFO("core log: " << site.LogTail("core", 30));
    CHECK(repaired);
    const int64_t found_n = site.EdgeCounter(1, "scrub_corrupt_found");
    MESSAGE("scrub found " << found_n << " chunks on the corrupt shared body");
    CHECK(found_n >= 1);
    CHECK(found_n <= 2);  // never c, whose body was not touched

    // Removing one reference (a's row, through the store's own writer) keeps the body for b.
    site.KillEdge(1, SIGTERM);
    {
      auto store = edge::LocalStore::Open(site.EdgeDir(1) + "/edge.db").value();
      edge::StoreWrite w{edge::StoreWrite::Kind::kDropCopy};
      w.id = files.at("a.bin");
      std::promise<Status> p;
      store->Submit(w, [&](const Status& s) { p.set_value(s); });
      REQUIRE(p.get_future().get().ok());
      CHECK_FALSE(store->HasChunk(files.at("a.bin")).value());
      auto b = store->GetChunk(files.at("b.bin")).value();
      REQUIRE(b);
      CHECK(ChunkIdOf(*b) == files.at("b.bin"));
      CHECK(store->Dedup().bodies == 2);
      CHECK(store->Dedup().saved_bytes == 0);
    }
    site.StopAll();
  }
}
}  // namespace tern::testing
