// The six migration factors and the value model over the RBF network (value_model.h).
#include "tern/tiering/value_model.h"

#include <algorithm>
#include <cmath>

namespace tern::tiering {

std::array<double, kMigrationFactors> FactorVector(const MigrationFactors& f) {
  return {
      std::log2(std::max(1.0, f.bytes)),           std::log1p(std::max(0.0, f.hours_since_access)),
      std::log1p(std::max(0.0, f.recent_reads)),   std::log1p(std::max(0.0, f.bytes_read) / 1024.0),
      std::clamp(f.consumer_similarity, 0.0, 1.0), std::clamp(f.business_value, 0.0, 1.0)};
}

Status ValueModel::Train(const std::vector<MigrationFactors>& factors,
                         const std::vector<double>& y) {
  Points x{factors.size(), kMigrationFactors, {}};
  x.v.reserve(factors.size() * kMigrationFactors);
  for (const auto& f : factors) {
    const auto v = FactorVector(f);
    x.v.insert(x.v.end(), v.begin(), v.end());
  }
  RbfConfig cfg = cfg_;
  cfg.seed = cfg_.seed + trainings_;
  TERN_ASSIGN_OR_RETURN(RbfNetwork net, RbfNetwork::Train(x, y, cfg));
  net_ = std::move(net);
  ++trainings_;
  return Status::Ok();
}

std::optional<double> ValueModel::Predict(const MigrationFactors& f) const {
  if (!net_) return std::nullopt;
  const auto v = FactorVector(f);
  return net_->Predict(v.data());
}

}  // namespace tern::tiering
