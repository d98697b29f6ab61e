// MosDriver: PWM, fault, relay and fan registers.
#include "tern/hw/mos_driver.h"

#include "tern/hw/board_regs.h"

namespace tern::hw {

namespace {
Status CheckChannel(unsigned channel, const char* what) {
  if (channel >= MosDriver::kChannels) {
    return Status::InvalidArgument(std::string(what) + ": channel " + std::to_string(channel) +
                                   " out of range 0..3");
  }
  return Status::Ok();
}
}  // namespace

Status MosDriver::SetPeriod(uint16_t ticks) {
  return bus_->Write(
      regs::pwm_period::kOffset,
      regs::set_field(0, regs::pwm_period::ticks::kMask, regs::pwm_period::ticks::kShift, ticks));
}

Result<uint16_t> MosDriver::Period() {
  uint32_t v = 0;
  TERN_RETURN_IF_ERROR(bus_->Read(regs::pwm_period::kOffset, &v));
  return static_cast<uint16_t>(
      regs::get_field(v, regs::pwm_period::ticks::kMask, regs::pwm_period::ticks::kShift));
}

Status MosDriver::SetDuty(unsigned channel, uint16_t ticks) {
  TERN_RETURN_IF_ERROR(CheckChannel(channel, "PWM_DUTY"));
  return bus_->Write(
      regs::pwm_duty::offset(channel),
      regs::set_field(0, regs::pwm_duty0::ticks::kMask, regs::pwm_duty0::ticks::kShift, ticks));
}

Result<uint16_t> MosDriver::Duty(unsigned channel) {
  TERN_RETURN_IF_ERROR(CheckChannel(channel, "PWM_DUTY"));
  uint32_t v = 0;
  TERN_RETURN_IF_ERROR(bus_->Read(regs::pwm_duty::offset(channel), &v));
  return static_cast<uint16_t>(
      regs::get_field(v, regs::pwm_duty0::ticks::kMask, regs::pwm_duty0::ticks::kShift));
}

Status MosDriver::SetDeadTime(uint8_t cycles) {
  return bus_->Write(regs::pwm_deadtime::kOffset,
                     regs::set_field(0, regs::pwm_deadtime::cycles::kMask,
                                     regs::pwm_deadtime::cycles::kShift, cycles));
}

Status MosDriver::SetChannels(uint8_t enable_mask, uint8_t soft_start_mask) {
  if ((enable_mask | soft_start_mask) & 0xF0) {
    return Status::InvalidArgument("PWM_CTRL: channel mask has bits above channel 3");
  }
  uint32_t v =
      regs::set_field(0, regs::pwm_ctrl::en::kMask, regs::pwm_ctrl::en::kShift, enable_mask);
  v = regs::set_field(v, regs::pwm_ctrl::softstart::kMask, regs::pwm_ctrl::softstart::kShift,
                      soft_start_mask);
  return bus_->Write(regs::pwm_ctrl::kOffset, v);
}

Status MosDriver::EnableChannel(unsigned channel, bool on, bool soft_start) {
  TERN_RETURN_IF_ERROR(CheckChannel(channel, "PWM_CTRL"));
  uint32_t v = 0;
  TERN_RETURN_IF_ERROR(bus_->Read(regs::pwm_ctrl::kOffset, &v));
  uint32_t en = regs::get_field(v, regs::pwm_ctrl::en::kMask, regs::pwm_ctrl::en::kShift);
  uint32_t ss =
      regs::get_field(v, regs::pwm_ctrl::softstart::kMask, regs::pwm_ctrl::softstart::kShift);
  const uint32_t bit = 1u << channel;
  en = on ? (en | bit) : (en & ~bit);
  ss = soft_start ? (ss | bit) : (ss & ~bit);
  return SetChannels(static_cast<uint8_t>(en), static_cast<uint8_t>(ss));
}

Result<MosStatus> MosDriver::ReadStatus() {
  uint32_t st = 0, fault = 0, ctrl = 0;
  TERN_RETURN_IF_ERROR(bus_->Read(regs::mos_status::kOffset, &st));
  TERN_RETURN_IF_ERROR(bus_->Read(regs::mos_fault::kOffset, &fault));
  TERN_RETURN_IF_ERROR(bus_->Read(regs::pwm_ctrl::kOffset, &ctrl));
  MosStatus s;
  s.fault_in = st & regs::mos_status::fault_in::kMask;
  s.ramping = static_cast<uint8_t>(
      regs::get_field(st, regs::mos_status::ramping::kMask, regs::mos_status::ramping::kShift));
  s.fault_latched = fault & regs::mos_fault::latched::kMask;
  s.enabled = static_cast<uint8_t>(
      regs::get_field(ctrl, regs::pwm_ctrl::en::kMask, regs::pwm_ctrl::en::kShift));
  return s;
}

Status MosDriver::ClearFault() {
  TERN_RETURN_IF_ERROR(bus_->Write(regs::mos_fault::kOffset, regs::mos_fault::latched::kMask));
  uint32_t fault = 0;
  TERN_RETURN_IF_ERROR(bus_->Read(regs::mos_fault::kOffset, &fault));
  if (fault & regs::mos_fault::latched::kMask) {
    return Status::FailedPrecondition(
        "MOS_FAULT.latched still set after clearing: the fault input is still active");
  }
  return Status::Ok();
}

Status MosDriver::SetFaultFilter(uint8_t cycles) {
  return bus_->Write(regs::mos_fault_filter::kOffset,
                     regs::set_field(0, regs::mos_fault_filter::cycles::kMask,
                                     regs::mos_fault_filter::cycles::kShift, cycles));
}

Status MosDriver::SetRelays(uint8_t mask) {
  if (mask & ~regs::relay::on::kMask) {
    return Status::InvalidArgument("RELAY.on: mask has bits above relay 3");
  }
  return bus_->Write(regs::relay::kOffset,
                     regs::set_field(0, regs::relay::on::kMask, regs::relay::on::kShift, mask));
}

Status MosDriver::SetFan(unsigned fan, uint8_t duty) {
  if (fan > 1) return Status::InvalidArgument("FAN: fan " + std::to_string(fan) + " not 0 or 1");
  uint32_t v = 0;
  TERN_RETURN_IF_ERROR(bus_->Read(regs::fan::kOffset, &v));
  v = fan == 0 ? regs::set_field(v, regs::fan::duty0::kMask, regs::fan::duty0::kShift, duty)
               : regs::set_field(v, regs::fan::duty1::kMask, regs::fan::duty1::kShift, duty);
  return bus_->Write(regs::fan::kOffset, v);
}

}  // namespace tern::hw
