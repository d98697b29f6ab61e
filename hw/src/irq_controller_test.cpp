// IrqController against FakeBus.
#include "tern/hw/irq_controller.h"

#include <doctest/doctest.h>

#include "fake_bus_doctest.h"
#include "tern/hw/board_regs.h"

namespace tern::hw {
namespace {
using testing::FakeBus;
using testing::R;
using testing::W;

TEST_SUITE("hw.irq_controller") {
  TEST_CASE("WaitAndTake acknowledges only enabled pending sources") {
    FakeBus bus;
    IrqController irqc(&bus);
    REQUIRE(irqc.Enable(irq::kPanel | irq::kWdog).ok());
    bus.Set(regs::intr_state::kOffset, irq::kPanel | irq::kGpio);
    bus.SetIrq(true);
    auto got = irqc.WaitAndTake(std::chrono::milliseconds(1));
    REQUIRE(got.ok());
    CHECK(*got == irq::kPanel);
    CHECK(bus.log() ==
          std::vector{W(regs::intr_enable::kOffset, 0x84), R(regs::intr_state::kOffset, 0x0C),
                      R(regs::intr_enable::kOffset, 0x84), W(regs::intr_state::kOffset, 0x04)});
  }

  TEST_CASE("no IRQ: no register traffic") {
    FakeBus bus;
    IrqController irqc(&bus);
    auto got = irqc.WaitAndTake(std::chrono::milliseconds(1));
    REQUIRE(got.ok());
    CHECK(*got == 0);
    CHECK(bus.log().empty());
    REQUIRE(irqc.Trigger(irq::kLink).ok());
    CHECK(bus.log() == std::vector{W(regs::intr_test::kOffset, 0x40)});
  }
}

}  // namespace
}  // namespace tern::hw
