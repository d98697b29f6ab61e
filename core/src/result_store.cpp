// ResultStore: the `results` and `links` tables of core.db (analysis results and what they
// were computed from).
#include "tern/core/result_store.h"

#include "store_util.h"

namespace tern::core {

Status ResultStore::Insert(const ResultRow& r) {
  TERN_ASSIGN_OR_RETURN(
      Statement * q,
      PrepareOnce(db_, ins_,
                  "INSERT OR IGNORE INTO results(id, origin, source, processor, t_first, t_last,"
                  " anomalies, summary, created_ms, placed, wire) VALUES(?,?,?,?,?,?,?,?,?,0,?)"));
  TERN_RETURN_IF_ERROR(q->BindBlob(1, r.id)
                           .Bind(2, int64_t{r.origin})
                           .BindText(3, r.source)
                           .BindText(4, r.processor)
                           .Bind(5, static_cast<int64_t>(r.t_first))
                           .Bind(6, static_cast<int64_t>(r.t_last))
                           .Bind(7, int64_t{r.anomalies})
                           .BindText(8, r.summary)
                           .Bind(9, now_ms_())
                           .BindBlob(10, r.wire)
                           .Run());
  TERN_ASSIGN_OR_RETURN(
      Statement * l,
      PrepareOnce(db_, ins_link_, "INSERT OR IGNORE INTO links(result, source) VALUES(?, ?)"));
  for (const auto& src : r.sources)
    TERN_RETURN_IF_ERROR(l->BindBlob(1, r.id).BindBlob(2, src).Run());
  return Status::Ok();
}

Status ResultStore::MarkPlaced(const ChunkId& id) {
  TERN_ASSIGN_OR_RETURN(
      Statement * q,
      PrepareOnce(db_, placed_, "UPDATE results SET placed = 1, wire = NULL WHERE id = ?"));
  return q->BindBlob(1, id).Run();
}

Result<std::vector<ChunkId>> ResultStore::Links(std::unique_ptr<Statement>& slot, const char* sql,
                                                const ChunkId& id) {
  TERN_ASSIGN_OR_RETURN(Statement * q, PrepareOnce(db_, slot, sql));
  ResetGuard g(q);
  q->BindBlob(1, id);
  std::vector<ChunkId> out;
  while (true) {
    TERN_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    out.emplace_back(q->Blob(0));
  }
  return out;
}

Result<std::vector<ChunkId>> ResultStore::SourcesOf(const ChunkId& result) {
  return Links(sources_, "SELECT source FROM links WHERE result = ? ORDER BY source", result);
}

Result<std::vector<ChunkId>> ResultStore::ResultsOf(const ChunkId& source) {
  return Links(results_, "SELECT result FROM links WHERE source = ? ORDER BY result", source);
}

Result<std::vector<std::pair<ChunkId, std::string>>> ResultStore::Unplaced() {
  TERN_ASSIGN_OR_RETURN(
      Statement * q,
      PrepareOnce(db_, unplaced_,
                  "SELECT id, wire FROM results WHERE placed = 0 AND wire IS NOT NULL"));
  ResetGuard g(q);
  return store::IdBlobRows(q);
}

Result<std::vector<StoredResult>> ResultStore::Query(const ResultQuery& rq) {
  TERN_ASSIGN_OR_RETURN(
      Statement * q,
      PrepareOnce(db_, query_,
                  "SELECT id, origin, source, processor, t_first, t_last, anomalies, summary,"
                  " created_ms, placed FROM results WHERE (?1 IS NULL OR source = ?1)"
                  " AND (?2 = 0 OR origin = ?2) AND t_last >= ?3 AND t_first <= ?4"
                  " AND (?5 = 0 OR anomalies > 0) ORDER BY t_first DESC, id LIMIT ?6"));
  std::vector<StoredResult> out;
  {
    ResetGuard g(q);
    if (rq.source) {
      q->BindText(1, *rq.source);
    } else {
      q->BindNull(1);
    }
    q->Bind(2, int64_t{rq.origin})
        .Bind(3, store::Int(rq.from))
        .Bind(4, store::Int(rq.to))
        .Bind(5, int64_t{rq.anomalies_only})
        .Bind(6, rq.limit > 0 ? rq.limit : int64_t{-1});  // LIMIT -1: no limit
    while (true) {
      TERN_ASSIGN_OR_RETURN(bool row, q->Step());
      if (!row) break;
      StoredResult r;
      r.id = std::string(q->Blob(0));
      r.origin = static_cast<uint32_t>(q->Int(1));
      r.source = std::string(q->Text(2));
      r.processor = std::string(q->Text(3));
      r.t_first = static_cast<uint64_t>(q->Int(4));
      r.t_last = static_cast<uint64_t>(q->Int(5));
      r.anomalies = q->Int(6);
      r.summary = std::string(q->Text(7));
      r.created_ms = q->Int(8);
      r.placed = q->Int(9) != 0;
      out.push_back(std::move(r));
    }
  }
  for (auto& r : out) {
    TERN_ASSIGN_OR_RETURN(r.sources, SourcesOf(r.id));
  }
  return out;
}

}  // namespace tern::core
