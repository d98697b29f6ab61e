// The Prometheus text exposition of a core status document for /metrics, kept apart from
// the server so tests can call it directly. No I/O, no locks.
// Thread-safety: stateless functions; safe from any thread.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace tern::core::http {

// The Prometheus text format 0.0.4 for the core's /metrics (docs/http-api.md lists every
// family): from the core status document (see HttpApiSources::status) its counters as
// tern_core_<counter>_total and its gauges (core_counters.h), tern_core_spool_depth,
// tern_core_manifest_chunks, the board (tern_board_*) and per node tern_node_* and
// tern_edge_*{node,addr} (with the ack latency histogram tern_edge_ack_latency_seconds);
// from `scheduler` (a Scheduler::Snapshot, null: none) the queue depth and oldest age per
// class; `registry` (array of {addr, name}, null: none) adds registered nodes membership
// does not have, as dead; and always tern_build_info. Fields that are missing or of the
// wrong type are skipped; non-numeric counters are skipped; nested counter objects are
// flattened with '_'.
std::string MetricsText(const nlohmann::json& status, const nlohmann::json& scheduler = {},
                        const nlohmann::json& registry = {});

}  // namespace tern::core::http
