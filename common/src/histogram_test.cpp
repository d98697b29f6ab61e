// Histogram: cumulative buckets, sum and count as named counters, present at 0 from the start.
#include "tern/common/histogram.h"

#include <doctest/doctest.h>

#include <cmath>
#include <thread>

namespace tern {

TEST_CASE("histogram counters exist at 0 before any observation") {
  Metrics m;
  Histogram h(m, "ack_ms_core", Histogram::AckMsBounds());
  auto snap = m.Snapshot();
  CHECK(snap.size() == Histogram::AckMsBounds().size() + 3);
  for (const auto& n : h.Names()) {
    INFO(n);
    REQUIRE(snap.count(n) == 1);
    CHECK(snap[n] == 0);
  }
  CHECK(snap.count("ack_ms_core_le_1") == 1);
  CHECK(snap.count("ack_ms_core_le_60000") == 1);
  CHECK(snap.count("ack_ms_core_le_inf") == 1);
}

TEST_CASE("histogram buckets are cumulative and sum and count add up") {
  Metrics m;
  Histogram h(m, "lat", {1, 10, 100});
  h.Observe(0.5);   // <= 1
  h.Observe(1);     // <= 1 (bounds are inclusive, like Prometheus' le)
  h.Observe(7);     // <= 10
  h.Observe(100);   // <= 100
  h.Observe(5000);  // only +Inf
  CHECK(m.Get("lat_le_1") == 2);
  CHECK(m.Get("lat_le_10") == 3);
  CHECK(m.Get("lat_le_100") == 4);
  CHECK(m.Get("lat_le_inf") == 5);
  CHECK(m.Get("lat_count") == 5);
  CHECK(m.Get("lat_sum") == 1 + 1 + 7 + 100 + 5000);  // 0.5 rounds to 1
}

TEST_CASE("negative or NaN observations count as 0 and bad bounds are dropped") {
  Metrics m;
  Histogram h(m, "x", {5, 5, 2, 10, -1});
  CHECK(h.bounds() == std::vector<int64_t>{5, 10});
  h.Observe(-3);
  h.Observe(std::nan(""));
  CHECK(m.Get("x_le_5") == 2);
  CHECK(m.Get("x_sum") == 0);
  CHECK(m.Get("x_count") == 2);
  CHECK(m.Snapshot().count("x_le_2") == 0);
}

TEST_CASE("histogram observations from several threads are all counted") {
  Metrics m;
  Histogram h(m, "t", {10});
  std::vector<std::thread> ts;
  for (int i = 0; i < 4; ++i) {
    ts.emplace_back([&] {
      for (int k = 0; k < 1000; ++k) h.Observe(k % 20);
    });
  }
  for (auto& t : ts) t.join();
  CHECK(m.Get("t_count") == 4000);
  CHECK(m.Get("t_le_inf") == 4000);
  CHECK(m.Get("t_le_10") == 4 * 1000 * 11 / 20);
}

}  // namespace tern
