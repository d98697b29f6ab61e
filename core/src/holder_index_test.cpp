// Unit tests of HolderIndex: chunk metadata, holders, flags, range and prefix queries.
#include "tern/core/holder_index.h"

#include <doctest/doctest.h>

#include "store_test_util.h"

namespace tern::core {
namespace {
StoredNotice Notice(char c, uint32_t holder, uint32_t origin, uint64_t seq, uint64_t t0,
                    uint64_t t1, const std::string& source = "vib") {
  StoredNotice n;
  n.id = std::string(32, c);
  n.holder = holder;
  n.origin = origin;
  n.source = source;
  n.seq = seq;
  n.t_first = t0;
  n.t_last = t1;
  n.records = 7;
  n.bytes = 99;
  n.kind = 0;
  n.priority = 2;
  return n;
}
}  // namespace

TEST_SUITE("holder_index") {
  TEST_CASE("the first statement's metadata wins, holders come oldest first, once each") {
    testing_stores::StoreDb s;
    auto h = HolderIndex::Open(*s.db, s.Clock()).value();
    s.now = 10;
    REQUIRE(h->RecordHolder(Notice('a', 3, 1, 5, 100, 200)).ok());
    s.now = 20;
    auto again = Notice('a', 1, 1, 5, 100, 200);
    again.records = 1000;  // ignored: the chunk is known
    REQUIRE(again.records != 7);
    REQUIRE(h->RecordHolder(again).ok());
    REQUIRE(h->RecordHolder(again).ok());
    auto c = h->Chunk(std::string(32, 'a')).value();
    REQUIRE(c.has_value());
    CHECK(c->records == 7);
    CHECK(c->holders == std::vector<uint32_t>{3, 1});
    CHECK_FALSE(c->spooled);
    CHECK_FALSE(c->acked);
    REQUIRE(h->MarkSpooled(c->id).ok());
    REQUIRE(h->MarkAcked(c->id).ok());
    c = h->Chunk(c->id).value();
    CHECK(c->spooled);
    CHECK(c->acked);
    REQUIRE(h->RemoveHolder(c->id, 3).ok());
    CHECK(h->Holders(c->id).value() == std::vector<uint32_t>{1});
    CHECK_FALSE(h->Chunk(std::string(32, 'z')).value().has_value());
    CHECK(h->Holders(std::string(32, 'z')).value().empty());
  }

  TEST_CASE("Find filters by source, origin and time overlap, orders and limits") {
    testing_stores::StoreDb s;
    auto h = HolderIndex::Open(*s.db, s.Clock()).value();
    REQUIRE(h->RecordHolder(Notice('c', 1, 2, 1, 100, 199)).ok());
    REQUIRE(h->RecordHolder(Notice('b', 1, 1, 2, 200, 299)).ok());
    REQUIRE(h->RecordHolder(Notice('a', 1, 1, 1, 100, 199)).ok());
    REQUIRE(h->RecordHolder(Notice('d', 1, 1, 3, 100, 199, "temp")).ok());
    auto all = h->Find("vib", 0, 0, UINT64_MAX).value();
    REQUIRE(all.size() == 3);
    CHECK(all[0].id == std::string(32, 'a'));  // origin 1 seq 1
    CHECK(all[1].id == std::string(32, 'b'));
    CHECK(all[2].id == std::string(32, 'c'));
    CHECK(all[0].holders == std::vector<uint32_t>{1});
    CHECK(h->Find("vib", 1, 0, UINT64_MAX).value().size() == 2);
    CHECK(h->Find("vib", 0, 250, 260).value().size() == 1);
    CHECK(h->Find("vib", 0, 300, 400).value().empty());
    // A lower bound past INT64_MAX saturates like the upper one instead of wrapping to a
    // negative stamp that matched everything (found by the http_query fuzz target).
    CHECK(h->Find("vib", 0, (uint64_t{1} << 63) + 5, UINT64_MAX).value().empty());
    auto two = h->Find("vib", 0, 0, UINT64_MAX, 2).value();
    REQUIRE(two.size() == 2);
    CHECK(two[1].id == std::string(32, 'b'));
    CHECK(h->Count().value() == 4);
    auto none = h->AckedTotals(1).value();
    CHECK(none.chunks == 0);
    REQUIRE(h->MarkAcked(std::string(32, 'a')).ok());
    REQUIRE(h->MarkAcked(std::string(32, 'b')).ok());
    REQUIRE(h->MarkAcked(std::string(32, 'c')).ok());  // origin 2
    auto acked = h->AckedTotals(1).value();
    CHECK(acked.chunks == 2);
    CHECK(acked.records == 14);
    CHECK(acked.bytes == 198);
    auto every = h->All().value();
    REQUIRE(every.size() == 4);
    CHECK(every[0].source == "temp");  // origin 1: temp sorts before vib
  }

  TEST_CASE("IdsBetween finds the ids a prefix range covers, bounded") {
    testing_stores::StoreDb s;
    auto h = HolderIndex::Open(*s.db, s.Clock()).value();
    for (char c : {'a', 'b', 'c'})
      REQUIRE(h->RecordHolder(Notice(c, 1, 1, static_cast<uint64_t>(c - 'a' + 1), 1, 2)).ok());
    auto ids = h->IdsBetween(std::string(32, 'a'), std::string(32, 'b'), 10).value();
    CHECK(ids == std::vector<ChunkId>{std::string(32, 'a'), std::string(32, 'b')});
    CHECK(h->IdsBetween(std::string(32, 'a'), std::string(32, 'c'), 1).value().size() == 1);
    CHECK(h->IdsBetween(std::string(32, 'x'), std::string(32, 'y'), 10).value().empty());
  }

  TEST_CASE("one holder's chunks are listed by id and all its rows removed at once") {
    testing_stores::StoreDb s;
    auto h = HolderIndex::Open(*s.db, s.Clock()).value();
    REQUIRE(h->RecordHolder(Notice('b', 3, 1, 2, 100, 200)).ok());
    REQUIRE(h->RecordHolder(Notice('a', 3, 1, 1, 100, 200)).ok());
    REQUIRE(h->RecordHolder(Notice('a', 4, 1, 1, 100, 200)).ok());
    CHECK(h->HeldBy(3).value() == std::vector<ChunkId>{std::string(32, 'a'), std::string(32, 'b')});
    CHECK(h->HeldBy(9).value().empty());
    CHECK(h->RemoveAllOf(3).value() == 2);
    CHECK(h->HeldBy(3).value().empty());
    CHECK(h->Holders(std::string(32, 'a')).value() == std::vector<uint32_t>{4});
  }
}
}  // namespace tern::core
