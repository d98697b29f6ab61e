// Test harness for the Verilated tern_board: clocking, reset, a small SPI bit-bang master
// that drives the model's pins, host-side reply decoding and safe-state helpers.
// Inputs are always set before the clock edge and settled with an eval() at clk=0.
#pragma once

#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "Vtern_board.h"
#include "tern/hw/board_regs.h"
#include "verilated.h"

namespace tern::fpga::test {

namespace regs = tern::hw::regs;
namespace link = tern::hw::regs::link;

using Request = std::array<std::uint8_t, 8>;
using ReplyBytes = std::array<std::uint8_t, 6>;

inline Request make_request(std::uint8_t cmd, std::uint16_t addr, std::uint32_t data) {
  Request r{cmd,
            static_cast<std::uint8_t>(addr >> 8),
            static_cast<std::uint8_t>(addr),
            static_cast<std::uint8_t>(data >> 24),
            static_cast<std::uint8_t>(data >> 16),
            static_cast<std::uint8_t>(data >> 8),
            static_cast<std::uint8_t>(data),
            0};
  r[7] = link::crc8(r.data(), 7);
  return r;
}

// Host-side decode of a reply: what the hw driver must do with the 6 reply bytes.
enum class ReplyError { kNone, kPattern, kCrc };
struct Reply {
  ReplyError error = ReplyError::kNone;
  std::uint8_t status = 0;
  std::uint32_t rdata = 0;
  bool ok() const { return error == ReplyError::kNone && !(status & link::kStatusBad); }
};

inline Reply decode_reply(const ReplyBytes& b) {
  Reply r;
  r.status = b[0];
  r.rdata = (std::uint32_t{b[1]} << 24) | (std::uint32_t{b[2]} << 16) | (std::uint32_t{b[3]} << 8) |
            std::uint32_t{b[4]};
  if (!link::status_pattern_ok(b[0])) {
    r.error = ReplyError::kPattern;
  } else if (link::crc8(b.data(), 5) != b[5]) {
    r.error = ReplyError::kCrc;
  }
  return r;
}

struct Board {
  std::unique_ptr<VerilatedContext> ctx;
  std::unique_ptr<Vtern_board> top;
  std::uint64_t cycles = 0;
  int miso_force = -1;  // -1: real MISO; 0/1: MISO stuck at that level (host side)
  // SCLK timing in system clocks. 2 + 2 is the hardware rule (each level >= 2 clocks);
  // 1 high + 2 low (3 clocks per bit) also works against the model, see fpga/README.md.
  int sclk_high = 2;
  int sclk_low = 2;
  std::uint64_t req_done_cycle = 0;  // cycle at which the last request's 64th bit was clocked
  // Called after every rising edge, also inside read()/write(): lets a test watch the pins
  // through a whole SPI frame (a register write takes effect before the frame's last clock).
  std::function<void()> on_clock;

  // rand_reset: 0 = zeros, 2 = random initial values (+verilator+rand+reset+2).
  explicit Board(int rand_reset = 0, std::uint64_t seed = 1) : ctx(new VerilatedContext) {
    ctx->fatalOnError(false);
    ctx->randReset(rand_reset);
    if (rand_reset) {
      const std::string arg = "+verilator+seed+" + std::to_string(seed);
      const char* argv[] = {"tern_fpga_tests", arg.c_str()};
      ctx->commandArgs(2, argv);
    }
    top.reset(new Vtern_board{ctx.get(), "TOP"});
    idle_inputs();
  }
  Board(const Board&) = delete;
  Board& operator=(const Board&) = delete;
  ~Board() { top->final(); }

  void idle_inputs() {
    top->clk_i = 0;
    top->spi_sclk_i = 0;
    top->spi_cs_ni = 1;
    top->spi_mosi_i = 0;
    top->fault_ni = 1;
    top->gpio_i = 0;
    top->btn_i = 0;
    top->switch_i = 0;
    top->pot_i = 0;
    top->temp_i = (22 + 40) * 16;  // 22 C
    top->pwr_fail_ni = 1;
  }

  // One system clock: settle inputs at clk=0, then the rising edge.
  void tick(std::uint64_t n = 1) {
    for (std::uint64_t i = 0; i < n; ++i) {
      top->clk_i = 0;
      top->eval();
      ctx->timeInc(1);
      top->clk_i = 1;
      top->eval();
      ctx->timeInc(1);
      ++cycles;
      if (on_clock) on_clock();
    }
  }

  void reset(int cycles_low = 4) {
    top->rst_ni = 1;
    top->eval();
    top->rst_ni = 0;
    top->eval();
    tick(static_cast<std::uint64_t>(cycles_low));
    top->rst_ni = 1;
    tick(2);
  }

  bool miso() const { return miso_force >= 0 ? miso_force != 0 : top->spi_miso_o != 0; }

  // Clock `nbits` bits of `tx` (MSB first, bit i of the 14-byte frame) out on MOSI with CS
  // low, and collect MISO. Returns the 6 reply bytes (bits 64..111 as received).
  ReplyBytes transfer_bits(const std::uint8_t* tx, int nbits) {
    std::array<std::uint8_t, link::kFrameBytes> rx{};
    top->spi_cs_ni = 0;
    top->spi_sclk_i = 0;
    for (int i = 0; i < nbits; ++i) {
      const int byte = i / 8;
      const int bit = 7 - (i % 8);
      const bool mosi = byte < static_cast<int>(link::kFrameBytes) && ((tx[byte] >> bit) & 1);
      top->spi_mosi_i = mosi;
      top->spi_sclk_i = 0;
      tick(static_cast<std::uint64_t>(sclk_low));
      if (byte < static_cast<int>(link::kFrameBytes) && miso()) {
        rx[static_cast<std::size_t>(byte)] |= static_cast<std::uint8_t>(1u << bit);
      }
      top->spi_sclk_i = 1;  // rising edge: board samples MOSI
      tick(static_cast<std::uint64_t>(sclk_high));
      if (i == 63) req_done_cycle = cycles;
    }
    top->spi_sclk_i = 0;
    top->spi_mosi_i = 0;
    tick(static_cast<std::uint64_t>(sclk_low));
    top->spi_cs_ni = 1;
    tick(4);  // CS high: frame end seen through the synchroniser
    ReplyBytes r{};
    for (std::size_t i = 0; i < r.size(); ++i) r[i] = rx[8 + i];
    return r;
  }

  ReplyBytes transfer(const Request& req, int nbits = static_cast<int>(link::kFrameBits)) {
    std::array<std::uint8_t, link::kFrameBytes> tx{};
    for (std::size_t i = 0; i < req.size(); ++i) tx[i] = req[i];
    return transfer_bits(tx.data(), nbits);
  }

  Reply xfer(std::uint8_t cmd, std::uint16_t addr, std::uint32_t data) {
    return decode_reply(transfer(make_request(cmd, addr, data)));
  }

  std::uint32_t read(std::uint16_t addr) {
    const Reply r = xfer(link::kCmdRead, addr, 0);
    INFO("read addr 0x" << std::hex << addr << " status 0x" << int(r.status));
    CHECK(r.ok());
    return r.rdata;
  }

  void write(std::uint16_t addr, std::uint32_t data) {
    const Reply r = xfer(link::kCmdWrite, addr, data);
    INFO("write addr 0x" << std::hex << addr << " data 0x" << data << " status 0x"
                         << int(r.status));
    CHECK(r.ok());
    CHECK((r.status & link::kStatusWriteApplied) != 0);
  }

  void kick() { write(regs::wdog_kick::kOffset, link::kWdogKickKey); }

  // Kick and leave the safe state; returns true if the board is no longer safe.
  bool leave_safe() {
    kick();
    write(regs::safe_clear::kOffset, regs::safe_clear::clear::kMask);
    return (read(regs::safe_status::kOffset) & regs::safe_status::safe::kMask) == 0;
  }

  // Every board output at its declared safe value (fpga/README.md).
  bool outputs_safe() const {
    return top->pwm_hi_o == 0 && top->pwm_lo_o == 0 && top->relay_o == 0 && top->fan_o == 0x3 &&
           top->gpio_o == 0 && top->gpio_oe_o == 0 && top->seg_o == 0 && top->digit_o == 0 &&
           top->led_o == 0x80 && top->meter_o == 0;
  }

  // Tick until pred() or the limit; returns the number of ticks taken, or -1.
  template <typename Pred>
  long tick_until(Pred pred, long limit) {
    for (long i = 0; i <= limit; ++i) {
      if (pred()) return i;
      tick();
    }
    return -1;
  }
};

}  // namespace tern::fpga::test
