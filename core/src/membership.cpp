// Membership: see membership.h.
#include "membership.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "tern/common/dispatch.h"
#include "tern/common/placement.h"

namespace tern::core {

std::string_view NodeStateName(NodeState s) {
  switch (s) {
    case NodeState::kLive:
      return "live";
    case NodeState::kSuspect:
      return "suspect";
    case NodeState::kOffline:
      return "offline";
    case NodeState::kDead:
      return "dead";
    case NodeState::kUnknown:
      break;
  }
  return "unknown";
}

bool Membership::Add(uint32_t addr, const std::string& name) {
  auto [it, added] = members_.try_emplace(addr);
  if (!added && it->second.name != name) by_name_.erase(it->second.name);
  it->second.name = name;
  by_name_[name] = addr;
  if (added) dirty_ = true;
  return added;
}

bool Membership::SetDraining(uint32_t addr, bool draining) {
  auto it = members_.find(addr);
  if (it == members_.end()) return false;
  if (it->second.draining != draining) dirty_ = true;
  it->second.draining = draining;
  return true;
}

bool Membership::Remove(uint32_t addr) {
  auto it = members_.find(addr);
  if (it == members_.end()) return false;
  by_name_.erase(it->second.name);
  members_.erase(it);
  dirty_ = true;
  return true;
}

void Membership::SetKey(uint32_t addr, const crypto::PublicKey& key) {
  auto it = members_.find(addr);
  if (it == members_.end() || it->second.key == key) return;
  it->second.key = key;
  dirty_ = true;
}

const crypto::PublicKey* Membership::KeyOf(const std::string& name) const {
  const Member* m = Find(AddrOf(name));
  return m && !m->key.empty() ? &m->key : nullptr;
}

const Member* Membership::Find(uint32_t addr) const {
  auto it = members_.find(addr);
  return it == members_.end() ? nullptr : &it->second;
}

std::string Membership::NameOf(uint32_t addr) const {
  const Member* m = Find(addr);
  return m ? m->name : std::to_string(addr);
}

std::optional<StateChange> Membership::Move(uint32_t addr, Member& mb, NodeState to) {
  if (mb.state == to) return std::nullopt;
  StateChange c{addr, mb.name, mb.state, to};
  mb.state = to;
  dirty_ = true;
  return c;
}

std::optional<StateChange> Membership::OnHeartbeat(uint32_t addr, const msg::Heartbeat& hb,
                                                   uint64_t now_ms) {
  auto it = members_.find(addr);
  if (it == members_.end()) return std::nullopt;
  Member& mb = it->second;
  const double used = static_cast<double>(hb.used), cap = static_cast<double>(hb.capacity);
  mb.load = std::clamp(0.5 * hb.cpu + 0.5 * (cap > 0 ? used / cap : 0.5), 0.0, 1.0);
  mb.placement_load =
      mb.last_hb_ms == 0 ? mb.load : placement::StickyLoad(mb.placement_load, mb.load);
  mb.cpu = std::clamp(hb.cpu, 0.0, 1.0);
  mb.last_hb_ms = now_ms;
  mb.last_hb_wall_ms = hb.wall_ms;
  mb.zone = hb.zone;
  mb.used = hb.used;
  mb.capacity = hb.capacity;
  mb.outbox_chunks = hb.queue;
  mb.outbox_bytes = hb.outbox_bytes;
  mb.dedup_saved = hb.dedup_saved;
  if (!hb.counters.empty()) mb.counters = hb.counters;
  if (hb.disk_full && !mb.disk_full) {
    spdlog::warn("core: node {} ({}) reports its data disk full", addr, mb.name);
  } else if (!hb.disk_full && mb.disk_full) {
    spdlog::info("core: node {} ({}) reports its data disk writable again", addr, mb.name);
  }
  mb.disk_full = hb.disk_full;
  if (hb.pressure != mb.pressure) {
    // The member list carries it: every node places new copies by it at once.
    const bool up = static_cast<int>(hb.pressure) > static_cast<int>(mb.pressure);
    spdlog::log(up ? spdlog::level::warn : spdlog::level::info,
                "core: node {} ({}) disk pressure {} -> {}{}", addr, mb.name,
                PressureName(mb.pressure), PressureName(hb.pressure),
                hb.pressure == Pressure::kNoBulk       ? ": bulk copies go elsewhere"
                : hb.pressure == Pressure::kAlarmsOnly ? ": only alarm copies go to it"
                                                       : "");
    mb.pressure = hb.pressure;
    dirty_ = true;
  }
  auto c = Move(addr, mb, NodeState::kLive);
  if (c) spdlog::info("core: node {} ({}) {} -> {}", addr, c->name, NodeStateName(c->from), "live");
  return c;
}

std::optional<StateChange> Membership::OnOffline(uint32_t addr) {
  auto it = members_.find(addr);
  if (it == members_.end()) return std::nullopt;
  auto c = Move(addr, it->second, NodeState::kOffline);
  if (c) spdlog::info("core: node {} ({}) {} -> offline", addr, c->name, NodeStateName(c->from));
  return c;
}

std::vector<StateChange> Membership::CheckLiveness(uint64_t now_ms) {
  std::vector<StateChange> out;
  for (auto& [addr, mb] : members_) {
    // The commit worker takes `now_ms` at the start of its turn, and a heartbeat handled in
    // that same turn is stamped later: a heartbeat "from the future" means no silence at all
    // (unsigned subtraction would make it ~2^64 ms of silence and flap the node to suspect).
    if (mb.state == NodeState::kUnknown && mb.last_hb_ms == 0) {
      mb.last_hb_ms = now_ms;  // registered but never heard: its silence starts now
      continue;
    }
    const uint64_t silent = now_ms > mb.last_hb_ms ? now_ms - mb.last_hb_ms : 0;
    NodeState next = mb.state;
    if (mb.state == NodeState::kLive && silent > suspect_after_ms_) next = NodeState::kSuspect;
    // A goodbye (offline) is not forever: silent past dead_after, a node is dead either way.
    // So is a registered node not heard from since the core started (it may have died while
    // the core was down): otherwise its copies would never be repaired.
    if ((mb.state == NodeState::kSuspect || mb.state == NodeState::kOffline ||
         mb.state == NodeState::kUnknown) &&
        silent > dead_after_ms_) {
      next = NodeState::kDead;
    }
    if (auto c = Move(addr, mb, next)) {
      spdlog::warn("core: node {} ({}) {} -> {} (no heartbeat for {} ms)", addr, c->name,
                   NodeStateName(c->from), NodeStateName(c->to), silent);
      out.push_back(std::move(*c));
    }
  }
  return out;
}

void Membership::RestartClocks(uint64_t now_ms) {
  for (auto& [addr, mb] : members_) mb.last_hb_ms = now_ms;
  dirty_ = true;
}

bool Membership::Gone(uint32_t addr) const {
  const Member* m = Find(addr);
  return !m || m->state == NodeState::kOffline || m->state == NodeState::kDead;
}

std::vector<uint32_t> Membership::ChooseStores(uint32_t prefer, const std::set<uint32_t>& exclude,
                                               size_t n, Priority priority) const {
  std::vector<std::pair<double, uint32_t>> cand;
  for (const auto& [addr, mb] : members_) {
    if (mb.state != NodeState::kLive || mb.draining || exclude.count(addr)) continue;
    if (!PressureAdmits(mb.pressure, priority)) continue;
    cand.emplace_back(addr == prefer ? -1.0 : mb.load, addr);  // the data's own edge first
  }
  std::sort(cand.begin(), cand.end());
  std::vector<uint32_t> out;
  for (size_t i = 0; i < cand.size() && out.size() < n; ++i) out.push_back(cand[i].second);
  return out;
}

msg::Members Membership::ToMessage() const {
  msg::Members m;
  m.core = core_name_;
  m.epoch = epoch_;
  for (const auto& [addr, mb] : members_) {
    m.nodes.push_back({addr, mb.name, std::string(NodeStateName(mb.state)), mb.placement_load,
                       mb.key.empty() ? std::string() : mb.key.Hex(), mb.draining, mb.pressure});
  }
  return m;
}

nlohmann::json Membership::ToStatusJson() const {
  auto j = nlohmann::json::array();
  for (const auto& [addr, mb] : members_) {
    j.push_back(
        {{"addr", addr},
         {"name", mb.name},
         {"state", std::string(NodeStateName(mb.state))},
         {"load", mb.load},
         {"cpu", mb.cpu},
         {"zone", mb.zone},
         {"disk_full", mb.disk_full},
         {"pressure", PressureName(mb.pressure)},
         {"draining", mb.draining},
         {"outbox_chunks",
          mb.outbox_chunks < 0 ? nlohmann::json() : nlohmann::json(mb.outbox_chunks)},
         {"outbox_bytes", mb.outbox_bytes < 0 ? nlohmann::json() : nlohmann::json(mb.outbox_bytes)},
         {"counters", mb.counters}});
    // The store's fill for /metrics (tern_edge_store_*_bytes; capacity 0: not said).
    j.back()["used"] = mb.used;
    j.back()["capacity"] = mb.capacity;
    // Bytes the node's store saves by dedup (null: its heartbeats do not say).
    j.back()["dedup_saved_bytes"] =
        mb.dedup_saved < 0 ? nlohmann::json() : nlohmann::json(mb.dedup_saved);
  }
  return j;
}

uint8_t Membership::LiveMask() const {
  uint8_t live = 0;
  int n = 0;
  for (const auto& [addr, mb] : members_) {
    if (mb.state == NodeState::kLive && n < 8) live = static_cast<uint8_t>(live | (1u << n));
    ++n;
  }
  return live;
}

int Membership::StoreFillPermille() const {
  int64_t used = 0, capacity = 0;
  for (const auto& [addr, mb] : members_) {
    if (mb.state == NodeState::kDead || mb.capacity <= 0) continue;
    used += mb.used;
    capacity += mb.capacity;
  }
  if (capacity <= 0) return -1;
  return static_cast<int>(std::clamp<int64_t>(used * 1000 / capacity, 0, 1000));
}

bool Membership::AnyDown() const {
  return std::any_of(members_.begin(), members_.end(), [](const auto& e) {
    return e.second.state == NodeState::kDead || e.second.state == NodeState::kOffline;
  });
}

bool StatedByHolder(const Membership& members, Metrics& m, const char* kind, uint32_t holder,
                    uint32_t from, const std::string& topic) {
  if (from == 0 || !members.Contains(from)) {
    m.Add("refused_unknown_sender");
    msg::Reject(m, "core", "stored", std::string(kind) + " from an unregistered node on " + topic);
    return false;
  }
  if (holder != from) {
    m.Add("refused_wrong_holder");
    msg::Reject(m, "core", "stored",
                std::string(kind) + " names holder " + std::to_string(holder) + " but " +
                    members.NameOf(from) + " (" + std::to_string(from) + ") sent it on " + topic);
    return false;
  }
  return true;
}

}  // namespace tern::core
