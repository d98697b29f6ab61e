// PanelView: the big digits, the labels in bit order, the safe state, and the frame read from
// a board (FakeBus).
#include "tern/tui/panel_view.h"

#include <doctest/doctest.h>

#include <algorithm>

#include "fake_bus.h"
#include "tern/hw/board_regs.h"
#include "tern/hw/panel_legend.h"

namespace tern::tui {
namespace {

bool HasLine(const std::vector<std::string>& lines, const std::string& needle) {
  return std::any_of(lines.begin(), lines.end(),
                     [&](const std::string& l) { return l.find(needle) != std::string::npos; });
}

TEST_SUITE("panel view") {
  TEST_CASE("an 8 with its point lights every bar, a 1 only the right side") {
    PanelFrame f;
    f.panel.brightness = 15;
    f.panel.hex = false;
    f.panel.digits = {0x06, 0x00, 0x00, 0xFF};  // digit 0 = "1", digit 3 = "8."
    const auto lines = RenderPanel(f);
    // Rows 2..8 are the digits; digit 3 is drawn first (left), digit 0 last (right).
    CHECK(lines[2].substr(2, 6) == " #### ");   // 8: top bar
    CHECK(lines[3].substr(2, 6) == "#    #");   // 8: both upper sides
    CHECK(lines[5].substr(2, 6) == " #### ");   // 8: middle bar
    CHECK(lines[8].substr(2, 7) == " #### #");  // 8: bottom bar and the point
    const size_t d0 = 2 + 3 * 9;                // digit 0's column
    CHECK(lines[2].substr(d0, 6) == "      ");  // 1: no top bar
    CHECK(lines[3].substr(d0, 6) == "     #");  // 1: right side only
    CHECK(lines[6].substr(d0, 6) == "     #");
  }

  TEST_CASE("hex mode decodes with the board's font and brightness 0 shows nothing") {
    hw::PanelState p;
    p.hex = true;
    p.brightness = 8;
    p.digits = {0x0A, 0x8F, 0, 0};
    CHECK(LitSegments(p, 0) == 0x77);           // A
    CHECK(LitSegments(p, 1) == (0x80 | 0x71));  // F.
    p.brightness = 0;
    CHECK(LitSegments(p, 0) == 0);
  }

  TEST_CASE("every LED, relay and button is shown with its index and meaning") {
    PanelFrame f;
    f.panel.leds = (1u << hw::legend::kLedAlarm) | 1u;
    f.relays = 1u << hw::legend::kRelayAlarm;
    f.panel.buttons = 1u << hw::legend::kButtonAck;
    f.panel.sw = true;
    f.panel.pot = 2048;
    f.fans = {0x80, 0};
    f.meters = {0xFF, 0};
    f.temp_c = 71.5;
    f.over_temp = true;
    const auto lines = RenderPanel(f, "status here");
    CHECK(HasLine(lines, "meter 0 [||||||||||] 255/255"));
    CHECK(HasLine(lines, "meter 1 [          ]   0/255"));
    CHECK(HasLine(lines, "cabinet  71.5 C  [OVER TEMPERATURE]  power [mains ok]"));
    CHECK(HasLine(lines, "LED 0 [*] edge 0 live"));
    CHECK(HasLine(lines, "LED 4 [*] alarm"));
    CHECK(HasLine(lines, "LED 7 [ ] SAFE"));
    CHECK(HasLine(lines, "relay 1 [*] alarm"));
    CHECK(HasLine(lines, "relay 0 [ ] edge down"));
    CHECK(HasLine(lines, "button 0 [*] ack alarms"));
    CHECK(HasLine(lines, "switch [ON ]"));
    CHECK(HasLine(lines, "[==========          ] 2048"));
    CHECK(HasLine(lines, "fan 0  50% processing"));
    CHECK(lines.back() == "status here");
    for (const auto& l : lines) CHECK(l.size() <= 78);
  }

  TEST_CASE(
      "in the safe state the view shows the pins: dark display, SAFE lamp, relays off, fans full") {
    PanelFrame f;
    f.safe = true;
    f.relays = 0x3;
    f.fans = {0x10, 0x10};
    f.panel.leds = 0x01;
    f.panel.brightness = 15;
    f.panel.digits = {0xFF, 0xFF, 0xFF, 0xFF};
    const auto lines = RenderPanel(f);
    CHECK(HasLine(lines, "SAFE STATE"));
    CHECK(HasLine(lines, "LED 7 [*] SAFE"));
    CHECK(HasLine(lines, "LED 0 [ ] edge 0 live"));
    CHECK(lines[2].find('#') == std::string::npos);  // the display is dark
    CHECK(HasLine(lines, "relay 0 [ ] edge down"));
    CHECK(HasLine(lines, "fan 0 100% processing"));
  }

  TEST_CASE("a frame is read from the board's registers") {
    hw::testing::FakeBus bus;
    namespace regs = hw::regs;
    bus.Set(regs::relay::kOffset, 0x2);
    bus.Set(regs::fan::kOffset, 0x40FF);
    bus.Set(regs::safe_status::kOffset, regs::safe_status::safe::kMask);
    bus.Set(regs::led::kOffset, 0x81);
    bus.Set(regs::temp::kOffset, 0x3E0);
    bus.Set(regs::cabinet_status::kOffset, regs::cabinet_status::power_fail::kMask);
    bus.Set(regs::meter::kOffset, 0x1020);
    auto f = hw::ReadPanelFrame(&bus);
    REQUIRE(f.ok());
    CHECK(f->relays == 0x2);
    CHECK(f->fans[0] == 0xFF);
    CHECK(f->fans[1] == 0x40);
    CHECK(f->safe);
    CHECK(f->panel.leds == 0x81);
    CHECK(f->temp_c == doctest::Approx(22.0));
    bus.Set(regs::temp::kOffset, 0);
    CHECK(HasLine(RenderPanel(hw::ReadPanelFrame(&bus).value()), "cabinet   --.- C (no reading)"));
    CHECK(f->power_fail);
    CHECK_FALSE(f->over_temp);
    CHECK(f->meters[0] == 0x20);
    CHECK(f->meters[1] == 0x10);
  }
}

}  // namespace
}  // namespace tern::tui
