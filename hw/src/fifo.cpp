// Fifo: event-buffer registers. Pop reads FIFO_DATA; the board pops only on a completed frame
// and only when the word was valid.
#include "tern/hw/fifo.h"

#include "tern/hw/board_regs.h"

namespace tern::hw {

namespace f = regs::fifo_data;

Result<FifoStatus> Fifo::ReadStatus() {
  uint32_t v = 0;
  TERN_RETURN_IF_ERROR(bus_->Read(regs::fifo_status::kOffset, &v));
  FifoStatus s;
  s.depth = regs::get_field(v, regs::fifo_status::depth::kMask, regs::fifo_status::depth::kShift);
  s.empty = v & regs::fifo_status::empty::kMask;
  s.full = v & regs::fifo_status::full::kMask;
  return s;
}

Result<std::optional<FifoEvent>> Fifo::Pop() {
  uint32_t v = 0;
  TERN_RETURN_IF_ERROR(bus_->Read(f::kOffset, &v));
  if (!(v & f::valid::kMask)) return std::optional<FifoEvent>();
  return std::optional<FifoEvent>(
      FifoEvent{static_cast<uint8_t>(regs::get_field(v, f::type::kMask, f::type::kShift)),
                static_cast<uint16_t>(regs::get_field(v, f::payload::kMask, f::payload::kShift))});
}

Status Fifo::Drain(std::vector<FifoEvent>* out, size_t max) {
  for (size_t n = 0; n < max; ++n) {
    TERN_ASSIGN_OR_RETURN(std::optional<FifoEvent> e, Pop());
    if (!e) break;
    out->push_back(*e);
  }
  return Status::Ok();
}

Status Fifo::Push(uint16_t payload) {
  return bus_->Write(regs::fifo_push::kOffset,
                     regs::set_field(0, regs::fifo_push::payload::kMask,
                                     regs::fifo_push::payload::kShift, payload));
}

Status Fifo::Clear() { return bus_->Write(regs::fifo_clr::kOffset, regs::fifo_clr::clr::kMask); }

Status Fifo::SetThreshold(unsigned thresh) {
  if (thresh > 16) {
    return Status::InvalidArgument("FIFO_CTRL.thresh: " + std::to_string(thresh) + " > 16");
  }
  return bus_->Write(
      regs::fifo_ctrl::kOffset,
      regs::set_field(0, regs::fifo_ctrl::thresh::kMask, regs::fifo_ctrl::thresh::kShift, thresh));
}

Result<bool> Fifo::Overflowed() {
  uint32_t v = 0;
  TERN_RETURN_IF_ERROR(bus_->Read(regs::fifo_flags::kOffset, &v));
  return (v & regs::fifo_flags::overflow::kMask) != 0;
}

Status Fifo::ClearOverflow() {
  return bus_->Write(regs::fifo_flags::kOffset, regs::fifo_flags::overflow::kMask);
}

}  // namespace tern::hw
