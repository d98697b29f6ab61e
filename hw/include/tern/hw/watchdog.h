// Watchdog: the host-refresh watchdog and the safe state it (and the link and fault
// supervisors) force. In the safe state relays are off, MOS gates off, fans fully on and LED 7
// lit; the board enters it from reset, on watchdog expiry, on K consecutive bad frames and on a
// latched MOS fault, and leaves it only on request once every cause is gone.
// Thread-safety: holds only the bus pointer; as thread-safe as the bus.
#pragma once

#include <cstdint>
#include <string>

#include "tern/common/status.h"
#include "tern/hw/register_bus.h"

namespace tern::hw {

struct SafeStatus {
  bool safe = false;
  bool cause_reset = false;
  bool cause_wdog = false;
  bool cause_link = false;
  bool cause_fault = false;
  bool wdog_expired = false;  // expired now (kick to re-arm)
  // "safe (causes: reset, watchdog)" or "running".
  std::string ToString() const;
};

struct LinkErrors {
  uint16_t count = 0;  // bad frames since reset
  uint8_t streak = 0;  // consecutive bad frames now
};

class Watchdog {
 public:
  // `bus` must outlive this object.
  explicit Watchdog(RegisterBus* bus) : bus_(bus) {}

  // Period in DIV_WDOG ticks (0 = always expired) and whether it can expire at all.
  [[nodiscard]] Status Configure(uint16_t period_ticks, bool enable);
  // Reloads the watchdog (writes the kick key).
  [[nodiscard]] Status Kick();
  // Ticks left before expiry.
  [[nodiscard]] Result<uint16_t> Remaining();
  [[nodiscard]] Result<SafeStatus> ReadSafeStatus();
  // Kicks, requests to leave the safe state and reads back. FailedPrecondition naming the
  // causes still present if the board stays safe (fault latched, link streak, expired).
  [[nodiscard]] Status LeaveSafeState();
  // K: consecutive bad frames that force the safe state (0 = never, max 15).
  [[nodiscard]] Status SetLinkBadLimit(uint8_t k);
  [[nodiscard]] Result<LinkErrors> ReadLinkErrors();
  // Reads ID and checks the board magic; returns the register-map version.
  [[nodiscard]] Result<uint16_t> Probe();

 private:
  RegisterBus* bus_;
};

}  // namespace tern::hw
