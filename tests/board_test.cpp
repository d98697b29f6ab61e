// The core driving the simulated control board: the panel shows the site (live edges, the
// core's link), and relay 0 is energised once an edge goes down; the outputs are read from
// the Verilated board's pins, not from the core's intentions.
#include <doctest/doctest.h>

#include "site.h"

namespace tern::testing {
TEST_SUITE("board") {
  TEST_CASE("the core shows the site on the simulated board and signals a lost edge") {
    Site site(2, {"source.synthetic.rate=500"}, {"board.mode=sim"});
    REQUIRE(site.StartAll());
    auto board = [&] {
      auto s = site.CoreStatus();
      return s.contains("board") ? s["board"] : nlohmann::json::object();
    };
    auto leds = [&] { return board().value("leds", 0); };
    // Two live edges (LEDs 0 and 1, in address order) and the core's link (LED 6), safe state left.
    REQUIRE(Site::WaitFor(30, [&] { return (leds() & 0x43) == 0x43; }));
    CHECK((leds() & 0x80) == 0);  // LED 7 is the board's SAFE lamp
    CHECK((board().value("relays", 0) & 1) == 0);
    CHECK(board().value("fan_duty", 0) >= 64);  // the fans pin itself is a PWM wave
    site.KillEdge(1, 15);  // a clean stop: the edge says goodbye, the core marks it offline
    CHECK(Site::WaitFor(20, [&] { return (board().value("relays", 0) & 1) == 1; }));
    // One live-edge LED left (LEDs follow the edges' address order).
    CHECK(Site::WaitFor(10, [&] { return __builtin_popcount(leds() & 0x0F) == 1; }));
    CHECK(site.CoreCounter("board_errors") == 0);
  }

  TEST_CASE("a bad board mode is refused naming the key") {
    TempDir dir;
    Process p;
    std::string log = dir / "out.log";
    REQUIRE(p.Start({TERN_CORE_BIN, "--set", "board.mode=gpio9"}, log));
    CHECK(p.Wait(std::chrono::seconds(20)) == 2);
    CHECK(ReadFile(log).find("'board.mode'") != std::string::npos);
  }
}
}  // namespace tern::testing
