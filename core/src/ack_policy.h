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
  // results_placed, excess_copies_found and excess_copies_removed. `members` names the nodes
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

 private:
  int copies_;
  uint32_t core_addr_;
  Topics topics_;
  Metrics* m_;
  const Membership* members_;
  std::map<ChunkId, uint64_t> delete_requested_;  // id -> when asked (monotonic ms)
};

}  // namespace tern::core
