// The migration planner: watermarks, the queue bound, pinned chunks, promotion, thresholds.
#include "tern/tiering/migration.h"

#include <doctest/doctest.h>

#include <algorithm>

namespace tern::tiering {
namespace {

PlannerConfig Config() {
  PlannerConfig c;
  c.hot = {1000, 0.9, 0.75};
  c.warm = {10000, 0.9, 0.75};
  c.max_moves = 100;
  c.initial_promote = 2.0;
  return c;
}

// Ten 100-byte hot chunks (1000 bytes: above the 900 high watermark), values 0..9.
std::vector<ChunkState> FullHot() {
  std::vector<ChunkState> v;
  for (uint64_t i = 0; i < 10; ++i) v.push_back({i, 100, Tier::kHot, static_cast<double>(i)});
  return v;
}

std::vector<ChunkState> Apply(std::vector<ChunkState> s, const std::vector<Move>& moves) {
  for (const Move& m : moves) {
    for (auto& c : s) {
      if (c.id == m.id) {
        CHECK(c.tier == m.from);
        c.tier = m.to;
      }
    }
  }
  return s;
}

}  // namespace

TEST_SUITE("tiering.migration") {
  TEST_CASE("demotion runs from above the high watermark to the low one, lowest value first") {
    MigrationPlanner p(Config());
    const auto chunks = FullHot();
    const auto moves = p.Plan(chunks);
    REQUIRE(moves.size() == 3);  // 1000 -> 700 <= 750
    for (size_t i = 0; i < 3; ++i) {
      CHECK(moves[i].id == i);
      CHECK(moves[i].to == Tier::kWarm);
    }
    CHECK(TierUse(Apply(chunks, moves))[0] == 700);
    // The threshold moved towards the best value the hot tier gave up (2).
    CHECK(p.promote_threshold() == doctest::Approx(2.0));
    // Below the high watermark nothing is demoted.
    std::vector<ChunkState> calm(chunks.begin(), chunks.begin() + 9);
    CHECK(p.Plan(calm).empty());
  }

  TEST_CASE("a pinned chunk never moves and the queue bound holds") {
    auto chunks = FullHot();
    chunks[0].pinned = true;
    chunks[1].pinned = true;
    MigrationPlanner p(Config());
    const auto moves = p.Plan(chunks);
    REQUIRE(moves.size() == 3);
    for (const Move& m : moves) CHECK(m.id >= 2);

    PlannerConfig small = Config();
    small.max_moves = 2;
    MigrationPlanner q(small);
    CHECK(q.Plan(FullHot()).size() == 2);
  }

  TEST_CASE("warm chunks above the threshold are promoted, displacing cheaper hot chunks") {
    std::vector<ChunkState> s;
    for (uint64_t i = 0; i < 8; ++i) s.push_back({i, 100, Tier::kHot, 3.0 + double(i)});
    s.push_back({100, 100, Tier::kWarm, 5.0});  // fits: 800 + 100 <= 900
    s.push_back({101, 100, Tier::kCold, 1.0});  // below the threshold (2): stays
    s.push_back({102, 100, Tier::kWarm, 4.0});  // no room left once 100 is in
    MigrationPlanner p(Config());
    const auto moves = p.Plan(s);
    const auto after = Apply(s, moves);
    CHECK(TierUse(after)[0] <= 900);
    const auto tier_of = [&](uint64_t id) {
      return std::find_if(after.begin(), after.end(), [&](auto& c) { return c.id == id; })->tier;
    };
    CHECK(tier_of(100) == Tier::kHot);
    CHECK(tier_of(101) == Tier::kCold);
    // 102 (value 4) displaced hot chunk 0 (value 3 <= 4 - margin 0.25).
    CHECK(tier_of(102) == Tier::kHot);
    CHECK(tier_of(0) == Tier::kWarm);
    CHECK(tier_of(1) == Tier::kHot);
    CHECK(moves.size() == 3);
  }

  TEST_CASE("the warm tier demotes to cold and the targets follow the thresholds") {
    PlannerConfig c = Config();
    c.warm = {1000, 0.9, 0.75};
    MigrationPlanner p(c);
    std::vector<ChunkState> s;
    for (uint64_t i = 0; i < 10; ++i) s.push_back({i, 100, Tier::kWarm, 0.1 * double(i)});
    const auto moves = p.Plan(s);
    REQUIRE(moves.size() == 3);
    for (const Move& m : moves) CHECK(m.to == Tier::kCold);
    CHECK(p.cold_threshold() == doctest::Approx(0.3 * 0.2));  // EMA towards 0.2 from 0
    CHECK(p.TargetTier(0.0) == Tier::kCold);
    CHECK(p.TargetTier(1.0) == Tier::kWarm);
    CHECK(p.TargetTier(5.0) == Tier::kHot);
  }
}
}  // namespace tern::tiering
