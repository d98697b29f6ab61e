// Member table and weighted peer draw.
#include "tern/edge/peers.h"

#include <algorithm>

namespace tern::edge {

void PeerTable::Update(const msg::Members& members, uint32_t self) {
  std::map<uint32_t, double> live;
  for (const auto& n : members.nodes) {
    if (n.state == "live" && n.addr != self) live[n.addr] = std::clamp(n.load, 0.0, 1.0);
  }
  std::lock_guard<std::mutex> lk(mu_);
  live_.swap(live);
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
