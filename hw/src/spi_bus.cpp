// SpiRegisterBus and BitBangTransport: the frame layer every bit-banging backend shares.
#include "tern/hw/spi_bus.h"

#include <spdlog/spdlog.h>

#include <cstdio>

#include "tern/hw/board_regs.h"

namespace tern::hw {

// The frame layer's constants must match the generated link description.
static_assert(spi::kCmdRead == regs::link::kCmdRead && spi::kCmdWrite == regs::link::kCmdWrite);
static_assert(spi::kFrameBytes == regs::link::kFrameBytes &&
              spi::kRequestBytes == regs::link::kRequestBytes &&
              spi::kReplyBytes == regs::link::kReplyBytes);
static_assert(spi::kStatusPattern == regs::link::kStatusPattern &&
              spi::kStatusPatternMask == regs::link::kStatusPatternMask &&
              spi::kStatusBadRequest == regs::link::kStatusBad &&
              spi::kStatusWriteApplied == regs::link::kStatusWriteApplied &&
              spi::kStatusSafeState == regs::link::kStatusSafe &&
              spi::kStatusIrqPending == regs::link::kStatusIrq);
static_assert([] {
  const uint8_t v[] = {0xA5, 0x01, 0x0C, 0xDE, 0xAD, 0xBE, 0xEF};
  return spi::Crc8(v) == regs::link::crc8(v, sizeof v);
}());

namespace spi {
const char* ReplyKindName(ReplyKind k) {
  switch (k) {
    case ReplyKind::kOk:
      return "ok";
    case ReplyKind::kStuckLow:
      return "MISO stuck low (status 0x00)";
    case ReplyKind::kStuckHigh:
      return "MISO stuck high (status 0xFF)";
    case ReplyKind::kBadPattern:
      return "bad status pattern";
    case ReplyKind::kCrcMismatch:
      return "reply CRC-8 mismatch";
  }
  return "?";
}
}  // namespace spi

Status BitBangTransport::Clock(const spi::RequestFrame& req, spi::ReplyFrame* reply) {
  TERN_RETURN_IF_ERROR(pins_->SetSclk(false));
  TERN_RETURN_IF_ERROR(pins_->SetCs(false));
  pins_->HalfBit();
  for (size_t byte = 0; byte < spi::kFrameBytes; ++byte) {
    const uint8_t out = byte < spi::kRequestBytes ? req[byte] : 0;
    uint8_t in = 0;
    for (int bit = 7; bit >= 0; --bit) {
      TERN_RETURN_IF_ERROR(pins_->SetMosi((out >> bit) & 1));
      pins_->HalfBit();
      // Sample MISO at the rising edge, before SCLK goes high: the board drives reply bit k
      // a few system clocks after the rising edge of bit 63+k and holds it through the
      // next rising edge, so a read after raising SCLK could already see the next bit.
      TERN_ASSIGN_OR_RETURN(bool miso, pins_->GetMiso());
      in = static_cast<uint8_t>((in << 1) | (miso ? 1 : 0));
      TERN_RETURN_IF_ERROR(pins_->SetSclk(true));
      pins_->HalfBit();
      TERN_RETURN_IF_ERROR(pins_->SetSclk(false));
    }
    if (byte >= spi::kRequestBytes) (*reply)[byte - spi::kRequestBytes] = in;
  }
  TERN_RETURN_IF_ERROR(pins_->SetMosi(false));
  pins_->HalfBit();
  TERN_RETURN_IF_ERROR(pins_->SetCs(true));
  // CS-high gap so the board sees the frame end before the next one starts.
  pins_->HalfBit();
  pins_->HalfBit();
  return Status::Ok();
}

Status BitBangTransport::Transfer(const spi::RequestFrame& req, spi::ReplyFrame* reply) {
  Status s = Clock(req, reply);
  if (!s.ok()) {
    // Deselect so the next frame starts clean; the board counts the cut frame as bad.
    (void)pins_->SetCs(true);  // best effort: the frame error `s` is what the caller needs
  }
  return s;
}

SpiRegisterBus::SpiRegisterBus(std::unique_ptr<FrameTransport> transport, RetryPolicy policy)
    : transport_(std::move(transport)), policy_(policy) {
  if (policy_.max_attempts < 1) policy_.max_attempts = 1;
}

SpiRegisterBus::~SpiRegisterBus() = default;

Status SpiRegisterBus::Read(uint16_t addr, uint32_t* out) {
  std::lock_guard<std::mutex> lock(mu_);
  return DoAccess(false, addr, 0, out);
}

Status SpiRegisterBus::Write(uint16_t addr, uint32_t value) {
  std::lock_guard<std::mutex> lock(mu_);
  return DoAccess(true, addr, value, nullptr);
}

BusCounters SpiRegisterBus::counters() const {
  std::lock_guard<std::mutex> lock(stats_mu_);
  return counters_;
}

BoardFlags SpiRegisterBus::last_flags() const {
  std::lock_guard<std::mutex> lock(stats_mu_);
  return flags_;
}

namespace {
std::string Hex(uint32_t v, int digits) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%0*X", digits, v);
  return buf;
}
}  // namespace

Status SpiRegisterBus::DoAccess(bool write, uint16_t addr, uint32_t wdata, uint32_t* rdata) {
  const char* verb = write ? "write" : "read";
  auto fail = [&](Status s) {
    std::lock_guard<std::mutex> lock(stats_mu_);
    ++counters_.failures;
    return s;
  };
  // The board counts a frame to an unaligned or unmapped address as bad, and K bad frames in
  // a row force the safe state, so such an access must never reach the wire (or be retried).
  if (addr % 4 != 0 || regs::find(addr) == nullptr) {
    return fail(Status::InvalidArgument(std::string(verb) + " " + RegisterLabel(addr) +
                                        ": not a register in board_regs.h"));
  }
  const bool pops = (regs::find(addr)->flags & regs::kFlagPop) != 0;
  const spi::RequestFrame req = spi::EncodeRequest(write, addr, wdata);
  std::string last_error;
  spi::ReplyKind last_kind = spi::ReplyKind::kOk;
  int sent = 0;
  for (int attempt = 0; attempt < policy_.max_attempts; ++attempt) {
    ++sent;
    if (attempt > 0) {
      std::lock_guard<std::mutex> lock(stats_mu_);
      ++counters_.retries;
    }
    spi::ReplyFrame reply{};
    Status ts = transport_->Transfer(req, &reply);
    {
      std::lock_guard<std::mutex> lock(stats_mu_);
      ++counters_.frames;
    }
    if (!ts.ok()) {
      return fail(ts.WithContext(std::string(verb) + " " + RegisterLabel(addr)));
    }
    const spi::DecodedReply d = spi::DecodeReply(reply);
    last_kind = d.kind;
    {
      std::lock_guard<std::mutex> lock(stats_mu_);
      switch (d.kind) {
        case spi::ReplyKind::kOk:
          flags_.safe_state = d.safe_state();
          flags_.irq_pending = d.irq_pending();
          if (d.bad_request()) ++counters_.bad_requests;
          break;
        case spi::ReplyKind::kStuckLow:
        case spi::ReplyKind::kStuckHigh:
          ++counters_.stuck_line;
          break;
        case spi::ReplyKind::kBadPattern:
          ++counters_.bad_patterns;
          break;
        case spi::ReplyKind::kCrcMismatch:
          ++counters_.crc_errors;
          break;
      }
    }
    if (d.kind == spi::ReplyKind::kOk) {
      if (d.bad_request()) {
        // The board saw a corrupt request and applied nothing: always safe to resend.
        last_error = "board rejected the request (status " + Hex(d.status, 2) +
                     ", bad request CRC), nothing applied";
        spdlog::debug("hw: {} {}: {}, attempt {}", verb, RegisterLabel(addr), last_error,
                      attempt + 1);
        continue;
      }
      if (write && !d.write_applied()) {
        return fail(Status::FailedPrecondition(std::string("write ") + RegisterLabel(addr) + " = " +
                                               Hex(wdata, 8) + ": board did not apply it (status " +
                                               Hex(d.status, 2) +
                                               "; read-only or unmapped register?)"));
      }
      std::lock_guard<std::mutex> lock(stats_mu_);
      if (write) {
        ++counters_.writes;
      } else {
        *rdata = d.rdata;
        ++counters_.reads;
      }
      return Status::Ok();
    }
    // The reply is unreadable.
    if (d.kind == spi::ReplyKind::kCrcMismatch) {
      last_error = std::string(spi::ReplyKindName(d.kind)) + " (got " + Hex(d.crc_received, 2) +
                   ", computed " + Hex(d.crc_computed, 2) + ")";
    } else if (d.kind == spi::ReplyKind::kBadPattern) {
      last_error = "bad status pattern " + Hex(d.status, 2) +
                   " (expected 0xA_, never rejected and applied at once) on " +
                   transport_->MisoName();
    } else {
      last_error = std::string(spi::ReplyKindName(d.kind)) + " on " + transport_->MisoName();
    }
    if (write) {
      // Whether the write applied is unknown; repeating it could double a side effect.
      last_error += "; the write may or may not have applied";
      break;
    }
    if (pops) {
      // The frame completed, so the board popped the entry: a resend would silently return
      // the next one. Report the loss instead.
      last_error += "; the board popped this entry, its value is lost";
      break;
    }
    spdlog::debug("hw: {} {}: {}, attempt {}", verb, RegisterLabel(addr), last_error, attempt + 1);
  }
  std::string msg = std::string(verb) + " " + RegisterLabel(addr) + ": " + last_error;
  if (sent > 1) msg += " (after " + std::to_string(sent) + " frames)";
  switch (last_kind) {
    case spi::ReplyKind::kStuckLow:
    case spi::ReplyKind::kStuckHigh:
      return fail(Status::Unavailable(msg));
    default:
      return fail(Status::Corruption(msg));
  }
}

Result<bool> RegisterBus::WaitIrq(std::chrono::nanoseconds /*timeout*/) {
  return Status::Unavailable("WaitIrq: " + Describe() + " has no IRQ line");
}

}  // namespace tern::hw
