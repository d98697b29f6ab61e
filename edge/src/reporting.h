// What the edge reports about itself besides counters: its share of the machine's CPU (in
// heartbeats; the core turns it into the load peers are drawn by) and the latest analysis
// results the core sent back about its data (status.json's latest_results and
// latest_alarms; an alarm is also logged as a warning).
// Thread-safety: ResultLog is thread-safe; CpuMeter is not (the loop thread samples it).
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "tern/common/messages.h"
#include "tern/common/metrics.h"

namespace tern::edge {

// This process's CPU time over wall time since the previous Sample(), divided by the
// machine's cores: 0..1 (0 on the first call or if /proc cannot be read).
class CpuMeter {
 public:
  double Sample();

 private:
  uint64_t last_ticks_ = 0, last_us_ = 0;
};

class ResultLog {
 public:
  ResultLog(Metrics* m, std::string node, size_t keep = 20)
      : m_(m), node_(std::move(node)), keep_(keep) {}

  // A `result` from the core: counted (`results_received`, and `alarms_received` with
  // anomalies), kept among the latest `keep`, an alarm logged.
  void OnResultNote(const msg::ResultNote& r);
  // The latest results without / with anomalies, oldest first.
  nlohmann::json Results() const;
  nlohmann::json Alarms() const;

 private:
  Metrics* m_;
  const std::string node_;
  const size_t keep_;
  mutable std::mutex mu_;
  std::deque<nlohmann::json> results_, alarms_;
};

}  // namespace tern::edge
