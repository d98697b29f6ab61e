// LivePanel: `tern-board --panel`, the front panel redrawn in the terminal about ten times a
// second, with keys for the board's inputs: 1-4 press a button (held for a few frames),
// s flips the switch, + and - turn the pot, k toggles kicking the watchdog every frame,
// : runs any tern-board command (e.g. `:bringup`, `:write DISP_DIGITS 0x06`), q quits.
// On the simulated board each frame also advances the model by kClocksPerFrame clocks
// (simulated time runs only when something ticks it); on real hardware the inputs are the
// board's own and the input keys are refused with a message.
// Thread-safety: none; runs on the calling thread until q.
#pragma once

#include <cstdint>
#include <sstream>
#include <string>

#include "board_shell.h"
#include "tern/common/status.h"
#include "tern/hw/register_bus.h"

namespace tern::hw {
class SimBoard;
}
namespace tern::tui {
class Terminal;
}

namespace tern::board {

class LivePanel {
 public:
  static constexpr uint64_t kClocksPerFrame = 100'000;  // 2 ms of board time at 50 MHz
  static constexpr int kFrameMs = 100;

  // `bus` must outlive the panel; `sim` is the simulated board behind it, or nullptr.
  LivePanel(hw::RegisterBus* bus, hw::SimBoard* sim)
      : bus_(bus), sim_(sim), shell_(bus, sim, &shell_out_) {}

  // Runs until q. Fails if there is no terminal; a register read that fails is shown on
  // the status line and retried next frame.
  [[nodiscard]] Status Run();

  // The shell `:` commands run in (main() gives it the command line's bringup options).
  BoardShell& shell() { return shell_; }

 private:
  // Applies one key; false when it is q.
  bool OnKey(int key, tui::Terminal& term);
  void Frame();
  // Runs a tern-board command; its last output line (or error) becomes the status line.
  void RunCommand(const std::string& line);

  hw::RegisterBus* bus_;
  hw::SimBoard* sim_;
  std::ostringstream shell_out_;  // what `:` commands print; its last line is shown
  BoardShell shell_;
  std::string status_;
  bool kick_ = false;
  bool switch_ = false;
  uint16_t pot_ = 0;
};

}  // namespace tern::board
