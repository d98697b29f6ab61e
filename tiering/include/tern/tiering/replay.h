// Replays an access trace over one tiering policy at a fixed hot-tier capacity (issue 13,
// item 4), counting hot hits and bytes migrated, and for the value model how well it predicted
// reads on the held-out last part of the trace.
//
// Policies:
//   - LRU and LFU: a new chunk is written to the hot tier, evicting by the policy's rule
//     (LRU: least recently used; LFU: fewest uses since it entered the hot tier, ties to the
//     least recently used); a read of a chunk outside the hot tier is a miss and promotes it
//     the same way. An evicted chunk goes to warm; when warm passes its high watermark (checked
//     every plan period) its oldest chunks go cold until it is at its low watermark.
//   - value model: a new chunk starts where InitialTier() puts it by its business value
//     (value_score.h); every plan period the migration planner (migration.h) moves chunks by
//     their predicted value (value_model.h). A new chunk that InitialTier() would not put hot
//     still goes hot if its predicted value (which sees its source's recent readers) passes
//     the planner's promotion threshold, and so does a warm or cold chunk at a read that lifts
//     its predicted value past it; either may displace to warm at most max_displace hot
//     residents, lowest predicted value first (as of the last plan, or when they entered hot),
//     each worth at least displace_margin less, and goes hot only if that keeps the hot tier
//     under its high watermark. Before the first training the predicted value is
//     log1p(recent reads), or log1p(1) for an unread chunk whose source the active consumers
//     read lately.
// Training data come from the access log only: every snapshot period a sample of chunks (a third
// read within the horizon, a third written within it, a third from all) has its six factors
// recorded; a sample is labelled log1p(reads in the next horizon) once the
// horizon has passed, and the model is trained at the first snapshot with enough labelled
// samples (at least 50 and 5 per RBF centre), then retrained every retrain period on the
// newest ones. Held-out figures: samples taken in the last holdout_fraction of the trace, each
// predicted when it was taken by a model that had not seen its label (prequential).
// Bytes migrated count every tier change, in both directions. Writing a new chunk is not a
// migration.
// Thread-safety: free functions; safe from any thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "tern/tiering/access_trace.h"
#include "tern/tiering/rbf.h"
#include "tern/tiering/value_score.h"

namespace tern::tiering {

enum class Policy : uint8_t { kValueModel = 0, kLru, kLfu };
const char* PolicyName(Policy p);  // "value_model", "lru", "lfu"

struct ReplayConfig {
  uint64_t hot_capacity = 0;  // bytes; 0: hot_fraction of the trace's bytes
  double hot_fraction = 0.05;
  uint64_t warm_capacity = 0;  // bytes; 0: warm_fraction of the trace's bytes
  double warm_fraction = 0.25;
  double high_watermark = 0.95;
  double low_watermark = 0.85;
  uint32_t plan_minutes = 10;
  size_t max_moves = 256;  // the migration queue bound, per plan
  // Value model, placement and promotion outside a plan: the hot residents one chunk may
  // displace, and how much less each must be worth than that chunk.
  size_t max_displace = 8;
  double displace_margin = 0.25;  // the planner's promote_margin
  double retrain_hours = 24;
  double horizon_hours = 6;
  double recent_half_life_hours = 6;
  double active_window_hours = 24;  // consumers active in this window count as "recent"
  uint32_t snapshot_minutes = 60;
  size_t snapshot_samples = 200;
  size_t max_training = 3000;
  double holdout_fraction = 0.25;
  RbfConfig rbf;
  uint64_t seed = 1;  // snapshot sampling
};

// Predictions against what happened, on the held-out samples (targets are log1p(reads)).
struct HeldOut {
  size_t samples = 0;
  double rmse_model = 0;
  double rmse_mean = 0;    // predicting the training targets' mean
  double rmse_recent = 0;  // predicting the reads of the horizon before (persistence)
  double correlation = 0;  // Pearson, model against actual
};

struct ReplayResult {
  Policy policy = Policy::kValueModel;
  uint64_t hot_capacity = 0;
  uint64_t reads = 0;
  uint64_t hot_hits = 0;
  std::array<uint64_t, kNumTiers> reads_by_tier{};
  std::array<uint64_t, kNumPatterns> pattern_reads{};
  std::array<uint64_t, kNumPatterns> pattern_hits{};
  std::array<uint64_t, kNumTiers> written_bytes{};  // where new chunks started
  uint64_t bytes_promoted = 0;                      // into hot
  uint64_t bytes_demoted = 0;                       // out of hot
  uint64_t bytes_archived = 0;                      // warm to cold
  uint64_t moves = 0;
  uint64_t peak_hot_bytes = 0;     // the most the hot tier held at any moment
  std::vector<Tier> tier_of_read;  // the tier that served each read of the trace
  size_t trainings = 0;
  double training_seconds = 0;  // wall time of all trainings
  HeldOut heldout;

  double hit_rate() const {
    return reads ? static_cast<double>(hot_hits) / static_cast<double>(reads) : 0.0;
  }
  uint64_t bytes_migrated() const { return bytes_promoted + bytes_demoted + bytes_archived; }
};

// Replays `trace` over `policy`. InvalidArgument if a capacity comes out as 0, the watermarks
// are not 0 < low < high <= 1, or a period is 0.
[[nodiscard]] Result<ReplayResult> Replay(const AccessTrace& trace, Policy policy,
                                          const ReplayConfig& cfg);

}  // namespace tern::tiering
