// Member table, rendezvous peer order and weighted peer draw.
#include "tern/edge/peers.h"

#include <algorithm>

namespace tern::edge {

void PeerTable::Update(const msg::Members& members, uint32_t self) {
  std::map<uint32_t, double> live;
  std::map<uint32_t, std::string> names;
  std::map<uint32_t, Pressure> pressure;
  for (const auto& n : members.nodes) {
    names[n.addr] = n.name;
    if (n.pressure != Pressure::kNormal) pressure[n.addr] = n.pressure;
    // A member without a name cannot be addressed (its topics carry its name); a draining
    // one is being emptied by the core, so it gets no new replicas.
    if (n.state == "live" && !n.draining && n.addr != self && !n.name.empty()) {
      live[n.addr] = std::clamp(n.load, 0.0, 1.0);
    }
  }
  std::lock_guard<std::mutex> lk(mu_);
  live_.swap(live);
  names_.swap(names);
  pressure_.swap(pressure);
  core_ = members.core;
}

std::string PeerTable::NameOf(uint32_t addr) const {
  std::lock_guard<std::mutex> lk(mu_);
  auto it = names_.find(addr);
  return it == names_.end() ? std::string() : it->second;
}

uint32_t PeerTable::AddrOf(const std::string& name) const {
  if (name.empty()) return 0;
  std::lock_guard<std::mutex> lk(mu_);
  for (const auto& [a, n] : names_) {
    if (n == name) return a;
  }
  return 0;
}

std::string PeerTable::core() const {
  std::lock_guard<std::mutex> lk(mu_);
  return core_;
}

bool PeerTable::IsLive(uint32_t addr) const {
  std::lock_guard<std::mutex> lk(mu_);
  return live_.count(addr) > 0;
}

std::set<uint32_t> PeerTable::Refusing(Priority p) const {
  std::lock_guard<std::mutex> lk(mu_);
  std::set<uint32_t> out;
  for (const auto& [addr, level] : pressure_) {
    if (!PressureAdmits(level, p)) out.insert(addr);
  }
  return out;
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

std::vector<uint32_t> PeerTable::Ranked(const placement::Key& key, int n,
                                        const std::set<uint32_t>& exclude) const {
  std::vector<placement::Candidate> cand;
  {
    std::lock_guard<std::mutex> lk(mu_);
    for (const auto& [a, load] : live_) {
      if (!exclude.count(a)) cand.push_back({a, load});
    }
  }
  std::vector<uint32_t> out = placement::Rank(key, cand);
  if (static_cast<int>(out.size()) > n) out.resize(static_cast<size_t>(std::max(n, 0)));
  return out;
}

}  // namespace tern::edge
