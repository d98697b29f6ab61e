// Business value of a chunk and where a new chunk starts (issue 13, item 2).
//
// A chunk's business value comes from what the store knows when it arrives: its priority
// class, its record kind, the configured importance of its source, how many results link to
// it and how many anomaly notes it carries. The indicators are weighted by the entropy-weight
// method (an indicator that varies more across the population of chunks carries more
// information and gets more weight) and combined by TOPSIS (closeness to the ideal chunk
// against distance from the anti-ideal one), giving a score in [0,1]. InitialTier() then
// decides the first tier from the score, the thresholds the tiers' residents set, and the
// free room in the hot and warm tiers.
// Thread-safety: free functions are pure; a ValueScorer is immutable after Fit() and may be
// read from many threads at once, but Fit() must not race with readers.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "tern/common/chunk.h"
#include "tern/common/status.h"

namespace tern::tiering {

// The three storage tiers, hottest first.
enum class Tier : uint8_t { kHot = 0, kWarm = 1, kCold = 2 };
inline constexpr int kNumTiers = 3;

// "hot", "warm" or "cold".
const char* TierName(Tier t);

// Alternatives (rows) by indicators (columns), row-major.
struct IndicatorMatrix {
  size_t rows = 0;
  size_t cols = 0;
  std::vector<double> v;  // rows * cols values
  double at(size_t r, size_t c) const { return v[r * cols + c]; }
};

// Whether more of an indicator is better (benefit) or worse (cost).
enum class Direction : uint8_t { kBenefit, kCost };

// Entropy weights of the columns of `m`, summing to 1. Each column is min-max normalised in
// its direction, turned into proportions p_ij = x_ij / sum_i x_ij, its entropy is
// e_j = -sum_i p_ij ln p_ij / ln(rows) (0 ln 0 = 0), and w_j = (1 - e_j) / sum_k (1 - e_k).
// A column that is constant carries no information (weight 0); if every column is constant
// the weights are equal. InvalidArgument if the matrix is empty or ill-shaped, rows < 2, a
// value is not finite, or dirs.size() != cols.
[[nodiscard]] Result<std::vector<double>> EntropyWeights(const IndicatorMatrix& m,
                                                         const std::vector<Direction>& dirs);

// TOPSIS closeness of every row of `m` in [0,1] (1 = the ideal): columns vector-normalised
// (x / sqrt(sum x^2)), weighted, the ideal taking each column's best (max for benefit, min for
// cost) and the anti-ideal its worst; closeness = d- / (d+ + d-), 0.5 when both are 0.
// InvalidArgument on shape errors, non-finite values or weights that are negative.
[[nodiscard]] Result<std::vector<double>> TopsisCloseness(const IndicatorMatrix& m,
                                                          const std::vector<Direction>& dirs,
                                                          const std::vector<double>& weights);

// What the store knows of a new chunk that bears on its business value.
struct ValueFactors {
  Priority priority = Priority::kNormal;
  RecordKind kind = RecordKind::kSamples;
  double source_importance = 0.5;  // configured per source, in [0,1]
  uint32_t linked_results = 0;     // results that name this chunk as a parent
  uint32_t anomaly_notes = 0;      // anomaly notes attached to the chunk
};

inline constexpr size_t kValueIndicators = 5;

// The indicator values of `f` (all benefit indicators): priority urgency (alarm 4 .. bulk 1),
// kind (result 4, event 3, samples 2, blob 1), source importance, log1p(linked results),
// log1p(anomaly notes).
std::array<double, kValueIndicators> ValueIndicators(const ValueFactors& f);

// Scores chunks against a reference population (the chunks the store holds, or a sample).
class ValueScorer {
 public:
  // Computes the entropy weights over `population` and the TOPSIS normalisation, ideal and
  // anti-ideal from it. InvalidArgument if the population has fewer than 2 chunks.
  [[nodiscard]] Status Fit(const std::vector<ValueFactors>& population);

  // The TOPSIS closeness of `f` against the fitted population, clamped to [0,1] (a chunk
  // beyond the population's best in every indicator scores 1). 0.5 before Fit().
  double Score(const ValueFactors& f) const;

  // The entropy weights found by Fit(), one per indicator (equal before Fit()).
  const std::array<double, kValueIndicators>& weights() const { return weights_; }

 private:
  bool fitted_ = false;
  std::array<double, kValueIndicators> weights_{0.2, 0.2, 0.2, 0.2, 0.2};
  std::array<double, kValueIndicators> norm_{};   // column vector norms
  std::array<double, kValueIndicators> best_{};   // weighted, normalised ideal
  std::array<double, kValueIndicators> worst_{};  // weighted, normalised anti-ideal
};

// Where new chunks start. `hot_min` is the lowest value among the hot tier's residents (a low
// quantile, so one outlier does not decide) and `cold_max` the highest among the cold tier's.
struct PlacementThresholds {
  double hot_min = 1.0;
  double cold_max = 0.0;
};

// Free room when a chunk arrives. Fractions are of each tier's capacity.
struct TierRoom {
  uint64_t hot_capacity = 0;
  uint64_t hot_used = 0;
  uint64_t warm_capacity = 0;
  uint64_t warm_used = 0;
  double high_watermark = 0.9;  // a new chunk never takes a tier above this
  double low_watermark = 0.7;   // below this, the hot tier has room to spare
};

// The first tier of a chunk of `bytes` with business value `score`:
//   hot  if score >= hot_min, or score > cold_max while the hot tier is below its low
//        watermark (spare room), provided the chunk keeps the hot tier under its high watermark;
//   cold if score <= cold_max (and it did not go hot), or if the warm tier has no room;
//   warm otherwise.
Tier InitialTier(double score, uint64_t bytes, const PlacementThresholds& th, const TierRoom& room);

}  // namespace tern::tiering
