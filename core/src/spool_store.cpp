// SpoolStore: the `spool` table of core.db (uplinked bytes waiting for the scheduler).
#include "tern/core/spool_store.h"

#include "store_util.h"

namespace tern::core {

Result<std::unique_ptr<SpoolStore>> SpoolStore::Open(Database& db,
                                                     std::function<int64_t()> now_ms) {
  std::unique_ptr<SpoolStore> s(new SpoolStore(db, std::move(now_ms)));
  // Write statements prepare fine on a read-only handle; they would fail only if run.
  TERN_ASSIGN_OR_RETURN(s->ins_, db.Prepare("INSERT OR IGNORE INTO spool(id, priority, origin,"
                                            " received_ms, data) VALUES(?, ?, ?, ?, ?)"));
  TERN_ASSIGN_OR_RETURN(s->del_, db.Prepare("DELETE FROM spool WHERE id = ?"));
  return s;
}

Status SpoolStore::Put(const ChunkId& id, const ChunkHeader& h, std::string_view wire) {
  return ins_->BindBlob(1, id)
      .Bind(2, int64_t{static_cast<int>(h.priority)})
      .Bind(3, int64_t{h.origin})
      .Bind(4, now_ms_())
      .BindBlob(5, wire)
      .Run();
}

Status SpoolStore::Remove(const ChunkId& id) { return del_->BindBlob(1, id).Run(); }

Result<std::vector<std::pair<ChunkId, std::string>>> SpoolStore::Next(int limit) {
  TERN_ASSIGN_OR_RETURN(
      Statement * q,
      PrepareOnce(db_, next_, "SELECT id, data FROM spool ORDER BY priority, received_ms LIMIT ?"));
  ResetGuard g(q);
  q->Bind(1, int64_t{limit});
  return store::IdBlobRows(q);
}

Result<int64_t> SpoolStore::Depth() {
  TERN_ASSIGN_OR_RETURN(Statement * q, PrepareOnce(db_, depth_, "SELECT count(*) FROM spool"));
  ResetGuard g(q);
  TERN_ASSIGN_OR_RETURN(bool row, q->Step());
  return row ? q->Int(0) : 0;
}

Result<std::optional<std::string>> SpoolStore::Data(const ChunkId& id) {
  TERN_ASSIGN_OR_RETURN(Statement * q,
                        PrepareOnce(db_, data_, "SELECT data FROM spool WHERE id = ?"));
  ResetGuard g(q);
  q->BindBlob(1, id);
  TERN_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(std::string(q->Blob(0)));
}

Result<std::vector<SpoolEntry>> SpoolStore::Index() {
  TERN_ASSIGN_OR_RETURN(
      Statement * q,
      PrepareOnce(db_, index_,
                  "SELECT s.id, s.origin, s.priority, length(s.data), coalesce(c.t_last, 0)"
                  " FROM spool s LEFT JOIN chunks c ON c.id = s.id ORDER BY s.received_ms"));
  ResetGuard g(q);
  std::vector<SpoolEntry> out;
  while (true) {
    TERN_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    out.push_back({std::string(q->Blob(0)), static_cast<uint32_t>(q->Int(1)),
                   static_cast<int>(q->Int(2)), static_cast<uint64_t>(q->Int(3)),
                   static_cast<uint64_t>(q->Int(4))});
  }
  return out;
}

}  // namespace tern::core
