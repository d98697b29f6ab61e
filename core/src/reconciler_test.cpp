#include "reconciler.h"

#include <doctest/doctest.h>

#include "core_testing.h"
#include "verify_round.h"

namespace tern::core {
namespace {

struct Fixture {
  testing::TestDb t;
  Metrics m;
  Membership members{3000, 10000};
  uint32_t core = 0, a = 0, b = 0;
  std::unique_ptr<Reconciler> rec;
  const Topics tp;
  explicit Fixture(ReconcileOptions o = {}) {
    core = t.Register("core");
    a = t.Register("a");
    b = t.Register("b");
    members.Add(a, "a");
    members.Add(b, "b");
    (void)members.OnHeartbeat(a, msg::Heartbeat{}, 0);
    (void)members.OnHeartbeat(b, msg::Heartbeat{}, 0);
    rec = std::make_unique<Reconciler>(o, core, tp, t.db.get(), &members, &m);
  }
  testing::TestChunk Held(uint64_t seq, uint32_t holder) {
    auto c = testing::MakeChunk(a, seq);
    REQUIRE(t.db->RecordHolder(c.NoticeBy(holder)).ok());
    return c;
  }
  msg::BlockReport Page(uint32_t holder, uint64_t report, uint32_t page, bool last,
                        std::vector<ChunkId> ids, std::vector<ChunkId> corrupt = {}) {
    msg::BlockReport p;
    p.holder = holder;
    p.report = report;
    p.page = page;
    p.last = last;
    for (auto& id : ids) p.chunks.push_back({id, 100});
    p.corrupt = std::move(corrupt);
    return p;
  }
};

std::vector<msg::Restate> Restates(const std::vector<Outgoing>& out) {
  std::vector<msg::Restate> v;
  for (const auto& o : out) {
    auto r = msg::DecodeText<msg::Restate>(o.payload);
    REQUIRE(r.ok());
    v.push_back(*r);
  }
  return v;
}

}  // namespace

TEST_SUITE("reconciler") {
  TEST_CASE("a copy the report lacks is asked again, and removed only on restate_nack") {
    Fixture f;
    auto c1 = f.Held(1, f.a), c2 = f.Held(2, f.a), c3 = f.Held(3, f.a);
    // Three copies recorded for a; its two-page report lists only c1.
    auto o1 = f.rec->OnPage(f.Page(f.a, 7, 0, false, {c1.id}), f.a, f.tp.Stored("a"), 0, 1000);
    CHECK_FALSE(o1.complete);
    auto o2 = f.rec->OnPage(f.Page(f.a, 7, 1, true, {}), f.a, f.tp.Stored("a"), 0, 1000);
    REQUIRE(o2.complete);
    CHECK(o2.complete->missing.size() == 2);
    auto asked = Restates(o2.out);
    REQUIRE(asked.size() == 2);
    CHECK(o2.out[0].topic == f.tp.Down("a"));
    CHECK(asked[0].to == f.core);
    // c2 was committed after the snapshot: the store states it again; c3 is really gone.
    f.rec->OnStored(c2.id, f.a);
    CHECK(f.rec->OnRestateNack({c2.id, f.a, "not held"}, f.a).changed.empty());
    auto gone = f.rec->OnRestateNack({c3.id, f.a, "not held"}, f.a);
    CHECK(gone.changed == std::vector<ChunkId>{c3.id});
    CHECK(f.t.db->Holders(c3.id).value().empty());
    CHECK(f.t.db->Holders(c2.id).value().size() == 1);
    CHECK(f.m.Get("reconcile_missing") == 1);
    // A restate_nack nobody asked for (the ResultPlacer's) changes nothing.
    CHECK(f.rec->OnRestateNack({c1.id, f.a, "not held"}, f.a).changed.empty());
    CHECK(f.t.db->Holders(c1.id).value().size() == 1);
    CHECK(f.rec->LastReportMs(f.a) == 1000);
  }

  TEST_CASE("a copy reported but not recorded is asked to restate, counted as extra") {
    Fixture f;
    auto c1 = f.Held(1, f.a);
    auto stray = testing::MakeChunk(f.a, 9);
    auto o = f.rec->OnPage(f.Page(f.a, 1, 0, true, {c1.id, stray.id}), f.a, f.tp.Stored("a"), 0, 5);
    REQUIRE(o.complete);
    CHECK(o.complete->extra == std::vector<ChunkId>{stray.id});
    CHECK(o.complete->missing.empty());
    auto asked = Restates(o.out);
    REQUIRE(asked.size() == 1);
    CHECK(asked[0].id == stray.id);
    CHECK(f.m.Get("reconcile_extra") == 1);
  }

  TEST_CASE("corrupt copies in a report or a notice leave the manifest at once") {
    Fixture f;
    auto c1 = f.Held(1, f.a), c2 = f.Held(2, f.b);
    auto o = f.rec->OnPage(f.Page(f.a, 1, 0, true, {}, {c1.id}), f.a, f.tp.Stored("a"), 0, 5);
    REQUIRE(o.complete);
    CHECK(o.complete->corrupt == std::vector<ChunkId>{c1.id});
    CHECK(o.complete->missing.empty());  // corrupt, not missing
    CHECK(o.changed == std::vector<ChunkId>{c1.id});
    CHECK(f.t.db->Holders(c1.id).value().empty());
    msg::Corrupt n;
    n.id = c2.id;
    n.holder = f.b;
    n.reason = "scrub";
    CHECK(f.rec->OnCorrupt(n, f.a, f.tp.Stored("a")).changed.empty());  // not a's to say
    CHECK(f.m.Get("refused_wrong_holder") == 1);
    CHECK(f.rec->OnCorrupt(n, f.b, f.tp.Stored("b")).changed.size() == 1);
    CHECK(f.t.db->Holders(c2.id).value().empty());
    CHECK(f.m.Get("corrupt_copies") == 2);
  }

  TEST_CASE("a report whose pages stop, skip or belong to another holder is dropped") {
    ReconcileOptions o;
    o.page_timeout_ms = 1000;
    Fixture f(o);
    auto c1 = f.Held(1, f.a);
    // Another node's report under a's name: refused.
    CHECK_FALSE(f.rec->OnPage(f.Page(f.a, 1, 0, true, {}), f.b, f.tp.Stored("b"), 0, 5).complete);
    CHECK(f.m.Get("refused_wrong_holder") == 1);
    // A skipped page drops the report; its last page then belongs to nothing.
    (void)f.rec->OnPage(f.Page(f.a, 2, 0, false, {c1.id}), f.a, f.tp.Stored("a"), 0, 5);
    (void)f.rec->OnPage(f.Page(f.a, 2, 2, true, {}), f.a, f.tp.Stored("a"), 0, 5);
    CHECK(f.m.Get("block_reports_dropped") == 1);
    // Stalled pages are dropped by the tick; nothing is removed for an unfinished report.
    (void)f.rec->OnPage(f.Page(f.a, 3, 0, false, {}), f.a, f.tp.Stored("a"), 0, 5);
    (void)f.rec->Tick(5000);
    CHECK(f.m.Get("block_reports_dropped") == 2);
    CHECK(f.t.db->Holders(c1.id).value().size() == 1);
    // Memory is bounded: a report bigger than max_entries is dropped.
    ReconcileOptions small;
    small.max_entries = 1;
    Fixture g(small);
    auto d1 = g.Held(1, g.a), d2 = g.Held(2, g.a);
    CHECK_FALSE(g.rec->OnPage(g.Page(g.a, 1, 0, true, {d1.id, d2.id}), g.a, g.tp.Stored("a"), 0, 5)
                    .complete);
    CHECK(g.m.Get("block_reports_dropped") == 1);
  }

  TEST_CASE("every live store is asked for a report each interval") {
    ReconcileOptions o;
    o.interval_ms = 10000;
    Fixture f(o);
    CHECK(f.rec->Tick(0).empty());  // stores report on their own at start
    CHECK(f.rec->Tick(5000).empty());
    auto due = f.rec->Tick(10000);
    REQUIRE(due.size() == 2);
    auto d = msg::DecodeText<msg::DigestRequest>(due[0].payload);
    REQUIRE(d.ok());
    CHECK_FALSE(d->rehash);
    CHECK(f.rec->Tick(15000).empty());
    CHECK(f.rec->Tick(20000).size() == 2);
  }

  TEST_CASE("a verify round collects its reports and compares them with the manifest") {
    Fixture f;
    auto c1 = f.Held(1, f.a);
    REQUIRE(f.t.db->RecordHolder(c1.NoticeBy(f.b)).ok());
    uint64_t ra = 0, rb = 0;
    (void)f.rec->Request(f.a, true, 0, &ra);
    (void)f.rec->Request(f.b, true, 0, &rb);
    CHECK(ra != rb);
    VerifyRound round({{ra, {f.a, "a"}}, {rb, {f.b, "b"}}});
    auto o = f.rec->OnPage(f.Page(f.a, ra, 0, true, {c1.id}), f.a, f.tp.Stored("a"), 0, 5);
    REQUIRE(o.complete);
    CHECK(round.OnReport(*o.complete));
    std::atomic<bool> stop{false};
    round.Wait(std::chrono::milliseconds(200), stop);  // b stays silent
    auto all = f.t.db->All().value();
    auto doc = round.Document(
        all, [](uint32_t) { return true; }, 3);
    CHECK(doc["ok"] == false);
    CHECK(doc["chunks"] == 1);
    CHECK(doc["under_replicated"] == 1);
    CHECK(doc["by_copies"]["2"] == 1);
    CHECK(doc["stores_answered"] == nlohmann::json::array({"a"}));
    CHECK(doc["stores_silent"] == nlohmann::json::array({"b"}));
    CHECK(doc["problems"].size() == 1);
    CHECK(doc["problems"][0]["problem"] == "under_replicated");
  }
}

}  // namespace tern::core
