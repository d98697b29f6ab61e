// The window task: the multichannel processors run over one (group, window) of sample chunks,
// the unit of analysis at the holders. A store that holds every chunk of a window runs it
// where the bytes are; the core runs the very same function on the same chunks when no holder
// can, so a window's output does not depend on where it ran (bit for bit: same code, same
// input, same order, and JSON numbers that round-trip exactly).
//
// A window's chunks come from several series: a series is one (origin, source), e.g. each
// rig of a group on its own edge. Rows are aligned by position: within a series, the chunks
// are ordered by sequence number and their records concatenated; the k-th record of every
// series forms row k of the window matrix, whose columns are the series' channels side by
// side, series ordered by (origin, source). The window is cut to its shortest series
// (`dropped_rows` counts what that cut off).
//
// Processors, each over the whole aligned window:
//  - "stats": per-channel window statistics (analysis.h WindowStatistics, one window);
//  - "zscore": values further than `z_threshold` population standard deviations from their
//    channel's window mean, counted per channel;
//  - "msmve": MSMVE of the first `msmve_rows` rows (0: all rows) of all channels together.
// MergeStats combines the "stats" of several windows into statistics over all their rows
// (Chan et al.'s pairwise update, weighted by the sample counts), which is how the core
// merges the partial results of several holders.
// Thread-safety: pure functions over values; safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "tern/analysis/analysis.h"
#include "tern/common/chunk.h"
#include "tern/common/status.h"

namespace tern::analysis {

// One decoded sample chunk of a window.
struct WindowChunk {
  ChunkHeader header;
  std::vector<Record> records;
};

// Decodes a chunk's wire bytes for a window task: InvalidArgument unless it is a sample
// chunk with at least one channel; Corruption if it does not decode.
[[nodiscard]] Result<WindowChunk> DecodeWindowChunk(std::string_view wire);

// Which processors run, and their parameters.
struct TaskParams {
  bool stats = true;
  bool zscore = true;
  bool msmve = true;
  double z_threshold = 4.0;  // > 0
  size_t msmve_rows = 1024;  // rows of the window MSMVE uses, from the first (0 = all)
  MsmveParams msmve_params{{2}, {1}, 0.15, 5};

  // The names of the processors that run ("stats", "zscore", "msmve"), in that order.
  std::vector<std::string> Names() const;
  nlohmann::json ToJson() const;
  // Strict: unknown keys, wrong types or values out of range (z_threshold <= 0, msmve_rows
  // above 1,000,000, MSMVE parameters as Msmve checks them, scales above 50, no processor)
  // are InvalidArgument naming the key. Missing keys keep their defaults.
  [[nodiscard]] static Result<TaskParams> FromJson(const nlohmann::json& j);
};

// The aligned window matrix and where its columns came from.
struct AlignedWindow {
  Matrix x;
  std::vector<std::string> series;  // "<origin>/<source>", one per series, in column order
  std::vector<uint16_t> channels;   // channels of each series
  size_t dropped_rows = 0;          // rows cut from longer series
};

// Aligns the chunks as described above. InvalidArgument if `chunks` is empty, a chunk is not
// samples, or one series changes its channel count; a record that does not decode fails
// with its chunk's source and seq.
[[nodiscard]] Result<AlignedWindow> AlignWindow(std::vector<WindowChunk> chunks);

// Runs the processors over the aligned window. The output object:
//   {"rows", "cols", "series", "dropped_rows",
//    "stats": WindowStats JSON (one window of all rows),
//    "zscore": {"threshold", "count", "by_channel": [count per column]},
//    "msmve": MsmveResult JSON}
// with only the processors that ran. Fails like AlignWindow, and on non-finite samples.
[[nodiscard]] Result<nlohmann::json> RunTask(std::vector<WindowChunk> chunks,
                                             const TaskParams& params);

// Merges the "stats" of several task outputs with the same column count into one object
// {"rows", "channels": [ChannelStats JSON per column]} over all their rows (rms from the
// merged mean and stddev, sample_stddev from the merged M2). InvalidArgument if an output
// lacks "stats" or the column counts differ; an empty list gives {"rows": 0, "channels": []}.
[[nodiscard]] Result<nlohmann::json> MergeStats(const std::vector<nlohmann::json>& outputs);

}  // namespace tern::analysis
