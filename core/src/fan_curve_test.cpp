// FanCurve: the curve's ends and slope, and hysteresis on the way down only.
#include "fan_curve.h"

#include <doctest/doctest.h>

namespace tern::core {
namespace {

TEST_SUITE("fan curve") {
  TEST_CASE("quiet below 30 C, full from 45 C, linear between") {
    FanCurve c;
    CHECK(c.CurveAt(10) == 64);
    CHECK(c.CurveAt(30) == 64);
    CHECK(c.CurveAt(37.5) == 160);  // half way: 64 + 191 / 2
    CHECK(c.CurveAt(45) == 255);
    CHECK(c.CurveAt(90) == 255);
  }

  TEST_CASE("the duty rises at once and falls only after the hysteresis") {
    FanCurve c;
    CHECK(c.Duty(40) == c.CurveAt(40));
    const uint8_t at40 = c.Duty(40);
    CHECK(c.Duty(39) == at40);  // 1 C down: within 2 C of hysteresis, unchanged
    CHECK(c.Duty(38.5) == at40);
    CHECK(c.Duty(37) == c.CurveAt(39));  // 3 C down: falls, to the curve 2 C higher
    CHECK(c.Duty(44) == c.CurveAt(44));  // up again: at once
    CHECK(c.Duty(20) == 64);
  }
}

}  // namespace
}  // namespace tern::core
