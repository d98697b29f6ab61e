// Named counters and gauges. Every rejected message, refused record, retry and fault
// increments a counter here; heartbeats and the HTTP API report them.
// Thread-safety: thread-safe; references returned by Counter() stay valid for the
// registry's lifetime.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace tern {

class Metrics {
 public:
  // The counter named `name`, created at 0 on first use.
  std::atomic<int64_t>& Counter(const std::string& name);
  void Add(const std::string& name, int64_t delta = 1) { Counter(name) += delta; }
  void Set(const std::string& name, int64_t value) { Counter(name) = value; }
  int64_t Get(const std::string& name) const;
  // A copy of every counter.
  std::map<std::string, int64_t> Snapshot() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::atomic<int64_t>*> index_;
  std::deque<std::atomic<int64_t>> storage_;  // deque: stable addresses
};

}  // namespace tern

namespace tern {

// Latency samples in milliseconds with percentiles. Keeps the most recent `capacity`
// samples (a ring), which is what a live p99 should describe.
// Thread-safety: thread-safe.
class LatencyRecorder {
 public:
  explicit LatencyRecorder(size_t capacity = 100000) : cap_(capacity) {}
  void Add(double ms);
  // The p-th percentile (0..100) of the kept samples; 0 if none.
  double Percentile(double p) const;
  uint64_t count() const;

 private:
  size_t cap_;
  mutable std::mutex mu_;
  std::vector<double> ring_;
  size_t next_ = 0;
  uint64_t total_ = 0;
};

}  // namespace tern
