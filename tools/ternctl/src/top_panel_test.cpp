// TopPanel: `ternctl top` draws the board's panel from a GET /api/v1/board frame as
// `tern-board --panel` does, and a frame that does not read is one line naming the field.
#include "top_panel.h"

#include <doctest/doctest.h>

#include <algorithm>

namespace tern::tools {
namespace {

bool Has(const std::vector<std::string>& lines, const std::string& needle) {
  return std::any_of(lines.begin(), lines.end(),
                     [&](const std::string& l) { return l.find(needle) != std::string::npos; });
}

nlohmann::json Frame() {
  return {{"digits", {0x06, 0x00, 0x00, 0xFF}},  // digit 0 "1", digit 3 "8."
          {"hex", false},
          {"brightness", 15},
          {"leds", 0b00010011},
          {"buttons", 0},
          {"switch", true},
          {"pot", 1024},
          {"relays", 1},
          {"fans", {128, 64}},
          {"safe", false},
          {"temp_c", 31.5},
          {"over_temp", false},
          {"power_fail", false},
          {"meters", {255, 0}}};
}

TEST_CASE("the panel is drawn from the core's frame with digits, LEDs and labels") {
  const auto lines = PanelLines(Frame());
  std::string all;
  for (const auto& l : lines) all += l + "\n";
  INFO(all);
  CHECK(Has(lines, "tern control board  running"));
  CHECK(Has(lines, "digit 3   digit 2   digit 1   digit 0"));
  CHECK(Has(lines, "LED 0 [*]"));
  CHECK(Has(lines, "LED 2 [ ]"));
  CHECK(Has(lines, "LED 4 [*]"));
  CHECK(Has(lines, "relay 0 [*]"));
  CHECK(Has(lines, "switch [ON ]"));
  CHECK(Has(lines, " 31.5 C"));
  // Digit 3 is an 8: its top bar is drawn at the left.
  REQUIRE(lines.size() > 2);
  CHECK(lines[2].substr(2, 6) == " #### ");
}

TEST_CASE("a frame the view cannot read is one line naming the field, never a throw") {
  auto f = Frame();
  f.erase("pot");
  const auto lines = PanelLines(f);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find("'pot'") != std::string::npos);
  CHECK(PanelLines(nlohmann::json("nonsense")).size() == 1);
}

}  // namespace
}  // namespace tern::tools
