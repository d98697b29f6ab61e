// The replicator decides, for each own chunk in the window, which peers get a copy, when a
// copy or the uplink to the core is sent again, and whom to ask to restate a copy; it keeps
// what the peers and the core said about each chunk. It does no I/O: Step() returns a Plan
// that the caller carries out (reporting what actually went out), so every decision is
// unit-tested without a transport.
//
// Rules (unchanged from the original agent):
// - a chunk has `replicas` peer copies: acked ones plus targets still waiting for their ack;
//   peers are the first live ones in the rendezvous order of the chunk's placement key
//   (SetKey; placement.h), or with `rendezvous` off drawn at random weighted towards low load;
//   never this node, never a peer that refused the chunk or already holds it, never a peer
//   whose disk pressure (the core's member list) refuses the chunk's priority (a peer
//   skipped for any of these reasons makes way for the next in the order);
// - a target that is no longer live before it acked is dropped and replaced
//   (`replica_retargets`); too few live peers is counted (`replica_waits`) and retried;
// - a copy without an ack is resent after `replica_timeout_ms` (`replica_resends`);
// - the uplink is resent after `uplink_timeout_ms` without the core's ack (`uplink_resends`),
//   and then each peer that acked is asked to restate its `stored` notice, in case the core
//   missed it (the manifest only takes holders' own statements);
// - `throttle` from the core moves the next uplink to when its budget allows;
// - a chunk restored from the durable outbox after a restart (Recover) may already have
//   copies that the previous process placed and whose holders' `stored` notices the core
//   never took (they go nowhere while the core has no connection to the broker). Who holds
//   them died with the old process, so before any copy goes out every live peer is asked to
//   restate the chunk (`replica_probes`): a holder answers put_ack, counted like any other
//   (`replicas_found`), and tells the core; its restate_nack is no refusal (only one that
//   answers a restate sent after the peer's ack is). Copies go out `replica_timeout_ms` after
//   the first probe to the peers still needed (at once if enough were found), as the core
//   does with its results; a peer that turns live later is still asked while the chunk is
//   in flight.
// Thread-safety: not thread-safe; the event loop's thread only.
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "tern/common/chunk.h"
#include "tern/common/metrics.h"
#include "tern/common/placement.h"
#include "tern/edge/peers.h"

namespace tern::edge {

struct ReplicatorOptions {
  uint32_t self = 0;  // this node's address, never a target
  int replicas = 2;
  uint64_t replica_timeout_ms = 3000;
  uint64_t uplink_timeout_ms = 5000;
  bool rendezvous = true;  // placement.mode: rendezvous (true) or random
};

// What to send for one chunk now.
struct Plan {
  std::vector<uint32_t> puts;      // peers to send the chunk to
  std::vector<uint32_t> restates;  // peers to ask for a restatement (before the uplink)
  bool uplink = false;             // send the chunk to the core
};

class Replicator {
 public:
  // `peers` and `m` are not owned. `seed` makes the peer draw reproducible in tests.
  Replicator(ReplicatorOptions o, const PeerTable* peers, Metrics* m,
             uint64_t seed = std::random_device{}())
      : o_(o), peers_(peers), m_(m), rng_(seed) {}

  // Chunk `id` comes from the outbox of a previous run: find its copies before placing any.
  void Recover(const ChunkId& id) { flights_[id].recovering = true; }
  // The chunk's placement key (group, window); before its first Step. Without one the key is
  // empty: still one order for every such chunk.
  // `priority`: the chunk's class; peers whose disk pressure refuses it are skipped.
  void SetKey(const ChunkId& id, placement::Key key, Priority priority = Priority::kNormal) {
    Flight& f = flights_[id];
    f.key = std::move(key);
    f.priority = priority;
    f.keyed = true;
  }
  bool Keyed(const ChunkId& id) const {
    auto it = flights_.find(id);
    return it != flights_.end() && it->second.keyed;
  }
  // Decides what to send for chunk `id` at `now_ms` (monotonic); records new targets.
  Plan Step(const ChunkId& id, uint64_t now_ms);
  // The caller sent what Step planned; a send that failed is simply not reported and the
  // next Step plans it again.
  void PutSent(const ChunkId& id, uint32_t peer, uint64_t now_ms);
  void UplinkSent(const ChunkId& id, uint64_t now_ms);
  // A restate request Step planned went out (a probe not reported is planned again).
  void RestateSent(const ChunkId& id, uint32_t peer);

  // A peer's put_ack (or an ack of a restate): returns how many peers hold the chunk now, or
  // 0 if this peer's ack was already counted (a duplicate delivery) or the peer was never
  // asked for this chunk (`put_acks_unasked`: an ack nobody asked for proves nothing).
  int OnPutAck(const ChunkId& id, uint32_t holder);
  // A peer's put_nack: the chunk goes elsewhere.
  void OnRefusal(const ChunkId& id, uint32_t holder);
  // A peer's restate_nack. The answer to a restate sent after the peer acked: its copy is
  // gone, a refusal (returns true). Otherwise it answers a probe: that peer had no copy,
  // which refuses nothing (returns false).
  bool OnRestateNack(const ChunkId& id, uint32_t holder);
  // The core's throttle: the next uplink goes out `retry_after_ms` (at most a minute) after
  // `now_ms` instead of at the normal timeout.
  void OnThrottle(const ChunkId& id, uint64_t retry_after_ms, uint64_t now_ms);
  // The chunk left the outbox; its state goes.
  void Forget(const ChunkId& id) { flights_.erase(id); }

  // Whether any Step since the last call found fewer peers to take a copy than it needed
  // (too few live peers, or the others refused the chunk); resets it.
  bool TakeShort() { return std::exchange(short_, false); }

  // For tests and status.
  std::set<uint32_t> Targets(const ChunkId& id) const;
  std::set<uint32_t> Acked(const ChunkId& id) const;
  size_t tracked() const { return flights_.size(); }

 private:
  struct Flight {
    std::map<uint32_t, uint64_t> targets;  // peer -> last send (monotonic ms), 0 = not yet
    std::set<uint32_t> acked;
    std::set<uint32_t> refused;
    std::set<uint32_t> asked;     // every peer chosen as a target of this chunk, or probed
    uint64_t core_sent_ms = 0;    // 0 = not yet; in the future while throttled
    bool recovering = false;      // from a previous run: probing for existing copies
    std::set<uint32_t> probed;    // peers the probe reached
    std::set<uint32_t> restated;  // peers asked to restate after they acked (uplink timeout)
    uint64_t hold_until_ms = 0;   // while recovering: no copies before (0 = no probe yet)
    placement::Key key;           // the rendezvous key of its peer order
    Priority priority = Priority::kNormal;
    bool keyed = false;
  };
  // Recovering: probes the live peers not asked yet; true while copies must still wait.
  bool Probe(Flight& f, uint64_t now, Plan& plan);
  void PlanCopies(Flight& f, uint64_t now, Plan& plan);
  void PlanUplink(Flight& f, uint64_t now, Plan& plan);

  const ReplicatorOptions o_;
  const PeerTable* peers_;
  Metrics* m_;
  std::mt19937_64 rng_;
  std::map<ChunkId, Flight> flights_;
  bool short_ = false;
};

}  // namespace tern::edge
