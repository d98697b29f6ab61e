// Manifest: opens core.db, runs its schema migrations and owns the store classes that
// hold every statement on it (registry, holder index, spool, results, settings). The
// methods here only forward; see manifest.h for who owns which table.
#include "tern/core/manifest.h"

#include <chrono>

#include "tern/common/hlc.h"
#include "tern/core/settings_store.h"

namespace tern::core {
namespace {
int64_t WallMsSigned() { return static_cast<int64_t>(tern::WallMs()); }
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
      // v3: enrolment without PKI: the store id a name is bound to
      "ALTER TABLE nodes ADD COLUMN node_id TEXT NOT NULL DEFAULT '';",
      // v4: signed statements: per-sender replay windows and Last-Will numbers, the core's
      // own sequence reservation
      "CREATE TABLE senders(name TEXT PRIMARY KEY, window BLOB NOT NULL,"
      " will_seq INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;"
      "CREATE TABLE statement_meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;",
      // v5: enrolment with PKI: the certificate a name is bound to and its public key
      "ALTER TABLE nodes ADD COLUMN cert TEXT NOT NULL DEFAULT '';"
      "ALTER TABLE nodes ADD COLUMN pubkey TEXT NOT NULL DEFAULT '';",
      // v6: sequence safety: each origin's per-source marks (seq_marks.h), filled from the
      // chunks already known (record numbers were not kept before: 0), and the index the
      // core looks up an acked (origin, source, seq) by
      "CREATE TABLE seq_marks(origin INTEGER NOT NULL, source TEXT NOT NULL,"
      " acked_seq INTEGER NOT NULL DEFAULT -1, next_chunk INTEGER NOT NULL DEFAULT 0,"
      " next_record INTEGER NOT NULL DEFAULT 0, PRIMARY KEY(origin, source)) WITHOUT ROWID;"
      "INSERT INTO seq_marks(origin, source, acked_seq, next_chunk)"
      " SELECT origin, source, max(CASE WHEN acked = 1 THEN seq ELSE -1 END), max(seq) + 1"
      " FROM chunks GROUP BY origin, source;"
      "CREATE INDEX chunks_by_seq ON chunks(origin, source, seq);",
      // v7: repair: a drained node (its copies move elsewhere, it gets no new ones), and the
      // index reconciliation and repair read one node's holder rows by
      "ALTER TABLE nodes ADD COLUMN draining INTEGER NOT NULL DEFAULT 0;"
      "CREATE INDEX holders_by_holder ON holders(holder);",
      // v8: the store protocol: nodes no longer register their store's file path (nobody
      // opens another node's files); what it told, store or not (the core's own entry), stays
      "ALTER TABLE nodes ADD COLUMN store INTEGER NOT NULL DEFAULT 1;"
      "UPDATE nodes SET store = 0 WHERE store_path = '';"
      "ALTER TABLE nodes DROP COLUMN store_path;",
      // v9: chunks the core makes itself (the control board's events, own_chunk_store.h)
      "CREATE TABLE own_chunks(id BLOB PRIMARY KEY, source TEXT NOT NULL, seq INTEGER NOT NULL,"
      " rec_first INTEGER NOT NULL, records INTEGER NOT NULL, t_first INTEGER NOT NULL,"
      " t_last INTEGER NOT NULL, created_ms INTEGER NOT NULL,"
      " placed INTEGER NOT NULL DEFAULT 0, wire BLOB);"
      "CREATE INDEX own_chunks_by_source ON own_chunks(source, seq);",
      // v10: search (search_index.h): one row per indexed chunk or result with its time
      // range, and the FTS5 index over source, origin name, kind, priority, tags and notes.
      // What core.db already knows is indexed (without tags: older chunks had none).
      "CREATE TABLE search_rows(doc INTEGER PRIMARY KEY, id BLOB NOT NULL UNIQUE,"
      " t_first INTEGER NOT NULL, t_last INTEGER NOT NULL);"
      "CREATE INDEX search_rows_by_time ON search_rows(t_last);"
      "CREATE VIRTUAL TABLE search_fts USING fts5(source, origin, kind, priority, tags, notes,"
      " tokenize = 'unicode61');"
      "INSERT INTO search_rows(id, t_first, t_last) SELECT id, t_first, t_last FROM chunks"
      " WHERE spooled = 1 AND kind != 3;"
      "INSERT OR IGNORE INTO search_rows(id, t_first, t_last)"
      " SELECT id, t_first, t_last FROM results;"
      "INSERT INTO search_fts(rowid, source, origin, kind, priority, tags, notes)"
      " SELECT r.doc, c.source, coalesce(n.name, ''),"
      " CASE c.kind WHEN 0 THEN 'samples' WHEN 1 THEN 'blob' WHEN 2 THEN 'event' ELSE 'result' END,"
      " CASE c.priority WHEN 0 THEN 'alarm' WHEN 1 THEN 'high' WHEN 2 THEN 'normal' ELSE 'bulk'"
      " END, '', '' FROM search_rows r JOIN chunks c ON c.id = r.id"
      " LEFT JOIN nodes n ON n.addr = c.origin WHERE c.kind != 3;"
      "INSERT INTO search_fts(rowid, source, origin, kind, priority, tags, notes)"
      " SELECT r.doc, 'r/' || s.origin || '/' || s.source || '/' || s.processor,"
      " coalesce(n.name, ''), 'result', CASE WHEN s.anomalies > 0 THEN 'alarm' ELSE 'normal' END,"
      " '', 'processor ' || s.processor || ' anomalies ' || s.anomalies ||"
      " CASE WHEN s.anomalies > 0 THEN ' alarm' ELSE '' END"
      " FROM search_rows r JOIN results s ON s.id = r.id LEFT JOIN nodes n ON n.addr = s.origin;",
  };
  return kSteps;
}

Result<std::unique_ptr<Manifest>> Manifest::Open(const std::string& path, bool read_only) {
  ManifestOptions o;
  o.read_only = read_only;
  return Open(path, o);
}

Result<std::unique_ptr<Manifest>> Manifest::Open(const std::string& path,
                                                 const ManifestOptions& options) {
  Database::Options o;
  o.read_only = options.read_only;
  o.durable = options.durable;
  o.cache_kib = 65536;  // random 32-byte keys: a big cache keeps index pages resident
  TERN_ASSIGN_OR_RETURN(auto db, Database::Open(path, o));
  std::unique_ptr<Manifest> m(new Manifest(std::move(db)));
  if (!options.read_only) TERN_RETURN_IF_ERROR(m->db_->Migrate(Schema()));
  std::function<int64_t()> now = options.now_ms ? options.now_ms : WallMsSigned;
  Database& d = *m->db_;
  TERN_ASSIGN_OR_RETURN(m->registry_, Registry::Open(d, now));
  TERN_ASSIGN_OR_RETURN(m->holders_, HolderIndex::Open(d, now));
  TERN_ASSIGN_OR_RETURN(m->spool_, SpoolStore::Open(d, now));
  m->results_ = std::make_unique<ResultStore>(d, now);
  m->settings_ = std::make_unique<SettingsStore>(d, now);
  m->statements_ = std::make_unique<StatementStore>(d);
  m->seq_marks_ = std::make_unique<SeqMarks>(d);
  m->own_chunks_ = std::make_unique<OwnChunkStore>(d, now);
  m->search_ = std::make_unique<SearchIndex>(d);
  return m;
}

Manifest::Manifest(std::unique_ptr<Database> db) : db_(std::move(db)) {}
Manifest::~Manifest() = default;

Result<uint32_t> Manifest::Register(const std::string& name, int64_t capacity, bool store) {
  return registry_->Register(name, capacity, store);
}
Status Manifest::SetNodeState(uint32_t addr, const std::string& state, int64_t last_seen_ms) {
  return registry_->SetState(addr, state, last_seen_ms);
}
Result<std::vector<NodeRecord>> Manifest::Nodes() { return registry_->Nodes(); }

Status Manifest::RecordHolder(const StoredNotice& n) { return holders_->RecordHolder(n); }
Status Manifest::RemoveHolder(const ChunkId& id, uint32_t holder) {
  return holders_->RemoveHolder(id, holder);
}
Status Manifest::Spool(const ChunkId& id, const ChunkHeader& h, std::string_view wire) {
  TERN_RETURN_IF_ERROR(spool_->Put(id, h, wire));
  return holders_->MarkSpooled(id);
}
Status Manifest::Unspool(const ChunkId& id) { return spool_->Remove(id); }
Status Manifest::MarkAcked(const ChunkId& id) { return holders_->MarkAcked(id); }

Result<std::optional<ChunkRecord>> Manifest::Chunk(const ChunkId& id) {
  return holders_->Chunk(id);
}
Result<std::vector<uint32_t>> Manifest::Holders(const ChunkId& id) { return holders_->Holders(id); }
Result<std::vector<ChunkRecord>> Manifest::Find(const std::string& source, uint32_t origin,
                                                uint64_t from, uint64_t to) {
  return holders_->Find(source, origin, from, to);
}
Result<std::vector<ChunkRecord>> Manifest::All() { return holders_->All(); }
Result<int64_t> Manifest::ChunkCount() { return holders_->Count(); }

Result<std::vector<std::pair<ChunkId, std::string>>> Manifest::NextSpooled(int limit) {
  return spool_->Next(limit);
}
Result<int64_t> Manifest::SpoolDepth() { return spool_->Depth(); }
Result<std::optional<std::string>> Manifest::SpoolData(const ChunkId& id) {
  return spool_->Data(id);
}
Result<std::vector<Manifest::SpoolEntry>> Manifest::SpoolIndex() { return spool_->Index(); }

Status Manifest::InsertResult(const ResultRow& r) { return results_->Insert(r); }
Result<std::vector<ChunkId>> Manifest::SourcesOf(const ChunkId& result) {
  return results_->SourcesOf(result);
}
Result<std::vector<ChunkId>> Manifest::ResultsOf(const ChunkId& source) {
  return results_->ResultsOf(source);
}
Status Manifest::MarkResultPlaced(const ChunkId& id) {
  TERN_RETURN_IF_ERROR(results_->MarkPlaced(id));
  return own_chunks_->MarkPlaced(id);  // one of the two has the id; the other changes nothing
}
Result<std::vector<std::pair<ChunkId, std::string>>> Manifest::UnplacedResults() {
  return results_->Unplaced();
}

Result<EdgeSettings> Manifest::Settings(const std::string& name) { return settings_->Get(name); }
Status Manifest::PutSettings(const EdgeSettings& e) { return settings_->Put(e); }
Result<int64_t> Manifest::SettingsVersion() { return settings_->Version(); }

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
    return bad("protocol",
               "must be " + std::to_string(kProtocolVersion) + " (the only one this core speaks)");
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
          {"weight", weight},
          {"kinds", kinds},
          {"max_bytes_per_s", max_bytes_per_s},
          {"protocol", protocol}};
}

}  // namespace tern::core
