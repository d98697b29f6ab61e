// The migration planner: which chunks change tier, given every chunk's predicted value and
// the tiers' capacities (issue 13, item 3). Pure planning: the caller supplies the state, the
// planner returns moves; it keeps only its adaptive thresholds between calls.
//
// One Plan():
//   1. demotion: while a tier (hot, then warm) is above its high watermark, its unpinned
//      chunks with the lowest predicted value (those furthest below the tier) move one tier
//      down, until the tier is at or below its low watermark;
//   2. promotion: warm and cold chunks whose predicted value passes the promotion threshold
//      move to hot, best first, while they fit under the hot tier's high watermark; a chunk
//      that does not fit may displace hot chunks worth at least `promote_margin` less;
//   3. the moves form a bounded queue: at most max_moves per plan, demotions first; a chunk
//      moves at most once per plan and a pinned chunk (e.g. the last copy, not yet expired)
//      never moves;
//   4. the thresholds adapt to the plan's moves: the promotion threshold follows the value of
//      the best chunk the hot tier gave up (or, with no demotion, its lowest resident), and
//      the cold threshold the best chunk the warm tier gave up, each as an exponential moving
//      average with weight `adapt`.
// Thread-safety: not synchronised; one thread at a time.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "tern/tiering/value_score.h"

namespace tern::tiering {

struct TierLimits {
  uint64_t capacity = 0;  // bytes
  double high_watermark = 0.9;
  double low_watermark = 0.75;
};

struct PlannerConfig {
  TierLimits hot;
  TierLimits warm;               // the cold tier is unbounded
  size_t max_moves = 256;        // the queue bound, per plan
  double promote_margin = 0.25;  // hysteresis between promotion and displacement
  double adapt = 0.3;            // EMA weight of the last plan's migrations
  double initial_promote = 1.0;  // thresholds before any migration
  double initial_cold = 0.0;
};

// One chunk as the planner sees it.
struct ChunkState {
  uint64_t id = 0;
  uint64_t bytes = 0;
  Tier tier = Tier::kHot;
  double value = 0;     // predicted value
  bool pinned = false;  // must stay where it is
};

struct Move {
  uint64_t id = 0;
  Tier from = Tier::kHot;
  Tier to = Tier::kWarm;
  uint64_t bytes = 0;
  double value = 0;
};

class MigrationPlanner {
 public:
  explicit MigrationPlanner(const PlannerConfig& cfg);

  // The moves for this state, in the order to run them (see the file comment), and adapts
  // the thresholds to them. Chunks may come in any order; ids must be unique.
  std::vector<Move> Plan(const std::vector<ChunkState>& chunks);

  // Where a chunk of predicted value `value` belongs under the current thresholds: hot above
  // the promotion threshold, cold at or below the cold threshold, warm between.
  Tier TargetTier(double value) const;

  double promote_threshold() const { return promote_; }
  double cold_threshold() const { return cold_; }
  const PlannerConfig& config() const { return cfg_; }

 private:
  PlannerConfig cfg_;
  double promote_;
  double cold_;
};

// Bytes per tier of `chunks`.
std::array<uint64_t, kNumTiers> TierUse(const std::vector<ChunkState>& chunks);

}  // namespace tern::tiering
