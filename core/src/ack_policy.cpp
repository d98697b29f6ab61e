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
  // Excess copies: more good copies than `copies`, or a draining node's copy once `copies`
  // good ones exist elsewhere (drain). A dead node's copy is neither: it cannot hear a
  // delete, and it counts again if the node comes back (then it is excess like any other).
  std::vector<uint32_t> good, draining;
  for (uint32_t h : r.holders) {
    const Member* mb = members_->Find(h);
    if (mb && mb->draining) {
      draining.push_back(h);
    } else if (!mb || mb->state != NodeState::kDead) {
      good.push_back(h);
    }
  }
  uint32_t victim = 0;
  if (static_cast<int>(good.size()) >= copies_ && !draining.empty()) {
    victim = draining.front();  // even the origin's own copy: the node is being emptied
  } else if (static_cast<int>(good.size()) > copies_) {
    for (auto h = good.rbegin(); h != good.rend(); ++h) {  // newest first
      if (*h != r.origin) {                                // never the origin's own copy
        victim = *h;
        break;
      }
    }
  }
  if (victim == 0) return s;
  auto it = delete_requested_.find(r.id);
  if (it != delete_requested_.end() && now_ms - it->second < kDeleteRetryMs) return s;
  s.out.push_back({topics_.Down(members_->NameOf(victim)), msg::Delete{r.id}.Encode()});
  delete_requested_[r.id] = now_ms;
  m_->Add("excess_copies_found");
  return s;
}

void AckPolicy::OnDropped(const ChunkId& id) {
  delete_requested_.erase(id);
  m_->Add("excess_copies_removed");
}

}  // namespace tern::core
