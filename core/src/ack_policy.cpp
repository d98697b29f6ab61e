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
  const uint32_t victim = Victim(r);
  auto it = delete_requested_.find(r.id);
  if (victim == 0) {
    if (it != delete_requested_.end()) Clear(r.id);  // the excess went away otherwise
    return s;
  }
  if (it != delete_requested_.end()) {
    if (now_ms - it->second < kDeleteRetryMs) return s;
    m_->Add("excess_delete_retries");
  } else {
    m_->Add("excess_copies_found");
  }
  s.out.push_back({topics_.Down(members_->NameOf(victim)), msg::Delete{r.id}.Encode()});
  delete_requested_[r.id] = now_ms;
  return s;
}

uint32_t AckPolicy::Victim(const ChunkRecord& r) const {
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
  if (static_cast<int>(good.size()) >= copies_ && !draining.empty()) {
    return draining.front();  // even the origin's own copy: the node is being emptied
  }
  if (static_cast<int>(good.size()) > copies_) {
    for (auto h = good.rbegin(); h != good.rend(); ++h) {  // newest first
      if (*h != r.origin) return *h;                       // never the origin's own copy
    }
  }
  return 0;
}

void AckPolicy::OnDropped(const ChunkId& id) {
  delete_requested_.erase(id);
  m_->Add("excess_copies_removed");
}

void AckPolicy::Clear(const ChunkId& id) {
  delete_requested_.erase(id);
  m_->Add("excess_requests_cleared");
}

std::vector<ChunkId> AckPolicy::DueForRetry(uint64_t now_ms, size_t max) {
  std::vector<ChunkId> due;
  if (delete_requested_.empty() || max == 0) return due;
  // One lap from the cursor, wrapping at the end of the map.
  auto start = delete_requested_.upper_bound(retry_cursor_);
  if (start == delete_requested_.end()) start = delete_requested_.begin();
  auto it = start;
  do {
    if (now_ms - it->second >= kDeleteRetryMs) {
      due.push_back(it->first);
      retry_cursor_ = it->first;
      if (due.size() >= max) break;
    }
    if (++it == delete_requested_.end()) it = delete_requested_.begin();
  } while (it != start);
  return due;
}

std::vector<Outgoing> AckPolicy::Retry(const ChunkId& id, const ChunkRecord* r, uint64_t now_ms) {
  std::vector<Outgoing> out;
  auto it = delete_requested_.find(id);
  if (it == delete_requested_.end()) return out;
  const uint32_t victim = r ? Victim(*r) : 0;
  // Gone from the manifest, or no good copy is excess now (the victim died, another holder
  // dropped out, a repair is under way): nothing to ask.
  if (victim == 0) {
    Clear(id);
    return out;
  }
  out.push_back({topics_.Down(members_->NameOf(victim)), msg::Delete{id}.Encode()});
  it->second = now_ms;
  m_->Add("excess_delete_retries");
  return out;
}

}  // namespace tern::core
