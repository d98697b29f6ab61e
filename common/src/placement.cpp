// Weighted rendezvous ranking: see placement.h.
#include "tern/common/placement.h"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "tern/common/hlc.h"

namespace tern::placement {
namespace {

// FNV-1a over the key's bytes, then a splitmix64 finaliser: cheap, and the same on every
// platform and build (the edges and the core must agree on every score).
uint64_t Mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

uint64_t Hash(const Key& key, uint32_t addr) {
  uint64_t h = 0xCBF29CE484222325ull;
  auto feed = [&h](uint8_t b) {
    h ^= b;
    h *= 0x100000001B3ull;
  };
  for (char c : key.group) feed(static_cast<uint8_t>(c));
  feed(0);  // the group ends here: ("ab", 1) and ("a", ...) never feed the same bytes
  for (int i = 0; i < 8; ++i) feed(static_cast<uint8_t>(key.window >> (8 * i)));
  for (int i = 0; i < 4; ++i) feed(static_cast<uint8_t>(addr >> (8 * i)));
  return Mix(h);
}

}  // namespace

uint64_t WindowOf(uint64_t t_first, uint64_t window_ms) {
  return HybridClock::PhysicalMs(t_first) / (window_ms == 0 ? kDefaultWindowMs : window_ms);
}

Key KeyOf(const std::string& group, const std::string& source, uint64_t t_first,
          uint64_t window_ms) {
  return Key{group.empty() ? source : group, WindowOf(t_first, window_ms)};
}

int LoadLevel(double load) {
  if (!(load >= 0)) load = 0;  // NaN too
  return std::min(3, static_cast<int>(load * 4));
}

double Weight(double load) { return 1.0 - 0.25 * LoadLevel(load); }

double StickyLoad(double placed, double now) {
  const int from = LoadLevel(placed), to = LoadLevel(now);
  if (from == to) return now;
  // The boundary crossed: the lower edge of the new level going up, its upper edge going down.
  const double boundary = 0.25 * (to > from ? to : to + 1);
  return std::abs(now - boundary) < kLoadHysteresis ? placed : now;
}

double Score(const Key& key, uint32_t addr, double load) {
  // u uniform in (0, 1) from the top 53 bits; -w / ln(u) is the weighted rendezvous score
  // (a store of weight w wins a share w / sum(w) of the keys).
  const double u = (static_cast<double>(Hash(key, addr) >> 11) + 0.5) / 9007199254740992.0;
  return -Weight(load) / std::log(u);
}

std::vector<uint32_t> Rank(const Key& key, const std::vector<Candidate>& candidates) {
  std::vector<std::pair<double, uint32_t>> scored;
  scored.reserve(candidates.size());
  for (const Candidate& c : candidates) scored.emplace_back(Score(key, c.addr, c.load), c.addr);
  std::sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) {
    return std::tie(b.first, a.second) < std::tie(a.first, b.second);
  });
  std::vector<uint32_t> out;
  out.reserve(scored.size());
  for (const auto& [score, addr] : scored) out.push_back(addr);
  return out;
}

}  // namespace tern::placement
