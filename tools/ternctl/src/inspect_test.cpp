// Tests for tern_tools and the ternctl binary: a core.db built with Manifest, four edge
// stores written through LocalStore holding real chunks, then one fault at a time (the
// faults are made with raw SQL on purpose: deleted rows, flipped bytes).
#include "tern/tools/inspect.h"

#include <doctest/doctest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <future>
#include <set>

#include "process.h"
#include "run_ternctl_testing.h"
#include "tern/common/bytes.h"
#include "tern/common/protocol.h"
#include "tern/edge/local_store.h"

namespace tern::tools {
namespace {

constexpr uint64_t kBaseMs = 1795255200000;  // 2026-11-21T10:00:00Z

// A site on disk: core/core.db plus edge-N/edge.db for N in 1..nodes.
class Site {
 public:
  explicit Site(int nodes = 4) {
    std::filesystem::create_directories(dir_ / "core");
    core_db_ = dir_ / "core/core.db";
    // Test data needs no fsync; WAL still lets ternctl's readers see every commit.
    core::ManifestOptions mo;
    mo.durable = false;
    auto m = core::Manifest::Open(core_db_, mo);
    REQUIRE(m.ok());
    REQUIRE((*m)->Begin().ok());
    for (int i = 1; i <= nodes; ++i) {
      std::string d = dir_ / ("edge-" + std::to_string(i));
      std::filesystem::create_directories(d);
      std::string path = d + "/edge.db";
      auto addr = (*m)->Register("edge-" + std::to_string(i), path, 1 << 30);
      REQUIRE(addr.ok());
      REQUIRE((*m)->SetNodeState(*addr, "live", 0).ok());
      addrs_.push_back(*addr);
      // The edge's own store writes the chunks; a second, raw handle only damages them.
      auto store = edge::LocalStore::Open(path, /*tick_ms=*/0);
      REQUIRE(store.ok());
      live_.push_back(std::move(store).value());
      auto db = Database::Open(path);
      REQUIRE(db.ok());
      stores_.push_back(std::move(db).value());
      paths_.push_back(path);
    }
    REQUIRE((*m)->Commit().ok());
    manifest_ = std::move(m).value();
  }

  // A real samples chunk: 5 records of 2 channels starting at kBaseMs + t_ms.
  static std::string MakeChunk(uint32_t origin, const std::string& source, uint64_t seq,
                               uint64_t t_ms) {
    ChunkHeader h;
    h.origin = origin;
    h.source = source;
    h.seq = seq;
    h.channels = 2;
    std::vector<Record> recs;
    for (uint64_t i = 0; i < 5; ++i) {
      recs.push_back({(kBaseMs + t_ms + i) << 16, seq * 10 + i,
                      EncodeSamples({double(seq), double(i) + 0.5})});
    }
    auto wire = BuildChunk(h, recs);
    REQUIRE(wire.ok());
    return *wire;
  }

  // Stores `wire` in store index `i` (0-based) as the edge does: through its LocalStore, an
  // own chunk if the store is its origin, else a replica.
  void Store(size_t i, const std::string& wire) {
    auto v = DecodeChunk(wire);
    REQUIRE(v.ok());
    const auto& h = v->header;
    bool own = addrs_[i] == h.origin;
    edge::StoreWrite w{own ? edge::StoreWrite::Kind::kOwnChunk : edge::StoreWrite::Kind::kReplica};
    w.info.id = ChunkIdOf(wire);
    w.info.origin = h.origin;
    w.info.source = h.source;
    w.info.seq = h.seq;
    w.info.kind = static_cast<int>(h.kind);
    w.info.priority = static_cast<int>(h.priority);
    w.info.t_first = h.t_first;
    w.info.t_last = h.t_last;
    w.info.records = h.record_count;
    w.info.own = own;
    w.wire = wire;
    std::promise<Status> done;
    auto f = done.get_future();
    live_[i]->Submit(std::move(w), [&](const Status& st) { done.set_value(st); });
    REQUIRE(f.get().ok());
  }

  // Records in the manifest that store index `i` holds `wire`.
  void Announce(size_t i, const std::string& wire) {
    auto v = DecodeChunk(wire);
    REQUIRE(v.ok());
    REQUIRE(manifest_->RecordHolder(NoticeFor(ChunkIdOf(wire), addrs_[i], v->header, wire.size()))
                .ok());
  }

  // Stores and records on each of `holders`; returns the chunk id.
  ChunkId Place(const std::string& wire, std::vector<size_t> holders) {
    for (size_t i : holders) {
      Store(i, wire);
      Announce(i, wire);
    }
    return ChunkIdOf(wire);
  }

  void DeleteRow(size_t i, const ChunkId& id) {
    auto q = stores_[i]->Prepare("DELETE FROM chunks WHERE id = ?");
    REQUIRE(q.ok());
    REQUIRE((*q)->BindBlob(1, id).Run().ok());
    REQUIRE(stores_[i]->Changes() == 1);
  }

  void FlipByte(size_t i, const ChunkId& id, size_t at = 60) {
    auto got = live_[i]->GetChunk(id);
    REQUIRE(got.ok());
    REQUIRE(got->has_value());
    std::string data = **got;
    data[at % data.size()] ^= 0x01;
    auto u = stores_[i]->Prepare("UPDATE chunks SET data = ? WHERE id = ?");
    REQUIRE(u.ok());
    REQUIRE((*u)->BindBlob(1, data).BindBlob(2, id).Run().ok());
  }

  void RemoveStore(size_t i) {
    live_[i].reset();
    stores_[i].reset();
    std::filesystem::remove(paths_[i]);
    std::filesystem::remove(paths_[i] + "-wal");
    std::filesystem::remove(paths_[i] + "-shm");
  }

  void SetState(size_t i, const std::string& state) {
    REQUIRE(manifest_->SetNodeState(addrs_[i], state, 0).ok());
  }

  const std::string& core_db() const { return core_db_; }
  const std::string& dir() const { return dir_.path(); }
  uint32_t addr(size_t i) const { return addrs_[i]; }

 private:
  testing::TempDir dir_{"ternctl"};
  std::string core_db_;
  std::vector<uint32_t> addrs_;
  std::vector<std::string> paths_;
  std::vector<std::unique_ptr<Database>> stores_;  // raw handles, for deliberate damage only
  std::vector<std::unique_ptr<edge::LocalStore>> live_;
  std::unique_ptr<core::Manifest> manifest_;
};

// Six chunks, each on its origin and two peers, covering all four stores.
std::vector<ChunkId> Populate(Site& s) {
  std::vector<ChunkId> ids;
  const std::vector<std::vector<size_t>> placement = {{0, 1, 2}, {1, 2, 3}, {2, 3, 0},
                                                      {3, 0, 1}, {0, 2, 3}, {1, 3, 0}};
  for (size_t k = 0; k < placement.size(); ++k) {
    size_t origin = placement[k][0];
    ids.push_back(s.Place(Site::MakeChunk(s.addr(origin), "vib", k, k * 1000), placement[k]));
  }
  return ids;
}

}  // namespace

TEST_SUITE("ternctl") {
  TEST_CASE("verify: a clean site is ok") {
    Site s;
    Populate(s);
    auto r = VerifySite(s.core_db());
    REQUIRE(r.ok());
    CHECK(r->ok());
    CHECK(r->chunks == 6);
    CHECK(r->missing.empty());
    CHECK(r->under_replicated.empty());
    CHECK(r->over_replicated.empty());
    CHECK(r->extra.empty());
    CHECK(r->corrupt.empty());
    CHECK(r->unreachable_stores.empty());
    REQUIRE(r->nodes.size() == 4);
    for (const auto& n : r->nodes) {
      CHECK(n.reachable);
      CHECK(n.stored == n.listed);
    }
    auto j = ToJson(*r);
    CHECK(j["ok"] == true);
    CHECK(j["chunks"] == 6);
    CHECK(j["missing"] == 0);
  }

  TEST_CASE("verify: a deleted row is a missing copy and an under-replicated chunk") {
    Site s;
    auto ids = Populate(s);
    s.DeleteRow(1, ids[0]);
    auto r = VerifySite(s.core_db());
    REQUIRE(r.ok());
    CHECK_FALSE(r->ok());
    REQUIRE(r->missing.size() == 1);
    CHECK(r->missing[0].id == ids[0]);
    CHECK(r->missing[0].holder == s.addr(1));
    REQUIRE(r->under_replicated.size() == 1);
    CHECK(r->under_replicated[0].id == ids[0]);
    CHECK(r->under_replicated[0].real_copies == 2);
    CHECK(r->lost.empty());
    CHECK(r->extra.empty());
    CHECK(r->corrupt.empty());
    CHECK(r->nodes[1].missing == 1);
    auto j = ToJson(*r);
    CHECK(j["ok"] == false);
    CHECK(j["missing"] == 1);
    CHECK(j["under_replicated"] == 1);
    CHECK(j["details"]["missing"][0]["id"] == ToHex(ids[0]));
  }

  TEST_CASE("verify: a chunk with no copy left is lost, not dropped") {
    Site s;
    auto ids = Populate(s);
    for (size_t i : {1u, 2u, 3u}) s.DeleteRow(i, ids[1]);
    auto r = VerifySite(s.core_db());
    REQUIRE(r.ok());
    CHECK(r->missing.size() == 3);
    REQUIRE(r->lost.size() == 1);
    CHECK(r->lost[0].id == ids[1]);
    CHECK(r->lost[0].real_copies == 0);
    REQUIRE(r->under_replicated.size() == 1);
    CHECK(r->under_replicated[0].real_copies == 0);
  }

  TEST_CASE("verify: a flipped byte is a corrupt copy, --no-hash does not see it") {
    Site s;
    auto ids = Populate(s);
    s.FlipByte(2, ids[2]);
    auto r = VerifySite(s.core_db());
    REQUIRE(r.ok());
    CHECK_FALSE(r->ok());
    REQUIRE(r->corrupt.size() == 1);
    CHECK(r->corrupt[0].id == ids[2]);
    CHECK(r->corrupt[0].holder == s.addr(2));
    CHECK(r->missing.empty());  // present, just bad
    REQUIRE(r->under_replicated.size() == 1);
    CHECK(r->under_replicated[0].real_copies == 2);
    CHECK(r->extra.empty());
    auto fast = VerifySite(s.core_db(), /*check_hashes=*/false);
    REQUIRE(fast.ok());
    CHECK(fast->ok());
    CHECK_FALSE(fast->hashes_checked);
  }

  TEST_CASE("verify: a chunk only in a store is extra, a fourth copy is over-replication") {
    Site s;
    auto ids = Populate(s);
    std::string stray = Site::MakeChunk(s.addr(0), "stray", 99, 50000);
    s.Store(3, stray);
    auto r0 = VerifySite(s.core_db());
    REQUIRE(r0.ok());
    REQUIRE(r0->extra.size() == 1);
    CHECK(r0->extra[0].id == ChunkIdOf(stray));
    CHECK(r0->extra[0].holder == s.addr(3));
    CHECK(r0->extra[0].detail == "chunk not in the manifest");
    CHECK(r0->chunks == 6);  // the stray is not a manifest chunk
    CHECK(r0->under_replicated.empty());
    CHECK_FALSE(r0->ok());

    s.Store(3, Site::MakeChunk(s.addr(0), "vib", 0, 0));  // ids[0] on 0,1,2 + unlisted 3
    auto r = VerifySite(s.core_db());
    REQUIRE(r.ok());
    CHECK(r->extra.size() == 2);
    REQUIRE(r->over_replicated.size() == 1);
    CHECK(r->over_replicated[0].id == ids[0]);
    CHECK(r->over_replicated[0].real_copies == 4);
  }

  TEST_CASE("verify: a missing store file makes its node unreachable") {
    Site s;
    Populate(s);
    s.RemoveStore(3);
    auto r = VerifySite(s.core_db());
    REQUIRE(r.ok());
    REQUIRE(r->unreachable_stores.size() == 1);
    CHECK(r->unreachable_stores[0].addr == s.addr(3));
    CHECK(r->unreachable_stores[0].error.find("edge-4/edge.db") != std::string::npos);
    CHECK_FALSE(r->nodes[3].reachable);
    // Store 3 held chunks 1, 2, 3, 4, 5: each is now a missing copy and under-replicated.
    CHECK(r->missing.size() == 5);
    CHECK(r->under_replicated.size() == 5);
    CHECK(r->lost.empty());
    for (const auto& m : r->missing) {
      CHECK(m.holder == s.addr(3));
      CHECK(m.detail.rfind("store unreachable", 0) == 0);
    }
    CHECK(ToJson(*r)["unreachable_stores"] == 1);
    CHECK(r->UnderByCopies() == std::map<int, int64_t>{{2, 5}});
    CHECK(ToJson(*r)["under_replicated_by_copies"] == nlohmann::json{{"2", 5}});
  }

  TEST_CASE("verify: a missing core database is an error naming it") {
    testing::TempDir d;
    auto r = VerifySite(d / "nope/core.db");
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Status::Code::kNotFound);
    CHECK(r.status().message().find("nope/core.db") != std::string::npos);
  }

  TEST_CASE("locate: full id, prefix, case, ambiguity, not found") {
    Site s;
    std::vector<ChunkId> ids;
    for (uint64_t k = 0; k < 17; ++k) {  // 17 ids: two share a first hex digit
      ids.push_back(s.Place(Site::MakeChunk(s.addr(0), "vib", k, k * 1000), {0, 1, 2}));
    }
    std::string hex = ToHex(ids[3]);
    auto full = Locate(s.core_db(), hex);
    REQUIRE(full.ok());
    CHECK(full->chunk.id == ids[3]);
    REQUIRE(full->holders.size() == 3);
    CHECK(full->holders[0].name == "edge-1");
    CHECK(full->holders[0].state == "live");
    CHECK(full->holders[1].addr == s.addr(1));

    // The shortest prefix unique among the 17.
    std::set<std::string> hexes;
    for (const auto& id : ids) hexes.insert(ToHex(id));
    size_t len = 1;
    auto unique_at = [&](size_t l) {
      std::string p = hex.substr(0, l);
      return std::count_if(hexes.begin(), hexes.end(),
                           [&](const std::string& h) { return h.rfind(p, 0) == 0; }) == 1;
    };
    while (!unique_at(len)) ++len;
    std::string upper = hex.substr(0, len);
    std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
    auto pre = Locate(s.core_db(), upper);
    REQUIRE(pre.ok());
    CHECK(pre->chunk.id == ids[3]);
    CHECK(pre->chunk.source == "vib");

    std::string shared;  // a one-digit prefix shared by at least two ids
    for (const auto& h : hexes) {
      if (std::count_if(hexes.begin(), hexes.end(),
                        [&](const std::string& o) { return o[0] == h[0]; }) > 1) {
        shared = h.substr(0, 1);
        break;
      }
    }
    REQUIRE(!shared.empty());
    auto amb = Locate(s.core_db(), shared);
    REQUIRE_FALSE(amb.ok());
    CHECK(amb.status().code() == Status::Code::kInvalidArgument);
    CHECK(amb.status().message().find("ambiguous") != std::string::npos);

    CHECK(Locate(s.core_db(), "xyz").status().code() == Status::Code::kInvalidArgument);
    CHECK(Locate(s.core_db(), "").status().code() == Status::Code::kInvalidArgument);
    // A full-length id not in the manifest.
    std::string absent = hex;
    absent[63] = absent[63] == '0' ? '1' : '0';
    CHECK(Locate(s.core_db(), absent).status().code() == Status::Code::kNotFound);
  }

  TEST_CASE("locate: by source and time, with ms, ISO and HLC bounds") {
    Site s;
    auto ids = Populate(s);  // chunk k covers kBaseMs + k*1000 .. +4 ms
    s.Place(Site::MakeChunk(s.addr(1), "temp", 0, 2000), {1, 2, 3});

    auto all = Locate(s.core_db(), "vib", 0, 0, UINT64_MAX);
    REQUIRE(all.ok());
    CHECK(all->size() == 6);

    // 10:00:02 .. 10:00:03.500 UTC: chunks 2 and 3.
    uint64_t from = ParseTime("2026-11-21T10:00:02").value();
    uint64_t to = ParseTime(std::to_string(kBaseMs + 3500), true).value();
    auto some = Locate(s.core_db(), "vib", 0, from, to);
    REQUIRE(some.ok());
    REQUIRE(some->size() == 2);
    std::set<ChunkId> got = {(*some)[0].chunk.id, (*some)[1].chunk.id};
    CHECK(got == std::set<ChunkId>{ids[2], ids[3]});
    CHECK((*some)[0].holders.size() == 3);

    // By origin: chunk 1 originates at edge-2.
    auto by_origin = Locate(s.core_db(), "vib", s.addr(1), 0, UINT64_MAX);
    REQUIRE(by_origin.ok());
    REQUIRE(by_origin->size() == 2);  // chunks 1 and 5 start at store 1
    CHECK(Locate(s.core_db(), "temp", 0, 0, UINT64_MAX).value().size() == 1);
    CHECK(Locate(s.core_db(), "none", 0, 0, UINT64_MAX).value().empty());

    // Time parsing.
    CHECK(ParseTime("2026-11-21T10:00:00").value() == kBaseMs << 16);
    CHECK(ParseTime("2026-11-21T10:00:00Z").value() == kBaseMs << 16);
    CHECK(ParseTime("2026-11-21 10:00:00.250").value() == (kBaseMs + 250) << 16);
    CHECK(ParseTime("2026-11-21").value() == (kBaseMs - 10 * 3600 * 1000) << 16);
    CHECK(ParseTime(std::to_string(kBaseMs)).value() == kBaseMs << 16);
    CHECK(ParseTime(std::to_string(kBaseMs), true).value() == ((kBaseMs << 16) | 0xFFFF));
    CHECK(ParseTime(std::to_string((kBaseMs << 16) | 7)).value() == ((kBaseMs << 16) | 7));
    CHECK_FALSE(ParseTime("yesterday").ok());
    CHECK_FALSE(ParseTime("2026-13-01").ok());
  }

  TEST_CASE("get: served by a good holder when the first is corrupt") {
    Site s;
    auto ids = Populate(s);
    s.FlipByte(0, ids[0]);  // edge-1, the first holder, has a bad copy
    auto g = GetChunk(s.core_db(), ToHex(ids[0]).substr(0, 16));
    REQUIRE(g.ok());
    CHECK(g->id == ids[0]);
    CHECK(g->served_by == s.addr(1));
    CHECK(g->served_by_name == "edge-2");
    REQUIRE(g->notes.size() == 1);
    CHECK(g->notes[0].find("corrupt") != std::string::npos);
    CHECK(g->notes[0].find("edge-1") != std::string::npos);
    CHECK(g->header.source == "vib");
    CHECK(g->header.channels == 2);
    REQUIRE(g->records.size() == 5);
    auto v = DecodeSamples(g->records[4].payload, 2);
    REQUIRE(v.ok());
    CHECK((*v)[1] == doctest::Approx(4.5));
  }

  TEST_CASE("get: live holders are tried first") {
    Site s;
    auto ids = Populate(s);
    s.SetState(0, "dead");
    auto g = GetChunk(s.core_db(), ToHex(ids[0]));
    REQUIRE(g.ok());
    CHECK(g->served_by == s.addr(1));
    CHECK(g->notes.empty());
  }

  TEST_CASE("get: every copy corrupt or gone is an error naming each holder") {
    Site s;
    auto ids = Populate(s);
    for (size_t i : {1u, 2u, 3u}) s.FlipByte(i, ids[1]);
    auto g = GetChunk(s.core_db(), ToHex(ids[1]));
    REQUIRE_FALSE(g.ok());
    CHECK(g.status().code() == Status::Code::kCorruption);
    for (const char* n : {"edge-2", "edge-3", "edge-4"}) {
      CHECK(g.status().message().find(n) != std::string::npos);
    }

    s.RemoveStore(0);
    s.DeleteRow(1, ids[0]);
    s.DeleteRow(2, ids[0]);
    auto gone = GetChunk(s.core_db(), ToHex(ids[0]));
    REQUIRE_FALSE(gone.ok());
    CHECK(gone.status().code() == Status::Code::kUnavailable);
    CHECK(gone.status().message().find("no such file") != std::string::npos);
  }

  TEST_CASE("nodes: counts what each store holds") {
    Site s;
    Populate(s);
    s.RemoveStore(2);
    auto n = Nodes(s.core_db());
    REQUIRE(n.ok());
    REQUIRE(n->size() == 4);
    CHECK((*n)[0].store_readable);
    CHECK((*n)[0].chunks == 5);  // chunks 0, 2, 3, 4, 5
    CHECK((*n)[0].bytes > 0);
    CHECK_FALSE((*n)[2].store_readable);
    CHECK((*n)[2].chunks == -1);
    CHECK((*n)[2].store_error.find("edge-3/edge.db") != std::string::npos);
  }

  TEST_CASE("ternctl binary: get prints events as JSON and writes a blob with --out") {
    Site s;
    ChunkHeader eh;
    eh.origin = s.addr(0);
    eh.source = "feed";
    eh.kind = RecordKind::kEvent;
    auto ev = BuildChunk(eh, {{kBaseMs << 16, 1, R"({"door":"open"})"},
                              {(kBaseMs + 1) << 16, 2, "plain text line"}});
    REQUIRE(ev.ok());
    ChunkId ev_id = s.Place(*ev, {0, 1, 2});

    ChunkHeader bh;
    bh.origin = s.addr(1);
    bh.source = "frames";
    bh.kind = RecordKind::kBlob;
    std::vector<tern::Record> parts;
    const std::string content = "0123456789abcdefghij";
    for (uint64_t off = 0; off < content.size(); off += 8) {
      BlobPart p{"cam.jpg", content.size(), off, content.substr(off, 8)};
      parts.push_back({(kBaseMs + off) << 16, off, EncodeBlobPart(p)});
    }
    auto blob = BuildChunk(bh, parts);
    REQUIRE(blob.ok());
    ChunkId blob_id = s.Place(*blob, {1, 2, 3});

    auto e = RunTernctl("--site " + s.dir() + " get " + ToHex(ev_id) + " --json");
    CHECK(e.exit_code == 0);
    std::vector<nlohmann::json> lines;
    size_t start = 0;
    while (start < e.out.size()) {
      size_t nl = e.out.find('\n', start);
      lines.push_back(nlohmann::json::parse(e.out.substr(start, nl - start), nullptr, false));
      start = nl + 1;
    }
    REQUIRE(lines.size() == 3);
    CHECK(lines[0]["chunk"]["kind"] == "event");
    CHECK(lines[1]["event"]["door"] == "open");
    CHECK(lines[2]["event"] == "plain text line");

    std::string out = s.dir() + "/cam.jpg";
    auto b = RunTernctl("--site " + s.dir() + " get " + ToHex(blob_id) + " --out " + out);
    CHECK(b.exit_code == 0);
    CHECK(testing::ReadFile(out) == content);
  }

  TEST_CASE("ternctl binary: verify --json prints one object, exit code follows") {
    Site s;
    auto ids = Populate(s);
    auto clean = RunTernctl("--site " + s.dir() + " verify --json");
    CHECK(clean.exit_code == 0);
    auto j = nlohmann::json::parse(clean.out, nullptr, false);
    REQUIRE_FALSE(j.is_discarded());
    REQUIRE(j.is_object());
    CHECK(j["ok"] == true);
    CHECK(j["chunks"] == 6);

    s.FlipByte(1, ids[1]);
    auto bad = RunTernctl("--core-db " + s.core_db() + " verify --json");
    CHECK(bad.exit_code == 1);
    j = nlohmann::json::parse(bad.out, nullptr, false);
    REQUIRE(j.is_object());
    CHECK(j["ok"] == false);
    CHECK(j["corrupt"] == 1);
    CHECK(j["details"]["corrupt"][0]["id"] == ToHex(ids[1]));

    auto missing = RunTernctl("--core-db " + s.dir() + "/nope.db verify --json");
    CHECK(missing.exit_code == 2);

    auto get = RunTernctl("--site " + s.dir() + " get " + ToHex(ids[2]) + " --json");
    CHECK(get.exit_code == 0);
    auto lines = static_cast<size_t>(std::count(get.out.begin(), get.out.end(), '\n'));
    CHECK(lines == 6);  // the header and five records
    auto first = nlohmann::json::parse(get.out.substr(0, get.out.find('\n')), nullptr, false);
    REQUIRE(first.is_object());
    CHECK(first["chunk"]["id"] == ToHex(ids[2]));

    CHECK(RunTernctl("--site " + s.dir() + " nodes").exit_code == 0);
    CHECK(RunTernctl("--site " + s.dir() + " locate --source vib --from 2026-11-21T10:00:02")
              .exit_code == 0);
    CHECK(RunTernctl("--site " + s.dir() + " bogus").exit_code == 2);
  }
}

}  // namespace tern::tools
