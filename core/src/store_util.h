// Small helpers the core's store classes (Registry, HolderIndex, SpoolStore, ResultStore,
// SettingsStore, OwnChunkStore) share: the conversion of unsigned stamps to SQLite's signed
// integers, and reading (id, wire) rows.
// (Statements prepared on first use and reset on every path: tern::PrepareOnce and
// tern::ResetGuard in the SQLite wrapper, shared with the edge's store.)
// Internal to tern_core; not installed. Thread-safety: stateless helpers.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tern/common/chunk.h"
#include "tern/common/sqlite.h"
#include "tern/common/status.h"

namespace tern::core::store {

// An HLC stamp or byte count as SQLite's INTEGER, saturating at INT64_MAX.
inline int64_t Int(uint64_t v) {
  return static_cast<int64_t>(std::min<uint64_t>(v, std::numeric_limits<int64_t>::max()));
}

// Steps the bound statement `q` to its end, collecting columns 0 and 1 as (chunk id, bytes):
// the (id, wire) lists the spool, results and own chunks return. The caller resets `q`.
inline Result<std::vector<std::pair<ChunkId, std::string>>> IdBlobRows(Statement* q) {
  std::vector<std::pair<ChunkId, std::string>> out;
  while (true) {
    TERN_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    out.emplace_back(std::string(q->Blob(0)), std::string(q->Blob(1)));
  }
  return out;
}

}  // namespace tern::core::store
