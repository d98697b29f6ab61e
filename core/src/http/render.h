// Pure helpers of the HTTP API, kept apart from the server so tests can call them directly:
// query-parameter parsing (times, bounded integers) and the Prometheus text exposition of a
// core status document. No I/O, no locks.
// Thread-safety: stateless functions; safe from any thread.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "tern/common/status.h"

namespace tern::core::http {

// A time bound: an HLC stamp (>= 2^48, returned as is), wall-clock ms (< 2^48, shifted << 16;
// with `upper` the logical bits are filled so the whole millisecond is included) or ISO-8601
// UTC "YYYY-MM-DD[THH:MM[:SS[.fff]]][Z]". The error message starts with `param`.
Result<uint64_t> ParseTime(std::string_view param, std::string_view text, bool upper);

// A decimal integer in [lo, hi]. The error message starts with `param`.
Result<int64_t> ParseInt(std::string_view param, std::string_view text, int64_t lo, int64_t hi);

// A metric name part reduced to [a-zA-Z0-9_] (other characters become '_'; a leading digit
// gets a '_' prefix).
std::string PromName(std::string_view s);

// A label value escaped for the text format (backslash, double quote, newline).
std::string PromLabel(std::string_view s);

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
