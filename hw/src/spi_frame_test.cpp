// Tests of the SPI frame format: CRC-8 vectors, request encoding, reply classification, and
// the bit-level mode-0 behaviour of BitBangTransport against a pin-level fake board.
#include "tern/hw/spi_frame.h"

#include <doctest/doctest.h>

#include <vector>

#include "tern/hw/spi_bus.h"

namespace tern::hw {
namespace {

TEST_SUITE("hw.spi_frame") {
  TEST_CASE("CRC-8 poly 0x07 init 0 matches published vectors") {
    const std::string check = "123456789";
    // CRC-8/SMBUS check value from the CRC catalogue.
    CHECK(spi::Crc8(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(check.data()),
                                             check.size())) == 0xF4);
    const uint8_t one[] = {0x01};
    CHECK(spi::Crc8(one) == 0x07);  // a single bit shifts out as the polynomial
    const uint8_t ff[] = {0xFF};
    CHECK(spi::Crc8(ff) == 0xF3);
    CHECK(spi::Crc8(std::span<const uint8_t>()) == 0x00);
  }

  TEST_CASE("request frames are big-endian with the CRC over bytes 0..6") {
    const spi::RequestFrame rd = spi::EncodeRequest(false, 0x0010, 0xFFFFFFFF);
    CHECK(rd == spi::RequestFrame{0x5A, 0x00, 0x10, 0, 0, 0, 0, 0xF7});  // read data is zero
    const spi::RequestFrame wr = spi::EncodeRequest(true, 0x0040, 0x12345678);
    CHECK(wr == spi::RequestFrame{0xA5, 0x00, 0x40, 0x12, 0x34, 0x56, 0x78, 0x55});
  }

  TEST_CASE("reply decode: good reply, flags and data") {
    const spi::ReplyFrame r{0xA7, 0xDE, 0xAD, 0xBE, 0xEF, 0x00};
    spi::ReplyFrame good = spi::EncodeReply(0xA7, 0xDEADBEEF);
    CHECK(good[5] == spi::Crc8(std::span<const uint8_t>(good.data(), 5)));
    const spi::DecodedReply d = spi::DecodeReply(good);
    CHECK(d.kind == spi::ReplyKind::kOk);
    CHECK(d.rdata == 0xDEADBEEF);
    CHECK(d.write_applied());
    CHECK(d.safe_state());
    CHECK(d.irq_pending());
    CHECK_FALSE(d.bad_request());
    CHECK(spi::DecodeReply(r).kind == spi::ReplyKind::kCrcMismatch);
    CHECK(spi::EncodeReply(0xA0, 0xDEADBEEF)[5] == 0x39);  // vector from a reference CRC
  }

  TEST_CASE("all-zero reply has a valid CRC but is reported as MISO stuck low") {
    spi::ReplyFrame zeros{};
    CHECK(spi::Crc8(std::span<const uint8_t>(zeros.data(), 5)) == zeros[5]);
    CHECK(spi::DecodeReply(zeros).kind == spi::ReplyKind::kStuckLow);
    spi::ReplyFrame ones;
    ones.fill(0xFF);
    CHECK(spi::DecodeReply(ones).kind == spi::ReplyKind::kStuckHigh);
    // One bit of the pattern flipped is a pattern error, not a CRC error.
    CHECK(spi::DecodeReply(spi::EncodeReply(0x20, 1)).kind == spi::ReplyKind::kBadPattern);
    CHECK(spi::DecodeReply(spi::EncodeReply(0xA0, 1)).kind == spi::ReplyKind::kOk);
  }

  TEST_CASE("a status saying both rejected and applied is a pattern error, CRC or not") {
    // Found by the spi_frame fuzz target (tests/fuzz/regressions/spi_frame/): the board never
    // sets both bits, and taking such a reply as a rejection resent an applied write.
    CHECK(spi::DecodeReply(spi::EncodeReply(0xAC, 0)).kind == spi::ReplyKind::kBadPattern);
    CHECK(spi::DecodeReply(spi::EncodeReply(0xAF, 0)).kind == spi::ReplyKind::kBadPattern);
    CHECK(spi::DecodeReply(spi::EncodeReply(0xA8, 0)).kind == spi::ReplyKind::kOk);
    CHECK(spi::DecodeReply(spi::EncodeReply(0xA4, 0)).kind == spi::ReplyKind::kOk);
  }
}

// A mode-0 SPI slave at pin level: samples MOSI on SCLK rising edges while CS is low, shifts
// the reply out MSB first, changing MISO only on falling edges, and records protocol
// violations the master must never commit.
class PinLevelSlave final : public SpiPins {
 public:
  // With `shift_on_rise`, reply bit k appears right after the rising edge of frame bit 63+k,
  // as the RTL behaves when SCLK is slow next to its 50 MHz clock (real GPIO); otherwise it
  // changes on the falling edge, the textbook mode-0 slave.
  explicit PinLevelSlave(spi::ReplyFrame reply, bool shift_on_rise = false)
      : reply_(reply), shift_on_rise_(shift_on_rise) {}
  Status SetCs(bool v) override {
    if (cs_ && !v) {  // falling: frame start
      bits_.clear();
      miso_ = false;
    }
    if (!cs_ && v) ++frames_;
    cs_ = v;
    return Status::Ok();
  }
  Status SetSclk(bool v) override {
    if (!cs_ && !sclk_ && v) {  // rising: sample MOSI
      bits_.push_back(mosi_);
      const size_t n = bits_.size();  // frame bit n-1 just clocked
      if (shift_on_rise_ && n >= 64 && n < 112) {
        const size_t i = n - 64;
        miso_ = (reply_[i / 8] >> (7 - i % 8)) & 1;
      }
    }
    if (!shift_on_rise_ && !cs_ && sclk_ && !v) {  // falling: next MISO bit
      const size_t n = bits_.size();
      if (n >= 64 && n < 112) {
        const size_t i = n - 64;
        miso_ = (reply_[i / 8] >> (7 - i % 8)) & 1;
      }
    }
    sclk_ = v;
    return Status::Ok();
  }
  Status SetMosi(bool v) override {
    if (sclk_ && !cs_) ++mosi_changed_while_high_;
    mosi_ = v;
    return Status::Ok();
  }
  Result<bool> GetMiso() override { return miso_; }
  void HalfBit() override {}
  std::string MisoName() const override { return "MISO (pin-level slave)"; }

  std::vector<uint8_t> Bytes() const {
    std::vector<uint8_t> out(bits_.size() / 8, 0);
    for (size_t i = 0; i < out.size() * 8; ++i) out[i / 8] |= uint8_t(bits_[i] << (7 - i % 8));
    return out;
  }

  spi::ReplyFrame reply_;
  bool shift_on_rise_;
  bool cs_ = true, sclk_ = false, mosi_ = false, miso_ = false;
  std::vector<bool> bits_;
  int frames_ = 0;
  int mosi_changed_while_high_ = 0;
};

TEST_SUITE("hw.spi_frame") {
  TEST_CASE("BitBangTransport clocks 112 bits in mode 0, MSB first, and reads the reply") {
    PinLevelSlave slave(spi::EncodeReply(0xA4, 0xCAFEF00D));
    BitBangTransport t(&slave);
    const spi::RequestFrame req = spi::EncodeRequest(true, 0x1234, 0x89ABCDEF);
    spi::ReplyFrame reply{};
    REQUIRE(t.Transfer(req, &reply).ok());
    CHECK(slave.frames_ == 1);
    CHECK(slave.cs_);  // deselected afterwards
    CHECK_FALSE(slave.sclk_);
    CHECK(slave.mosi_changed_while_high_ == 0);
    REQUIRE(slave.bits_.size() == 112);
    const std::vector<uint8_t> got = slave.Bytes();
    for (size_t i = 0; i < 8; ++i) CHECK(got[i] == req[i]);
    for (size_t i = 8; i < 14; ++i) CHECK(got[i] == 0x00);  // host sends zeros in the reply
    CHECK(reply == spi::EncodeReply(0xA4, 0xCAFEF00D));
  }

  TEST_CASE("a pin failure mid-frame leaves the board deselected and names the line") {
    // Pins that fail the 30th SCLK change, as an ioctl error on real GPIO would.
    class FailingPins final : public SpiPins {
     public:
      explicit FailingPins(PinLevelSlave* inner) : inner_(inner) {}
      Status SetCs(bool v) override { return inner_->SetCs(v); }
      Status SetSclk(bool v) override {
        if (++sclk_calls_ == 30) return Status::IoError("SCLK (test chip line 0): set failed");
        return inner_->SetSclk(v);
      }
      Status SetMosi(bool v) override { return inner_->SetMosi(v); }
      Result<bool> GetMiso() override { return inner_->GetMiso(); }
      void HalfBit() override {}
      std::string MisoName() const override { return inner_->MisoName(); }

     private:
      PinLevelSlave* inner_;
      int sclk_calls_ = 0;
    };
    PinLevelSlave slave(spi::EncodeReply(0xA0, 0));
    FailingPins pins(&slave);
    BitBangTransport t(&pins);
    spi::ReplyFrame reply{};
    const Status s = t.Transfer(spi::EncodeRequest(false, 0x0004, 0), &reply);
    CHECK(s.code() == Status::Code::kIoError);
    CHECK(s.message().find("SCLK") != std::string::npos);
    CHECK(slave.cs_);  // deselected: the next frame starts clean
    CHECK(slave.frames_ == 1);
  }

  TEST_CASE("MISO is sampled before SCLK rises, so a board that shifts on the rise is read right") {
    PinLevelSlave slave(spi::EncodeReply(0xA1, 0x12345678), /*shift_on_rise=*/true);
    BitBangTransport t(&slave);
    spi::ReplyFrame reply{};
    REQUIRE(t.Transfer(spi::EncodeRequest(false, 0x0004, 0), &reply).ok());
    CHECK(reply == spi::EncodeReply(0xA1, 0x12345678));
  }
}

}  // namespace
}  // namespace tern::hw
