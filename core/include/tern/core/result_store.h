// Analysis results in core.db: one row per result chunk (`results` table), its links to
// the chunks it was computed from (`links` table), and its wire bytes, kept until three
// stores confirm the result (then dropped: the stores hold it).
//
// ResultStore is one of the store classes Manifest owns (see manifest.h); it runs every
// statement on `results` and `links`. Statements are prepared on first use, so a read-only
// handle on a core.db from before results (schema v1) works until a result method is called,
// which then fails naming the database and the statement.
// Thread-safety: like the Database it uses, one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tern/common/chunk.h"
#include "tern/common/sqlite.h"
#include "tern/common/status.h"

namespace tern::core {

// A result as the processing worker records it.
struct ResultRow {
  ChunkId id;
  uint32_t origin = 0;  // the edge whose data it was computed from
  std::string source, processor;
  uint64_t t_first = 0, t_last = 0;
  int anomalies = 0;
  std::string summary;  // JSON text
  std::string wire;
  std::vector<ChunkId> sources;
};

// A result as stored, for readers (the HTTP API): the row without its wire, plus when it was
// recorded, whether three stores confirmed it, and its source chunks (ascending).
struct StoredResult {
  ChunkId id;
  uint32_t origin = 0;
  std::string source, processor;
  uint64_t t_first = 0, t_last = 0;
  int64_t anomalies = 0;
  std::string summary;  // as stored (normally JSON text)
  int64_t created_ms = 0;
  bool placed = false;
  std::vector<ChunkId> sources;
};

// Which results Query() returns: all conditions hold.
struct ResultQuery {
  std::optional<std::string> source;  // nullopt: any source
  uint32_t origin = 0;                // 0: any origin
  uint64_t from = 0;                  // the result's [t_first, t_last] overlaps [from, to]
  uint64_t to = std::numeric_limits<int64_t>::max();  // saturates at INT64_MAX
  bool anomalies_only = false;
  int64_t limit = 0;  // > 0: at most this many
};

class ResultStore {
 public:
  // A store over `db`, which must outlive it. `now_ms` stamps created_ms. Prepares nothing
  // yet (see above), so it cannot fail.
  ResultStore(Database& db, std::function<int64_t()> now_ms)
      : db_(db), now_ms_(std::move(now_ms)) {}

  // Writes; run them inside the caller's transaction.
  // Records `r` (unplaced, with its wire) and its links; a known id is left as it is.
  [[nodiscard]] Status Insert(const ResultRow& r);
  // Marks `id` placed on its stores and drops its wire (OK if unknown).
  [[nodiscard]] Status MarkPlaced(const ChunkId& id);

  // The chunks a result was computed from, ascending (empty if none or unknown).
  [[nodiscard]] Result<std::vector<ChunkId>> SourcesOf(const ChunkId& result);
  // The results computed from a chunk, ascending (empty if none).
  [[nodiscard]] Result<std::vector<ChunkId>> ResultsOf(const ChunkId& source);
  // Unplaced results that still have their wire: (id, wire).
  [[nodiscard]] Result<std::vector<std::pair<ChunkId, std::string>>> Unplaced();
  // The results matching `q`, newest first (t_first descending, then id), with sources.
  [[nodiscard]] Result<std::vector<StoredResult>> Query(const ResultQuery& q);

  ResultStore(const ResultStore&) = delete;
  ResultStore& operator=(const ResultStore&) = delete;

 private:
  Result<std::vector<ChunkId>> Links(std::unique_ptr<Statement>& slot, const char* sql,
                                     const ChunkId& id);
  Database& db_;
  std::function<int64_t()> now_ms_;
  std::unique_ptr<Statement> ins_, ins_link_, placed_, sources_, results_, unplaced_, query_;
};

}  // namespace tern::core
