// Unit tests of ClockWatch: the bound either way, the gauge, one warning per episode.
#include "clock_watch.h"

#include <doctest/doctest.h>

namespace tern::core {

TEST_SUITE("clock_watch") {
  TEST_CASE("a node off by more than the bound either way is flagged once per episode") {
    Metrics m;
    ClockWatch w(5000, &m);
    const uint64_t core = 1'700'000'000'000;
    CHECK_FALSE(w.OnHeartbeat(1, "a", core + 4999, core));
    CHECK_FALSE(w.OnHeartbeat(2, "b", 0, core));  // no stamp: nothing to judge
    CHECK(m.Get("clock_skew_nodes") == 0);
    CHECK(w.OnHeartbeat(1, "a", core + 3'600'000, core));  // an hour ahead
    CHECK(w.OnHeartbeat(1, "a", core + 3'600'000, core));
    CHECK(w.OnHeartbeat(2, "b", core - 6000, core));  // behind
    CHECK(m.Get("clock_skew_nodes") == 2);
    CHECK(m.Get("clock_skew_warnings") == 2);
    CHECK(w.skews().at(1) == 3'600'000);
    CHECK(w.skews().at(2) == -6000);
    CHECK_FALSE(w.OnHeartbeat(1, "a", core + 10, core));  // fixed
    CHECK(m.Get("clock_skew_nodes") == 1);
    CHECK(w.OnHeartbeat(1, "a", core - 10'000, core));  // and off again: a new episode
    CHECK(m.Get("clock_skew_warnings") == 3);
  }
}

}  // namespace tern::core
