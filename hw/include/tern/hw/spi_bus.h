// The SPI-frame register bus shared by every bit-banging backend.
//
// Three layers, so GPIO lines, the Verilated model and the fake board run the same code:
//   SpiPins          four pins (SCLK, MOSI, CS out; MISO in) and a half-bit delay;
//   FrameTransport   clocks one 14-byte frame; BitBangTransport does it over SpiPins;
//   SpiRegisterBus   RegisterBus on a FrameTransport: encode, CRC, reply decode, the
//                    stuck-line check, the retry policy and the counters.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "tern/common/status.h"
#include "tern/hw/register_bus.h"
#include "tern/hw/spi_frame.h"

namespace tern::hw {

// Four SPI pins seen from the host. Levels are electrical (CS is active low: SetCs(false)
// selects the board). Implementations need not be thread-safe; BitBangTransport is only
// used under SpiRegisterBus's mutex.
class SpiPins {
 public:
  virtual ~SpiPins() = default;
  [[nodiscard]] virtual Status SetCs(bool level) = 0;
  [[nodiscard]] virtual Status SetSclk(bool level) = 0;
  [[nodiscard]] virtual Status SetMosi(bool level) = 0;
  // Current level of MISO.
  [[nodiscard]] virtual Result<bool> GetMiso() = 0;
  // Holds the current pin levels for half a bit period (sleep on hardware, clock ticks in
  // simulation).
  virtual void HalfBit() = 0;
  // Name of the MISO line for error messages, e.g. "MISO (gpiochip0 line 9)".
  virtual std::string MisoName() const = 0;
};

// Clocks one whole frame: 8 request bytes out, then 6 reply bytes in, CS low throughout.
class FrameTransport {
 public:
  virtual ~FrameTransport() = default;
  // Sends `req` and fills *reply with the six bytes clocked in during bytes 8..13. A non-OK
  // Status means the frame could not be clocked at all (a GPIO ioctl failed).
  [[nodiscard]] virtual Status Transfer(const spi::RequestFrame& req, spi::ReplyFrame* reply) = 0;
  // Name of the MISO line for stuck-line messages.
  virtual std::string MisoName() const = 0;
};

// SPI mode 0 over SpiPins: MOSI changes while SCLK is low and the board samples it on the
// rising edge; the host samples MISO just before raising SCLK. Each SCLK level lasts one
// HalfBit(). The board (fpga/rtl/tern_spi_slave.sv) shifts reply bit k out a few system clocks
// after the rising edge of bit 63+k and holds it through the next rising edge.
// Not thread-safe (see SpiPins).
class BitBangTransport final : public FrameTransport {
 public:
  // `pins` must outlive this object.
  explicit BitBangTransport(SpiPins* pins) : pins_(pins) {}
  Status Transfer(const spi::RequestFrame& req, spi::ReplyFrame* reply) override;
  std::string MisoName() const override { return pins_->MisoName(); }

 private:
  Status Clock(const spi::RequestFrame& req, spi::ReplyFrame* reply);
  SpiPins* pins_;
};

// When to send a frame again.
struct RetryPolicy {
  // Frames per access, first try included. Keep it at or below the board's K (consecutive
  // bad frames before the safe state; 3 by default) unless tripping it is acceptable.
  int max_attempts = 3;
};

// RegisterBus over a FrameTransport.
//   Read:  retried on a reply CRC error, bad status pattern, stuck status or a request the
//          board rejected (status[3]). Registers that pop (FIFO_DATA, kFlagPop) pop only on a
//          complete frame, so a rejected or aborted frame loses nothing and is resent; but a
//          completed frame whose *reply* was unreadable has popped, so it is not resent (that
//          would silently return the next entry) and the error says the entry is lost.
//   Write: retried only when the board said it applied nothing (status[3]). A corrupt or
//          stuck reply leaves it unknown whether the write applied, so it is not repeated
//          and the error says so.
// A stuck status (0x00/0xFF) ends as Status::Unavailable naming the MISO line; CRC and
// pattern errors as Corruption; a write the board did not apply as FailedPrecondition.
// Thread-safety: Read/Write are serialised by an internal mutex; counters() may be called
// from any thread.
class SpiRegisterBus : public RegisterBus {
 public:
  SpiRegisterBus(std::unique_ptr<FrameTransport> transport, RetryPolicy policy);
  ~SpiRegisterBus() override;

  Status Read(uint16_t addr, uint32_t* out) override;
  Status Write(uint16_t addr, uint32_t value) override;
  BusCounters counters() const override;
  BoardFlags last_flags() const override;

 protected:
  // Subclasses that must not run concurrently with a frame (e.g. a simulation that ticks the
  // model while waiting for the IRQ) hold this mutex.
  std::mutex& bus_mutex() const { return mu_; }

 private:
  // One access with retries; mu_ held.
  Status DoAccess(bool write, uint16_t addr, uint32_t wdata, uint32_t* rdata);

  std::unique_ptr<FrameTransport> transport_;
  RetryPolicy policy_;
  mutable std::mutex mu_;        // serialises frames
  mutable std::mutex stats_mu_;  // guards counters_ and flags_ (never held across a frame)
  BusCounters counters_;
  BoardFlags flags_;
};

}  // namespace tern::hw
