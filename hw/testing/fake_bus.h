// FakeBus: a RegisterBus for unit tests that speaks the real SPI frame format to a fake board.
//
// Drivers under test go through the real SpiRegisterBus (encode, CRC, retry policy,
// counters); the FrameTransport underneath is a fake board that decodes each request frame,
// applies it to a register-value map, records it, and builds a reply with the real CRC. Faults
// are injected at the frame level (a corrupted request, flipped reply bits, MISO stuck low or
// high, a transport error), so the tests exercise the same decode path as the hardware.
// The log records what the board applied: one entry per completed read and per applied write,
// in order, so a driver test can assert the exact register traffic.
// Thread-safety: not thread-safe; configure it and run the driver from one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tern/hw/spi_bus.h"

namespace tern::hw::testing {

// One register access as applied by the fake board.
struct Access {
  enum class Kind { kRead, kWrite };
  Kind kind;
  uint16_t addr;
  uint32_t value;  // value read or written
  bool operator==(const Access&) const = default;
  // "R PWM0_DUTY (0x0040) -> 0x00000080" / "W ... <- ...", for test failure output.
  std::string ToString() const;
};
inline Access R(uint16_t addr, uint32_t value) { return {Access::Kind::kRead, addr, value}; }
inline Access W(uint16_t addr, uint32_t value) { return {Access::Kind::kWrite, addr, value}; }
// Whole log as one string per line, so doctest prints both sides of a failed comparison.
std::string ToString(const std::vector<Access>& log);

// A fault applied to one frame.
struct Fault {
  enum class Kind {
    kTransportError,  // the frame cannot be clocked (GPIO ioctl failure); nothing applied
    kCorruptRequest,  // the board sees a bad request CRC: status[3], nothing applied
    kFlipReply,       // the request applies; `mask` is XORed into reply byte `byte`
    kStuckLow,        // the request applies; MISO reads 0 for the whole reply
    kStuckHigh,       // the request applies; MISO reads 1 for the whole reply
  };
  Kind kind;
  int byte = 0;      // kFlipReply: reply byte 0..5 (0 = status, 5 = CRC)
  uint8_t mask = 0;  // kFlipReply: bits to flip
};

class FakeBoard;

class FakeBus final : public SpiRegisterBus {
 public:
  explicit FakeBus(RetryPolicy policy = {});
  ~FakeBus() override;

  // Register-value map. Reads of addresses never set return 0; writes store the value
  // unless a write hook is installed for the address.
  void Set(uint16_t addr, uint32_t value);
  uint32_t Get(uint16_t addr) const;

  // Hooks replace the map for one address: a read hook supplies the value (e.g. pops a
  // queue), a write hook receives the value (e.g. W1C semantics).
  void OnRead(uint16_t addr, std::function<uint32_t()> hook);
  void OnWrite(uint16_t addr, std::function<void(uint32_t)> hook);

  // Makes the board report a write to `addr` as not applied (a read-only register).
  void SetReadOnly(uint16_t addr);

  // Applies `fault` to frame number `frame_index` (0-based, counted over the bus's lifetime:
  // counters().frames is the index of the next frame).
  void InjectFault(uint64_t frame_index, Fault fault);
  // Applies `fault` to the next `count` frames.
  void InjectNext(Fault fault, int count = 1);
  // A persistent stuck MISO (nullopt clears it).
  void SetStuckMiso(std::optional<bool> level);

  // Status-byte flags the board reports, and the IRQ line level WaitIrq() returns.
  void SetSafeState(bool on);
  void SetIrq(bool asserted);

  // Accesses the board applied, in order.
  const std::vector<Access>& log() const;
  void ClearLog();

  // Returns the IRQ level immediately (a fake has no time to wait through).
  Result<bool> WaitIrq(std::chrono::nanoseconds timeout) override;
  std::string Describe() const override { return "fake board"; }

 private:
  FakeBus(FakeBoard* board, RetryPolicy policy);
  FakeBoard* board_;  // owned by the base class's transport pointer
};

}  // namespace tern::hw::testing
