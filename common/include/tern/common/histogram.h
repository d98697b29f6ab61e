// A cumulative-bucket histogram kept as named counters in a Metrics registry, so whatever
// already reports the registry (an edge's heartbeat and status.json) carries it with no
// extra plumbing: for prefix P and upper bounds b1 < b2 < ... it keeps P_le_<b> (observations
// <= b, cumulative like Prometheus' le buckets), P_le_inf (every observation), P_sum (the
// sum, rounded to integers) and P_count. Every one of them exists at 0 from construction,
// so a reader sees the whole family before the first observation.
// Thread-safety: Observe and Snapshot from any thread (the counters are atomics; an
// observation's buckets are not updated as one, so a concurrent reader may see a bucket
// one ahead of another for an instant).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "tern/common/metrics.h"

namespace tern {

class Histogram {
 public:
  // The bounds tern uses for ack latency in milliseconds: 1 ms to 60 s.
  static const std::vector<int64_t>& AckMsBounds();

  // Registers `prefix`_le_<bound> for every bound, `prefix`_le_inf, `prefix`_sum and
  // `prefix`_count in `m` at 0. `bounds` must be strictly increasing and positive (an
  // unsorted or repeated bound is dropped, so the buckets stay cumulative). `m` must
  // outlive the histogram.
  Histogram(Metrics& m, const std::string& prefix, std::vector<int64_t> bounds);

  // Counts one observation of `value` (a negative value counts as 0: clocks that step back
  // must not make a bucket lie).
  void Observe(double value);

  // The counter names, in bound order then le_inf, sum, count (for tests and renderers).
  std::vector<std::string> Names() const;
  const std::vector<int64_t>& bounds() const { return bounds_; }

 private:
  std::vector<int64_t> bounds_;
  std::vector<std::atomic<int64_t>*> buckets_;  // one per bound, then +Inf
  std::atomic<int64_t>* sum_;
  std::atomic<int64_t>* count_;
  std::string prefix_;
};

}  // namespace tern
