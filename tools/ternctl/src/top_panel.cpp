// TopPanel: see top_panel.h.
#include "top_panel.h"

namespace tern::tools {

std::vector<std::string> PanelLines(const nlohmann::json& frame) {
  return {"board: " + frame.dump()};
}

}  // namespace tern::tools
