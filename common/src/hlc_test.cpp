#include "tern/common/hlc.h"

#include <doctest/doctest.h>

namespace tern {
TEST_SUITE("hlc") {
  TEST_CASE("monotonic even when the wall clock steps back") {
    uint64_t wall = 1000;
    HybridClock c([&] { return wall; });
    uint64_t a = c.Now();
    wall = 500;  // clock stepped back
    uint64_t b = c.Now();
    CHECK(b > a);
    CHECK(HybridClock::PhysicalMs(b) == 1000);
    c.Observe((uint64_t{5000} << 16) + 3);
    uint64_t d = c.Now();
    CHECK(d > (uint64_t{5000} << 16) + 3);
    wall = 9000;
    CHECK(HybridClock::PhysicalMs(c.Now()) == 9000);
  }
}
}  // namespace tern
