// Labelling and batching of the value model's training samples (training_log.h).
#include "training_log.h"

#include <cmath>

namespace tern::tiering {

void TrainingLog::LabelDue(uint64_t now, uint64_t horizon,
                           const std::function<uint64_t(uint64_t, uint64_t, uint64_t)>& reads_in) {
  while (!pending_.empty() && pending_.front().t + horizon <= now) {
    const Sample s = pending_.front();
    pending_.pop_front();
    const double y = std::log1p(static_cast<double>(reads_in(s.chunk, s.t, s.t + horizon)));
    if (s.holdout && !std::isnan(s.predicted)) held_.push_back({s.predicted, y, s.recent, s.mean});
    f_.push_back(s.f);
    y_.push_back(y);
    if (f_.size() > max_) {
      f_.pop_front();
      y_.pop_front();
    }
  }
}

void TrainingLog::Batch(std::vector<MigrationFactors>* f, std::vector<double>* y) {
  f->assign(f_.begin(), f_.end());
  y->assign(y_.begin(), y_.end());
  double sum = 0;
  for (double v : *y) sum += v;
  mean_ = y->empty() ? 0.0 : sum / static_cast<double>(y->size());
}

}  // namespace tern::tiering
