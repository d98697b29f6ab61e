// Cabinet: the cabinet's temperature sensor with its over-temperature thresholds, the UPS's
// power-fail input and the two analog meters (TEMP, TEMP_LIMIT, CABINET_STATUS, METER).
// Temperatures cross this interface in degrees Celsius; the board's code is
// (degrees + 40) x 16, 12 bits, so -40 .. 215.9 C in steps of 1/16 degree.
// Thread-safety: holds only the bus pointer; as thread-safe as the bus.
#pragma once

#include <cstdint>

#include "tern/common/status.h"
#include "tern/hw/register_bus.h"

namespace tern::hw {

struct CabinetStatus {
  bool over_temp = false;   // over TEMP_LIMIT.high, until below TEMP_LIMIT.low
  bool power_fail = false;  // the UPS reports mains failure
};

class Cabinet {
 public:
  static constexpr unsigned kMeters = 2;
  static constexpr double kMinC = -40.0;
  static constexpr double kMaxC = 215.9375;  // code 0xFFF

  // `bus` must outlive this object.
  explicit Cabinet(RegisterBus* bus) : bus_(bus) {}

  // The board's temperature code for `celsius`, clamped to the code's range.
  static uint16_t CodeOf(double celsius);
  static double CelsiusOf(uint16_t code);

  // The cabinet temperature, as last captured by the board.
  [[nodiscard]] Result<double> Temperature();
  // Over-temperature set at `high_c`, cleared below `low_c`. InvalidArgument unless
  // low_c < high_c and both are within kMinC..kMaxC.
  [[nodiscard]] Status SetLimits(double high_c, double low_c);
  [[nodiscard]] Result<CabinetStatus> ReadStatus();
  // Meter `meter` (0..1) deflection: 0 = rest, 255 = full scale. A read-modify-write of
  // METER, not atomic against other writers of it.
  [[nodiscard]] Status SetMeter(unsigned meter, uint8_t deflection);

 private:
  RegisterBus* bus_;
};

}  // namespace tern::hw
