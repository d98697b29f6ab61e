// Invariants of the chunk codec, shared by the chunk and envelope fuzz targets.
//
// CheckChunk(wire) runs what every receiver runs (DecodeChunk, then DecodeRecords) and
// checks what the codec promises about whatever decodes:
// - the header is in range (source 1..128 bytes, known kind/priority/codec, bounds), and a
//   raw body is exactly raw_len bytes; tags (version 2 only) are valid, sorted, unique;
// - DecodeRecords succeeds only when the body hash matches;
// - decoded records encode back to exactly the raw body, and BuildChunk of the header and
//   records decodes again to the same header and records; for a raw chunk whose time range
//   BuildChunk keeps, the rebuilt wire is the input byte for byte;
// - the sample and blob-part payload decoders give their payload back when re-encoded.
// Random bytes almost never carry the right SHA-256, so the record parser would be out of
// the fuzzer's reach; CheckChunk therefore also decodes a copy whose header hash is set to
// the body's real one (the chunk's own id is not checked by the codec, only by envelopes).
#pragma once

#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "tern/common/chunk.h"
#include "tern/common/compress.h"

namespace tern::fuzz {

// Smaller than the daemons' 64 MiB raw bound so a zstd chunk claiming a huge body costs a
// fuzzing run little; every other limit is the default the daemons use.
inline ChunkLimits FuzzLimits() {
  ChunkLimits lim;
  lim.max_raw_bytes = 1u << 20;
  return lim;
}

inline bool SameHeader(const ChunkHeader& a, const ChunkHeader& b) {
  return a.version == b.version && a.origin == b.origin && a.source == b.source &&
         a.kind == b.kind && a.priority == b.priority && a.codec == b.codec && a.boot == b.boot &&
         a.seq == b.seq && a.t_first == b.t_first && a.t_last == b.t_last &&
         a.record_count == b.record_count && a.channels == b.channels && a.raw_len == b.raw_len &&
         a.body_hash == b.body_hash && a.parents == b.parents && a.tags == b.tags;
}

inline bool SameRecords(const std::vector<Record>& a, const std::vector<Record>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].ts != b[i].ts || a[i].seq != b[i].seq || a[i].payload != b[i].payload) return false;
  }
  return true;
}

inline void CheckPayloads(const ChunkHeader& h, const std::vector<Record>& records) {
  for (const Record& r : records) {
    auto samples = DecodeSamples(r.payload, h.channels);
    if (samples.ok()) {
      TERN_FUZZ_CHECK(EncodeSamples(*samples) == r.payload, "samples re-encode");
    }
    auto part = DecodeBlobPart(r.payload);
    if (part.ok()) {
      TERN_FUZZ_CHECK(part->offset <= part->total_size, "blob part offset");
      TERN_FUZZ_CHECK(part->data.size() <= part->total_size - part->offset, "blob part range");
      TERN_FUZZ_CHECK(EncodeBlobPart(*part) == r.payload, "blob part re-encode");
    }
  }
}

// Records that decoded from `wire` (whose header hash is right): re-encode and rebuild.
inline void CheckRoundTrip(std::string_view wire, const ChunkView& view,
                           const std::vector<Record>& records, std::string_view raw) {
  const ChunkHeader& h = view.header;
  TERN_FUZZ_CHECK(records.size() == h.record_count, "record count");
  TERN_FUZZ_CHECK(EncodeRecords(records) == raw, "records re-encode to the raw body");
  CheckPayloads(h, records);

  auto rebuilt = BuildChunk(h, records);
  TERN_FUZZ_CHECK(rebuilt.ok(), "a decoded header builds again");
  auto again = DecodeChunk(*rebuilt, FuzzLimits());
  TERN_FUZZ_CHECK(again.ok(), "a built chunk decodes");
  const bool time_kept = !(h.t_first == 0 && h.t_last == 0 && !records.empty());
  if (time_kept) {
    TERN_FUZZ_CHECK(SameHeader(again->header, h), "rebuilt header");
    if (h.codec == Codec::kRaw) TERN_FUZZ_CHECK(*rebuilt == wire, "rebuilt raw wire");
  }
  auto again_records = DecodeRecords(*again, FuzzLimits());
  TERN_FUZZ_CHECK(again_records.ok(), "a built chunk's records decode");
  TERN_FUZZ_CHECK(SameRecords(*again_records, records), "rebuilt records");
}

inline void CheckHeaderRanges(std::string_view wire, const ChunkView& v, const ChunkLimits& lim) {
  const ChunkHeader& h = v.header;
  // Version 2 exactly when the chunk has tags (one wire form per tag set).
  TERN_FUZZ_CHECK(h.version == (h.tags.empty() ? kChunkVersionUntagged : kChunkVersion), "version");
  TERN_FUZZ_CHECK(h.tags.size() <= kMaxChunkTags, "tag count");
  for (size_t i = 0; i < h.tags.size(); ++i) {
    TERN_FUZZ_CHECK(CheckTag(h.tags[i], "tag").ok(), "tag characters");
    TERN_FUZZ_CHECK(i == 0 || h.tags[i - 1] < h.tags[i], "tags sorted and unique");
  }
  TERN_FUZZ_CHECK(!h.source.empty() && h.source.size() <= 128, "source length");
  TERN_FUZZ_CHECK(static_cast<uint8_t>(h.kind) <= 3, "kind");
  TERN_FUZZ_CHECK(static_cast<uint8_t>(h.priority) < kNumPriorities, "priority");
  TERN_FUZZ_CHECK(static_cast<uint8_t>(h.codec) <= 1, "codec");
  TERN_FUZZ_CHECK(h.t_first <= h.t_last, "time range");
  TERN_FUZZ_CHECK(h.record_count <= lim.max_records && h.raw_len <= lim.max_raw_bytes, "limits");
  TERN_FUZZ_CHECK(h.parents.size() <= lim.max_parents, "parents");
  for (const auto& p : h.parents) TERN_FUZZ_CHECK(p.size() == 32, "parent id size");
  TERN_FUZZ_CHECK(h.codec != Codec::kRaw || v.body.size() == h.raw_len, "raw body length");
  // The body is the tail of the wire form.
  TERN_FUZZ_CHECK(v.body.data() + v.body.size() == wire.data() + wire.size(), "body at the end");
}

// Decodes `wire` as a receiver does and checks the invariants above.
inline void CheckChunk(std::string_view wire) {
  const ChunkLimits lim = FuzzLimits();
  auto view = DecodeChunk(wire, lim);
  if (!view.ok()) return;
  CheckHeaderRanges(wire, *view, lim);
  const ChunkHeader& h = view->header;

  // The raw body as the codec sees it, and its real hash.
  std::string raw;
  if (h.codec == Codec::kZstd) {
    auto d = ZstdDecompress(view->body, h.raw_len);
    if (!d.ok()) {
      TERN_FUZZ_CHECK(!DecodeRecords(*view, lim).ok(), "an undecompressable body is refused");
      return;
    }
    raw = std::move(d).value();
  } else {
    raw = std::string(view->body);
  }
  const Digest real = Sha256(raw);

  auto records = DecodeRecords(*view, lim);
  if (real != h.body_hash) {
    TERN_FUZZ_CHECK(!records.ok(), "a body hash mismatch is refused");
    // The same wire with the right hash, so the record parser runs.
    const size_t hash_at = 54 + h.source.size();  // see the wire layout in chunk.cpp
    TERN_FUZZ_CHECK(std::memcmp(wire.data() + hash_at, h.body_hash.data(), 32) == 0, "hash offset");
    std::string fixed(wire);
    std::memcpy(fixed.data() + hash_at, real.data(), 32);
    auto fixed_view = DecodeChunk(fixed, lim);
    TERN_FUZZ_CHECK(fixed_view.ok(), "only the hash differs");
    auto fixed_records = DecodeRecords(*fixed_view, lim);
    if (fixed_records.ok()) CheckRoundTrip(fixed, *fixed_view, *fixed_records, raw);
    return;
  }
  if (records.ok()) CheckRoundTrip(wire, *view, *records, raw);
}

}  // namespace tern::fuzz
