// SHA-256 through OpenSSL's EVP interface (SHA-NI where the CPU has it), and random bytes
// from OpenSSL's CSPRNG. Chunk identities and replica verification use the hash; HTTP API
// tokens use both. Thread-safe: no shared state.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "tern/common/status.h"

namespace tern {

using Digest = std::array<uint8_t, 32>;

// The SHA-256 of `data`.
Digest Sha256(std::string_view data);

// The digest as a 32-byte std::string (for SQLite blobs and map keys).
inline std::string DigestBytes(const Digest& d) {
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

// `n` bytes from OpenSSL's RAND_bytes (a CSPRNG seeded by the OS); IoError if it fails.
[[nodiscard]] Result<std::string> RandomBytes(size_t n);

}  // namespace tern
