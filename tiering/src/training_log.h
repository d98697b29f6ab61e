// The value model's training data in a replay (replay.h): samples of the access log waiting
// for their horizon to pass, the newest labelled ones, and the held-out points. Private to
// tern_tiering (replay.cpp).
// Thread-safety: not synchronised; one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

#include "heldout.h"
#include "tern/tiering/value_model.h"

namespace tern::tiering {

// One chunk's factors at one moment, to be labelled once its horizon has passed.
struct Sample {
  uint64_t t;
  uint64_t chunk;
  MigrationFactors f;
  double predicted;  // NaN: no model yet
  double recent;     // log1p(reads in the horizon before)
  double mean;       // the model's training targets' mean when it was taken
  bool holdout;
};

class TrainingLog {
 public:
  explicit TrainingLog(size_t max_training) : max_(max_training) {}

  // Queues `s`; samples must come in time order.
  void Add(const Sample& s) { pending_.push_back(s); }

  // Labels every queued sample whose horizon ends by `now` with log1p(reads_in(chunk, t,
  // t + horizon)), keeping the newest max_training labelled ones; a held-out sample that was
  // predicted also becomes a held-out point.
  void LabelDue(uint64_t now, uint64_t horizon,
                const std::function<uint64_t(uint64_t, uint64_t, uint64_t)>& reads_in);

  // The labelled samples, oldest first, into `f` and `y`, and their mean becomes mean().
  void Batch(std::vector<MigrationFactors>* f, std::vector<double>* y);

  size_t labelled() const { return f_.size(); }
  double mean() const { return mean_; }  // of the last Batch(); 0 before
  const std::vector<HeldOutPoint>& held() const { return held_; }

 private:
  size_t max_;
  std::deque<Sample> pending_;
  std::deque<MigrationFactors> f_;
  std::deque<double> y_;
  double mean_ = 0;
  std::vector<HeldOutPoint> held_;
};

}  // namespace tern::tiering
