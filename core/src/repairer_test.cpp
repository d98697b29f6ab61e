#include "repairer.h"

#include <doctest/doctest.h>

#include <map>

#include "tern/common/bytes.h"
#include "tern/common/store_messages.h"

namespace tern::core {
namespace {

constexpr uint32_t kCore = 1;
ChunkId Id(char c) { return ChunkId(32, c); }

ChunkRecord Rec(char c, std::vector<uint32_t> holders, uint64_t bytes = 1000) {
  ChunkRecord r;
  r.id = Id(c);
  r.origin = 2;
  r.acked = true;
  r.bytes = bytes;
  r.holders = std::move(holders);
  return r;
}

// Five stores, 2..6, all live; `dead` ones fall silent until they are dead.
struct Site {
  Metrics m;
  Membership members{3000, 10000};
  std::map<ChunkId, ChunkRecord> manifest;
  uint64_t now = 0;
  Site() {
    for (uint32_t a = 2; a <= 6; ++a) members.Add(a, "s" + std::to_string(a));
    Beat({2, 3, 4, 5, 6});
  }
  void Beat(const std::vector<uint32_t>& live) {
    for (uint32_t a : live) (void)members.OnHeartbeat(a, msg::Heartbeat{}, now);
  }
  // Everyone but `silent` heartbeats through `ms` of time.
  void Pass(uint64_t ms, const std::set<uint32_t>& silent) {
    for (uint64_t t = 0; t < ms; t += 1000) {
      now += 1000;
      std::vector<uint32_t> live;
      for (uint32_t a = 2; a <= 6; ++a) {
        if (!silent.count(a) && members.Contains(a)) live.push_back(a);
      }
      Beat(live);
      (void)members.CheckLiveness(now);
    }
  }
  void Put(const ChunkRecord& r) { manifest[r.id] = r; }
  Repairer::Lookup Lookup() {
    return [this](const ChunkId& id) -> std::optional<ChunkRecord> {
      auto it = manifest.find(id);
      if (it == manifest.end()) return std::nullopt;
      return it->second;
    };
  }
  std::vector<ChunkRecord> All() {
    std::vector<ChunkRecord> v;
    for (auto& [id, r] : manifest) v.push_back(r);
    return v;
  }
};

std::vector<msg::Copy> Copies(const std::vector<Outgoing>& out) {
  std::vector<msg::Copy> v;
  for (const auto& o : out) {
    auto c = msg::DecodeText<msg::Copy>(o.payload);
    REQUIRE(c.ok());
    v.push_back(*c);
  }
  return v;
}

RepairOptions Opts() {
  RepairOptions o;
  o.copy_timeout_ms = 5000;
  return o;
}

}  // namespace

TEST_SUITE("repairer") {
  TEST_CASE("a dead holder's chunks are copied from a live holder to a store without one") {
    Site s;
    Repairer r(Opts(), kCore, Topics(), &s.members, &s.m, nullptr);
    s.Put(Rec('a', {2, 3, 4}));
    s.Pass(15000, {4});  // 4 dies
    REQUIRE(s.members.Find(4)->state == NodeState::kDead);
    r.Scan(s.All(), s.now);
    CHECK(s.m.Get("under_replicated_2") == 1);
    auto out = r.Tick(s.now, s.Lookup());
    REQUIRE(out.size() == 1);
    auto c = Copies(out)[0];
    CHECK(c.id == Id('a'));
    CHECK((out[0].topic == "tern/down/s2" || out[0].topic == "tern/down/s3"));
    CHECK((c.to_addr == 5 || c.to_addr == 6));
    CHECK(c.to == "s" + std::to_string(c.to_addr));
    CHECK(s.m.Get("repair_copies_requested") == 1);
    CHECK(r.in_flight() == 1);
    // Asked once: the next tick sends nothing more for it.
    CHECK(r.Tick(s.now, s.Lookup()).empty());
    // The target's stored notice completes it; the chunk leaves the queue once recorded.
    r.OnStored(c.id, c.to_addr, s.now);
    CHECK(s.m.Get("repair_copies_done") == 1);
    CHECK(s.m.Get("repair_bytes") == 1000);
    s.manifest[c.id].holders.push_back(c.to_addr);
    CHECK(r.Tick(s.now, s.Lookup()).empty());
    CHECK(r.queued() == 0);
    CHECK(s.m.Get("repair_queue") == 0);
  }

  TEST_CASE("a brief outage makes no repair: an offline or suspect holder still counts") {
    Site s;
    Repairer r(Opts(), kCore, Topics(), &s.members, &s.m, nullptr);
    s.Put(Rec('a', {2, 3, 4}));
    (void)s.members.OnOffline(4);
    s.Pass(5000, {4});  // offline, silent, but not past dead_after
    REQUIRE(s.members.Find(4)->state == NodeState::kOffline);
    r.Scan(s.All(), s.now);
    CHECK(r.Tick(s.now, s.Lookup()).empty());
    CHECK(r.queued() == 0);
    CHECK(s.m.Get("repair_copies_requested") == 0);
  }

  TEST_CASE("chunks with one good copy are repaired before chunks with two") {
    Site s;
    RepairOptions o = Opts();
    o.max_streams = 1;  // one copy at a time per store: the order shows
    Repairer r(o, kCore, Topics(), &s.members, &s.m, nullptr);
    s.Put(Rec('a', {2, 3, 4}));  // two good after 4 dies
    s.Put(Rec('b', {2, 4, 5}));  // ... two good
    s.Put(Rec('c', {2, 4, 6}));  // two good
    s.Put(Rec('d', {4, 5, 3}));  // two good
    s.Put(Rec('z', {2, 4}));     // one good: first although queued last by id
    s.Pass(15000, {4});
    r.Scan(s.All(), s.now);
    CHECK(s.m.Get("under_replicated_1") == 1);
    auto first = Copies(r.Tick(s.now, s.Lookup()));
    REQUIRE_FALSE(first.empty());
    CHECK(first[0].id == Id('z'));
  }

  TEST_CASE("each store takes part in at most max_streams copies at once") {
    Site s;
    RepairOptions o = Opts();
    o.max_streams = 1;
    Repairer r(o, kCore, Topics(), &s.members, &s.m, nullptr);
    for (char c = 'a'; c <= 'h'; ++c) s.Put(Rec(c, {2, 3, 4}));
    s.Pass(15000, {4});
    r.Scan(s.All(), s.now);
    auto out = Copies(r.Tick(s.now, s.Lookup()));
    // Sources 2 and 3, targets 5 and 6, one stream each: two copies at most.
    CHECK(out.size() == 2);
    std::map<uint32_t, int> per_target;
    for (const auto& c : out) ++per_target[c.to_addr];
    for (const auto& [t, n] : per_target) CHECK(n == 1);
    CHECK(s.m.Get("repair_in_flight") == 2);
  }

  TEST_CASE("the byte budget holds copies back until it refills") {
    Site s;
    RepairOptions o = Opts();
    o.max_streams = 10;
    o.max_bytes_per_s = 1500;  // one 1000-byte copy per store, then the bucket is spent
    Repairer r(o, kCore, Topics(), &s.members, &s.m, nullptr);
    for (char c = 'a'; c <= 'f'; ++c) s.Put(Rec(c, {2, 3, 4}));
    s.Pass(15000, {4});
    r.Scan(s.All(), s.now);
    const size_t first = r.Tick(s.now, s.Lookup()).size();
    CHECK(first >= 1);
    CHECK(first <= 4);
    CHECK(r.Tick(s.now, s.Lookup()).empty());  // every bucket is in debt or spent
    const size_t later = r.Tick(s.now + 3000, s.Lookup()).size();
    CHECK(later >= 1);
  }

  TEST_CASE("a copy refused or not confirmed in time is tried again elsewhere") {
    Site s;
    Repairer r(Opts(), kCore, Topics(), &s.members, &s.m, nullptr);
    s.Put(Rec('a', {2, 3, 4}));
    s.Pass(15000, {4});
    r.Scan(s.All(), s.now);
    auto c1 = Copies(r.Tick(s.now, s.Lookup()));
    REQUIRE(c1.size() == 1);
    // No stored notice within copy_timeout: failed, and the next try uses the other target.
    auto c2 = Copies(r.Tick(s.now + 5000, s.Lookup()));
    CHECK(s.m.Get("repair_copy_failures") == 1);
    REQUIRE(c2.size() == 1);
    CHECK(c2[0].to_addr != c1[0].to_addr);
    // A copy_nack from the source fails it at once.
    msg::CopyNack n;
    n.id = c2[0].id;
    n.req = c2[0].req;
    n.reason = "not held";
    CHECK_FALSE(r.OnCopyNack(n, 99, s.now));  // not the source
    bool refused = false;
    for (uint32_t a : {2u, 3u}) refused = refused || r.OnCopyNack(n, a, s.now);
    CHECK(refused);
    CHECK(s.m.Get("repair_copy_failures") == 2);
    CHECK(r.in_flight() == 0);
  }

  TEST_CASE("fewer than three live stores reports the shortfall and does not loop") {
    Site s;
    Repairer r(Opts(), kCore, Topics(), &s.members, &s.m, nullptr);
    s.Put(Rec('a', {2, 3, 4}));
    s.Put(Rec('b', {2, 3, 5}));
    s.Pass(15000, {4, 5, 6});  // only 2 and 3 stay
    r.Scan(s.All(), s.now);
    for (int i = 0; i < 100; ++i)
      CHECK(r.Tick(s.now + static_cast<uint64_t>(i), s.Lookup()).empty());
    CHECK(r.blocked_reason().find("only 2 live") != std::string::npos);
    CHECK(s.m.Get("repair_copies_requested") == 0);
    CHECK(r.queued() == 2);
    CHECK(r.Json(100, s.now)["blocked_reason"] != "");
    // A store comes back: the shortfall is over.
    s.Beat({6});
    r.Tick(s.now, s.Lookup());
    CHECK(r.blocked_reason().empty());
  }

  TEST_CASE("a draining holder's copy is not good, but it serves as a source") {
    Site s;
    Repairer r(Opts(), kCore, Topics(), &s.members, &s.m, nullptr);
    s.Put(Rec('a', {4, 5, 6}));
    s.members.SetDraining(4, true);
    s.members.SetDraining(5, true);
    r.Scan(s.All(), s.now);
    CHECK(r.census().by_good[1] == 1);
    auto out = Copies(r.Tick(s.now, s.Lookup()));
    REQUIRE(out.size() == 1);
    CHECK((out[0].to_addr == 2 || out[0].to_addr == 3));  // never to a draining store
  }

  TEST_CASE("an unacked chunk and a result still being placed are not repair's") {
    Site s;
    Repairer r(Opts(), kCore, Topics(), &s.members, &s.m,
               [](const ChunkId& id) { return id == Id('r'); });
    auto unacked = Rec('u', {2});
    unacked.acked = false;
    s.Put(unacked);
    auto result = Rec('r', {2});
    result.origin = kCore;
    s.Put(result);
    r.Scan(s.All(), s.now);
    CHECK(r.queued() == 0);
    CHECK(r.Tick(s.now, s.Lookup()).empty());
  }

  TEST_CASE("a chunk with no good copy is counted missing, not queued") {
    Site s;
    Repairer r(Opts(), kCore, Topics(), &s.members, &s.m, nullptr);
    s.Put(Rec('a', {4}));
    s.Pass(15000, {4});
    r.Scan(s.All(), s.now);
    CHECK(s.m.Get("missing_chunks") == 1);
    CHECK(r.queued() == 0);
  }

  TEST_CASE(
      "no two-copy copy starts while a one-copy chunk waits for room, and the history shows it") {
    Site s;
    RepairOptions o = Opts();
    o.max_streams = 1;
    Repairer r(o, kCore, Topics(), &s.members, &s.m, nullptr);
    s.Put(Rec('y', {2, 4}));     // one good copy after 4 dies, only 2 can serve it
    s.Put(Rec('z', {2, 4}));     // the same: it waits while 2 copies y
    s.Put(Rec('a', {3, 5, 4}));  // two good: 3 or 5 to 6 would have room, but must wait
    s.Pass(15000, {4});
    r.Scan(s.All(), s.now);
    auto first = Copies(r.Tick(s.now, s.Lookup()));
    REQUIRE(first.size() == 1);
    CHECK(first[0].id == Id('y'));
    // y's copy is confirmed: z goes next (2 is free again), and a after it or with it.
    r.OnStored(first[0].id, first[0].to_addr, s.now + 100);
    s.manifest[first[0].id].holders.push_back(first[0].to_addr);
    auto second = Copies(r.Tick(s.now + 250, s.Lookup()));
    REQUIRE_FALSE(second.empty());
    CHECK(second[0].id == Id('z'));
    const auto& h = r.history();
    REQUIRE(h.size() == second.size() + 1);
    const RepairRecord& y = h.begin()->second;
    CHECK(y.id == Id('y'));
    CHECK(y.good == 1);
    CHECK(y.source == 2);
    CHECK(y.result == "done");
    CHECK(y.started_ms == s.now);
    CHECK(y.finished_ms == s.now + 100);
    for (const auto& [req, rec] : h) {
      if (rec.id == Id('a')) CHECK(rec.started_ms == s.now + 250);
      if (rec.id == Id('z')) CHECK(rec.ready_ms == s.now);
    }
    auto doc = r.Json(10, s.now + 300);
    REQUIRE(doc["history"].size() == h.size());
    CHECK(doc["history"][0]["id"] == ToHex(Id('y')).substr(0, 16));
    CHECK(doc["history"][0]["copies"] == 1);
    CHECK(doc["history"][0]["source"] == "s2");
    CHECK(doc["history"][0]["result"] == "done");
    CHECK(doc["started"] == h.size());
  }

  TEST_CASE("a one-copy chunk with no live source holds no two-copy copy back") {
    Site s;
    RepairOptions o = Opts();
    o.max_streams = 1;
    Repairer r(o, kCore, Topics(), &s.members, &s.m, nullptr);
    s.Put(Rec('z', {2, 4}));     // one good copy, on 2, which is offline (still good)
    s.Put(Rec('a', {3, 5, 4}));  // two good, sources live
    s.Pass(15000, {4});
    (void)s.members.OnOffline(2);
    r.Scan(s.All(), s.now);
    CHECK(s.m.Get("under_replicated_1") == 1);
    auto out = Copies(r.Tick(s.now, s.Lookup()));
    REQUIRE(out.size() == 1);
    CHECK(out[0].id == Id('a'));
  }

  TEST_CASE("the history keeps the last history_max copies") {
    Site s;
    RepairOptions o = Opts();
    o.history_max = 3;
    Repairer r(o, kCore, Topics(), &s.members, &s.m, nullptr);
    for (char c = 'a'; c <= 'f'; ++c) s.Put(Rec(c, {2, 3, 4}));
    s.Pass(15000, {4});
    r.Scan(s.All(), s.now);
    const size_t n = r.Tick(s.now, s.Lookup()).size();
    REQUIRE(n > 3);
    CHECK(r.history().size() == 3);
    CHECK(r.history().begin()->first == n - 2);  // the oldest kept is the (n-2)th started
    CHECK(r.Json(10, s.now)["started"] == n);
  }
  TEST_CASE("with placement the target is the next store in the window's rendezvous order") {
    for (int max_streams : {8, 1}) {
      CAPTURE(max_streams);
      Site s;
      RepairOptions o = Opts();
      o.max_streams = max_streams;
      Repairer r(o, kCore, Topics(), &s.members, &s.m, nullptr);
      const placement::Key k{"rig", 1};
      r.SetPlacement([&](const ChunkRecord&) { return k; });
      // Every store's load is the same level (heartbeats without figures): the plain ranking.
      const auto R = placement::Rank(k, {{2, 0.25}, {3, 0.25}, {4, 0.25}, {5, 0.25}, {6, 0.25}});
      // As rendezvous placement left them: origins R[2] and R[3], both on R[0] and R[1].
      s.Put(Rec('a', {R[2], R[0], R[1]}));
      if (max_streams > 1) s.Put(Rec('b', {R[3], R[0], R[1]}));
      s.Put(Rec('c', {R[2], R[0], R[1]}));
      s.Pass(15000, {R[1]});  // R[1] dies
      REQUIRE(s.members.Find(R[1])->state == NodeState::kDead);
      r.Scan(s.All(), s.now);
      std::map<ChunkId, uint32_t> to;
      for (const auto& c : Copies(r.Tick(s.now, s.Lookup()))) to[c.id] = c.to_addr;
      // Each goes to the first store in the order that it lacks: a and c to R[3], b to R[2]
      // (the window ends up on R[0], R[2] and R[3] whatever the origin).
      if (max_streams > 1) {
        CHECK(to.size() == 3);
        CHECK(to[Id('b')] == R[2]);
        CHECK(to[Id('c')] == R[3]);
        CHECK(to[Id('a')] == R[3]);
        continue;
      }
      // One stream per store: c waits for R[3] rather than going elsewhere.
      REQUIRE(to.size() == 1);
      CHECK(to[Id('a')] == R[3]);
      s.manifest[Id('a')].holders.push_back(R[3]);
      r.OnStored(Id('a'), R[3], s.now);
      s.now += 1000;
      auto copies = Copies(r.Tick(s.now, s.Lookup()));
      REQUIRE(copies.size() == 1);
      CHECK(copies[0].id == Id('c'));
      CHECK(copies[0].to_addr == R[3]);
    }
  }
}

}  // namespace tern::core
