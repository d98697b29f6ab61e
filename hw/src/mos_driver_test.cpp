// MosDriver against FakeBus: exact register traffic.
#include "tern/hw/mos_driver.h"

#include <doctest/doctest.h>

#include "fake_bus_doctest.h"
#include "tern/hw/board_regs.h"

namespace tern::hw {
namespace {
using testing::FakeBus;
using testing::R;
using testing::W;

TEST_SUITE("hw.mos_driver") {
  TEST_CASE("duty, period, dead time and channel enable") {
    FakeBus bus;
    MosDriver mos(&bus);
    bus.Set(regs::pwm_ctrl::kOffset, 0x0101);  // ch0 on with soft start
    REQUIRE(mos.SetPeriod(400).ok());
    REQUIRE(mos.SetDuty(2, 100).ok());
    REQUIRE(mos.SetDeadTime(12).ok());
    REQUIRE(mos.EnableChannel(2, true, true).ok());
    REQUIRE(mos.EnableChannel(0, false).ok());
    CHECK(bus.log() ==
          std::vector{W(regs::pwm_period::kOffset, 400), W(regs::pwm_duty::offset(2), 100),
                      W(regs::pwm_deadtime::kOffset, 12), R(regs::pwm_ctrl::kOffset, 0x0101),
                      W(regs::pwm_ctrl::kOffset, 0x0505), R(regs::pwm_ctrl::kOffset, 0x0505),
                      W(regs::pwm_ctrl::kOffset, 0x0404)});
  }

  TEST_CASE("bad channel numbers are refused without a frame") {
    FakeBus bus;
    MosDriver mos(&bus);
    CHECK(mos.SetDuty(4, 1).code() == Status::Code::kInvalidArgument);
    CHECK(mos.EnableChannel(7, true).code() == Status::Code::kInvalidArgument);
    CHECK(mos.SetRelays(0x10).code() == Status::Code::kInvalidArgument);
    CHECK(mos.SetFan(2, 1).code() == Status::Code::kInvalidArgument);
    CHECK(bus.counters().frames == 0);
  }

  TEST_CASE("clearing a fault that persists reports it") {
    FakeBus bus;
    MosDriver mos(&bus);
    bus.Set(regs::mos_fault::kOffset, 1);
    bool input_active = true;
    bus.OnWrite(regs::mos_fault::kOffset, [&](uint32_t v) {  // W1C, only once the input is gone
      if ((v & 1) && !input_active) bus.Set(regs::mos_fault::kOffset, 0);
    });
    const Status s = mos.ClearFault();
    CHECK(s.code() == Status::Code::kFailedPrecondition);
    CHECK(s.message().find("MOS_FAULT") != std::string::npos);
    input_active = false;
    CHECK(mos.ClearFault().ok());
  }

  TEST_CASE("status gathers MOS_STATUS, MOS_FAULT and PWM_CTRL, fans keep the other duty") {
    FakeBus bus;
    MosDriver mos(&bus);
    bus.Set(regs::mos_status::kOffset, 0x31);
    bus.Set(regs::pwm_ctrl::kOffset, 0x3);
    auto st = mos.ReadStatus();
    REQUIRE(st.ok());
    CHECK(st->fault_in);
    CHECK(st->ramping == 0x3);
    CHECK(st->enabled == 0x3);
    CHECK_FALSE(st->fault_latched);
    bus.ClearLog();
    bus.Set(regs::fan::kOffset, 0x1122);
    REQUIRE(mos.SetFan(1, 0xFF).ok());
    REQUIRE(mos.SetRelays(0x5).ok());
    CHECK(bus.log() == std::vector{R(regs::fan::kOffset, 0x1122), W(regs::fan::kOffset, 0xFF22),
                                   W(regs::relay::kOffset, 0x5)});
  }
}

}  // namespace
}  // namespace tern::hw
