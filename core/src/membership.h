// Who is in the site and how each node is doing: the registered nodes, their liveness state
// (from heartbeats, Last Wills and the suspect/dead timeouts), their load, and the member
// list the core publishes (retained) for the edges to choose peers from. Pure state: it
// returns the state changes it decides, and the caller records them in core.db.
// Thread-safety: not thread-safe; the commit worker owns it.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "tern/common/crypto.h"
#include "tern/common/messages.h"
#include "tern/common/metrics.h"

namespace tern::core {

enum class NodeState { kUnknown, kLive, kSuspect, kOffline, kDead };

// "unknown", "live", "suspect", "offline", "dead": the names on the wire and in core.db.
std::string_view NodeStateName(NodeState s);

struct Member {
  std::string name;
  NodeState state = NodeState::kUnknown;  // unknown until heard from
  uint64_t last_hb_ms = 0;                // monotonic
  double load = 0.5;                      // 0..1, from heartbeats
  // The load placement ranks by: `load` with hysteresis at the level boundaries
  // (placement::StickyLoad); the member list carries it.
  double placement_load = 0.5;
  double cpu = 0;                         // 0..1, the last heartbeat's CPU share
  std::string zone;                       // the last heartbeat's node.zone ("" = none said)
  nlohmann::json counters;                // the last heartbeat's counters (null until one)
  bool disk_full = false;                 // the last heartbeat said its data disk is full
  Pressure pressure = Pressure::kNormal;  // the last heartbeat's disk-pressure level
  crypto::PublicKey key;                  // pki mode: its enrolled key (empty otherwise)
  bool draining = false;           // drained by an operator: no new copies; its copies are not good
  int64_t used = 0, capacity = 0;  // bytes, from the last heartbeat (0: not said)
  uint64_t last_hb_wall_ms = 0;    // wall clock of the last heartbeat (for the report)
  // The last heartbeat's outbox (own chunks not yet acked by the core, and their bytes); -1
  // until a heartbeat this run said it (GET /api/v1/nodes shows null then).
  int64_t outbox_chunks = -1, outbox_bytes = -1;
  int64_t dedup_saved = -1;  // the last heartbeat's dedup_saved (-1: not said)
};

// A node moved from one state to another.
struct StateChange {
  uint32_t addr = 0;
  std::string name;
  NodeState from = NodeState::kUnknown, to = NodeState::kUnknown;
};

class Membership {
 public:
  // A live node without heartbeats for `suspect_after_ms` is suspect, and dead after
  // `dead_after_ms`; an offline one is dead after `dead_after_ms` as well.
  Membership(int64_t suspect_after_ms, int64_t dead_after_ms)
      : suspect_after_ms_(static_cast<uint64_t>(suspect_after_ms)),
        dead_after_ms_(static_cast<uint64_t>(dead_after_ms)) {}

  // Adds node `addr` (state unknown) or renames it; returns true if it was not a member.
  bool Add(uint32_t addr, const std::string& name);
  // The address of member `name`, 0 if no member has that name.
  uint32_t AddrOf(const std::string& name) const {
    auto it = by_name_.find(name);
    return it == by_name_.end() ? 0 : it->second;
  }
  // Member `addr`'s enrolled public key: carried in the member list, so stores verify what
  // their peers sign. Marks the list changed when the key is new. Ignored for a stranger.
  void SetKey(uint32_t addr, const crypto::PublicKey& key);
  // The key of member `name`, or null if it has none (not a member, or insecure mode).
  const crypto::PublicKey* KeyOf(const std::string& name) const;
  // The core's own name, carried in the member list (stores answer its restates by name).
  void SetCoreName(std::string name) { core_name_ = std::move(name); }
  const std::string& core_name() const { return core_name_; }
  // Marks member `addr` draining (or not); the member list carries it. False for a stranger.
  bool SetDraining(uint32_t addr, bool draining);
  // Removes member `addr` (a forgotten node); false if it was not one.
  bool Remove(uint32_t addr);
  // True if `addr` is registered (whatever its state).
  bool Contains(uint32_t addr) const { return members_.count(addr) != 0; }
  // The member, or null.
  const Member* Find(uint32_t addr) const;
  // The member's name, or the address as text for a stranger.
  std::string NameOf(uint32_t addr) const;
  // Every member by address.
  const std::map<uint32_t, Member>& members() const { return members_; }

  // A heartbeat from member `addr` (ignored for a stranger): load, counters, live.
  std::optional<StateChange> OnHeartbeat(uint32_t addr, const msg::Heartbeat& hb, uint64_t now_ms);
  // Member `addr` said goodbye (or its Last Will did).
  std::optional<StateChange> OnOffline(uint32_t addr);
  // live -> suspect -> dead by the time since the last heartbeat; offline -> dead too once
  // that silence passes dead_after (a clean stop stays offline until then), and unknown (a
  // registered node not heard from since the core started) -> dead after dead_after counted
  // from the first check (or the last RestartClocks).
  std::vector<StateChange> CheckLiveness(uint64_t now_ms);
  // The core itself was cut off: silence says nothing about the nodes, restart every clock.
  void RestartClocks(uint64_t now_ms);
  // The core (re)connected: the member list gets a new epoch (`epoch`, the wall clock in ms,
  // so it also differs across core restarts) and is due, and stores restate their recent
  // replicas (msg::Members::epoch).
  void NewEpoch(uint64_t epoch) {
    epoch_ = epoch;
    dirty_ = true;
  }

  // True unless `addr` is a member that is neither offline nor dead.
  bool Gone(uint32_t addr) const;
  // Up to `n` live members not in `exclude`, not draining and whose disk pressure takes
  // data of `priority`, `prefer` first, then least loaded first.
  std::vector<uint32_t> ChooseStores(uint32_t prefer, const std::set<uint32_t>& exclude, size_t n,
                                     Priority priority = Priority::kNormal) const;

  // The member list is due when it changed or `interval_ms` passed since it was published.
  bool PublishDue(uint64_t now_ms, uint64_t interval_ms) const {
    return dirty_ || now_ms - published_ms_ >= interval_ms;
  }
  // The retained `members` message: every member's address, name, state and load.
  msg::Members ToMessage() const;
  // The list went out at `now_ms`: not due again until it changes or the interval passes.
  void Published(uint64_t now_ms) {
    dirty_ = false;
    published_ms_ = now_ms;
  }

  // The status file's "nodes": addr, name, state, load, counters.
  nlohmann::json ToStatusJson() const;
  // Bit n: the n-th member (by address) is live, n < 8. For the board's LEDs.
  uint8_t LiveMask() const;
  // Some member is dead or offline.
  bool AnyDown() const;
  // Used over capacity of the stores that are not dead and said both in their heartbeats,
  // in thousandths; -1 when none did.
  int StoreFillPermille() const;

 private:
  std::optional<StateChange> Move(uint32_t addr, Member& mb, NodeState to);

  uint64_t suspect_after_ms_, dead_after_ms_;
  std::map<uint32_t, Member> members_;
  std::map<std::string, uint32_t> by_name_;
  std::string core_name_;
  uint64_t epoch_ = 0;
  bool dirty_ = true;
  uint64_t published_ms_ = 0;
};

// True if a store's statement about its own copies (`kind`: stored, dropped, block_report,
// corrupt) naming `holder` came from that holder (`from`, the registered sender on `topic`);
// otherwise counts refused_unknown_sender or refused_wrong_holder and logs the rejection.
bool StatedByHolder(const Membership& members, Metrics& m, const char* kind, uint32_t holder,
                    uint32_t from, const std::string& topic);

}  // namespace tern::core
