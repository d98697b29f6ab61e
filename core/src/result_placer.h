// Places result chunks (origin: the core) on `copies` stores, as an edge places its
// replicas: the data's own edge first, then the least loaded live stores. A copy a store has
// not confirmed (by its `stored` notice) within `result_timeout_ms` is sent again; a store
// that answers `put_nack` is not asked again for that chunk and another takes its place; a
// store that went offline or dead is replaced. Results left over from before a restart are
// first restated: every registered store is asked whether it holds them (its `stored`
// notice may have been lost with the old process), and placing resumes 3 s later.
// Returns the puts and restates to publish after the commit.
// Thread-safety: not thread-safe; the commit worker owns it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "batch.h"
#include "membership.h"
#include "tern/common/messages.h"
#include "tern/common/metrics.h"
#include "tern/common/protocol.h"
#include "tern/common/statements.h"

namespace tern::core {

class ResultPlacer {
 public:
  // How long a recovered result waits for restated notices before copies go out.
  static constexpr uint64_t kRestateHoldMs = 3000;
  // The holders the manifest lists for a chunk (empty if it cannot say).
  using HoldersOf = std::function<std::vector<uint32_t>(const ChunkId&)>;

  // `m` counts result_resends and result_refusals.
  // `sealer` (may be null: unsigned envelopes) signs each result's id as its origin.
  ResultPlacer(int copies, int64_t result_timeout_ms, uint32_t core_addr, Topics topics, Metrics* m,
               const Sealer* sealer = nullptr)
      : copies_(static_cast<size_t>(copies)),
        timeout_ms_(static_cast<uint64_t>(result_timeout_ms)),
        core_addr_(core_addr),
        topics_(std::move(topics)),
        m_(m),
        sealer_(sealer) {}

  // A new result chunk (its wire bytes) to place, on `prefer` (the data's edge) first.
  void Add(const ChunkId& id, std::string wire, uint32_t prefer);
  // A result still unplaced when the core last stopped: restate before placing.
  void Recover(const ChunkId& id, std::string wire);
  // True while result `id` is short of confirmed stores.
  bool placing(const ChunkId& id) const { return placing_.count(id) != 0; }
  // The result is on enough stores: forget it.
  void Placed(const ChunkId& id) { placing_.erase(id); }
  // A store refused a copy: place it elsewhere.
  void OnPutNack(const msg::PutNack& n);
  // Results being placed (status: results_placing).
  size_t size() const { return placing_.size(); }

  // One turn (while connected): restates for recovered results, puts for results short of
  // stores or whose copies timed out.
  std::vector<Outgoing> Tick(uint64_t now_ms, const Membership& members,
                             const HoldersOf& holders_of);

 private:
  struct Placing {
    std::string wire;
    std::map<uint32_t, uint64_t> targets;  // store -> last send (monotonic ms), 0 = not yet
    std::set<uint32_t> refused;
    uint32_t prefer = 0;
    bool recovered = false;
    uint64_t hold_until_ms = 0;
  };
  void SendCopies(const ChunkId& id, Placing& p, uint64_t now_ms, const Membership& members,
                  const HoldersOf& holders_of, std::vector<Outgoing>& out);
  bool Due(const Placing& p, uint64_t now_ms) const;

  size_t copies_;
  uint64_t timeout_ms_;
  uint32_t core_addr_;
  Topics topics_;
  Metrics* m_;
  const Sealer* sealer_;
  std::map<ChunkId, Placing> placing_;
};

}  // namespace tern::core
