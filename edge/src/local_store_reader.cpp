// LocalStoreReader: every read of an edge.db, for the running edge (LocalStore forwards its
// reads here under its lock) and for other processes through LocalStore::OpenReadOnly
// (ternctl's nodes, verify and get). Statements other than the chunk lookups are prepared on
// first use and reset after each call, so a reader never pins an old WAL snapshot.
#include <algorithm>
#include <filesystem>
#include <limits>

#include "body_store.h"
#include "tern/edge/local_store.h"

namespace tern::edge {
LocalStoreReader::~LocalStoreReader() = default;

Result<std::unique_ptr<LocalStoreReader>> LocalStoreReader::Attach(std::unique_ptr<Database> db,
                                                                   std::string path) {
  std::unique_ptr<LocalStoreReader> r(new LocalStoreReader());
  r->path_ = std::move(path);
  r->db_ = std::move(db);
  // A store from before schema 3 (read-only: never migrated) has no shared bodies.
  auto q = r->db_->Prepare("SELECT data, parts FROM chunks WHERE id = ?");
  if (!q.ok()) {
    r->parts_col_ = "NULL";
    TERN_ASSIGN_OR_RETURN(q, r->db_->Prepare("SELECT data, NULL FROM chunks WHERE id = ?"));
  }
  r->get_chunk_ = std::move(q).value();
  TERN_ASSIGN_OR_RETURN(r->has_chunk_, r->db_->Prepare("SELECT 1 FROM chunks WHERE id = ?"));
  return r;
}

Result<std::unique_ptr<LocalStoreReader>> LocalStore::OpenReadOnly(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return Status::NotFound("store " + path + ": no such file");
  }
  Database::Options o;
  o.read_only = true;
  o.cache_kib = 4096;
  auto db = Database::Open(path, o);
  if (!db.ok()) return db.status().WithContext("store " + path);
  auto r = LocalStoreReader::Attach(std::move(db).value(), path);
  if (!r.ok()) return r.status().WithContext("store " + path);
  return r;
}

Result<std::optional<std::string>> LocalStoreReader::GetMeta(const std::string& key) {
  TERN_ASSIGN_OR_RETURN(Statement * q,
                        PrepareOnce(*db_, get_meta_, "SELECT value FROM meta WHERE key = ?"));
  ResetGuard g(q);
  q->BindText(1, key);
  TERN_ASSIGN_OR_RETURN(bool row, q->Step());
  std::optional<std::string> out;
  if (row) out = std::string(q->Text(0));
  return out;
}

Result<std::optional<std::string>> LocalStoreReader::GetChunk(const ChunkId& id) {
  ResetGuard g(get_chunk_.get());
  get_chunk_->BindBlob(1, id);
  TERN_ASSIGN_OR_RETURN(bool row, get_chunk_->Step());
  std::optional<std::string> out;
  if (row) {
    TERN_ASSIGN_OR_RETURN(out, Wire(*get_chunk_, 0, 1));
  }
  return out;
}

Result<std::string> LocalStoreReader::Wire(const Statement& q, int data_col, int parts_col) {
  if (q.IsNull(parts_col) || q.Blob(parts_col).empty()) return std::string(q.Blob(data_col));
  return Reassemble(q.Blob(data_col), q.Blob(parts_col),
                    [this](std::string_view hash) -> Result<std::optional<std::string>> {
                      TERN_ASSIGN_OR_RETURN(
                          Statement * b,
                          PrepareOnce(*db_, get_body_, "SELECT data FROM bodies WHERE hash = ?"));
                      ResetGuard g(b);
                      b->BindBlob(1, hash);
                      TERN_ASSIGN_OR_RETURN(bool row, b->Step());
                      std::optional<std::string> out;
                      if (row) out = std::string(b->Blob(0));
                      return out;
                    });
}

Result<DedupStats> LocalStoreReader::Dedup() {
  if (parts_col_ != "parts") return DedupStats{};
  TERN_ASSIGN_OR_RETURN(Statement * q,
                        PrepareOnce(*db_, dedup_,
                                    "SELECT count(*), coalesce(sum(bytes), 0),"
                                    " coalesce(sum((refs - 1) * bytes), 0) FROM bodies"));
  ResetGuard g(q);
  TERN_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return DedupStats{};
  return DedupStats{q->Int(0), q->Int(1), q->Int(2)};
}

Result<bool> LocalStoreReader::HasChunk(const ChunkId& id) {
  ResetGuard g(has_chunk_.get());
  has_chunk_->BindBlob(1, id);
  return has_chunk_->Step();
}

Result<std::vector<OutboxEntry>> LocalStoreReader::LoadOutbox() {
  TERN_ASSIGN_OR_RETURN(
      Statement * q,
      PrepareOnce(*db_, outbox_,
                  "SELECT id, priority, bytes, created_ms FROM outbox ORDER BY rowid"));
  ResetGuard g(q);
  std::vector<OutboxEntry> out;
  while (true) {
    TERN_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    out.push_back({std::string(q->Blob(0)), static_cast<int>(q->Int(1)),
                   static_cast<uint64_t>(q->Int(2)), static_cast<uint64_t>(q->Int(3))});
  }
  return out;
}

Result<std::vector<StoredChunkInfo>> LocalStoreReader::RecentReplicas(int limit) {
  TERN_ASSIGN_OR_RETURN(
      Statement * q,
      PrepareOnce(*db_, replicas_,
                  "SELECT id, origin, source, seq, kind, priority, t_first, t_last, records, bytes"
                  " FROM chunks WHERE own = 0 ORDER BY rowid DESC LIMIT ?"));
  ResetGuard g(q);
  q->Bind(1, int64_t{limit});
  std::vector<StoredChunkInfo> out;
  while (true) {
    TERN_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    StoredChunkInfo i;
    i.id = std::string(q->Blob(0));
    i.origin = static_cast<uint32_t>(q->Int(1));
    i.source = std::string(q->Text(2));
    i.seq = static_cast<uint64_t>(q->Int(3));
    i.kind = static_cast<int>(q->Int(4));
    i.priority = static_cast<int>(q->Int(5));
    i.t_first = static_cast<uint64_t>(q->Int(6));
    i.t_last = static_cast<uint64_t>(q->Int(7));
    i.records = static_cast<uint32_t>(q->Int(8));
    i.bytes = static_cast<uint64_t>(q->Int(9));
    out.push_back(std::move(i));
  }
  return out;
}

Result<std::pair<int64_t, int64_t>> LocalStoreReader::Totals() {
  TERN_ASSIGN_OR_RETURN(
      Statement * q,
      PrepareOnce(*db_, totals_, "SELECT count(*), coalesce(sum(bytes), 0) FROM chunks"));
  ResetGuard g(q);
  TERN_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return std::pair<int64_t, int64_t>{0, 0};
  return std::pair<int64_t, int64_t>{q->Int(0), q->Int(1)};
}

Result<std::optional<StoredCopy>> LocalStoreReader::GetCopy(const ChunkId& id) {
  const std::string sql =
      "SELECT data, sig, own, origin, " + parts_col_ + " FROM chunks WHERE id = ?";
  TERN_ASSIGN_OR_RETURN(Statement * q, PrepareOnce(*db_, get_copy_, sql.c_str()));
  ResetGuard g(q);
  q->BindBlob(1, id);
  TERN_ASSIGN_OR_RETURN(bool row, q->Step());
  std::optional<StoredCopy> out;
  if (row) {
    TERN_ASSIGN_OR_RETURN(std::string wire, Wire(*q, 0, 4));
    out = StoredCopy{std::move(wire), std::string(q->Blob(1)), q->Int(2) != 0,
                     static_cast<uint32_t>(q->Int(3))};
  }
  return out;
}

Result<std::vector<ChunkSize>> LocalStoreReader::ListChunks(const std::string& after, int limit) {
  TERN_ASSIGN_OR_RETURN(
      Statement * q,
      PrepareOnce(*db_, list_, "SELECT id, bytes FROM chunks WHERE id > ? ORDER BY id LIMIT ?"));
  ResetGuard g(q);
  q->BindBlob(1, after).Bind(2, int64_t{limit});
  std::vector<ChunkSize> out;
  while (true) {
    TERN_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    out.push_back({std::string(q->Blob(0)), static_cast<uint64_t>(q->Int(1))});
  }
  return out;
}

Result<std::vector<std::pair<uint64_t, ChunkId>>> LocalStoreReader::SeriesRun(
    uint32_t origin, const std::string& source, uint64_t seq_first, uint64_t seq_last,
    uint64_t t_lo, uint64_t t_hi) {
  TERN_ASSIGN_OR_RETURN(
      Statement * q,
      PrepareOnce(*db_, series_,
                  "SELECT seq, id FROM chunks WHERE origin = ?1 AND source = ?2"
                  " AND t_first BETWEEN ?3 AND ?4 AND seq BETWEEN ?5 AND ?6 ORDER BY seq"));
  ResetGuard g(q);
  // Stamps and numbers are stored as SQLite's signed integers, and every one stored is below
  // 2^63 (an HLC stamp is wall ms << 16); a bound above that means "no bound".
  auto bound = [](uint64_t v) {
    return static_cast<int64_t>(std::min<uint64_t>(v, std::numeric_limits<int64_t>::max()));
  };
  q->Bind(1, int64_t{origin})
      .BindText(2, source)
      .Bind(3, bound(t_lo))
      .Bind(4, bound(t_hi))
      .Bind(5, bound(seq_first))
      .Bind(6, bound(seq_last));
  std::vector<std::pair<uint64_t, ChunkId>> out;
  while (true) {
    TERN_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    out.emplace_back(static_cast<uint64_t>(q->Int(0)), ChunkId(q->Blob(1)));
  }
  return out;
}

Result<int64_t> LocalStoreReader::QuarantineCount() {
  TERN_ASSIGN_OR_RETURN(Statement * q,
                        PrepareOnce(*db_, quarantined_, "SELECT count(*) FROM quarantine"));
  ResetGuard g(q);
  TERN_ASSIGN_OR_RETURN(bool row, q->Step());
  return row ? q->Int(0) : int64_t{0};
}

Status LocalStoreReader::ScanChunks(bool with_data,
                                    const std::function<void(const StoredChunkView&)>& fn) {
  const std::string sql_data = "SELECT id, origin, own, data, " + parts_col_ + " FROM chunks";
  TERN_ASSIGN_OR_RETURN(Statement * q,
                        with_data ? PrepareOnce(*db_, scan_data_, sql_data.c_str())
                                  : PrepareOnce(*db_, scan_, "SELECT id, origin, own FROM chunks"));
  ResetGuard g(q);
  std::string wire;  // a split row's bytes put back together, alive during the callback
  while (true) {
    TERN_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    StoredChunkView v;
    v.id = q->Blob(0);
    v.origin = static_cast<uint32_t>(q->Int(1));
    v.own = q->Int(2) != 0;
    if (with_data && !q->IsNull(4) && !q->Blob(4).empty()) {
      TERN_ASSIGN_OR_RETURN(wire, Wire(*q, 3, 4));
      v.data = wire;
    } else if (with_data) {
      v.data = q->Blob(3);
    }
    fn(v);
  }
  return Status::Ok();
}

}  // namespace tern::edge
