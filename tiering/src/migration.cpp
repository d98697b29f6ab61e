// Watermark-driven demotion, threshold promotion and adaptive thresholds (migration.h).
#include "tern/tiering/migration.h"

#include <algorithm>
#include <limits>

namespace tern::tiering {

std::array<uint64_t, kNumTiers> TierUse(const std::vector<ChunkState>& chunks) {
  std::array<uint64_t, kNumTiers> use{};
  for (const auto& c : chunks) use[static_cast<size_t>(c.tier)] += c.bytes;
  return use;
}

MigrationPlanner::MigrationPlanner(const PlannerConfig& cfg)
    : cfg_(cfg), promote_(cfg.initial_promote), cold_(cfg.initial_cold) {}

Tier MigrationPlanner::TargetTier(double value) const {
  if (value >= promote_) return Tier::kHot;
  if (value <= cold_) return Tier::kCold;
  return Tier::kWarm;
}

namespace {

double Level(const TierLimits& t, double mark) { return mark * static_cast<double>(t.capacity); }

}  // namespace

std::vector<Move> MigrationPlanner::Plan(const std::vector<ChunkState>& chunks) {
  auto use = TierUse(chunks);
  std::vector<Move> moves;
  std::vector<char> moved(chunks.size(), 0);
  // Indexes of the unpinned chunks of a tier, lowest value first.
  const auto by_value = [&](Tier t) {
    std::vector<size_t> idx;
    for (size_t i = 0; i < chunks.size(); ++i) {
      if (chunks[i].tier == t && !chunks[i].pinned) idx.push_back(i);
    }
    std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
      return chunks[a].value != chunks[b].value ? chunks[a].value < chunks[b].value
                                                : chunks[a].id < chunks[b].id;
    });
    return idx;
  };
  const auto move = [&](size_t i, Tier to) {
    const ChunkState& c = chunks[i];
    moves.push_back({c.id, c.tier, to, c.bytes, c.value});
    moved[i] = 1;
    use[static_cast<size_t>(c.tier)] -= c.bytes;
    use[static_cast<size_t>(to)] += c.bytes;
  };
  const auto full = [&] { return moves.size() >= cfg_.max_moves; };

  // 1. Demotion, hot then warm.
  double hot_gave_up = -std::numeric_limits<double>::infinity();
  double warm_gave_up = hot_gave_up;
  std::vector<size_t> hot_low = by_value(Tier::kHot);
  for (Tier t : {Tier::kHot, Tier::kWarm}) {
    const TierLimits& lim = t == Tier::kHot ? cfg_.hot : cfg_.warm;
    const size_t ti = static_cast<size_t>(t);
    if (static_cast<double>(use[ti]) <= Level(lim, lim.high_watermark)) continue;
    const std::vector<size_t> order = t == Tier::kHot ? hot_low : by_value(t);
    for (size_t i : order) {
      if (full() || static_cast<double>(use[ti]) <= Level(lim, lim.low_watermark)) break;
      if (moved[i]) continue;
      double& gave_up = t == Tier::kHot ? hot_gave_up : warm_gave_up;
      gave_up = std::max(gave_up, chunks[i].value);
      move(i, t == Tier::kHot ? Tier::kWarm : Tier::kCold);
    }
  }

  // 2. Promotion, best first; a candidate that does not fit may displace cheaper hot chunks.
  std::vector<size_t> cand;
  for (size_t i = 0; i < chunks.size(); ++i) {
    const ChunkState& c = chunks[i];
    if (c.tier != Tier::kHot && !c.pinned && !moved[i] && c.value > promote_) cand.push_back(i);
  }
  std::sort(cand.begin(), cand.end(), [&](size_t a, size_t b) {
    return chunks[a].value != chunks[b].value ? chunks[a].value > chunks[b].value
                                              : chunks[a].id < chunks[b].id;
  });
  const double hot_high = Level(cfg_.hot, cfg_.hot.high_watermark);
  size_t victim = 0;  // next in hot_low to consider for displacement
  for (size_t i : cand) {
    if (full()) break;
    const ChunkState& c = chunks[i];
    if (static_cast<double>(use[0] + c.bytes) <= hot_high) {
      move(i, Tier::kHot);
      continue;
    }
    // Displace: the cheapest hot chunks worth at least promote_margin less, if they make room
    // and the queue holds the whole swap.
    std::vector<size_t> out;
    uint64_t freed = 0;
    size_t v = victim;
    while (static_cast<double>(use[0] - freed + c.bytes) > hot_high && v < hot_low.size()) {
      const size_t h = hot_low[v++];
      if (moved[h]) continue;
      if (chunks[h].value + cfg_.promote_margin > c.value) break;
      out.push_back(h);
      freed += chunks[h].bytes;
    }
    if (static_cast<double>(use[0] - freed + c.bytes) > hot_high ||
        moves.size() + out.size() + 1 > cfg_.max_moves) {
      break;  // later candidates are worth less: none of them would displace more
    }
    for (size_t h : out) {
      hot_gave_up = std::max(hot_gave_up, chunks[h].value);
      move(h, Tier::kWarm);
    }
    victim = v;
    move(i, Tier::kHot);
  }

  // 3. Thresholds follow the last migrations.
  double hot_floor = hot_gave_up;
  if (hot_floor == -std::numeric_limits<double>::infinity()) {
    for (size_t i : hot_low) {
      if (!moved[i]) {
        hot_floor = chunks[i].value;  // the lowest hot resident
        break;
      }
    }
  }
  if (hot_floor > -std::numeric_limits<double>::infinity()) {
    promote_ = (1 - cfg_.adapt) * promote_ + cfg_.adapt * hot_floor;
  }
  if (warm_gave_up > -std::numeric_limits<double>::infinity()) {
    cold_ = (1 - cfg_.adapt) * cold_ + cfg_.adapt * warm_gave_up;
  }
  cold_ = std::min(cold_, promote_);
  return moves;
}

}  // namespace tern::tiering
