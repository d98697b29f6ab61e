// board.mode = gpio: a real control board on Linux GPIO lines (board_driver.h), over
// hw::GpiodBus, the bit-banged SPI link tern-board --chip uses. Nothing is simulated: the
// board keeps its own time, its TEMP register is fed by the cabinet's sensor, and its
// buttons, switch and pot are physical, so the operator inputs that would drive them answer
// FailedPrecondition (HTTP 409) saying so. Its pins cannot be read back, so the snapshot's
// `leds`, `relays` and `fans` are what its registers and safe state put on them.
// Thread-safety: board thread only (board_driver.h).
#include <cctype>
#include <string>

#include "board_driver.h"
#include "tern/hw/gpiod_bus.h"

namespace tern::core {

namespace {

class RealBoardDriver final : public BoardDriver {
 public:
  explicit RealBoardDriver(std::unique_ptr<hw::RegisterBus> bus) : bus_(std::move(bus)) {}

  const char* mode() const override { return "gpio"; }
  hw::RegisterBus* bus() override { return bus_.get(); }
  bool simulated() const override { return false; }
  void Advance(bool) override {}
  void FeedCabinet(std::chrono::steady_clock::duration, double, double) override {}

  // As the board drives them (fpga/README.md, "Ports"): in the safe state only LED 7 (SAFE),
  // relays off, fans full; else the registers, a fan counted as on while its duty is above 0.
  BoardPins Pins(const hw::PanelFrame& f) const override {
    if (f.safe) return {0x80, 0, 0x03, std::nullopt};
    const uint8_t fans = static_cast<uint8_t>((f.fans[0] ? 1u : 0u) | (f.fans[1] ? 2u : 0u));
    return {f.panel.leds, f.relays, fans, std::nullopt};
  }

  Status Press(unsigned button, uint32_t) override {
    return Physical("button " + std::to_string(button) +
                    " is a real button at the cabinet (over the API only button 0, the "
                    "acknowledgement, without hold_ms, is taken, in software)");
  }
  Status SetSwitch(bool) override { return Physical("the switch is a real switch at the cabinet"); }
  Status SetPot(uint16_t) override { return Physical("the pot is a real knob at the cabinet"); }
  Status SimTemperature(std::optional<double>) override {
    return Physical("the cabinet temperature comes from the board's sensor (TEMP)");
  }
  Status SimPowerFail(bool) override {
    return Physical("the power-fail input is wired to the UPS");
  }

 private:
  static Status Physical(const std::string& what) {
    return Status::FailedPrecondition("board.mode is gpio (a real board): " + what);
  }

  std::unique_ptr<hw::RegisterBus> bus_;
};

}  // namespace

std::unique_ptr<BoardDriver> MakeRealBoardDriver(std::unique_ptr<hw::RegisterBus> bus) {
  return std::make_unique<RealBoardDriver>(std::move(bus));
}

Result<std::unique_ptr<BoardDriver>> MakeGpioBoardDriver(const BoardOptions& o) {
  hw::GpiodConfig c;
  c.chip = o.gpio_chip;
  if (Status s = hw::ParseGpiodLines(o.gpio_lines, &c); !s.ok()) {
    return Status::InvalidArgument("config key 'board.gpio_lines': " + s.message());
  }
  c.half_bit = o.gpio_half_bit;
  c.consumer = "tern-core";
  TERN_ASSIGN_OR_RETURN(std::unique_ptr<hw::GpiodBus> bus, hw::GpiodBus::Open(c));
  return MakeRealBoardDriver(std::move(bus));
}

Result<std::chrono::nanoseconds> ParseGpioHalfBit(const std::string& text) {
  const auto bad = [&] {
    return Status::InvalidArgument("'" + text +
                                   "' is not a half-bit time (0, or e.g. 500ns, 10us, 1ms; at "
                                   "most 10ms)");
  };
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0 || digits > 9) return bad();
  const int64_t n = std::stoll(text.substr(0, digits));
  const std::string unit = text.substr(digits);
  int64_t ns = 0;
  if (unit == "ns" || (unit.empty() && n == 0)) {
    ns = n;
  } else if (unit == "us") {
    ns = n * 1000;
  } else if (unit == "ms") {
    ns = n * 1000000;
  } else {
    return bad();
  }
  if (ns > 10'000'000) return bad();
  return std::chrono::nanoseconds(ns);
}

}  // namespace tern::core
