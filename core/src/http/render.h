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

// The Prometheus text format 0.0.4 for a core status document (see HttpApiSources::status):
// tern_core_<counter>_total, tern_core_spool_depth, tern_core_manifest_chunks, and per node
// tern_node_up, tern_node_load and tern_edge_<counter>_total{node,addr}. Fields that are
// missing or of the wrong type are skipped; a null document gives only the HELP-less empty
// text. Non-numeric counters are skipped; nested counter objects are flattened with '_'.
std::string MetricsText(const nlohmann::json& status);

}  // namespace tern::core::http
