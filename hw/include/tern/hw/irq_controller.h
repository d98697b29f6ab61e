// IrqController: the board's interrupt controller (INTR_STATE rw1c / INTR_ENABLE /
// INTR_TEST) behind one active-low IRQ line: irq_no = ~|(state & enable). Level sources
// (fifo_thresh, fault, gpio) set their bit again while the condition holds.
// Thread-safety: holds only the bus pointer; as thread-safe as the bus.
#pragma once

#include <chrono>
#include <cstdint>

#include "tern/common/status.h"
#include "tern/hw/register_bus.h"

namespace tern::hw {

// INTR_STATE bits, from board_regs.h.
namespace irq {
enum Source : uint16_t {
  kFifoThresh = 1u << 0,
  kFifoOverflow = 1u << 1,
  kPanel = 1u << 2,
  kGpio = 1u << 3,
  kFault = 1u << 4,
  kSafe = 1u << 5,
  kLink = 1u << 6,
  kWdog = 1u << 7,
  kTemp = 1u << 8,   // CABINET_STATUS.over_temp changed
  kPower = 1u << 9,  // CABINET_STATUS.power_fail changed
};
}  // namespace irq

class IrqController {
 public:
  // `bus` must outlive this object.
  explicit IrqController(RegisterBus* bus) : bus_(bus) {}

  // Which sources drive the IRQ line.
  [[nodiscard]] Status Enable(uint16_t mask);
  [[nodiscard]] Result<uint16_t> Enabled();
  // INTR_STATE, whether enabled or not.
  [[nodiscard]] Result<uint16_t> Pending();
  // Clears the given state bits (W1C).
  [[nodiscard]] Status Acknowledge(uint16_t mask);
  // Sets state bits from software (tests the IRQ path end to end).
  [[nodiscard]] Status Trigger(uint16_t mask);
  // Waits for the IRQ line, then returns the enabled pending sources and acknowledges them.
  // Returns 0 on timeout.
  [[nodiscard]] Result<uint16_t> WaitAndTake(std::chrono::nanoseconds timeout);

 private:
  RegisterBus* bus_;
};

}  // namespace tern::hw
