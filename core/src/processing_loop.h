// The processing side of the core: the fair scheduler (scheduler.h) holding the spooled
// chunks in the order they should be processed, and the thread that takes them one by one,
// reads their bytes from the spool (its own read-only connection to core.db), runs the
// processors (processing.h) and hands the outputs back. The commit worker records them
// (ResultBuilder) and unspools the chunk in one transaction; a chunk is scheduled only
// once its spool row has committed, so the thread never looks for bytes that are not there.
// Thread-safety: Schedule, SetEdgeWeight, Snapshot, StatusJson and queued from any thread;
// Start/Stop from one thread. The callbacks run on the processing thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "tern/common/metrics.h"
#include "tern/core/manifest.h"
#include "tern/core/processing.h"
#include "tern/core/scheduler.h"

namespace tern::core {

class ProcessingLoop {
 public:
  // A chunk's processor outputs (possibly none), or a spooled chunk that does not decode.
  using Processed = std::function<void(const ChunkId& id, const ChunkHeader& h,
                                       std::vector<ProcessorOutput> outs)>;
  using Corrupt = std::function<void(const ChunkId& id)>;

  // Fails if the scheduler config is invalid. `m` counts chunks_processed,
  // records_processed, processing_errors, spool_corrupt, msmve_windows_skipped.
  static Result<std::unique_ptr<ProcessingLoop>> Create(const SchedulerConfig& sched,
                                                        ProcessingOptions opts, Metrics* m);
  ~ProcessingLoop();

  // Opens core.db at `db_path` read-only and starts the thread.
  [[nodiscard]] Status Start(const std::string& db_path, Processed on_processed,
                             Corrupt on_corrupt);
  void Stop();

  // Queues a spooled chunk (ignored if already queued).
  void Schedule(const Manifest::SpoolEntry& e);
  // The edge's weight within its class (1..1000).
  [[nodiscard]] Status SetEdgeWeight(uint32_t edge, int weight);

  // The scheduler's queues for the HTTP API; totals for the status file; queue length.
  nlohmann::json Snapshot(uint64_t wall_ms) const;
  nlohmann::json StatusJson() const;
  size_t queued() const;

 private:
  ProcessingLoop(Scheduler sched, ProcessingOptions opts, Metrics* m);
  void Loop(std::unique_ptr<Manifest> db);
  // Processes one chunk taken from the scheduler.
  void ProcessOne(Manifest& db, ChunkProcessor& proc, const SchedItem& item);

  ProcessingOptions opts_;
  Metrics* m_;
  Processed on_processed_;
  Corrupt on_corrupt_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  Scheduler sched_;  // guarded by mu_
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace tern::core
