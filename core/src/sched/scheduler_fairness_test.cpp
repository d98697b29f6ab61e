// Unit tests for the core's scheduler: class minimum shares, live/backlog lanes and weighted
// DRR across edges. Everything runs on a virtual clock (pick counts), so the tests are
// deterministic.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "scheduler_testing.h"
#include "tern/core/scheduler.h"

namespace tern::core {
using namespace sched_testing;

TEST_SUITE("scheduler") {
  TEST_CASE("work conserving under a random mix and every item served once") {
    std::mt19937_64 rng(42);
    Scheduler s;
    REQUIRE(s.SetEdgeWeight(3, 0.05).ok());
    std::set<std::string> queued;
    int seq = 0;
    for (int step = 0; step < 20000; ++step) {
      const uint64_t r = rng();
      if (r % 3 != 0) {
        auto it = Item(std::to_string(seq++), static_cast<uint32_t>(r % 5), (r >> 8) % 4,
                       1 + (r >> 16) % 600000, ((r >> 40) % 4) == 0, static_cast<uint64_t>(step));
        REQUIRE(s.Enqueue(it).ok());
        queued.insert(it.id);
      } else {
        auto it = s.Next(static_cast<uint64_t>(step));
        CHECK(it.has_value() == !queued.empty());
        if (it) CHECK(queued.erase(it->id) == 1);
      }
      REQUIRE(s.size() == queued.size());
    }
    while (auto it = s.Next(0)) CHECK(queued.erase(it->id) == 1);
    CHECK(queued.empty());
    CHECK(s.queued_bytes() == 0);
  }

  TEST_CASE("a bulk item is served within its share despite an alarm and high flood") {
    Harness h;
    h.Add({1, 0, false, 100000});
    h.Add({2, 1, false, 100000});
    for (int i = 0; i < 5000; ++i) h.Next();
    // With equal sizes and a 10% minimum, a waiting bulk item is owed service within
    // ceil(1 / 0.10) = 10 picks.
    for (int trial = 0; trial < 50; ++trial) {
      REQUIRE(h.s.Enqueue(Item("bulk" + std::to_string(trial), 3, 3, 100000)).ok());
      int picks = 0;
      for (;;) {
        ++picks;
        auto it = h.Next();
        if (it.cls == 3) break;
        REQUIRE(picks < 100);
      }
      CHECK(picks <= 10);
      for (int i = 0; i < trial % 7; ++i) h.Next();
    }
  }

  TEST_CASE("every class gets at least its minimum share when all saturate") {
    Harness h;
    for (int c = 0; c < 4; ++c) h.Add({static_cast<uint32_t>(c), c, false, 100000});
    for (int i = 0; i < 20000; ++i) h.Next();
    const double want[4] = {0.40, 0.30, 0.20, 0.10};
    for (size_t c = 0; c < 4; ++c) CHECK(h.Share(c) == doctest::Approx(want[c]).epsilon(0.01));
    // Bulk against alarms only: the surplus goes to alarms, bulk keeps its 10%.
    Harness h2;
    h2.Add({1, 0, false, 100000});
    h2.Add({2, 3, false, 100000});
    for (int i = 0; i < 20000; ++i) h2.Next();
    CHECK(h2.Share(1) >= 0.099);
    CHECK(h2.Share(1) <= 0.11);
  }

  TEST_CASE("an unused share goes to the others") {
    Harness h;
    h.Add({1, 3, false, 100000});  // bulk alone: everything
    for (int i = 0; i < 1000; ++i) h.Next();
    CHECK(h.Share(0) == 1.0);
    Harness h2;  // normal and bulk: 20:10 minimums, the rest to normal
    h2.Add({1, 2, false, 100000});
    h2.Add({1, 3, false, 100000});
    for (int i = 0; i < 10000; ++i) h2.Next();
    CHECK(h2.Share(0) == doctest::Approx(0.9).epsilon(0.01));
  }

  TEST_CASE("served bytes follow edge weights within a class") {
    Harness h;
    const double w[4] = {1, 2, 4, 8};
    const uint64_t sizes[4] = {100000, 30000, 250000, 64000};
    for (uint32_t e = 0; e < 4; ++e) {
      REQUIRE(h.s.SetEdgeWeight(e, w[e]).ok());
      h.Add({e, 2, false, sizes[e]});
    }
    for (int i = 0; i < 40000; ++i) h.Next();
    for (size_t e = 0; e < 4; ++e) {
      const double want = w[e] / 15.0;
      CHECK(std::abs(h.Share(e) - want) / want < 0.02);
    }
  }

  TEST_CASE("equal weights give equal bytes whatever the item sizes") {
    Harness h;
    const uint64_t sizes[4] = {100000, 7000, 250000, 64000};
    for (uint32_t e = 0; e < 4; ++e) h.Add({e, 1, false, sizes[e]});
    for (int i = 0; i < 40000; ++i) h.Next();
    std::vector<double> x;
    for (size_t e = 0; e < 4; ++e) x.push_back(h.Share(e));
    CHECK(Jain(x) > 0.999);
  }

  TEST_CASE("items larger than the quantum keep the weights") {
    SchedulerConfig cfg;
    cfg.quantum_bytes = 1000;
    Harness h(cfg);
    REQUIRE(h.s.SetEdgeWeight(2, 2.0).ok());
    h.Add({1, 2, false, 1000000});
    h.Add({2, 2, false, 1000000});
    for (int i = 0; i < 3000; ++i) h.Next();
    CHECK(h.Share(0) == doctest::Approx(1.0 / 3).epsilon(0.01));  // edge 1, weight 1 of 3
  }

  TEST_CASE("a weight change takes effect at once") {
    Harness h;
    h.Add({1, 2, false, 100000});
    h.Add({2, 2, false, 100000});
    for (int i = 0; i < 1000; ++i) h.Next();
    CHECK(h.Share(0) == doctest::Approx(0.5).epsilon(0.01));
    REQUIRE(h.s.SetEdgeWeight(1, 3.0).ok());
    CHECK(h.s.EdgeWeight(1) == 3.0);
    CHECK(h.s.EdgeWeight(99) == 1.0);
    h.ResetCounts();
    for (int i = 0; i < 1000; ++i) h.Next();
    CHECK(h.Share(0) == doctest::Approx(0.75).epsilon(0.02));
    CHECK(h.s.SetEdgeWeight(1, 0).code() == Status::Code::kInvalidArgument);
    CHECK(h.s.SetEdgeWeight(1, -1).message().find("edge 1") != std::string::npos);
    CHECK(h.s.EdgeWeight(1) == 3.0);
  }

  TEST_CASE("a flood from one edge does not starve another in the same class") {
    Harness h(SchedulerConfig{}, 1000);
    h.Add({1, 3, false, 100000});
    for (int i = 0; i < 100; ++i) h.Next();
    REQUIRE(h.s.Enqueue(Item("other", 2, 3, 100000)).ok());
    int picks = 0;
    while (h.Next().id != "other") REQUIRE(++picks < 10);
    CHECK(picks <= 3);  // one DRR turn of edge 1: quantum 256 KB = at most 3 items
  }

  TEST_CASE("live alarms wait a bounded number of slots behind a huge backlog") {
    Harness h(SchedulerConfig{}, 10);
    h.Add({1, 0, true, 100000});  // a returning edge's outbox, alarms included
    h.Add({1, 2, true, 100000});
    for (int i = 0; i < 1000; ++i) h.Next();
    int worst = 0;
    for (int n = 0; n < 300; ++n) {
      const auto edge = static_cast<uint32_t>(2 + n % 3);
      REQUIRE(h.s.Enqueue(Item("live" + std::to_string(n), edge, 0, 100000)).ok());
      int picks = 1;
      while (h.Next().id != "live" + std::to_string(n)) ++picks;
      worst = std::max(worst, picks);
      for (int i = 0; i < n % 4; ++i) h.Next();
    }
    CHECK(worst <= 2);  // at most one backlog item ahead of it
  }

  TEST_CASE("backlog keeps its minimum share under saturating live load") {
    Harness h;
    h.Add({1, 3, true, 100000});   // backlog, bulk class
    h.Add({2, 0, false, 100000});  // live alarms, saturating
    h.Add({3, 1, false, 30000});   // live high
    for (int i = 0; i < 20000; ++i) h.Next();
    const auto lanes = h.s.served_bytes_by_lane();
    const double backlog = static_cast<double>(lanes[1]) / static_cast<double>(lanes[0] + lanes[1]);
    CHECK(backlog >= 0.199);
    CHECK(backlog <= 0.21);  // and no more: live data goes first beyond it
    // With light live load the backlog takes the rest.
    Harness h2;
    h2.Add({1, 2, true, 100000});
    for (int i = 0; i < 1000; ++i) h2.Next();
    CHECK(h2.s.served_bytes_by_lane()[1] == h2.total);
  }

  TEST_CASE("old data goes to the backlog lane") {
    SchedulerConfig cfg;
    cfg.backlog_age_ms = 30000;
    Scheduler s(cfg);
    auto old = Item("old", 1, 0, 1000, false, 100000);
    old.data_ms = 100000 - 30001;
    auto fresh = Item("fresh", 1, 0, 1000, false, 100000);
    fresh.data_ms = 100000 - 30000;
    REQUIRE(s.Enqueue(old).ok());
    REQUIRE(s.Enqueue(fresh).ok());
    const auto snap = s.Snapshot(100000);
    CHECK(snap["lanes"]["backlog"]["items"] == 1);
    CHECK(snap["lanes"]["live"]["items"] == 1);
    auto first = s.Next(100000);
    CHECK(first->id == "fresh");  // live first while it is owed service
    CHECK(s.Next(100000)->backlog);
  }
}

}  // namespace tern::core
