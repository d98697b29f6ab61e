// IoPorts: the 16 general-purpose pins. Direction and output levels are changed with masked
// writes (upper half mask, lower half data) so no read-modify-write crosses the slow link and
// two writers of different pins cannot undo each other. Inputs are synchronised and debounced
// on the board; edge events are per pin, rising and/or falling.
// Thread-safety: holds only the bus pointer; as thread-safe as the bus.
#pragma once

#include <cstdint>

#include "tern/common/status.h"
#include "tern/hw/register_bus.h"

namespace tern::hw {

class IoPorts {
 public:
  static constexpr unsigned kPins = 16;

  // `bus` must outlive this object.
  explicit IoPorts(RegisterBus* bus) : bus_(bus) {}

  // For pins in `mask`: bit set in `outputs` drives the pin, clear makes it an input.
  [[nodiscard]] Status SetDirection(uint16_t mask, uint16_t outputs);
  // For pins in `mask`: sets the output level from `levels`; other pins keep theirs.
  [[nodiscard]] Status Write(uint16_t mask, uint16_t levels);
  // Sets one pin's output level.
  [[nodiscard]] Status SetPin(unsigned pin, bool level);
  // Debounced input levels.
  [[nodiscard]] Result<uint16_t> ReadInputs();
  // Current output levels and enables (GPIO_OUT, GPIO_OE).
  [[nodiscard]] Result<uint16_t> Outputs();
  [[nodiscard]] Result<uint16_t> OutputEnables();
  // Which pins report rising and falling edges.
  [[nodiscard]] Status EnableEdges(uint16_t rising, uint16_t falling);
  // Returns the pins with an edge seen since the last call and clears exactly those (W1C),
  // so an edge arriving in between is kept for the next call.
  [[nodiscard]] Result<uint16_t> TakeEdges();

 private:
  RegisterBus* bus_;
};

}  // namespace tern::hw
