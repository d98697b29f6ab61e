// BoardEventWatch: see board_events.h.
#include "board_events.h"

#include <cmath>
#include <cstdlib>

#include "tern/common/hlc.h"
#include "tern/hw/panel_legend.h"

namespace tern::core {
namespace {
double Tenths(double v) { return std::round(v * 10) / 10; }
}  // namespace

BoardEventWatch::BoardEventWatch(Sink sink, std::function<uint64_t()> wall_ms)
    : sink_(std::move(sink)), wall_ms_(std::move(wall_ms)) {
  if (!wall_ms_) wall_ms_ = [] { return WallMs(); };
}

void BoardEventWatch::Emit(nlohmann::json e) {
  e["wall_ms"] = wall_ms_();
  sink_(e);
}

void BoardEventWatch::Panel(const hw::PanelEvent& e) {
  if (!sink_) return;
  for (unsigned b = 0; b < hw::legend::kButtons.size(); ++b) {
    for (bool pressed : {true, false}) {
      const unsigned changed = pressed ? e.pressed : e.released;
      if (!((changed >> b) & 1u)) continue;
      Emit({{"kind", "button"},
            {"button", b},
            {"label", hw::legend::kButtons[b]},
            {"pressed", pressed}});
    }
  }
  if (e.switch_changed) Emit({{"kind", "switch"}, {"on", e.switch_level}});
}

void BoardEventWatch::Pot(uint16_t value) {
  if (!sink_) return;
  if (!pot_) {
    pot_ = value;
    return;
  }
  if (std::abs(int{value} - int{*pot_}) < static_cast<int>(kPotStep)) return;
  pot_ = value;
  Emit({{"kind", "pot"}, {"value", value}});
}

void BoardEventWatch::Gpio(uint16_t edges, uint16_t levels) {
  if (!sink_) return;
  for (unsigned pin = 0; pin < 16; ++pin) {
    if (!((edges >> pin) & 1u)) continue;
    const bool level = (levels >> pin) & 1u;
    Emit(
        {{"kind", "gpio"}, {"pin", pin}, {"level", level}, {"edge", level ? "rising" : "falling"}});
  }
}

void BoardEventWatch::Temperature(double temp_c, uint64_t now_ms) {
  if (!sink_) return;
  const bool due =
      !temp_c_ || now_ms - temp_ms_ >= kTempEveryMs || std::abs(temp_c - *temp_c_) >= kTempStepC;
  if (!due) return;
  temp_c_ = temp_c;
  temp_ms_ = now_ms;
  Emit({{"kind", "temp"}, {"temp_c", Tenths(temp_c)}});
}

void BoardEventWatch::OverTemp(bool active, double temp_c, double limit_c, double clear_c) {
  if (!sink_) return;
  Emit({{"kind", "over_temp"},
        {"active", active},
        {"temp_c", Tenths(temp_c)},
        {"limit_c", limit_c},
        {"clear_c", clear_c}});
}

void BoardEventWatch::Power(bool failed) {
  if (!sink_) return;
  Emit({{"kind", failed ? "power_fail" : "power_back"}});
}

void BoardEventWatch::SafeStop(unsigned button, uint64_t held_ms) {
  if (!sink_) return;
  Emit({{"kind", "safe_stop"},
        {"button", button},
        {"label", button < hw::legend::kButtons.size() ? hw::legend::kButtons[button] : ""},
        {"held_ms", held_ms}});
}

void BoardEventWatch::AlarmAck(int64_t alarms) {
  if (!sink_) return;
  Emit({{"kind", "alarm_ack"}, {"alarms", alarms}});
}

}  // namespace tern::core
