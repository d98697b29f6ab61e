// FanCurve: the cabinet fan's duty from the cabinet temperature. Below `quiet_c` the fan runs
// at `min_duty`, from `full_c` on at full duty (255), linear in between. Hysteresis: the
// duty rises at once with the temperature but falls only once the temperature is
// `hysteresis_c` below the point where the higher duty was reached, so a temperature
// wobbling around a point does not make the fan hunt.
// Thread-safety: none; the board thread owns it.
#pragma once

#include <cstdint>

namespace tern::core {

class FanCurve {
 public:
  struct Options {
    double quiet_c = 30.0;
    double full_c = 45.0;
    uint8_t min_duty = 64;
    double hysteresis_c = 2.0;
  };

  FanCurve() : FanCurve(Options{}) {}
  explicit FanCurve(Options o) : o_(o) {}

  // The duty for `temp_c`, given the duties asked before.
  uint8_t Duty(double temp_c);
  // The curve itself, without hysteresis.
  uint8_t CurveAt(double temp_c) const;

 private:
  Options o_;
  int last_ = -1;  // the duty last returned; -1 before the first call
};

}  // namespace tern::core
