// ThermalModel: the simulated cabinet's air temperature, for the simulated board's TEMP input
// (the original cabinet has a powered exhaust fan and air ducts). The air settles towards
//   target = ambient + heat_span * (0.2 + 0.8 * load) / (1 + 3 * fan)
// with load and fan (the fan's duty) in 0..1, exponentially with time constant `tau`: an
// idle cabinet with its fans off sits about heat_span / 5 above ambient, a fully loaded one
// heat_span above ambient, and full fans cut the rise to a quarter.
// Thread-safety: none; one owner.
#pragma once

#include <chrono>

namespace tern::hw {

class ThermalModel {
 public:
  struct Options {
    double ambient_c = 22.0;    // the machine room
    double heat_span_c = 60.0;  // rise above ambient at full load with the fans off
    std::chrono::duration<double> tau = std::chrono::seconds(60);
  };

  ThermalModel() : ThermalModel(Options{}) {}
  // Starts at the ambient temperature.
  explicit ThermalModel(Options o) : o_(o), temp_c_(o.ambient_c) {}

  // Advances the model by `dt` with processing load `load` and fan duty `fan` (both clamped
  // to 0..1); returns the new temperature.
  double Step(std::chrono::duration<double> dt, double load, double fan);
  // Where the temperature settles for this load and fan duty.
  double Target(double load, double fan) const;
  double temperature_c() const { return temp_c_; }
  const Options& options() const { return o_; }

 private:
  Options o_;
  double temp_c_;
};

}  // namespace tern::hw
