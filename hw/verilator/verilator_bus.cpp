// SimBoard and VerilatorBus: the only hw file that includes the Verilated model's headers.
#include "tern/hw/verilator_bus.h"

#include <algorithm>

#include "Vtern_board.h"
#include "verilated.h"

namespace tern::hw {

SimBoard::SimBoard() : SimBoard(Options{}) {}

SimBoard::SimBoard(Options options) : options_(options), ctx_(new VerilatedContext) {
  if (options_.sclk_high_clocks < 1) options_.sclk_high_clocks = 1;
  if (options_.sclk_low_clocks < 2) options_.sclk_low_clocks = 2;
  // An RTL assertion must fail a test, not exit() the process.
  ctx_->fatalOnError(false);
  ctx_->randReset(options_.rand_reset);
  if (options_.rand_reset != 0) {
    const std::string arg = "+verilator+seed+" + std::to_string(options_.seed);
    const char* argv[] = {"tern_sim_board", arg.c_str()};
    ctx_->commandArgs(2, argv);
  }
  top_.reset(new Vtern_board{ctx_.get(), "TOP"});
  top_->clk_i = 0;
  top_->spi_sclk_i = 0;
  top_->spi_cs_ni = 1;
  top_->spi_mosi_i = 0;
  top_->fault_ni = 1;
  top_->gpio_i = 0;
  top_->btn_i = 0;
  top_->switch_i = 0;
  top_->pot_i = 0;
  top_->temp_i = kTemp22C;
  top_->pwr_fail_ni = 1;
  Reset();
}

SimBoard::~SimBoard() {
  // Verilator 5.006 unregisters the model's scopes through the thread's *current* context,
  // which is the last model constructed or ticked on this thread, maybe a destroyed one.
  Verilated::threadContextp(ctx_.get());
  top_->final();
  top_.reset();
}

void SimBoard::Reset() {
  top_->rst_ni = 1;
  top_->eval();
  top_->rst_ni = 0;
  top_->eval();
  Tick(4);
  top_->rst_ni = 1;
  Tick(2);
}

void SimBoard::Tick(uint64_t n) {
  // $error and friends report to the thread's current context; make it this board's, so an
  // assertion is charged to the board that fired it when several boards share a thread.
  Verilated::threadContextp(ctx_.get());
  Vtern_board* top = top_.get();
  for (uint64_t i = 0; i < n; ++i) {
    // Settle inputs changed since the last edge at clk=0, then the rising edge
    // (design.md section 9: set inputs with an eval() before the clock edge).
    top->clk_i = 0;
    top->eval();
    top->clk_i = 1;
    top->eval();
  }
  // Time only matters to $time in messages; advance it in one step.
  ctx_->timeInc(2 * n);
  cycles_ += n;
}

bool SimBoard::assertion_failed() const { return ctx_->gotError(); }

void SimBoard::SetButtons(uint8_t mask) { top_->btn_i = mask & 0xF; }
void SimBoard::SetButton(unsigned button, bool pressed) {
  const uint8_t bit = static_cast<uint8_t>(1u << (button & 3));
  top_->btn_i = pressed ? (top_->btn_i | bit) : (top_->btn_i & ~bit & 0xF);
}
void SimBoard::SetSwitch(bool on) { top_->switch_i = on; }
void SimBoard::SetPot(uint16_t value) { top_->pot_i = value & 0xFFF; }
void SimBoard::SetFault(bool active) { top_->fault_ni = !active; }
void SimBoard::SetTemperature(uint16_t code) { top_->temp_i = code & 0xFFF; }
void SimBoard::SetPowerFail(bool failed) { top_->pwr_fail_ni = !failed; }
void SimBoard::SetGpioIn(uint16_t levels) { top_->gpio_i = levels; }

uint8_t SimBoard::pwm_hi() const { return top_->pwm_hi_o; }
uint8_t SimBoard::pwm_lo() const { return top_->pwm_lo_o; }
uint8_t SimBoard::relays() const { return top_->relay_o; }
uint8_t SimBoard::fans() const { return top_->fan_o; }
uint8_t SimBoard::meters() const { return top_->meter_o; }
uint8_t SimBoard::leds() const { return top_->led_o; }
uint8_t SimBoard::segments() const { return top_->seg_o; }
uint8_t SimBoard::digit_select() const { return top_->digit_o; }
uint16_t SimBoard::gpio_out() const { return top_->gpio_o; }
uint16_t SimBoard::gpio_oe() const { return top_->gpio_oe_o; }
bool SimBoard::irq_asserted() const { return top_->irq_no == 0; }

void SimBoard::SetSclk(bool v) {
  if (v && !sclk_ && !cs_) ++frame_bit_;
  sclk_ = v;
  top_->spi_sclk_i = v;
}
void SimBoard::SetCs(bool v) {
  if (!v && cs_) frame_bit_ = 0;
  if (v && !cs_ && mosi_fault_frames_ > 0) --mosi_fault_frames_;
  cs_ = v;
  top_->spi_cs_ni = v;
}
void SimBoard::SetMosi(bool v) {
  // MOSI is set while SCLK is low, before the rising edge of bit frame_bit_.
  if (mosi_fault_frames_ > 0 && !cs_ && frame_bit_ == mosi_fault_bit_) v = !v;
  top_->spi_mosi_i = v;
}
bool SimBoard::Miso() const { return miso_force_ ? *miso_force_ : top_->spi_miso_o != 0; }

namespace {

// SpiPins on the model: a pin change is picked up by the clk=0 eval of the next tick. A half
// bit lasts sclk_high_clocks while SCLK is high and sclk_low_clocks otherwise (CS setup and
// the gap between frames happen with SCLK low).
class SimPins final : public SpiPins {
 public:
  explicit SimPins(SimBoard* b)
      : b_(b),
        high_(static_cast<uint64_t>(b->options().sclk_high_clocks)),
        low_(static_cast<uint64_t>(b->options().sclk_low_clocks)) {}
  Status SetCs(bool v) override {
    b_->SetCs(v);
    return Status::Ok();
  }
  Status SetSclk(bool v) override {
    b_->SetSclk(v);
    sclk_ = v;
    return Status::Ok();
  }
  Status SetMosi(bool v) override {
    b_->SetMosi(v);
    return Status::Ok();
  }
  Result<bool> GetMiso() override { return b_->Miso(); }
  void HalfBit() override { b_->Tick(sclk_ ? high_ : low_); }
  std::string MisoName() const override { return "MISO (simulated board spi_miso_o)"; }

 private:
  SimBoard* b_;
  uint64_t high_, low_;
  bool sclk_ = false;
};

class SimTransport final : public FrameTransport {
 public:
  explicit SimTransport(SimBoard* b) : pins_(b), bitbang_(&pins_) {}
  Status Transfer(const spi::RequestFrame& req, spi::ReplyFrame* reply) override {
    return bitbang_.Transfer(req, reply);
  }
  std::string MisoName() const override { return pins_.MisoName(); }

 private:
  SimPins pins_;
  BitBangTransport bitbang_;
};

}  // namespace

VerilatorBus::VerilatorBus(SimBoard* board, RetryPolicy policy)
    : SpiRegisterBus(std::make_unique<SimTransport>(board), policy), board_(board) {}

VerilatorBus::~VerilatorBus() = default;

Result<bool> VerilatorBus::WaitIrq(std::chrono::nanoseconds timeout) {
  std::lock_guard<std::mutex> lock(bus_mutex());
  constexpr uint64_t kNsPerClock = 1'000'000'000ull / SimBoard::kClockHz;  // 20 ns
  const uint64_t limit = static_cast<uint64_t>(std::max<int64_t>(timeout.count(), 0)) / kNsPerClock;
  for (uint64_t i = 0; i <= limit; ++i) {
    if (board_->irq_asserted()) return true;
    board_->Tick(1);
  }
  return board_->irq_asserted();
}

std::string VerilatorBus::Describe() const {
  return "simulated board (Verilated tern_board, " +
         std::to_string(board_->options().sclk_high_clocks + board_->options().sclk_low_clocks) +
         " clocks per SPI bit)";
}

}  // namespace tern::hw
