// TopPanel: see top_panel.h.
#include "top_panel.h"

#include "tern/hw/panel_frame.h"
#include "tern/tui/panel_view.h"

namespace tern::tools {

std::vector<std::string> PanelLines(const nlohmann::json& frame) {
  auto f = hw::PanelFrameFromJson(frame);
  if (!f.ok()) return {"board: the core's frame does not read: " + f.status().message()};
  return tui::RenderPanel(*f);
}

}  // namespace tern::tools
