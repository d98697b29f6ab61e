// Fuzz target "spi_frame": the host-link SPI frame decoder (hw/spi_frame.h: DecodeReply) and
// the retry policy of SpiRegisterBus (hw/spi_bus.h) that acts on what it decodes, with the
// board's replies taken from the input.
//
// Input, read front to back: an access is one op byte (bit 7: write; bits 0..6 pick a
// register of board_regs.h, or an address from the next two bytes), then four data bytes for
// a write; every frame the bus clocks takes its six reply bytes from the input, and when
// fewer remain the transport fails as a GPIO ioctl would.
//
// Invariants: each reply is classified as spi_frame.h says (stuck status first, then the
// 0xA_ pattern and never "rejected" with "applied", then the CRC) and a good one is exactly
// EncodeReply(status, rdata); every request on the wire is EncodeRequest of the access; an access
// never reaches the wire for an unmapped or unaligned address; at most max_attempts frames per
// access, and a frame is sent again only when the board rejected the request, or when a read of a
// register that does not pop got an unreadable reply (never a write, never a popping read); an OK
// result comes from a good reply (a write one the board applied, a read with its data); the error
// code follows the last reply; the counters add up.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "tern/hw/board_regs.h"
#include "tern/hw/spi_bus.h"

namespace {

namespace spi = tern::hw::spi;
namespace regs = tern::hw::regs;
using tern::Status;

class Input {
 public:
  Input(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool Take(size_t n, const uint8_t** out) {
    if (size_ - pos_ < n) return false;
    *out = data_ + pos_;
    pos_ += n;
    return true;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

void CheckDecode(const spi::ReplyFrame& r, const spi::DecodedReply& d) {
  const bool crc_ok = spi::Crc8(r) == 0;  // the CRC over data and its CRC leaves no residue
  TERN_FUZZ_CHECK(crc_ok == (d.crc_received == d.crc_computed), "CRC residue");
  spi::ReplyKind want = spi::ReplyKind::kOk;
  if (r[0] == 0x00) {
    want = spi::ReplyKind::kStuckLow;
  } else if (r[0] == 0xFF) {
    want = spi::ReplyKind::kStuckHigh;
  } else if ((r[0] & 0xF0) != 0xA0 || (r[0] & 0x0C) == 0x0C) {  // rejected and applied: never
    want = spi::ReplyKind::kBadPattern;
  } else if (!crc_ok) {
    want = spi::ReplyKind::kCrcMismatch;
  }
  TERN_FUZZ_CHECK(d.kind == want, "reply classification");
  if (d.kind == spi::ReplyKind::kOk) {
    TERN_FUZZ_CHECK(spi::EncodeReply(d.status, d.rdata) == r, "a good reply re-encodes");
  }
}

// The board side of the wire: checks each request and answers with input bytes.
class ScriptedTransport final : public tern::hw::FrameTransport {
 public:
  explicit ScriptedTransport(Input* in) : in_(in) {}
  Status Transfer(const spi::RequestFrame& req, spi::ReplyFrame* reply) override {
    ++transfers;
    TERN_FUZZ_CHECK(req == spi::EncodeRequest(write, addr, write ? data : 0), "request frame");
    const uint8_t* bytes = nullptr;
    if (!in_->Take(spi::kReplyBytes, &bytes)) return Status::IoError("script ended");
    for (size_t i = 0; i < spi::kReplyBytes; ++i) (*reply)[i] = bytes[i];
    replies.push_back(spi::DecodeReply(*reply));
    CheckDecode(*reply, replies.back());
    return Status::Ok();
  }
  std::string MisoName() const override { return "MISO (fuzz)"; }

  // The access in progress, set by the driver.
  bool write = false;
  uint16_t addr = 0;
  uint32_t data = 0;
  std::vector<spi::DecodedReply> replies;  // of this access
  int transfers = 0;                       // frames clocked for this access

 private:
  Input* in_;
};

// SpiRegisterBus as the backends use it (they subclass it to say what they are).
class FuzzBus final : public tern::hw::SpiRegisterBus {
 public:
  using SpiRegisterBus::SpiRegisterBus;
  std::string Describe() const override { return "fuzz script"; }
};

bool Unreadable(const spi::DecodedReply& d) { return d.kind != spi::ReplyKind::kOk; }

void CheckAccess(const ScriptedTransport& t, const Status& s, uint32_t read_value,
                 bool script_ended, int max_attempts) {
  const regs::RegInfo* reg = regs::find(t.addr);
  const bool mapped = t.addr % 4 == 0 && reg != nullptr;
  if (!mapped) {
    TERN_FUZZ_CHECK(s.code() == Status::Code::kInvalidArgument && t.transfers == 0,
                    "an unmapped address never reaches the wire");
    return;
  }
  const bool pops = (reg->flags & regs::kFlagPop) != 0;
  TERN_FUZZ_CHECK(t.transfers >= 1 && t.transfers <= max_attempts, "frames per access");
  const size_t answered = t.replies.size();
  // Every answered frame but the last was followed by a resend: was that allowed?
  for (size_t i = 0; i + 1 < static_cast<size_t>(t.transfers) && i < answered; ++i) {
    const auto& d = t.replies[i];
    // A write goes again only when the board said it applied nothing: rejected, and not
    // also claiming the write applied (the RTL never sets both; a reply that does is no
    // statement that nothing happened).
    const bool rejected =
        d.kind == spi::ReplyKind::kOk && d.bad_request() && !(t.write && d.write_applied());
    TERN_FUZZ_CHECK(rejected || (!t.write && !pops && Unreadable(d)), "resend allowed");
  }
  if (script_ended) {
    TERN_FUZZ_CHECK(s.code() == Status::Code::kIoError, "a failed transfer is an I/O error");
    return;
  }
  const auto& last = t.replies.back();
  if (s.ok()) {
    TERN_FUZZ_CHECK(last.kind == spi::ReplyKind::kOk && !last.bad_request(), "OK from good reply");
    if (t.write) {
      TERN_FUZZ_CHECK(last.write_applied(), "an OK write was applied");
    } else {
      TERN_FUZZ_CHECK(read_value == last.rdata, "an OK read returns the reply's data");
    }
    return;
  }
  switch (last.kind) {
    case spi::ReplyKind::kStuckLow:
    case spi::ReplyKind::kStuckHigh:
      TERN_FUZZ_CHECK(s.code() == Status::Code::kUnavailable, "stuck line is Unavailable");
      break;
    case spi::ReplyKind::kBadPattern:
    case spi::ReplyKind::kCrcMismatch:
      TERN_FUZZ_CHECK(s.code() == Status::Code::kCorruption, "unreadable reply is Corruption");
      break;
    case spi::ReplyKind::kOk:
      if (last.bad_request()) {
        TERN_FUZZ_CHECK(t.transfers == max_attempts && s.code() == Status::Code::kCorruption,
                        "rejected until the attempts ran out");
      } else {
        TERN_FUZZ_CHECK(
            t.write && !last.write_applied() && s.code() == Status::Code::kFailedPrecondition,
            "a good reply fails only a write the board did not apply");
      }
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in(data, size);
  constexpr int kMaxAttempts = 3;
  auto owned = std::make_unique<ScriptedTransport>(&in);
  ScriptedTransport* t = owned.get();
  FuzzBus bus(std::move(owned), tern::hw::RetryPolicy{kMaxAttempts});

  tern::hw::BusCounters want;
  const uint8_t* b = nullptr;
  for (int access = 0; access < 64 && in.Take(1, &b); ++access) {
    const uint8_t op = *b;
    t->write = (op & 0x80) != 0;
    const size_t pick = (op & 0x7F) % (regs::kRegisters.size() + 1);
    if (pick < regs::kRegisters.size()) {
      t->addr = regs::kRegisters[pick].offset;
    } else if (in.Take(2, &b)) {
      t->addr = static_cast<uint16_t>(b[0] << 8 | b[1]);
    } else {
      break;
    }
    t->data = 0;
    if (t->write) {
      if (!in.Take(4, &b)) break;
      t->data = uint32_t{b[0]} << 24 | uint32_t{b[1]} << 16 | uint32_t{b[2]} << 8 | b[3];
    }
    t->replies.clear();
    t->transfers = 0;
    uint32_t value = 0;
    Status s = t->write ? bus.Write(t->addr, t->data) : bus.Read(t->addr, &value);
    const bool ended = t->transfers > 0 && t->replies.size() < static_cast<size_t>(t->transfers);
    CheckAccess(*t, s, value, ended, kMaxAttempts);

    want.frames += static_cast<uint64_t>(t->transfers);
    if (t->transfers > 1) want.retries += static_cast<uint64_t>(t->transfers - 1);
    if (s.ok()) {
      ++(t->write ? want.writes : want.reads);
    } else {
      ++want.failures;
    }
    for (const auto& d : t->replies) {
      switch (d.kind) {
        case spi::ReplyKind::kOk:
          if (d.bad_request()) ++want.bad_requests;
          break;
        case spi::ReplyKind::kStuckLow:
        case spi::ReplyKind::kStuckHigh:
          ++want.stuck_line;
          break;
        case spi::ReplyKind::kBadPattern:
          ++want.bad_patterns;
          break;
        case spi::ReplyKind::kCrcMismatch:
          ++want.crc_errors;
          break;
      }
    }
    const tern::hw::BusCounters got = bus.counters();
    TERN_FUZZ_CHECK(got.frames == want.frames && got.retries == want.retries &&
                        got.reads == want.reads && got.writes == want.writes &&
                        got.failures == want.failures && got.bad_requests == want.bad_requests &&
                        got.stuck_line == want.stuck_line &&
                        got.bad_patterns == want.bad_patterns && got.crc_errors == want.crc_errors,
                    "counters add up");
  }
  return 0;
}
