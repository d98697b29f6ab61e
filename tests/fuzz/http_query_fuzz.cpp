// Fuzz target "http_query": the HTTP API's query parameters (core/src/http/query.h) as a
// request reaches them: the input is the query string after '?', split and percent-decoded by
// cpp-httplib's own parser (the one the server runs), then checked by every endpoint's rules.
// The input also goes, whole, through the chunk-id rule of /api/v1/chunks/<id>.
//
// Invariants: an error names its parameter first ("limit: ..."); an accepted range has
// 0 or 1..2^32-1 as origin, 1..kMaxLimit as limit and from <= to <= INT64_MAX; the chunk list
// accepts only with its source, and whatever it accepts the results endpoint accepts too,
// with the same range; a time parses as a lower bound exactly when it parses as an upper
// one, and the two lie within one millisecond's logical stamps; an ISO-8601 time is the
// calendar time it names (no day past the month's end rolled over); an accepted chunk id is 32
// bytes whose hex is the input in lower case; an accepted search has a q of 1..512 bytes
// without control characters and the same range as the other endpoints (never an origin).
#include <httplib.h>

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <limits>
#include <string>

#include "fuzz_check.h"
#include "query.h"
#include "tern/common/bytes.h"

namespace {

namespace http = tern::core::http;

// The message starts with "<name>:" for a parameter present, or for `also`.
bool NamesParameter(const std::string& message, const http::Params& params, const char* also) {
  auto starts = [&](const std::string& name) { return message.rfind(name + ":", 0) == 0; };
  if (starts(also)) return true;
  for (const auto& [k, v] : params) {
    if (starts(k)) return true;
  }
  return false;
}

void CheckRange(const http::RangeQuery& q, const http::Params& params) {
  TERN_FUZZ_CHECK(q.origin >= 0 && q.origin <= int64_t{std::numeric_limits<uint32_t>::max()},
                  "origin range");
  TERN_FUZZ_CHECK((q.origin == 0) == (params.count("origin") == 0), "origin 0 only when absent");
  TERN_FUZZ_CHECK(q.limit >= 1 && q.limit <= http::kMaxLimit, "limit range");
  TERN_FUZZ_CHECK(params.count("limit") != 0 || q.limit == http::kDefaultLimit, "default limit");
  TERN_FUZZ_CHECK(q.from <= q.to, "from <= to");
  TERN_FUZZ_CHECK(q.to <= uint64_t{std::numeric_limits<int64_t>::max()}, "to <= INT64_MAX");
}

int Num(const std::string& s, size_t at, size_t n) { return std::stoi(s.substr(at, n)); }

// An accepted ISO-8601 time names the calendar time it was turned into (no 31 February
// rolled over into March); a leap second :60 may roll over.
void CheckIsoTime(const std::string& text, uint64_t stamp) {
  if (text.find_first_not_of("0123456789") == std::string::npos) return;  // ms or HLC
  const time_t secs = static_cast<time_t>((stamp >> 16) / 1000);
  std::tm tm{};
  TERN_FUZZ_CHECK(gmtime_r(&secs, &tm) != nullptr, "a time within gmtime's range");
  const bool has_time = text.size() > 10 && (text[10] == 'T' || text[10] == 't' || text[10] == ' ');
  const bool has_sec = has_time && text.size() > 16 && text[16] == ':';
  if (has_sec && Num(text, 17, 2) == 60) return;
  TERN_FUZZ_CHECK(tm.tm_year + 1900 == Num(text, 0, 4) && tm.tm_mon + 1 == Num(text, 5, 2) &&
                      tm.tm_mday == Num(text, 8, 2),
                  "the date named is the date returned");
  if (has_time) {
    TERN_FUZZ_CHECK(tm.tm_hour == Num(text, 11, 2) && tm.tm_min == Num(text, 14, 2) &&
                        tm.tm_sec == (has_sec ? Num(text, 17, 2) : 0),
                    "the time named is the time returned");
  }
}

void CheckTimes(const http::Params& params) {
  for (const auto& [k, v] : params) {
    auto lo = http::ParseTime("t", v, false);
    auto hi = http::ParseTime("t", v, true);
    TERN_FUZZ_CHECK(lo.ok() == hi.ok(), "lower and upper bounds parse alike");
    if (!lo.ok()) continue;
    TERN_FUZZ_CHECK(*lo <= *hi && *hi - *lo <= 0xFFFF, "bounds of one millisecond");
    CheckIsoTime(v, *lo);
  }
}

void CheckChunkId(const std::string& text) {
  auto id = http::ParseChunkIdPath(text);
  if (!id.ok()) {
    TERN_FUZZ_CHECK(id.status().message().rfind("id:", 0) == 0, "id error names id");
    return;
  }
  TERN_FUZZ_CHECK(id->size() == 32, "chunk id size");
  std::string lower = text;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  TERN_FUZZ_CHECK(tern::ToHex(*id) == lower, "chunk id hex");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string query(reinterpret_cast<const char*>(data), size);
  http::Params params;
  httplib::detail::parse_query_text(query, params);

  auto range = http::ParseRangeQuery(params);
  if (range.ok()) {
    CheckRange(*range, params);
  } else {
    TERN_FUZZ_CHECK(NamesParameter(range.status().message(), params, "from"), "range error");
  }

  auto list = http::ParseChunkListQuery(params);
  auto results = http::ParseResultsQuery(params);
  if (list.ok()) {
    TERN_FUZZ_CHECK(!list->source.empty() && params.count("source") != 0, "source required");
    TERN_FUZZ_CHECK(range.ok(), "the list's range is the range");
    CheckRange(list->range, params);
    TERN_FUZZ_CHECK(results.ok(), "results accept what the chunk list accepts");
  } else {
    TERN_FUZZ_CHECK(NamesParameter(list.status().message(), params, "source"), "list error");
  }
  if (results.ok()) {
    TERN_FUZZ_CHECK(range.ok(), "the results' range is the range");
    CheckRange(results->range, params);
    TERN_FUZZ_CHECK(results->range.from == range->from && results->range.to == range->to &&
                        results->range.limit == range->limit &&
                        results->range.origin == range->origin,
                    "the same range on every endpoint");
    TERN_FUZZ_CHECK(!results->source || !results->source->empty(), "a given source is non-empty");
  } else {
    TERN_FUZZ_CHECK(NamesParameter(results.status().message(), params, "source"), "results error");
  }
  auto search = http::ParseSearchQuery(params);
  if (search.ok()) {
    const std::string& q = search->q;
    TERN_FUZZ_CHECK(!q.empty() && q.size() <= http::kMaxSearchBytes, "search text length");
    for (char ch : q) {
      const auto c = static_cast<unsigned char>(ch);
      TERN_FUZZ_CHECK(c >= 0x20 && c != 0x7f, "no control characters in a search");
    }
    TERN_FUZZ_CHECK(range.ok() && params.count("origin") == 0, "a search has no origin");
    TERN_FUZZ_CHECK(search->range.from == range->from && search->range.to == range->to &&
                        search->range.limit == range->limit,
                    "the same range for a search");
  } else {
    TERN_FUZZ_CHECK(NamesParameter(search.status().message(), params, "q"), "search error");
  }
  CheckTimes(params);
  CheckChunkId(query);
  return 0;
}
