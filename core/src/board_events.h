// BoardEventWatch: turns what the core's board loop sees into cabinet events, the records
// of the `board` source (board_recorder.h). Each event is a JSON object with `kind`,
// `wall_ms` (the core's wall clock when the board loop saw it) and the kind's fields:
//   button      button (0..3), label (hw/include/tern/hw/panel_legend.h), pressed (bool)
//   switch      on (bool)
//   pot         value (0..4095): reported when it moved kPotStep or more from the last report
//   gpio        pin (0..15), level (bool, read after the edge), edge ("rising"/"falling")
//   temp        temp_c: the first reading, then every kTempEveryMs or on a change of
//               kTempStepC or more from the last sample
//   over_temp   active (bool), temp_c, limit_c, clear_c: the board's flag raised / cleared
//   power_fail  (no fields): the UPS reports mains failure, the core runs on backup
//   power_back  (no fields): mains power is back
//   safe_stop   button, label, held_ms: the safe-stop button was held long enough
//   alarm_ack   alarms: the operator acknowledged every alarm so far at the panel
// The watch keeps only what the thresholds need (last pot report, last temperature sample);
// the board loop calls it where it already notices each change.
// Thread-safety: not thread-safe; the board thread owns it. The sink is called on that
// thread and must not block (BoardRecorder::Offer does not).
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>

#include "tern/hw/panel.h"

namespace tern::core {

class BoardEventWatch {
 public:
  using Sink = std::function<void(const nlohmann::json& event)>;
  static constexpr unsigned kPotStep = 256;        // of 4095
  static constexpr uint64_t kTempEveryMs = 60000;  // a temperature sample at least this often
  static constexpr double kTempStepC = 1.0;        // ... or on a change this big

  // `sink` may be empty (events are then not made at all); `wall_ms` stamps them.
  explicit BoardEventWatch(Sink sink, std::function<uint64_t()> wall_ms = nullptr);

  // A panel FIFO event: one `button` event per button pressed or released (lowest first),
  // then `switch` if it changed.
  void Panel(const hw::PanelEvent& e);
  // The pot as read this refresh; the first reading is the baseline, not an event.
  void Pot(uint16_t value);
  // GPIO_INTR_STATE's edges taken this refresh and the input levels read after them.
  void Gpio(uint16_t edges, uint16_t levels);
  // The cabinet temperature read this refresh; `now_ms` a monotonic clock.
  void Temperature(double temp_c, uint64_t now_ms);
  void OverTemp(bool active, double temp_c, double limit_c, double clear_c);
  void Power(bool failed);
  void SafeStop(unsigned button, uint64_t held_ms);
  void AlarmAck(int64_t alarms);

 private:
  void Emit(nlohmann::json e);

  Sink sink_;
  std::function<uint64_t()> wall_ms_;
  std::optional<uint16_t> pot_;   // the pot's last reported value (or baseline)
  std::optional<double> temp_c_;  // the last temperature sample
  uint64_t temp_ms_ = 0;          // when it was taken (monotonic)
};

}  // namespace tern::core
