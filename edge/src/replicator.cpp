// Replicator: placement, resends and restatements of own chunks, as decisions.
#include "replicator.h"

#include <algorithm>
#include <limits>

namespace tern::edge {

Plan Replicator::Step(const ChunkId& id, uint64_t now_ms) {
  Flight& f = flights_[id];
  Plan plan;
  if (!f.recovering || !Probe(f, now_ms, plan)) PlanCopies(f, now_ms, plan);
  PlanUplink(f, now_ms, plan);
  return plan;
}

bool Replicator::Probe(Flight& f, uint64_t now, Plan& plan) {
  // Every live peer not asked yet (one that turns live later is asked then), in no
  // particular order.
  std::set<uint32_t> exclude = f.probed;
  exclude.insert(f.acked.begin(), f.acked.end());
  for (const auto& [peer, sent] : f.targets) exclude.insert(peer);
  exclude.insert(o_.self);
  for (uint32_t peer : peers_->Choose(std::numeric_limits<int>::max(), exclude, rng_)) {
    plan.restates.push_back(peer);
    f.asked.insert(peer);  // its put_ack answers our question
  }
  if (f.hold_until_ms == 0) {
    if (plan.restates.empty()) return true;  // no live peer known yet (no member list)
    f.hold_until_ms = now + o_.replica_timeout_ms;
  }
  return now < f.hold_until_ms && static_cast<int>(f.acked.size()) < o_.replicas;
}

void Replicator::PlanCopies(Flight& f, uint64_t now, Plan& plan) {
  // A target that went dead before acking is replaced (the design's hysteresis lives in
  // the core's membership states; "dead" there is final enough to move on).
  for (auto it = f.targets.begin(); it != f.targets.end();) {
    if (!peers_->IsLive(it->first)) {
      m_->Add("replica_retargets");
      it = f.targets.erase(it);
    } else {
      ++it;
    }
  }
  int need = o_.replicas - static_cast<int>(f.acked.size() + f.targets.size());
  if (need > 0) {
    std::set<uint32_t> exclude = f.acked;
    exclude.insert(f.refused.begin(), f.refused.end());
    for (uint32_t busy : peers_->Refusing(f.priority)) exclude.insert(busy);
    for (const auto& [peer, t] : f.targets) exclude.insert(peer);
    exclude.insert(o_.self);
    const auto chosen =
        o_.rendezvous ? peers_->Ranked(f.key, need, exclude) : peers_->Choose(need, exclude, rng_);
    for (uint32_t peer : chosen) {
      f.targets[peer] = 0;
      f.asked.insert(peer);
    }
    if (static_cast<int>(f.acked.size() + f.targets.size()) < o_.replicas) {
      m_->Add("replica_waits");  // not enough live peers right now; retried next step
      short_ = true;
    }
  }
  for (const auto& [peer, sent] : f.targets) {
    if (sent != 0 && now - sent < o_.replica_timeout_ms) continue;
    if (sent != 0) m_->Add("replica_resends");
    plan.puts.push_back(peer);
  }
}

void Replicator::PlanUplink(Flight& f, uint64_t now, Plan& plan) {
  if (f.core_sent_ms > now) return;  // throttled: the core said when to come back
  if (f.core_sent_ms != 0 && now - f.core_sent_ms < o_.uplink_timeout_ms) return;
  if (f.core_sent_ms != 0) {
    m_->Add("uplink_resends");
    // No ack yet: perhaps the core missed a peer's "stored" notice while it or the broker
    // was down. Ask each peer that acked to restate it.
    plan.restates.insert(plan.restates.end(), f.acked.begin(), f.acked.end());
  }
  plan.uplink = true;
}

void Replicator::PutSent(const ChunkId& id, uint32_t peer, uint64_t now_ms) {
  auto it = flights_.find(id);
  if (it == flights_.end()) return;
  auto t = it->second.targets.find(peer);
  if (t != it->second.targets.end()) t->second = now_ms;
}

void Replicator::UplinkSent(const ChunkId& id, uint64_t now_ms) {
  auto it = flights_.find(id);
  if (it != flights_.end()) it->second.core_sent_ms = now_ms;
}

void Replicator::RestateSent(const ChunkId& id, uint32_t peer) {
  auto it = flights_.find(id);
  if (it == flights_.end()) return;
  Flight& f = it->second;
  if (f.acked.count(peer)) {
    f.restated.insert(peer);  // "do you still hold it?": a restate_nack now means no
  } else if (f.recovering && f.probed.insert(peer).second) {
    m_->Add("replica_probes");
  }
}

int Replicator::OnPutAck(const ChunkId& id, uint32_t holder) {
  auto it = flights_.find(id);
  if (it == flights_.end() || !it->second.asked.count(holder)) {
    m_->Add("put_acks_unasked");
    return 0;
  }
  Flight& f = it->second;
  const bool target = f.targets.erase(holder) != 0;
  if (!f.acked.insert(holder).second) return 0;
  if (!target && f.probed.count(holder)) m_->Add("replicas_found");  // a probe found a copy
  return static_cast<int>(f.acked.size());
}

void Replicator::OnRefusal(const ChunkId& id, uint32_t holder) {
  Flight& f = flights_[id];
  f.targets.erase(holder);
  f.acked.erase(holder);  // a restate found the copy gone
  f.refused.insert(holder);
}

bool Replicator::OnRestateNack(const ChunkId& id, uint32_t holder) {
  auto it = flights_.find(id);
  // Only the answer to a restate sent after the peer's ack says a copy is gone. Anything else
  // answers a probe (sent before any put to that peer, but its answer may come late, even
  // after the peer took a copy and acked): the peer had no copy then, which is no refusal.
  if (it == flights_.end() || it->second.restated.erase(holder) == 0) return false;
  OnRefusal(id, holder);
  return true;
}

void Replicator::OnThrottle(const ChunkId& id, uint64_t retry_after_ms, uint64_t now_ms) {
  // Resend when the core's budget allows, not at the normal timeout: PlanUplink sends once
  // `uplink_timeout_ms` have passed since core_sent_ms, i.e. at now + retry_after.
  uint64_t due = now_ms + std::min<uint64_t>(retry_after_ms, 60000);
  flights_[id].core_sent_ms = due > o_.uplink_timeout_ms ? due - o_.uplink_timeout_ms : 1;
}

std::set<uint32_t> Replicator::Targets(const ChunkId& id) const {
  std::set<uint32_t> out;
  auto it = flights_.find(id);
  if (it != flights_.end()) {
    for (const auto& [peer, sent] : it->second.targets) out.insert(peer);
  }
  return out;
}

std::set<uint32_t> Replicator::Acked(const ChunkId& id) const {
  auto it = flights_.find(id);
  return it == flights_.end() ? std::set<uint32_t>() : it->second.acked;
}

}  // namespace tern::edge
