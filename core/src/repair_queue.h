// The order repairs are done in, as HDFS orders its under-replicated blocks: a chunk with one
// good copy left first (one more loss and it is gone), then chunks with two, then chunks that
// have enough good copies but one to replace anyway (a corrupt or badly placed copy). Within
// a rank, the chunk queued first goes first. A chunk with no good copy is not queued: there is
// nothing to copy from (it is counted as missing by the scan instead).
// Pure bookkeeping: no I/O, no clock of its own.
// Thread-safety: not thread-safe; the commit worker owns it (through the Repairer).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <tuple>
#include <vector>

#include "tern/common/chunk.h"

namespace tern::core {

struct RepairTask {
  ChunkId id;
  int good = 0;        // good copies when last looked at
  uint64_t bytes = 0;  // the chunk's size
  uint64_t queued_ms = 0;
  uint64_t ranked_ms = 0;  // when it entered its present rank (repair-order evidence)
  uint64_t failed_ms = 0;  // when its last copy attempt failed (0: none)
  std::set<uint32_t> failed_sources, failed_targets;  // avoided on the next attempt
};

class RepairQueue {
 public:
  // Queues `id` with `good` copies (1 or 2: under-replicated; 3+: a copy to replace), or
  // moves it to its new rank if queued already (keeping its place in time and what failed).
  // A chunk with 0 good copies is not queued (and is removed if it was). `ranked_ms` is set
  // to `now_ms` when the chunk is queued or changes rank.
  void Push(const ChunkId& id, int good, uint64_t bytes, uint64_t now_ms);
  // Removes `id` (done, or no longer needed); false if it was not queued.
  bool Erase(const ChunkId& id);
  // The task of `id`, or null.
  RepairTask* Find(const ChunkId& id);
  const RepairTask* Find(const ChunkId& id) const;
  // Up to `n` queued ids, most urgent first.
  std::vector<ChunkId> Front(size_t n) const;
  size_t size() const { return tasks_.size(); }
  // Queued chunks by good copies (1, 2 and "3" for 3 or more).
  size_t CountWith(int good) const;
  // 0: one good copy, 1: two, 2: enough but one to replace.
  static int Rank(int good) { return good <= 1 ? 0 : good == 2 ? 1 : 2; }

 private:
  using Key = std::tuple<int, uint64_t, ChunkId>;  // rank, arrival number, id
  std::map<ChunkId, std::pair<RepairTask, Key>> tasks_;
  std::set<Key> order_;
  uint64_t next_ = 0;
};

}  // namespace tern::core
