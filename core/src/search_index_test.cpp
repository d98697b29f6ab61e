// Unit tests of SearchIndex: what a doc is found by (tag, source, origin, kind, notes), the
// time window, the order and limit, idempotent adds, and bad queries as InvalidArgument.
#include "tern/core/search_index.h"

#include <doctest/doctest.h>

#include "store_test_util.h"

namespace tern::core {
namespace {

SearchDoc Chunk(char id, const std::string& source, std::vector<std::string> tags, uint64_t t0,
                uint64_t t1) {
  ChunkHeader h;
  h.source = source;
  h.kind = RecordKind::kSamples;
  h.priority = Priority::kNormal;
  h.tags = std::move(tags);
  h.t_first = t0;
  h.t_last = t1;
  return SearchIndex::ForChunk(std::string(32, id), h, "edge-1");
}

std::string Ids(const Result<std::vector<SearchDoc>>& r) {
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  std::string s;
  for (const auto& d : *r) s += d.id[0];
  return s;
}

}  // namespace

TEST_SUITE("search_index") {
  TEST_CASE("found by tag, source, origin, kind and notes, newest first") {
    testing_stores::StoreDb s;
    SearchIndex idx(*s.db);
    REQUIRE(idx.Add(Chunk('a', "vib", {"bearing", "line2"}, 100, 200)).ok());
    REQUIRE(idx.Add(Chunk('b', "vib", {"line2"}, 300, 400)).ok());
    REQUIRE(idx.Add(Chunk('c', "feed", {}, 500, 600)).ok());
    SearchDoc r = Chunk('r', "r/1/vib/stats", {"bearing", "line2"}, 100, 200);
    r.kind = "result";
    r.priority = "alarm";
    r.notes = SearchIndex::ResultNotes("stats", 3);
    REQUIRE(idx.Add(r).ok());
    SearchQuery q;
    q.match = "bearing AND line2";
    CHECK(Ids(idx.Find(q)) == "ra");  // the same t_last: the later added first
    q.match = "line2";
    CHECK(Ids(idx.Find(q)) == "bra");
    q.match = "source:vib";  // the result's source r/1/vib/stats holds the word too
    CHECK(Ids(idx.Find(q)) == "bra");
    q.match = "source:feed";
    CHECK(Ids(idx.Find(q)) == "c");
    q.match = "origin:\"edge-1\" AND kind:samples";
    CHECK(Ids(idx.Find(q)) == "cba");
    q.match = "notes:anomalies";
    CHECK(Ids(idx.Find(q)) == "r");
    q.match = "alarm";
    CHECK(Ids(idx.Find(q)) == "r");
    q.match = "bear*";
    CHECK(Ids(idx.Find(q)) == "ra");
    q.match = "line2 NOT bearing";
    CHECK(Ids(idx.Find(q)) == "b");
    q.match = "nothing";
    CHECK(Ids(idx.Find(q)).empty());
  }

  TEST_CASE("the time window and the limit") {
    testing_stores::StoreDb s;
    SearchIndex idx(*s.db);
    for (char c = 'a'; c <= 'e'; ++c) {
      const uint64_t t = 1000 * static_cast<uint64_t>(c - 'a' + 1);
      REQUIRE(idx.Add(Chunk(c, "vib", {"x"}, t, t + 500)).ok());
    }
    SearchQuery q;
    q.match = "x";
    q.from = 2200;  // overlaps b (2000..2500) and later
    q.to = 3100;    // up to c (3000..3500)
    CHECK(Ids(idx.Find(q)) == "cb");
    q.from = 0;
    q.to = std::numeric_limits<int64_t>::max();
    q.limit = 2;
    CHECK(Ids(idx.Find(q)) == "ed");
  }

  TEST_CASE("adding an indexed id again changes nothing") {
    testing_stores::StoreDb s;
    SearchIndex idx(*s.db);
    REQUIRE(idx.Add(Chunk('a', "vib", {"x"}, 1, 2)).ok());
    REQUIRE(idx.Add(Chunk('a', "vib", {"y"}, 1, 2)).ok());
    SearchQuery q;
    q.match = "x";
    CHECK(Ids(idx.Find(q)) == "a");
    q.match = "y";
    CHECK(Ids(idx.Find(q)).empty());
  }

  TEST_CASE("a bad query is InvalidArgument naming the problem, never an I/O error") {
    testing_stores::StoreDb s;
    SearchIndex idx(*s.db);
    REQUIRE(idx.Add(Chunk('a', "vib", {"x"}, 1, 2)).ok());
    for (const char* bad : {"AND (", "\"unterminated", "nosuchcolumn:x", "NOT", ")", ""}) {
      SearchQuery q;
      q.match = bad;
      auto r = idx.Find(q);
      REQUIRE_MESSAGE(!r.ok(), bad);
      CHECK_MESSAGE(r.status().code() == Status::Code::kInvalidArgument, bad);
      CHECK_MESSAGE(r.status().message().rfind("q: ", 0) == 0, r.status().message());
    }
    SearchQuery q;
    q.match = "nosuchcolumn:x";
    CHECK(idx.Find(q).status().message().find("no such column: nosuchcolumn") != std::string::npos);
    q.match = "x";  // the index still answers afterwards
    CHECK(Ids(idx.Find(q)) == "a");
  }

  TEST_CASE("result notes") {
    CHECK(SearchIndex::ResultNotes("stats", 0) == "processor stats anomalies 0");
    CHECK(SearchIndex::ResultNotes("zscore", 2) == "processor zscore anomalies 2 alarm");
  }
}

}  // namespace tern::core
