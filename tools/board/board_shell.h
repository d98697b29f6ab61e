// BoardShell: the commands of tern-board (read/write registers and fields by name, panel,
// pwm, safe state, events, and in simulation press/set/run), run one at a time against a
// RegisterBus. Kept apart from main() so the commands are testable against FakeBus and the
// simulated board.
// Thread-safety: none; one shell per thread.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "bringup.h"
#include "tern/common/status.h"
#include "tern/hw/register_bus.h"

namespace tern::hw {
class SimBoard;
}

namespace tern::board {

class BoardShell {
 public:
  // `bus` must outlive the shell; `sim` is the simulated board behind `bus`, or nullptr on real
  // hardware (then sim-only commands fail with FailedPrecondition).
  BoardShell(hw::RegisterBus* bus, hw::SimBoard* sim, std::ostream* out)
      : bus_(bus),
        sim_(sim),
        out_(out),
        bringup_(sim ? SimBringupOptions(sim) : BringupOptions{}) {}

  // How `bringup` runs (bringup.h): main() sets `irq` from --lines and `outputs` from
  // --outputs.
  BringupOptions& bringup() { return bringup_; }

  // Runs one command given as words, e.g. {"write", "PWM_DUTY0", "0x80"}. Output goes to the
  // stream given at construction; errors are returned, naming the register or field.
  [[nodiscard]] Status Run(const std::vector<std::string>& words);

  // Splits a line into words ('#' starts a comment); empty for blank lines.
  static std::vector<std::string> Split(const std::string& line);

  // The help text listing every command.
  static const char* Help();

 private:
  hw::RegisterBus* bus_;
  hw::SimBoard* sim_;
  std::ostream* out_;
  BringupOptions bringup_;
};

}  // namespace tern::board
