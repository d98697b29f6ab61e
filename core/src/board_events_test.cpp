// Unit tests of BoardEventWatch: each kind's fields, one event per button change, the pot's
// and the temperature's thresholds, and no events without a sink.
#include "board_events.h"

#include <doctest/doctest.h>

#include <vector>

namespace tern::core {
namespace {
struct Seen {
  std::vector<nlohmann::json> events;
  BoardEventWatch watch{[this](const nlohmann::json& e) { events.push_back(e); },
                        [] { return uint64_t{1764540000123}; }};
};
}  // namespace

TEST_SUITE("board_events") {
  TEST_CASE("a panel event gives one event per button change, then the switch") {
    Seen s;
    hw::PanelEvent e;
    e.pressed = 0b1001;  // buttons 0 and 3
    e.released = 0b0010;
    e.switch_changed = true;
    e.switch_level = true;
    s.watch.Panel(e);
    REQUIRE(s.events.size() == 4);
    CHECK(s.events[0] == nlohmann::json{{"kind", "button"},
                                        {"button", 0},
                                        {"label", "ack alarms"},
                                        {"pressed", true},
                                        {"wall_ms", 1764540000123}});
    CHECK(s.events[1].value("button", -1) == 1);
    CHECK(s.events[1].value("pressed", true) == false);
    CHECK(s.events[2].value("label", "") == "safe stop");
    CHECK(s.events[3] ==
          nlohmann::json{{"kind", "switch"}, {"on", true}, {"wall_ms", 1764540000123}});
    s.watch.Panel(hw::PanelEvent{});  // nothing changed: nothing to say
    CHECK(s.events.size() == 4);
  }

  TEST_CASE("the pot reports a move of kPotStep or more from its last report") {
    Seen s;
    s.watch.Pot(1000);  // the baseline
    s.watch.Pot(1200);
    CHECK(s.events.empty());
    s.watch.Pot(1256);
    REQUIRE(s.events.size() == 1);
    CHECK(s.events[0].value("kind", "") == "pot");
    CHECK(s.events[0].value("value", 0) == 1256);
    s.watch.Pot(1001);  // 255 below the last report
    CHECK(s.events.size() == 1);
    s.watch.Pot(1000);
    CHECK(s.events.size() == 2);
  }

  TEST_CASE("gpio edges become one event per pin with the level read after it") {
    Seen s;
    s.watch.Gpio(0b1000'0000'0000'0101, 0b1000'0000'0000'0001);
    REQUIRE(s.events.size() == 3);
    CHECK(s.events[0].value("pin", -1) == 0);
    CHECK(s.events[0].value("edge", "") == "rising");
    CHECK(s.events[1].value("pin", -1) == 2);
    CHECK(s.events[1].value("level", true) == false);
    CHECK(s.events[1].value("edge", "") == "falling");
    CHECK(s.events[2].value("pin", -1) == 15);
    s.watch.Gpio(0, 0xFFFF);
    CHECK(s.events.size() == 3);
  }

  TEST_CASE("temperature: the first reading, a change of a degree, or a minute later") {
    Seen s;
    s.watch.Temperature(22.04, 1000);
    REQUIRE(s.events.size() == 1);
    CHECK(s.events[0].value("temp_c", 0.0) == doctest::Approx(22.0));
    s.watch.Temperature(22.9, 2000);
    CHECK(s.events.size() == 1);
    s.watch.Temperature(23.1, 3000);
    CHECK(s.events.size() == 2);
    s.watch.Temperature(23.1, 3000 + BoardEventWatch::kTempEveryMs - 1);
    CHECK(s.events.size() == 2);
    s.watch.Temperature(23.1, 3000 + BoardEventWatch::kTempEveryMs);
    CHECK(s.events.size() == 3);
  }

  TEST_CASE("cabinet, power, safe stop and acknowledgement events carry their fields") {
    Seen s;
    s.watch.OverTemp(true, 71.26, 70, 60);
    s.watch.Power(true);
    s.watch.Power(false);
    s.watch.SafeStop(3, 3100);
    s.watch.AlarmAck(5);
    REQUIRE(s.events.size() == 5);
    CHECK(s.events[0] == nlohmann::json{{"kind", "over_temp"},
                                        {"active", true},
                                        {"temp_c", 71.3},
                                        {"limit_c", 70.0},
                                        {"clear_c", 60.0},
                                        {"wall_ms", 1764540000123}});
    CHECK(s.events[1].value("kind", "") == "power_fail");
    CHECK(s.events[2].value("kind", "") == "power_back");
    CHECK(s.events[3].value("held_ms", 0) == 3100);
    CHECK(s.events[3].value("label", "") == "safe stop");
    CHECK(s.events[4].value("alarms", 0) == 5);
  }

  TEST_CASE("without a sink nothing is made") {
    BoardEventWatch w(nullptr);
    w.Pot(0);
    w.Pot(4000);
    w.Temperature(20, 0);
    w.Power(true);  // would throw bad_function_call if it called the empty sink
    CHECK(true);
  }
}

}  // namespace tern::core
