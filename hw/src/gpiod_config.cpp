// Parsing of the GPIO line specification, kept out of gpiod_bus.cpp so the board tool can
// parse (and reject) a --lines option even in a build without libgpiod.
#include <map>
#include <set>
#include <sstream>

#include "tern/hw/gpiod_bus.h"

namespace tern::hw {

Status ParseGpiodLines(const std::string& spec, GpiodConfig* config) {
  std::map<std::string, unsigned> got;
  std::stringstream ss(spec);
  std::string item;
  while (std::getline(ss, item, ',')) {
    const auto eq = item.find('=');
    if (eq == std::string::npos) {
      return Status::InvalidArgument("GPIO lines '" + spec + "': item '" + item +
                                     "' is not name=offset");
    }
    const std::string name = item.substr(0, eq);
    if (name != "sclk" && name != "mosi" && name != "miso" && name != "cs" && name != "irq") {
      return Status::InvalidArgument("GPIO lines '" + spec + "': unknown line '" + name +
                                     "' (expected sclk, mosi, miso, cs, irq)");
    }
    try {
      size_t used = 0;
      const unsigned long v = std::stoul(item.substr(eq + 1), &used, 0);
      if (used != item.size() - eq - 1 || v > 1023) throw std::invalid_argument("range");
      got[name] = static_cast<unsigned>(v);
    } catch (const std::exception&) {
      return Status::InvalidArgument("GPIO lines '" + spec + "': bad offset for '" + name + "'");
    }
  }
  for (const char* need : {"sclk", "mosi", "miso", "cs"}) {
    if (!got.count(need)) {
      return Status::InvalidArgument("GPIO lines '" + spec + "': missing '" + need + "'");
    }
  }
  std::set<unsigned> distinct;
  for (const auto& [name, off] : got) distinct.insert(off);
  if (distinct.size() != got.size()) {
    return Status::InvalidArgument("GPIO lines '" + spec + "': two lines share an offset");
  }
  config->sclk = got["sclk"];
  config->mosi = got["mosi"];
  config->miso = got["miso"];
  config->cs = got["cs"];
  if (got.count("irq")) {
    config->irq = got["irq"];
  } else {
    config->irq.reset();
  }
  return Status::Ok();
}

}  // namespace tern::hw
