// Query-parameter rules of the core's HTTP API (see query.h and docs/http-api.md).
#include "query.h"

#include <algorithm>
#include <charconv>

#include "tern/common/bytes.h"
#include "tern/common/time_parse.h"

namespace tern::core::http {

Result<uint64_t> ParseTime(std::string_view param, std::string_view text, bool upper) {
  auto t = ParseTimeArg(text, upper);
  if (!t.ok()) return t.status().WithContext(std::string(param));
  return t;
}

Result<int64_t> ParseInt(std::string_view param, std::string_view text, int64_t lo, int64_t hi) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size()) {
    return Status::InvalidArgument(std::string(param) + ": '" + std::string(text) +
                                   "' is not an integer");
  }
  if (v < lo || v > hi) {
    return Status::InvalidArgument(std::string(param) + ": " + std::to_string(v) + " is outside [" +
                                   std::to_string(lo) + ", " + std::to_string(hi) + "]");
  }
  return v;
}

namespace {

// The first value of `name`, or nullptr when absent.
const std::string* First(const Params& params, const char* name) {
  auto range = params.equal_range(name);
  return range.first == range.second ? nullptr : &range.first->second;
}

}  // namespace

Status CheckParams(const Params& params, std::initializer_list<std::string_view> allowed) {
  for (const auto& [k, v] : params) {
    bool ok = false;
    for (auto a : allowed) ok = ok || k == a;
    if (!ok) return Status::InvalidArgument(k + ": unknown parameter");
  }
  return Status::Ok();
}

Result<RangeQuery> ParseRangeQuery(const Params& params) {
  RangeQuery q;
  if (const std::string* v = First(params, "origin")) {
    TERN_ASSIGN_OR_RETURN(q.origin,
                          ParseInt("origin", *v, 1, std::numeric_limits<uint32_t>::max()));
  }
  if (const std::string* v = First(params, "from")) {
    TERN_ASSIGN_OR_RETURN(q.from, ParseTime("from", *v, false));
  }
  if (const std::string* v = First(params, "to")) {
    TERN_ASSIGN_OR_RETURN(q.to, ParseTime("to", *v, true));
  }
  if (const std::string* v = First(params, "limit")) {
    TERN_ASSIGN_OR_RETURN(q.limit, ParseInt("limit", *v, 1, kMaxLimit));
  }
  if (q.from > q.to) return Status::InvalidArgument("from: later than to");
  // Both bounds, not only `to`: a `from` past INT64_MAX left above the capped `to` would
  // describe an empty range as from > to.
  q.from = std::min<uint64_t>(q.from, std::numeric_limits<int64_t>::max());
  q.to = std::min<uint64_t>(q.to, std::numeric_limits<int64_t>::max());
  return q;
}

Result<ChunkListQuery> ParseChunkListQuery(const Params& params) {
  TERN_RETURN_IF_ERROR(CheckParams(params, {"source", "origin", "from", "to", "limit"}));
  const std::string* source = First(params, "source");
  if (source == nullptr || source->empty()) return Status::InvalidArgument("source: required");
  ChunkListQuery q;
  q.source = *source;
  TERN_ASSIGN_OR_RETURN(q.range, ParseRangeQuery(params));
  return q;
}

Result<ResultsQuery> ParseResultsQuery(const Params& params) {
  TERN_RETURN_IF_ERROR(
      CheckParams(params, {"source", "origin", "from", "to", "anomalies", "limit"}));
  ResultsQuery q;
  if (const std::string* source = First(params, "source")) {
    if (source->empty()) return Status::InvalidArgument("source: empty");
    q.source = *source;
  }
  if (const std::string* v = First(params, "anomalies")) {
    TERN_ASSIGN_OR_RETURN(int64_t anomalies, ParseInt("anomalies", *v, 0, 1));
    q.anomalies_only = anomalies != 0;
  }
  TERN_ASSIGN_OR_RETURN(q.range, ParseRangeQuery(params));
  return q;
}

Status CheckSearchText(std::string_view q) {
  if (q.empty()) return Status::InvalidArgument("q: is empty (give words to search for)");
  if (q.size() > kMaxSearchBytes) {
    return Status::InvalidArgument("q: " + std::to_string(q.size()) + " bytes, more than " +
                                   std::to_string(kMaxSearchBytes));
  }
  for (size_t i = 0; i < q.size(); ++i) {
    const auto c = static_cast<unsigned char>(q[i]);
    if (c < 0x20 || c == 0x7f) {
      return Status::InvalidArgument("q: control character " + std::to_string(c) + " at byte " +
                                     std::to_string(i));
    }
  }
  return Status::Ok();
}

Result<SearchParams> ParseSearchQuery(const Params& params) {
  TERN_RETURN_IF_ERROR(CheckParams(params, {"q", "from", "to", "limit"}));
  const std::string* q = First(params, "q");
  if (q == nullptr) return Status::InvalidArgument("q: required (the words to search for)");
  TERN_RETURN_IF_ERROR(CheckSearchText(*q));
  SearchParams p;
  p.q = *q;
  TERN_ASSIGN_OR_RETURN(p.range, ParseRangeQuery(params));
  return p;
}

Result<ChunkId> ParseChunkIdPath(std::string_view hex) {
  auto id = FromHex(hex);
  if (!id.ok() || id->size() != 32) {
    return Status::InvalidArgument("id: '" + std::string(hex) +
                                   "' is not 64 hex digits (a SHA-256 chunk id)");
  }
  return std::move(id).value();
}

}  // namespace tern::core::http
