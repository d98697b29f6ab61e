// The learned value model: six migration factors per chunk -> predicted value (issue 13,
// item 3). The predicted value is what the model was trained to estimate: log1p of the reads
// a chunk will get over the next horizon (the trainer, replay.h, labels samples from the
// access log once their horizon has passed, never from the future). The regressor is the RBF
// network of rbf.h.
// Thread-safety: a ValueModel is not synchronised; Train() must not race with Predict().
// Predict() alone may run on many threads.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <vector>

#include "tern/common/status.h"
#include "tern/tiering/rbf.h"

namespace tern::tiering {

// The six migration factors of one chunk at one moment.
struct MigrationFactors {
  double bytes = 0;                // size
  double hours_since_access = 0;   // recency: since the last read, or since it was written
  double recent_reads = 0;         // frequency: reads in the recent window (decayed count)
  double bytes_read = 0;           // access volume: bytes read from it so far
  double consumer_similarity = 0;  // [0,1]: its readers against the recently active readers
  double business_value = 0;       // [0,1]: the TOPSIS score (value_score.h)
};

inline constexpr size_t kMigrationFactors = 6;

// The model's input for `f`: log2(bytes), log1p(hours), log1p(recent reads),
// log1p(bytes read / 1 KiB), similarity, business value.
std::array<double, kMigrationFactors> FactorVector(const MigrationFactors& f);

class ValueModel {
 public:
  explicit ValueModel(RbfConfig cfg = {}) : cfg_(cfg) {}

  // Trains a new network on `factors` with targets `y` (log1p of the reads over the horizon),
  // replacing the previous one. The seed of the n-th training is cfg.seed + n, so a run is
  // reproducible. On error the previous network stays.
  [[nodiscard]] Status Train(const std::vector<MigrationFactors>& factors,
                             const std::vector<double>& y);

  // The predicted value of `f`, or nullopt before the first successful Train().
  std::optional<double> Predict(const MigrationFactors& f) const;

  bool trained() const { return net_.has_value(); }
  size_t trainings() const { return trainings_; }
  const RbfNetwork* network() const { return net_ ? &*net_ : nullptr; }

 private:
  RbfConfig cfg_;
  std::optional<RbfNetwork> net_;
  size_t trainings_ = 0;
};

}  // namespace tern::tiering
