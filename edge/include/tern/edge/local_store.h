// The edge's local store: one SQLite database (WAL, synchronous=FULL) holding the node's own
// chunks, the replicas it keeps for peers, the outbox of own chunks not yet acknowledged by
// the core, and small durable state (address, boot counter, sequence numbers, feed offsets).
//
// Writes go through a group committer: Submit() queues a write and returns at once; a writer
// thread applies everything queued in one transaction per tick and runs each write's
// callback after the COMMIT has been fsync'd (or with the error, e.g. ResourceExhausted when
// the disk is full; nothing from a failed transaction is kept). Each own chunk also raises
// meta "hlc" to its last stamp, in its transaction: the clock's floor after a restart. That is what
// makes "local" acks true and keeps throughput far above the disk's commit rate.
//
// Identical file contents are kept once (dedup, body_store.h): a blob chunk's row may hold
// only the bytes around its shared bodies, and every read puts them back, so callers always
// get the exact wire bytes.
//
// edge.db has one owner: this file's classes (local_store.cpp, local_store_reader.cpp) run
// every SQL statement on it. Other processes (ternctl, tests) read a store through
// LocalStore::OpenReadOnly, which needs no writer thread and never writes.
// Thread-safety: LocalStore's Submit and reads are thread-safe; callbacks run on the writer
// thread. A LocalStoreReader belongs to one thread at a time.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "tern/common/chunk.h"
#include "tern/common/log_throttle.h"
#include "tern/common/sqlite.h"
#include "tern/common/statements.h"
#include "tern/common/status.h"

namespace tern::edge {

class BodyStore;

// Metadata kept beside each stored chunk (own or replica).
struct StoredChunkInfo {
  ChunkId id;
  uint32_t origin = 0;
  std::string source;
  uint64_t seq = 0;
  int kind = 0;
  int priority = 0;
  uint64_t t_first = 0, t_last = 0;
  uint32_t records = 0;
  uint64_t bytes = 0;
  bool own = false;
  // The origin's Ed25519 signature of the id (SignChunkId): the store's own for its chunks,
  // the put envelope's for replicas; empty in insecure mode and for rows from before it was
  // kept (schema 1). Copies go out as puts with it.
  std::string sig;
};

// One chunk's bytes as a copy or read needs them: the wire bytes and the kept signature.
struct StoredCopy {
  std::string wire;
  std::string sig;  // empty: none kept
  bool own = false;
  uint32_t origin = 0;
};

// One entry of a listing in id order (block reports, scrub).
struct ChunkSize {
  ChunkId id;
  uint64_t bytes = 0;
};

// One own chunk waiting in the outbox.
struct OutboxEntry {
  ChunkId id;
  int priority = 0;
  uint64_t bytes = 0;
  uint64_t created_ms = 0;  // wall ms at seal, for the "oldest unsent" report only
};

// A unit of work for the writer. Exactly one of the members is meaningful per kind.
struct StoreWrite {
  // kQuarantine: move chunk `id` (own or replica) out of `chunks` into `quarantine` (kept
  // for forensics, never served), `value` the reason. kSig: set chunk `id`'s kept signature
  // to `value` (an own chunk re-signed). kDropReplica drops chunk `id` if it is a replica;
  // kDropCopy (a draining node) drops it, own or replica, unless it is still in the outbox
  // (not acked). Neither is an error when the chunk stays: the caller looks (HasChunk).
  enum class Kind {
    kOwnChunk,
    kReplica,
    kOutboxDone,
    kDropReplica,
    kDropCopy,
    kMeta,
    kQuarantine,
    kSig
  } kind;
  StoredChunkInfo info;    // own chunk / replica
  std::string wire;        // own chunk / replica
  ChunkId id;              // outbox done / drop
  std::string key, value;  // meta; with an own chunk, meta committed in the same transaction
  // With an own chunk or kMeta: `value` is the source's next sequence numbers "<record> <chunk>"
  // and the stored value only ever grows (compared by chunk, then record number), so a retried
  // chunk that commits after newer ones cannot lower it.
  bool seq_meta = false;
};

// What dedup saves in one store (body_store.h): the shared bodies kept, their bytes, and the
// bytes their extra references would have cost without dedup (sum of (refs - 1) * bytes).
struct DedupStats {
  int64_t bodies = 0;
  int64_t body_bytes = 0;
  int64_t saved_bytes = 0;
};

// One stored chunk as a scan sees it; the views are valid only during the callback.
struct StoredChunkView {
  std::string_view id;
  uint32_t origin = 0;
  bool own = false;       // the store's own chunk, not a replica kept for a peer
  std::string_view data;  // the wire bytes; empty unless the scan asked for them
};

// Reads of one edge.db over one connection: the reads LocalStore serves (under its lock)
// and the read-only API for other processes (LocalStore::OpenReadOnly). Errors name the
// store's path.
class LocalStoreReader {
 public:
  // The value of meta `key`, or nullopt.
  [[nodiscard]] Result<std::optional<std::string>> GetMeta(const std::string& key);
  // The wire bytes of chunk `id` (own or replica), or nullopt.
  [[nodiscard]] Result<std::optional<std::string>> GetChunk(const ChunkId& id);
  // Whether chunk `id` is stored (own or replica).
  [[nodiscard]] Result<bool> HasChunk(const ChunkId& id);
  // The outbox (own chunks without a core ack) in insertion order.
  [[nodiscard]] Result<std::vector<OutboxEntry>> LoadOutbox();
  // The `limit` most recently stored replicas (not own chunks), newest first.
  [[nodiscard]] Result<std::vector<StoredChunkInfo>> RecentReplicas(int limit);
  // Count and total wire bytes of stored chunks (own + replicas).
  [[nodiscard]] Result<std::pair<int64_t, int64_t>> Totals();
  // Chunk `id` with its kept signature, or nullopt. Needs schema 2.
  [[nodiscard]] Result<std::optional<StoredCopy>> GetCopy(const ChunkId& id);
  // Up to `limit` stored chunks whose id is greater than `after` (empty: from the start), in
  // id order: a listing paged by key, each page a short read.
  [[nodiscard]] Result<std::vector<ChunkSize>> ListChunks(const std::string& after, int limit);
  // Chunks moved to quarantine (corrupt copies kept for forensics). Needs schema 2.
  [[nodiscard]] Result<int64_t> QuarantineCount();
  // The stored chunks (own or replica) of `source` from `origin` numbered seq_first..seq_last
  // whose first records are stamped within [t_lo, t_hi], as (seq, id) in seq order: a run of
  // a series found through the (origin, source, t_first) index (an analysis task's series).
  [[nodiscard]] Result<std::vector<std::pair<uint64_t, ChunkId>>> SeriesRun(
      uint32_t origin, const std::string& source, uint64_t seq_first, uint64_t seq_last,
      uint64_t t_lo, uint64_t t_hi);
  // The store's shared bodies (all zero before schema 3).
  [[nodiscard]] Result<DedupStats> Dedup();
  // Calls `fn` for every stored chunk, in storage order; with_data also reads the wire
  // bytes (one pass over the whole store). A failure part-way returns its Status after
  // some calls were made.
  [[nodiscard]] Status ScanChunks(bool with_data,
                                  const std::function<void(const StoredChunkView&)>& fn);
  // The store's path, as opened.
  const std::string& path() const { return path_; }

  LocalStoreReader(const LocalStoreReader&) = delete;
  LocalStoreReader& operator=(const LocalStoreReader&) = delete;
  ~LocalStoreReader();

 private:
  friend class LocalStore;
  // Prepares the chunk statements on `db` (so a file without the store's tables fails here).
  static Result<std::unique_ptr<LocalStoreReader>> Attach(std::unique_ptr<Database> db,
                                                          std::string path);
  LocalStoreReader() = default;
  // The wire bytes of a row: `data` itself, or with its shared bodies put back.
  [[nodiscard]] Result<std::string> Wire(const Statement& q, int data_col, int parts_col);
  std::string path_;
  std::unique_ptr<Database> db_;
  // "parts" from schema 3; "NULL" in an older store opened read-only (never migrated).
  std::string parts_col_ = "parts";
  std::unique_ptr<Statement> get_meta_, get_chunk_, has_chunk_, outbox_, replicas_, totals_, scan_,
      scan_data_, get_copy_, list_, quarantined_, get_body_, dedup_, series_;
};

// Also the SeqStore of the node's statement numbers (meta "seq_reserved").
class LocalStore : public SeqStore {
 public:
  using Done = std::function<void(const Status&)>;

  // Opens or creates the store at `path` and starts the writer. `tick_ms` bounds how long a
  // write waits for companions before its transaction commits.
  // `dedup` (store.dedup): share identical blob bodies (body_store.h); off, new rows keep
  // their wire bytes whole (rows already split stay readable either way).
  static Result<std::unique_ptr<LocalStore>> Open(const std::string& path, int tick_ms = 2,
                                                  bool dedup = true);
  // Opens an existing store read-only, for another process (ternctl) while the edge may be
  // running (WAL: readers see every commit and do not block the writer). Never creates,
  // migrates or writes. NotFound "store PATH: no such file" if there is none; otherwise
  // errors carry the context "store PATH", e.g. when the file is not an edge store.
  [[nodiscard]] static Result<std::unique_ptr<LocalStoreReader>> OpenReadOnly(
      const std::string& path);
  ~LocalStore() override;  // drains queued writes, then stops

  // Queues a write; `done` runs on the writer thread after commit with its outcome.
  void Submit(StoreWrite w, Done done);
  // Synchronous meta write (never from the writer thread: it waits for it).
  Status PutMeta(const std::string& key, const std::string& value);
  // Raises `source`'s next sequence numbers (meta "seq/<source>") to at least these, like
  // an own chunk's seq_meta write; synchronous, never from the writer thread.
  [[nodiscard]] Status RaiseSeq(const std::string& source, uint64_t next_record,
                                uint64_t next_chunk);
  // This store's persistent random id (32 hex digits, made and kept on first use): the core
  // binds the node's name to it, so a second box under the same name is refused.
  [[nodiscard]] Result<std::string> NodeId();
  // SeqStore (never from the writer thread).
  [[nodiscard]] Result<uint64_t> LoadReservation() override;
  [[nodiscard]] Status SaveReservation(uint64_t reserved) override;

  // Reads (from a separate connection; see WAL readers); see LocalStoreReader.
  [[nodiscard]] Result<std::optional<std::string>> GetMeta(const std::string& key);
  [[nodiscard]] Result<std::optional<std::string>> GetChunk(const ChunkId& id);
  [[nodiscard]] Result<bool> HasChunk(const ChunkId& id);
  [[nodiscard]] Result<std::vector<OutboxEntry>> LoadOutbox();
  // The `limit` most recently stored replicas (not own chunks), newest first.
  [[nodiscard]] Result<std::vector<StoredChunkInfo>> RecentReplicas(int limit);
  // Count and total bytes of stored chunks (own + replicas).
  [[nodiscard]] Result<std::pair<int64_t, int64_t>> Totals();
  [[nodiscard]] Result<std::optional<StoredCopy>> GetCopy(const ChunkId& id);
  [[nodiscard]] Result<std::vector<ChunkSize>> ListChunks(const std::string& after, int limit);
  [[nodiscard]] Result<int64_t> QuarantineCount();
  [[nodiscard]] Result<std::vector<std::pair<uint64_t, ChunkId>>> SeriesRun(
      uint32_t origin, const std::string& source, uint64_t seq_first, uint64_t seq_last,
      uint64_t t_lo, uint64_t t_hi);
  // As LocalStoreReader::Dedup, as of the last commit, from memory (no query; any thread).
  DedupStats Dedup() const;
  const std::string& path() const { return path_; }
  // Writes waiting for the writer thread.
  size_t queued() const;

  static const std::vector<std::string>& Schema();

 private:
  LocalStore() = default;
  void WriterLoop();
  Status Apply(const StoreWrite& w);
  Status Wait(StoreWrite w);  // Submit, then wait for its outcome
  // Writer thread: whether chunk `id` has a row; its whole wire bytes ("" if none); a delete
  // by `q` (id bound as ?1, RETURNING parts) dropping the row's body references.
  Result<bool> Exists(const ChunkId& id);
  Result<std::string> WireOf(const ChunkId& id);
  Status Delete(Statement& q, const ChunkId& id);
  std::string path_;
  bool dedup_ = true;
  std::unique_ptr<BodyStore> bodies_;         // writer thread only
  std::unique_ptr<Database> wdb_;             // writer thread only
  std::unique_ptr<LocalStoreReader> reader_;  // its own connection, under rmu_
  std::mutex rmu_;
  std::unique_ptr<Statement> has_chunk_, get_row_, ins_chunk_, ins_outbox_, del_outbox_, del_chunk_,
      del_copy_, put_meta_, raise_seq_, raise_hlc_, quarantine_, unserve_, set_sig_;
  int tick_ms_ = 2;
  LogThrottle error_log_;  // a full disk fails every retry: a few lines, then one per 10 s
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<StoreWrite, Done>> queue_;
  bool stop_ = false;
  std::thread writer_;
};

}  // namespace tern::edge
