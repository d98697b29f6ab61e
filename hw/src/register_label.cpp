// RegisterLabel: names a register address from the generated table for error messages.
#include <cstdio>

#include "tern/hw/register_bus.h"

namespace tern::hw {

std::string RegisterLabel(uint16_t addr) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%04X", addr);
  return buf;
}

}  // namespace tern::hw
