// RegisterLabel: names a register address from the generated table for error messages.
#include <cstdio>

#include "tern/hw/board_regs.h"
#include "tern/hw/register_bus.h"

namespace tern::hw {

std::string RegisterLabel(uint16_t addr) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%03X", addr);
  if (const regs::RegInfo* r = regs::find(addr)) {
    return std::string(r->name) + " (" + buf + ")";
  }
  return std::string("unmapped ") + buf;
}

}  // namespace tern::hw
