// ClockDivider: the board's enable-strobe dividers (PWM, debounce, scan, watchdog, ramp) and
// the input debounce threshold. The board derives no clocks: each divider produces a one-cycle
// strobe every max(div,1) system clocks.
// Thread-safety: holds only the bus pointer; as thread-safe as the bus.
#pragma once

#include <chrono>
#include <cstdint>

#include "tern/common/status.h"
#include "tern/hw/register_bus.h"

namespace tern::hw {

enum class Divider { kPwm, kDebounce, kScan, kWdog, kRamp };

class ClockDivider {
 public:
  // `bus` must outlive this object.
  explicit ClockDivider(RegisterBus* bus) : bus_(bus) {}

  // Sets the divisor of `which` (0 and 1 both mean every system clock).
  [[nodiscard]] Status Set(Divider which, uint16_t div);
  [[nodiscard]] Result<uint16_t> Get(Divider which);

  // Sets `which` so one strobe comes every `period` (rounded to the nearest clock, at least
  // one). InvalidArgument if it needs more than 16 bits.
  [[nodiscard]] Status SetPeriod(Divider which, std::chrono::nanoseconds period);

  // An input change is accepted once stable for `ticks` debounce strobes (0..15; 0 = off).
  [[nodiscard]] Status SetDebounceTicks(uint8_t ticks);

  // Register offset of a divider.
  static uint16_t Offset(Divider which);

 private:
  RegisterBus* bus_;
};

}  // namespace tern::hw
