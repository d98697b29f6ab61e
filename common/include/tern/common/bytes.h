// Little-endian byte writer and a bounds-checked reader for tern's binary wire formats.
//
// ByteReader never reads past its input and never allocates more than the input could hold:
// every length prefix is checked against the bytes that remain before anything is copied.
// That is what keeps a hostile or truncated message from crashing or over-allocating.
// Thread-safety: none; one object per thread.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "tern/common/status.h"

namespace tern {

// Appends fixed-width little-endian integers and length-prefixed strings to a std::string.
class ByteWriter {
 public:
  explicit ByteWriter(std::string* out) : out_(out) {}
  void U8(uint8_t v) { out_->push_back(static_cast<char>(v)); }
  void U16(uint16_t v) { Raw(&v, 2); }
  void U32(uint32_t v) { Raw(&v, 4); }
  void U64(uint64_t v) { Raw(&v, 8); }
  void F64(double v) { Raw(&v, 8); }
  void Bytes(std::string_view b) { out_->append(b.data(), b.size()); }
  // u16 length then bytes; the caller guarantees size() <= 65535.
  void Str16(std::string_view s) { U16(static_cast<uint16_t>(s.size())); Bytes(s); }
  // u32 length then bytes.
  void Str32(std::string_view s) { U32(static_cast<uint32_t>(s.size())); Bytes(s); }

 private:
  void Raw(const void* p, size_t n) {  // tern only targets little-endian hosts (x86-64, arm64)
    out_->append(static_cast<const char*>(p), n);
  }
  std::string* out_;
};

// Reads what ByteWriter wrote. After the first failure every call fails and ok() is false;
// callers check once at the end (or wherever a length drives an allocation).
class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}
  bool U8(uint8_t* v) { return Raw(v, 1); }
  bool U16(uint16_t* v) { return Raw(v, 2); }
  bool U32(uint32_t* v) { return Raw(v, 4); }
  bool U64(uint64_t* v) { return Raw(v, 8); }
  bool F64(double* v) { return Raw(v, 8); }
  // A view of the next n bytes; fails if fewer remain.
  bool View(size_t n, std::string_view* v) {
    if (!ok_ || n > remaining()) return Fail();
    *v = in_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  // u16/u32 length-prefixed views; the length must also be <= max_len.
  bool Str16(std::string_view* v, size_t max_len = 0xFFFF) {
    uint16_t n = 0;
    return U16(&n) && (n <= max_len || Fail()) && View(n, v);
  }
  bool Str32(std::string_view* v, size_t max_len) {
    uint32_t n = 0;
    return U32(&n) && (n <= max_len || Fail()) && View(n, v);
  }
  size_t remaining() const { return in_.size() - pos_; }
  size_t position() const { return pos_; }
  bool ok() const { return ok_; }
  bool AtEnd() const { return ok_ && pos_ == in_.size(); }

 private:
  bool Fail() { ok_ = false; return false; }
  bool Raw(void* p, size_t n) {
    if (!ok_ || n > remaining()) return Fail();
    std::memcpy(p, in_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

// Lower-case hex of bytes, and its inverse (fails on odd length or a non-hex digit).
std::string ToHex(std::string_view bytes);
Result<std::string> FromHex(std::string_view hex);

}  // namespace tern
