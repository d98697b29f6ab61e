// An analysis job over stored data (POST /api/v1/analysis, `ternctl analysis run`): the
// multichannel processors over every (group, window) of a placement group in a time range,
// run where the data is. This file holds the job's pure parts, so they are tested without a
// site: the request, the windows of a job, which holder gets which window, and the merge of
// the windows' outputs; core_analysis.cpp sends the tasks, waits, computes the rest and
// records the results.
//
// A window is a placement key (placement.h: group, window index): the chunks of every source
// in the group whose first records fall in one `placement.window`. Its candidates are the
// live stores that hold every one of its chunks (co-location makes that the window's two
// peers, and the origin of a one-origin window). The plan gives each window to the candidate
// with the least planned work relative to its weight, the weighted task assignment of the
// original system: weight = max(0.05, (1 − load) · (1 − cpu)) from the node's heartbeats,
// work = the window's sample rows (ties: lower address). A window without a candidate, one
// larger than a task may be (more than msg::kMaxTaskChunks chunks or msg::kMaxTaskBytes
// bytes), or a job run `at: core`, is computed by the core itself from bytes it reads.
// Thread-safety: value types and pure functions.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tern/analysis/window_task.h"
#include "tern/common/placement.h"
#include "tern/common/store_messages.h"
#include "tern/core/holder_index.h"

namespace tern::core {

struct AnalysisRequest {
  std::string group;
  uint64_t from_ms = 0;          // wall-clock ms, inclusive (first records' times)
  uint64_t to_ms = UINT64_MAX;   // wall-clock ms, inclusive
  bool at_core = false;          // "at": "core" computes every window at the core
  analysis::TaskParams params;   // "params" (window_task.h); defaults: all three processors
  uint64_t max_windows = 10000;  // "max_windows": refuse a job over more windows

  // Strict: {"group": non-empty string, "from"/"to": ms (optional), "at": "auto" | "core",
  // "params": object, "max_windows": 1..100000}; InvalidArgument naming the key otherwise.
  [[nodiscard]] static Result<AnalysisRequest> FromJson(const nlohmann::json& j);
};

// One window of a job and where it runs.
struct JobWindow {
  placement::Key key;
  std::vector<ChunkRecord> chunks;   // sample chunks, ordered by (origin, source, seq)
  std::vector<uint32_t> candidates;  // live stores holding every chunk, ascending
  uint32_t assigned = 0;             // the store that runs it (0: the core)
  uint64_t rows = 0;                 // records over all its chunks
};

// The job's windows: `chunks` grouped by `key_of`, keeping only sample chunks of `group`,
// in key order. Candidates are left empty.
std::vector<JobWindow> WindowsOf(const std::vector<ChunkRecord>& chunks, const std::string& group,
                                 const std::function<placement::Key(const ChunkRecord&)>& key_of);

// The task for window `w` (`req` and `params` left for the caller): its chunks named by
// series runs (msg::TaskSeries: each maximal run of consecutive numbers of one series, with
// the least and greatest first stamp in it) and the digest of their ids in the window's
// order, so a task is a few hundred bytes however finely the window is chunked.
msg::AnalyzeTask TaskOf(const JobWindow& w);

// A store that may run tasks.
struct TaskWorker {
  uint32_t addr = 0;
  double load = 0;  // 0..1
  double cpu = 0;   // 0..1
};

// The worker's weight, max(0.05, (1 − load)(1 − cpu)).
double WorkerWeight(const TaskWorker& w);

// Fills each window's candidates (from `workers`: the live ones) and assignment as described
// above; with `at_core` every window is assigned to the core (0).
void PlanTasks(std::vector<JobWindow>* windows, const std::vector<TaskWorker>& workers,
               bool at_core);

// What a window became: its output or why it has none, and where it ran.
struct WindowOutcome {
  nlohmann::json output;  // null: not computed (error says why)
  std::string error;
  std::string ran_at;  // the node that computed it
  uint64_t compute_ms = 0;
};

// The job's totals that the windows do not tell.
struct JobFigures {
  int64_t task_failures = 0;
  uint64_t bytes_fetched = 0, task_bytes = 0, wall_ms = 0;
  std::vector<std::string> results;  // result chunk ids, hex
  bool results_recorded = true;
};

// The answer of POST /api/v1/analysis (docs/http-api.md): the job, the windows at holders /
// at the core (`core_name`) / failed, windows per node, statistics merged over every window
// (MergeStats), the z-score counts summed, and each window's outcome in order.
// `outcome` has one entry per window.
nlohmann::json JobAnswer(const AnalysisRequest& rq, const std::vector<JobWindow>& windows,
                         const std::vector<WindowOutcome>& outcome, const std::string& core_name,
                         const JobFigures& f);

}  // namespace tern::core
