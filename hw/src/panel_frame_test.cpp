// PanelFrame: the frame read from a board's registers (FakeBus) and its JSON form, in the
// exact shape docs/http-api.md gives, both ways, with errors that name the field.
#include "tern/hw/panel_frame.h"

#include <doctest/doctest.h>

#include "fake_bus.h"
#include "tern/hw/board_regs.h"

namespace tern::hw {
namespace {

PanelFrame SampleFrame() {
  PanelFrame f;
  f.panel.digits = {0x3F, 0x06, 0x5B, 0xFF};
  f.panel.hex = true;
  f.panel.brightness = 12;
  f.panel.leds = 0x91;
  f.panel.buttons = 0x9;
  f.panel.sw = true;
  f.panel.pot = 4095;
  f.relays = 0x6;
  f.fans = {0xFF, 0x40};
  f.safe = false;
  f.temp_c = 31.25;
  f.over_temp = true;
  f.power_fail = true;
  f.meters = {0x80, 0x01};
  return f;
}

TEST_SUITE("panel frame") {
  TEST_CASE("a frame is read from the registers: relays, fans, safe, temperature, meters") {
    testing::FakeBus bus;
    namespace regs = hw::regs;
    bus.Set(regs::relay::kOffset, 0x5);
    bus.Set(regs::fan::kOffset, 0x20FF);
    bus.Set(regs::led::kOffset, 0x11);
    bus.Set(regs::temp::kOffset, 0x3E0);  // 22.0 C
    bus.Set(regs::cabinet_status::kOffset, regs::cabinet_status::over_temp::kMask);
    bus.Set(regs::meter::kOffset, 0x7F01);
    auto f = ReadPanelFrame(&bus);
    REQUIRE(f.ok());
    CHECK(f->relays == 0x5);
    CHECK(f->fans[0] == 0xFF);
    CHECK(f->fans[1] == 0x20);
    CHECK_FALSE(f->safe);
    CHECK(f->panel.leds == 0x11);
    CHECK(f->temp_c == doctest::Approx(22.0));
    CHECK(f->over_temp);
    CHECK_FALSE(f->power_fail);
    CHECK(f->meters[0] == 0x01);
    CHECK(f->meters[1] == 0x7F);
  }

  TEST_CASE("the JSON has exactly the documented fields and values") {
    const nlohmann::json j = PanelFrameToJson(SampleFrame());
    const nlohmann::json want = nlohmann::json::parse(R"({
      "digits":[63,6,91,255], "hex":true, "brightness":12, "leds":145, "buttons":9,
      "switch":true, "pot":4095, "relays":6, "fans":[255,64], "safe":false, "temp_c":31.25,
      "over_temp":true, "power_fail":true, "meters":[128,1]})");
    CHECK(j == want);
  }

  TEST_CASE("a frame survives JSON and back unchanged") {
    const PanelFrame f = SampleFrame();
    auto back = PanelFrameFromJson(PanelFrameToJson(f));
    REQUIRE(back.ok());
    CHECK(back->panel.digits == f.panel.digits);
    CHECK(back->panel.hex == f.panel.hex);
    CHECK(back->panel.brightness == f.panel.brightness);
    CHECK(back->panel.leds == f.panel.leds);
    CHECK(back->panel.buttons == f.panel.buttons);
    CHECK(back->panel.sw == f.panel.sw);
    CHECK(back->panel.pot == f.panel.pot);
    CHECK(back->relays == f.relays);
    CHECK(back->fans == f.fans);
    CHECK(back->safe == f.safe);
    CHECK(back->temp_c == f.temp_c);
    CHECK(back->over_temp == f.over_temp);
    CHECK(back->power_fail == f.power_fail);
    CHECK(back->meters == f.meters);
  }

  TEST_CASE("a bad or missing field is an error naming the field") {
    const nlohmann::json good = PanelFrameToJson(SampleFrame());
    auto error_for = [&](const char* field, const nlohmann::json& value) {
      nlohmann::json j = good;
      if (value.is_discarded()) {
        j.erase(field);
      } else {
        j[field] = value;
      }
      auto r = PanelFrameFromJson(j);
      REQUIRE_FALSE(r.ok());
      return r.status().message();
    };
    const nlohmann::json missing = nlohmann::json::value_t::discarded;
    CHECK(error_for("leds", missing).find("'leds' is missing") != std::string::npos);
    CHECK(error_for("pot", 4096).find("'pot' must be 0..4095") != std::string::npos);
    CHECK(error_for("brightness", -1).find("'brightness'") != std::string::npos);
    CHECK(error_for("hex", 1).find("'hex' must be true or false") != std::string::npos);
    CHECK(error_for("temp_c", "warm").find("'temp_c' must be a number") != std::string::npos);
    CHECK(error_for("digits", nlohmann::json::array({1, 2, 3})).find("'digits'") !=
          std::string::npos);
    CHECK(error_for("fans", nlohmann::json::array({1, 300})).find("'fans[1]'") !=
          std::string::npos);
    CHECK(error_for("relays", 1.5).find("'relays' must be an integer") != std::string::npos);
    CHECK_FALSE(PanelFrameFromJson(nlohmann::json::array()).ok());
  }
}

}  // namespace
}  // namespace tern::hw
