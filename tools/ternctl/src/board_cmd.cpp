// ternctl board: see board_cmd.h.
#include "board_cmd.h"

#include <cstdio>
#include <iostream>
#include <stdexcept>

#include "cli_util.h"
#include "tern/hw/panel.h"
#include "tern/hw/panel_frame.h"
#include "tern/hw/panel_legend.h"

namespace tern::tools {
namespace {

// A digit's character: hex digits in the board's font, the P and L of "PFAL", blank, or '?'.
char DigitChar(uint8_t seg, bool hex) {
  if (hex) return "0123456789ABCDEF"[seg & 0x0F];
  const uint8_t s = seg & 0x7F;
  if (s == 0) return ' ';
  for (uint8_t n = 0; n < 16; ++n) {
    if (hw::Panel::SegmentsForHex(n) == s) return "0123456789AbCdEF"[n];
  }
  if (s == 0x73) return 'P';
  if (s == 0x38) return 'L';
  return '?';
}

// "n name, m name" for each set bit of `bits` below `count`, or "none".
template <size_t N>
std::string Named(unsigned bits, const std::array<const char*, N>& names) {
  std::string out;
  for (size_t i = 0; i < N; ++i) {
    if ((bits >> i) & 1u) out += (out.empty() ? "" : ", ") + std::to_string(i) + " " + names[i];
  }
  return out.empty() ? "none" : out;
}

int Post(CoreClient& core, const BoardCmdArgs& a, const std::string& what,
         const nlohmann::json& body) {
  auto r = core.Json("POST", "/api/v1/board/" + what, Dump(body));
  if (!r.ok()) return Fail(r.status());
  if (a.json) {
    std::cout << Dump(*r) << "\n";
  } else {
    std::cout << "board " << what << " " << Dump(body) << ": done\n" << BoardSummary(*r);
  }
  return kExitOk;
}

}  // namespace

std::string BoardSummary(const nlohmann::json& b) {
  auto frame = hw::PanelFrameFromJson(b.value("frame", nlohmann::json::object()));
  if (!frame.ok()) return "board: " + frame.status().message() + "\n";
  const hw::PanelFrame& f = *frame;
  namespace lg = hw::legend;
  std::string out;
  char line[256];
  std::string display;
  for (int d = 3; d >= 0; --d)
    display += DigitChar(f.panel.digits[static_cast<size_t>(d)], f.panel.hex);
  std::snprintf(line, sizeof line, "board %s  %s  display [%s]  brightness %d/15\n",
                b.value("mode", "?").c_str(), f.safe ? "SAFE STATE" : "running", display.c_str(),
                f.panel.brightness);
  out += line;
  out += "LEDs lit:     " + Named(f.safe ? 1u << lg::kLedSafe : f.panel.leds, lg::kLeds) + "\n";
  out += "relays on:    " + Named(f.safe ? 0u : f.relays, lg::kRelays) + "\n";
  out += "buttons held: " + Named(f.panel.buttons, lg::kButtons) + "\n";
  std::snprintf(line, sizeof line, "switch %s  pot %u  fans %u %u /255  meters %u %u /255\n",
                f.panel.sw ? "on" : "off", f.panel.pot, f.fans[0], f.fans[1], f.meters[0],
                f.meters[1]);
  out += line;
  std::snprintf(line, sizeof line, "cabinet %.1f C%s  power %s  alarms unacknowledged %lld\n",
                f.temp_c, f.over_temp ? " OVER TEMPERATURE" : "",
                f.power_fail ? "FAILED (on backup)" : "mains ok",
                static_cast<long long>(b.value("alarms_unacknowledged", 0)));
  out += line;
  if (b.contains("power") && b["power"].is_object()) {
    const auto& p = b["power"];
    const auto& ms = p.value("checkpoint_ms", nlohmann::json());
    std::snprintf(line, sizeof line, "checkpoint %s%s (hold-up budget %lld ms)\n",
                  p.value("checkpoint", "?").c_str(),
                  ms.is_number()
                      ? (", last took " + std::to_string(ms.get<long long>()) + " ms").c_str()
                      : "",
                  static_cast<long long>(p.value("holdup_ms", 0)));
    out += line;
  }
  return out;
}

void AddBoardCommands(CLI::App& app, BoardCmdArgs* a) {
  a->cmd = app.add_subcommand("board", "the core's control board: show the panel, press, flip");
  a->cmd->add_flag("--json", a->json,
                   "the server's JSON (GET /api/v1/board, or the POST's answer)");
  a->press = a->cmd->add_subcommand("press", "press a panel button (operator token)");
  a->press
      ->add_option("button", a->button,
                   "button 0..3 (0 acknowledges alarms; 3 held 3 s "
                   "stops the core)")
      ->required();
  a->press->add_option("--hold", a->hold_ms, "hold it this many ms before the release (0..10000)");
  a->sw = a->cmd->add_subcommand("switch", "flip the panel's toggle switch (operator token)");
  a->sw->add_option("state", a->on, "on or off")->required()->check(CLI::IsMember({"on", "off"}));
  a->pot = a->cmd->add_subcommand("pot", "turn the panel's potentiometer (operator token)");
  a->pot->add_option("value", a->value, "0..4095")->required();
  a->sim = a->cmd->add_subcommand(
      "sim", "simulated board only: the cabinet temperature and the UPS input (operator token)");
  a->sim->add_option("--temp", a->temp, "degrees C, or `model` to follow the thermal model");
  a->sim->add_option("--power", a->power, "fail or ok")->check(CLI::IsMember({"fail", "ok"}));
  // `board press 0 --json` as well as `board --json press 0`.
  for (CLI::App* c : {a->press, a->sw, a->pot, a->sim}) c->fallthrough();
}

bool BoardCommandSelected(const BoardCmdArgs& a) { return a.cmd && *a.cmd; }

int RunBoardCommand(CoreClient& core, const BoardCmdArgs& a) {
  if (*a.press) return Post(core, a, "press", {{"button", a.button}, {"hold_ms", a.hold_ms}});
  if (*a.sw) return Post(core, a, "switch", {{"on", a.on == "on"}});
  if (*a.pot) return Post(core, a, "pot", {{"value", a.value}});
  if (*a.sim) {
    nlohmann::json body = nlohmann::json::object();
    if (a.temp == "model") {
      body["temp_c"] = nullptr;
    } else if (!a.temp.empty()) {
      try {
        size_t used = 0;
        body["temp_c"] = std::stod(a.temp, &used);
        if (used != a.temp.size()) throw std::invalid_argument(a.temp);
      } catch (const std::exception&) {
        std::cerr << "ternctl board sim: --temp '" << a.temp << "' is not a number or `model`\n";
        return kExitError;
      }
    }
    if (!a.power.empty()) body["power_fail"] = a.power == "fail";
    if (body.empty()) {
      std::cerr << "ternctl board sim: nothing to change (give --temp or --power)\n";
      return kExitError;
    }
    return Post(core, a, "sim", body);
  }
  auto r = core.Get("/api/v1/board");
  if (!r.ok()) return Fail(r.status());
  std::cout << (a.json ? Dump(*r) + "\n" : BoardSummary(*r));
  return kExitOk;
}

}  // namespace tern::tools
