// The core's hand on the control board: it keeps the watchdog fed, shows the site's state
// on the front panel (alarm count on the display; LEDs for live edges, an unacknowledged
// alarm and the core's link), runs the cabinet fans by the processing backlog, energises
// relay 0 while an edge is down and relay 1 while an alarm is unacknowledged, and takes
// button 0 on the panel as the operator's acknowledgement. If the core hangs, the board's
// watchdog puts every output in its safe state by itself.
// The cabinet: the board's TEMP input (a sensor on a real board; in simulation fed by
// hw::ThermalModel, which warms with the processing backlog and cools with fan 0's duty)
// drives fan 0 through a FanCurve (the higher of the curve's duty and the backlog's); the
// board's over-temperature flag (TEMP_LIMIT from board.over_temp_c / board.over_temp_clear_c)
// lights LED 5, is counted, logged and published as a cabinet alarm. Meter 0 shows the ingest
// rate (chunks taken from uplinks per second, full scale board.meter_ingest_full), meter 1
// the stores' fill.
// Backup power: the UPS's power-fail input raises the board's power interrupt; the board
// loop sees it within one refresh, energises relay 2 (backup-power transfer), lights LED 5,
// shows "PFAL" on the display and tells the core (BoardHooks::power) on every change. Button
// 3 held for 3 s asks for the core's orderly stop (BoardHooks::safe_stop).
// The operator's inputs (HTTP: press, switch, pot; sim-only: temperature, power fail) are run
// on the board thread, so a press goes through the board's debounce filter and event FIFO
// exactly as one at the panel does.
// One control loop (board_control.cpp) drives every kind of board over hw::RegisterBus; what
// differs is behind BoardDriver (board_driver.h): board.mode = sim, the Verilated board inside
// this process (board_sim.cpp), or gpio, a real board on GPIO lines (board_gpio.cpp), whose
// physical inputs cannot be driven: there only button 0 is taken over the API (the
// acknowledgement, done in software exactly as a press at the panel), the rest answer
// FailedPrecondition.
// Each change the loop notices (a button, the switch, the pot, a GPIO input edge, the
// temperature, over temperature, power, safe stop, an acknowledgement) is also handed to
// BoardHooks::event as a cabinet event (board_events.h), the records of the `board` source.
// Thread-safety: Start/Stop from one thread; Snapshot and the operator inputs from any (they
// queue work for the board thread and wait for it).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "tern/common/metrics.h"
#include "tern/common/status.h"

namespace tern::core {

// What the panel shows, read from the core on every refresh.
struct BoardView {
  int64_t alarms = 0;            // alarm results so far
  uint8_t live_edges = 0;        // bit n: the n-th registered edge is live
  bool edge_down = false;        // some registered edge is dead or offline
  uint64_t queued = 0;           // chunks waiting for processing
  bool connected = false;        // the core's own link to the gateway
  int64_t uplinks = 0;           // chunks taken from uplinks so far (the counter)
  int store_fill_permille = -1;  // the live stores' used / capacity; -1: unknown
};

struct BoardOptions {
  std::string mode = "off";                   // board.mode: off, sim, gpio
  double over_temp_c = 70.0;                  // board.over_temp_c
  double over_temp_clear_c = 60.0;            // board.over_temp_clear_c
  double sim_ambient_c = 22.0;                // board.sim_ambient_c: the simulated machine room
  uint64_t sim_thermal_tau_ms = 60000;        // board.sim_thermal_tau: the cabinet's time constant
  double meter_ingest_full = 50.0;            // board.meter_ingest_full: chunks/s at full scale
  std::string gpio_chip = "gpiochip0";        // board.gpio_chip
  std::string gpio_lines;                     // board.gpio_lines: sclk=N,mosi=N,miso=N,cs=N[,irq=N]
  std::chrono::nanoseconds gpio_half_bit{0};  // board.gpio_half_bit
};

// What the board tells the core, called from the board thread.
struct BoardHooks {
  // The UPS's power-fail input changed (true: mains failed, the board runs on backup).
  std::function<void(bool failed)> power;
  // Button 3 was held for hw::legend::kShutdownHoldMs: the operator asks for an orderly stop.
  std::function<void()> safe_stop;
  // The core's backup-power state (PowerFailPolicy::Json), put in Snapshot() as "power".
  std::function<nlohmann::json()> power_status;
  // A cabinet event, called from the board thread: JSON {"kind": "...", ...fields}.
  std::function<void(const nlohmann::json& event)> event;
};

// A cabinet alarm as published: JSON {"v":1,"type":"cabinet_alarm","kind":"over_temp",
// "active":bool,"temp_c":number,"wall_ms":int}; `publish` gets it for x/alarms/core/cabinet.
using CabinetAlarmSink = std::function<void(const std::string& payload)>;

class BoardControl {
 public:
  // Starts the board thread for `o.mode` ("sim" or "gpio"); fails, naming the chip or line,
  // if the board does not answer (no such chip, a line busy, a wrong ID register), or if
  // this build has no simulated board. `alarms` is called from the board thread.
  static Result<std::unique_ptr<BoardControl>> Start(const BoardOptions& o,
                                                     std::function<BoardView()> view,
                                                     Metrics* metrics, CabinetAlarmSink alarms,
                                                     BoardHooks hooks = {});
  virtual ~BoardControl() = default;
  virtual void Stop() = 0;
  // Outputs as the board's pins show them, the last panel input, and `frame`: the whole
  // panel as hw::PanelFrameToJson gives it (read from the registers on the last refresh).
  virtual nlohmann::json Snapshot() const = 0;

  // The operator's hand on the panel. Each waits (up to 5 s) for the board thread to apply
  // it; Unavailable if it did not, or the board is stopping.
  // Presses button 0..3 past the debounce filter; `hold_ms` > 0 keeps it held that long
  // (wall time, released by the board thread) before the release. On a real board only
  // button 0 without `hold_ms` (the acknowledgement, in software); FailedPrecondition for
  // the rest and for SetSwitch/SetPot, whose inputs are physical.
  [[nodiscard]] virtual Status Press(unsigned button, uint32_t hold_ms) = 0;
  [[nodiscard]] virtual Status SetSwitch(bool on) = 0;
  [[nodiscard]] virtual Status SetPot(uint16_t value) = 0;  // 0..4095
  // Simulated board only (FailedPrecondition on a real one): the cabinet sensor's reading
  // (nullopt: back to the thermal model) and the UPS's power-fail input.
  [[nodiscard]] virtual Status SimTemperature(std::optional<double> temp_c) = 0;
  [[nodiscard]] virtual Status SimPowerFail(bool failed) = 0;
};

}  // namespace tern::core
