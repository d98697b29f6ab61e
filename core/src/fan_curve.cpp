// FanCurve: see fan_curve.h.
#include "fan_curve.h"

#include <algorithm>
#include <cmath>

namespace tern::core {

uint8_t FanCurve::CurveAt(double temp_c) const {
  if (temp_c <= o_.quiet_c) return o_.min_duty;
  if (temp_c >= o_.full_c || o_.full_c <= o_.quiet_c) return 255;
  const double f = (temp_c - o_.quiet_c) / (o_.full_c - o_.quiet_c);
  return static_cast<uint8_t>(std::lround(o_.min_duty + f * (255 - o_.min_duty)));
}

uint8_t FanCurve::Duty(double temp_c) {
  uint8_t d = CurveAt(temp_c);
  if (last_ >= 0 && d < last_) {
    // Falling: only as far as the curve hysteresis_c higher allows, never above the last.
    d = static_cast<uint8_t>(std::min<int>(last_, CurveAt(temp_c + o_.hysteresis_c)));
  }
  last_ = d;
  return d;
}

}  // namespace tern::core
