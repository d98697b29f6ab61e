// Safe-state tests: watchdog expiry at random phases, randomised initial state and reset,
// the latched MOS fault.
#include <random>

#include "board_harness.h"

using namespace tern::fpga::test;

namespace {
// Put every output away from its safe value (so a transition to safe is observable).
void drive_outputs_unsafe(Board& b) {
  b.write(regs::relay::kOffset, 0xF);
  b.write(regs::fan::kOffset, 0x0000);
  b.write(regs::gpio_oe::kOffset, 0xFFFF);
  b.write(regs::gpio_out::kOffset, 0xA5A5);
  b.write(regs::led::kOffset, 0x3C);
  b.write(regs::pwm_period::kOffset, 50);
  b.write(regs::pwm_duty::offset(0), 20);
  b.write(regs::pwm_ctrl::kOffset, 0xF);
}
bool safe_flag(Board& b) {
  return (b.read(regs::safe_status::kOffset) & regs::safe_status::safe::kMask) != 0;
}
}  // namespace

TEST_CASE("fpga safety: watchdog expiry puts every output safe within period + one tick") {
  Board b;
  b.reset();
  drive_outputs_unsafe(b);
  std::mt19937 rng(20240521);
  int safe_in_time = 0, early = 0, trials = 0;
  long worst_margin = 1 << 30;
  for (int t = 0; t < 1000; ++t) {
    // period x div >= 2000 clocks, so kick + clear + status read (~1400 clocks) fit.
    const auto div = static_cast<std::uint32_t>(20 + rng() % 41);
    const auto period = static_cast<std::uint32_t>(100 + rng() % 41);
    b.write(regs::div_wdog::kOffset, div);
    b.write(regs::wdog_period::kOffset, period);
    REQUIRE(b.leave_safe());
    b.tick(4);
    REQUIRE(!b.outputs_safe());
    b.kick();
    // Random phase of the last kick against the watchdog tick (and a random number of
    // earlier kicks, each well inside the period).
    const int extra_kicks = static_cast<int>(rng() % 3);
    for (int k = 0; k < extra_kicks; ++k) {
      b.tick(rng() % (period * div - 800));
      b.kick();
    }
    b.tick(rng() % (2 * div + 7));
    b.kick();                                           // the last kick
    const std::uint64_t kicked = b.req_done_cycle + 3;  // 2FF + check clock
    const long bound = static_cast<long>(period * div + div) + 2;
    const long waited = static_cast<long>(b.cycles - kicked);
    const long more = b.tick_until([&] { return b.outputs_safe(); }, bound + 200);
    REQUIRE(more >= 0);
    const long elapsed = waited + more;
    ++trials;
    if (elapsed <= bound) ++safe_in_time;
    if (elapsed < static_cast<long>((period - 1) * div)) ++early;
    worst_margin = std::min(worst_margin, bound - elapsed);
    // Stays safe, and the board says why.
    b.tick(50);
    CHECK(b.outputs_safe());
    const std::uint32_t st = b.read(regs::safe_status::kOffset);
    CHECK((st & regs::safe_status::cause_wdog::kMask) != 0);
    CHECK((st & regs::safe_status::wdog_expired::kMask) != 0);
  }
  MESSAGE("watchdog: " << safe_in_time << "/" << trials << " safe in time, worst margin "
                       << worst_margin << " clocks");
  CHECK(trials == 1000);
  CHECK(safe_in_time == 1000);
  CHECK(early == 0);
  // A clear without a kick is refused; so is a kick with the wrong key.
  b.write(regs::safe_clear::kOffset, 1);
  CHECK(safe_flag(b));
  b.write(regs::wdog_kick::kOffset, link::kWdogKickKey ^ 0x00010000u);
  b.write(regs::safe_clear::kOffset, 1);
  CHECK(safe_flag(b));
  CHECK(b.read(regs::wdog_count::kOffset) == 0);
  b.kick();
  CHECK(b.read(regs::wdog_count::kOffset) > 0);
  b.write(regs::safe_clear::kOffset, 1);
  CHECK(!safe_flag(b));
  // WDOG_CTRL.en = 0: the watchdog never expires.
  b.write(regs::wdog_ctrl::kOffset, 0);
  b.write(regs::wdog_period::kOffset, 1);
  b.write(regs::div_wdog::kOffset, 1);
  b.tick(5000);
  CHECK(!safe_flag(b));
  CHECK(!b.outputs_safe());
  CHECK(!b.ctx->gotError());
}

TEST_CASE("fpga safety: random initial state, outputs safe in every cycle of reset") {
  int unsafe_before_reset = 0;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    INFO("seed " << seed);
    Board b(2, seed);
    b.top->rst_ni = 1;
    b.top->eval();
    if (!b.outputs_safe()) ++unsafe_before_reset;
    b.top->rst_ni = 0;  // asynchronous: safe without a clock edge
    b.top->eval();
    CHECK(b.outputs_safe());
    for (int c = 0; c < 16; ++c) {
      b.tick();
      CHECK(b.outputs_safe());
      CHECK(b.top->irq_no == 1);
      CHECK(b.top->spi_miso_o == 0);
    }
    b.top->rst_ni = 1;
    for (int c = 0; c < 200; ++c) {
      b.tick();
      CHECK(b.outputs_safe());  // reset leaves the board in the safe state
    }
    CHECK(b.read(regs::id::kOffset) == 0x7E4E0002u);
    CHECK(safe_flag(b));
    CHECK(b.outputs_safe());
    CHECK(b.leave_safe());
    drive_outputs_unsafe(b);
    b.tick(4);
    CHECK(!b.outputs_safe());
    // Reset in the middle of operation (and mid-frame): safe at once.
    b.top->spi_cs_ni = 0;
    b.tick(3);
    b.top->rst_ni = 0;
    b.top->eval();
    CHECK(b.outputs_safe());
    b.tick(3);
    CHECK(b.outputs_safe());
    b.top->spi_cs_ni = 1;
    b.top->rst_ni = 1;
    b.tick(8);
    CHECK(b.read(regs::scratch::kOffset) == 0);
    CHECK(!b.ctx->gotError());
  }
  // The randomisation is real: some seeds start with unsafe outputs before reset.
  CHECK(unsafe_before_reset > 0);
}

TEST_CASE("fpga safety: MOS fault is filtered, latches, forces safe, clears only when gone") {
  Board b;
  b.reset();
  REQUIRE(b.leave_safe());
  drive_outputs_unsafe(b);
  b.write(regs::mos_fault_filter::kOffset, 6);
  b.write(regs::intr_enable::kOffset, regs::intr_state::fault::kMask);
  b.tick(100);
  REQUIRE(!b.outputs_safe());
  // A glitch shorter than the filter does nothing.
  b.top->fault_ni = 0;
  b.tick(5);
  b.top->fault_ni = 1;
  b.tick(20);
  CHECK(!b.outputs_safe());
  CHECK(b.read(regs::mos_fault::kOffset) == 0);
  // A real fault: gates off within sync (2) + filter (6) + 2 clocks.
  b.top->fault_ni = 0;
  const long t = b.tick_until([&] { return b.outputs_safe(); }, 100);
  CHECK(t >= 0);
  CHECK(t <= 2 + 6 + 2);
  CHECK(b.read(regs::mos_fault::kOffset) == regs::mos_fault::latched::kMask);
  CHECK(b.top->irq_no == 0);
  std::uint32_t st = b.read(regs::safe_status::kOffset);
  CHECK((st & regs::safe_status::cause_fault::kMask) != 0);
  // While the fault is present neither the latch nor the safe state can be cleared.
  b.write(regs::mos_fault::kOffset, regs::mos_fault::latched::kMask);
  CHECK(b.read(regs::mos_fault::kOffset) == regs::mos_fault::latched::kMask);
  CHECK(!b.leave_safe());
  CHECK(b.outputs_safe());
  // Fault gone: the latch still holds the safe state until software clears it.
  b.top->fault_ni = 1;
  b.tick(10);
  CHECK(!b.leave_safe());
  CHECK(b.outputs_safe());
  b.write(regs::mos_fault::kOffset, regs::mos_fault::latched::kMask);
  CHECK(b.read(regs::mos_fault::kOffset) == 0);
  CHECK(b.leave_safe());
  b.tick(4);
  CHECK(!b.outputs_safe());
  CHECK(!b.ctx->gotError());
}
