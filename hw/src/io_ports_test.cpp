// IoPorts against FakeBus: masked writes and W1C edge handling.
#include "tern/hw/io_ports.h"

#include <doctest/doctest.h>

#include "fake_bus_doctest.h"
#include "tern/hw/board_regs.h"

namespace tern::hw {
namespace {
using testing::FakeBus;
using testing::R;
using testing::W;

TEST_SUITE("hw.io_ports") {
  TEST_CASE("direction and levels change through masked writes only") {
    FakeBus bus;
    IoPorts io(&bus);
    REQUIRE(io.SetDirection(0x00F0, 0x0030).ok());
    REQUIRE(io.Write(0x0030, 0x0010).ok());
    REQUIRE(io.SetPin(15, true).ok());
    REQUIRE(io.SetPin(4, false).ok());
    CHECK(io.SetPin(16, true).code() == Status::Code::kInvalidArgument);
    CHECK(bus.log() == std::vector{W(regs::gpio_masked_oe::kOffset, 0x00F00030),
                                   W(regs::gpio_masked_out::kOffset, 0x00300010),
                                   W(regs::gpio_masked_out::kOffset, 0x80008000),
                                   W(regs::gpio_masked_out::kOffset, 0x00100000)});
  }

  TEST_CASE("TakeEdges clears exactly the edges it returns") {
    FakeBus bus;
    IoPorts io(&bus);
    REQUIRE(io.EnableEdges(0x0003, 0x0100).ok());
    bus.Set(regs::gpio_intr_state::kOffset, 0x0101);
    auto e = io.TakeEdges();
    REQUIRE(e.ok());
    CHECK(*e == 0x0101);
    bus.Set(regs::gpio_intr_state::kOffset, 0);
    auto none = io.TakeEdges();
    REQUIRE(none.ok());
    CHECK(*none == 0);
    CHECK(bus.log() == std::vector{W(regs::gpio_rise_en::kOffset, 0x0003),
                                   W(regs::gpio_fall_en::kOffset, 0x0100),
                                   R(regs::gpio_intr_state::kOffset, 0x0101),
                                   W(regs::gpio_intr_state::kOffset, 0x0101),
                                   R(regs::gpio_intr_state::kOffset, 0)});
  }
}

}  // namespace
}  // namespace tern::hw
