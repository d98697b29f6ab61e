// PanelFrame: everything a view of the front panel shows, read from the board's registers in
// one pass, and its JSON form. One frame type, so every view of the panel (tern-board's live
// panel, the core's `GET /api/v1/board`, `ternctl board` and `ternctl top`) reads, sends and
// shows the same fields. The JSON shape is part of the HTTP API (docs/http-api.md):
//   {"digits":[4 ints, DISP_CTRL bytes, digit 0 first], "hex":bool, "brightness":int,
//    "leds":int, "buttons":int, "switch":bool, "pot":int, "relays":int, "fans":[2 ints],
//    "safe":bool, "temp_c":number, "over_temp":bool, "power_fail":bool, "meters":[2 ints]}
// Thread-safety: a plain value type and stateless functions; ReadPanelFrame() is as
// thread-safe as the bus it is given.
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "tern/common/status.h"
#include "tern/hw/panel.h"
#include "tern/hw/register_bus.h"

namespace tern::hw {

// Everything the panel view shows, read from the board's registers.
struct PanelFrame {
  PanelState panel;                 // display, LEDs, buttons, switch, pot
  uint8_t relays = 0;               // RELAY.on, bit n = relay n
  std::array<uint8_t, 2> fans{};    // FAN.duty0/duty1 (0xFF = fully on)
  bool safe = false;                // SAFE_STATUS.safe
  double temp_c = 0;                // TEMP, in degrees C
  bool over_temp = false;           // CABINET_STATUS.over_temp
  bool power_fail = false;          // CABINET_STATUS.power_fail
  std::array<uint8_t, 2> meters{};  // METER.duty0/duty1 (0 = rest, 0xFF = full scale)
};

// Reads a frame from the board (ten register reads). Errors name the register.
[[nodiscard]] Result<PanelFrame> ReadPanelFrame(RegisterBus* bus);

// The frame as the JSON object above (every field present).
nlohmann::json PanelFrameToJson(const PanelFrame& f);

// Parses the JSON object above. Every field is required and range-checked (digits, leds,
// buttons, relays, fans, meters 0..255, brightness 0..15, pot 0..4095); an error names the
// first field that is missing or wrong. Unknown fields are ignored (newer senders).
[[nodiscard]] Result<PanelFrame> PanelFrameFromJson(const nlohmann::json& j);

}  // namespace tern::hw
