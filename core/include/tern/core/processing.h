// The core's processing of one spooled chunk: which processors run, with what state per
// source, and what results they produce. Sample chunks get window statistics; every sample
// row goes through a running z-score per (origin, source) that flags anomalies; rows are
// gathered per source into MSMVE windows, computed at most once per `msmve_interval_ms`
// per source (windows in between are counted as skipped: MSMVE is the CPU ceiling).
// Deterministic for a given order of chunks. Thread-safety: not thread-safe; the core's
// processing thread owns it.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tern/common/chunk.h"
#include "tern/common/config.h"
#include "tern/core/analysis.h"

namespace tern::core {

struct ProcessingOptions {
  size_t stats_window = 0;  // rows per statistics window; 0 = the whole chunk
  analysis::ZParams z;
  size_t msmve_window = 2048;  // rows per MSMVE window (0 = MSMVE off)
  analysis::MsmveParams msmve{{2}, {1}, 0.15, 5};
  uint64_t msmve_interval_ms = 5000;
};

// One result: a processor's JSON summary for one source chunk (or window).
struct ProcessorOutput {
  std::string processor;  // "stats", "zscore", "msmve"
  nlohmann::json summary;
  int anomalies = 0;
};

class ChunkProcessor {
 public:
  explicit ChunkProcessor(ProcessingOptions o) : o_(std::move(o)) {}
  // Runs the processors over one decoded chunk. Non-sample chunks give no results. A chunk
  // whose samples do not decode or hold non-finite values gives an error naming it.
  Result<std::vector<ProcessorOutput>> Process(const ChunkHeader& h,
                                               const std::vector<Record>& records,
                                               uint64_t now_ms);
  uint64_t msmve_windows_skipped() const { return skipped_; }

 private:
  struct SourceState {
    std::unique_ptr<analysis::RunningZ> z;
    std::vector<double> buf;  // MSMVE window being gathered, row-major
    uint64_t last_msmve_ms = 0;
    bool ran_msmve = false;
  };
  ProcessingOptions o_;
  std::map<std::string, SourceState> state_;
  uint64_t skipped_ = 0;
};

// Config keys of the processors (prefix "processor.") and their typed options.
void AddProcessingKeys(ConfigSchema* schema);
ProcessingOptions ProcessingOptionsFrom(const Config& c);

}  // namespace tern::core
