// The outbox: this edge's own chunks between their local commit and the core's ack, the
// bound that keeps it finite, and the in-flight window.
//
// Admission (any thread, before a record is taken): a record of a kind the core does not
// permit is refused for good; while the local disk is full only alarms are taken; what the
// store's disk-pressure level refuses (pressure_ladder.h) is refused; otherwise
// a record fits while the outbox holds fewer than `max_bytes` (high priority: 105 %, alarms:
// 110 %). Sealed chunks count from the moment they are sealed (Reserve), so the bound holds
// before the commit.
//
// The window (loop thread): committed chunks queue as live (sealed since this start) or
// backlog (found in the durable outbox at start). FillWindow admits them into the window of
// at most `window_chunks` chunks and `window_bytes` bytes, live first but never more than
// every other slot while a backlog waits, so a returning outage drains beside live data
// instead of ahead of it. A chunk keeps its bytes in memory only near the window; the others
// are read back from the store when they enter it (through the loader the caller passes).
// Outbox decides; it does no I/O itself.
// Thread-safety: Admit, Reserve, Release, SetDiskFull and the counters from any thread;
// everything else on the loop thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pressure_ladder.h"
#include "settings_state.h"
#include "tern/common/chunk.h"
#include "tern/common/status.h"
#include "tern/edge/chunker.h"
#include "tern/edge/local_store.h"

namespace tern::edge {

struct OutboxLimits {
  int64_t max_bytes = int64_t{256} << 20;
  int window_chunks = 64;
  int64_t window_bytes = 8 << 20;
};

// One own chunk between its local commit and the core's ack.
struct Pending {
  ChunkId id;
  int priority = 0;
  uint64_t bytes = 0;
  std::string wire;  // empty until needed (see the file comment)
  bool in_window = false;
  uint64_t first_collected_us = 0;  // 0 for chunks recovered after a restart
};

class Outbox {
 public:
  // Reads a chunk's bytes back from the store; nullopt if it is not there.
  using Loader = std::function<std::optional<std::string>(const ChunkId&)>;
  struct Fill {
    std::vector<ChunkId> admitted;  // entered the window now
    std::vector<ChunkId> missing;   // in the outbox but not in the store (left out)
  };

  // `settings` (not owned, may be null: everything permitted) decides the permitted kinds.
  // `pressure` (not owned, may be null: no ladder) refuses by the store's disk pressure.
  Outbox(OutboxLimits limits, const SettingsState* settings,
         const PressureLadder* pressure = nullptr)
      : limits_(limits), settings_(settings), pressure_(pressure) {}

  // Whether a record of `spec`'s source and `bytes` may be taken now; see the file comment.
  [[nodiscard]] Status Admit(const SourceSpec& spec, size_t bytes) const;
  // A sealed chunk of `bytes` counts against the bound (Reserve) until it is committed and
  // later finished (Remove), or its commit failed (Release, then Reserve again on retry).
  void Reserve(uint64_t bytes);
  void Release(uint64_t bytes);
  void SetDiskFull(bool full) { disk_full_ = full; }
  bool disk_full() const { return disk_full_; }
  int64_t bytes() const { return bytes_; }
  int64_t chunks() const { return chunks_; }

  // Takes the rows of the durable outbox at start as backlog. Loop thread (or before it).
  void Restore(const std::vector<OutboxEntry>& rows);
  // Takes a committed chunk as live (already reserved). Its bytes are kept only if it will
  // enter the window soon.
  void AddCommitted(Pending p);
  // Admits queued chunks into the window while it has room; see the file comment.
  Fill FillWindow(const Loader& load);
  // The chunk, if it is in the outbox.
  Pending* Find(const ChunkId& id);
  // Takes the chunk out of the outbox (and the window); false if it was not there.
  bool Remove(const ChunkId& id);
  // The chunks in flight, in the order they entered.
  const std::vector<ChunkId>& window() const { return window_; }
  uint64_t window_bytes() const { return window_bytes_; }

 private:
  const OutboxLimits limits_;
  const SettingsState* settings_;
  const PressureLadder* pressure_;
  std::atomic<int64_t> bytes_{0};
  std::atomic<int64_t> chunks_{0};
  std::atomic<bool> disk_full_{false};
  // Loop thread only.
  std::map<ChunkId, Pending> pending_;
  std::deque<ChunkId> live_, backlog_;
  std::vector<ChunkId> window_;
  uint64_t window_bytes_ = 0;
  bool prefer_backlog_ = false;
};

}  // namespace tern::edge
