// ClockDivider: divisor registers of the board's strobe generators.
#include "tern/hw/clock_divider.h"

#include "tern/hw/board_regs.h"

namespace tern::hw {

uint16_t ClockDivider::Offset(Divider which) {
  switch (which) {
    case Divider::kPwm:
      return regs::div_pwm::kOffset;
    case Divider::kDebounce:
      return regs::div_debounce::kOffset;
    case Divider::kScan:
      return regs::div_scan::kOffset;
    case Divider::kWdog:
      return regs::div_wdog::kOffset;
    case Divider::kRamp:
      return regs::div_ramp::kOffset;
  }
  return regs::div_pwm::kOffset;
}

// All five dividers share the layout of DIV_PWM.div.
static_assert(regs::div_pwm::div::kMask == 0xFFFF && regs::div_ramp::div::kMask == 0xFFFF &&
              regs::div_debounce::div::kMask == 0xFFFF && regs::div_scan::div::kMask == 0xFFFF &&
              regs::div_wdog::div::kMask == 0xFFFF);

Status ClockDivider::Set(Divider which, uint16_t div) {
  return bus_->Write(Offset(which), regs::set_field(0, regs::div_pwm::div::kMask,
                                                    regs::div_pwm::div::kShift, div));
}

Result<uint16_t> ClockDivider::Get(Divider which) {
  uint32_t v = 0;
  TERN_RETURN_IF_ERROR(bus_->Read(Offset(which), &v));
  return static_cast<uint16_t>(
      regs::get_field(v, regs::div_pwm::div::kMask, regs::div_pwm::div::kShift));
}

Status ClockDivider::SetPeriod(Divider which, std::chrono::nanoseconds period) {
  const double clocks = static_cast<double>(period.count()) * regs::link::kSysClkHz / 1e9;
  const long long div = static_cast<long long>(clocks + 0.5);
  if (div > 0xFFFF) {
    return Status::InvalidArgument(RegisterLabel(Offset(which)) + ": period " +
                                   std::to_string(period.count()) + " ns needs divisor " +
                                   std::to_string(div) + " > 65535");
  }
  return Set(which, static_cast<uint16_t>(div < 1 ? 1 : div));
}

Status ClockDivider::SetDebounceTicks(uint8_t ticks) {
  constexpr uint32_t kMax = regs::debounce_cfg::thresh::kMask >> regs::debounce_cfg::thresh::kShift;
  if (ticks > kMax) {
    return Status::InvalidArgument("DEBOUNCE_CFG.thresh: " + std::to_string(ticks) + " > " +
                                   std::to_string(kMax));
  }
  return bus_->Write(regs::debounce_cfg::kOffset,
                     regs::set_field(0, regs::debounce_cfg::thresh::kMask,
                                     regs::debounce_cfg::thresh::kShift, ticks));
}

}  // namespace tern::hw
