// Entropy weights, TOPSIS closeness, the business-value scorer and first placement
// (value_score.h).
#include "tern/tiering/value_score.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace tern::tiering {

const char* TierName(Tier t) {
  switch (t) {
    case Tier::kHot:
      return "hot";
    case Tier::kWarm:
      return "warm";
    case Tier::kCold:
      return "cold";
  }
  return "?";
}

namespace {

Status CheckShape(const IndicatorMatrix& m, const std::vector<Direction>& dirs) {
  if (m.rows == 0 || m.cols == 0 || m.v.size() != m.rows * m.cols) {
    return Status::InvalidArgument("indicator matrix: " + std::to_string(m.rows) + " x " +
                                   std::to_string(m.cols) + " with " + std::to_string(m.v.size()) +
                                   " values");
  }
  if (dirs.size() != m.cols) {
    return Status::InvalidArgument("indicator matrix: " + std::to_string(dirs.size()) +
                                   " directions for " + std::to_string(m.cols) + " columns");
  }
  for (size_t i = 0; i < m.v.size(); ++i) {
    if (!std::isfinite(m.v[i])) {
      return Status::InvalidArgument("indicator matrix: value " + std::to_string(i) +
                                     " is not finite");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<double>> EntropyWeights(const IndicatorMatrix& m,
                                           const std::vector<Direction>& dirs) {
  TERN_RETURN_IF_ERROR(CheckShape(m, dirs));
  if (m.rows < 2) return Status::InvalidArgument("entropy weights need at least 2 rows");
  const double ln_n = std::log(static_cast<double>(m.rows));
  std::vector<double> divergence(m.cols, 0.0);  // 1 - e_j
  for (size_t c = 0; c < m.cols; ++c) {
    double lo = m.at(0, c), hi = m.at(0, c);
    for (size_t r = 1; r < m.rows; ++r) {
      lo = std::min(lo, m.at(r, c));
      hi = std::max(hi, m.at(r, c));
    }
    if (hi - lo <= 0) continue;  // constant: no information
    std::vector<double> x(m.rows);
    double sum = 0;
    for (size_t r = 0; r < m.rows; ++r) {
      const double n = (m.at(r, c) - lo) / (hi - lo);
      x[r] = dirs[c] == Direction::kBenefit ? n : 1.0 - n;
      sum += x[r];
    }
    double e = 0;
    for (size_t r = 0; r < m.rows; ++r) {
      const double p = x[r] / sum;
      if (p > 0) e -= p * std::log(p);
    }
    divergence[c] = 1.0 - e / ln_n;
  }
  double total = 0;
  for (double d : divergence) total += d;
  std::vector<double> w(m.cols, 1.0 / static_cast<double>(m.cols));
  if (total > 0) {
    for (size_t c = 0; c < m.cols; ++c) w[c] = divergence[c] / total;
  }
  return w;
}

Result<std::vector<double>> TopsisCloseness(const IndicatorMatrix& m,
                                            const std::vector<Direction>& dirs,
                                            const std::vector<double>& weights) {
  TERN_RETURN_IF_ERROR(CheckShape(m, dirs));
  if (weights.size() != m.cols) {
    return Status::InvalidArgument("topsis: " + std::to_string(weights.size()) + " weights for " +
                                   std::to_string(m.cols) + " columns");
  }
  for (double w : weights) {
    if (!std::isfinite(w) || w < 0) return Status::InvalidArgument("topsis: a weight is negative");
  }
  std::vector<double> y(m.v.size());
  std::vector<double> best(m.cols), worst(m.cols);
  for (size_t c = 0; c < m.cols; ++c) {
    double ss = 0;
    for (size_t r = 0; r < m.rows; ++r) ss += m.at(r, c) * m.at(r, c);
    const double norm = ss > 0 ? std::sqrt(ss) : 1.0;
    for (size_t r = 0; r < m.rows; ++r) y[r * m.cols + c] = weights[c] * m.at(r, c) / norm;
    double lo = y[c], hi = y[c];
    for (size_t r = 1; r < m.rows; ++r) {
      lo = std::min(lo, y[r * m.cols + c]);
      hi = std::max(hi, y[r * m.cols + c]);
    }
    best[c] = dirs[c] == Direction::kBenefit ? hi : lo;
    worst[c] = dirs[c] == Direction::kBenefit ? lo : hi;
  }
  std::vector<double> out(m.rows);
  for (size_t r = 0; r < m.rows; ++r) {
    double dp = 0, dm = 0;
    for (size_t c = 0; c < m.cols; ++c) {
      const double v = y[r * m.cols + c];
      dp += (v - best[c]) * (v - best[c]);
      dm += (v - worst[c]) * (v - worst[c]);
    }
    dp = std::sqrt(dp);
    dm = std::sqrt(dm);
    out[r] = dp + dm > 0 ? dm / (dp + dm) : 0.5;
  }
  return out;
}

std::array<double, kValueIndicators> ValueIndicators(const ValueFactors& f) {
  double kind = 2;
  switch (f.kind) {
    case RecordKind::kResult:
      kind = 4;
      break;
    case RecordKind::kEvent:
      kind = 3;
      break;
    case RecordKind::kSamples:
      kind = 2;
      break;
    case RecordKind::kBlob:
      kind = 1;
      break;
  }
  return {4.0 - static_cast<double>(f.priority), kind, std::clamp(f.source_importance, 0.0, 1.0),
          std::log1p(static_cast<double>(f.linked_results)),
          std::log1p(static_cast<double>(f.anomaly_notes))};
}

Status ValueScorer::Fit(const std::vector<ValueFactors>& population) {
  if (population.size() < 2) {
    return Status::InvalidArgument("value scorer: a population of " +
                                   std::to_string(population.size()) + " chunks (need 2)");
  }
  IndicatorMatrix m{population.size(), kValueIndicators, {}};
  m.v.reserve(m.rows * m.cols);
  for (const auto& f : population) {
    const auto x = ValueIndicators(f);
    m.v.insert(m.v.end(), x.begin(), x.end());
  }
  const std::vector<Direction> dirs(kValueIndicators, Direction::kBenefit);
  TERN_ASSIGN_OR_RETURN(std::vector<double> w, EntropyWeights(m, dirs));
  for (size_t c = 0; c < kValueIndicators; ++c) {
    double ss = 0, lo = m.at(0, c), hi = m.at(0, c);
    for (size_t r = 0; r < m.rows; ++r) {
      ss += m.at(r, c) * m.at(r, c);
      lo = std::min(lo, m.at(r, c));
      hi = std::max(hi, m.at(r, c));
    }
    weights_[c] = w[c];
    norm_[c] = ss > 0 ? std::sqrt(ss) : 1.0;
    best_[c] = w[c] * hi / norm_[c];
    worst_[c] = w[c] * lo / norm_[c];
  }
  fitted_ = true;
  return Status::Ok();
}

double ValueScorer::Score(const ValueFactors& f) const {
  if (!fitted_) return 0.5;
  const auto x = ValueIndicators(f);
  double dp = 0, dm = 0;
  for (size_t c = 0; c < kValueIndicators; ++c) {
    // Beyond the population's range counts as at its edge, so the score stays in [0,1].
    const double v = std::clamp(weights_[c] * x[c] / norm_[c], worst_[c], best_[c]);
    dp += (v - best_[c]) * (v - best_[c]);
    dm += (v - worst_[c]) * (v - worst_[c]);
  }
  dp = std::sqrt(dp);
  dm = std::sqrt(dm);
  return dp + dm > 0 ? dm / (dp + dm) : 0.5;
}

Tier InitialTier(double score, uint64_t bytes, const PlacementThresholds& th,
                 const TierRoom& room) {
  const auto fits = [&](uint64_t used, uint64_t cap) {
    return static_cast<double>(used + bytes) <= room.high_watermark * static_cast<double>(cap);
  };
  const bool hot_fits = fits(room.hot_used, room.hot_capacity);
  const bool hot_spare = static_cast<double>(room.hot_used) <
                         room.low_watermark * static_cast<double>(room.hot_capacity);
  if (hot_fits && (score >= th.hot_min || (score > th.cold_max && hot_spare))) return Tier::kHot;
  if (score <= th.cold_max) return Tier::kCold;
  return fits(room.warm_used, room.warm_capacity) ? Tier::kWarm : Tier::kCold;
}

}  // namespace tern::tiering
