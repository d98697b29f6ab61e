// Shared fixture for the integration tests: a fresh simulated board, a VerilatorBus on it, and
// the boilerplate every host must do after reset (kick the watchdog, leave the safe state).
#pragma once

#include <doctest/doctest.h>

#include "tern/hw/board_regs.h"
#include "tern/hw/verilator_bus.h"
#include "tern/hw/watchdog.h"

namespace tern::hw::sim_test {

struct SimFixture {
  SimBoard board;
  VerilatorBus bus{&board};

  // Makes the board usable: it comes out of reset safe with the watchdog expired.
  void Bringup() {
    Watchdog wd(&bus);
    REQUIRE(wd.Probe().ok());
    const Status s = wd.LeaveSafeState();
    INFO(s.ToString());
    REQUIRE(s.ok());
    REQUIRE_FALSE(bus.last_flags().safe_state);
  }

  ~SimFixture() { CHECK_FALSE(board.assertion_failed()); }  // no RTL assertion fired
};

}  // namespace tern::hw::sim_test
