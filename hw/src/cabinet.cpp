// Cabinet: TEMP, TEMP_LIMIT, CABINET_STATUS and METER.
#include "tern/hw/cabinet.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "tern/hw/board_regs.h"

namespace tern::hw {

namespace {
constexpr double kStepsPerDegree = 16.0;
}  // namespace

uint16_t Cabinet::CodeOf(double celsius) {
  const double code = std::round((celsius - kMinC) * kStepsPerDegree);
  return static_cast<uint16_t>(std::clamp(code, 0.0, 4095.0));
}

double Cabinet::CelsiusOf(uint16_t code) { return (code & 0xFFF) / kStepsPerDegree + kMinC; }

Result<double> Cabinet::Temperature() {
  uint32_t v = 0;
  TERN_RETURN_IF_ERROR(bus_->Read(regs::temp::kOffset, &v));
  return CelsiusOf(static_cast<uint16_t>(v & regs::temp::val::kMask));
}

Status Cabinet::SetLimits(double high_c, double low_c) {
  if (!(low_c < high_c) || low_c < kMinC || high_c > kMaxC) {
    return Status::InvalidArgument("TEMP_LIMIT: need " + std::to_string(kMinC) +
                                   " <= low < high <= " + std::to_string(kMaxC) + " C, got low " +
                                   std::to_string(low_c) + " high " + std::to_string(high_c));
  }
  namespace tl = regs::temp_limit;
  const uint32_t v =
      (uint32_t{CodeOf(high_c)} << tl::high::kShift) | (uint32_t{CodeOf(low_c)} << tl::low::kShift);
  return bus_->Write(tl::kOffset, v);
}

Result<CabinetStatus> Cabinet::ReadStatus() {
  uint32_t v = 0;
  TERN_RETURN_IF_ERROR(bus_->Read(regs::cabinet_status::kOffset, &v));
  CabinetStatus s;
  s.over_temp = (v & regs::cabinet_status::over_temp::kMask) != 0;
  s.power_fail = (v & regs::cabinet_status::power_fail::kMask) != 0;
  return s;
}

Status Cabinet::SetMeter(unsigned meter, uint8_t deflection) {
  if (meter >= kMeters) {
    return Status::InvalidArgument("METER: meter " + std::to_string(meter) + " (0..1)");
  }
  uint32_t v = 0;
  TERN_RETURN_IF_ERROR(bus_->Read(regs::meter::kOffset, &v));
  const unsigned shift = meter == 0 ? regs::meter::duty0::kShift : regs::meter::duty1::kShift;
  v = (v & ~(0xFFu << shift)) | (uint32_t{deflection} << shift);
  return bus_->Write(regs::meter::kOffset, v);
}

}  // namespace tern::hw
