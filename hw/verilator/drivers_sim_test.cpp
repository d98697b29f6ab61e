// Block drivers against the Verilated board: what a user of each block would check on the pins.
#include <doctest/doctest.h>

#include "sim_fixture.h"
#include "tern/hw/board_regs.h"
#include "tern/hw/clock_divider.h"
#include "tern/hw/fifo.h"
#include "tern/hw/io_ports.h"
#include "tern/hw/irq_controller.h"
#include "tern/hw/mos_driver.h"
#include "tern/hw/panel.h"
#include "tern/hw/watchdog.h"

namespace tern::hw {
namespace {

using sim_test::SimFixture;

TEST_SUITE("hw.sim.drivers") {
  TEST_CASE_FIXTURE(SimFixture, "PWM duty measured on the gate pins matches the programmed duty") {
    Bringup();
    ClockDivider div(&bus);
    MosDriver mos(&bus);
    constexpr uint16_t kPeriod = 200;
    constexpr uint8_t kDeadTime = 3;
    REQUIRE(div.Set(Divider::kPwm, 1).ok());
    REQUIRE(mos.SetPeriod(kPeriod).ok());
    REQUIRE(mos.SetDeadTime(kDeadTime).ok());
    for (uint16_t duty : {uint16_t{50}, uint16_t{150}}) {
      CAPTURE(duty);
      REQUIRE(mos.SetDuty(1, duty).ok());
      REQUIRE(mos.EnableChannel(1, true).ok());
      board.Tick(2 * kPeriod);  // let the shadow registers take the new duty
      constexpr int kPeriods = 10;
      uint64_t hi = 0, lo = 0, overlap = 0, other = 0;
      for (int i = 0; i < kPeriods * kPeriod; ++i) {
        board.Tick();
        const bool h = board.pwm_hi() & 0x2, l = board.pwm_lo() & 0x2;
        hi += h;
        lo += l;
        overlap += h && l;
        other += (board.pwm_hi() | board.pwm_lo()) & ~0x2u;
      }
      CHECK(overlap == 0);
      CHECK(other == 0);  // channels not enabled stay off
      // The high side is on for the duty minus the dead time before it.
      CHECK(hi >= uint64_t{kPeriods} * (duty - kDeadTime));
      CHECK(hi <= uint64_t{kPeriods} * duty);
      CHECK(lo >= uint64_t{kPeriods} * (kPeriod - duty - kDeadTime));
      CHECK(lo <= uint64_t{kPeriods} * (kPeriod - duty));
    }
    REQUIRE(mos.EnableChannel(1, false).ok());
    board.Tick(10);
    CHECK(board.pwm_hi() == 0);
    CHECK(board.pwm_lo() == 0);
  }

  TEST_CASE_FIXTURE(SimFixture,
                    "a button pressed on the board arrives as a FIFO event and an IRQ") {
    Bringup();
    ClockDivider div(&bus);
    Panel panel(&bus);
    IrqController irqc(&bus);
    REQUIRE(div.Set(Divider::kDebounce, 20).ok());
    REQUIRE(div.SetDebounceTicks(2).ok());
    REQUIRE(panel.EnableEvents(0xF, 0xF, true).ok());
    REQUIRE(irqc.Enable(irq::kPanel).ok());
    board.SetButton(2, true);
    auto got = irqc.WaitAndTake(std::chrono::microseconds(100));
    REQUIRE(got.ok());
    CHECK(*got == irq::kPanel);
    auto state = panel.ReadInputs();
    REQUIRE(state.ok());
    CHECK(state->buttons == 0x4);
    board.SetButton(2, false);
    board.Tick(200);
    std::vector<PanelEvent> events;
    REQUIRE(panel.TakeEvents(&events).ok());
    REQUIRE(events.size() == 2);
    CHECK(events[0].pressed == 0x4);
    CHECK(events[0].buttons == 0x4);
    CHECK(events[1].released == 0x4);
    CHECK(events[1].buttons == 0x0);
    auto st = Fifo(&bus).ReadStatus();
    REQUIRE(st.ok());
    CHECK(st->empty);  // drained, nothing lost or duplicated
  }

  TEST_CASE_FIXTURE(SimFixture, "switch, pot and host pushes go through the same FIFO in order") {
    Bringup();
    ClockDivider div(&bus);
    Panel panel(&bus);
    Fifo fifo(&bus);
    REQUIRE(div.Set(Divider::kDebounce, 10).ok());
    board.SetPot(0x5A5);
    REQUIRE(fifo.Push(0x1111).ok());
    board.SetSwitch(true);
    board.Tick(300);
    REQUIRE(fifo.Push(0x2222).ok());
    std::vector<FifoEvent> other;
    std::vector<PanelEvent> ev;
    REQUIRE(panel.TakeEvents(&ev, &other).ok());
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].switch_changed);
    CHECK(ev[0].switch_level);
    CHECK(other == std::vector{FifoEvent{kEventHost, 0x1111}, FifoEvent{kEventHost, 0x2222}});
    auto in = panel.ReadInputs();
    REQUIRE(in.ok());
    CHECK(in->pot == 0x5A5);
    CHECK(in->sw);
  }

  TEST_CASE_FIXTURE(SimFixture, "stop kicking and the board goes safe, kick and clear to leave") {
    Bringup();
    ClockDivider div(&bus);
    Watchdog wd(&bus);
    MosDriver mos(&bus);
    Panel panel(&bus);
    REQUIRE(div.Set(Divider::kWdog, 100).ok());
    REQUIRE(wd.Configure(30, true).ok());  // 3000 clocks
    REQUIRE(wd.Kick().ok());
    REQUIRE(mos.SetRelays(0x5).ok());
    REQUIRE(panel.SetLeds(0x0F).ok());
    for (int i = 0; i < 20; ++i) REQUIRE(wd.Kick().ok());  // ~9000 clocks, kicked throughout
    auto st = wd.ReadSafeStatus();
    REQUIRE(st.ok());
    CHECK_FALSE(st->safe);
    CHECK(board.relays() == 0x5);
    board.Tick(3200);  // no kick for longer than the period
    CHECK(board.relays() == 0);
    CHECK(board.leds() == 0x80);  // SAFE lamp
    CHECK(board.fans() == 0x3);   // fans fully on
    st = wd.ReadSafeStatus();
    REQUIRE(st.ok());
    CHECK(st->safe);
    CHECK(st->cause_wdog);
    CHECK(bus.last_flags().safe_state);
    REQUIRE(wd.LeaveSafeState().ok());
    // Registers keep their values; outputs come back once the safe state is left.
    board.Tick(4);
    CHECK(board.relays() == 0x5);
  }

  TEST_CASE_FIXTURE(SimFixture, "a fault input latches, gates go off, and clearing needs it gone") {
    Bringup();
    MosDriver mos(&bus);
    Watchdog wd(&bus);
    REQUIRE(mos.SetDuty(0, 500).ok());
    REQUIRE(mos.EnableChannel(0, true).ok());
    board.Tick(2000);
    CHECK((board.pwm_hi() | board.pwm_lo()) != 0);
    board.SetFault(true);
    board.Tick(20);
    CHECK(board.pwm_hi() == 0);
    CHECK(board.pwm_lo() == 0);
    auto ms = mos.ReadStatus();
    REQUIRE(ms.ok());
    CHECK(ms->fault_latched);
    CHECK(ms->fault_in);
    CHECK(mos.ClearFault().code() == Status::Code::kFailedPrecondition);
    const Status leave = wd.LeaveSafeState();
    CHECK(leave.code() == Status::Code::kFailedPrecondition);
    CHECK(leave.message().find("MOS_FAULT.latched") != std::string::npos);
    board.SetFault(false);
    board.Tick(20);
    REQUIRE(mos.ClearFault().ok());
    REQUIRE(wd.LeaveSafeState().ok());
  }

  TEST_CASE_FIXTURE(SimFixture,
                    "GPIO masked writes drive the pins, input edges are reported once") {
    Bringup();
    ClockDivider div(&bus);
    IoPorts io(&bus);
    REQUIRE(div.Set(Divider::kDebounce, 10).ok());
    REQUIRE(io.SetDirection(0x00FF, 0x000F).ok());
    REQUIRE(io.Write(0x000F, 0x0005).ok());
    REQUIRE(io.SetPin(3, true).ok());
    board.Tick(4);
    CHECK(board.gpio_oe() == 0x000F);
    CHECK(board.gpio_out() == 0x000D);
    REQUIRE(io.EnableEdges(0x0100, 0x0200).ok());
    board.SetGpioIn(0x0300);
    board.Tick(200);
    auto in = io.ReadInputs();
    REQUIRE(in.ok());
    CHECK(*in == 0x0300);
    auto edges = io.TakeEdges();
    REQUIRE(edges.ok());
    CHECK(*edges == 0x0100);  // rise on pin 8 enabled, rise on pin 9 not
    board.SetGpioIn(0x0000);
    board.Tick(200);
    edges = io.TakeEdges();
    REQUIRE(edges.ok());
    CHECK(*edges == 0x0200);  // fall on pin 9
    edges = io.TakeEdges();
    REQUIRE(edges.ok());
    CHECK(*edges == 0);
  }

  TEST_CASE_FIXTURE(SimFixture, "ShowHex lights the right segments on each scanned digit") {
    Bringup();
    ClockDivider div(&bus);
    Panel panel(&bus);
    REQUIRE(div.Set(Divider::kScan, 2).ok());
    REQUIRE(panel.ShowHex(0x3C7F).ok());
    REQUIRE(panel.SetBrightness(15).ok());
    const uint8_t want[4] = {Panel::SegmentsForHex(0xF), Panel::SegmentsForHex(0x7),
                             Panel::SegmentsForHex(0xC), Panel::SegmentsForHex(0x3)};
    int seen[4] = {0, 0, 0, 0};
    for (int i = 0; i < 4 * 16 * 2 * 3; ++i) {
      board.Tick();
      const uint8_t sel = board.digit_select();
      for (int d = 0; d < 4; ++d) {
        if (sel == (1u << d)) {
          CHECK(board.segments() == want[d]);
          ++seen[d];
        }
      }
    }
    for (int d = 0; d < 4; ++d) CHECK(seen[d] > 0);
  }
}

}  // namespace
}  // namespace tern::hw
