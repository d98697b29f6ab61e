// Fuzz target "envelope": the binary envelope of uplinks and replicas (DecodeEnvelope), then
// the chunk inside it as the core's UplinkGate and the edge's StoreService decode it.
//
// Invariants: a decoded envelope re-encodes to the input exactly, its id is 32 bytes and is
// the SHA-256 of its chunk. The claimed id guards everything after the header, and random
// bytes never carry the right one, so the target also decodes a copy whose id is set to the
// real one: that copy must decode exactly when magic, version and type are valid and a
// chunk follows.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "chunk_checks.h"
#include "tern/common/protocol.h"

namespace {

constexpr size_t kIdAt = 4 + 1 + 1 + 4 + 8;   // magic, version, type, sender, request
constexpr size_t kChunkAt = kIdAt + 32 + 64;  // id, origin signature

void CheckEnvelope(std::string_view msg) {
  auto e = tern::DecodeEnvelope(msg);
  if (!e.ok()) return;
  TERN_FUZZ_CHECK(e->id.size() == 32 && !e->chunk.empty(), "id and chunk present");
  TERN_FUZZ_CHECK(tern::ChunkIdOf(e->chunk) == e->id, "the id is the chunk's hash");
  TERN_FUZZ_CHECK(tern::EncodeEnvelope(e->type, e->sender, e->request, std::string(e->id), e->sig,
                                       e->chunk) == msg,
                  "envelope re-encodes to the input");
  tern::fuzz::CheckChunk(e->chunk);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view msg(reinterpret_cast<const char*>(data), size);
  CheckEnvelope(msg);
  if (size < kChunkAt) return 0;

  std::string fixed(msg);
  const std::string id = tern::ChunkIdOf(msg.substr(kChunkAt));
  std::memcpy(fixed.data() + kIdAt, id.data(), 32);
  const bool valid_header = std::memcmp(data, "TRNM", 4) == 0 && data[4] == 2 && data[5] >= 1 &&
                            data[5] <= 3 && size > kChunkAt;  // up, put, got
  TERN_FUZZ_CHECK(tern::DecodeEnvelope(fixed).ok() == valid_header,
                  "an envelope with the right id decodes exactly when its header is valid");
  if (fixed != msg) CheckEnvelope(fixed);
  return 0;
}
