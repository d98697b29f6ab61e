// The manifest's holders, from the stores' own statements: a registered store's `stored`
// notice adds it as a holder of a chunk, a `dropped` notice (after a `delete` of an excess
// copy) removes it. A notice counts only from the holder itself: the node named in the
// topic (stored/<n>) must be registered and be the holder the body names; anything else is
// refused (`refused_wrong_holder`, `refused_unknown_sender`) and changes nothing. At the end of
// each batch every chunk whose holders changed is settled: AckPolicy decides, the ledger marks the
// manifest (acked, result placed) and queues the ack and delete messages for after the commit.
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
  // Store `from` says it dropped its (excess) copy of a chunk.
  void OnDropped(const msg::Dropped& d, uint32_t from, const std::string& topic);
  // Settles every chunk touched in `b`; call once per batch, before the commit.
  void Settle(Batch& b, uint64_t now_ms);

 private:
  void ManifestError(const char* what, const Status& s);
  // False (counted and logged) unless `from` is registered and is `holder`.
  bool FromHolder(const char* kind, uint32_t holder, uint32_t from, const std::string& topic);

  Manifest* db_;
  const Membership* members_;
  AckPolicy* policy_;
  ResultPlacer* placer_;
  Metrics* m_;
};

}  // namespace tern::core
