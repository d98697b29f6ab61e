// GpiodBus in a build without libgpiod (TERN_WITH_GPIOD=OFF or libgpiod-dev missing): Open()
// reports why, so the board tool still builds and says what to install.
#include "tern/hw/gpiod_bus.h"

namespace tern::hw {

class GpiodBus::Lines {};

Result<std::unique_ptr<GpiodBus>> GpiodBus::Open(const GpiodConfig& config) {
  return Status::Unavailable("GPIO chip '" + config.chip +
                             "': tern was built without libgpiod (TERN_WITH_GPIOD=OFF or "
                             "libgpiod-dev missing)");
}
GpiodBus::~GpiodBus() = default;
Result<bool> GpiodBus::WaitIrq(std::chrono::nanoseconds) {
  return Status::Unavailable("no libgpiod in this build");
}
std::string GpiodBus::Describe() const { return "gpiod (not built)"; }

}  // namespace tern::hw
