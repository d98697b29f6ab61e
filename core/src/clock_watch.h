// The core's watch on its nodes' wall clocks: every heartbeat carries its sender's wall clock
// (`wall_ms`), which the core compares with its own on receipt. A node off by more than
// `clock.max_skew` (either way; the transit time counts against it) is flagged: a WARN line
// when it becomes skewed (and an INFO line when it is back within the bound), the counter
// `clock_skew_warnings`, and the gauge `clock_skew_nodes` (nodes skewed now).
// Thread-safety: not thread-safe; the core's commit worker (which runs the handlers) owns it.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "tern/common/metrics.h"

namespace tern::core {

class ClockWatch {
 public:
  // `m` (not owned) outlives the watch.
  ClockWatch(int64_t max_skew_ms, Metrics* m) : max_skew_ms_(max_skew_ms), m_(m) {}

  // A heartbeat from node `addr` (`name`, for logs) stamped `remote_ms` (0: none given),
  // received at the core's `local_ms`. Returns whether the node is skewed now.
  bool OnHeartbeat(uint32_t addr, const std::string& name, uint64_t remote_ms, uint64_t local_ms);
  // The last skew seen per node (remote - local, ms), for status.
  const std::map<uint32_t, int64_t>& skews() const { return skew_; }

 private:
  int64_t max_skew_ms_;
  Metrics* m_;
  std::map<uint32_t, int64_t> skew_;
  std::map<uint32_t, bool> flagged_;
};

}  // namespace tern::core
