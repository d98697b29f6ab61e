// board.mode = sim: the Verilated control board inside the core (board_driver.h). What only a
// simulation has lives here: the model's clock (10 ms of board time per 100 ms beat of the
// board loop, and 10 ms after each input so it passes the debounce filter), the input pins
// an operator's press over HTTP drives, and the cabinet's thermal model feeding TEMP.
// Thread-safety: board thread only (board_driver.h).
#include <chrono>

#include "board_driver.h"

#ifdef TERN_CORE_HAVE_BOARD
#include <array>

#include "tern/hw/cabinet.h"
#include "tern/hw/thermal_model.h"
#include "tern/hw/verilator_bus.h"
#endif

namespace tern::core {

#ifdef TERN_CORE_HAVE_BOARD
namespace {

// Board time an operator's press is held (and then released) for: past the debounce filter
// (DEBOUNCE_CFG 4 ticks of 1 ms) with room to spare.
constexpr uint64_t kPressClocks = hw::SimBoard::kClockHz / 100;  // 10 ms

hw::ThermalModel::Options ThermalOptions(const BoardOptions& o) {
  hw::ThermalModel::Options t;
  t.ambient_c = o.sim_ambient_c;
  t.tau = std::chrono::milliseconds(o.sim_thermal_tau_ms);
  return t;
}

class SimBoardDriver final : public BoardDriver {
 public:
  explicit SimBoardDriver(const BoardOptions& o) : thermal_(ThermalOptions(o)), bus_(&board_) {
    board_.SetTemperature(hw::Cabinet::CodeOf(thermal_.temperature_c()));
  }

  const char* mode() const override { return "sim"; }
  hw::RegisterBus* bus() override { return &bus_; }
  bool simulated() const override { return true; }

  void ReleaseDue() override {
    const auto now = std::chrono::steady_clock::now();
    for (unsigned b = 0; b < release_at_.size(); ++b) {
      if (release_at_[b] && now >= *release_at_[b]) {
        board_.SetButton(b, false);
        release_at_[b].reset();
      }
    }
  }

  void Advance(bool beat) override {
    // 10 ms of board time per 100 ms of ours: enough for debouncing and scanning, cheap.
    if (beat) board_.Tick(hw::SimBoard::kClockHz / 100);
  }

  // Load: the processing backlog; cooling: fan 0's duty. An operator's test reading
  // (POST /api/v1/board/sim {"temp_c":...}) replaces the model's until cleared.
  void FeedCabinet(std::chrono::steady_clock::duration dt, double load, double fan) override {
    thermal_.Step(dt, load, fan);
    board_.SetTemperature(hw::Cabinet::CodeOf(temp_override_.value_or(thermal_.temperature_c())));
  }

  BoardPins Pins(const hw::PanelFrame&) const override {
    return {board_.leds(), board_.relays(), board_.fans(), board_.cycles()};
  }

  Status Press(unsigned button, uint32_t hold_ms) override {
    board_.SetButton(button, true);
    board_.Tick(kPressClocks);
    if (hold_ms == 0) {
      board_.SetButton(button, false);
      board_.Tick(kPressClocks);
    } else {
      release_at_[button] = std::chrono::steady_clock::now() + std::chrono::milliseconds(hold_ms);
    }
    return Status::Ok();
  }
  Status SetSwitch(bool on) override {
    board_.SetSwitch(on);
    board_.Tick(kPressClocks);
    return Status::Ok();
  }
  Status SetPot(uint16_t value) override {
    board_.SetPot(value);
    board_.Tick(kPressClocks);
    return Status::Ok();
  }
  Status SimTemperature(std::optional<double> temp_c) override {
    temp_override_ = temp_c;
    return Status::Ok();
  }
  Status SimPowerFail(bool failed) override {
    board_.SetPowerFail(failed);
    board_.Tick(kPressClocks);  // past the input's debounce filter
    return Status::Ok();
  }

 private:
  hw::ThermalModel thermal_;
  std::optional<double> temp_override_;  // POST /api/v1/board/sim {"temp_c":...}
  hw::SimBoard board_;
  hw::VerilatorBus bus_;
  std::array<std::optional<std::chrono::steady_clock::time_point>, 4> release_at_;
};

}  // namespace

Result<std::unique_ptr<BoardDriver>> MakeSimBoardDriver(const BoardOptions& o) {
  return std::unique_ptr<BoardDriver>(new SimBoardDriver(o));
}

#else

Result<std::unique_ptr<BoardDriver>> MakeSimBoardDriver(const BoardOptions&) {
  return Status::FailedPrecondition("config key 'board.mode': this build has no simulated board");
}

#endif

}  // namespace tern::core
