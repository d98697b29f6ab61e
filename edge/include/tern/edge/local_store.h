// The edge's local store: one SQLite database (WAL, synchronous=FULL) holding the node's own
// chunks, the replicas it keeps for peers, the outbox of own chunks not yet acknowledged by
// the core, and small durable state (address, boot counter, sequence numbers, feed offsets).
//
// Writes go through a group committer: Submit() queues a write and returns at once; a writer
// thread applies everything queued in one transaction per tick and runs each write's
// callback after the COMMIT has been fsync'd (or with the error, e.g. ResourceExhausted when
// the disk is full; nothing from a failed transaction is kept). That is what makes "local"
// acks true and keeps throughput far above the disk's commit rate.
// Thread-safety: Submit/Read* are thread-safe. Callbacks run on the writer thread.
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
#include <thread>
#include <vector>

#include "tern/common/chunk.h"
#include "tern/common/sqlite.h"
#include "tern/common/status.h"

namespace tern::edge {

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
  enum class Kind { kOwnChunk, kReplica, kOutboxDone, kDropReplica, kMeta } kind;
  StoredChunkInfo info;     // own chunk / replica
  std::string wire;         // own chunk / replica
  ChunkId id;               // outbox done / drop
  std::string key, value;   // meta; with an own chunk, meta committed in the same transaction
};

class LocalStore {
 public:
  using Done = std::function<void(const Status&)>;

  // Opens or creates the store at `path` and starts the writer. `tick_ms` bounds how long a
  // write waits for companions before its transaction commits.
  static Result<std::unique_ptr<LocalStore>> Open(const std::string& path, int tick_ms = 2);
  ~LocalStore();  // drains queued writes, then stops

  // Queues a write; `done` runs on the writer thread after commit with its outcome.
  void Submit(StoreWrite w, Done done);
  // Synchronous meta write (start-up only).
  Status PutMeta(const std::string& key, const std::string& value);

  // Reads (from a separate connection; see WAL readers).
  Result<std::optional<std::string>> GetMeta(const std::string& key);
  Result<std::optional<std::string>> GetChunk(const ChunkId& id);
  Result<bool> HasChunk(const ChunkId& id);
  Result<std::vector<OutboxEntry>> LoadOutbox();
  // The `limit` most recently stored replicas (not own chunks), newest first.
  Result<std::vector<StoredChunkInfo>> RecentReplicas(int limit);
  // Count and total bytes of stored chunks (own + replicas).
  Result<std::pair<int64_t, int64_t>> Totals();
  const std::string& path() const { return path_; }
  // Writes waiting for the writer thread.
  size_t queued() const;

  static const std::vector<std::string>& Schema();

 private:
  LocalStore() = default;
  void WriterLoop();
  Status Apply(const StoreWrite& w);
  std::string path_;
  std::unique_ptr<Database> wdb_;  // writer thread only
  std::unique_ptr<Database> rdb_;  // readers, under rmu_
  std::mutex rmu_;
  std::unique_ptr<Statement> ins_chunk_, ins_outbox_, del_outbox_, del_chunk_, put_meta_;
  std::unique_ptr<Statement> get_meta_, get_chunk_, has_chunk_;
  int tick_ms_ = 2;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<StoreWrite, Done>> queue_;
  bool stop_ = false;
  std::thread writer_;
};

}  // namespace tern::edge
