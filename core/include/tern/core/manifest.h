// The core's database: the registry (name -> permanent address), the manifest (chunk ->
// holders, built from holders' own "stored" statements), and the spool of uplinked chunks
// waiting for the scheduler. One SQLite file, WAL, synchronous=FULL.
//
// Addresses come from an AUTOINCREMENT key, so an address is never reused even after its
// node is removed. All writes happen inside a transaction the caller opens (group commit).
// Thread-safety: one thread per Manifest object; readers (ternctl) open their own.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tern/common/chunk.h"
#include "tern/common/protocol.h"
#include "tern/common/sqlite.h"
#include "tern/common/status.h"

namespace tern::core {

struct NodeRecord {
  uint32_t addr = 0;
  std::string name;
  std::string store_path;
  int64_t capacity = 0;
  int64_t registered_ms = 0;
  int64_t last_seen_ms = 0;  // wall clock, informational
  std::string state;         // as last published: live, suspect, dead, offline, unknown
};

struct ChunkRecord {
  ChunkId id;
  uint32_t origin = 0;
  std::string source;
  uint64_t seq = 0;
  int kind = 0;
  int priority = 0;
  uint64_t t_first = 0, t_last = 0;
  uint32_t records = 0;
  uint64_t bytes = 0;
  bool spooled = false;
  bool acked = false;
  std::vector<uint32_t> holders;
};

// What the operator sets per edge (`ternctl edge set`); sent to the edge at registration
// and whenever it changes, enforced by the core on every uplink.
struct EdgeSettings {
  std::string name;
  int priority = -1;        // class override for the scheduler; -1 = keep each chunk's own
  int weight = 1;           // share within its class (1..1000)
  std::string kinds = "samples,blob,event";  // data classes the edge may send
  int64_t max_bytes_per_s = 0;               // uplink byte-rate limit; 0 = none
  int protocol = kProtocolVersion;
  // InvalidArgument naming the field when a value is out of range.
  Status Validate() const;
  bool Allows(RecordKind k) const;
  nlohmann::json ToJson() const;
};

class Manifest {
 public:
  // Opens (read_only: no writes, no migration) or creates the database at `path`.
  static Result<std::unique_ptr<Manifest>> Open(const std::string& path, bool read_only = false);

  Database& db() { return *db_; }
  Status Begin() { return db_->Begin(); }
  Status Commit() { return db_->Commit(); }
  Status Rollback() { return db_->Rollback(); }

  // Registry. Register returns the existing address for a known name, else a new one.
  Result<uint32_t> Register(const std::string& name, const std::string& store_path,
                            int64_t capacity);
  Status SetNodeState(uint32_t addr, const std::string& state, int64_t last_seen_ms);
  Result<std::vector<NodeRecord>> Nodes();

  // Manifest. Record* upsert the chunk's metadata and add one holder.
  Status RecordHolder(const StoredNotice& n);
  Status RemoveHolder(const ChunkId& id, uint32_t holder);
  // Spool: keep the uplinked bytes (idempotent) and mark the chunk spooled.
  Status Spool(const ChunkId& id, const ChunkHeader& h, std::string_view wire);
  Status Unspool(const ChunkId& id);
  Status MarkAcked(const ChunkId& id);

  Result<std::optional<ChunkRecord>> Chunk(const ChunkId& id);
  Result<std::vector<uint32_t>> Holders(const ChunkId& id);
  // Chunks of `source` (any origin if origin == 0) overlapping [from, to] (HLC stamps).
  Result<std::vector<ChunkRecord>> Find(const std::string& source, uint32_t origin,
                                        uint64_t from, uint64_t to);
  // Every chunk with its holders (for verify).
  Result<std::vector<ChunkRecord>> All();
  // The next spooled chunks, most urgent class first, oldest first within it.
  Result<std::vector<std::pair<ChunkId, std::string>>> NextSpooled(int limit);
  Result<int64_t> SpoolDepth();
  // The spooled bytes of one chunk (nullopt once unspooled).
  Result<std::optional<std::string>> SpoolData(const ChunkId& id);
  // Every spooled chunk's scheduling facts, oldest first (re-queued after a restart).
  struct SpoolEntry {
    ChunkId id;
    uint32_t origin = 0;
    int priority = 0;
    uint64_t bytes = 0;
    uint64_t t_last = 0;
  };
  Result<std::vector<SpoolEntry>> SpoolIndex();

  // Analysis results: the row, its links to source chunks, and the wire kept until three
  // stores confirm it (then dropped: the stores hold it).
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
  Status InsertResult(const ResultRow& r);
  // The chunks a result was computed from, and the results computed from a chunk.
  Result<std::vector<ChunkId>> SourcesOf(const ChunkId& result);
  Result<std::vector<ChunkId>> ResultsOf(const ChunkId& source);
  Status MarkResultPlaced(const ChunkId& id);
  Result<std::vector<std::pair<ChunkId, std::string>>> UnplacedResults();
  Result<int64_t> ChunkCount();

  // Per-edge settings (defaults when never set). PutSettings validates, then bumps the
  // settings version the running core polls, so a change takes effect without a restart.
  Result<EdgeSettings> Settings(const std::string& name);
  Status PutSettings(const EdgeSettings& e);
  Result<int64_t> SettingsVersion();

  static const std::vector<std::string>& Schema();

 private:
  explicit Manifest(std::unique_ptr<Database> db) : db_(std::move(db)) {}
  Status Prepare();
  Result<ChunkRecord> RowToChunk(Statement& q);
  std::unique_ptr<Database> db_;
  std::unique_ptr<Statement> reg_get_, reg_ins_, reg_upd_, node_state_, upsert_chunk_,
      ins_holder_, del_holder_, ins_spool_, del_spool_, mark_spooled_, mark_acked_, get_chunk_,
      get_holders_;
};

}  // namespace tern::core
