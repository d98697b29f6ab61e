#include "tern/common/placement.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>

namespace tern::placement {
TEST_SUITE("placement") {
  const std::vector<Candidate> kFour = {{1, 0.1}, {2, 0.1}, {3, 0.1}, {4, 0.1}};

  TEST_CASE("the ranking is deterministic and the same for every chunk of a key") {
    const Key k{"rig", 42};
    auto a = Rank(k, kFour);
    REQUIRE(a.size() == 4);
    CHECK(Rank(k, kFour) == a);
    std::vector<Candidate> shuffled = {kFour[2], kFour[0], kFour[3], kFour[1]};
    CHECK(Rank(k, shuffled) == a);  // the candidates' order does not matter
    CHECK(Score(k, 1, 0.1) == Score(Key{"rig", 42}, 1, 0.0));  // one load level
    // Different windows spread over the stores: every store ranks first for some window.
    std::map<uint32_t, int> firsts;
    for (uint64_t w = 0; w < 400; ++w) firsts[Rank(Key{"rig", w}, kFour)[0]]++;
    CHECK(firsts.size() == 4);
    for (const auto& [addr, n] : firsts) CHECK(n > 50);
  }

  TEST_CASE("the order is pinned: edges and cores of different builds must agree") {
    // A change of the hash or the score would move every window's peers between versions.
    const std::vector<Candidate> five = {{1, 0.1}, {2, 0.1}, {3, 0.1}, {4, 0.1}, {5, 0.1}};
    CHECK(Rank(Key{"rig", 0}, five) == std::vector<uint32_t>{1, 2, 4, 5, 3});
    CHECK(Rank(Key{"rig", 1}, five) == std::vector<uint32_t>{1, 3, 5, 2, 4});
    CHECK(Rank(Key{"rig", 42}, five) == std::vector<uint32_t>{1, 5, 3, 2, 4});
    CHECK(Score(Key{"rig", 42}, 3, 0.1) == doctest::Approx(6.6448943125509077).epsilon(1e-12));
  }

  TEST_CASE("leaving a store out keeps the others' order") {
    for (uint64_t w = 0; w < 50; ++w) {
      const Key k{"g", w};
      auto all = Rank(k, kFour);
      for (const Candidate& gone : kFour) {
        std::vector<Candidate> rest;
        for (const Candidate& c : kFour) {
          if (c.addr != gone.addr) rest.push_back(c);
        }
        std::vector<uint32_t> expect;
        for (uint32_t a : all) {
          if (a != gone.addr) expect.push_back(a);
        }
        CHECK(Rank(k, rest) == expect);
      }
    }
  }

  TEST_CASE("a store's weight falls with its load level") {
    CHECK(LoadLevel(0.0) == 0);
    CHECK(LoadLevel(0.249) == 0);
    CHECK(LoadLevel(0.25) == 1);
    CHECK(LoadLevel(0.99) == 3);
    CHECK(LoadLevel(1.0) == 3);
    CHECK(LoadLevel(-1.0) == 0);
    CHECK(Weight(0.1) == 1.0);
    CHECK(Weight(0.9) == 0.25);
    // Over many windows the loaded store ranks first about a quarter as often as an idle one.
    std::vector<Candidate> c = {{1, 0.0}, {2, 0.9}};
    int first2 = 0;
    const int n = 4000;
    for (uint64_t w = 0; w < n; ++w) first2 += Rank(Key{"x", w}, c)[0] == 2;
    CHECK(first2 > n / 10);
    CHECK(first2 < n * 3 / 10);  // expected 0.25 / 1.25 = 20 %
  }

  TEST_CASE("small load changes within a level do not reorder the stores") {
    for (uint64_t w = 0; w < 100; ++w) {
      const Key k{"vib", w};
      std::vector<Candidate> a = {{1, 0.05}, {2, 0.30}, {3, 0.55}, {4, 0.80}};
      std::vector<Candidate> b = {{1, 0.20}, {2, 0.45}, {3, 0.70}, {4, 0.95}};
      CHECK(Rank(k, a) == Rank(k, b));
    }
  }

  TEST_CASE("a load changes level only once it is past the boundary by the hysteresis") {
    CHECK(StickyLoad(0.45, 0.48) == 0.48);  // same level: the load itself
    CHECK(StickyLoad(0.48, 0.52) == 0.48);  // just over 0.5: stays
    CHECK(StickyLoad(0.48, 0.56) == 0.56);  // 0.06 over: moves up
    CHECK(StickyLoad(0.56, 0.47) == 0.56);  // just under 0.5: stays
    CHECK(StickyLoad(0.56, 0.44) == 0.44);  // 0.06 under: moves down
    CHECK(StickyLoad(0.10, 0.90) == 0.90);  // a jump over levels is no jitter
    CHECK(StickyLoad(0.90, 0.72) == 0.90);  // lands within 0.05 below 0.75: stays
    // Jitter around a boundary never changes the level, whichever side it started on.
    double placed = 0.49;
    for (double l : {0.51, 0.47, 0.53, 0.46, 0.52}) {
      placed = StickyLoad(placed, l);
      CHECK(LoadLevel(placed) == 1);
    }
  }

  TEST_CASE("the window comes from the first stamp's milliseconds") {
    const uint64_t ms = 1'700'000'123'456ull;
    CHECK(WindowOf(ms << 16, 10000) == ms / 10000);
    CHECK(WindowOf((ms << 16) | 0xFFFF, 10000) == ms / 10000);  // the logical part is ignored
    CHECK(WindowOf(ms << 16, 0) == ms / kDefaultWindowMs);
    CHECK(KeyOf("", "vib", ms << 16, 1000) == Key{"vib", ms / 1000});
    CHECK(KeyOf("rig", "vib", ms << 16, 1000) == Key{"rig", ms / 1000});
  }

  TEST_CASE("unavailable stores are skipped by taking the next in the order") {
    // The callers skip a store by leaving it out: the next in rank order takes its place.
    const Key k{"g", 7};
    auto all = Rank(k, kFour);
    std::vector<Candidate> without_first;
    for (const Candidate& c : kFour) {
      if (c.addr != all[0]) without_first.push_back(c);
    }
    auto r = Rank(k, without_first);
    CHECK(r[0] == all[1]);
    CHECK(r[1] == all[2]);
  }
}
}  // namespace tern::placement
