// Panel against FakeBus: display/LED traffic, input decode and FIFO event decode.
#include "tern/hw/panel.h"

#include <doctest/doctest.h>

#include <deque>

#include "fake_bus_doctest.h"
#include "tern/hw/board_regs.h"

namespace tern::hw {
namespace {
using testing::FakeBus;
using testing::R;
using testing::W;

TEST_SUITE("hw.panel") {
  TEST_CASE("ShowHex writes digits little-end first and turns on hex mode once") {
    FakeBus bus;
    Panel panel(&bus);
    bus.Set(regs::disp_ctrl::kOffset, regs::disp_ctrl::kReset);
    REQUIRE(panel.ShowHex(0x12AF).ok());
    REQUIRE(panel.ShowHex(0x0001).ok());  // already hex: no DISP_CTRL write
    REQUIRE(panel.SetBrightness(3).ok());
    REQUIRE(panel.SetLeds(0x81).ok());
    CHECK(panel.SetBrightness(16).code() == Status::Code::kInvalidArgument);
    CHECK(bus.log() ==
          std::vector{W(regs::disp_digits::kOffset, 0x01020A0F), R(regs::disp_ctrl::kOffset, 0x00F),
                      W(regs::disp_ctrl::kOffset, 0x10F), W(regs::disp_digits::kOffset, 0x00000001),
                      R(regs::disp_ctrl::kOffset, 0x10F), R(regs::disp_ctrl::kOffset, 0x10F),
                      W(regs::disp_ctrl::kOffset, 0x103), W(regs::led::kOffset, 0x81)});
  }

  TEST_CASE("ReadState decodes every field") {
    FakeBus bus;
    Panel panel(&bus);
    bus.Set(regs::panel_in::kOffset, 0x105);
    bus.Set(regs::pot::kOffset, 0xABC);
    bus.Set(regs::disp_digits::kOffset, 0x44332211);
    bus.Set(regs::disp_ctrl::kOffset, 0x107);
    bus.Set(regs::led::kOffset, 0x80);
    auto s = panel.ReadState();
    REQUIRE(s.ok());
    CHECK(s->buttons == 0x5);
    CHECK(s->sw);
    CHECK(s->pot == 0xABC);
    CHECK(s->digits == std::array<uint8_t, 4>{0x11, 0x22, 0x33, 0x44});
    CHECK(s->hex);
    CHECK(s->brightness == 7);
    CHECK(s->leds == 0x80);
  }

  TEST_CASE("TakeEvents separates panel events from host pushes") {
    FakeBus bus;
    std::deque<uint32_t> q{0x80011002u,   // button 1 pressed, buttons now 0b0001? see below
                           0x807F0005u,   // host push
                           0x80010320u};  // button 1 released, switch changed to 1
    bus.OnRead(regs::fifo_data::kOffset, [&q]() -> uint32_t {
      if (q.empty()) return 0;
      const uint32_t v = q.front();
      q.pop_front();
      return v;
    });
    Panel panel(&bus);
    std::vector<FifoEvent> other;
    std::vector<PanelEvent> ev;
    REQUIRE(panel.TakeEvents(&ev, &other).ok());
    REQUIRE(ev.size() == 2);
    CHECK(ev[0] == PanelEvent{0x2, 0x0, false, false, 0x1});
    CHECK(ev[1] == PanelEvent{0x0, 0x2, true, true, 0x0});
    CHECK(other == std::vector{FifoEvent{kEventHost, 5}});
    REQUIRE(panel.EnableEvents(0xF, 0xF, false).ok());
    CHECK(bus.log().back() == W(regs::panel_evt_en::kOffset, 0x0FF));
  }

  TEST_CASE("Decode takes each payload field from its own bits and ignores the reserved ones") {
    const auto decode = [](uint16_t payload) { return *Panel::Decode({kEventPanel, payload}); };
    CHECK(decode(0x000F) == PanelEvent{0xF, 0x0, false, false, 0x0});
    CHECK(decode(0x00F0) == PanelEvent{0x0, 0xF, false, false, 0x0});
    CHECK(decode(0x0100) == PanelEvent{0x0, 0x0, true, false, 0x0});
    CHECK(decode(0x0200) == PanelEvent{0x0, 0x0, false, true, 0x0});
    CHECK(decode(0x0C00) == PanelEvent{});  // bits 11:10 are reserved
    CHECK(decode(0xF000) == PanelEvent{0x0, 0x0, false, false, 0xF});
    CHECK_FALSE(Panel::Decode({kEventHost, 0xFFFF}).has_value());
  }
}

}  // namespace
}  // namespace tern::hw
