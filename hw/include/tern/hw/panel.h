// Panel: the front panel. Four multiplexed 7-segment digits (raw segments or hex decode,
// brightness 0..15), eight LEDs, four debounced buttons, a toggle switch, a potentiometer,
// and button/switch events that the board pushes into the event FIFO.
// Thread-safety: holds only the bus pointer. SetBrightness()/SetHexMode() are
// read-modify-writes of DISP_CTRL, not atomic against other writers of it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tern/common/status.h"
#include "tern/hw/fifo.h"
#include "tern/hw/register_bus.h"

namespace tern::hw {

// A front-panel FIFO event (type kEventPanel), decoded.
struct PanelEvent {
  uint8_t pressed = 0;   // buttons newly pressed (bit n = button n)
  uint8_t released = 0;  // buttons newly released
  bool switch_changed = false;
  bool switch_level = false;
  uint8_t buttons = 0;  // buttons held after the change
  bool operator==(const PanelEvent&) const = default;
};

struct PanelState {
  std::array<uint8_t, 4> digits{};  // byte n of DISP_CTRL, digit 0 first
  bool hex = false;
  uint8_t brightness = 0;
  uint8_t leds = 0;
  uint8_t buttons = 0;  // debounced, bit n = button n pressed
  bool sw = false;
  uint16_t pot = 0;  // 12-bit ADC value
};

class Panel {
 public:
  static constexpr unsigned kDigits = 4;
  static constexpr unsigned kButtons = 4;

  // `bus` must outlive this object.
  explicit Panel(RegisterBus* bus) : bus_(bus) {}

  // Raw segments per digit (bit 0..6 = a..g, bit 7 = dp), digit 0 first.
  [[nodiscard]] Status SetDigits(const std::array<uint8_t, 4>& digits);
  // Shows `value` as four hex digits (digit 3 = most significant) in hex-decode mode.
  [[nodiscard]] Status ShowHex(uint16_t value);
  [[nodiscard]] Status SetHexMode(bool hex);
  // 0 (off) .. 15 (15/16 on).
  [[nodiscard]] Status SetBrightness(uint8_t level);
  [[nodiscard]] Status SetLeds(uint8_t mask);
  // Which changes become FIFO events.
  [[nodiscard]] Status EnableEvents(uint8_t press, uint8_t release, bool sw);
  // Display, LED and input state (five reads).
  [[nodiscard]] Result<PanelState> ReadState();
  // Debounced buttons and switch, and the pot (two reads).
  [[nodiscard]] Result<PanelState> ReadInputs();

  // Decodes a FIFO event; nullopt if it is not a panel event.
  static std::optional<PanelEvent> Decode(const FifoEvent& e);
  // Drains the FIFO, appending panel events to *out in order and other events to *other if
  // given. On an error both still hold every event popped before it.
  [[nodiscard]] Status TakeEvents(std::vector<PanelEvent>* out,
                                  std::vector<FifoEvent>* other = nullptr);

  // 7-segment pattern (a..g in bits 0..6) of a hex digit, as the board's hex mode draws it.
  static uint8_t SegmentsForHex(uint8_t nibble);

 private:
  RegisterBus* bus_;
};

}  // namespace tern::hw
