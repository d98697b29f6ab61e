// The Repairer drives repairs: it finds the chunks with fewer good copies than `copies`
// (a full scan of the manifest now and then, sooner after a node died, was drained or
// forgotten, and after corrupt or missing findings), keeps them in a RepairQueue, and for
// the most urgent ones asks a live good holder (the source) to copy the chunk to a live store
// that does not hold it (the target) with msg::Copy on down/<source>. The target's own
// `stored` notice completes the copy (it enters the manifest on the usual path); a CopyNack
// or no `stored` within copy_timeout fails it, and the chunk is tried again with another
// source and target.
//
// The target is the first store in the rendezvous order of the chunk's placement key
// (placement.h; SetPlacement) that is live, writable and not a holder yet, so every chunk of a
// (group, window) that lost the same store gets the same new one and the window stays on
// common stores; when that store has no room for another copy now, the chunk waits for it
// rather than going elsewhere. A target that failed for this chunk is skipped for the next in
// the order. Without SetPlacement the least loaded store is taken.
//
// A copy is good when its holder is registered, not dead and not draining: a node that is
// only offline or suspect still counts (a brief outage makes no repair), one past
// membership.dead_after does not. Each node takes part in at most max_streams copies at once
// (as source or target) and max_bytes_per_s bytes of them per second (a token bucket of one
// second's bytes). With fewer live writable stores than `copies` the shortfall is reported
// (blocked_reason, a WARN at most every 30 s) and the queue waits; each tick looks at a
// bounded number of queued chunks, so nothing loops hot.
//
// Counters: repair_copies_requested, repair_copies_done, repair_copy_failures, repair_bytes.
// Gauges (Metrics::Set): repair_queue, repair_in_flight, repair_bytes_per_s,
// under_replicated_1, under_replicated_2, missing_chunks.
// Thread-safety: not thread-safe; the commit worker owns it.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "batch.h"
#include "membership.h"
#include "repair_queue.h"
#include "tern/common/log_throttle.h"
#include "tern/common/metrics.h"
#include "tern/common/placement.h"
#include "tern/common/protocol.h"
#include "tern/common/store_messages.h"
#include "tern/core/holder_index.h"

namespace tern::core {

struct RepairOptions {
  int copies = 3;
  int max_streams = 8;                 // repair.max_streams
  int64_t max_bytes_per_s = 40 << 20;  // repair.max_bytes_per_s (40M)
  uint64_t copy_timeout_ms = 30000;    // repair.copy_timeout
  uint64_t scan_every_ms = 30000;      // the periodic full scan
  size_t look_per_tick = 256;          // queued chunks looked at per tick, at most
  size_t history_max = 1024;           // repair copies kept in the history
};

// One repair copy, as the history keeps it (times: the core's monotonic clock, ms).
struct RepairRecord {
  ChunkId id;
  int good = 0;              // good copies when the copy started
  uint64_t queued_ms = 0;    // the chunk entered the queue
  uint64_t ready_ms = 0;     // it began waiting at its rank (ranked, or its last failure)
  uint64_t started_ms = 0;   // the Copy was sent
  uint64_t finished_ms = 0;  // stored, nack or timeout (0: in flight)
  uint32_t source = 0, target = 0;
  std::string result = "in_flight";  // in_flight, done, failed
};

// What the last full scan counted.
struct CopyCensus {
  std::array<int64_t, 5> by_good{};  // chunks with 0, 1, 2, 3, 4+ good copies
  int64_t chunks = 0, bytes = 0;     // repair's chunks (acked, placed) and their bytes
  std::map<uint32_t, std::pair<int64_t, int64_t>> per_node;  // holder -> chunks, bytes
  uint64_t at_ms = 0;                                        // monotonic; 0: never
};

class Repairer {
 public:
  using Lookup = std::function<std::optional<ChunkRecord>(const ChunkId&)>;
  using Placing = std::function<bool(const ChunkId&)>;
  // `core_addr` is the origin of result chunks; `placing` says whether a result is still being
  // placed (the ResultPlacer's job, not repair's). Pointers outlive the Repairer.
  Repairer(RepairOptions o, uint32_t core_addr, Topics topics, const Membership* members,
           Metrics* m, Placing placing);

  using KeyOf = std::function<placement::Key(const ChunkRecord&)>;
  // Targets are chosen in the rendezvous order of `key_of(chunk)` from now on.
  void SetPlacement(KeyOf key_of) { key_of_ = std::move(key_of); }

  // Whether the copy on `holder` counts: registered, not dead, not draining.
  bool IsGood(uint32_t holder) const;
  int GoodCount(const std::vector<uint32_t>& holders) const;
  // Whether repair looks after `r`: an acked edge chunk, or a result no longer being placed.
  bool Eligible(const ChunkRecord& r) const;

  // Looks at `r` again (its holders changed, a finding): queues or dequeues it.
  void Consider(const ChunkRecord& r, uint64_t now_ms);
  // A full scan is due: periodically, or soon after ScanSoon() (a node died, was drained...).
  bool ScanDue(uint64_t now_ms) const;
  void ScanSoon() { scan_soon_ = true; }
  // The full scan over every manifest chunk: queue and census.
  void Scan(const std::vector<ChunkRecord>& all, uint64_t now_ms);
  // Fails copies past copy_timeout and starts new ones (the Copy messages to publish).
  std::vector<Outgoing> Tick(uint64_t now_ms, const Lookup& lookup);
  // Store `holder` says it holds `id`: completes a copy whose target it is.
  void OnStored(const ChunkId& id, uint32_t holder, uint64_t now_ms);
  // Store `from` could not carry out copy `n.req`; false if it names no copy of `from`'s.
  bool OnCopyNack(const msg::CopyNack& n, uint32_t from, uint64_t now_ms);

  // The /api/v1/repair document without "corrupt" (the core adds it): up to `max_tasks` tasks
  // and the whole history.
  nlohmann::json Json(size_t max_tasks, uint64_t now_ms) const;
  const std::string& blocked_reason() const { return blocked_; }
  const CopyCensus& census() const { return census_; }
  size_t queued() const { return queue_.size(); }
  size_t in_flight() const { return flights_.size(); }
  // The last history_max repair copies started, oldest first (req -> record).
  const std::map<uint64_t, RepairRecord>& history() const { return history_; }
  // Bytes per second copied over the last 10 s.
  int64_t BytesPerSecond(uint64_t now_ms) const;

 private:
  struct Flight {
    ChunkId id;
    uint32_t source = 0, target = 0;
    uint64_t started_ms = 0, bytes = 0;
  };
  struct Bucket {
    double tokens = 0;
    uint64_t at_ms = 0;
  };
  // The bucket of `addr`, refilled to now.
  Bucket& Refill(uint32_t addr, uint64_t now_ms);
  bool HasRoom(uint32_t addr, uint64_t now_ms);
  // The least loaded candidate with room; `*busy` is set when candidates exist but none has
  // room (streams or bytes), left alone when there is no candidate at all.
  std::optional<uint32_t> PickSource(const ChunkRecord& r, RepairTask& t, uint64_t now_ms,
                                     bool* busy);
  std::optional<uint32_t> PickTarget(const ChunkRecord& r, RepairTask& t, uint64_t now_ms,
                                     bool* busy);
  void Record(uint64_t req, const std::string& result, uint64_t now_ms);  // a copy ended
  void Finish(uint64_t req);  // releases the streams of flight `req` and forgets it
  void Fail(uint64_t req, const std::string& why, bool blame_target, uint64_t now_ms);
  void UpdateBlocked(uint64_t now_ms);
  void SetGauges(uint64_t now_ms);

  RepairOptions o_;
  uint32_t core_addr_;
  Topics topics_;
  const Membership* members_;
  Metrics* m_;
  Placing placing_;
  KeyOf key_of_;  // empty: the least loaded target
  RepairQueue queue_;
  std::map<uint64_t, Flight> flights_;    // req -> copy in flight
  std::map<ChunkId, uint64_t> by_chunk_;  // id -> req in flight
  std::map<uint32_t, int> streams_;       // node -> copies it takes part in
  std::map<uint32_t, Bucket> buckets_;
  std::map<uint64_t, RepairRecord> history_;  // req -> copy; the last history_max started
  std::deque<std::pair<uint64_t, uint64_t>> done_bytes_;  // (ms, bytes) of the last 10 s
  uint64_t next_req_ = 1;
  CopyCensus census_;
  bool scan_soon_ = true;
  std::string blocked_;
  LogThrottle blocked_log_{30000, 1}, missing_log_{30000, 1};
};

}  // namespace tern::core
