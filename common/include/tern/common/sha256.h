// SHA-256 through OpenSSL's EVP interface (SHA-NI where the CPU has it).
// Chunk identities and replica verification use it. Thread-safe: no shared state.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace tern {

using Digest = std::array<uint8_t, 32>;

// The SHA-256 of `data`.
Digest Sha256(std::string_view data);

// The digest as a 32-byte std::string (for SQLite blobs and map keys).
inline std::string DigestBytes(const Digest& d) {
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

}  // namespace tern
