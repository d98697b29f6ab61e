// Histogram: see histogram.h. Buckets live in the Metrics registry (its references stay
// valid for its lifetime), so an observation is a few atomic increments and no lock.
#include "tern/common/histogram.h"

#include <algorithm>
#include <cmath>

namespace tern {

const std::vector<int64_t>& Histogram::AckMsBounds() {
  static const std::vector<int64_t> kBounds = {1,   2,    5,    10,   25,    50,    100,  250,
                                               500, 1000, 2500, 5000, 10000, 30000, 60000};
  return kBounds;
}

Histogram::Histogram(Metrics& m, const std::string& prefix, std::vector<int64_t> bounds)
    : prefix_(prefix) {
  for (int64_t b : bounds) {
    if (b > 0 && (bounds_.empty() || b > bounds_.back())) bounds_.push_back(b);
  }
  for (int64_t b : bounds_) buckets_.push_back(&m.Counter(prefix + "_le_" + std::to_string(b)));
  buckets_.push_back(&m.Counter(prefix + "_le_inf"));
  sum_ = &m.Counter(prefix + "_sum");
  count_ = &m.Counter(prefix + "_count");
}

void Histogram::Observe(double value) {
  if (!(value > 0)) value = 0;  // also NaN
  // Cumulative: every bucket whose bound is at least the value, and +Inf.
  for (size_t i = 0; i < bounds_.size(); ++i) {
    if (value <= static_cast<double>(bounds_[i])) *buckets_[i] += 1;
  }
  *buckets_.back() += 1;
  *sum_ += std::llround(std::min(value, 9e15));
  *count_ += 1;
}

std::vector<std::string> Histogram::Names() const {
  std::vector<std::string> out;
  for (int64_t b : bounds_) out.push_back(prefix_ + "_le_" + std::to_string(b));
  out.push_back(prefix_ + "_le_inf");
  out.push_back(prefix_ + "_sum");
  out.push_back(prefix_ + "_count");
  return out;
}

}  // namespace tern
