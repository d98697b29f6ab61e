// ClockDivider against FakeBus: exact register traffic.
#include "tern/hw/clock_divider.h"

#include <doctest/doctest.h>

#include "fake_bus_doctest.h"
#include "tern/hw/board_regs.h"

namespace tern::hw {
namespace {
using testing::FakeBus;
using testing::R;
using testing::W;

TEST_SUITE("hw.clock_divider") {
  TEST_CASE("each divider writes its own register, periods convert at 50 MHz") {
    FakeBus bus;
    ClockDivider div(&bus);
    REQUIRE(div.Set(Divider::kPwm, 5).ok());
    REQUIRE(div.SetPeriod(Divider::kDebounce, std::chrono::milliseconds(1)).ok());
    REQUIRE(div.SetPeriod(Divider::kScan, std::chrono::microseconds(4)).ok());
    REQUIRE(div.SetPeriod(Divider::kRamp, std::chrono::nanoseconds(1)).ok());  // clamps to 1
    REQUIRE(div.SetDebounceTicks(2).ok());
    bus.Set(regs::div_wdog::kOffset, 1234);
    auto w = div.Get(Divider::kWdog);
    REQUIRE(w.ok());
    CHECK(*w == 1234);
    CHECK(bus.log() ==
          std::vector{W(regs::div_pwm::kOffset, 5), W(regs::div_debounce::kOffset, 50000),
                      W(regs::div_scan::kOffset, 200), W(regs::div_ramp::kOffset, 1),
                      W(regs::debounce_cfg::kOffset, 2), R(regs::div_wdog::kOffset, 1234)});
  }

  TEST_CASE("out-of-range values are refused before any frame") {
    FakeBus bus;
    ClockDivider div(&bus);
    const Status s = div.SetPeriod(Divider::kWdog, std::chrono::milliseconds(2));
    CHECK(s.code() == Status::Code::kInvalidArgument);
    CHECK(s.message().find("DIV_WDOG") != std::string::npos);
    CHECK(div.SetDebounceTicks(16).code() == Status::Code::kInvalidArgument);
    CHECK(bus.counters().frames == 0);
  }
}

}  // namespace
}  // namespace tern::hw
