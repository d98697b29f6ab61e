// Unit tests of the HTTP API's query-parameter rules (query.h): unknown names, the shared
// range parameters, each endpoint's own parameters and the chunk id in the path.
#include "query.h"

#include <doctest/doctest.h>

namespace tern::core::http {
namespace {
// The error message of a failed parse, for checking which parameter it names.
template <typename T>
std::string Error(const Result<T>& r) {
  return r.ok() ? std::string("(ok)") : r.status().message();
}
}  // namespace

TEST_SUITE("http query") {
  TEST_CASE("an unknown parameter is named") {
    CHECK(CheckParams({}, {}).ok());
    CHECK(CheckParams({{"limit", "5"}}, {"limit"}).ok());
    Status s = CheckParams({{"form", "1"}}, {"from", "to"});
    REQUIRE(!s.ok());
    CHECK(s.message() == "form: unknown parameter");
  }

  TEST_CASE("the range defaults to everything and checks each bound") {
    auto all = ParseRangeQuery({});
    REQUIRE(all.ok());
    CHECK(all->origin == 0);
    CHECK(all->from == 0);
    CHECK(all->to == uint64_t{std::numeric_limits<int64_t>::max()});
    CHECK(all->limit == kDefaultLimit);

    auto q = ParseRangeQuery({{"origin", "7"}, {"from", "1000"}, {"to", "2000"}, {"limit", "3"}});
    REQUIRE(q.ok());
    CHECK(q->origin == 7);
    CHECK(q->from == uint64_t{1000} << 16);
    CHECK(q->to == ((uint64_t{2000} << 16) | 0xFFFF));
    CHECK(q->limit == 3);

    CHECK(Error(ParseRangeQuery({{"origin", "0"}})).rfind("origin:", 0) == 0);
    CHECK(Error(ParseRangeQuery({{"origin", "4294967296"}})).rfind("origin:", 0) == 0);
    CHECK(Error(ParseRangeQuery({{"limit", "10001"}})).rfind("limit:", 0) == 0);
    CHECK(Error(ParseRangeQuery({{"from", "2000"}, {"to", "1000"}})) == "from: later than to");
    // An HLC stamp above INT64_MAX is capped to the largest stamp core.db stores.
    auto high = ParseRangeQuery({{"to", "18446744073709551615"}});
    REQUIRE(high.ok());
    CHECK(high->to == uint64_t{std::numeric_limits<int64_t>::max()});
    // So is `from` (found by the http_query fuzz target: from was left above the capped to).
    auto both = ParseRangeQuery({{"from", "11764978540588000018"}, {"to", "11764978544460557035"}});
    REQUIRE(both.ok());
    CHECK(both->from == uint64_t{std::numeric_limits<int64_t>::max()});
    CHECK(both->from <= both->to);
  }

  TEST_CASE("a repeated parameter counts with its first value, as httplib reads it") {
    Params p;
    p.emplace("limit", "2");
    p.emplace("limit", "99999");
    auto q = ParseRangeQuery(p);
    REQUIRE(q.ok());
    CHECK(q->limit == 2);
  }

  TEST_CASE("the chunk list needs a source") {
    CHECK(Error(ParseChunkListQuery({})) == "source: required");
    CHECK(Error(ParseChunkListQuery({{"source", ""}})) == "source: required");
    CHECK(Error(ParseChunkListQuery({{"source", "vib"}, {"anomalies", "1"}})) ==
          "anomalies: unknown parameter");
    auto q = ParseChunkListQuery({{"source", "vib"}, {"limit", "9"}});
    REQUIRE(q.ok());
    CHECK(q->source == "vib");
    CHECK(q->range.limit == 9);
  }

  TEST_CASE("results take an optional source and anomalies=0|1") {
    auto all = ParseResultsQuery({});
    REQUIRE(all.ok());
    CHECK(!all->source.has_value());
    CHECK(!all->anomalies_only);
    auto q = ParseResultsQuery({{"source", "vib"}, {"anomalies", "1"}});
    REQUIRE(q.ok());
    CHECK(q->source == "vib");
    CHECK(q->anomalies_only);
    CHECK(Error(ParseResultsQuery({{"source", ""}})) == "source: empty");
    CHECK(Error(ParseResultsQuery({{"anomalies", "2"}})).rfind("anomalies:", 0) == 0);
  }

  TEST_CASE("a chunk id in the path is 64 hex digits") {
    std::string hex(64, 'a');
    auto id = ParseChunkIdPath(hex);
    REQUIRE(id.ok());
    CHECK(*id == std::string(32, '\xaa'));
    CHECK(ParseChunkIdPath(std::string(64, 'A')).ok());
    CHECK(Error(ParseChunkIdPath(std::string(62, 'a'))).rfind("id:", 0) == 0);
    CHECK(Error(ParseChunkIdPath(std::string(64, 'g'))).rfind("id:", 0) == 0);
    CHECK(!ParseChunkIdPath("").ok());
  }
}
}  // namespace tern::core::http
