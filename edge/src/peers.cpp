// Member table and weighted peer draw.
#include "tern/edge/peers.h"

#include "tern/common/protocol.h"

namespace tern::edge {

Status PeerTable::Update(const nlohmann::json& j, uint32_t self) {
  if (j.value("type", "") != "members") return Status::InvalidArgument("not a members message");
  auto nodes = j.find("nodes");
  if (nodes == j.end() || !nodes->is_array()) {
    return Status::InvalidArgument("members: field 'nodes' missing or not an array");
  }
  std::map<uint32_t, double> live;
  for (const auto& n : *nodes) {
    if (!n.is_object()) return Status::InvalidArgument("members: node entry is not an object");
    auto addr = FieldU64(n, "addr");
    if (!addr.ok() || *addr == 0 || *addr > 0xFFFFFFFFu) {
      return Status::InvalidArgument("members: bad 'addr'");
    }
    auto state = FieldString(n, "state", 16);
    if (!state.ok()) return state.status();
    double load = n.contains("load") && n["load"].is_number() ? n["load"].get<double>() : 0.5;
    if (*state == "live" && *addr != self) live[static_cast<uint32_t>(*addr)] = std::clamp(load, 0.0, 1.0);
  }
  std::lock_guard<std::mutex> lk(mu_);
  live_.swap(live);
  return Status::Ok();
}

bool PeerTable::IsLive(uint32_t addr) const {
  std::lock_guard<std::mutex> lk(mu_);
  return live_.count(addr) > 0;
}

int PeerTable::LiveCount() const {
  std::lock_guard<std::mutex> lk(mu_);
  return static_cast<int>(live_.size());
}

std::vector<uint32_t> PeerTable::Choose(int n, const std::set<uint32_t>& exclude,
                                        std::mt19937_64& rng) const {
  std::vector<std::pair<uint32_t, double>> cand;
  {
    std::lock_guard<std::mutex> lk(mu_);
    for (const auto& [a, load] : live_) {
      if (!exclude.count(a)) cand.emplace_back(a, 1.0 / (0.05 + load));
    }
  }
  std::vector<uint32_t> out;
  while (static_cast<int>(out.size()) < n && !cand.empty()) {
    double total = 0;
    for (const auto& c : cand) total += c.second;
    double x = std::uniform_real_distribution<double>(0, total)(rng);
    size_t i = 0;
    for (; i + 1 < cand.size() && x >= cand[i].second; ++i) x -= cand[i].second;
    out.push_back(cand[i].first);
    cand.erase(cand.begin() + static_cast<std::ptrdiff_t>(i));
  }
  return out;
}

}  // namespace tern::edge
