// Panel: display, LED and front-panel input registers, and the panel FIFO event format.
#include "tern/hw/panel.h"

#include "tern/hw/board_regs.h"

namespace tern::hw {

namespace d = regs::disp_ctrl;

Status Panel::SetDigits(const std::array<uint8_t, 4>& digits) {
  uint32_t v = 0;
  v = regs::set_field(v, regs::disp_digits::d0::kMask, regs::disp_digits::d0::kShift, digits[0]);
  v = regs::set_field(v, regs::disp_digits::d1::kMask, regs::disp_digits::d1::kShift, digits[1]);
  v = regs::set_field(v, regs::disp_digits::d2::kMask, regs::disp_digits::d2::kShift, digits[2]);
  v = regs::set_field(v, regs::disp_digits::d3::kMask, regs::disp_digits::d3::kShift, digits[3]);
  return bus_->Write(regs::disp_digits::kOffset, v);
}

Status Panel::ShowHex(uint16_t value) {
  TERN_RETURN_IF_ERROR(SetDigits(
      {static_cast<uint8_t>(value & 0xF), static_cast<uint8_t>((value >> 4) & 0xF),
       static_cast<uint8_t>((value >> 8) & 0xF), static_cast<uint8_t>((value >> 12) & 0xF)}));
  return SetHexMode(true);
}

Status Panel::SetHexMode(bool hex) {
  uint32_t v = 0;
  TERN_RETURN_IF_ERROR(bus_->Read(d::kOffset, &v));
  const uint32_t nv = regs::set_field(v, d::hex::kMask, d::hex::kShift, hex ? 1 : 0);
  if (nv == v) return Status::Ok();  // saves a frame on the slow link
  return bus_->Write(d::kOffset, nv);
}

Status Panel::SetBrightness(uint8_t level) {
  if (level > (d::bright::kMask >> d::bright::kShift)) {
    return Status::InvalidArgument("DISP_CTRL.bright: " + std::to_string(level) + " > 15");
  }
  uint32_t v = 0;
  TERN_RETURN_IF_ERROR(bus_->Read(d::kOffset, &v));
  return bus_->Write(d::kOffset, regs::set_field(v, d::bright::kMask, d::bright::kShift, level));
}

Status Panel::SetLeds(uint8_t mask) {
  return bus_->Write(regs::led::kOffset,
                     regs::set_field(0, regs::led::on::kMask, regs::led::on::kShift, mask));
}

Status Panel::EnableEvents(uint8_t press, uint8_t release, bool sw) {
  namespace e = regs::panel_evt_en;
  if ((press | release) & 0xF0) {
    return Status::InvalidArgument("PANEL_EVT_EN: button mask has bits above button 3");
  }
  uint32_t v = regs::set_field(0, e::press::kMask, e::press::kShift, press);
  v = regs::set_field(v, e::release::kMask, e::release::kShift, release);
  v = regs::set_field(v, e::sw::kMask, e::sw::kShift, sw ? 1 : 0);
  return bus_->Write(e::kOffset, v);
}

Result<PanelState> Panel::ReadInputs() {
  uint32_t in = 0, pot = 0;
  TERN_RETURN_IF_ERROR(bus_->Read(regs::panel_in::kOffset, &in));
  TERN_RETURN_IF_ERROR(bus_->Read(regs::pot::kOffset, &pot));
  PanelState s;
  s.buttons = static_cast<uint8_t>(
      regs::get_field(in, regs::panel_in::btn::kMask, regs::panel_in::btn::kShift));
  s.sw = in & regs::panel_in::sw::kMask;
  s.pot =
      static_cast<uint16_t>(regs::get_field(pot, regs::pot::val::kMask, regs::pot::val::kShift));
  return s;
}

Result<PanelState> Panel::ReadState() {
  TERN_ASSIGN_OR_RETURN(PanelState s, ReadInputs());
  uint32_t digits = 0, ctrl = 0, leds = 0;
  TERN_RETURN_IF_ERROR(bus_->Read(regs::disp_digits::kOffset, &digits));
  TERN_RETURN_IF_ERROR(bus_->Read(d::kOffset, &ctrl));
  TERN_RETURN_IF_ERROR(bus_->Read(regs::led::kOffset, &leds));
  for (unsigned i = 0; i < kDigits; ++i) s.digits[i] = static_cast<uint8_t>(digits >> (8 * i));
  s.hex = ctrl & d::hex::kMask;
  s.brightness = static_cast<uint8_t>(regs::get_field(ctrl, d::bright::kMask, d::bright::kShift));
  s.leds = static_cast<uint8_t>(regs::get_field(leds, regs::led::on::kMask, regs::led::on::kShift));
  return s;
}

std::optional<PanelEvent> Panel::Decode(const FifoEvent& e) {
  if (e.type != kEventPanel) return std::nullopt;
  // Payload layout: the events section of the register map (tern_panel.sv fills the same
  // generated layout, board_reg_pkg::board_event_panel_t).
  namespace ep = regs::events::panel;
  const auto field = [&e](uint32_t mask, unsigned shift) {
    return static_cast<uint8_t>(regs::get_field(e.payload, mask, shift));
  };
  PanelEvent p;
  p.pressed = field(ep::kPressedMask, ep::kPressedShift);
  p.released = field(ep::kReleasedMask, ep::kReleasedShift);
  p.switch_changed = field(ep::kSwitchChangedMask, ep::kSwitchChangedShift) != 0;
  p.switch_level = field(ep::kSwitchLevelMask, ep::kSwitchLevelShift) != 0;
  p.buttons = field(ep::kButtonsMask, ep::kButtonsShift);
  return p;
}

Status Panel::TakeEvents(std::vector<PanelEvent>* out, std::vector<FifoEvent>* other) {
  std::vector<FifoEvent> events;
  const Status s = Fifo(bus_).Drain(&events);
  for (const FifoEvent& e : events) {
    if (auto p = Decode(e)) {
      out->push_back(*p);
    } else if (other != nullptr) {
      other->push_back(e);
    }
  }
  return s;
}

uint8_t Panel::SegmentsForHex(uint8_t nibble) {
  static constexpr uint8_t kSeg[16] = {0x3F, 0x06, 0x5B, 0x4F, 0x66, 0x6D, 0x7D, 0x07,
                                       0x7F, 0x6F, 0x77, 0x7C, 0x39, 0x5E, 0x79, 0x71};
  return kSeg[nibble & 0xF];
}

}  // namespace tern::hw
