// HolderLedger: see holder_ledger.h.
#include "holder_ledger.h"

#include <spdlog/spdlog.h>

#include "tern/common/bytes.h"
#include "tern/common/dispatch.h"

namespace tern::core {

void HolderLedger::ManifestError(const char* what, const Status& s) {
  m_->Add("manifest_errors");
  spdlog::error("core: {}: {}", what, s.ToString());
}

bool HolderLedger::FromHolder(const char* kind, uint32_t holder, uint32_t from,
                              const std::string& topic) {
  return StatedByHolder(*members_, *m_, kind, holder, from, topic);
}

void HolderLedger::OnStored(const msg::Stored& n, uint32_t from, const std::string& topic,
                            Batch& b) {
  if (!FromHolder("stored", n.holder, from, topic)) return;
  if (Status s = db_->RecordHolder(n); !s.ok()) {
    return ManifestError(("recording holder " + std::to_string(n.holder)).c_str(), s);
  }
  m_->Add("stored_notices");
  b.Touch(n.id);
}

void HolderLedger::OnDropped(const msg::Dropped& d, uint32_t from, const std::string& topic,
                             Batch& b) {
  if (!FromHolder("dropped", d.holder, from, topic)) return;
  if (Status s = db_->RemoveHolder(d.id, d.holder); !s.ok()) {
    return ManifestError(("removing holder " + std::to_string(d.holder)).c_str(), s);
  }
  policy_->OnDropped(d.id);
  b.Touch(d.id);
}

void HolderLedger::Settle(Batch& b, uint64_t now_ms) {
  for (const ChunkId& id : b.touched()) {
    auto c = db_->Chunk(id);
    if (!c.ok()) {
      ManifestError(("reading chunk " + ToHex(id).substr(0, 16)).c_str(), c.status());
      continue;
    }
    if (!c->has_value()) continue;
    Settlement s = policy_->Settle(**c, placer_->placing(id), b.reack(id), now_ms);
    if (s.placed) {
      placer_->Placed(id);
      // Placed in memory either way; an unmarked row is only restated after a restart.
      if (Status st = db_->MarkResultPlaced(id); !st.ok())
        ManifestError("marking a result placed", st);
    }
    if (s.first_ack) {
      // The ack still goes out: the holders that justify it are in this transaction.
      if (Status st = db_->MarkAcked(id); !st.ok()) ManifestError("marking a chunk acked", st);
      // The origin's per-source high-water mark, in the ack's transaction (seq_marks.h).
      const ChunkRecord& r = **c;
      if (Status st = db_->seq_marks().Acked(r.origin, r.source, r.seq); !st.ok())
        ManifestError("raising the acked sequence mark", st);
    }
    b.PublishAll(std::move(s.out));
  }
  SweepExcess(b, now_ms);
}

void HolderLedger::SweepExcess(Batch& b, uint64_t now_ms) {
  if (now_ms - last_sweep_ms_ < kSweepEveryMs) return;
  last_sweep_ms_ = now_ms;
  for (const ChunkId& id : policy_->DueForRetry(now_ms, kMaxRetriesPerSweep)) {
    auto c = db_->Chunk(id);
    if (!c.ok()) {  // kept: the next sweep tries again
      ManifestError(("reading chunk " + ToHex(id).substr(0, 16)).c_str(), c.status());
      continue;
    }
    b.PublishAll(policy_->Retry(id, c->has_value() ? &**c : nullptr, now_ms));
  }
}

}  // namespace tern::core
