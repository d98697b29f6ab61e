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
