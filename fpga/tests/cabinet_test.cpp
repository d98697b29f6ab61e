// Cabinet block tests over the whole board: temperature capture and the over-temperature
// flag with hysteresis, the power-fail input, their interrupts, and the meters (including
// their safe value).
#include "board_harness.h"

using namespace tern::fpga::test;

namespace {
constexpr std::uint32_t kC70 = (70 + 40) * 16, kC60 = (60 + 40) * 16;

void ready(Board& b) {
  b.reset();
  REQUIRE(b.leave_safe());
  b.write(regs::wdog_ctrl::kOffset, 0);
  b.write(regs::div_debounce::kOffset, 10);        // fast debounce ticks for the test
  b.write(regs::intr_state::kOffset, 0xFFFFFFFF);  // start with no pending interrupt
}

std::uint32_t status(Board& b) { return b.read(regs::cabinet_status::kOffset); }
bool over_temp(Board& b) { return (status(b) & regs::cabinet_status::over_temp::kMask) != 0; }
bool power_fail(Board& b) { return (status(b) & regs::cabinet_status::power_fail::kMask) != 0; }
bool intr(Board& b, std::uint32_t mask) { return (b.read(regs::intr_state::kOffset) & mask) != 0; }
void ack(Board& b, std::uint32_t mask) { b.write(regs::intr_state::kOffset, mask); }

// Sets temp_i and waits until TEMP reads it back.
void set_temp(Board& b, std::uint32_t code) {
  b.top->temp_i = static_cast<std::uint16_t>(code);
  REQUIRE(b.tick_until([&] { return b.read(regs::temp::kOffset) == code; }, 20000) >= 0);
}
}  // namespace

TEST_CASE("fpga cabinet: TEMP captures the sensor, over_temp sets at high and clears below low") {
  Board b;
  ready(b);
  CHECK(b.read(regs::temp_limit::kOffset) == ((kC60 << 16) | kC70));  // reset: 70 C / 60 C
  set_temp(b, (22 + 40) * 16);
  CHECK(!over_temp(b));
  CHECK(!intr(b, regs::intr_state::temp::kMask));
  set_temp(b, kC70 - 1);
  CHECK(!over_temp(b));
  set_temp(b, kC70);
  CHECK(over_temp(b));
  CHECK(intr(b, regs::intr_state::temp::kMask));
  ack(b, regs::intr_state::temp::kMask);
  set_temp(b, kC60);  // between the thresholds: stays set
  CHECK(over_temp(b));
  CHECK(!intr(b, regs::intr_state::temp::kMask));
  set_temp(b, kC60 - 1);
  CHECK(!over_temp(b));
  CHECK(intr(b, regs::intr_state::temp::kMask));  // the clear is an event too
  // The interrupt reaches the IRQ line when enabled.
  b.write(regs::intr_enable::kOffset, regs::intr_state::temp::kMask);
  b.tick(4);
  CHECK(b.top->irq_no == 0);
  CHECK(!b.ctx->gotError());
}

TEST_CASE("fpga cabinet: power fail is debounced, flagged and interrupts on fail and return") {
  Board b;
  ready(b);
  CHECK(!power_fail(b));
  // A glitch shorter than the debounce filter (4 ticks of 10 clocks) is ignored.
  b.top->pwr_fail_ni = 0;
  b.tick(15);
  b.top->pwr_fail_ni = 1;
  b.tick(200);
  CHECK(!power_fail(b));
  CHECK(!intr(b, regs::intr_state::power::kMask));
  b.top->pwr_fail_ni = 0;
  REQUIRE(b.tick_until([&] { return power_fail(b); }, 20000) >= 0);
  CHECK(intr(b, regs::intr_state::power::kMask));
  ack(b, regs::intr_state::power::kMask);
  b.top->pwr_fail_ni = 1;
  REQUIRE(b.tick_until([&] { return !power_fail(b); }, 20000) >= 0);
  CHECK(intr(b, regs::intr_state::power::kMask));
  // Enabled, the power interrupt drives the IRQ line (the core's board loop takes it there)
  // until it is acknowledged: it is an event, not a level.
  b.write(regs::intr_enable::kOffset, regs::intr_state::power::kMask);
  b.tick(4);
  CHECK(b.top->irq_no == 0);
  ack(b, regs::intr_state::power::kMask);
  b.tick(4);
  CHECK(b.top->irq_no == 1);
  CHECK(!intr(b, regs::intr_state::power::kMask));
  // Neither input forces the safe state.
  CHECK((b.read(regs::safe_status::kOffset) & regs::safe_status::safe::kMask) == 0);
  CHECK(!b.ctx->gotError());
}

TEST_CASE("fpga cabinet: meters are 8-bit PWM like the fans and rest at 0 in the safe state") {
  Board b;
  ready(b);
  b.write(regs::div_ramp::kOffset, 1);
  b.write(regs::meter::kOffset, 0xFF40);  // meter 0 at 64/256, meter 1 fully on
  b.tick(300);
  long on0 = 0, on1 = 0;
  for (int i = 0; i < 256 * 8; ++i) {
    b.tick();
    on0 += b.top->meter_o & 1;
    on1 += (b.top->meter_o >> 1) & 1;
  }
  CHECK(on0 == 64 * 8);
  CHECK(on1 == 256 * 8);
  // Safe state: both meters at rest.
  b.write(regs::wdog_period::kOffset, 0);
  b.write(regs::wdog_ctrl::kOffset, 1);
  b.kick();
  REQUIRE(b.tick_until([&] { return b.outputs_safe(); }, 10000) >= 0);
  CHECK(b.top->meter_o == 0);
  CHECK(!b.ctx->gotError());
}
