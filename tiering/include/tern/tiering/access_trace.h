// A seeded access trace for tiering experiments (issue 13, item 4): chunks arriving from
// sources over simulated days, and the reads a site makes of them, from four kinds of reader:
//   - dashboards: each watches a few sources (chosen by source importance) and every period
//     reads those sources' chunks of the last few hours;
//   - investigations: some anomalies are looked into after a delay (exponential, mean
//     `investigation_delay_hours`): a few passes over the source's chunks around the anomaly,
//     sometimes a second source's too;
//   - audits: single reads of random chunks older than `audit_min_age_days`;
//   - one bulk export: every chunk of a few sources up to the export time, read in order.
// Every reader has a consumer id (dashboards, then investigators, the auditor, the exporter),
// for the "similarity of consumers" migration factor. The same config gives the same trace.
// Thread-safety: free functions; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tern/tiering/value_score.h"

namespace tern::tiering {

struct TraceConfig {
  uint64_t seed = 1;
  uint32_t sources = 12;
  uint32_t days = 8;
  uint32_t chunk_minutes = 15;     // one chunk per source per period
  double mean_chunk_bytes = 4096;  // log-normal sizes around this (sigma 0.5)
  uint32_t dashboards = 6;
  uint32_t dashboard_sources = 3;
  uint32_t dashboard_period_minutes = 60;
  double dashboard_window_hours = 3;
  double anomaly_rate = 0.01;          // per chunk, scaled by its source's priority
  double investigated_fraction = 0.7;  // of anomalies
  double investigation_delay_hours = 12;
  uint32_t investigators = 4;
  double audits_per_day = 200;
  double audit_min_age_days = 2;
  double export_at_day = 5.5;  // < days, or no export
  uint32_t export_sources = 4;
  uint32_t export_reads_per_second = 1;
};

enum class ReadPattern : uint8_t { kDashboard = 0, kInvestigation, kAudit, kExport };
inline constexpr int kNumPatterns = 4;
const char* PatternName(ReadPattern p);

struct TraceChunk {
  uint64_t id = 0;  // its index in AccessTrace::chunks
  uint32_t source = 0;
  uint64_t t_ms = 0;  // when it is written
  uint32_t bytes = 0;
  ValueFactors factors;
  bool anomaly = false;
};

struct TraceRead {
  uint64_t t_ms = 0;
  uint64_t chunk = 0;  // a chunk written at or before t_ms
  uint32_t consumer = 0;
  ReadPattern pattern = ReadPattern::kDashboard;
};

struct AccessTrace {
  std::vector<TraceChunk> chunks;  // by t_ms
  std::vector<TraceRead> reads;    // by t_ms
  uint32_t consumers = 0;          // ids 0..consumers-1, at most 64
  uint64_t end_ms = 0;
  uint64_t total_bytes = 0;  // of all chunks
};

// The trace for `cfg`. InvalidArgument if it has no sources, days or chunk period, more than
// 64 consumers, or a dashboard watching more sources than there are.
[[nodiscard]] Result<AccessTrace> GenerateTrace(const TraceConfig& cfg);

// Deterministic content for chunk `c` (CSV-like sensor lines, about as compressible as real
// samples), exactly c.bytes long.
std::string ChunkPayload(const TraceChunk& c, uint64_t seed);

}  // namespace tern::tiering
