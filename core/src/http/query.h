// The HTTP API's query parameters, parsed and checked apart from the server: pure functions
// over the decoded parameter map cpp-httplib hands a handler, so the unit tests and the
// http_query fuzz target (tests/fuzz/) reach every rule without sockets or a database.
// Every error message starts with the parameter it is about ("limit: ...").
// Thread-safety: stateless functions; safe from any thread.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "tern/common/chunk.h"
#include "tern/common/status.h"

namespace tern::core::http {

// A time bound: an HLC stamp (>= 2^48, returned as is), wall-clock ms (< 2^48, shifted << 16;
// with `upper` the logical bits are filled so the whole millisecond is included) or ISO-8601
// UTC "YYYY-MM-DD[THH:MM[:SS[.fff]]][Z]". The error message starts with `param`.
Result<uint64_t> ParseTime(std::string_view param, std::string_view text, bool upper);

// A decimal integer in [lo, hi]. The error message starts with `param`.
Result<int64_t> ParseInt(std::string_view param, std::string_view text, int64_t lo, int64_t hi);

// Decoded query parameters; httplib::Params is this type. A name may repeat: the first value
// counts, as with httplib::Request::get_param_value.
using Params = std::multimap<std::string, std::string>;

inline constexpr int64_t kDefaultLimit = 1000;
inline constexpr int64_t kMaxLimit = 10000;

// The origin/from/to/limit parameters the list endpoints share, parsed and checked.
struct RangeQuery {
  int64_t origin = 0;  // 0: any
  uint64_t from = 0;
  uint64_t to = std::numeric_limits<int64_t>::max();
  int64_t limit = kDefaultLimit;  // >= 1
};

// /api/v1/chunks: source (required, non-empty) and the range.
struct ChunkListQuery {
  std::string source;
  RangeQuery range;
};

// /api/v1/results: source (optional, non-empty when given), anomalies=0|1 and the range.
struct ResultsQuery {
  std::optional<std::string> source;
  bool anomalies_only = false;
  RangeQuery range;
};

// /api/v1/search: q (required: FTS5 query text, CheckSearchText) and from/to/limit (no
// origin parameter: write origin:<name> in q).
struct SearchParams {
  std::string q;
  RangeQuery range;
};

// Rejects a parameter not in `allowed`: a typo like "form=" must not silently widen a query.
Status CheckParams(const Params& params, std::initializer_list<std::string_view> allowed);

// origin (1..2^32-1), from/to (see ParseTime; from <= to), limit (1..kMaxLimit). Both
// bounds are capped at INT64_MAX, the largest stamp core.db stores.
Result<RangeQuery> ParseRangeQuery(const Params& params);

// The whole parameter set of /api/v1/chunks and /api/v1/results, unknown names included.
Result<ChunkListQuery> ParseChunkListQuery(const Params& params);
Result<ResultsQuery> ParseResultsQuery(const Params& params);
Result<SearchParams> ParseSearchQuery(const Params& params);

// The bounds on a search text before SQLite parses it: 1..kMaxSearchBytes bytes, no control
// characters (bytes below 0x20, 0x7f). Its syntax is checked by SearchIndex::Find.
inline constexpr size_t kMaxSearchBytes = 512;
Status CheckSearchText(std::string_view q);

// The <id> of /api/v1/chunks/<id>: 64 hex digits (either case) to the 32-byte id.
Result<ChunkId> ParseChunkIdPath(std::string_view hex);

}  // namespace tern::core::http
