// Registry, manifest and spool tables.
#include "tern/core/manifest.h"

#include <chrono>
#include <map>

namespace tern::core {
namespace {
int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}
constexpr const char* kChunkCols =
    "id, origin, source, seq, kind, priority, t_first, t_last, records, bytes, spooled, acked";
}  // namespace

const std::vector<std::string>& Manifest::Schema() {
  static const std::vector<std::string> kSteps = {
      // v1
      "CREATE TABLE nodes(addr INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE,"
      " store_path TEXT NOT NULL DEFAULT '', capacity INTEGER NOT NULL DEFAULT 0,"
      " registered_ms INTEGER NOT NULL, last_seen_ms INTEGER NOT NULL DEFAULT 0,"
      " state TEXT NOT NULL DEFAULT 'unknown');"
      "CREATE TABLE chunks(id BLOB PRIMARY KEY, origin INTEGER NOT NULL, source TEXT NOT NULL,"
      " seq INTEGER NOT NULL, kind INTEGER NOT NULL, priority INTEGER NOT NULL,"
      " t_first INTEGER NOT NULL, t_last INTEGER NOT NULL, records INTEGER NOT NULL,"
      " bytes INTEGER NOT NULL, spooled INTEGER NOT NULL DEFAULT 0,"
      " acked INTEGER NOT NULL DEFAULT 0, created_ms INTEGER NOT NULL);"
      "CREATE INDEX chunks_by_source ON chunks(source, t_first);"
      "CREATE TABLE holders(id BLOB NOT NULL, holder INTEGER NOT NULL, since_ms INTEGER NOT NULL,"
      " PRIMARY KEY(id, holder)) WITHOUT ROWID;"
      "CREATE TABLE spool(id BLOB PRIMARY KEY, priority INTEGER NOT NULL, origin INTEGER NOT NULL,"
      " received_ms INTEGER NOT NULL, data BLOB NOT NULL);"
      "CREATE INDEX spool_order ON spool(priority, received_ms);",
      // v2: per-edge settings, analysis results and their links to source chunks
      "CREATE TABLE edge_settings(name TEXT PRIMARY KEY, priority INTEGER NOT NULL DEFAULT 2,"
      " weight INTEGER NOT NULL DEFAULT 1, kinds TEXT NOT NULL DEFAULT 'samples,blob,event',"
      " max_bytes_per_s INTEGER NOT NULL DEFAULT 0, protocol INTEGER NOT NULL DEFAULT 1,"
      " updated_ms INTEGER NOT NULL) WITHOUT ROWID;"
      "CREATE TABLE settings_meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"
      "INSERT INTO settings_meta(key, value) VALUES('version', 0);"
      "CREATE TABLE results(id BLOB PRIMARY KEY, origin INTEGER NOT NULL, source TEXT NOT NULL,"
      " processor TEXT NOT NULL, t_first INTEGER NOT NULL, t_last INTEGER NOT NULL,"
      " anomalies INTEGER NOT NULL DEFAULT 0, summary TEXT NOT NULL, created_ms INTEGER NOT NULL,"
      " placed INTEGER NOT NULL DEFAULT 0, wire BLOB);"
      "CREATE INDEX results_by_source ON results(origin, source, t_first);"
      "CREATE TABLE links(result BLOB NOT NULL, source BLOB NOT NULL,"
      " PRIMARY KEY(result, source)) WITHOUT ROWID;"
      "CREATE INDEX links_by_source ON links(source);",
  };
  return kSteps;
}

Result<std::unique_ptr<Manifest>> Manifest::Open(const std::string& path, bool read_only) {
  Database::Options o;
  o.read_only = read_only;
  o.cache_kib = 65536;  // random 32-byte keys: a big cache keeps index pages resident
  TERN_ASSIGN_OR_RETURN(auto db, Database::Open(path, o));
  std::unique_ptr<Manifest> m(new Manifest(std::move(db)));
  if (!read_only) TERN_RETURN_IF_ERROR(m->db_->Migrate(Schema()));
  TERN_RETURN_IF_ERROR(m->Prepare());
  return m;
}

Status Manifest::Prepare() {
  auto& d = *db_;
  TERN_ASSIGN_OR_RETURN(get_chunk_, d.Prepare(std::string("SELECT ") + kChunkCols +
                                              " FROM chunks WHERE id = ?"));
  TERN_ASSIGN_OR_RETURN(get_holders_,
                        d.Prepare("SELECT holder FROM holders WHERE id = ? ORDER BY since_ms, holder"));
  TERN_ASSIGN_OR_RETURN(reg_get_, d.Prepare("SELECT addr FROM nodes WHERE name = ?"));
  // Write statements prepare fine on a read-only handle; they would fail only if run.
  TERN_ASSIGN_OR_RETURN(reg_ins_, d.Prepare("INSERT INTO nodes(name, store_path, capacity,"
                                            " registered_ms) VALUES(?, ?, ?, ?)"));
  TERN_ASSIGN_OR_RETURN(reg_upd_, d.Prepare("UPDATE nodes SET store_path = ?, capacity = ?"
                                            " WHERE addr = ?"));
  TERN_ASSIGN_OR_RETURN(node_state_, d.Prepare("UPDATE nodes SET state = ?, last_seen_ms ="
                                               " max(last_seen_ms, ?) WHERE addr = ?"));
  TERN_ASSIGN_OR_RETURN(upsert_chunk_,
                        d.Prepare("INSERT OR IGNORE INTO chunks(id, origin, source, seq, kind,"
                                  " priority, t_first, t_last, records, bytes, created_ms)"
                                  " VALUES(?,?,?,?,?,?,?,?,?,?,?)"));
  TERN_ASSIGN_OR_RETURN(ins_holder_, d.Prepare("INSERT OR IGNORE INTO holders(id, holder,"
                                               " since_ms) VALUES(?, ?, ?)"));
  TERN_ASSIGN_OR_RETURN(del_holder_, d.Prepare("DELETE FROM holders WHERE id = ? AND holder = ?"));
  TERN_ASSIGN_OR_RETURN(ins_spool_, d.Prepare("INSERT OR IGNORE INTO spool(id, priority, origin,"
                                              " received_ms, data) VALUES(?, ?, ?, ?, ?)"));
  TERN_ASSIGN_OR_RETURN(del_spool_, d.Prepare("DELETE FROM spool WHERE id = ?"));
  TERN_ASSIGN_OR_RETURN(mark_spooled_, d.Prepare("UPDATE chunks SET spooled = 1 WHERE id = ?"));
  TERN_ASSIGN_OR_RETURN(mark_acked_, d.Prepare("UPDATE chunks SET acked = 1 WHERE id = ?"));
  return Status::Ok();
}

Result<uint32_t> Manifest::Register(const std::string& name, const std::string& store_path,
                                    int64_t capacity) {
  reg_get_->BindText(1, name);
  auto row = reg_get_->Step();
  int64_t addr = row.ok() && *row ? reg_get_->Int(0) : 0;
  reg_get_->Reset();
  if (!row.ok()) return row.status();
  if (addr == 0) {
    TERN_RETURN_IF_ERROR(reg_ins_->BindText(1, name).BindText(2, store_path).Bind(3, capacity)
                             .Bind(4, WallMs()).Run());
    addr = db_->LastInsertRowid();
  } else {
    TERN_RETURN_IF_ERROR(reg_upd_->BindText(1, store_path).Bind(2, capacity).Bind(3, addr).Run());
  }
  return static_cast<uint32_t>(addr);
}

Status Manifest::SetNodeState(uint32_t addr, const std::string& state, int64_t last_seen_ms) {
  return node_state_->BindText(1, state).Bind(2, last_seen_ms).Bind(3, int64_t{addr}).Run();
}

Result<std::vector<NodeRecord>> Manifest::Nodes() {
  TERN_ASSIGN_OR_RETURN(auto q, db_->Prepare("SELECT addr, name, store_path, capacity,"
                                             " registered_ms, last_seen_ms, state FROM nodes"
                                             " ORDER BY addr"));
  std::vector<NodeRecord> out;
  while (true) {
    TERN_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    out.push_back({static_cast<uint32_t>(q->Int(0)), std::string(q->Text(1)),
                   std::string(q->Text(2)), q->Int(3), q->Int(4), q->Int(5),
                   std::string(q->Text(6))});
  }
  return out;
}

Status Manifest::RecordHolder(const StoredNotice& n) {
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
                           .Bind(11, WallMs())
                           .Run());
  return ins_holder_->BindBlob(1, n.id).Bind(2, int64_t{n.holder}).Bind(3, WallMs()).Run();
}

Status Manifest::RemoveHolder(const ChunkId& id, uint32_t holder) {
  return del_holder_->BindBlob(1, id).Bind(2, int64_t{holder}).Run();
}

Status Manifest::Spool(const ChunkId& id, const ChunkHeader& h, std::string_view wire) {
  TERN_RETURN_IF_ERROR(ins_spool_->BindBlob(1, id)
                           .Bind(2, int64_t{static_cast<int>(h.priority)})
                           .Bind(3, int64_t{h.origin})
                           .Bind(4, WallMs())
                           .BindBlob(5, wire)
                           .Run());
  return mark_spooled_->BindBlob(1, id).Run();
}

Status Manifest::Unspool(const ChunkId& id) { return del_spool_->BindBlob(1, id).Run(); }
Status Manifest::MarkAcked(const ChunkId& id) { return mark_acked_->BindBlob(1, id).Run(); }

Result<ChunkRecord> Manifest::RowToChunk(Statement& q) {
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

Result<std::vector<uint32_t>> Manifest::Holders(const ChunkId& id) {
  get_holders_->BindBlob(1, id);
  std::vector<uint32_t> out;
  while (true) {
    auto row = get_holders_->Step();
    if (!row.ok()) {
      get_holders_->Reset();
      return row.status();
    }
    if (!*row) break;
    out.push_back(static_cast<uint32_t>(get_holders_->Int(0)));
  }
  get_holders_->Reset();
  return out;
}

Result<std::optional<ChunkRecord>> Manifest::Chunk(const ChunkId& id) {
  get_chunk_->BindBlob(1, id);
  auto row = get_chunk_->Step();
  std::optional<ChunkRecord> out;
  if (row.ok() && *row) out = RowToChunk(*get_chunk_).value();
  get_chunk_->Reset();
  if (!row.ok()) return row.status();
  if (out) {
    TERN_ASSIGN_OR_RETURN(out->holders, Holders(id));
  }
  return out;
}

Result<std::vector<ChunkRecord>> Manifest::Find(const std::string& source, uint32_t origin,
                                                uint64_t from, uint64_t to) {
  TERN_ASSIGN_OR_RETURN(auto q, db_->Prepare(std::string("SELECT ") + kChunkCols +
                                             " FROM chunks WHERE source = ? AND (? = 0 OR origin = ?)"
                                             " AND t_last >= ? AND t_first <= ?"
                                             " ORDER BY origin, seq"));
  q->BindText(1, source).Bind(2, int64_t{origin}).Bind(3, int64_t{origin})
      .Bind(4, static_cast<int64_t>(from)).Bind(5, static_cast<int64_t>(std::min<uint64_t>(to, INT64_MAX)));
  std::vector<ChunkRecord> out;
  while (true) {
    TERN_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    out.push_back(RowToChunk(*q).value());
  }
  for (auto& c : out) {
    TERN_ASSIGN_OR_RETURN(c.holders, Holders(c.id));
  }
  return out;
}

Result<std::vector<ChunkRecord>> Manifest::All() {
  TERN_ASSIGN_OR_RETURN(auto q, db_->Prepare(std::string("SELECT ") + kChunkCols +
                                             " FROM chunks ORDER BY origin, source, seq"));
  std::vector<ChunkRecord> out;
  std::map<ChunkId, size_t> index;
  while (true) {
    TERN_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    out.push_back(RowToChunk(*q).value());
    index[out.back().id] = out.size() - 1;
  }
  TERN_ASSIGN_OR_RETURN(auto h, db_->Prepare("SELECT id, holder FROM holders ORDER BY id, since_ms"));
  while (true) {
    TERN_ASSIGN_OR_RETURN(bool row, h->Step());
    if (!row) break;
    auto it = index.find(std::string(h->Blob(0)));
    if (it != index.end()) out[it->second].holders.push_back(static_cast<uint32_t>(h->Int(1)));
  }
  return out;
}

Result<std::vector<std::pair<ChunkId, std::string>>> Manifest::NextSpooled(int limit) {
  TERN_ASSIGN_OR_RETURN(auto q, db_->Prepare("SELECT id, data FROM spool ORDER BY priority,"
                                             " received_ms LIMIT ?"));
  q->Bind(1, int64_t{limit});
  std::vector<std::pair<ChunkId, std::string>> out;
  while (true) {
    TERN_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    out.emplace_back(std::string(q->Blob(0)), std::string(q->Blob(1)));
  }
  return out;
}

Result<int64_t> Manifest::SpoolDepth() {
  TERN_ASSIGN_OR_RETURN(auto q, db_->Prepare("SELECT count(*) FROM spool"));
  TERN_ASSIGN_OR_RETURN(bool row, q->Step());
  return row ? q->Int(0) : 0;
}

Result<EdgeSettings> Manifest::Settings(const std::string& name) {
  TERN_ASSIGN_OR_RETURN(auto q, db_->Prepare("SELECT priority, weight, kinds, max_bytes_per_s,"
                                             " protocol FROM edge_settings WHERE name = ?"));
  q->BindText(1, name);
  EdgeSettings e;
  e.name = name;
  TERN_ASSIGN_OR_RETURN(bool row, q->Step());
  if (row) {
    e.priority = static_cast<int>(q->Int(0));
    e.weight = static_cast<int>(q->Int(1));
    e.kinds = std::string(q->Text(2));
    e.max_bytes_per_s = q->Int(3);
    e.protocol = static_cast<int>(q->Int(4));
  }
  return e;
}

Status Manifest::PutSettings(const EdgeSettings& e) {
  TERN_RETURN_IF_ERROR(e.Validate());
  TERN_ASSIGN_OR_RETURN(auto q, db_->Prepare(
      "INSERT INTO edge_settings(name, priority, weight, kinds, max_bytes_per_s, protocol,"
      " updated_ms) VALUES(?,?,?,?,?,?,?) ON CONFLICT(name) DO UPDATE SET"
      " priority = excluded.priority, weight = excluded.weight, kinds = excluded.kinds,"
      " max_bytes_per_s = excluded.max_bytes_per_s, protocol = excluded.protocol,"
      " updated_ms = excluded.updated_ms"));
  TERN_RETURN_IF_ERROR(q->BindText(1, e.name).Bind(2, int64_t{e.priority}).Bind(3, int64_t{e.weight})
                           .BindText(4, e.kinds).Bind(5, e.max_bytes_per_s)
                           .Bind(6, int64_t{e.protocol}).Bind(7, WallMs()).Run());
  return db_->Exec("UPDATE settings_meta SET value = value + 1 WHERE key = 'version'");
}

Result<int64_t> Manifest::SettingsVersion() {
  TERN_ASSIGN_OR_RETURN(auto q, db_->Prepare("SELECT value FROM settings_meta WHERE key = 'version'"));
  TERN_ASSIGN_OR_RETURN(bool row, q->Step());
  return row ? q->Int(0) : 0;
}

Status EdgeSettings::Validate() const {
  auto bad = [&](const std::string& field, const std::string& why) {
    return Status::InvalidArgument("edge '" + name + "': setting '" + field + "' " + why);
  };
  if (priority < -1 || priority >= kNumPriorities) {
    return bad("priority", "must be keep, alarm, high, normal or bulk");
  }
  if (weight < 1 || weight > 1000) return bad("weight", "must be 1..1000");
  if (max_bytes_per_s < 0) return bad("rate", "must be >= 0 (0 = unlimited)");
  if (protocol != kProtocolVersion) {
    return bad("protocol", "must be " + std::to_string(kProtocolVersion) + " (the only one this core speaks)");
  }
  size_t start = 0;
  while (start <= kinds.size()) {
    size_t end = kinds.find(',', start);
    std::string k = kinds.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!k.empty() && k != "samples" && k != "blob" && k != "event") {
      return bad("kinds", "has '" + k + "'; allowed: samples, blob, event");
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return Status::Ok();
}

bool EdgeSettings::Allows(RecordKind k) const {
  std::string want = KindName(k);
  std::string padded = "," + kinds + ",";
  return padded.find("," + want + ",") != std::string::npos;
}

nlohmann::json EdgeSettings::ToJson() const {
  return {{"name", name},
          {"priority", priority < 0 ? "keep" : PriorityName(static_cast<Priority>(priority))},
          {"weight", weight}, {"kinds", kinds}, {"max_bytes_per_s", max_bytes_per_s},
          {"protocol", protocol}};
}

Result<std::optional<std::string>> Manifest::SpoolData(const ChunkId& id) {
  TERN_ASSIGN_OR_RETURN(auto q, db_->Prepare("SELECT data FROM spool WHERE id = ?"));
  q->BindBlob(1, id);
  TERN_ASSIGN_OR_RETURN(bool row, q->Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(std::string(q->Blob(0)));
}

Result<std::vector<Manifest::SpoolEntry>> Manifest::SpoolIndex() {
  TERN_ASSIGN_OR_RETURN(auto q, db_->Prepare(
      "SELECT s.id, s.origin, s.priority, length(s.data), coalesce(c.t_last, 0) FROM spool s"
      " LEFT JOIN chunks c ON c.id = s.id ORDER BY s.received_ms"));
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

Status Manifest::InsertResult(const ResultRow& r) {
  TERN_ASSIGN_OR_RETURN(auto q, db_->Prepare(
      "INSERT OR IGNORE INTO results(id, origin, source, processor, t_first, t_last, anomalies,"
      " summary, created_ms, placed, wire) VALUES(?,?,?,?,?,?,?,?,?,0,?)"));
  TERN_RETURN_IF_ERROR(q->BindBlob(1, r.id).Bind(2, int64_t{r.origin}).BindText(3, r.source)
                           .BindText(4, r.processor).Bind(5, static_cast<int64_t>(r.t_first))
                           .Bind(6, static_cast<int64_t>(r.t_last)).Bind(7, int64_t{r.anomalies})
                           .BindText(8, r.summary).Bind(9, WallMs()).BindBlob(10, r.wire).Run());
  TERN_ASSIGN_OR_RETURN(auto l, db_->Prepare("INSERT OR IGNORE INTO links(result, source) VALUES(?, ?)"));
  for (const auto& src : r.sources) TERN_RETURN_IF_ERROR(l->BindBlob(1, r.id).BindBlob(2, src).Run());
  return Status::Ok();
}

namespace {
Result<std::vector<ChunkId>> LinkQuery(Database& db, const char* sql, const ChunkId& id) {
  TERN_ASSIGN_OR_RETURN(auto q, db.Prepare(sql));
  q->BindBlob(1, id);
  std::vector<ChunkId> out;
  while (true) {
    TERN_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    out.emplace_back(q->Blob(0));
  }
  return out;
}
}  // namespace

Result<std::vector<ChunkId>> Manifest::SourcesOf(const ChunkId& result) {
  return LinkQuery(*db_, "SELECT source FROM links WHERE result = ?", result);
}

Result<std::vector<ChunkId>> Manifest::ResultsOf(const ChunkId& source) {
  return LinkQuery(*db_, "SELECT result FROM links WHERE source = ?", source);
}

Status Manifest::MarkResultPlaced(const ChunkId& id) {
  TERN_ASSIGN_OR_RETURN(auto q, db_->Prepare("UPDATE results SET placed = 1, wire = NULL WHERE id = ?"));
  return q->BindBlob(1, id).Run();
}

Result<std::vector<std::pair<ChunkId, std::string>>> Manifest::UnplacedResults() {
  TERN_ASSIGN_OR_RETURN(auto q, db_->Prepare("SELECT id, wire FROM results WHERE placed = 0 AND wire IS NOT NULL"));
  std::vector<std::pair<ChunkId, std::string>> out;
  while (true) {
    TERN_ASSIGN_OR_RETURN(bool row, q->Step());
    if (!row) break;
    out.emplace_back(std::string(q->Blob(0)), std::string(q->Blob(1)));
  }
  return out;
}

Result<int64_t> Manifest::ChunkCount() {
  TERN_ASSIGN_OR_RETURN(auto q, db_->Prepare("SELECT count(*) FROM chunks"));
  TERN_ASSIGN_OR_RETURN(bool row, q->Step());
  return row ? q->Int(0) : 0;
}

}  // namespace tern::core
