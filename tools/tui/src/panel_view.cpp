// PanelView: see panel_view.h.
#include "tern/tui/panel_view.h"

#include <cstdio>

#include "tern/hw/cabinet.h"
#include "tern/hw/panel_legend.h"

namespace tern::tui {
namespace {

// One digit drawn 6 columns wide and 7 rows high from its segments (a top, b upper right,
// c lower right, d bottom, e lower left, f upper left, g middle, dp the point).
std::array<std::string, 7> BigDigit(uint8_t seg) {
  auto on = [seg](unsigned bit) { return ((seg >> bit) & 1u) != 0; };
  const std::string bar = " #### ", none = "      ";
  auto sides = [](bool left, bool right) {
    return std::string(left ? "#" : " ") + "    " + (right ? "#" : " ");
  };
  std::array<std::string, 7> rows = {
      on(0) ? bar : none,  sides(on(5), on(1)), sides(on(5), on(1)), on(6) ? bar : none,
      sides(on(4), on(2)), sides(on(4), on(2)), on(3) ? bar : none,
  };
  rows[6] += on(7) ? "#" : " ";  // the decimal point, after the bottom row
  for (int r = 0; r < 6; ++r) rows[static_cast<size_t>(r)] += " ";
  return rows;
}

std::string OnOff(bool v) { return v ? "[*]" : "[ ]"; }

std::string Percent(uint8_t duty) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%3d%%", duty == 0xFF ? 100 : duty * 100 / 256);
  return buf;
}

}  // namespace

uint8_t LitSegments(const hw::PanelState& p, unsigned d) {
  const uint8_t v = p.digits[d];
  if (p.brightness == 0) return 0;
  return p.hex ? static_cast<uint8_t>((v & 0x80) | hw::Panel::SegmentsForHex(v & 0x0F)) : v;
}

std::vector<std::string> RenderPanel(const PanelFrame& f, const std::string& status) {
  namespace lg = hw::legend;
  const hw::PanelState& p = f.panel;
  std::vector<std::string> out;
  char line[128];
  std::snprintf(line, sizeof line, "tern control board  %s  display %s, brightness %d/15",
                f.safe ? "SAFE STATE (outputs forced safe)" : "running", p.hex ? "hex" : "raw",
                p.brightness);
  out.emplace_back(line);
  out.emplace_back("");
  std::array<std::array<std::string, 7>, 4> digits;
  // In the safe state the pins, not the registers, tell: display dark, only the SAFE lamp lit,
  // relays off, fans full (fpga/README.md, the safe values).
  for (unsigned d = 0; d < 4; ++d) digits[d] = BigDigit(f.safe ? 0 : LitSegments(p, d));
  const uint8_t leds = f.safe ? static_cast<uint8_t>(1u << lg::kLedSafe) : p.leds;
  for (size_t r = 0; r < 7; ++r) {
    std::string row = "  ";
    for (int d = 3; d >= 0; --d) row += digits[static_cast<size_t>(d)][r] + "  ";
    out.push_back(row);
  }
  out.emplace_back("   digit 3   digit 2   digit 1   digit 0");
  out.emplace_back("");
  // LEDs in two columns (0-3 left, 4-7 right), relays, fans and buttons, each labelled.
  for (unsigned i = 0; i < 4; ++i) {
    std::snprintf(line, sizeof line, "  LED %u %s %-14s  LED %u %s %-14s", i,
                  OnOff((leds >> i) & 1u).c_str(), lg::kLeds[i], i + 4,
                  OnOff((leds >> (i + 4)) & 1u).c_str(), lg::kLeds[i + 4]);
    out.emplace_back(line);
  }
  out.emplace_back("");
  for (unsigned i = 0; i < 4; ++i) {
    std::string right;
    char col[64];
    if (i < 2) {
      std::snprintf(col, sizeof col, "fan %u %s %-12s duty %3u/255%s", i,
                    Percent(f.safe ? 0xFF : f.fans[i]).c_str(), lg::kFans[i], f.fans[i],
                    f.safe ? " (safe: full)" : "");
      right = col;
    } else {  // the meters' needles (at rest in the safe state)
      const unsigned m = i - 2;
      const int filled = (f.safe ? 0 : f.meters[m]) * 10 / 255;
      std::snprintf(col, sizeof col, "meter %u [%s%s] %3u/255 %s", m,
                    std::string(static_cast<size_t>(filled), '|').c_str(),
                    std::string(static_cast<size_t>(10 - filled), ' ').c_str(),
                    f.safe ? 0u : f.meters[m], lg::kMeters[m]);
      right = col;
    }
    std::snprintf(line, sizeof line, "  relay %u %s %-11s %s", i,
                  OnOff(!f.safe && ((f.relays >> i) & 1u)).c_str(), lg::kRelays[i], right.c_str());
    out.emplace_back(line);
  }
  // TEMP reads 0 (-40 C) until the board's first capture after reset: no reading yet.
  char temp[32] = "  --.- C (no reading)";
  if (f.temp_c > hw::Cabinet::kMinC) std::snprintf(temp, sizeof temp, "%5.1f C", f.temp_c);
  std::snprintf(line, sizeof line, "  cabinet %s  %s  power %s", temp,
                f.over_temp ? "[OVER TEMPERATURE]" : "[temperature ok]",
                f.power_fail ? "[FAILED: on UPS]" : "[mains ok]");
  out.emplace_back(line);
  out.emplace_back("");
  for (unsigned i = 0; i < 4; ++i) {
    std::string right;
    if (i == 0) right = std::string("switch ") + (p.sw ? "[ON ]" : "[OFF]");
    if (i == 1) {
      const int filled = p.pot * 20 / 4096;
      right = "pot    [" + std::string(static_cast<size_t>(filled), '=') +
              std::string(static_cast<size_t>(20 - filled), ' ') + "] " + std::to_string(p.pot);
    }
    std::snprintf(line, sizeof line, "  button %u %s %-11s %s", i,
                  OnOff((p.buttons >> i) & 1u).c_str(), lg::kButtons[i], right.c_str());
    out.emplace_back(line);
  }
  if (!status.empty()) {
    out.emplace_back("");
    out.push_back(status.substr(0, 78));
  }
  return out;
}

}  // namespace tern::tui
