// Simulated GPIO chips for tests of the GPIO path (hw::GpiodBus, the core's board.mode =
// gpio): a gpio-sim chip made under configfs (needs root and the gpio-sim module), or an
// existing gpio-mockup chip under debugfs. Where neither is usable (most containers and CI
// runners) OpenSimChip says why, and the tests skip with that reason: they print
// "SKIPPED: <reason>" and their CTest entries carry SKIP_REGULAR_EXPRESSION "SKIPPED:".
// Thread-safety: none; one test thread.
#pragma once

#include <memory>
#include <optional>
#include <string>

namespace tern::hw::testing {

// A simulated chip with at least eight lines (five for the tests: SCLK, MOSI, MISO, CS, IRQ)
// whose input pulls the test can set and whose output values it can read.
class SimChip {
 public:
  virtual ~SimChip() = default;
  // The chip's name, as board.gpio_chip / tern-board --chip take it.
  virtual std::string name() const = 0;
  virtual bool SetPull(unsigned line, bool up) = 0;
  virtual std::optional<bool> Output(unsigned line) = 0;
};

// A simulated chip, or nullptr and the reason there is none in *why.
std::unique_ptr<SimChip> OpenSimChip(std::string* why);

}  // namespace tern::hw::testing
