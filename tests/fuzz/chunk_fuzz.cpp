// Fuzz target "chunk": the chunk codec (DecodeChunk, DecodeRecords and the payload decoders)
// on arbitrary bytes, with the round-trip invariants of chunk_checks.h.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "chunk_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tern::fuzz::CheckChunk(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
