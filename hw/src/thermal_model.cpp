// ThermalModel: see thermal_model.h.
#include "tern/hw/thermal_model.h"

#include <algorithm>
#include <cmath>

namespace tern::hw {

double ThermalModel::Target(double load, double fan) const {
  load = std::clamp(load, 0.0, 1.0);
  fan = std::clamp(fan, 0.0, 1.0);
  return o_.ambient_c + o_.heat_span_c * (0.2 + 0.8 * load) / (1.0 + 3.0 * fan);
}

double ThermalModel::Step(std::chrono::duration<double> dt, double load, double fan) {
  if (dt.count() <= 0) return temp_c_;
  const double tau = std::max(o_.tau.count(), 1e-6);
  temp_c_ += (Target(load, fan) - temp_c_) * (1.0 - std::exp(-dt.count() / tau));
  return temp_c_;
}

}  // namespace tern::hw
