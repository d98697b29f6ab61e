// The spool in core.db: the bytes of uplinked chunks the scheduler has not processed yet
// (`spool` table), kept durably so a core restart re-queues them.
//
// SpoolStore is one of the store classes Manifest owns (see manifest.h); it runs every
// statement on the `spool` table. Marking the chunk's manifest row spooled is HolderIndex's
// job (Manifest::Spool does both); Index() reads chunks.t_last in a join.
// Thread-safety: like the Database it uses, one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tern/common/chunk.h"
#include "tern/common/sqlite.h"
#include "tern/common/status.h"

namespace tern::core {

// A spooled chunk's scheduling facts.
struct SpoolEntry {
  ChunkId id;
  uint32_t origin = 0;
  int priority = 0;
  uint64_t bytes = 0;   // wire bytes
  uint64_t t_last = 0;  // from the manifest row; 0 if there is none
};

class SpoolStore {
 public:
  // Prepares the spool's statements on `db`, which must outlive the SpoolStore and have the
  // `spool` table (Manifest::Schema()). `now_ms` stamps received_ms.
  // Fails, naming the database, if a statement cannot be prepared.
  [[nodiscard]] static Result<std::unique_ptr<SpoolStore>> Open(Database& db,
                                                                std::function<int64_t()> now_ms);

  // Writes; run them inside the caller's transaction.
  // Keeps `wire` for `id` (idempotent: a second Put keeps the first bytes).
  [[nodiscard]] Status Put(const ChunkId& id, const ChunkHeader& h, std::string_view wire);
  // Drops the spooled bytes of `id` (OK if there were none).
  [[nodiscard]] Status Remove(const ChunkId& id);

  // The next `limit` spooled chunks (id, wire), most urgent class first, oldest first within.
  [[nodiscard]] Result<std::vector<std::pair<ChunkId, std::string>>> Next(int limit);
  // The number of spooled chunks.
  [[nodiscard]] Result<int64_t> Depth();
  // The spooled bytes of `id`, or nullopt if it is not (or no longer) spooled.
  [[nodiscard]] Result<std::optional<std::string>> Data(const ChunkId& id);
  // Every spooled chunk's scheduling facts, oldest first.
  [[nodiscard]] Result<std::vector<SpoolEntry>> Index();

  SpoolStore(const SpoolStore&) = delete;
  SpoolStore& operator=(const SpoolStore&) = delete;

 private:
  SpoolStore(Database& db, std::function<int64_t()> now_ms) : db_(db), now_ms_(std::move(now_ms)) {}
  Database& db_;
  std::function<int64_t()> now_ms_;
  std::unique_ptr<Statement> ins_, del_, next_, depth_, data_, index_;
};

}  // namespace tern::core
