// ResultPlacer: see result_placer.h.
#include "result_placer.h"

#include <algorithm>

namespace tern::core {

void ResultPlacer::Add(const ChunkId& id, std::string wire, uint32_t prefer) {
  Placing& p = placing_[id];
  p.wire = std::move(wire);
  p.prefer = prefer;
}

void ResultPlacer::Recover(const ChunkId& id, std::string wire) {
  Placing& p = placing_[id];
  p.wire = std::move(wire);
  p.recovered = true;
}

void ResultPlacer::OnPutNack(const msg::PutNack& n) {
  auto it = placing_.find(n.id);
  if (it == placing_.end()) return;
  it->second.targets.erase(n.holder);
  it->second.refused.insert(n.holder);
  m_->Add("result_refusals");
}

bool ResultPlacer::Due(const Placing& p, uint64_t now_ms) const {
  return p.targets.size() < copies_ ||
         std::any_of(p.targets.begin(), p.targets.end(), [&](const auto& t) {
           return t.second == 0 || now_ms - t.second >= timeout_ms_;
         });
}

std::vector<Outgoing> ResultPlacer::Tick(uint64_t now_ms, const Membership& members,
                                         const HoldersOf& holders_of) {
  std::vector<Outgoing> out;
  for (auto& [id, p] : placing_) {
    if (p.recovered) {
      // Copies may already sit in stores whose `stored` notices never arrived. Every
      // registered store is asked, whatever we know of it yet: right after a restart nobody's
      // heartbeat has arrived.
      for (const auto& [addr, mb] : members.members()) {
        out.push_back({topics_.Down(mb.name), msg::Restate{id, core_addr_}.Encode()});
      }
      p.recovered = false;
      p.hold_until_ms = now_ms + kRestateHoldMs;
      continue;
    }
    if (now_ms < p.hold_until_ms || !Due(p, now_ms)) continue;
    SendCopies(id, p, now_ms, members, holders_of, out);
  }
  return out;
}

// The puts go out after the commit, so no store ever holds a result the core's database
// does not know.
void ResultPlacer::SendCopies(const ChunkId& id, Placing& p, uint64_t now_ms,
                              const Membership& members, const HoldersOf& holders_of,
                              std::vector<Outgoing>& out) {
  const std::vector<uint32_t> listed = holders_of(id);
  const std::set<uint32_t> have(listed.begin(), listed.end());
  for (uint32_t h : have) p.targets.emplace(h, now_ms);  // already there: counts as placed
  for (auto it = p.targets.begin(); it != p.targets.end();) {
    bool drop = members.Gone(it->first) && !have.count(it->first);
    it = drop ? p.targets.erase(it) : std::next(it);
  }
  if (p.targets.size() < copies_) {
    std::set<uint32_t> exclude = p.refused;
    for (const auto& [t, sent] : p.targets) exclude.insert(t);
    auto view = DecodeChunk(p.wire);  // its class: stores under disk pressure may refuse it
    const Priority prio = view.ok() ? view->header.priority : Priority::kNormal;
    for (uint32_t st : members.ChooseStores(p.prefer, exclude, copies_ - p.targets.size(), prio)) {
      p.targets[st] = 0;
    }
  }
  for (auto& [store, sent] : p.targets) {
    if (have.count(store)) continue;
    if (sent != 0 && now_ms - sent < timeout_ms_) continue;
    if (sent != 0) m_->Add("result_resends");
    out.push_back({topics_.Put(members.core_name(), members.NameOf(store)),
                   EncodeEnvelope(EnvelopeType::kPut, core_addr_, 0, id,
                                  sealer_ ? sealer_->SignChunk(id) : std::string(), p.wire)});
    sent = now_ms;
  }
}

}  // namespace tern::core
