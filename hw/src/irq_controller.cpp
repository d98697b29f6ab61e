// IrqController: INTR_STATE / INTR_ENABLE / INTR_TEST and the IRQ line.
#include "tern/hw/irq_controller.h"

#include "tern/hw/board_regs.h"

namespace tern::hw {

namespace is = regs::intr_state;
static_assert(irq::kFifoThresh == is::fifo_thresh::kMask &&
              irq::kFifoOverflow == is::fifo_ovf::kMask && irq::kPanel == is::panel::kMask &&
              irq::kGpio == is::gpio::kMask && irq::kFault == is::fault::kMask &&
              irq::kSafe == is::safe::kMask && irq::kLink == is::link::kMask &&
              irq::kWdog == is::wdog::kMask && irq::kTemp == is::temp::kMask &&
              irq::kPower == is::power::kMask);

Status IrqController::Enable(uint16_t mask) {
  return bus_->Write(regs::intr_enable::kOffset, mask);
}

Result<uint16_t> IrqController::Enabled() {
  uint32_t v = 0;
  TERN_RETURN_IF_ERROR(bus_->Read(regs::intr_enable::kOffset, &v));
  return static_cast<uint16_t>(v & regs::intr_enable::en::kMask);
}

Result<uint16_t> IrqController::Pending() {
  uint32_t v = 0;
  TERN_RETURN_IF_ERROR(bus_->Read(is::kOffset, &v));
  return static_cast<uint16_t>(v & is::kMask);
}

Status IrqController::Acknowledge(uint16_t mask) { return bus_->Write(is::kOffset, mask); }

Status IrqController::Trigger(uint16_t mask) { return bus_->Write(regs::intr_test::kOffset, mask); }

Result<uint16_t> IrqController::WaitAndTake(std::chrono::nanoseconds timeout) {
  TERN_ASSIGN_OR_RETURN(bool asserted, bus_->WaitIrq(timeout));
  if (!asserted) return uint16_t{0};
  TERN_ASSIGN_OR_RETURN(uint16_t pending, Pending());
  TERN_ASSIGN_OR_RETURN(uint16_t enabled, Enabled());
  const uint16_t take = pending & enabled;
  if (take != 0) TERN_RETURN_IF_ERROR(Acknowledge(take));
  return take;
}

}  // namespace tern::hw
