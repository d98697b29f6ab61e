// The core's processing of spooled chunks: which processors run, with what state per
// source, and what results they produce. Rows of each (origin, source) are gathered into
// statistics windows of `stats_window` rows (one result per window, linked to every chunk
// that contributed); every row goes through a running z-score that flags anomalies (one
// alarm result per chunk with anomalies); rows are gathered into MSMVE windows, computed at
// most once per `msmve_interval_ms` per source (windows in between are counted as skipped:
// MSMVE is the CPU ceiling).
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
#include "tern/analysis/analysis.h"

namespace tern::core {

struct ProcessingOptions {
  size_t stats_window = 4096;  // rows per statistics window; 0 = one window per chunk
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
  std::vector<ChunkId> sources;  // the chunks whose rows it covers
  uint64_t t_first = 0, t_last = 0;
};

class ChunkProcessor {
 public:
  explicit ChunkProcessor(ProcessingOptions o) : o_(std::move(o)) {}
  // Runs the processors over one decoded chunk. Non-sample chunks give no results. A chunk
  // whose samples do not decode or hold non-finite values gives an error naming it.
  Result<std::vector<ProcessorOutput>> Process(const ChunkId& id, const ChunkHeader& h,
                                               const std::vector<Record>& records,
                                               uint64_t now_ms);
  uint64_t msmve_windows_skipped() const { return skipped_; }

 private:
  // Rows gathered for one windowed processor, with the chunks and times they came from.
  struct Gather {
    std::vector<double> rows;  // row-major
    std::vector<ChunkId> ids;
    uint64_t t_first = 0, t_last = 0;
    void Add(const ChunkId& id, const ChunkHeader& h, const std::vector<double>& v);
    void Clear() { *this = Gather(); }
  };
  struct SourceState {
    std::unique_ptr<analysis::RunningZ> z;
    Gather stats, msmve;
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
