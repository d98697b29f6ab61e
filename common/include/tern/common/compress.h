// zstd compression for chunk bodies. The one file that includes zstd.h is compress.cpp.
// Thread-safety: free functions; safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include "tern/common/status.h"

namespace tern {

// Compresses `in` at `level` (1 = fast).
std::string ZstdCompress(std::string_view in, int level = 1);

// Decompresses `in`, which must expand to exactly `expected_len` bytes; any other outcome
// (bad frame, wrong size) is a Corruption error. Never allocates more than expected_len.
Result<std::string> ZstdDecompress(std::string_view in, size_t expected_len);

}  // namespace tern
