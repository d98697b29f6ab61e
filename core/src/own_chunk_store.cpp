// OwnChunkStore: the `own_chunks` table of core.db (chunks the core makes itself).
#include "tern/core/own_chunk_store.h"

#include "store_util.h"

namespace tern::core {

Status OwnChunkStore::Insert(const OwnChunkRow& r) {
  TERN_ASSIGN_OR_RETURN(
      Statement * q,
      PrepareOnce(db_, ins_,
                  "INSERT OR IGNORE INTO own_chunks(id, source, seq, rec_first, records, t_first,"
                  " t_last, created_ms, placed, wire) VALUES(?,?,?,?,?,?,?,?,0,?)"));
  return q->BindBlob(1, r.id)
      .BindText(2, r.source)
      .Bind(3, store::Int(r.seq))
      .Bind(4, store::Int(r.rec_first))
      .Bind(5, int64_t{r.records})
      .Bind(6, store::Int(r.t_first))
      .Bind(7, store::Int(r.t_last))
      .Bind(8, now_ms_())
      .BindBlob(9, r.wire)
      .Run();
}

Status OwnChunkStore::MarkPlaced(const ChunkId& id) {
  TERN_ASSIGN_OR_RETURN(
      Statement * q,
      PrepareOnce(db_, placed_, "UPDATE own_chunks SET placed = 1, wire = NULL WHERE id = ?"));
  return q->BindBlob(1, id).Run();
}

Result<std::vector<std::pair<ChunkId, std::string>>> OwnChunkStore::Unplaced() {
  TERN_ASSIGN_OR_RETURN(Statement * q,
                        PrepareOnce(db_, unplaced_,
                                    "SELECT id, wire FROM own_chunks WHERE placed = 0 AND wire IS"
                                    " NOT NULL ORDER BY source, seq"));
  ResetGuard g(q);
  return store::IdBlobRows(q);
}

Result<OwnSourceMarks> OwnChunkStore::Marks(const std::string& source) {
  TERN_ASSIGN_OR_RETURN(Statement * q,
                        PrepareOnce(db_, marks_,
                                    "SELECT count(*), max(seq), max(rec_first + records),"
                                    " max(t_last) FROM own_chunks WHERE source = ?"));
  ResetGuard g(q);
  q->BindText(1, source);
  OwnSourceMarks m;
  TERN_ASSIGN_OR_RETURN(bool row, q->Step());
  if (row && q->Int(0) > 0) {
    m.next_seq = static_cast<uint64_t>(q->Int(1)) + 1;
    m.next_record = static_cast<uint64_t>(q->Int(2));
    m.last_stamp = static_cast<uint64_t>(q->Int(3));
  }
  return m;
}

}  // namespace tern::core
