// The chunker: turns records from collectors into chunks, one source and one time window
// per chunk, bounded in bytes and records (a large blob is split into parts; small records
// are merged until the window closes).
//
// Each record gets its per-source sequence number and an HLC stamp here. Sequence numbers
// continue across restarts from the values the caller restores (the last durable ones), so
// a consumer can check a source for gaps and duplicates.
// Thread-safety: thread-safe. The seal callback runs under the chunker's lock, so chunks of one
// source reach it in sequence order; it must only hand the chunk on (e.g. queue a store write).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "tern/common/chunk.h"
#include "tern/common/hlc.h"
#include "tern/common/status.h"

namespace tern::edge {

struct SourceSpec {
  std::string name;
  RecordKind kind = RecordKind::kSamples;
  Priority priority = Priority::kNormal;
  uint16_t channels = 0;
  std::vector<std::string> tags;  // the source's configured tags (sorted, unique; tags.h)
  std::optional<Codec> codec;     // the source's own body codec; none: ChunkerOptions::codec
};

struct ChunkerOptions {
  uint64_t window_ms = 100;
  size_t max_bytes = 256 * 1024;
  uint32_t max_records = 4096;
  Codec codec = Codec::kZstd;
};

// A sealed chunk, ready for the local store.
struct SealedChunk {
  ChunkId id;
  std::string wire;
  ChunkHeader header;
  uint64_t first_collected_us = 0;  // monotonic, for collection-to-ack latency
  uint64_t next_record_seq = 0;     // the source's next record seq after this chunk
  uint64_t next_chunk_seq = 0;
  std::vector<std::function<void()>> on_durable;  // run after the local commit
};

class Chunker {
 public:
  using SealFn = std::function<void(SealedChunk)>;
  // Admission check before a record is taken (outbox bound); non-OK refuses the record.
  using AdmitFn = std::function<Status(const SourceSpec&, size_t bytes)>;

  Chunker(uint32_t origin, uint32_t boot, HybridClock* clock, ChunkerOptions opts, SealFn seal,
          AdmitFn admit = nullptr);

  // Declares a source; `next_record_seq`/`next_chunk_seq` continue from durable state.
  void AddSource(const SourceSpec& spec, uint64_t next_record_seq, uint64_t next_chunk_seq);

  // Raises a known source's next numbers to at least these (the core has seen them used:
  // a seq_reuse refusal); records already buffered keep theirs.
  void RaiseFloor(const std::string& source, uint64_t next_record_seq, uint64_t next_chunk_seq);

  // Adds one record; fails if the source is unknown or admission refuses it. `tags` (valid,
  // e.g. a feed record's own) join the chunk's tags: a chunk carries the union of its
  // source's and its records' tags, at most kMaxChunkTags (further ones are left out, logged).
  Status Add(const std::string& source, std::string payload,
             const std::vector<std::string>& tags = {});
  // Adds a blob split into parts that fit a chunk; `on_durable` runs once the chunk holding
  // the last part is committed locally. Refused whole or accepted whole.
  Status AddBlob(const std::string& source, const std::string& name, const std::string& data,
                 std::function<void()> on_durable);
  // Seals every source whose window has elapsed (call periodically).
  void Tick();
  // Seals everything buffered.
  void FlushAll();

 private:
  struct Open {
    SourceSpec spec;
    std::vector<Record> records;
    std::vector<std::string> record_tags;  // records' own tags in this chunk, sorted
    size_t bytes = 0;
    uint64_t first_us = 0;
    uint64_t next_record_seq = 0;
    uint64_t next_chunk_seq = 0;
    std::vector<std::function<void()>> on_durable;
  };
  // Seals `o` into `out` if it has records. Caller holds mu_.
  void SealLocked(Open& o, std::vector<SealedChunk>* out);
  void Emit(std::vector<SealedChunk>& sealed);  // caller holds mu_

  const uint32_t origin_;
  const uint32_t boot_;
  HybridClock* clock_;
  const ChunkerOptions opts_;
  SealFn seal_;
  AdmitFn admit_;
  std::mutex mu_;
  std::map<std::string, Open> open_;
};

}  // namespace tern::edge
