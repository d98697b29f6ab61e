// Trace generation and replay: LRU and LFU as in the textbook on a tiny trace; the value
// model's replay is deterministic, trains, and reports held-out predictions.
#include "tern/tiering/replay.h"

#include <doctest/doctest.h>

#include <algorithm>

#include "hot_cache.h"

namespace tern::tiering {
namespace {

// Chunks A, B, C (100 bytes each), a hot tier of 200 bytes:
//   A, B written; read A; C written; read B; read C; read A.
AccessTrace Tiny() {
  AccessTrace t;
  for (uint64_t i = 0; i < 3; ++i) {
    TraceChunk c;
    c.id = i;
    c.bytes = 100;
    c.t_ms = i == 2 ? 20 : i;  // C after the first read
    t.chunks.push_back(c);
  }
  t.reads = {{10, 0, 0, ReadPattern::kAudit},
             {30, 1, 0, ReadPattern::kAudit},
             {40, 2, 0, ReadPattern::kAudit},
             {50, 0, 0, ReadPattern::kAudit}};
  t.consumers = 1;
  t.end_ms = 60;
  t.total_bytes = 300;
  return t;
}

ReplayConfig TinyConfig() {
  ReplayConfig c;
  c.hot_capacity = 200;
  c.warm_capacity = 10000;
  return c;
}

TraceConfig SmallTrace(uint64_t seed) {
  TraceConfig c;
  c.seed = seed;
  c.sources = 5;
  c.days = 3;
  c.chunk_minutes = 30;
  c.dashboards = 3;
  c.dashboard_sources = 2;
  c.audits_per_day = 50;
  c.anomaly_rate = 0.05;
  c.export_at_day = 2.0;
  c.export_sources = 2;
  return c;
}

}  // namespace

TEST_SUITE("tiering.replay") {
  TEST_CASE("LRU evicts the least recently used chunk") {
    auto r = Replay(Tiny(), Policy::kLru, TinyConfig());
    REQUIRE(r.ok());
    // A hit; C evicts B (A was just read); B misses and evicts A; C hits; A misses.
    const std::vector<Tier> want = {Tier::kHot, Tier::kWarm, Tier::kHot, Tier::kWarm};
    CHECK(r->tier_of_read == want);
    CHECK(r->hot_hits == 2);
    CHECK(r->bytes_promoted == 200);  // B, A
    CHECK(r->bytes_demoted == 300);   // B, A, then B again for A
    CHECK(r->bytes_migrated() == 500);
  }

  TEST_CASE("LFU evicts the least frequently used chunk, ties to the least recent") {
    auto r = Replay(Tiny(), Policy::kLfu, TinyConfig());
    REQUIRE(r.ok());
    // A hit (A: 2 uses); C evicts B (1 use); B's return evicts C (1 use against A's 2); C's
    // return evicts B; A hits.
    const std::vector<Tier> want = {Tier::kHot, Tier::kWarm, Tier::kWarm, Tier::kHot};
    CHECK(r->tier_of_read == want);
    CHECK(r->hot_hits == 2);
    CHECK(r->bytes_promoted == 200);  // B, C
    CHECK(r->bytes_demoted == 300);   // B, C, B
  }

  TEST_CASE("the trace is seeded, ordered, and has all four kinds of reader") {
    auto a = GenerateTrace(SmallTrace(1));
    auto b = GenerateTrace(SmallTrace(1));
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    REQUIRE(a->reads.size() == b->reads.size());
    CHECK(std::equal(a->reads.begin(), a->reads.end(), b->reads.begin(),
                     [](const TraceRead& x, const TraceRead& y) {
                       return x.t_ms == y.t_ms && x.chunk == y.chunk && x.consumer == y.consumer;
                     }));
    std::array<int, kNumPatterns> seen{};
    uint64_t last = 0;
    for (const TraceRead& r : a->reads) {
      CHECK(r.t_ms >= last);
      last = r.t_ms;
      REQUIRE(r.chunk < a->chunks.size());
      CHECK(a->chunks[r.chunk].t_ms <= r.t_ms);  // nobody reads the future
      CHECK(r.consumer < a->consumers);
      ++seen[static_cast<size_t>(r.pattern)];
    }
    for (int n : seen) CHECK(n > 0);
    CHECK(ChunkPayload(a->chunks[3], 1).size() == a->chunks[3].bytes);
    CHECK(ChunkPayload(a->chunks[3], 1) == ChunkPayload(b->chunks[3], 1));
  }

  TEST_CASE("the value model replay is deterministic, trains and reports held-out figures") {
    auto tr = GenerateTrace(SmallTrace(2));
    REQUIRE(tr.ok());
    ReplayConfig cfg;
    cfg.retrain_hours = 12;
    cfg.snapshot_minutes = 30;
    cfg.snapshot_samples = 60;
    cfg.holdout_fraction = 0.4;
    cfg.rbf.apso.iterations = 60;
    auto a = Replay(*tr, Policy::kValueModel, cfg);
    auto b = Replay(*tr, Policy::kValueModel, cfg);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(a->hot_hits == b->hot_hits);
    CHECK(a->bytes_migrated() == b->bytes_migrated());
    CHECK(a->tier_of_read == b->tier_of_read);
    CHECK(a->trainings >= 3);
    CHECK(a->heldout.samples > 0);
    CHECK(a->heldout.rmse_model == b->heldout.rmse_model);
    CHECK(a->reads == tr->reads.size());
    CHECK(a->hit_rate() > 0.0);
    CHECK(a->hit_rate() <= 1.0);
  }

  TEST_CASE("a read promotes to hot at once, displacing a hot chunk worth less") {
    // A (hot) and B (warm: both would pass the 190-byte high watermark) of one source; B is
    // read twice. Before any training B's value after a read is log1p(1), the promotion
    // threshold; A's, unread, is 0.
    AccessTrace t = Tiny();
    t.chunks.resize(2);
    t.reads = {{10, 1, 0, ReadPattern::kAudit}, {20, 1, 0, ReadPattern::kAudit}};
    t.total_bytes = 200;
    auto r = Replay(t, Policy::kValueModel, TinyConfig());
    REQUIRE(r.ok());
    CHECK(r->written_bytes[0] == 100);
    const std::vector<Tier> want = {Tier::kWarm, Tier::kHot};
    CHECK(r->tier_of_read == want);
    CHECK(r->bytes_promoted == 100);  // B
    CHECK(r->bytes_demoted == 100);   // A
    CHECK(r->peak_hot_bytes == 100);
    // A margin of 2 protects A (B's value after two reads is log1p(2)): nothing moves.
    ReplayConfig c = TinyConfig();
    c.displace_margin = 2.0;
    r = Replay(t, Policy::kValueModel, c);
    REQUIRE(r.ok());
    CHECK(r->hot_hits == 0);
    CHECK(r->bytes_migrated() == 0);
  }

  TEST_CASE("every policy keeps within the hot capacity") {
    auto tr = GenerateTrace(SmallTrace(3));
    REQUIRE(tr.ok());
    ReplayConfig cfg;
    cfg.rbf.apso.iterations = 30;
    for (Policy p : {Policy::kValueModel, Policy::kLru, Policy::kLfu}) {
      auto r = Replay(*tr, p, cfg);
      REQUIRE(r.ok());
      CHECK(r->peak_hot_bytes > 0);
      const double limit = p == Policy::kValueModel ? cfg.high_watermark : 1.0;
      CHECK(static_cast<double>(r->peak_hot_bytes) <= limit * static_cast<double>(r->hot_capacity));
    }
  }

  TEST_CASE("the hot value index displaces the cheapest, within margin and count") {
    HotValueIndex ix;
    ix.Add(1, 0.1, 100);
    ix.Add(2, 0.5, 100);
    ix.Add(3, 0.2, 100);
    CHECK(ix.Victims(300, 0, 300, 1.0, 0.25, 8)->empty());  // fits already
    CHECK(*ix.Victims(300, 100, 300, 1.0, 0.25, 8) == std::vector<uint64_t>{1});
    CHECK(*ix.Victims(300, 150, 300, 1.0, 0.25, 8) == std::vector<uint64_t>{1, 3});
    CHECK(!ix.Victims(300, 150, 300, 1.0, 0.25, 1));  // needs two
    CHECK(!ix.Victims(300, 150, 300, 0.4, 0.25, 8));  // 3 is worth too much to go for 0.4
    CHECK(!ix.Victims(300, 350, 300, 9.0, 0.0, 8));   // all three do not make room
    ix.Remove(1);
    CHECK(*ix.Victims(200, 100, 200, 1.0, 0.25, 8) == std::vector<uint64_t>{3});
    CHECK(ix.size() == 2);
  }

  TEST_CASE("the value model is first trained as soon as it has enough labelled samples") {
    auto tr = GenerateTrace(SmallTrace(2));
    REQUIRE(tr.ok());
    ReplayConfig cfg;
    cfg.retrain_hours = 1000;  // longer than the trace: only the first training happens
    cfg.rbf.apso.iterations = 30;
    auto r = Replay(*tr, Policy::kValueModel, cfg);
    REQUIRE(r.ok());
    CHECK(r->trainings == 1);
  }

  TEST_CASE("a replay with no hot capacity is refused") {
    ReplayConfig c = TinyConfig();
    c.hot_capacity = 0;
    c.hot_fraction = 0;
    CHECK(!Replay(Tiny(), Policy::kLru, c).ok());
  }
}
}  // namespace tern::tiering
