// Watchdog against FakeBus: kick key, safe-state decode and the leave-safe sequence.
#include "tern/hw/watchdog.h"

#include <doctest/doctest.h>

#include "fake_bus_doctest.h"
#include "tern/hw/board_regs.h"

namespace tern::hw {
namespace {
using testing::FakeBus;
using testing::R;
using testing::W;

TEST_SUITE("hw.watchdog") {
  TEST_CASE("configure and kick") {
    FakeBus bus;
    Watchdog wd(&bus);
    REQUIRE(wd.Configure(250, true).ok());
    REQUIRE(wd.Kick().ok());
    CHECK(bus.log() == std::vector{W(regs::wdog_period::kOffset, 250),
                                   W(regs::wdog_ctrl::kOffset, 1),
                                   W(regs::wdog_kick::kOffset, 0x4B49434B)});
  }

  TEST_CASE("SAFE_STATUS decodes, the board comes out of reset in the safe state") {
    CHECK((regs::safe_status::kReset & regs::safe_status::safe::kMask) != 0);
    FakeBus bus;
    bus.Set(regs::safe_status::kOffset, 0x103);  // safe, cause reset, watchdog expired
    Watchdog wd(&bus);
    auto st = wd.ReadSafeStatus();
    REQUIRE(st.ok());
    CHECK(st->safe);
    CHECK(st->cause_reset);
    CHECK(st->wdog_expired);
    CHECK_FALSE(st->cause_wdog);
    CHECK(st->ToString() == "safe (causes: reset), watchdog expired");
  }

  TEST_CASE("LeaveSafeState kicks, clears and verifies, a latched fault is named") {
    FakeBus bus;
    Watchdog wd(&bus);
    bus.Set(regs::safe_status::kOffset, 0x11);  // safe, cause fault
    bus.Set(regs::mos_fault::kOffset, 1);
    const Status s = wd.LeaveSafeState();
    CHECK(s.code() == Status::Code::kFailedPrecondition);
    CHECK(s.message().find("MOS_FAULT.latched") != std::string::npos);
    CHECK(bus.log() == std::vector{W(regs::wdog_kick::kOffset, regs::link::kWdogKickKey),
                                   W(regs::safe_clear::kOffset, 1),
                                   R(regs::safe_status::kOffset, 0x11),
                                   R(regs::mos_fault::kOffset, 1), R(regs::link_err::kOffset, 0)});
    bus.ClearLog();
    bus.OnWrite(regs::safe_clear::kOffset,
                [&](uint32_t) { bus.Set(regs::safe_status::kOffset, 0); });
    CHECK(wd.LeaveSafeState().ok());
    CHECK(bus.log().size() == 3);
  }

  TEST_CASE("Probe checks the ID magic") {
    FakeBus bus;
    Watchdog wd(&bus);
    bus.Set(regs::id::kOffset, regs::id::kReset);
    auto v = wd.Probe();
    REQUIRE(v.ok());
    CHECK(*v == regs::id::version::kReset);
    bus.Set(regs::id::kOffset, 0x12345678);
    CHECK(wd.Probe().status().code() == Status::Code::kUnavailable);
  }

  TEST_CASE("link errors and limit") {
    FakeBus bus;
    Watchdog wd(&bus);
    bus.Set(regs::link_err::kOffset, 0x00020007);
    auto e = wd.ReadLinkErrors();
    REQUIRE(e.ok());
    CHECK(e->count == 7);
    CHECK(e->streak == 2);
    REQUIRE(wd.SetLinkBadLimit(5).ok());
    CHECK(wd.SetLinkBadLimit(16).code() == Status::Code::kInvalidArgument);
    CHECK(bus.log().back() == W(regs::link_cfg::kOffset, 5));
  }
}

}  // namespace
}  // namespace tern::hw
