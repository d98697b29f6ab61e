// The chunk: tern's unit of storage and transport, and its strict binary codec.
//
// A chunk holds the records of one source over one time window. Its wire form is a header
// (origin, source, time range, record count, priority, codec, body hash, sequence number, the
// ids of the chunks it was computed from, and from version 2 its tags) followed by the body. The
// chunk id is the SHA-256 of the whole wire form, so identical chunks have identical ids and any
// altered byte changes the id. Decoding checks every length against what remains and against
// ChunkLimits before allocating, so a hostile or truncated message is rejected, never crashes or
// over-allocates. Thread-safety: free functions over values; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tern/common/sha256.h"
#include "tern/common/status.h"
#include "tern/common/tags.h"

namespace tern {

inline constexpr uint32_t kChunkMagic = 0x434E5254;  // "TRNC" little-endian
// The newest wire version this build reads and writes. BuildChunk writes version 1 when a
// chunk has no tags (byte for byte the form before tags existed, so untagged chunks keep
// their ids) and version 2 when it has; DecodeChunk reads both.
inline constexpr uint16_t kChunkVersion = 2;
inline constexpr uint16_t kChunkVersionUntagged = 1;

enum class RecordKind : uint8_t { kSamples = 0, kBlob = 1, kEvent = 2, kResult = 3 };
enum class Codec : uint8_t { kRaw = 0, kZstd = 1 };

// Priority classes, most urgent first. The core's scheduler serves every class (issue 4).
enum class Priority : uint8_t { kAlarm = 0, kHigh = 1, kNormal = 2, kBulk = 3 };
inline constexpr int kNumPriorities = 4;

// One sample or event. `seq` is the per-source sequence number the producer assigned; `ts`
// is a hybrid-logical-clock stamp (see hlc.h).
struct Record {
  uint64_t ts = 0;
  uint64_t seq = 0;
  std::string payload;  // samples: `channels` little-endian doubles; blob: see BlobPart
};

struct ChunkHeader {
  uint16_t version = kChunkVersion;
  uint32_t origin = 0;  // address of the node that made the chunk
  std::string source;   // e.g. "vib", "frames", "feed"; 1..128 bytes
  RecordKind kind = RecordKind::kSamples;
  Priority priority = Priority::kNormal;
  Codec codec = Codec::kRaw;
  uint32_t boot = 0;    // origin's boot counter
  uint64_t seq = 0;     // origin's chunk sequence number per (source)
  uint64_t t_first = 0; // HLC stamps of the first and last record
  uint64_t t_last = 0;
  uint32_t record_count = 0;
  uint16_t channels = 0;
  uint32_t raw_len = 0;  // body length before compression
  Digest body_hash{};    // SHA-256 of the uncompressed body
  std::vector<std::string> parents;  // 32-byte ids of source chunks (results only)
  // Sorted, unique, each valid by tags.h, at most kMaxChunkTags (version 2 only).
  std::vector<std::string> tags;
};

// Bounds applied while decoding; exceeding any of them is a Corruption error.
struct ChunkLimits {
  size_t max_wire_bytes = 32u << 20;
  size_t max_raw_bytes = 64u << 20;
  uint32_t max_records = 1u << 20;
  uint16_t max_parents = 1024;
};

// A decoded chunk: the header plus a view of the (possibly compressed) body inside the wire
// bytes it was decoded from. Valid only while those bytes live.
struct ChunkView {
  ChunkHeader header;
  std::string_view body;
};

// A 32-byte chunk id (SHA-256 of the wire form) as raw bytes.
using ChunkId = std::string;

// Encodes records as a chunk body (raw, uncompressed).
std::string EncodeRecords(const std::vector<Record>& records);

// Builds the wire form from `header` (record_count, raw_len and body_hash are filled in from
// `records`; t_first/t_last too, as the lowest and highest record stamp, when both are 0)
// compressing the body with header.codec. Fails only on invalid header fields.
Result<std::string> BuildChunk(ChunkHeader header, const std::vector<Record>& records);

// Parses and checks a wire chunk: magic, version, every bound, field ranges, trailing bytes.
// Does not decompress or hash the body; see DecodeRecords.
Result<ChunkView> DecodeChunk(std::string_view wire, const ChunkLimits& limits = {});

// Decompresses the body, verifies its hash against the header and parses the records;
// the record count and the exact body length must match the header.
Result<std::vector<Record>> DecodeRecords(const ChunkView& chunk, const ChunkLimits& limits = {});

// The chunk id of a wire form.
inline ChunkId ChunkIdOf(std::string_view wire) { return DigestBytes(Sha256(wire)); }

// Blob records (files from the drop directory) may be split across chunks; each part says
// where it belongs.
struct BlobPart {
  std::string name;
  uint64_t total_size = 0;
  uint64_t offset = 0;
  std::string data;
};
std::string EncodeBlobPart(const BlobPart& part);
Result<BlobPart> DecodeBlobPart(std::string_view payload);

// Sample payloads: `values` as little-endian doubles.
std::string EncodeSamples(const std::vector<double>& values);
Result<std::vector<double>> DecodeSamples(std::string_view payload, uint16_t channels);

const char* PriorityName(Priority p);
const char* KindName(RecordKind k);

}  // namespace tern
