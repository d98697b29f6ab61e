// Chunks the core makes from its own inputs (today: the control board's events, source
// `board`) in core.db's `own_chunks` table: one row per chunk with its sequence numbers and
// stamps, and its wire bytes, kept until three stores confirm it (then dropped: the stores
// hold it), as results are (result_store.h). The rows stay, so a restart resumes each
// source's chunk and record numbers and its stamps above every one handed out before
// (Marks): they never repeat.
//
// OwnChunkStore is one of the store classes Manifest owns (see manifest.h). Statements are
// prepared on first use, so a read-only handle on a core.db from before the table works until
// one of these methods is called, which then fails naming the database and the statement.
// Thread-safety: like the Database it uses, one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tern/common/chunk.h"
#include "tern/common/sqlite.h"
#include "tern/common/status.h"

namespace tern::core {

// One chunk of the core's own, as recorded.
struct OwnChunkRow {
  ChunkId id;
  std::string source;
  uint64_t seq = 0;        // chunk sequence number of the source
  uint64_t rec_first = 0;  // sequence number of its first record
  uint32_t records = 0;
  uint64_t t_first = 0, t_last = 0;  // HLC stamps of its first and last record
  std::string wire;
};

// Where a source's numbers resume: above every chunk, record and stamp recorded before.
struct OwnSourceMarks {
  uint64_t next_seq = 0;
  uint64_t next_record = 0;
  uint64_t last_stamp = 0;  // 0: none yet
};

class OwnChunkStore {
 public:
  // A store over `db`, which must outlive it. `now_ms` stamps created_ms.
  OwnChunkStore(Database& db, std::function<int64_t()> now_ms)
      : db_(db), now_ms_(std::move(now_ms)) {}

  // Writes; run them inside the caller's transaction.
  // Records `r` (unplaced, with its wire); a known id is left as it is.
  [[nodiscard]] Status Insert(const OwnChunkRow& r);
  // Marks `id` placed on its stores and drops its wire (OK if unknown).
  [[nodiscard]] Status MarkPlaced(const ChunkId& id);

  // Unplaced chunks that still have their wire: (id, wire), oldest first.
  [[nodiscard]] Result<std::vector<std::pair<ChunkId, std::string>>> Unplaced();
  // The numbers `source` resumes at (all 0 for a source never recorded).
  [[nodiscard]] Result<OwnSourceMarks> Marks(const std::string& source);

  OwnChunkStore(const OwnChunkStore&) = delete;
  OwnChunkStore& operator=(const OwnChunkStore&) = delete;

 private:
  Database& db_;
  std::function<int64_t()> now_ms_;
  std::unique_ptr<Statement> ins_, placed_, unplaced_, marks_;
};

}  // namespace tern::core
