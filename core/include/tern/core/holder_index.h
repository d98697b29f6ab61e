// The manifest proper in core.db: every chunk the core has heard of, with its metadata and
// its ack flags (`chunks` table), and which nodes hold a copy (`holders` table, built only
// from holders' own "stored" statements).
//
// HolderIndex is one of the store classes Manifest owns (see manifest.h); it runs every
// statement on `chunks` and `holders` (SpoolStore::Index also reads chunks.t_last in a join).
// Thread-safety: like the Database it uses, one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tern/common/chunk.h"
#include "tern/common/protocol.h"
#include "tern/common/sqlite.h"
#include "tern/common/status.h"

namespace tern::core {

// One manifest chunk.
struct ChunkRecord {
  ChunkId id;
  uint32_t origin = 0;
  std::string source;
  uint64_t seq = 0;
  int kind = 0;
  int priority = 0;
  uint64_t t_first = 0, t_last = 0;  // HLC stamps
  uint32_t records = 0;
  uint64_t bytes = 0;
  bool spooled = false;
  bool acked = false;
  std::vector<uint32_t> holders;  // oldest statement first (ties: lower address first)
};

// Sums over a set of manifest chunks.
struct ChunkTotals {
  int64_t chunks = 0;
  int64_t records = 0;
  int64_t bytes = 0;  // wire bytes
};

class HolderIndex {
 public:
  // Prepares the index's statements on `db`, which must outlive the HolderIndex and have
  // the `chunks` and `holders` tables (Manifest::Schema()). `now_ms` stamps new rows.
  // Fails, naming the database, if a statement cannot be prepared.
  [[nodiscard]] static Result<std::unique_ptr<HolderIndex>> Open(Database& db,
                                                                 std::function<int64_t()> now_ms);

  // Writes; run them inside the caller's transaction.
  // Inserts the chunk's metadata unless known (the first statement wins), then adds
  // n.holder as a holder (idempotent).
  [[nodiscard]] Status RecordHolder(const StoredNotice& n);
  // Removes one holder of `id` (OK if it was not one).
  [[nodiscard]] Status RemoveHolder(const ChunkId& id, uint32_t holder);
  // Removes every holder row of `holder` (a forgotten node, a store that came back empty);
  // returns how many there were.
  [[nodiscard]] Result<int64_t> RemoveAllOf(uint32_t holder);
  // Sets the chunk's spooled / acked flag (OK, and nothing, if the chunk is unknown).
  [[nodiscard]] Status MarkSpooled(const ChunkId& id);
  [[nodiscard]] Status MarkAcked(const ChunkId& id);

  // The chunk with its holders, or nullopt if the manifest lacks it.
  [[nodiscard]] Result<std::optional<ChunkRecord>> Chunk(const ChunkId& id);
  // The holders of `id` (empty if none or unknown).
  [[nodiscard]] Result<std::vector<uint32_t>> Holders(const ChunkId& id);
  // Chunks of `source` (any origin if origin == 0) overlapping [from, to] (HLC stamps; `to`
  // saturates at INT64_MAX), ordered by origin then seq, each with its holders. At most
  // `limit` chunks when limit > 0.
  [[nodiscard]] Result<std::vector<ChunkRecord>> Find(const std::string& source, uint32_t origin,
                                                      uint64_t from, uint64_t to,
                                                      int64_t limit = 0);
  // The ids in [lo, hi] (byte order), ascending, at most `limit` (> 0). With lo and hi a
  // hex prefix padded with 0s and fs, this finds the chunks that prefix names.
  [[nodiscard]] Result<std::vector<ChunkId>> IdsBetween(const ChunkId& lo, const ChunkId& hi,
                                                        int64_t limit);
  // Every chunk with its holders, ordered by origin, source, seq (for verify).
  [[nodiscard]] Result<std::vector<ChunkRecord>> All();
  // The chunks `holder` holds according to the manifest, ascending by id.
  [[nodiscard]] Result<std::vector<ChunkId>> HeldBy(uint32_t holder);
  // The number of chunks in the manifest.
  [[nodiscard]] Result<int64_t> Count();
  // Totals of the acked chunks from `origin`: what the core has acknowledged to that edge
  // (the ingest benchmark's measure).
  [[nodiscard]] Result<ChunkTotals> AckedTotals(uint32_t origin);

  HolderIndex(const HolderIndex&) = delete;
  HolderIndex& operator=(const HolderIndex&) = delete;

 private:
  HolderIndex(Database& db, std::function<int64_t()> now_ms)
      : db_(db), now_ms_(std::move(now_ms)) {}
  Database& db_;
  std::function<int64_t()> now_ms_;
  std::unique_ptr<Statement> get_chunk_, get_holders_, upsert_chunk_, ins_holder_, del_holder_,
      mark_spooled_, mark_acked_, find_, find_limit_, ids_between_, all_chunks_, all_holders_,
      count_, acked_totals_, held_by_, del_all_of_;
};

}  // namespace tern::core
