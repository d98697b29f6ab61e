// Cabinet against FakeBus: temperature codes, limits, status bits, meters.
#include "tern/hw/cabinet.h"

#include <doctest/doctest.h>

#include "fake_bus_doctest.h"
#include "tern/hw/board_regs.h"

namespace tern::hw {
namespace {

using testing::FakeBus;

TEST_SUITE("cabinet") {
  TEST_CASE("temperature codes are (C + 40) x 16, clamped to 12 bits") {
    CHECK(Cabinet::CodeOf(0.0) == 0x280);
    CHECK(Cabinet::CodeOf(22.0) == 0x3E0);
    CHECK(Cabinet::CodeOf(70.0) == 0x6E0);
    CHECK(Cabinet::CodeOf(-100.0) == 0);
    CHECK(Cabinet::CodeOf(1000.0) == 0xFFF);
    CHECK(Cabinet::CelsiusOf(0x3E0) == doctest::Approx(22.0));
    CHECK(Cabinet::CelsiusOf(0x281) == doctest::Approx(0.0625));
  }

  TEST_CASE("limits are written high and low in one write, and checked first") {
    FakeBus bus;
    Cabinet c(&bus);
    REQUIRE(c.SetLimits(70.0, 60.0).ok());
    uint32_t v = 0;
    REQUIRE(bus.Read(regs::temp_limit::kOffset, &v).ok());
    CHECK(v == ((0x640u << 16) | 0x6E0u));
    const Status bad = c.SetLimits(60.0, 70.0);
    CHECK(bad.code() == Status::Code::kInvalidArgument);
    CHECK(bad.message().find("TEMP_LIMIT") != std::string::npos);
    CHECK_FALSE(c.SetLimits(300.0, 20.0).ok());
  }

  TEST_CASE("status bits and the temperature are decoded") {
    FakeBus bus;
    Cabinet c(&bus);
    bus.Set(regs::temp::kOffset, 0x6E0);
    bus.Set(regs::cabinet_status::kOffset, regs::cabinet_status::power_fail::kMask);
    auto t = c.Temperature();
    REQUIRE(t.ok());
    CHECK(*t == doctest::Approx(70.0));
    auto s = c.ReadStatus();
    REQUIRE(s.ok());
    CHECK_FALSE(s->over_temp);
    CHECK(s->power_fail);
  }

  TEST_CASE("a meter is set without touching the other") {
    FakeBus bus;
    Cabinet c(&bus);
    REQUIRE(c.SetMeter(1, 0x40).ok());
    REQUIRE(c.SetMeter(0, 0xFF).ok());
    uint32_t v = 0;
    REQUIRE(bus.Read(regs::meter::kOffset, &v).ok());
    CHECK(v == 0x40FFu);
    CHECK_FALSE(c.SetMeter(2, 1).ok());
  }
}

}  // namespace
}  // namespace tern::hw
