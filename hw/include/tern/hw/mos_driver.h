// MosDriver: the four complementary PWM channels (shared period, per-channel duty, dead time,
// soft start), the latched fault input, relays and fans. Duty and period are shadowed by the
// board and taken into use at the period boundary, so a change never produces a runt pulse.
// Thread-safety: holds only the bus pointer. EnableChannel() is a read-modify-write of
// PWM_CTRL and is not atomic against other writers of PWM_CTRL.
#pragma once

#include <cstdint>

#include "tern/common/status.h"
#include "tern/hw/register_bus.h"

namespace tern::hw {

struct MosStatus {
  bool fault_in = false;       // filtered fault input, now
  bool fault_latched = false;  // sticky; board is in the safe state while set
  uint8_t ramping = 0;         // channels still in soft start (bit n = channel n)
  uint8_t enabled = 0;         // PWM_CTRL.en
};

class MosDriver {
 public:
  static constexpr unsigned kChannels = 4;

  // `bus` must outlive this object.
  explicit MosDriver(RegisterBus* bus) : bus_(bus) {}

  // Period in DIV_PWM ticks, shared by all channels (0 is treated as 1 by the board).
  [[nodiscard]] Status SetPeriod(uint16_t ticks);
  [[nodiscard]] Result<uint16_t> Period();
  // High-side on-time of `channel` in DIV_PWM ticks (>= period: always high side).
  [[nodiscard]] Status SetDuty(unsigned channel, uint16_t ticks);
  [[nodiscard]] Result<uint16_t> Duty(unsigned channel);
  // Dead time between one gate turning off and the other turning on, in system clocks.
  [[nodiscard]] Status SetDeadTime(uint8_t cycles);
  // Starts or stops `channel`; with `soft_start` the duty ramps up from 0.
  [[nodiscard]] Status EnableChannel(unsigned channel, bool on, bool soft_start = false);
  // Writes the whole PWM_CTRL: enable and soft-start masks (bit n = channel n).
  [[nodiscard]] Status SetChannels(uint8_t enable_mask, uint8_t soft_start_mask);
  [[nodiscard]] Result<MosStatus> ReadStatus();
  // Clears the latched fault. FailedPrecondition if the fault input is still active (the
  // board keeps it latched).
  [[nodiscard]] Status ClearFault();
  // Fault input must be active this many consecutive clocks before it counts.
  [[nodiscard]] Status SetFaultFilter(uint8_t cycles);
  // Relay outputs (bit n = relay n energised).
  [[nodiscard]] Status SetRelays(uint8_t mask);
  // Fan `fan` (0 or 1) duty, 0..255 (255 = fully on).
  [[nodiscard]] Status SetFan(unsigned fan, uint8_t duty);

 private:
  RegisterBus* bus_;
};

}  // namespace tern::hw
