// SimBoard and VerilatorBus: the Verilated control board (fpga/, class Vtern_board) and the
// register bus that reaches it through its SPI pins with the same bit-banging code as GpiodBus.
//
// SimBoard owns the model, its clock and reset, and the board-side I/O a test or the board
// tool plays with (buttons, switch, pot, fault input, GPIO inputs; PWM gates, relays, fans,
// display, LEDs, GPIO outputs). Simulated time only advances when something ticks it: a bus
// access (~456 clocks), WaitIrq, or an explicit Tick().
// Built into the CMake target tern_hw_verilator (links tern_fpga_board[_fast]).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "tern/hw/spi_bus.h"

class Vtern_board;
class VerilatedContext;

namespace tern::hw {

// The whole Verilated board. Thread-safety: none; drive a SimBoard (and the VerilatorBus on it)
// from one thread at a time.
class SimBoard {
 public:
  struct Options {
    // System clocks SCLK is held high and low per bit. Real hardware needs >= 2 each; the
    // Verilated model also accepts 1 high + 2 low (fpga/README.md, contract note 3), which
    // makes an access 344 clocks instead of 456.
    int sclk_high_clocks = 1;
    int sclk_low_clocks = 2;
    // 0: flops start at zero; 2: random initial values (+verilator+rand+reset+2) with `seed`.
    int rand_reset = 0;
    uint64_t seed = 1;
  };
  static constexpr uint64_t kClockHz = 50'000'000;  // nominal; all board timing is in clocks

  SimBoard();
  explicit SimBoard(Options options);
  ~SimBoard();
  SimBoard(const SimBoard&) = delete;
  SimBoard& operator=(const SimBoard&) = delete;

  // Holds reset for a few clocks with all inputs idle. The constructor already did this.
  void Reset();
  // Advances `n` system clocks (inputs settle at clk=0, then the rising edge).
  void Tick(uint64_t n = 1);
  uint64_t cycles() const { return cycles_; }
  const Options& options() const { return options_; }

  // True once an RTL assertion failed ($error); the model keeps running.
  bool assertion_failed() const;

  // ---- board inputs ----
  void SetButtons(uint8_t pressed_mask);  // bit n = button n held down
  void SetButton(unsigned button, bool pressed);
  void SetSwitch(bool on);
  void SetPot(uint16_t value);  // 12 bits
  void SetFault(bool active);   // drives fault_ni low while active
  // Cabinet sensor code (TEMP: (degrees C + 40) x 16, 12 bits); 22 C after construction.
  void SetTemperature(uint16_t code);
  static constexpr uint16_t kTemp22C = (22 + 40) * 16;
  void SetPowerFail(bool failed);  // drives pwr_fail_ni low while the supply has failed
  void SetGpioIn(uint16_t levels);

  // ---- board outputs ----
  uint8_t pwm_hi() const;
  uint8_t pwm_lo() const;
  uint8_t relays() const;
  uint8_t fans() const;
  uint8_t meters() const;  // meter_o, bit n = meter n's PWM
  uint8_t leds() const;
  uint8_t segments() const;      // {dp,g,f,e,d,c,b,a}, active high
  uint8_t digit_select() const;  // one-hot
  uint16_t gpio_out() const;
  uint16_t gpio_oe() const;
  bool irq_asserted() const;  // irq_no low

  // ---- SPI pins (used by VerilatorBus) ----
  void SetSclk(bool v);
  void SetCs(bool v);
  void SetMosi(bool v);
  bool Miso() const;
  // Host-side fault injection: MISO reads this level whatever the board drives.
  void ForceMiso(std::optional<bool> level) { miso_force_ = level; }
  // Host-side fault injection: inverts MOSI at frame bit `bit` (0..63 is the request) in each
  // of the next `frames` frames, as a glitch on the wire would.
  void CorruptMosi(int frames, int bit) {
    mosi_fault_frames_ = frames;
    mosi_fault_bit_ = bit;
  }

  // The model itself, for what the accessors above do not cover (include "Vtern_board.h").
  Vtern_board& model() { return *top_; }

 private:
  Options options_;
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Vtern_board> top_;
  uint64_t cycles_ = 0;
  std::optional<bool> miso_force_;
  int mosi_fault_frames_ = 0;
  int mosi_fault_bit_ = 0;
  int frame_bit_ = 0;  // rising SCLK edges since CS fell
  bool sclk_ = false, cs_ = true;
};

// RegisterBus on a SimBoard's SPI pins. Each access clocks a full 112-bit frame through the
// model. Thread-safety: Read/Write/WaitIrq are serialised by the bus mutex, but the SimBoard
// must not be ticked from another thread meanwhile.
class VerilatorBus final : public SpiRegisterBus {
 public:
  // `board` must outlive the bus.
  explicit VerilatorBus(SimBoard* board, RetryPolicy policy = {});
  ~VerilatorBus() override;

  // Ticks the board until irq_no is low or `timeout` of simulated time (at 50 MHz) passed.
  Result<bool> WaitIrq(std::chrono::nanoseconds timeout) override;
  std::string Describe() const override;

  SimBoard& board() { return *board_; }

 private:
  SimBoard* board_;
};

}  // namespace tern::hw
