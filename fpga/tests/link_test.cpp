// Host-link (SPI frame) tests: status pattern, CRC, exhaustive 1/2/3-bit request errors,
// malformed frames, the bad-frame limit K, stuck MISO, and read side effects only on
// completed frames.
#include <chrono>
#include <vector>

#include "board_harness.h"

using namespace tern::fpga::test;

namespace {
constexpr std::uint16_t kScratch = regs::scratch::kOffset;
constexpr std::uint16_t kLinkErr = regs::link_err::kOffset;

std::uint32_t err_count(Board& b) {
  return regs::get_field(b.read(kLinkErr), regs::link_err::count::kMask,
                         regs::link_err::count::kShift);
}
std::uint32_t streak(Board& b) {
  return regs::get_field(b.read(kLinkErr), regs::link_err::streak::kMask,
                         regs::link_err::streak::kShift);
}
bool board_safe(Board& b) {
  return (b.read(regs::safe_status::kOffset) & regs::safe_status::safe::kMask) != 0;
}
}  // namespace

TEST_CASE("fpga link: CRC-8 matches the reference check value") {
  const std::uint8_t msg[] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
  CHECK(link::crc8(msg, sizeof msg) == 0xF4);  // CRC-8/SMBUS check value
  // Appending the CRC gives residue 0 (what the RTL checks serially).
  const Request r = make_request(link::kCmdWrite, 0x0004, 0xDEADBEEF);
  CHECK(link::crc8(r.data(), r.size()) == 0);
}

TEST_CASE("fpga link: good frames carry the status pattern, write/safe/irq bits and rdata") {
  Board b;
  b.reset();
  Reply r = b.xfer(link::kCmdWrite, kScratch, 0xCAFEF00D);
  CHECK(r.error == ReplyError::kNone);
  CHECK((r.status & link::kStatusPatternMask) == link::kStatusPattern);
  CHECK((r.status & link::kStatusBad) == 0);
  CHECK((r.status & link::kStatusWriteApplied) != 0);
  CHECK((r.status & link::kStatusSafe) != 0);  // out of reset: safe
  CHECK((r.status & link::kStatusIrq) == 0);
  CHECK(r.rdata == 0);
  r = b.xfer(link::kCmdRead, kScratch, 0);
  CHECK(r.ok());
  CHECK((r.status & link::kStatusWriteApplied) == 0);
  CHECK(r.rdata == 0xCAFEF00D);
  // IRQ bit: enable + test-set an interrupt, and the irq_no pin follows.
  CHECK(b.top->irq_no == 1);
  b.write(regs::intr_enable::kOffset, regs::intr_state::link::kMask);
  b.write(regs::intr_test::kOffset, regs::intr_state::link::kMask);
  r = b.xfer(link::kCmdRead, kScratch, 0);
  CHECK((r.status & link::kStatusIrq) != 0);
  CHECK(b.top->irq_no == 0);
  b.write(regs::intr_state::kOffset, regs::intr_state::link::kMask);
  CHECK(b.top->irq_no == 1);
  // Safe bit clears once the safe state is left.
  CHECK(b.leave_safe());
  r = b.xfer(link::kCmdRead, kScratch, 0);
  CHECK((r.status & link::kStatusSafe) == 0);
  CHECK(!b.ctx->gotError());
}

TEST_CASE("fpga link: every 1-, 2- and 3-bit request error is detected and applies nothing") {
  Board b;
  b.sclk_high = 1;  // 3 clocks per bit (the fast simulation timing)
  b.sclk_low = 2;
  b.reset();
  b.write(regs::link_cfg::kOffset, 0);  // K = 0: keep the board out of the safe-state path
  b.write(kScratch, 0x12345678);
  const Request good = make_request(link::kCmdWrite, kScratch, 0xDEADBEEF);

  std::vector<std::uint64_t> masks;
  for (int i = 0; i < 64; ++i) {
    masks.push_back(1ull << i);
  }
  for (int i = 0; i < 64; ++i) {
    for (int j = i + 1; j < 64; ++j) masks.push_back((1ull << i) | (1ull << j));
  }
  for (int i = 0; i < 64; ++i) {
    for (int j = i + 1; j < 64; ++j) {
      for (int k = j + 1; k < 64; ++k) masks.push_back((1ull << i) | (1ull << j) | (1ull << k));
    }
  }
  REQUIRE(masks.size() == 64u + 2016u + 41664u);

  const auto t0 = std::chrono::steady_clock::now();
  std::uint32_t count_before = err_count(b);
  std::size_t batch = 0, undetected = 0, bad_pattern = 0, applied = 0;
  for (std::size_t n = 0; n < masks.size(); ++n) {
    Request req = good;
    for (int bit = 0; bit < 64; ++bit) {
      if (masks[n] >> bit & 1)
        req[static_cast<std::size_t>(bit / 8)] ^= static_cast<std::uint8_t>(0x80u >> (bit % 8));
    }
    const Reply r = decode_reply(b.transfer(req));
    if (r.error != ReplyError::kNone) ++bad_pattern;
    if (!(r.status & link::kStatusBad)) ++undetected;
    if (r.status & link::kStatusWriteApplied) ++applied;
    ++batch;
    if (batch == 1024 || n + 1 == masks.size()) {
      INFO("frames up to " << n);
      CHECK(b.read(kScratch) == 0x12345678u);  // nothing applied
      const std::uint32_t c = err_count(b);
      CHECK(c - count_before == batch);  // each one counted
      count_before = c;
      batch = 0;
    }
  }
  CHECK(undetected == 0);
  CHECK(applied == 0);
  CHECK(bad_pattern == 0);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  MESSAGE(masks.size() << " corrupted frames in " << secs << " s, "
                       << static_cast<double>(b.cycles) / secs / 1e6 << " M cycles/s");
  // The uncorrupted frame still works afterwards.
  CHECK(b.transfer(good)[0] ==
        (link::kStatusPattern | link::kStatusWriteApplied | link::kStatusSafe));
  CHECK(b.read(kScratch) == 0xDEADBEEFu);
  CHECK(!b.ctx->gotError());
}

TEST_CASE("fpga link: bad cmd, unaligned or unmapped address and bad length are rejected") {
  Board b;
  b.reset();
  b.write(regs::link_cfg::kOffset, 0);
  b.write(kScratch, 0x11111111);
  const std::uint32_t c0 = err_count(b);
  std::uint32_t expected_errors = 0;
  auto bad = [&](std::uint8_t cmd, std::uint16_t addr) {
    const Reply r = b.xfer(cmd, addr, 0x22222222);
    CHECK(r.error == ReplyError::kNone);
    CHECK((r.status & link::kStatusBad) != 0);
    CHECK((r.status & link::kStatusWriteApplied) == 0);
    CHECK(r.rdata == 0);
    ++expected_errors;
  };
  for (int cmd : {0x00, 0xFF, 0x5B, 0xA4, 0x25}) bad(static_cast<std::uint8_t>(cmd), kScratch);
  for (int addr : {0x0005, 0x0006, 0x0007}) bad(link::kCmdWrite, static_cast<std::uint16_t>(addr));
  for (int addr : {0x0010, 0x01FC, 0x0200, 0xFFFC, 0x8004}) {
    bad(link::kCmdWrite, static_cast<std::uint16_t>(addr));
  }
  CHECK(b.read(kScratch) == 0x11111111u);

  // Short frames: a request cut before its 64th bit applies nothing.
  const Request w = make_request(link::kCmdWrite, kScratch, 0x33333333);
  for (int nbits : {0, 1, 7, 8, 32, 56, 63}) {
    INFO("nbits " << nbits);
    b.transfer(w, nbits);
    ++expected_errors;
    CHECK(b.read(kScratch) == 0x11111111u);
  }
  // A frame cut or extended after the request: the write was applied at the end of byte 7
  // (as the status said), but the frame is still counted as bad.
  for (int nbits : {64, 80, 111, 113, 127, 200}) {
    INFO("nbits " << nbits);
    b.write(kScratch, 0x11111111);
    b.transfer(w, nbits);
    ++expected_errors;
    CHECK(b.read(kScratch) == 0x33333333u);
  }
  CHECK(err_count(b) - c0 == expected_errors);
  CHECK(!b.ctx->gotError());
}

TEST_CASE("fpga link: K consecutive bad frames force the safe state") {
  Board b;
  b.reset();
  REQUIRE(b.leave_safe());
  const std::uint32_t k = regs::link_cfg::bad_limit::kReset;
  REQUIRE(k == 3);
  const Request bad_crc = [] {
    Request r = make_request(link::kCmdWrite, kScratch, 1);
    r[7] ^= 1;
    return r;
  }();
  // K-1 bad frames, then a good one: the streak restarts, no safe state.
  for (std::uint32_t i = 0; i + 1 < k; ++i) b.transfer(bad_crc);
  CHECK(b.outputs_safe() == false);
  CHECK(streak(b) == k - 1);  // this read is the good frame that ends the streak
  CHECK(streak(b) == 0);
  CHECK(!board_safe(b));
  // K bad frames in a row: safe, cause_link.
  for (std::uint32_t i = 0; i < k; ++i) b.transfer(bad_crc);
  b.tick(4);
  CHECK(b.outputs_safe());
  const std::uint32_t st = b.read(regs::safe_status::kOffset);
  CHECK((st & regs::safe_status::safe::kMask) != 0);
  CHECK((st & regs::safe_status::cause_link::kMask) != 0);
  // Recovery: good frames (kick) end the streak, then the clear is accepted.
  CHECK(b.leave_safe());
  CHECK(!b.outputs_safe());
  // K = 0 disables the limit.
  b.write(regs::link_cfg::kOffset, 0);
  for (int i = 0; i < 20; ++i) b.transfer(bad_crc);
  CHECK(!board_safe(b));
  CHECK(!b.ctx->gotError());
}

// The link streak is still >= K while the first good frame after K bad ones is decoded, so a
// SAFE_CLEAR in that very frame is ignored, although the frame's status reports the write as
// applied (it was: SAFE_CLEAR is a write strobe). The next SAFE_CLEAR is taken (register map,
// SAFE_CLEAR).
TEST_CASE("fpga link: a SAFE_CLEAR right after K bad frames is ignored, the next one is taken") {
  Board b;
  b.reset();
  REQUIRE(b.leave_safe());
  b.write(regs::wdog_ctrl::kOffset, 0);  // only the link can keep the board safe here
  const std::uint32_t k = regs::link_cfg::bad_limit::kReset;
  const Request bad_crc = [] {
    Request r = make_request(link::kCmdWrite, kScratch, 1);
    r[7] ^= 1;
    return r;
  }();
  for (std::uint32_t i = 0; i < k; ++i) b.transfer(bad_crc);
  b.tick(4);
  REQUIRE(b.outputs_safe());
  const Reply first =
      b.xfer(link::kCmdWrite, regs::safe_clear::kOffset, regs::safe_clear::clear::kMask);
  CHECK(first.ok());
  CHECK((first.status & link::kStatusWriteApplied) != 0);
  b.tick(4);
  CHECK(board_safe(b));  // ignored
  b.write(regs::safe_clear::kOffset, regs::safe_clear::clear::kMask);
  b.tick(4);
  CHECK(!board_safe(b));
  CHECK(!b.outputs_safe());
  CHECK(!b.ctx->gotError());
}

TEST_CASE("fpga link: MISO stuck at 0 or 1 is caught by the host decode in one frame") {
  Board b;
  b.reset();
  for (int level : {0, 1}) {
    INFO("stuck at " << level);
    b.miso_force = level;
    const Reply r = b.xfer(link::kCmdRead, regs::id::kOffset, 0);
    CHECK(r.error == ReplyError::kPattern);
    CHECK(!r.ok());
  }
  b.miso_force = -1;
  CHECK(b.xfer(link::kCmdRead, regs::id::kOffset, 0).ok());
  // Any single flipped reply bit is caught too (pattern or CRC).
  const ReplyBytes good = b.transfer(make_request(link::kCmdRead, regs::id::kOffset, 0));
  REQUIRE(decode_reply(good).ok());
  for (int bit = 0; bit < 48; ++bit) {
    ReplyBytes x = good;
    x[static_cast<std::size_t>(bit / 8)] ^= static_cast<std::uint8_t>(0x80u >> (bit % 8));
    CHECK(decode_reply(x).error != ReplyError::kNone);
  }
  CHECK(!b.ctx->gotError());
}

TEST_CASE("fpga link: a FIFO read pops only when its frame completes") {
  Board b;
  b.reset();
  for (std::uint32_t v : {0x0101u, 0x0202u}) b.write(regs::fifo_push::kOffset, v);
  CHECK((b.read(regs::fifo_status::kOffset) & regs::fifo_status::depth::kMask) == 2);
  const Request rd = make_request(link::kCmdRead, regs::fifo_data::kOffset, 0);
  // Aborted after the request and mid-reply: the word was sampled but not popped.
  for (int nbits : {64, 90, 111}) {
    b.transfer(rd, nbits);
    CHECK((b.read(regs::fifo_status::kOffset) & regs::fifo_status::depth::kMask) == 2);
  }
  Reply r = decode_reply(b.transfer(rd));
  CHECK(r.ok());
  CHECK(r.rdata == (regs::fifo_data::valid::kMask | (0x7Fu << 16) | 0x0101u));
  CHECK((b.read(regs::fifo_status::kOffset) & regs::fifo_status::depth::kMask) == 1);
  r = decode_reply(b.transfer(rd));
  CHECK(r.rdata == (regs::fifo_data::valid::kMask | (0x7Fu << 16) | 0x0202u));
  r = decode_reply(b.transfer(rd));
  CHECK(r.ok());
  CHECK(r.rdata == 0);  // empty: valid = 0, nothing popped
  CHECK(b.read(regs::fifo_status::kOffset) == regs::fifo_status::empty::kMask);
  CHECK(!b.ctx->gotError());
}
