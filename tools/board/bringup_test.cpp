// The bringup checklist: every step passing on a healthy fake board and on the simulated
// board, and each kind of wiring fault stopping it at the right step with its hint, before
// any later step touches the board.
#include "bringup.h"

#include <doctest/doctest.h>

#include <sstream>

#include "fake_bus_doctest.h"
#include "tern/hw/board_regs.h"
#ifdef TERN_BOARD_HAVE_SIM
#include "tern/hw/verilator_bus.h"
#endif

namespace tern::board {
namespace {
namespace regs = hw::regs;
using hw::testing::Access;
using hw::testing::FakeBus;
using hw::testing::Fault;

bool Has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// A healthy tern board as far as a register map goes.
void Healthy(FakeBus* bus) { bus->Set(regs::id::kOffset, regs::id::kReset); }

BringupOptions Quick() {
  BringupOptions o;
  o.pause = [](std::chrono::milliseconds) {};  // a fake board has no time to let pass
  return o;
}

bool Wrote(const FakeBus& bus, uint16_t addr, uint32_t value) {
  for (const Access& a : bus.log()) {
    if (a.kind == Access::Kind::kWrite && a.addr == addr && a.value == value) return true;
  }
  return false;
}

TEST_SUITE("tools.board.bringup") {
  TEST_CASE("a healthy board passes every step, outputs stay off, the panel is restored") {
    FakeBus bus;
    Healthy(&bus);
    bus.Set(regs::led::kOffset, 0x41);
    std::ostringstream out;
    REQUIRE(RunBringup(&bus, Quick(), &out).ok());
    const std::string s = out.str();
    INFO(s);
    for (const char* step : {"PASS open: fake board", "PASS id: ID 0x7E4E0002: tern board",
                             "PASS scratch:", "PASS link: LINK_ERR count 0 (0 during bringup)",
                             "PASS outputs off:", "(no --outputs: nothing is energised)",
                             "PASS watchdog: kicked, safe state left",
                             "SKIP irq:", "PASS lamp: every LED and 8.8.8.8. on for 1000 ms",
                             "board running (safe state left)"}) {
      CHECK(Has(s, step));
    }
    CHECK_FALSE(Has(s, "FAIL"));
    CHECK(Wrote(bus, regs::led::kOffset, 0xFF));
    CHECK(bus.Get(regs::led::kOffset) == 0x41);  // restored
    CHECK(bus.Get(regs::relay::kOffset) == 0);
    CHECK_FALSE(Wrote(bus, regs::relay::kOffset, 0x1));  // no relay was energised
  }

  TEST_CASE("--outputs energises each relay and fan in turn, and leaves them off") {
    FakeBus bus;
    Healthy(&bus);
    BringupOptions o = Quick();
    o.outputs = true;
    std::ostringstream out;
    REQUIRE(RunBringup(&bus, o, &out).ok());
    CHECK(Has(out.str(), "PASS outputs: relays 0-3, then fans 0-1"));
    for (uint32_t r : {0x1u, 0x2u, 0x4u, 0x8u}) CHECK(Wrote(bus, regs::relay::kOffset, r));
    CHECK(bus.Get(regs::relay::kOffset) == 0);
    CHECK(bus.Get(regs::fan::kOffset) == 0);
  }

  TEST_CASE("the IRQ line: checked idle, asserted by INTR_TEST, released by the acknowledgement") {
    FakeBus bus;
    Healthy(&bus);
    bus.OnWrite(regs::intr_test::kOffset, [&](uint32_t v) { bus.SetIrq(v != 0); });
    bus.OnWrite(regs::intr_state::kOffset, [&](uint32_t) { bus.SetIrq(false); });
    BringupOptions o = Quick();
    o.irq = true;
    std::ostringstream out;
    REQUIRE(RunBringup(&bus, o, &out).ok());
    CHECK(Has(out.str(), "PASS irq: IRQ_n high with every source disabled, low after INTR_TEST"));

    FakeBus dead;  // IRQ_n not wired: it never goes low
    Healthy(&dead);
    std::ostringstream out2;
    Status s = RunBringup(&dead, o, &out2);
    CHECK(s.code() == Status::Code::kFailedPrecondition);
    CHECK(Has(out2.str(), "FAIL irq: IRQ_n stayed high after INTR_TEST.panel"));
    CHECK(Has(out2.str(), "hint: INTR_TEST did not bring IRQ_n low"));
    CHECK_FALSE(Has(out2.str(), "lamp"));

    FakeBus low;  // IRQ_n held low by something else
    Healthy(&low);
    low.SetIrq(true);
    std::ostringstream out3;
    CHECK_FALSE(RunBringup(&low, o, &out3).ok());
    CHECK(Has(out3.str(), "FAIL irq: IRQ_n low (asserted) with INTR_ENABLE 0"));
  }

  TEST_CASE("MISO stuck low stops at the id step with the wiring hint") {
    FakeBus bus;
    Healthy(&bus);
    bus.SetStuckMiso(false);
    std::ostringstream out;
    Status s = RunBringup(&bus, Quick(), &out);
    CHECK(s.code() == Status::Code::kFailedPrecondition);
    CHECK(Has(s.message(), "step 'id'"));
    CHECK(Has(out.str(), "PASS open"));
    CHECK(Has(out.str(), "FAIL id:"));
    CHECK(Has(out.str(), "MISO stuck low"));
    CHECK(Has(out.str(), "hint: MISO never goes high"));
    CHECK_FALSE(Has(out.str(), "scratch"));
  }

  TEST_CASE("a board that is not a tern board, or another map version, fails the id step") {
    FakeBus other;
    other.Set(regs::id::kOffset, 0x12345678);
    std::ostringstream out;
    CHECK_FALSE(RunBringup(&other, Quick(), &out).ok());
    CHECK(Has(out.str(), "FAIL id: ID reads 0x12345678, not a tern board"));
    FakeBus old;
    old.Set(regs::id::kOffset, 0x7E4E0001);
    std::ostringstream out2;
    CHECK_FALSE(RunBringup(&old, Quick(), &out2).ok());
    CHECK(Has(out2.str(), "register map v1, this tool speaks v2"));
  }

  TEST_CASE("a bit that flips on the way fails the scratch step, and SCRATCH is not restored") {
    FakeBus bus;
    Healthy(&bus);
    uint32_t scratch = 0;
    bus.OnWrite(regs::scratch::kOffset, [&](uint32_t v) { scratch = v ^ 0x100; });
    bus.OnRead(regs::scratch::kOffset, [&] { return scratch; });
    std::ostringstream out;
    CHECK_FALSE(RunBringup(&bus, Quick(), &out).ok());
    CHECK(Has(out.str(), "FAIL scratch: wrote 0x5AA5F00F, read back 0x5AA5F10F (bits 0x00000100"));
    CHECK_FALSE(Has(out.str(), "PASS link"));
  }

  TEST_CASE("bad frames during the checklist fail the link step") {
    FakeBus bus;
    Healthy(&bus);
    // Frame 2 (the first after the ID and LINK_ERR reads) arrives with a bad CRC: the board
    // rejects it, the host sends it again, and LINK_ERR counts it as the real board would.
    bus.OnRead(regs::link_err::kOffset,
               [&] { return static_cast<uint32_t>(bus.counters().retries); });
    bus.InjectFault(2, Fault{Fault::Kind::kCorruptRequest});
    std::ostringstream out;
    CHECK_FALSE(RunBringup(&bus, Quick(), &out).ok());
    CHECK(Has(out.str(), "FAIL link: LINK_ERR count 1 (1 during bringup), streak 0"));
    CHECK(Has(out.str(), "1 retries"));
    CHECK(Has(out.str(), "hint: the board saw bad frames"));
  }

  TEST_CASE("a latched MOS fault keeps the board safe: the watchdog step names the fault input") {
    FakeBus bus;
    Healthy(&bus);
    bus.Set(regs::safe_status::kOffset, regs::safe_status::safe::kMask);
    bus.Set(regs::mos_fault::kOffset, regs::mos_fault::latched::kMask);
    std::ostringstream out;
    CHECK_FALSE(RunBringup(&bus, Quick(), &out).ok());
    CHECK(Has(out.str(), "FAIL watchdog: SAFE_CLEAR ignored"));
    CHECK(Has(out.str(), "hint: the gate drivers' fault input"));
  }

  TEST_CASE("the open step's failure says what to check") {
    CHECK(Has(BringupOpenFailure(Status::Unavailable("GPIO chip 'x': cannot open: No such file")),
              "FAIL open: GPIO chip 'x': cannot open"));
    CHECK(Has(BringupOpenFailure(Status::Unavailable("GPIO chip 'x': cannot open: denied")),
              "hint: check --chip (gpiodetect lists the chips)"));
    CHECK(Has(BringupOpenFailure(Status::IoError("CS_n (gpiochip0 line 8): request as output: "
                                                 "Device or resource busy")),
              "another program holds the line"));
    CHECK(Has(BringupOpenFailure(Status::NotFound("SCLK (gpiochip0 line 99): no such line")),
              "gpioinfo CHIP lists the lines"));
  }

#ifdef TERN_BOARD_HAVE_SIM
  TEST_CASE("the simulated board passes every step, IRQ included, and runs afterwards") {
    hw::SimBoard board;
    hw::VerilatorBus bus(&board);
    BringupOptions o = SimBringupOptions(&board);
    o.outputs = true;
    std::ostringstream out;
    REQUIRE(RunBringup(&bus, o, &out).ok());
    INFO(out.str());
    CHECK(Has(out.str(), "PASS irq:"));
    CHECK(Has(out.str(), "PASS lamp: every LED and 8.8.8.8. on for 20 ms"));
    CHECK(Has(out.str(), "PASS outputs:"));
    CHECK_FALSE(Has(out.str(), "FAIL"));
    CHECK(board.relays() == 0);
    CHECK((board.leds() & 0x80) == 0);  // the SAFE lamp is off: the board runs
  }
#endif
}

}  // namespace
}  // namespace tern::board
