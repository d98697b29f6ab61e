// The core's database, core.db: one SQLite file (WAL, synchronous=FULL) holding the
// registry (name -> permanent address), the manifest (chunk -> holders, built from holders'
// own "stored" statements), the spool of uplinked chunks waiting for the scheduler, the
// analysis results with their links, and the per-edge settings.
//
// Manifest is a thin facade: it opens the database, brings its schema up to date (Schema(),
// run by Database::Migrate) and owns one store class per job, which owns every SQL
// statement on its tables:
//   registry()       Registry       nodes                        (registry.h)
//   holders()        HolderIndex    chunks, holders              (holder_index.h)
//   spool()          SpoolStore     spool                        (spool_store.h)
//   results()        ResultStore    results, links               (result_store.h)
//   edge_settings()  SettingsStore  edge_settings, settings_meta (settings_store.h)
//   statements()     StatementStore senders, statement_meta       (statement_store.h)
//   seq_marks()      SeqMarks       seq_marks                    (seq_marks.h)
//   own_chunks()     OwnChunkStore  own_chunks                   (own_chunk_store.h)
//   search()         SearchIndex    search_rows, search_fts      (search_index.h)
// Nothing outside those classes runs SQL on core.db. The forwarding methods below are the
// core's write path and the common reads; readers that need more (the HTTP API's range
// queries, ternctl's prefix lookups) call the store's own methods through the accessors.
// Errors are Status/Result values naming the database path and the statement (Database)
// or the key (validation, lookups).
//
// Addresses come from an AUTOINCREMENT key, so an address is never reused even after its
// node is removed. All writes happen inside a transaction the caller opens (group commit).
// Thread-safety: a Manifest and its stores belong to one thread at a time (the Database
// underneath is single-threaded); readers in other threads or processes (the HTTP API,
// ternctl) open their own, read-only.
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
#include "tern/common/protocol.h"
#include "tern/common/sqlite.h"
#include "tern/common/status.h"
#include "tern/core/holder_index.h"
#include "tern/core/own_chunk_store.h"
#include "tern/core/registry.h"
#include "tern/core/result_store.h"
#include "tern/core/search_index.h"
#include "tern/core/seq_marks.h"
#include "tern/core/spool_store.h"
#include "tern/core/statement_store.h"

namespace tern::core {

class SettingsStore;  // settings_store.h (it needs EdgeSettings, declared here)

// What the operator sets per edge (`ternctl edge set`); sent to the edge at registration
// and whenever it changes, enforced by the core on every uplink.
struct EdgeSettings {
  std::string name;
  int priority = -1;  // class override for the scheduler; -1 = keep each chunk's own
  int weight = 1;     // share within its class (1..1000)
  std::string kinds = "samples,blob,event";  // data classes the edge may send
  int64_t max_bytes_per_s = 0;               // uplink byte-rate limit; 0 = none
  int protocol = kProtocolVersion;
  // InvalidArgument naming the field when a value is out of range.
  Status Validate() const;
  bool Allows(RecordKind k) const;
  nlohmann::json ToJson() const;
};

// How Manifest::Open opens core.db.
struct ManifestOptions {
  bool read_only = false;  // no writes, no migration (readers: the HTTP API, ternctl)
  bool durable = true;     // false: synchronous=NORMAL instead of FULL (tests only)
  // The wall clock (ms) stamped on new rows (registered_ms, since_ms, created_ms, ...);
  // empty: the system clock. Tests pass a fixed one to get known stamps.
  std::function<int64_t()> now_ms;
};

class Manifest {
 public:
  // Opens (read_only: no writes, no migration) or creates the database at `path`. Errors
  // name the path; a database newer than this build is refused.
  [[nodiscard]] static Result<std::unique_ptr<Manifest>> Open(const std::string& path,
                                                              bool read_only = false);
  [[nodiscard]] static Result<std::unique_ptr<Manifest>> Open(const std::string& path,
                                                              const ManifestOptions& options);
  ~Manifest();
  Manifest(const Manifest&) = delete;
  Manifest& operator=(const Manifest&) = delete;

  // The caller's transaction around a group of writes (BEGIN IMMEDIATE / COMMIT / ROLLBACK).
  [[nodiscard]] Status Begin() { return db_->Begin(); }
  [[nodiscard]] Status Commit() { return db_->Commit(); }
  [[nodiscard]] Status Rollback() { return db_->Rollback(); }

  // The store classes (see the table above); valid as long as this Manifest.
  Registry& registry() { return *registry_; }
  HolderIndex& holders() { return *holders_; }
  SpoolStore& spool() { return *spool_; }
  ResultStore& results() { return *results_; }
  SettingsStore& edge_settings() { return *settings_; }
  StatementStore& statements() { return *statements_; }
  SeqMarks& seq_marks() { return *seq_marks_; }
  OwnChunkStore& own_chunks() { return *own_chunks_; }
  SearchIndex& search() { return *search_; }

  // Registry (Registry::Register / SetState / Nodes). Register returns the existing
  // address for a known name, else a new one.
  [[nodiscard]] Result<uint32_t> Register(const std::string& name, int64_t capacity,
                                          bool store = true);
  [[nodiscard]] Status SetNodeState(uint32_t addr, const std::string& state, int64_t last_seen_ms);
  [[nodiscard]] Result<std::vector<NodeRecord>> Nodes();

  // Manifest (HolderIndex). RecordHolder upserts the chunk's metadata and adds one holder.
  [[nodiscard]] Status RecordHolder(const StoredNotice& n);
  [[nodiscard]] Status RemoveHolder(const ChunkId& id, uint32_t holder);
  // Spool: keep the uplinked bytes (idempotent) and mark the chunk spooled.
  [[nodiscard]] Status Spool(const ChunkId& id, const ChunkHeader& h, std::string_view wire);
  // Drops the spooled bytes (the chunk stays spooled=1 in the manifest: it was spooled).
  [[nodiscard]] Status Unspool(const ChunkId& id);
  [[nodiscard]] Status MarkAcked(const ChunkId& id);

  // The chunk with its holders; nullopt if the manifest lacks it.
  [[nodiscard]] Result<std::optional<ChunkRecord>> Chunk(const ChunkId& id);
  // Its holders, oldest statement first.
  [[nodiscard]] Result<std::vector<uint32_t>> Holders(const ChunkId& id);
  // Chunks of `source` (any origin if origin == 0) overlapping [from, to] (HLC stamps).
  [[nodiscard]] Result<std::vector<ChunkRecord>> Find(const std::string& source, uint32_t origin,
                                                      uint64_t from, uint64_t to);
  // Every chunk with its holders (for verify).
  [[nodiscard]] Result<std::vector<ChunkRecord>> All();
  // The next spooled chunks, most urgent class first, oldest first within it.
  [[nodiscard]] Result<std::vector<std::pair<ChunkId, std::string>>> NextSpooled(int limit);
  [[nodiscard]] Result<int64_t> SpoolDepth();
  // The spooled bytes of one chunk (nullopt once unspooled).
  [[nodiscard]] Result<std::optional<std::string>> SpoolData(const ChunkId& id);
  // Every spooled chunk's scheduling facts, oldest first (re-queued after a restart).
  using SpoolEntry = core::SpoolEntry;
  [[nodiscard]] Result<std::vector<SpoolEntry>> SpoolIndex();

  // Analysis results (ResultStore): the row, its links to source chunks, and the wire kept
  // until three stores confirm it (then dropped: the stores hold it).
  using ResultRow = core::ResultRow;
  [[nodiscard]] Status InsertResult(const ResultRow& r);
  // The chunks a result was computed from, and the results computed from a chunk.
  [[nodiscard]] Result<std::vector<ChunkId>> SourcesOf(const ChunkId& result);
  [[nodiscard]] Result<std::vector<ChunkId>> ResultsOf(const ChunkId& source);
  // Marks a result or an own chunk (own_chunks()) placed: both are the core's chunks.
  [[nodiscard]] Status MarkResultPlaced(const ChunkId& id);
  [[nodiscard]] Result<std::vector<std::pair<ChunkId, std::string>>> UnplacedResults();
  // The number of chunks in the manifest.
  [[nodiscard]] Result<int64_t> ChunkCount();

  // Per-edge settings (SettingsStore; defaults when never set). PutSettings validates, then
  // bumps the settings version the running core polls, so a change takes effect without a
  // restart.
  [[nodiscard]] Result<EdgeSettings> Settings(const std::string& name);
  [[nodiscard]] Status PutSettings(const EdgeSettings& e);
  [[nodiscard]] Result<int64_t> SettingsVersion();

  // The migration steps of core.db; step i brings user_version i to i + 1.
  static const std::vector<std::string>& Schema();

 private:
  explicit Manifest(std::unique_ptr<Database> db);
  // Declared first: the stores' statements are finalized before the database closes.
  std::unique_ptr<Database> db_;
  std::unique_ptr<Registry> registry_;
  std::unique_ptr<HolderIndex> holders_;
  std::unique_ptr<SpoolStore> spool_;
  std::unique_ptr<ResultStore> results_;
  std::unique_ptr<SettingsStore> settings_;
  std::unique_ptr<StatementStore> statements_;
  std::unique_ptr<SeqMarks> seq_marks_;
  std::unique_ptr<OwnChunkStore> own_chunks_;
  std::unique_ptr<SearchIndex> search_;
};

}  // namespace tern::core
