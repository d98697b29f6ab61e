// ThermalModel: settling points, direction and speed of change.
#include "tern/hw/thermal_model.h"

#include <doctest/doctest.h>

namespace tern::hw {
namespace {

using std::chrono::seconds;

TEST_SUITE("thermal model") {
  TEST_CASE("load warms the cabinet, fans cool it, idle sits a little above ambient") {
    ThermalModel m;
    CHECK(m.temperature_c() == doctest::Approx(22.0));
    CHECK(m.Target(0, 0) == doctest::Approx(22.0 + 12.0));
    CHECK(m.Target(1, 0) == doctest::Approx(82.0));  // over a 70 C alarm threshold
    CHECK(m.Target(1, 1) == doctest::Approx(37.0));  // full fans keep it well below
    CHECK(m.Target(5, -1) == m.Target(1, 0));        // inputs are clamped
  }

  TEST_CASE("the temperature approaches its target with the time constant") {
    ThermalModel::Options o;
    o.tau = seconds(10);
    ThermalModel m(o);
    const double target = m.Target(1, 0);
    m.Step(seconds(10), 1, 0);  // one time constant: 63 % of the way
    CHECK(m.temperature_c() == doctest::Approx(22.0 + (target - 22.0) * 0.632).epsilon(0.01));
    for (int i = 0; i < 20; ++i) m.Step(seconds(10), 1, 0);
    CHECK(m.temperature_c() == doctest::Approx(target).epsilon(0.001));
    // Fans on: it cools towards the lower target, never below it.
    const double cool = m.Target(1, 1);
    for (int i = 0; i < 50; ++i) {
      const double before = m.temperature_c();
      m.Step(seconds(1), 1, 1);
      CHECK(m.temperature_c() <= before);
      CHECK(m.temperature_c() >= cool);
    }
    CHECK(m.Step(seconds(0), 1, 1) == m.temperature_c());  // no time, no change
  }
}

}  // namespace
}  // namespace tern::hw
