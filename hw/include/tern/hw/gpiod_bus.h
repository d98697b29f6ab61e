// GpiodBus: the control board over bit-banged SPI on Linux GPIO lines (libgpiod 1.6).
//
// Four lines carry SPI mode 0 (SCLK, MOSI, CS_n out; MISO in) and an optional fifth line is
// the board's active-low level IRQ. The frame layer is SpiRegisterBus, shared with the
// Verilator backend; only src/gpiod_bus.cpp touches libgpiod.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "tern/common/status.h"
#include "tern/hw/spi_bus.h"

namespace tern::hw {

// Which chip and lines the board hangs on.
struct GpiodConfig {
  std::string chip = "gpiochip0";  // name, /dev path, label or number (gpiod_chip_open_lookup)
  unsigned sclk = 0;
  unsigned mosi = 0;
  unsigned miso = 0;
  unsigned cs = 0;
  std::optional<unsigned> irq;  // active-low IRQ input; none means WaitIrq is Unavailable
  // Extra hold time per half bit; zero runs as fast as libgpiod toggles (tens to hundreds of
  // kHz, far below the board's oversampling limit).
  std::chrono::nanoseconds half_bit{0};
  std::string consumer = "tern-board";
  RetryPolicy retry;
};

// Parses "sclk=17,mosi=27,miso=22,cs=23[,irq=24]" into the line offsets of *config.
// All four SPI lines are required; the offsets must be distinct.
[[nodiscard]] Status ParseGpiodLines(const std::string& spec, GpiodConfig* config);

// Thread-safety: Read/Write are serialised (SpiRegisterBus); WaitIrq uses only the IRQ line
// and may run in another thread concurrently with register accesses, but not concurrently
// with another WaitIrq.
class GpiodBus final : public SpiRegisterBus {
 public:
  // Opens the chip and requests the lines (outputs idle: CS high, SCLK low, MOSI low).
  // Errors name the chip and the line that could not be requested. Unavailable when the
  // build has no libgpiod (TERN_WITH_GPIOD=OFF).
  [[nodiscard]] static Result<std::unique_ptr<GpiodBus>> Open(const GpiodConfig& config);
  ~GpiodBus() override;

  // Waits for the IRQ line to be low (asserted): returns at once if it already is, else waits
  // for a falling edge.
  Result<bool> WaitIrq(std::chrono::nanoseconds timeout) override;
  std::string Describe() const override;

  class Lines;  // libgpiod handles; defined in gpiod_bus.cpp

 private:
  GpiodBus(std::unique_ptr<FrameTransport> transport, Lines* lines, GpiodConfig config);
  Lines* lines_;  // owned through the transport
  GpiodConfig config_;
};

}  // namespace tern::hw
