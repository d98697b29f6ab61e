// HolderIndex: the `chunks` and `holders` tables of core.db (which stores hold which chunk).
#include "tern/core/holder_index.h"

#include <map>

#include "store_util.h"

namespace tern::core {
namespace {

#define TERN_CHUNK_COLS \
  "id, origin, source, seq, kind, priority, t_first, t_last, records, bytes, spooled, acked"

// A row whose columns are TERN_CHUNK_COLS, without holders.
ChunkRecord RowToChunk(const Statement& q) {
  ChunkRecord c;
  c.id = std::string(q.Blob(0));
  c.origin = static_cast<uint32_t>(q.Int(1));
  c.source = std::string(q.Text(2));
  c.seq = static_cast<uint64_t>(q.Int(3));
  c.kind = static_cast<int>(q.Int(4));
  c.priority = static_cast<int>(q.Int(5));
  c.t_first = static_cast<uint64_t>(q.Int(6));
  c.t_last = static_cast<uint64_t>(q.Int(7));
  c.records = static_cast<uint32_t>(q.Int(8));
  c.bytes = static_cast<uint64_t>(q.Int(9));
  c.spooled = q.Int(10) != 0;
  c.acked = q.Int(11) != 0;
  return c;
}

}  // namespace

Result<std::unique_ptr<HolderIndex>> HolderIndex::Open(Database& db,
                                                       std::function<int64_t()> now_ms) {
  std::unique_ptr<HolderIndex> h(new HolderIndex(db, std::move(now_ms)));
  TERN_ASSIGN_OR_RETURN(h->get_chunk_,
                        db.Prepare("SELECT " TERN_CHUNK_COLS " FROM chunks WHERE id = ?"));
  TERN_ASSIGN_OR_RETURN(
      h->get_holders_,
      db.Prepare("SELECT holder FROM holders WHERE id = ? ORDER BY since_ms, holder"));
  // Write statements prepare fine on a read-only handle; they would fail only if run.
  TERN_ASSIGN_OR_RETURN(h->upsert_chunk_,
                        db.Prepare("INSERT OR IGNORE INTO chunks(id, origin, source, seq, kind,"
                                   " priority, t_first, t_last, records, bytes, created_ms)"
                                   " VALUES(?,?,?,?,?,?,?,?,?,?,?)"));
  TERN_ASSIGN_OR_RETURN(h->ins_holder_, db.Prepare("INSERT OR IGNORE INTO holders(id, holder,"
                                                   " since_ms) VALUES(?, ?, ?)"));
  TERN_ASSIGN_OR_RETURN(h->del_holder_,
                        db.Prepare("DELETE FROM holders WHERE id = ? AND holder = ?"));
  TERN_ASSIGN_OR_RETURN(h->mark_spooled_, db.Prepare("UPDATE chunks SET spooled = 1 WHERE id = ?"));
  TERN_ASSIGN_OR_RETURN(h->mark_acked_, db.Prepare("UPDATE chunks SET acked = 1 WHERE id = ?"));
  return h;
}

Status HolderIndex::RecordHolder(const StoredNotice& n) {
  TERN_RETURN_IF_ERROR(upsert_chunk_->BindBlob(1, n.id)
                           .Bind(2, int64_t{n.origin})
                           .BindText(3, n.source)
                           .Bind(4, static_cast<int64_t>(n.seq))
                           .Bind(5, int64_t{n.kind})
                           .Bind(6, int64_t{n.priority})
                           .Bind(7, static_cast<int64_t>(n.t_first))
                           .Bind(8, static_cast<int64_t>(n.t_last))
                           .Bind(9, int64_t{n.records})
                           .Bind(10, static_cast<int64_t>(n.bytes))
                           .Bind(11, now_ms_())
                           .Run());
  return ins_holder_->BindBlob(1, n.id).Bind(2, int64_t{n.holder}).Bind(3, now_ms_()).Run();
}

Status HolderIndex::RemoveHolder(const ChunkId& id, uint32_t holder) {
  return del_holder_->BindBlob(1, id).Bind(2, int64_t{holder}).Run();
}

Status HolderIndex::MarkSpooled(const ChunkId& id) { return mark_spooled_->BindBlob(1, id).Run(); }
Status HolderIndex::MarkAcked(const ChunkId& id) { return mark_acked_->BindBlob(1, id).Run(); }

Result<std::vector<uint32_t>> HolderIndex::Holders(const ChunkId& id) {
  ResetGuard g(get_holders_.get());
  get_holders_->BindBlob(1, id);
  std::vector<uint32_t> out;
  while (true) {
    TERN_ASSIGN_OR_RETURN(bool row, get_holders_->Step());
    if (!row) break;
    out.push_back(static_cast<uint32_t>(get_holders_->Int(0)));
  }
  return out;
}

Result<std::optional<ChunkRecord>> HolderIndex::Chunk(const ChunkId& id) {
  std::optional<ChunkRecord> out;
  {
    ResetGuard g(get_chunk_.get());
    get_chunk_->BindBlob(1, id);
    TERN_ASSIGN_OR_RETURN(bool row, get_chunk_->Step());
    if (row) out = RowToChunk(*get_chunk_);
  }
  if (out) {
    TERN_ASSIGN_OR_RETURN(out->holders, Holders(id));
  }
  return out;
}

Result<std::vector<ChunkRecord>> HolderIndex::Find(const std::string& source, uint32_t origin,
                                                   uint64_t from, uint64_t to, int64_t limit) {
  // Two statements: the unlimited one is the core's and ternctl's, the limited one the API's.
  std::unique_ptr<Statement>& slot = limit > 0 ? find_limit_ : find_;
  TERN_ASSIGN_OR_RETURN(
      Statement * q,
      PrepareOnce(db_, slot,
                  limit > 0 ? "SELECT " TERN_CHUNK_COLS
                              " FROM chunks WHERE source = ?1 AND (?2 = 0 OR origin = ?2)"
                              " AND t_last >= ?3 AND t_first <= ?4 ORDER BY origin, seq LIMIT ?5"
                            : "SELECT " TERN_CHUNK_COLS
                              " FROM chunks WHERE source = ?1 AND (?2 = 0 OR origin = ?2)"
                              " AND t_last >= ?3 AND t_first <= ?4 ORDER BY origin, seq"));
  std::vector<ChunkRecord> out;
  {
    ResetGuard g(q);
    q->BindText(1, source)
        .Bind(2, int64_t{origin})
        .Bind(3, store::Int(from))
        .Bind(4, store::Int(to));
    if (limit > 0) q->Bind(5, limit);
    while (true) {
      TERN_ASSIGN_OR_RETURN(bool row, q->Step());
      if (!row) break;
      out.push_back(RowToChunk(*q));
    }
  }
  for (auto& c : out) {
    TERN_ASSIGN_OR_RETURN(c.holders, Holders(c.id));
  }
  return out;
}

Result<std::vector<ChunkId>> HolderIndex::IdsBetween(const ChunkId& lo, const ChunkId& hi,
                                                     int64_t limit) {
  TERN_ASSIGN_OR_RETURN(
      Statement * q,
      PrepareOnce(db_, ids_between_,
                  "SELECT id FROM chunks WHERE id >= ? AND id <= ? ORDER BY id LIMIT ?"));
  ResetGuard g(q);
  q->BindBlob(1, lo).BindBlob(2, hi).Bind(3, limit);
  std::vector<ChunkId> ids;
  while (true) {
    TERN_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    ids.emplace_back(q->Blob(0));
  }
  return ids;
}

Result<std::vector<ChunkRecord>> HolderIndex::All() {
  std::vector<ChunkRecord> out;
  std::map<ChunkId, size_t> index;
  {
    TERN_ASSIGN_OR_RETURN(Statement * q, PrepareOnce(db_, all_chunks_,
                                                     "SELECT " TERN_CHUNK_COLS
                                                     " FROM chunks ORDER BY origin, source, seq"));
    ResetGuard g(q);
    while (true) {
      TERN_ASSIGN_OR_RETURN(bool row, q->Step());
      if (!row) break;
      out.push_back(RowToChunk(*q));
      index[out.back().id] = out.size() - 1;
    }
  }
  TERN_ASSIGN_OR_RETURN(
      Statement * h,
      PrepareOnce(db_, all_holders_, "SELECT id, holder FROM holders ORDER BY id, since_ms"));
  ResetGuard g(h);
  while (true) {
    TERN_ASSIGN_OR_RETURN(bool row, h->Step());
    if (!row) break;
    auto it = index.find(std::string(h->Blob(0)));
    if (it != index.end()) out[it->second].holders.push_back(static_cast<uint32_t>(h->Int(1)));
  }
  return out;
}

Result<std::vector<ChunkId>> HolderIndex::HeldBy(uint32_t holder) {
  TERN_ASSIGN_OR_RETURN(
      Statement * q,
      PrepareOnce(db_, held_by_, "SELECT id FROM holders WHERE holder = ? ORDER BY id"));
  ResetGuard g(q);
  q->Bind(1, int64_t{holder});
  std::vector<ChunkId> ids;
  while (true) {
    TERN_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    ids.emplace_back(q->Blob(0));
  }
  return ids;
}

Result<int64_t> HolderIndex::RemoveAllOf(uint32_t holder) {
  TERN_ASSIGN_OR_RETURN(Statement * q,
                        PrepareOnce(db_, del_all_of_, "DELETE FROM holders WHERE holder = ?"));
  TERN_RETURN_IF_ERROR(q->Bind(1, int64_t{holder}).Run());
  return db_.Changes();
}

Result<int64_t> HolderIndex::Count() {
  TERN_ASSIGN_OR_RETURN(Statement * q, PrepareOnce(db_, count_, "SELECT count(*) FROM chunks"));
  ResetGuard g(q);
  TERN_ASSIGN_OR_RETURN(bool row, q->Step());
  return row ? q->Int(0) : 0;
}

Result<ChunkTotals> HolderIndex::AckedTotals(uint32_t origin) {
  TERN_ASSIGN_OR_RETURN(
      Statement * q,
      PrepareOnce(db_, acked_totals_,
                  "SELECT count(*), coalesce(sum(records), 0), coalesce(sum(bytes), 0)"
                  " FROM chunks WHERE acked = 1 AND origin = ?"));
  ResetGuard g(q);
  q->Bind(1, int64_t{origin});
  TERN_ASSIGN_OR_RETURN(bool row, q->Step());
  ChunkTotals t;
  if (row) t = {q->Int(0), q->Int(1), q->Int(2)};
  return t;
}

}  // namespace tern::core
