// IoPorts: GPIO registers; every output change is a masked write.
#include "tern/hw/io_ports.h"

#include "tern/hw/board_regs.h"

namespace tern::hw {

namespace {
uint32_t Masked(uint16_t mask, uint16_t data) {
  uint32_t v = regs::set_field(0, regs::gpio_masked_out::mask::kMask,
                               regs::gpio_masked_out::mask::kShift, mask);
  return regs::set_field(v, regs::gpio_masked_out::data::kMask, regs::gpio_masked_out::data::kShift,
                         data);
}
static_assert(regs::gpio_masked_oe::mask::kMask == regs::gpio_masked_out::mask::kMask &&
              regs::gpio_masked_oe::data::kMask == regs::gpio_masked_out::data::kMask);

Result<uint16_t> Read16(RegisterBus* bus, uint16_t offset) {
  uint32_t v = 0;
  TERN_RETURN_IF_ERROR(bus->Read(offset, &v));
  return static_cast<uint16_t>(v & 0xFFFF);
}
}  // namespace

Status IoPorts::SetDirection(uint16_t mask, uint16_t outputs) {
  return bus_->Write(regs::gpio_masked_oe::kOffset, Masked(mask, outputs));
}

Status IoPorts::Write(uint16_t mask, uint16_t levels) {
  return bus_->Write(regs::gpio_masked_out::kOffset, Masked(mask, levels));
}

Status IoPorts::SetPin(unsigned pin, bool level) {
  if (pin >= kPins) {
    return Status::InvalidArgument("GPIO_MASKED_OUT: pin " + std::to_string(pin) +
                                   " out of range 0..15");
  }
  const uint16_t bit = static_cast<uint16_t>(1u << pin);
  return Write(bit, level ? bit : 0);
}

Result<uint16_t> IoPorts::ReadInputs() { return Read16(bus_, regs::gpio_in::kOffset); }
Result<uint16_t> IoPorts::Outputs() { return Read16(bus_, regs::gpio_out::kOffset); }
Result<uint16_t> IoPorts::OutputEnables() { return Read16(bus_, regs::gpio_oe::kOffset); }

Status IoPorts::EnableEdges(uint16_t rising, uint16_t falling) {
  TERN_RETURN_IF_ERROR(bus_->Write(regs::gpio_rise_en::kOffset, rising));
  return bus_->Write(regs::gpio_fall_en::kOffset, falling);
}

Result<uint16_t> IoPorts::TakeEdges() {
  TERN_ASSIGN_OR_RETURN(uint16_t edges, Read16(bus_, regs::gpio_intr_state::kOffset));
  if (edges != 0) TERN_RETURN_IF_ERROR(bus_->Write(regs::gpio_intr_state::kOffset, edges));
  return edges;
}

}  // namespace tern::hw
