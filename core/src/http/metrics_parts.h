// The parts of /metrics beyond the core's own counters, each from the JSON the core already
// serves: per node (membership and registry: state, load, outbox, store, the heartbeat's
// counters and ack latency histograms), the analysis scheduler (depth and oldest age per
// class), the control board (its snapshot) and the build. MetricsText (render.h) calls them.
// Thread-safety: stateless functions over their arguments.
#pragma once

#include <nlohmann/json.hpp>

#include "exposition.h"

namespace tern::core::http {

// tern_node_* and tern_edge_* for the status' `nodes` (Membership::ToStatusJson) and the
// registry rows in `registry` (array of {addr, name, state}; null: none) that membership
// does not have: those read as dead rather than vanishing.
void AddNodeMetrics(Exposition& e, const nlohmann::json& nodes, const nlohmann::json& registry);

// tern_core_scheduler_queue_depth{class} and tern_core_scheduler_oldest_age_seconds{class}
// for every class, from a Scheduler::Snapshot (null: nothing).
void AddSchedulerMetrics(Exposition& e, const nlohmann::json& snapshot);

// tern_board_* from the board snapshot (BoardControl::Snapshot; null: no board, nothing).
void AddBoardMetrics(Exposition& e, const nlohmann::json& board);

// tern_build_info{version, commit} 1.
void AddBuildInfo(Exposition& e);

}  // namespace tern::core::http
