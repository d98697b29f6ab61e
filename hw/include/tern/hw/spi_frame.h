// The host-link SPI frame: encoding, CRC-8 and reply decoding, shared by every backend.
//
// A frame is 14 bytes clocked with CS low (SPI mode 0, MSB first). Host to board, bytes
// 0..7: cmd (0x5A read / 0xA5 write), addr[15:8], addr[7:0], data[31:24..7:0], crc8 over
// bytes 0..6. Bytes 8..13: the host sends zeros and the board answers status,
// rdata[31:24..7:0], crc8 over those five bytes. CRC-8: poly 0x07, init 0, no reflection,
// no xor-out. The status byte's upper nibble is the fixed pattern 0b1010 so a MISO line stuck
// at 0 or 1 (0x00 / 0xFF) is told apart from a CRC error.
// Thread-safety: free functions over value types; safe from any thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace tern::hw::spi {

inline constexpr uint8_t kCmdRead = 0x5A;
inline constexpr uint8_t kCmdWrite = 0xA5;
inline constexpr size_t kRequestBytes = 8;
inline constexpr size_t kReplyBytes = 6;
inline constexpr size_t kFrameBytes = kRequestBytes + kReplyBytes;  // 14 bytes, 112 bits

inline constexpr uint8_t kStatusPatternMask = 0xF0;
inline constexpr uint8_t kStatusPattern = 0xA0;
inline constexpr uint8_t kStatusBadRequest = 1u << 3;
inline constexpr uint8_t kStatusWriteApplied = 1u << 2;
inline constexpr uint8_t kStatusSafeState = 1u << 1;
inline constexpr uint8_t kStatusIrqPending = 1u << 0;
// Never both in one reply: the board applies only a request it accepted.
inline constexpr uint8_t kStatusRejectedAndApplied = kStatusBadRequest | kStatusWriteApplied;

using RequestFrame = std::array<uint8_t, kRequestBytes>;
using ReplyFrame = std::array<uint8_t, kReplyBytes>;

// CRC-8, polynomial x^8+x^2+x+1 (0x07), init 0x00, MSB first, no reflection, no xor-out
// (CRC-8/SMBUS). Crc8("123456789") == 0xF4.
constexpr uint8_t Crc8(std::span<const uint8_t> bytes) {
  uint8_t crc = 0;
  for (uint8_t b : bytes) {
    crc ^= b;
    for (int i = 0; i < 8; ++i) {
      crc = (crc & 0x80) ? static_cast<uint8_t>((crc << 1) ^ 0x07) : static_cast<uint8_t>(crc << 1);
    }
  }
  return crc;
}

// Builds the eight request bytes for a read (data ignored, sent as zero) or a write.
constexpr RequestFrame EncodeRequest(bool write, uint16_t addr, uint32_t data) {
  if (!write) data = 0;
  RequestFrame f{write ? kCmdWrite : kCmdRead,     static_cast<uint8_t>(addr >> 8),
                 static_cast<uint8_t>(addr),       static_cast<uint8_t>(data >> 24),
                 static_cast<uint8_t>(data >> 16), static_cast<uint8_t>(data >> 8),
                 static_cast<uint8_t>(data),       0};
  f[7] = Crc8(std::span<const uint8_t>(f.data(), 7));
  return f;
}

// Builds a board reply (used by fakes and tests; the RTL builds the real one).
constexpr ReplyFrame EncodeReply(uint8_t status, uint32_t rdata) {
  ReplyFrame r{status,
               static_cast<uint8_t>(rdata >> 24),
               static_cast<uint8_t>(rdata >> 16),
               static_cast<uint8_t>(rdata >> 8),
               static_cast<uint8_t>(rdata),
               0};
  r[5] = Crc8(std::span<const uint8_t>(r.data(), 5));
  return r;
}

// What a reply says, before any policy is applied.
enum class ReplyKind {
  kOk,           // pattern and CRC good
  kStuckLow,     // status byte 0x00: MISO stuck low (or board unpowered / not driving)
  kStuckHigh,    // status byte 0xFF: MISO stuck high (or pulled up, board absent)
  kBadPattern,   // upper nibble is neither 0xA nor a stuck value, or the status says both
                 // "request rejected" and "write applied", which the board never does
                 // (tern_spi_slave.sv): bit slip or noise
  kCrcMismatch,  // pattern good, CRC-8 over the five reply bytes wrong
};

struct DecodedReply {
  ReplyKind kind = ReplyKind::kOk;
  uint8_t status = 0;
  uint32_t rdata = 0;
  uint8_t crc_received = 0;
  uint8_t crc_computed = 0;

  bool bad_request() const { return status & kStatusBadRequest; }
  bool write_applied() const { return status & kStatusWriteApplied; }
  bool safe_state() const { return status & kStatusSafeState; }
  bool irq_pending() const { return status & kStatusIrqPending; }
};

// Classifies a reply. The stuck-line check comes first: an all-zero reply has a valid CRC
// (CRC-8 of zeros is zero), so only the fixed status pattern can expose it. A status with
// both kStatusBadRequest and kStatusWriteApplied is a pattern error too: taken as a
// rejection, it would make the host send again a write the reply says was applied.
constexpr DecodedReply DecodeReply(const ReplyFrame& r) {
  DecodedReply d;
  d.status = r[0];
  d.rdata = (uint32_t{r[1]} << 24) | (uint32_t{r[2]} << 16) | (uint32_t{r[3]} << 8) | r[4];
  d.crc_received = r[5];
  d.crc_computed = Crc8(std::span<const uint8_t>(r.data(), 5));
  if (d.status == 0x00) {
    d.kind = ReplyKind::kStuckLow;
  } else if (d.status == 0xFF) {
    d.kind = ReplyKind::kStuckHigh;
  } else if ((d.status & kStatusPatternMask) != kStatusPattern ||
             (d.status & kStatusRejectedAndApplied) == kStatusRejectedAndApplied) {
    d.kind = ReplyKind::kBadPattern;
  } else if (d.crc_received != d.crc_computed) {
    d.kind = ReplyKind::kCrcMismatch;
  }
  return d;
}

// Name of a ReplyKind for messages: "ok", "MISO stuck low", ...
const char* ReplyKindName(ReplyKind k);

}  // namespace tern::hw::spi
