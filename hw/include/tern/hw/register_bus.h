// hw::RegisterBus: the only seam between board drivers and the control board.
//
// Every block driver (clock divider, FIFO, MOS driver, I/O ports, panel, watchdog, IRQ
// controller) takes a RegisterBus& and knows nothing about how a 32-bit register access
// reaches the board: bit-banged SPI on GPIO lines (GpiodBus), the Verilated RTL model
// (VerilatorBus) or a recording fake (FakeBus). Addresses are byte addresses, 4-aligned,
// as in the generated tern/hw/board_regs.h.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "tern/common/status.h"

namespace tern::hw {

// Health counters of a bus, monotonically increasing since construction.
struct BusCounters {
  uint64_t reads = 0;         // Read() calls that returned OK
  uint64_t writes = 0;        // Write() calls that returned OK
  uint64_t frames = 0;        // SPI frames clocked (attempts, including retries)
  uint64_t crc_errors = 0;    // replies whose CRC-8 did not match
  uint64_t bad_requests = 0;  // replies with status[3] set: board rejected the request
  uint64_t bad_patterns = 0;  // replies whose status upper nibble was not 0b1010
  uint64_t stuck_line = 0;    // replies whose status was 0x00 or 0xFF (MISO stuck)
  uint64_t retries = 0;       // frames re-sent by the retry policy
  uint64_t failures = 0;      // Read()/Write() calls that returned an error
};

// Board-level flags carried by the status byte of the most recent good reply.
struct BoardFlags {
  bool safe_state = false;   // status[1]: outputs forced to their safe state
  bool irq_pending = false;  // status[0]: the IRQ line is asserted
};

// Abstract register access. Implementations state their own thread-safety; the SPI-based
// ones (SpiRegisterBus and its subclasses) serialise calls with an internal mutex.
class RegisterBus {
 public:
  virtual ~RegisterBus() = default;

  // Reads the 32-bit register at byte address `addr` into *out. On error *out is unchanged
  // and the Status names the register and the reason (CRC, stuck MISO, rejected request).
  [[nodiscard]] virtual Status Read(uint16_t addr, uint32_t* out) = 0;

  // Writes `value` to the register at byte address `addr`. OK means the board reported the
  // write as applied.
  [[nodiscard]] virtual Status Write(uint16_t addr, uint32_t value) = 0;

  // Blocks until the board's IRQ line is asserted or `timeout` elapses. Returns true if the
  // line is asserted, false on timeout. Simulated backends measure `timeout` in simulated
  // time. The default implementation reports Unavailable (no IRQ line).
  [[nodiscard]] virtual Result<bool> WaitIrq(std::chrono::nanoseconds timeout);

  // Counters since construction. The default returns all zeros.
  virtual BusCounters counters() const { return {}; }

  // Flags from the most recent good reply (all false before the first access).
  virtual BoardFlags last_flags() const { return {}; }

  // Short human-readable description of the backend, e.g. "gpiod gpiochip0 sclk=17 ...".
  virtual std::string Describe() const = 0;
};

// "PWM0_DUTY (0x0040)" when `addr` is in the generated register table, else "0x0040".
// Used in every error message that names a register.
std::string RegisterLabel(uint16_t addr);

}  // namespace tern::hw
