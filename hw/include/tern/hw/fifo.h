// Fifo: the board's event buffer (16 entries, sticky overflow, threshold interrupt). Panel
// changes and host pushes become events; a read of FIFO_DATA pops only when the frame
// completes, so an aborted SPI frame loses nothing.
// Thread-safety: holds only the bus pointer; as thread-safe as the bus, but concurrent Pop()
// callers each get different events.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "tern/common/status.h"
#include "tern/hw/board_regs.h"
#include "tern/hw/register_bus.h"

namespace tern::hw {

struct FifoEvent {
  uint8_t type = 0;  // FIFO_DATA.type: kEventPanel, kEventHost
  uint16_t payload = 0;
  bool operator==(const FifoEvent&) const = default;
};
// Event type codes, from the events section of the register map.
inline constexpr uint8_t kEventPanel = regs::events::kPanel;
inline constexpr uint8_t kEventHost = regs::events::kHost;

struct FifoStatus {
  unsigned depth = 0;
  bool empty = true;
  bool full = false;
};

class Fifo {
 public:
  // `bus` must outlive this object.
  explicit Fifo(RegisterBus* bus) : bus_(bus) {}

  [[nodiscard]] Result<FifoStatus> ReadStatus();
  // Pops one event; nullopt if the FIFO is empty (nothing popped).
  [[nodiscard]] Result<std::optional<FifoEvent>> Pop();
  // Pops until empty or `max` events, appending to *out as they arrive, so on an error *out
  // still holds every event popped before it.
  [[nodiscard]] Status Drain(std::vector<FifoEvent>* out, size_t max = 16);
  // Host push of a kEventHost event.
  [[nodiscard]] Status Push(uint16_t payload);
  // Drops every entry.
  [[nodiscard]] Status Clear();
  // INTR_STATE.fifo_thresh is set while depth >= `thresh` (0..16; 0 = never).
  [[nodiscard]] Status SetThreshold(unsigned thresh);
  // Whether a push was dropped since the last ClearOverflow().
  [[nodiscard]] Result<bool> Overflowed();
  [[nodiscard]] Status ClearOverflow();

 private:
  RegisterBus* bus_;
};

}  // namespace tern::hw
