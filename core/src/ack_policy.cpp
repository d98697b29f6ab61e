// AckPolicy: see ack_policy.h.
#include "ack_policy.h"

#include "tern/common/messages.h"

namespace tern::core {

Settlement AckPolicy::Settle(const ChunkRecord& r, bool placing, bool reack, uint64_t now_ms) {
  Settlement s;
  const bool enough = static_cast<int>(r.holders.size()) >= copies_;
  if (r.origin == core_addr_) {
    if (placing && enough) {
      s.placed = true;
      m_->Add("results_placed");
    }
    if (!enough || (placing && !s.placed)) return s;
  } else {
    if (!r.spooled && !r.acked) return s;  // the origin's own statement (the uplink) is missing
    if (!enough) return s;
    if (!r.acked || reack) {
      m_->Add(r.acked ? "acks_repeated" : "acks");
      s.first_ack = !r.acked;
      s.out.push_back(
          {topics_.Down(members_->NameOf(r.origin)), msg::Ack{r.id, r.holders}.Encode()});
    }
  }
  if (static_cast<int>(r.holders.size()) <= copies_) return s;
  auto it = delete_requested_.find(r.id);
  if (it != delete_requested_.end() && now_ms - it->second < kDeleteRetryMs) return s;
  for (auto h = r.holders.rbegin(); h != r.holders.rend(); ++h) {  // newest first
    if (*h == r.origin) continue;                                  // never the origin's own copy
    s.out.push_back({topics_.Down(members_->NameOf(*h)), msg::Delete{r.id}.Encode()});
    delete_requested_[r.id] = now_ms;
    m_->Add("excess_copies_found");
    break;
  }
  return s;
}

void AckPolicy::OnDropped(const ChunkId& id) {
  delete_requested_.erase(id);
  m_->Add("excess_copies_removed");
}

}  // namespace tern::core
