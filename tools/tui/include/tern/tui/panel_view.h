// PanelView: the front panel as text, for the live panel (`tern-board --panel`), the
// `panel` command and `ternctl top` (from GET /api/v1/board's frame). One rendering, so every view
// of the panel draws and labels it the same: the four digits drawn large (digit 3 on the left, as
// on the board), each LED, relay, fan, meter and button with its index and its meaning from
// hw::legend, the switch, the pot and the cabinet (temperature, over-temperature, power). Bit
// strings run from the highest bit on the left to bit 0 on the right, as in every tern-board
// output ("7..0"); labelled lists run bit 0 first.
// Thread-safety: stateless functions.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "tern/hw/panel.h"
#include "tern/hw/panel_frame.h"

namespace tern::tui {

// The frame and its reader live in tern/hw/panel_frame.h (shared with the core and ternctl).
using hw::PanelFrame;

// The segments digit `d` lights (bit 0..6 = a..g, bit 7 = dp), decoded as the board does.
uint8_t LitSegments(const hw::PanelState& p, unsigned d);

// The panel as lines of at most 78 columns, showing what the board's pins show: in the safe
// state the display is dark, only LED 7 (SAFE) is lit, the relays are off and the fans full,
// whatever the registers hold. `status` is one line shown under the panel (key
// help, the last command's result); empty for none.
std::vector<std::string> RenderPanel(const PanelFrame& f, const std::string& status = "");

}  // namespace tern::tui
