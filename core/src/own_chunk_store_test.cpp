// Unit tests of OwnChunkStore: insert, placement drops the wire, unplaced wires, the marks a
// source resumes at.
#include "tern/core/own_chunk_store.h"

#include <doctest/doctest.h>

#include "store_test_util.h"

namespace tern::core {
namespace {
OwnChunkRow Row(char id, const std::string& source, uint64_t seq, uint64_t rec_first,
                uint32_t records, uint64_t t_last) {
  OwnChunkRow r;
  r.id = std::string(32, id);
  r.source = source;
  r.seq = seq;
  r.rec_first = rec_first;
  r.records = records;
  r.t_first = t_last - 1;
  r.t_last = t_last;
  r.wire = std::string("wire-") + id;
  return r;
}
}  // namespace

TEST_SUITE("own_chunk_store") {
  TEST_CASE("placement drops the wire, and the marks resume above every chunk") {
    testing_stores::StoreDb s;
    OwnChunkStore st(*s.db, s.Clock());
    auto none = st.Marks("board");
    REQUIRE(none.ok());
    CHECK(none->next_seq == 0);
    CHECK(none->next_record == 0);
    CHECK(none->last_stamp == 0);

    REQUIRE(st.Insert(Row('a', "board", 0, 0, 3, 500)).ok());
    REQUIRE(st.Insert(Row('b', "board", 1, 3, 2, 900)).ok());
    REQUIRE(st.Insert(Row('c', "other", 7, 40, 1, 9999)).ok());
    REQUIRE(st.Insert(Row('a', "board", 5, 5, 5, 5)).ok());  // known id: unchanged

    auto m = st.Marks("board");
    REQUIRE(m.ok());
    CHECK(m->next_seq == 2);
    CHECK(m->next_record == 5);
    CHECK(m->last_stamp == 900);

    auto un = st.Unplaced();
    REQUIRE(un.ok());
    REQUIRE(un->size() == 3);
    CHECK((*un)[0].first == std::string(32, 'a'));
    CHECK((*un)[0].second == "wire-a");
    REQUIRE(st.MarkPlaced(std::string(32, 'a')).ok());
    REQUIRE(st.MarkPlaced(std::string(32, 'z')).ok());  // unknown: OK
    un = st.Unplaced();
    REQUIRE(un.ok());
    CHECK(un->size() == 2);
    // A placed row still counts for the marks: numbers never go back.
    CHECK(st.Marks("board")->next_seq == 2);
  }
}

}  // namespace tern::core
