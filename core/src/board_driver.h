// The seam between the core's board control (board_control.cpp: watchdog, panel, fans,
// relays, meters, cabinet and power over hw::RegisterBus) and what the board is. The
// control code is the same for every board; only this differs:
//   sim   the Verilated board inside the core (board_sim.cpp): its clock must be ticked, its
//         input pins can be driven (an operator's press over HTTP, the UPS input), and the
//         cabinet's air is a thermal model written into the board's TEMP input;
//   gpio  a real board on Linux GPIO lines (board_gpio.cpp, hw::GpiodBus): it runs on its
//         own clock, its TEMP register is fed by the cabinet's sensor, and its buttons,
//         switch and pot are physical, so a driver cannot move them.
// Thread-safety: a driver is used only from the board thread (and from Start before the
// thread runs).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "board_control.h"
#include "tern/common/status.h"
#include "tern/hw/panel_frame.h"
#include "tern/hw/register_bus.h"

namespace tern::core {

// The board's output pins as status.json's `board` shows them.
struct BoardPins {
  uint8_t leds = 0;
  uint8_t relays = 0;
  uint8_t fans = 0;
  std::optional<uint64_t> cycles;  // simulated board clocks so far; none on a real board
};

class BoardDriver {
 public:
  virtual ~BoardDriver() = default;
  // "sim" or "gpio": the snapshot's `mode`.
  virtual const char* mode() const = 0;
  virtual hw::RegisterBus* bus() = 0;
  // Whether Press/SetSwitch/SetPot/SimTemperature/SimPowerFail drive the board's inputs.
  virtual bool simulated() const = 0;

  // Once per board-loop turn, before the refresh. `beat`: the loop's 100 ms beat (the
  // simulation advances the board's clock by 10 ms; a real board runs on its own).
  virtual void Advance(bool beat) = 0;
  // Once per board-loop turn, after the refresh: the simulation lets go of buttons pressed
  // with a hold whose time is up. After, not before, so that a turn that comes late (a busy
  // machine stalled the loop) still sees the button held: the refresh measures the hold
  // (the safe stop needs 3 s), and a release applied first would cut a 3.5 s hold short.
  virtual void ReleaseDue() {}
  // Before TEMP is read, with the time since the last call, the processing load (0..1) and
  // fan 0's duty (0..1): the simulation steps its thermal model into the TEMP input; a real
  // board's TEMP comes from its sensor.
  virtual void FeedCabinet(std::chrono::steady_clock::duration dt, double load, double fan) = 0;
  // The output pins now. A real board's pins cannot be read back: they are what the
  // registers in `frame` and its safe state put on them.
  virtual BoardPins Pins(const hw::PanelFrame& frame) const = 0;

  // The operator's hand on the panel's input pins (simulated board only; a real board's
  // driver answers FailedPrecondition).
  [[nodiscard]] virtual Status Press(unsigned button, uint32_t hold_ms) = 0;
  [[nodiscard]] virtual Status SetSwitch(bool on) = 0;
  [[nodiscard]] virtual Status SetPot(uint16_t value) = 0;
  [[nodiscard]] virtual Status SimTemperature(std::optional<double> temp_c) = 0;
  [[nodiscard]] virtual Status SimPowerFail(bool failed) = 0;
};

// The Verilated board (FailedPrecondition in a build without it).
Result<std::unique_ptr<BoardDriver>> MakeSimBoardDriver(const BoardOptions& o);
// A real board on `o.gpio_chip` / `o.gpio_lines`: opens the chip and requests the lines;
// errors name the chip and the line.
Result<std::unique_ptr<BoardDriver>> MakeGpioBoardDriver(const BoardOptions& o);
// A real board (mode "gpio") on any bus: what MakeGpioBoardDriver makes over hw::GpiodBus,
// and what tests make over hw::testing::FakeBus.
std::unique_ptr<BoardDriver> MakeRealBoardDriver(std::unique_ptr<hw::RegisterBus> bus);

// BoardControl::Start with the driver given: probes the board (ID magic and register-map
// version), leaves the safe state and starts the board thread.
Result<std::unique_ptr<BoardControl>> StartBoardControl(const BoardOptions& o,
                                                        std::unique_ptr<BoardDriver> driver,
                                                        std::function<BoardView()> view,
                                                        Metrics* metrics, CabinetAlarmSink alarms,
                                                        BoardHooks hooks = {});

// board.gpio_half_bit: "0", or a whole number with ns, us or ms, at most 10 ms.
Result<std::chrono::nanoseconds> ParseGpioHalfBit(const std::string& text);

}  // namespace tern::core
