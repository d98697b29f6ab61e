// The held-out figures of a value-model replay (replay.h, HeldOut) from its prequential
// predictions. Private to tern_tiering (replay.cpp).
// Thread-safety: a pure function; safe from any thread.
#pragma once

#include <vector>

#include "tern/tiering/replay.h"

namespace tern::tiering {

// One held-out sample: log1p(reads) as predicted, as happened, as in the horizon before
// (persistence), and the model's training targets' mean when it was taken.
struct HeldOutPoint {
  double predicted = 0;
  double actual = 0;
  double recent = 0;
  double mean = 0;
};

// RMSE of the model, of the training mean and of persistence against the actual values, and
// the model's Pearson correlation with them (0 if either side is constant); all 0 if empty.
HeldOut SummariseHeldOut(const std::vector<HeldOutPoint>& held);

}  // namespace tern::tiering
