// What the manifest justifies for one chunk, decided without I/O:
// - an edge's chunk that is spooled (the origin's own statement) and has `copies` distinct
//   holders gets its ack (`ack` with the holders, to the origin); again whenever the origin
//   re-sends it, since the first ack may have been lost;
// - a result chunk (origin: the core) with `copies` holders is placed;
// - once acked or placed, a chunk with more good copies than `copies` gets a `delete` to its
//   newest good holder that is not the origin, and a chunk with `copies` good copies besides
//   a draining holder's gets a `delete` to the draining holder; at most once per 10 s until
//   that holder confirms. Good: not dead, not draining (a holder that is not a member counts,
//   as it did before membership was consulted); a dead holder's copy is never asked to go.
// - a delete that stays unconfirmed (lost with a killed store, or its `dropped` notice lost)
//   is re-decided by Retry once it is kDeleteRetryMs old, from the manifest as it is then:
//   asked again (a store answers `dropped` also for a copy it no longer has, so a lost notice
//   is repaired too), or forgotten when the chunk is gone or no good copy is excess any more.
//   The caller walks the due ones with DueForRetry, a bounded number per sweep.
// The caller applies the decision: marks the manifest, publishes after the commit.
// Thread-safety: not thread-safe; the commit worker owns it.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "batch.h"
#include "membership.h"
#include "tern/common/metrics.h"
#include "tern/common/protocol.h"
#include "tern/core/manifest.h"

namespace tern::core {

struct Settlement {
  bool first_ack = false;     // record the ack in the manifest (MarkAcked)
  bool placed = false;        // a result reached `copies` stores (MarkResultPlaced)
  std::vector<Outgoing> out;  // the ack to the origin; a delete to one excess holder
};

class AckPolicy {
 public:
  // How long an unconfirmed delete of an excess copy waits before it is asked again.
  static constexpr uint64_t kDeleteRetryMs = 10000;

  // `core_addr` is the origin of result chunks. `m` counts acks, acks_repeated,
  // results_placed, excess_copies_found, excess_copies_removed, excess_delete_retries and
  // excess_requests_cleared. `members` names the nodes
  // the messages go to (down/<name>); it outlives the policy.
  AckPolicy(int copies, uint32_t core_addr, Topics topics, Metrics* m, const Membership* members)
      : copies_(copies),
        core_addr_(core_addr),
        topics_(std::move(topics)),
        m_(m),
        members_(members) {}

  // Decides for chunk `r` as the manifest now has it. `placing`: a result still being
  // placed; `reack`: the origin sent it again in this batch.
  Settlement Settle(const ChunkRecord& r, bool placing, bool reack, uint64_t now_ms);
  // The holder of an excess copy confirmed it dropped it.
  void OnDropped(const ChunkId& id);
  // Excess copies asked to be deleted and not yet confirmed.
  size_t excess_pending() const { return delete_requested_.size(); }

  // Up to `max` chunks whose delete has waited kDeleteRetryMs or longer, in id order from
  // where the previous call stopped (so a long list is walked in turns, none starved).
  std::vector<ChunkId> DueForRetry(uint64_t now_ms, size_t max);
  // Re-decides the pending delete of chunk `id` from `r`, its manifest row now (null: the
  // chunk is gone): the delete to send again (to whichever good copy is excess now), or
  // nothing when the request is forgotten. No-op for an id with no pending delete.
  std::vector<Outgoing> Retry(const ChunkId& id, const ChunkRecord* r, uint64_t now_ms);

 private:
  // The holder whose copy should go, or 0 when no good copy is excess (see the top).
  uint32_t Victim(const ChunkRecord& r) const;
  // Forgets a pending delete whose chunk needs none any more (counted).
  void Clear(const ChunkId& id);

  int copies_;
  uint32_t core_addr_;
  Topics topics_;
  Metrics* m_;
  const Membership* members_;
  std::map<ChunkId, uint64_t> delete_requested_;  // id -> when last asked (monotonic ms)
  ChunkId retry_cursor_;                          // DueForRetry resumes after this id
};

}  // namespace tern::core
