// Unit tests of ResultStore: insert with links, placement, unplaced wires, queries.
#include "tern/core/result_store.h"

#include <doctest/doctest.h>

#include "store_test_util.h"

namespace tern::core {
namespace {
ResultRow Row(char id, uint32_t origin, const std::string& source, uint64_t t0, uint64_t t1,
              int anomalies, std::vector<char> sources) {
  ResultRow r;
  r.id = std::string(32, id);
  r.origin = origin;
  r.source = source;
  r.processor = "stats";
  r.t_first = t0;
  r.t_last = t1;
  r.anomalies = anomalies;
  r.summary = R"({"n":1})";
  r.wire = std::string("wire-") + id;
  for (char c : sources) r.sources.push_back(std::string(32, c));
  return r;
}
}  // namespace

TEST_SUITE("result_store") {
  TEST_CASE("links go both ways, placement drops the wire") {
    testing_stores::StoreDb s;
    ResultStore rs(*s.db, s.Clock());
    REQUIRE(rs.Insert(Row('r', 1, "vib", 100, 200, 2, {'b', 'a'})).ok());
    REQUIRE(rs.Insert(Row('s', 1, "vib", 300, 400, 0, {'a'})).ok());
    REQUIRE(rs.Insert(Row('r', 1, "vib", 0, 0, 0, {})).ok());  // known id: unchanged
    CHECK(rs.SourcesOf(std::string(32, 'r')).value() ==
          std::vector<ChunkId>{std::string(32, 'a'), std::string(32, 'b')});
    CHECK(rs.ResultsOf(std::string(32, 'a')).value() ==
          std::vector<ChunkId>{std::string(32, 'r'), std::string(32, 's')});
    CHECK(rs.ResultsOf(std::string(32, 'z')).value().empty());
    CHECK(rs.Unplaced().value().size() == 2);
    REQUIRE(rs.MarkPlaced(std::string(32, 'r')).ok());
    auto left = rs.Unplaced().value();
    REQUIRE(left.size() == 1);
    CHECK(left[0] == std::pair<ChunkId, std::string>{std::string(32, 's'), "wire-s"});
  }

  TEST_CASE("Query filters by source, origin, time and anomalies, newest first, limited") {
    testing_stores::StoreDb s;
    ResultStore rs(*s.db, s.Clock());
    s.now = 77;
    REQUIRE(rs.Insert(Row('r', 1, "vib", 100, 200, 2, {'a'})).ok());
    s.now = 78;
    REQUIRE(rs.Insert(Row('s', 2, "vib", 300, 400, 0, {'c'})).ok());
    REQUIRE(rs.Insert(Row('t', 1, "temp", 500, 600, 1, {})).ok());
    REQUIRE(rs.MarkPlaced(std::string(32, 'r')).ok());
    auto all = rs.Query({}).value();
    REQUIRE(all.size() == 3);
    CHECK(all[0].id == std::string(32, 't'));
    CHECK(all[2].id == std::string(32, 'r'));
    CHECK(all[2].created_ms == 77);
    CHECK(all[2].placed);
    CHECK_FALSE(all[1].placed);
    CHECK(all[2].anomalies == 2);
    CHECK(all[2].summary == R"({"n":1})");
    CHECK(all[2].sources == std::vector<ChunkId>{std::string(32, 'a')});
    ResultQuery q;
    q.source = "vib";
    CHECK(rs.Query(q).value().size() == 2);
    q.origin = 2;
    CHECK(rs.Query(q).value().size() == 1);
    q = {};
    q.anomalies_only = true;
    CHECK(rs.Query(q).value().size() == 2);
    q = {};
    q.from = 150;
    q.to = 350;
    CHECK(rs.Query(q).value().size() == 2);
    q.from = (uint64_t{1} << 63) + 5;  // saturates, no longer wraps to match everything
    q.to = UINT64_MAX;
    CHECK(rs.Query(q).value().empty());
    q = {};
    q.limit = 1;
    auto one = rs.Query(q).value();
    REQUIRE(one.size() == 1);
    CHECK(one[0].id == std::string(32, 't'));
  }
}
}  // namespace tern::core
