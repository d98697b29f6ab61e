// VerilatorBus against the Verilated board: the SPI frame layer speaking to the real RTL.
#include "tern/hw/verilator_bus.h"

#include <doctest/doctest.h>

#include "sim_fixture.h"
#include "tern/hw/board_regs.h"
#include "tern/hw/watchdog.h"

namespace tern::hw {
namespace {

using sim_test::SimFixture;

TEST_SUITE("hw.sim.bus") {
  TEST_CASE_FIXTURE(SimFixture, "ID, reset values and a scratch round trip over simulated SPI") {
    uint32_t id = 0;
    REQUIRE(bus.Read(regs::id::kOffset, &id).ok());
    CHECK(id == regs::id::kReset);
    for (uint32_t v : {0xDEADBEEFu, 0x00000000u, 0xFFFFFFFFu, 0x80000001u}) {
      REQUIRE(bus.Write(regs::scratch::kOffset, v).ok());
      uint32_t back = 1;
      REQUIRE(bus.Read(regs::scratch::kOffset, &back).ok());
      CHECK(back == v);
    }
    // Every reset value in the generated table reads back through the host stack.
    SimBoard fresh;
    VerilatorBus fresh_bus(&fresh);
    for (const regs::RegInfo& r : regs::kRegisters) {
      if (r.flags & (regs::kFlagVolatile | regs::kFlagPop)) continue;
      uint32_t v = 0;
      REQUIRE(fresh_bus.Read(r.offset, &v).ok());
      INFO(r.name);
      CHECK(v == r.reset);
    }
    const BusCounters c = bus.counters();
    CHECK(c.crc_errors == 0);
    CHECK(c.retries == 0);
    CHECK(c.stuck_line == 0);
    CHECK(c.frames == 9);
  }

  TEST_CASE("hardware bit timing (2 clocks high, 2 low) works too: 456 clocks per access") {
    SimBoard board(SimBoard::Options{.sclk_high_clocks = 2, .sclk_low_clocks = 2});
    VerilatorBus bus(&board);
    const uint64_t c0 = board.cycles();
    REQUIRE(bus.Write(regs::scratch::kOffset, 0xA5A55A5A).ok());
    uint32_t v = 0;
    REQUIRE(bus.Read(regs::scratch::kOffset, &v).ok());
    CHECK(v == 0xA5A55A5A);
    CHECK(board.cycles() - c0 == 2 * 456);
    CHECK_FALSE(board.assertion_failed());
  }

  TEST_CASE_FIXTURE(SimFixture, "status byte reports the safe state and a pending IRQ") {
    uint32_t v = 0;
    REQUIRE(bus.Read(regs::id::kOffset, &v).ok());
    CHECK(bus.last_flags().safe_state);  // out of reset
    Bringup();
    REQUIRE(bus.Write(regs::intr_enable::kOffset, regs::intr_state::link::kMask).ok());
    REQUIRE(bus.Write(regs::intr_test::kOffset, regs::intr_state::link::kMask).ok());
    REQUIRE(bus.Read(regs::id::kOffset, &v).ok());
    CHECK(bus.last_flags().irq_pending);
    CHECK(board.irq_asserted());
  }

  TEST_CASE_FIXTURE(SimFixture, "MISO stuck low or high is reported as such, naming the line") {
    board.ForceMiso(false);
    uint32_t v = 0;
    Status s = bus.Read(regs::scratch::kOffset, &v);
    CHECK(s.code() == Status::Code::kUnavailable);
    CHECK(s.message().find("MISO stuck low") != std::string::npos);
    CHECK(s.message().find("spi_miso_o") != std::string::npos);
    board.ForceMiso(true);
    s = bus.Write(regs::scratch::kOffset, 0x1234);
    CHECK(s.code() == Status::Code::kUnavailable);
    CHECK(s.message().find("MISO stuck high") != std::string::npos);
    CHECK(bus.counters().stuck_line >= 2);
    // MOSI was fine, so the board applied the write; it was not repeated.
    board.ForceMiso(std::nullopt);
    REQUIRE(bus.Read(regs::scratch::kOffset, &v).ok());
    CHECK(v == 0x1234);
    Watchdog wd(&bus);
    auto le = wd.ReadLinkErrors();
    REQUIRE(le.ok());
    CHECK(le->count == 0);  // every frame was good on the board's side
  }

  TEST_CASE_FIXTURE(SimFixture, "a request corrupted on MOSI is rejected by the board and resent") {
    Bringup();
    board.CorruptMosi(1, 40);  // a data bit of the next request
    REQUIRE(bus.Write(regs::scratch::kOffset, 0x600DF00D).ok());
    CHECK(bus.counters().bad_requests == 1);
    CHECK(bus.counters().retries == 1);
    uint32_t v = 0;
    REQUIRE(bus.Read(regs::scratch::kOffset, &v).ok());
    CHECK(v == 0x600DF00D);  // the good copy, not the corrupted one
    Watchdog wd(&bus);
    auto le = wd.ReadLinkErrors();
    REQUIRE(le.ok());
    CHECK(le->count == 1);   // the board counted the bad frame
    CHECK(le->streak == 0);  // and the resend ended the streak
    auto st = wd.ReadSafeStatus();
    REQUIRE(st.ok());
    CHECK_FALSE(st->safe);
  }

  TEST_CASE_FIXTURE(SimFixture, "K bad frames in a row: the access fails and the board goes safe") {
    Bringup();
    board.CorruptMosi(3, 60);  // CRC byte of three requests: every attempt of one access
    uint32_t v = 0;
    const Status s = bus.Read(regs::scratch::kOffset, &v);
    CHECK(s.code() == Status::Code::kCorruption);
    CHECK(s.message().find("SCRATCH") != std::string::npos);
    CHECK(s.message().find("rejected") != std::string::npos);
    CHECK(s.message().find("after 3 frames") != std::string::npos);
    auto st = Watchdog(&bus).ReadSafeStatus();
    REQUIRE(st.ok());
    CHECK(st->safe);
    CHECK(st->cause_link);
    CHECK(board.relays() == 0);
    CHECK(board.leds() == 0x80);
    REQUIRE(Watchdog(&bus).LeaveSafeState().ok());  // the good frames ended the streak
  }

  TEST_CASE_FIXTURE(SimFixture, "WaitIrq times out in simulated time, then sees the line") {
    auto r = bus.WaitIrq(std::chrono::microseconds(20));
    REQUIRE(r.ok());
    CHECK_FALSE(*r);
    const uint64_t before = board.cycles();
    REQUIRE(bus.Write(regs::intr_enable::kOffset, regs::intr_state::safe::kMask).ok());
    REQUIRE(bus.Write(regs::intr_test::kOffset, regs::intr_state::safe::kMask).ok());
    r = bus.WaitIrq(std::chrono::microseconds(20));
    REQUIRE(r.ok());
    CHECK(*r);
    CHECK(board.cycles() - before < 2000);
  }
}

}  // namespace
}  // namespace tern::hw
