// Entropy weights, TOPSIS and first placement on examples worked by hand.
#include "tern/tiering/value_score.h"

#include <doctest/doctest.h>

#include <cmath>

namespace tern::tiering {
TEST_SUITE("tiering.value") {
  TEST_CASE("entropy weights match a hand-computed example") {
    // Column 0: 1,2,3 -> normalised 0,.5,1 -> p = 0,1/3,2/3 -> 1 - e = (2/3) ln2 / ln3.
    // Column 1: 5,5,6 -> p = 0,0,1 -> e = 0, 1 - e = 1. Column 2 is constant: weight 0.
    const IndicatorMatrix m{3, 3, {1, 5, 7, 2, 5, 7, 3, 6, 7}};
    const std::vector<Direction> dirs(3, Direction::kBenefit);
    auto w = EntropyWeights(m, dirs);
    REQUIRE(w.ok());
    const double d0 = (2.0 / 3.0) * std::log(2.0) / std::log(3.0);
    CHECK((*w)[0] == doctest::Approx(d0 / (d0 + 1.0)));
    CHECK((*w)[1] == doctest::Approx(1.0 / (d0 + 1.0)));
    CHECK((*w)[2] == 0.0);

    // A cost column 3,2,1 is the benefit column 1,2,3 mirrored: the same weight.
    const IndicatorMatrix mc{3, 3, {3, 5, 7, 2, 5, 7, 1, 6, 7}};
    auto wc = EntropyWeights(mc, {Direction::kCost, Direction::kBenefit, Direction::kBenefit});
    REQUIRE(wc.ok());
    CHECK((*wc)[0] == doctest::Approx((*w)[0]));
  }

  TEST_CASE("entropy weights refuse bad input and fall back to equal weights") {
    CHECK(!EntropyWeights({1, 2, {1, 2}}, {Direction::kBenefit, Direction::kBenefit}).ok());
    CHECK(!EntropyWeights({2, 2, {1, 2, 3}}, {Direction::kBenefit, Direction::kBenefit}).ok());
    CHECK(!EntropyWeights({2, 1, {1, NAN}}, {Direction::kBenefit}).ok());
    auto w = EntropyWeights({2, 2, {4, 4, 4, 4}}, {Direction::kBenefit, Direction::kCost});
    REQUIRE(w.ok());
    CHECK((*w)[0] == 0.5);
    CHECK((*w)[1] == 0.5);
  }

  TEST_CASE("TOPSIS ranks a dominated chain 0, 0.5, 1 and honours cost columns") {
    const IndicatorMatrix chain{3, 2, {1, 1, 2, 2, 3, 3}};
    auto c = TopsisCloseness(chain, {Direction::kBenefit, Direction::kBenefit}, {0.5, 0.5});
    REQUIRE(c.ok());
    CHECK((*c)[0] == doctest::Approx(0.0));
    CHECK((*c)[1] == doctest::Approx(0.5));
    CHECK((*c)[2] == doctest::Approx(1.0));
    // Column 1 a cost: (3, 1) is best in both, (1, 3) worst in both.
    const IndicatorMatrix mixed{2, 2, {1, 3, 3, 1}};
    auto m = TopsisCloseness(mixed, {Direction::kBenefit, Direction::kCost}, {0.3, 0.7});
    REQUIRE(m.ok());
    CHECK((*m)[0] == doctest::Approx(0.0));
    CHECK((*m)[1] == doctest::Approx(1.0));
    CHECK(!TopsisCloseness(mixed, {Direction::kBenefit, Direction::kCost}, {-1, 2}).ok());
  }

  TEST_CASE("the business value scorer orders chunks as their factors say") {
    std::vector<ValueFactors> pop;
    for (int i = 0; i < 40; ++i) {
      ValueFactors f;
      f.priority = static_cast<Priority>(i % 4);
      f.source_importance = 0.1 + 0.02 * i;
      f.anomaly_notes = i % 10 == 0 ? 2 : 0;
      f.linked_results = i % 5 == 0 ? 1 : 0;
      pop.push_back(f);
    }
    ValueScorer s;
    CHECK(s.Score(pop[0]) == 0.5);  // before Fit
    REQUIRE(s.Fit(pop).ok());
    double sum = 0;
    for (double w : s.weights()) sum += w;
    CHECK(sum == doctest::Approx(1.0));
    CHECK(s.weights()[1] == 0.0);  // every chunk is samples: kind tells nothing

    ValueFactors alarm{Priority::kAlarm, RecordKind::kSamples, 0.9, 1, 2};
    ValueFactors bulk{Priority::kBulk, RecordKind::kSamples, 0.1, 0, 0};
    CHECK(s.Score(alarm) > 0.8);
    CHECK(s.Score(bulk) < 0.2);
    ValueFactors beyond{Priority::kAlarm, RecordKind::kResult, 1.0, 50, 50};
    CHECK(s.Score(beyond) == doctest::Approx(1.0));  // clamped to the population's best
    CHECK(!s.Fit({pop[0]}).ok());
  }

  TEST_CASE("first placement follows the thresholds and the free room") {
    const PlacementThresholds th{0.6, 0.3};
    TierRoom room{1000, 800, 5000, 0, 0.9, 0.7};  // hot at 80 %: no spare room
    CHECK(InitialTier(0.7, 50, th, room) == Tier::kHot);
    CHECK(InitialTier(0.7, 150, th, room) == Tier::kWarm);  // would pass the high watermark
    CHECK(InitialTier(0.5, 50, th, room) == Tier::kWarm);
    CHECK(InitialTier(0.2, 50, th, room) == Tier::kCold);
    room.hot_used = 100;  // spare room: middling chunks go hot too, low ones still cold
    CHECK(InitialTier(0.5, 50, th, room) == Tier::kHot);
    CHECK(InitialTier(0.2, 50, th, room) == Tier::kCold);
    room.warm_used = 4500;  // warm full
    room.hot_used = 890;
    CHECK(InitialTier(0.5, 50, th, room) == Tier::kCold);
  }
}
}  // namespace tern::tiering
