// The manifest's holders, from the stores' own statements: a registered store's `stored`
// notice adds it as a holder of a chunk, a `dropped` notice (after a `delete` of an excess
// copy) removes it. A notice counts only from the holder itself: the node named in the
// topic (stored/<n>) must be registered and be the holder the body names; anything else is
// refused (`refused_wrong_holder`, `refused_unknown_sender`) and changes nothing. At the end of
// each batch every chunk whose holders changed is settled: AckPolicy decides, the ledger marks the
// manifest (acked, result placed) and queues the ack and delete messages for after the commit.
// Every kSweepEveryMs the same call also sweeps the excess deletes that went unconfirmed for
// AckPolicy::kDeleteRetryMs (a delete lost at a store's kill, or its `dropped` notice lost):
// each is re-decided from its manifest row as it is then, at most kMaxRetriesPerSweep per
// sweep, so a copy left over by a crash is asked again and a phantom holder is removed within
// seconds, not at the next full block report.
// Thread-safety: not thread-safe; the commit worker owns it.
#pragma once

#include <cstdint>

#include "ack_policy.h"
#include "batch.h"
#include "membership.h"
#include "result_placer.h"
#include "tern/common/messages.h"
#include "tern/common/metrics.h"
#include "tern/core/manifest.h"

namespace tern::core {

class HolderLedger {
 public:
  // Pointers outlive the ledger. `m` counts stored_notices, manifest_errors, rejected_stored.
  HolderLedger(Manifest* db, const Membership* members, AckPolicy* policy, ResultPlacer* placer,
               Metrics* m)
      : db_(db), members_(members), policy_(policy), placer_(placer), m_(m) {}

  // Store `from` (the registered address of the name in `topic`, 0 if none) says it holds a
  // chunk (inside the worker's transaction).
  void OnStored(const msg::Stored& n, uint32_t from, const std::string& topic, Batch& b);
  // Store `from` says it dropped its (excess) copy of a chunk. The chunk is settled again
  // with the batch: an excess left (a copy whose own `dropped` was lost) is asked to go.
  void OnDropped(const msg::Dropped& d, uint32_t from, const std::string& topic, Batch& b);
  // How often unconfirmed excess deletes are swept, and how many are re-decided per sweep
  // (each costs a manifest read inside the worker's transaction).
  static constexpr uint64_t kSweepEveryMs = 2000;
  static constexpr size_t kMaxRetriesPerSweep = 256;

  // Settles every chunk touched in `b`, then sweeps the due excess deletes (above); call
  // once per batch, before the commit (the worker does so every turn, busy or idle).
  void Settle(Batch& b, uint64_t now_ms);

 private:
  void SweepExcess(Batch& b, uint64_t now_ms);
  void ManifestError(const char* what, const Status& s);
  // False (counted and logged) unless `from` is registered and is `holder`.
  bool FromHolder(const char* kind, uint32_t holder, uint32_t from, const std::string& topic);

  Manifest* db_;
  const Membership* members_;
  AckPolicy* policy_;
  ResultPlacer* placer_;
  Metrics* m_;
  uint64_t last_sweep_ms_ = 0;
};

}  // namespace tern::core
