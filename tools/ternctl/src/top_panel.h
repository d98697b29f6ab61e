// TopPanel: the board's front panel in `ternctl top`, drawn from the `frame` object of
// GET /api/v1/board (docs/http-api.md) with the same rendering as `tern-board --panel`, so
// the view, the board tool and the operator's eyes on the cabinet agree.
// Thread-safety: stateless.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace tern::tools {

// The panel's lines for `frame`; a frame that does not parse gives one line naming the field
// that is wrong (a newer or older core), never an exception.
std::vector<std::string> PanelLines(const nlohmann::json& frame);

}  // namespace tern::tools
