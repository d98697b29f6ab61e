// Block tests over the whole board through the SPI link and the pins: clock divider, MOS
// driver (shadow registers, dead time, soft start, enables), relays/fans, FIFO, GPIO, front
// panel, interrupt controller.
#include <vector>

#include "board_harness.h"

using namespace tern::fpga::test;

namespace {
// Board out of reset and out of the safe state, watchdog disabled for long block tests.
void ready(Board& b) {
  b.reset();
  REQUIRE(b.leave_safe());
  b.write(regs::wdog_ctrl::kOffset, 0);
}

// Rising edges of pwm_hi_o[ch] over n clocks -> their cycle numbers.
std::vector<std::uint64_t> hi_rises(Board& b, int ch, std::uint64_t n) {
  std::vector<std::uint64_t> out;
  bool prev = (b.top->pwm_hi_o >> ch) & 1;
  for (std::uint64_t i = 0; i < n; ++i) {
    b.tick();
    const bool cur = (b.top->pwm_hi_o >> ch) & 1;
    if (cur && !prev) out.push_back(b.cycles);
    prev = cur;
  }
  return out;
}

// Length of the next high pulse of pwm_hi_o[ch] (waits for it to start).
long next_hi_pulse(Board& b, int ch, long limit = 100000) {
  auto hi = [&] { return ((b.top->pwm_hi_o >> ch) & 1) != 0; };
  if (b.tick_until([&] { return !hi(); }, limit) < 0) return -1;
  if (b.tick_until(hi, limit) < 0) return -1;
  return b.tick_until([&] { return !hi(); }, limit);
}
}  // namespace

TEST_CASE("fpga blocks: clock divider strobes every max(div,1) clocks (0 and 1 alike)") {
  Board b;
  ready(b);
  b.write(regs::pwm_period::kOffset, 10);
  b.write(regs::pwm_duty::offset(0), 5);
  b.write(regs::pwm_deadtime::kOffset, 0);
  b.write(regs::pwm_ctrl::kOffset, 1);
  for (std::uint32_t div : {0u, 1u, 2u, 3u, 7u}) {
    INFO("div " << div);
    b.write(regs::div_pwm::kOffset, div);
    b.tick(200);
    const auto r = hi_rises(b, 0, 600);
    REQUIRE(r.size() >= 3);
    const std::uint64_t expect = 10u * (div == 0 ? 1u : div);
    for (std::size_t i = 1; i < r.size(); ++i) CHECK(r[i] - r[i - 1] == expect);
  }
  CHECK(!b.ctx->gotError());
}

TEST_CASE("fpga blocks: PWM duty is shadowed until the period boundary") {
  Board b;
  ready(b);
  b.write(regs::div_pwm::kOffset, 1);
  b.write(regs::pwm_deadtime::kOffset, 4);
  b.write(regs::pwm_period::kOffset, 2000);
  b.write(regs::pwm_duty::offset(0), 500);
  b.write(regs::pwm_ctrl::kOffset, 1);
  CHECK(next_hi_pulse(b, 0) == 500 - 4);
  // Start of a high phase, then change the duty mid-period: this period keeps 500.
  auto hi = [&] { return (b.top->pwm_hi_o & 1) != 0; };
  REQUIRE(b.tick_until([&] { return !hi(); }, 5000) >= 0);
  REQUIRE(b.tick_until(hi, 5000) >= 0);
  const std::uint64_t start = b.cycles;
  b.write(regs::pwm_duty::offset(0), 1500);  // lands ~260 clocks into this high phase
  REQUIRE(hi());
  REQUIRE(b.tick_until([&] { return !hi(); }, 5000) >= 0);
  CHECK(b.cycles - start == 500 - 4);  // this period still ends at the old duty
  CHECK(next_hi_pulse(b, 0) == 1500 - 4);
  CHECK(!b.ctx->gotError());
}

TEST_CASE("fpga blocks: complementary pairs with dead time, never overlapping") {
  Board b;
  ready(b);
  b.write(regs::div_pwm::kOffset, 1);
  b.write(regs::pwm_period::kOffset, 40);
  for (std::size_t ch = 0; ch < 4; ++ch) {
    b.write(regs::pwm_duty::offset(ch), static_cast<std::uint32_t>(12 + 5 * ch));  // 12..27 of 40
  }
  b.write(regs::pwm_ctrl::kOffset, 0xF);
  for (std::uint32_t dt : {0u, 1u, 3u, 10u}) {
    INFO("dead time " << dt);
    b.write(regs::pwm_deadtime::kOffset, dt);
    b.tick(100);
    // For each channel: every both-off gap between opposite sides is exactly dt.
    std::array<int, 4> last{-1, -1, -1, -1};  // 1 = hi was on last, 0 = lo
    std::array<long, 4> gap{0, 0, 0, 0};
    int transitions = 0;
    for (int c = 0; c < 400; ++c) {
      b.tick();
      for (std::size_t ch = 0; ch < 4; ++ch) {
        const bool hi = (b.top->pwm_hi_o >> ch) & 1, lo = (b.top->pwm_lo_o >> ch) & 1;
        CHECK(!(hi && lo));
        if (!hi && !lo) {
          ++gap[ch];
          continue;
        }
        const int side = hi ? 1 : 0;
        if (last[ch] >= 0 && last[ch] != side) {
          CHECK(gap[ch] == static_cast<long>(dt));
          ++transitions;
        }
        last[ch] = side;
        gap[ch] = 0;
      }
    }
    CHECK(transitions >= 4 * 2 * 9);
  }
  // Dead time changed at random moments: the RTL assertions must stay quiet.
  for (int i = 0; i < 40; ++i) {
    b.write(regs::pwm_deadtime::kOffset, static_cast<std::uint32_t>((i * 7) % 13));
    b.tick(static_cast<std::uint64_t>(i % 5));
  }
  // Only enabled channels switch; disabled ones keep both gates off.
  b.write(regs::pwm_ctrl::kOffset, 0x5);
  b.tick(10);
  for (int c = 0; c < 200; ++c) {
    b.tick();
    CHECK((b.top->pwm_hi_o & 0xA) == 0);
    CHECK((b.top->pwm_lo_o & 0xA) == 0);
  }
  CHECK(!b.ctx->gotError());
}

TEST_CASE("fpga blocks: soft start ramps the duty in use") {
  Board b;
  ready(b);
  b.write(regs::div_pwm::kOffset, 1);
  b.write(regs::div_ramp::kOffset, 100);
  b.write(regs::pwm_deadtime::kOffset, 0);
  b.write(regs::pwm_period::kOffset, 200);
  b.write(regs::pwm_duty::offset(0), 150);
  b.write(regs::pwm_ctrl::kOffset, (1u << 8) | 1u);  // softstart ch0, enable ch0
  CHECK((b.read(regs::mos_status::kOffset) & regs::mos_status::ramping::kMask) == (1u << 4));
  long prev = 0;
  int rising = 0;
  for (int p = 0; p < 40; ++p) {
    const long w = next_hi_pulse(b, 0);
    REQUIRE(w > 0);
    CHECK(w >= prev);
    if (w > prev) ++rising;
    prev = w;
  }
  CHECK(rising >= 10);
  b.tick(150u * 100u);
  CHECK(next_hi_pulse(b, 0) == 150);
  CHECK((b.read(regs::mos_status::kOffset) & regs::mos_status::ramping::kMask) == 0);
  CHECK(!b.ctx->gotError());
}

// Issue 11: enabling with soft start once switched the high side at the full programmed
// duty for the rest of the current period (27-66 clocks on in the first 300 here). The pins
// are watched from the first clock of the write frame (the enable lands inside it).
TEST_CASE("fpga blocks: soft start from off switches no full-duty pulse at enable") {
  Board b;
  ready(b);
  b.write(regs::div_pwm::kOffset, 1);
  b.write(regs::div_ramp::kOffset, 1000);
  b.write(regs::pwm_deadtime::kOffset, 8);
  b.write(regs::pwm_period::kOffset, 100);
  b.write(regs::pwm_duty::offset(0), 90);
  long hi_clocks = 0, lo_clocks = 0;
  b.on_clock = [&] {
    hi_clocks += (b.top->pwm_hi_o & 1);
    lo_clocks += (b.top->pwm_lo_o & 1);
  };
  b.tick(250);  // the 90-tick duty sits in the shadow of the stopped channel
  for (int round = 0; round < 5; ++round) {
    INFO("round " << round);
    b.tick(static_cast<std::uint64_t>(17 * round));  // enable at different phases
    hi_clocks = lo_clocks = 0;
    b.write(regs::pwm_ctrl::kOffset, (1u << 8) | 1u);  // softstart ch0, enable ch0
    b.tick(300);
    // Within the frame and 300 clocks the ramp reaches 0 (DIV_RAMP 1000): below the dead
    // time, no high-side pulse at all.
    CHECK(hi_clocks == 0);
    CHECK(lo_clocks > 0);  // the channel does run: its low side is on
    b.write(regs::pwm_ctrl::kOffset, 0);
    b.tick(300);
  }
  // Leaving the safe state with soft start enabled ramps from 0 as well.
  b.write(regs::pwm_ctrl::kOffset, (1u << 8) | 1u);
  b.write(regs::wdog_period::kOffset, 0);  // a kick loads 0: expired at once
  b.write(regs::wdog_ctrl::kOffset, 1);
  b.kick();
  REQUIRE(b.tick_until([&] { return b.outputs_safe(); }, 10000) >= 0);
  b.write(regs::wdog_ctrl::kOffset, 0);
  b.write(regs::wdog_period::kOffset, 60000);
  b.tick(250);
  hi_clocks = 0;
  REQUIRE(b.leave_safe());
  b.tick(300);
  CHECK(hi_clocks == 0);
  CHECK(!b.ctx->gotError());
}

// Without soft start a channel enabled mid-period drives its low side until the boundary,
// then the full duty: no runt high-side pulse, whatever the phase of the enable.
TEST_CASE("fpga blocks: a channel enabled mid-period starts its duty at the next boundary") {
  Board b;
  ready(b);
  b.write(regs::div_pwm::kOffset, 1);
  b.write(regs::pwm_deadtime::kOffset, 4);
  b.write(regs::pwm_period::kOffset, 1000);
  b.write(regs::pwm_duty::offset(0), 600);
  std::vector<long> pulses;  // lengths of completed high pulses
  long run = 0;
  b.on_clock = [&] {
    if (b.top->pwm_hi_o & 1) {
      ++run;
    } else if (run > 0) {
      pulses.push_back(run);
      run = 0;
    }
  };
  for (int round = 0; round < 6; ++round) {
    INFO("round " << round);
    b.tick(static_cast<std::uint64_t>(2000 + 173 * round));  // enable at different phases
    pulses.clear();
    b.write(regs::pwm_ctrl::kOffset, 1);
    b.tick(2600);
    REQUIRE(pulses.size() >= 2);
    for (long w : pulses) CHECK(w == 600 - 4);  // every pulse is a whole one
    b.write(regs::pwm_ctrl::kOffset, 0);
  }
  CHECK(!b.ctx->gotError());
}

TEST_CASE("fpga blocks: relays follow RELAY, fans follow FAN duty") {
  Board b;
  ready(b);
  b.write(regs::relay::kOffset, 0x9);
  b.tick(2);
  CHECK(b.top->relay_o == 0x9);
  b.write(regs::div_ramp::kOffset, 1);
  b.write(regs::fan::kOffset, 0xFF80);  // fan1 full on, fan0 half
  int on0 = 0, on1 = 0;
  for (int c = 0; c < 256 * 4; ++c) {
    b.tick();
    on0 += b.top->fan_o & 1;
    on1 += (b.top->fan_o >> 1) & 1;
  }
  CHECK(on0 == 128 * 4);
  CHECK(on1 == 256 * 4);
  CHECK(!b.ctx->gotError());
}

TEST_CASE("fpga blocks: FIFO order, occupancy, threshold, sticky overflow, clear") {
  Board b;
  ready(b);
  b.write(regs::fifo_ctrl::kOffset, 3);
  for (std::uint32_t i = 0; i < 16; ++i) {
    b.write(regs::fifo_push::kOffset, 0x100 + i);
    const std::uint32_t st = b.read(regs::fifo_status::kOffset);
    CHECK((st & regs::fifo_status::depth::kMask) == i + 1);
    const bool thresh = b.read(regs::intr_state::kOffset) & regs::intr_state::fifo_thresh::kMask;
    CHECK(thresh == (i + 1 >= 3));
  }
  CHECK((b.read(regs::fifo_status::kOffset) & regs::fifo_status::full::kMask) != 0);
  CHECK(b.read(regs::fifo_flags::kOffset) == 0);
  b.write(regs::fifo_push::kOffset, 0xBAD);  // dropped
  CHECK(b.read(regs::fifo_flags::kOffset) == regs::fifo_flags::overflow::kMask);
  CHECK((b.read(regs::intr_state::kOffset) & regs::intr_state::fifo_ovf::kMask) != 0);
  CHECK((b.read(regs::fifo_status::kOffset) & regs::fifo_status::depth::kMask) == 16);
  b.write(regs::fifo_flags::kOffset, 1);  // rw1c
  CHECK(b.read(regs::fifo_flags::kOffset) == 0);
  for (std::uint32_t i = 0; i < 8; ++i) {
    CHECK(b.read(regs::fifo_data::kOffset) == (0x80000000u | (0x7Fu << 16) | (0x100 + i)));
  }
  CHECK((b.read(regs::fifo_status::kOffset) & regs::fifo_status::depth::kMask) == 8);
  b.write(regs::fifo_push::kOffset, 0x200);  // wraps around the memory
  b.write(regs::fifo_clr::kOffset, 1);
  CHECK(b.read(regs::fifo_status::kOffset) == regs::fifo_status::empty::kMask);
  CHECK(b.read(regs::fifo_data::kOffset) == 0);
  // Threshold 0 disables the threshold interrupt.
  b.write(regs::fifo_ctrl::kOffset, 0);
  b.write(regs::intr_state::kOffset, 0xFF);
  CHECK((b.read(regs::intr_state::kOffset) & regs::intr_state::fifo_thresh::kMask) == 0);
  CHECK(!b.ctx->gotError());
}

TEST_CASE("fpga blocks: GPIO masked writes, debounced inputs, edge events") {
  Board b;
  ready(b);
  b.write(regs::gpio_out::kOffset, 0x00FF);
  b.write(regs::gpio_masked_out::kOffset, (0x0F0Fu << 16) | 0xF0F0u);
  CHECK(b.read(regs::gpio_out::kOffset) == 0x00F0u);
  b.write(regs::gpio_oe::kOffset, 0x1234);
  b.write(regs::gpio_masked_oe::kOffset, (0xFF00u << 16) | 0xAB00u);
  CHECK(b.read(regs::gpio_oe::kOffset) == 0xAB34u);
  b.tick(2);
  CHECK(b.top->gpio_o == 0x00F0);
  CHECK(b.top->gpio_oe_o == 0xAB34);

  b.write(regs::div_debounce::kOffset, 10);
  b.write(regs::debounce_cfg::kOffset, 3);
  b.write(regs::gpio_rise_en::kOffset, 0x0001);
  b.write(regs::gpio_fall_en::kOffset, 0x0002);
  b.write(regs::intr_enable::kOffset, regs::intr_state::gpio::kMask);
  // A 15-clock glitch (< 3 ticks of 10) is filtered out.
  b.top->gpio_i = 0x0001;
  b.tick(15);
  b.top->gpio_i = 0;
  b.tick(60);
  CHECK(b.read(regs::gpio_in::kOffset) == 0);
  CHECK(b.read(regs::gpio_intr_state::kOffset) == 0);
  // A stable change is taken after 3 ticks and raises the rising-edge event on pin 0 only.
  b.top->gpio_i = 0x0003;
  b.tick(60);
  CHECK(b.read(regs::gpio_in::kOffset) == 0x0003u);
  CHECK(b.read(regs::gpio_intr_state::kOffset) == 0x0001u);
  CHECK((b.read(regs::intr_state::kOffset) & regs::intr_state::gpio::kMask) != 0);
  CHECK(b.top->irq_no == 0);
  b.top->gpio_i = 0x0000;
  b.tick(60);
  CHECK(b.read(regs::gpio_intr_state::kOffset) == 0x0003u);
  b.write(regs::gpio_intr_state::kOffset, 0x0003);
  CHECK(b.read(regs::gpio_intr_state::kOffset) == 0);
  b.write(regs::intr_state::kOffset, regs::intr_state::gpio::kMask);
  CHECK(b.top->irq_no == 1);
  CHECK(!b.ctx->gotError());
}

TEST_CASE("fpga blocks: 7-segment scan with blanking and brightness") {
  Board b;
  ready(b);
  b.write(regs::div_scan::kOffset, 1);
  b.write(regs::disp_digits::kOffset, 0x4F5B063Fu);  // raw: 0 1 2 3
  for (std::uint32_t bright : {15u, 4u, 0u}) {
    INFO("bright " << bright);
    b.write(regs::disp_ctrl::kOffset, bright);
    b.tick(64);
    std::array<int, 4> lit{};
    int dark = 0;
    for (int c = 0; c < 64 * 8; ++c) {
      b.tick();
      const unsigned d = b.top->digit_o;
      if (d == 0) {
        CHECK(b.top->seg_o == 0);
        ++dark;
        continue;
      }
      REQUIRE((d & (d - 1)) == 0);  // one-hot
      const int idx = d == 1 ? 0 : d == 2 ? 1 : d == 4 ? 2 : 3;
      ++lit[static_cast<std::size_t>(idx)];
      CHECK(b.top->seg_o == ((0x4F5B063Fu >> (8 * idx)) & 0xFF));
    }
    for (int v : lit) CHECK(v == static_cast<int>(8 * bright));
    CHECK(dark == 64 * 8 - 32 * static_cast<int>(bright));
  }
  // Hex mode decodes the low nibble; dp passes through.
  b.write(regs::disp_ctrl::kOffset, regs::disp_ctrl::hex::kMask | 15u);
  b.write(regs::disp_digits::kOffset, 0x0000008Au);  // digit 0 = 'A' with dp
  REQUIRE(b.tick_until([&] { return b.top->digit_o == 1; }, 200) >= 0);
  CHECK(b.top->seg_o == 0xF7);
  b.write(regs::led::kOffset, 0x5A);
  b.tick(2);
  CHECK(b.top->led_o == 0x5A);
  CHECK(!b.ctx->gotError());
}

TEST_CASE("fpga blocks: buttons and switch become FIFO events with an interrupt, pot value") {
  Board b;
  ready(b);
  b.write(regs::div_debounce::kOffset, 5);
  b.write(regs::debounce_cfg::kOffset, 2);
  b.write(regs::intr_enable::kOffset, regs::intr_state::panel::kMask);
  b.top->btn_i = 0x2;
  b.tick(40);
  CHECK(b.read(regs::panel_in::kOffset) == 0x2u);
  CHECK(b.top->irq_no == 0);
  // payload: [3:0] pressed, [7:4] released, [8] sw changed, [9] sw, [15:12] buttons now
  CHECK(b.read(regs::fifo_data::kOffset) == (0x80000000u | (0x01u << 16) | 0x2002u));
  b.top->btn_i = 0x0;  // release: not enabled by default
  b.tick(40);
  CHECK(b.read(regs::fifo_status::kOffset) == regs::fifo_status::empty::kMask);
  b.top->switch_i = 1;
  b.tick(40);
  CHECK(b.read(regs::panel_in::kOffset) == regs::panel_in::sw::kMask);
  CHECK(b.read(regs::fifo_data::kOffset) == (0x80000000u | (0x01u << 16) | 0x0300u));
  // Release events when enabled; two buttons at once make one event.
  b.write(regs::panel_evt_en::kOffset, 0x1FF);
  b.top->btn_i = 0x9;
  b.tick(40);
  b.top->btn_i = 0x0;
  b.tick(40);
  CHECK(b.read(regs::fifo_data::kOffset) == (0x80000000u | (0x01u << 16) | 0x9209u));
  CHECK(b.read(regs::fifo_data::kOffset) == (0x80000000u | (0x01u << 16) | 0x0290u));
  b.write(regs::intr_state::kOffset, regs::intr_state::panel::kMask);
  CHECK(b.top->irq_no == 1);
  b.top->pot_i = 0x5A5;
  b.tick(40);
  CHECK(b.read(regs::pot::kOffset) == 0x5A5u);
  CHECK(!b.ctx->gotError());
}

TEST_CASE("fpga blocks: interrupt enable masks the IRQ line, INTR_TEST sets state") {
  Board b;
  ready(b);
  b.write(regs::intr_test::kOffset, 0x81);
  CHECK((b.read(regs::intr_state::kOffset) & 0x81u) == 0x81u);
  CHECK(b.top->irq_no == 1);  // nothing enabled
  b.write(regs::intr_enable::kOffset, 0x80);
  CHECK(b.top->irq_no == 0);
  b.write(regs::intr_state::kOffset, 0x80);
  CHECK(b.top->irq_no == 1);
  b.write(regs::intr_enable::kOffset, 0x01);
  CHECK(b.top->irq_no == 0);
  b.write(regs::intr_state::kOffset, 0x01);
  CHECK(b.top->irq_no == 1);
  CHECK(!b.ctx->gotError());
}
