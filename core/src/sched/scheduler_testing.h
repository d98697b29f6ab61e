// Helpers of the scheduler's unit tests: a harness of saturating sources on a virtual clock
// (pick counts), single items, and Jain's fairness index. Test-only.
#pragma once

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "tern/core/scheduler.h"

namespace tern::core::sched_testing {

// A traffic source that keeps `depth` items queued (a saturating sender).
struct Source {
  uint32_t edge;
  int cls;
  bool backlog;
  uint64_t bytes;
};

// Keeps every source saturated; Next() refills the source of the item it returns.
class Harness {
 public:
  explicit Harness(SchedulerConfig cfg = {}, size_t depth = 4) : s(cfg), depth_(depth) {}

  void Add(Source src) {
    sources_.push_back(src);
    for (size_t i = 0; i < depth_; ++i) Push(sources_.size() - 1);
  }

  SchedItem Next() {
    auto item = s.Next(now);
    REQUIRE(item.has_value());
    ++now;
    total += item->bytes;
    const size_t colon = item->id.find(':');
    if (colon == std::string::npos) return *item;  // added by the test itself, not a source
    const size_t src = static_cast<size_t>(std::stoul(item->id.substr(0, colon)));
    Push(src);
    served[src] += item->bytes;
    return *item;
  }

  double Share(size_t src) const {
    auto it = served.find(src);
    return it == served.end() ? 0.0 : static_cast<double>(it->second) / static_cast<double>(total);
  }

  void ResetCounts() {
    served.clear();
    total = 0;
  }

  Scheduler s;
  uint64_t now = 0;
  std::map<size_t, uint64_t> served;
  uint64_t total = 0;

 private:
  void Push(size_t src) {
    const Source& x = sources_[src];
    SchedItem it;
    it.id = std::to_string(src) + ":" + std::to_string(seq_++);
    it.edge = x.edge;
    it.cls = x.cls;
    it.backlog = x.backlog;
    it.bytes = x.bytes;
    it.enqueued_ms = now;
    REQUIRE(s.Enqueue(it).ok());
  }
  std::vector<Source> sources_;
  size_t depth_;
  uint64_t seq_ = 0;
};

inline SchedItem Item(std::string id, uint32_t edge, int cls, uint64_t bytes = 1000,
                      bool backlog = false, uint64_t enq = 0) {
  SchedItem it;
  it.id = std::move(id);
  it.edge = edge;
  it.cls = cls;
  it.bytes = bytes;
  it.backlog = backlog;
  it.enqueued_ms = enq;
  return it;
}

inline double Jain(const std::vector<double>& x) {
  double s = 0, s2 = 0;
  for (double v : x) {
    s += v;
    s2 += v * v;
  }
  return s * s / (static_cast<double>(x.size()) * s2);
}

}  // namespace tern::core::sched_testing
