// PlacementBook: see placement_book.h.
#include "placement_book.h"

#include <algorithm>
#include <iterator>

#include "tern/common/hlc.h"

namespace tern::core {

void PlacementBook::OnHeartbeat(uint32_t addr, const msg::Heartbeat& hb) {
  Origin& o = origins_[addr];
  o.window_ms = hb.placement_window_ms == 0 ? placement::kDefaultWindowMs : hb.placement_window_ms;
  o.groups = hb.groups;
}

uint64_t PlacementBook::WindowOf(uint32_t origin) const {
  auto it = origins_.find(origin);
  return it == origins_.end() ? placement::kDefaultWindowMs : it->second.window_ms;
}

std::vector<std::pair<uint32_t, std::string>> PlacementBook::SourcesOf(
    const std::string& group) const {
  std::vector<std::pair<uint32_t, std::string>> out;
  for (const auto& [addr, o] : origins_) {
    for (const auto& [source, g] : o.groups) {
      if (g == group) out.emplace_back(addr, source);
    }
  }
  return out;
}

placement::Key PlacementBook::KeyOf(const ChunkRecord& r) const {
  auto it = origins_.find(r.origin);
  if (it == origins_.end()) return placement::KeyOf("", r.source, r.t_first, 0);
  auto g = it->second.groups.find(r.source);
  return placement::KeyOf(g == it->second.groups.end() ? std::string() : g->second, r.source,
                          r.t_first, it->second.window_ms);
}

PlacementQuality PlacementBook::Measure(const std::vector<ChunkRecord>& all,
                                        const std::function<bool(uint32_t)>& good, int copies,
                                        uint32_t core_addr, uint64_t now_wall_ms,
                                        uint64_t period_ms) const {
  struct Window {
    int chunks = 0;
    std::vector<uint32_t> common;  // good holders of every chunk so far, ascending
  };
  std::map<placement::Key, Window> windows;
  const uint64_t since = now_wall_ms > period_ms ? now_wall_ms - period_ms : 0;
  for (const ChunkRecord& r : all) {
    if (!r.acked || r.origin == core_addr || HybridClock::PhysicalMs(r.t_first) < since) continue;
    std::vector<uint32_t> held;
    for (uint32_t h : r.holders) {
      if (good(h)) held.push_back(h);
    }
    std::sort(held.begin(), held.end());
    Window& w = windows[KeyOf(r)];
    if (w.chunks++ == 0) {
      w.common = std::move(held);
    } else {
      std::vector<uint32_t> both;
      std::set_intersection(w.common.begin(), w.common.end(), held.begin(), held.end(),
                            std::back_inserter(both));
      w.common = std::move(both);
    }
  }
  PlacementQuality q;
  q.period_ms = period_ms;
  const size_t need = static_cast<size_t>(std::max(copies - 1, 1));
  for (const auto& [key, w] : windows) {
    if (w.chunks < 2) continue;  // one chunk is together with itself: nothing to judge
    ++q.windows;
    if (w.common.size() >= need) ++q.colocated;
  }
  return q;
}

}  // namespace tern::core
