#include "tern/common/log_throttle.h"

#include <doctest/doctest.h>

namespace tern {

TEST_SUITE("log_throttle") {
  TEST_CASE("a burst, then one line per interval that counts the ones left out") {
    LogThrottle t(1000, 2);
    CHECK(t.Pass(0) == 0);
    CHECK(t.Pass(1) == 0);
    CHECK_FALSE(t.Pass(2));  // past the burst, within the interval of the last one logged
    CHECK_FALSE(t.Pass(500));
    CHECK_FALSE(t.Pass(1000));
    CHECK(t.Pass(1001) == 3);
    CHECK_FALSE(t.Pass(1500));
    CHECK(t.Pass(5000) == 1);
    CHECK(t.Pass(7000) == 0);  // a quiet spell: nothing left out
    CHECK(LogThrottle::MoreSince(3) == " (3 more since)");
    CHECK(LogThrottle::MoreSince(0).empty());
  }

  TEST_CASE("a flood of 10,000 in 2.5 s gives a handful of lines") {
    LogThrottle t(1000, 3);
    int lines = 0;
    int64_t accounted = 0;
    for (uint64_t i = 0; i < 10000; ++i) {
      if (auto n = t.Pass(i / 4)) {
        ++lines;
        accounted += 1 + *n;
      }
    }
    CHECK(lines <= 6);
    // Each logged line accounts for itself and those left out before it; the tail after the
    // last logged one is still pending.
    CHECK(accounted <= 10000);
    CHECK(accounted > 10000 - 4001);
  }
}

}  // namespace tern
