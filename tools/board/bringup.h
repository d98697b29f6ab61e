// tern-board's `bringup`: the first-power-on checklist of a control board, run step by step
// over any RegisterBus (a real board on GPIO lines, or --sim). Each step prints one line,
// `PASS <step>: <what was seen>` or `FAIL <step>: <what was seen>` followed by a `hint:` line
// saying what to check in the wiring, and the checklist stops at the first failure. The steps:
//   open        the chip opened and the lines requested (main() prints its FAIL: the bus
//               does not exist then, BringupOpenFailure);
//   id          ID: the tern magic and this tool's register-map version;
//   scratch     two complementary patterns written to SCRATCH and read back (restored after);
//   link        LINK_ERR unchanged over the checklist's frames, no streak, and no CRC error,
//               bad status or retry on the host side;
//   outputs off PWM gates disabled, relays, fans and meters at 0 before the safe state is left;
//   watchdog    kick and leave the safe state; the watchdog counts from its period;
//   irq         (an IRQ line wired) IRQ_n high with every source disabled, low after
//               INTR_TEST, high again after the acknowledgement (else a SKIP line);
//   lamp        every LED and 8.8.8.8. on for a moment, then the panel restored;
//   outputs     (only with --outputs) each relay, then each fan, on for a moment, then off.
// After the last step the board is out of the safe state until its watchdog expires.
// Thread-safety: none; runs on the caller's thread against a bus no one else uses meanwhile.
#pragma once

#include <chrono>
#include <functional>
#include <ostream>
#include <string>

#include "tern/common/status.h"
#include "tern/hw/register_bus.h"

namespace tern::hw {
class SimBoard;
}

namespace tern::board {

struct BringupOptions {
  bool outputs = false;  // --outputs: energise each relay and fan for a moment
  bool irq = false;      // an IRQ line is wired (irq= in --lines; the simulated board has one)
  // How long the lamp test and each output stay on. The watchdog is kicked meanwhile.
  std::chrono::milliseconds moment{1000};
  // Lets `d` pass on the board: a sleep on a real board (the default); the simulated board's
  // clock only runs when ticked.
  std::function<void(std::chrono::milliseconds d)> pause;
};

// The options for the simulated board `sim`: its IRQ line, a moment of 20 ms of board time,
// and a pause that ticks it.
BringupOptions SimBringupOptions(hw::SimBoard* sim);

// Runs the checklist: `open` passed (the bus exists: its description), then `id` on. OK after
// every step passed; FailedPrecondition naming the step that failed (its FAIL and hint lines
// are on *out).
[[nodiscard]] Status RunBringup(hw::RegisterBus* bus, const BringupOptions& o, std::ostream* out);

// The `open` step's lines for a bus that could not be opened (GpiodBus::Open's error):
// "FAIL open: ..." and its hint.
std::string BringupOpenFailure(const Status& open_error);

}  // namespace tern::board
