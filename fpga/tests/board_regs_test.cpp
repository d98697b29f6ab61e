// Generic register tests generated from the map: every register in regs::kRegisters is
// exercised over the real RTL through the SPI link (reset values, read/write, bit-bash,
// aliasing, rw1c), in the spirit of OpenTitan's csr_hw_reset / csr_rw / csr_bit_bash /
// csr_aliasing. Nothing here names a particular register except the INTR_TEST path that
// sets INTR_STATE bits.
#include <random>

#include "board_harness.h"

using namespace tern::fpga::test;
using regs::Access;

TEST_CASE("fpga regs: every register reads its reset value") {
  Board b;
  b.reset();
  CHECK(regs::kRegisters.size() > 40);
  for (const auto& r : regs::kRegisters) {
    INFO(r.name);
    const std::uint32_t v = b.read(r.offset);
    CHECK(v == r.reset);
    CHECK((v & ~r.mask) == 0);  // undefined bits read 0
  }
  CHECK(b.read(regs::id::kOffset) == 0x7E4E0002u);
  CHECK(!b.ctx->gotError());
}

TEST_CASE("fpga regs: read/write of every rw register") {
  Board b;
  b.reset();
  std::mt19937 rng(1234);
  for (const auto& r : regs::kRegisters) {
    if (r.access != Access::kRw) continue;
    INFO(r.name);
    for (int k = 0; k < 4; ++k) {
      const std::uint32_t v = static_cast<std::uint32_t>(rng());
      b.write(r.offset, v);
      CHECK(b.read(r.offset) == (v & r.rw_mask));
    }
    b.write(r.offset, r.reset);
    CHECK(b.read(r.offset) == r.reset);
  }
  CHECK(!b.ctx->gotError());
}

TEST_CASE("fpga regs: bit-bash every rw register") {
  Board b;
  b.reset();
  for (const auto& r : regs::kRegisters) {
    if (r.access != Access::kRw) continue;
    INFO(r.name);
    b.write(r.offset, 0xFFFFFFFFu);
    CHECK(b.read(r.offset) == r.rw_mask);  // bits outside the fields stay 0
    for (unsigned bit = 0; bit < 32; ++bit) {
      const std::uint32_t one = 1u << bit;
      if (!(r.rw_mask & one)) continue;
      INFO("bit " << bit);
      b.write(r.offset, one);
      CHECK(b.read(r.offset) == one);
      b.write(r.offset, ~one);
      CHECK(b.read(r.offset) == (~one & r.rw_mask));
    }
    b.write(r.offset, r.reset);
  }
  CHECK(!b.ctx->gotError());
}

TEST_CASE("fpga regs: no aliasing between rw registers") {
  Board b;
  b.reset();
  auto pattern = [](const regs::RegInfo& r) {
    return (0x9E3779B9u * (r.offset + 1u)) ^ (r.offset << 8);
  };
  for (const auto& r : regs::kRegisters) {
    if (r.access == Access::kRw) b.write(r.offset, pattern(r));
  }
  for (const auto& r : regs::kRegisters) {
    if (r.access != Access::kRw) continue;
    INFO(r.name);
    CHECK(b.read(r.offset) == (pattern(r) & r.rw_mask));
  }
  CHECK(!b.ctx->gotError());
}

TEST_CASE("fpga regs: ro and wo registers ignore writes") {
  Board b;
  b.reset();
  for (const auto& r : regs::kRegisters) {
    if (r.access != Access::kRo || (r.flags & regs::kFlagVolatile)) continue;
    INFO(r.name);
    b.write(r.offset, ~r.reset);
    CHECK(b.read(r.offset) == r.reset);
  }
  for (const auto& r : regs::kRegisters) {
    if (r.access != Access::kWo || (r.flags & regs::kFlagSideEffect)) continue;
    INFO(r.name);
    b.write(r.offset, 0xFFFFFFFFu);
    CHECK(b.read(r.offset) == 0);
  }
  CHECK(!b.ctx->gotError());
}

TEST_CASE("fpga regs: rw1c registers are not set by writes and clear bit by bit") {
  Board b;
  b.reset();
  for (const auto& r : regs::kRegisters) {
    if (r.access != Access::kRw1c) continue;
    INFO(r.name);
    b.write(r.offset, r.mask);  // writing 1 never sets
    CHECK(b.read(r.offset) == 0);
  }
  // INTR_STATE: set every bit through INTR_TEST, then clear one bit at a time.
  const auto* st = regs::find("INTR_STATE");
  const auto* test = regs::find("INTR_TEST");
  REQUIRE(st != nullptr);
  REQUIRE(test != nullptr);
  b.write(test->offset, st->mask);
  std::uint32_t expect = st->mask;
  CHECK(b.read(st->offset) == expect);
  for (unsigned bit = 0; bit < 32; ++bit) {
    if (!(st->mask & (1u << bit))) continue;
    INFO("bit " << bit);
    b.write(st->offset, 1u << bit);
    expect &= ~(1u << bit);
    CHECK(b.read(st->offset) == expect);
  }
  CHECK(!b.ctx->gotError());
}
