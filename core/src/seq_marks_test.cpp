// Unit tests of SeqMarks: marks only go up, an acked (origin, source, seq) is found under
// another id, and the migration fills the marks of chunks known before.
#include "tern/core/seq_marks.h"

#include <doctest/doctest.h>

#include "store_test_util.h"
#include "tern/core/holder_index.h"

namespace tern::core {
namespace {
StoredNotice Notice(char c, uint32_t origin, const std::string& source, uint64_t seq) {
  StoredNotice n;
  n.id = std::string(32, c);
  n.holder = origin;
  n.origin = origin;
  n.source = source;
  n.seq = seq;
  return n;
}
}  // namespace

TEST_SUITE("seq_marks") {
  TEST_CASE("marks only go up, whatever order uplinks and acks come in") {
    testing_stores::StoreDb s;
    SeqMarks marks(*s.db);
    CHECK(marks.Of(1).value().empty());
    REQUIRE(marks.Uplinked(1, "vib", 7, 700).ok());
    REQUIRE(marks.Uplinked(1, "vib", 3, 300).ok());  // a resend of an older chunk
    REQUIRE(marks.Acked(1, "vib", 5).ok());
    REQUIRE(marks.Acked(1, "vib", 2).ok());  // acks out of order
    REQUIRE(marks.Uplinked(2, "vib", 1, 10).ok());
    auto m = marks.Of(1).value();
    REQUIRE(m.size() == 1);
    CHECK(m[0].source == "vib");
    CHECK(m[0].acked_seq == 5);
    CHECK(m[0].next_chunk == 8);
    CHECK(m[0].next_record == 700);
    REQUIRE(marks.Acked(1, "cam", 0).ok());  // acked before any uplink mark (a migration)
    m = marks.Of(1).value();
    REQUIRE(m.size() == 2);
    CHECK(m[0].source == "cam");
    CHECK(m[0].acked_seq == 0);
    CHECK(m[0].next_chunk == 1);
    CHECK(marks.Of(2).value()[0].acked_seq == -1);  // uplinked, never acked
  }

  TEST_CASE("an acked (origin, source, seq) is found under another id, not under its own") {
    testing_stores::StoreDb s;
    auto h = HolderIndex::Open(*s.db, s.Clock()).value();
    SeqMarks marks(*s.db);
    REQUIRE(h->RecordHolder(Notice('a', 1, "vib", 4)).ok());
    CHECK_FALSE(marks.AckedOther(1, "vib", 4, std::string(32, 'b')).value().has_value());
    REQUIRE(h->MarkAcked(std::string(32, 'a')).ok());
    auto other = marks.AckedOther(1, "vib", 4, std::string(32, 'b')).value();
    REQUIRE(other.has_value());
    CHECK(*other == std::string(32, 'a'));
    CHECK_FALSE(marks.AckedOther(1, "vib", 4, std::string(32, 'a')).value().has_value());
    CHECK_FALSE(marks.AckedOther(2, "vib", 4, std::string(32, 'b')).value().has_value());
    CHECK_FALSE(marks.AckedOther(1, "cam", 4, std::string(32, 'b')).value().has_value());
    CHECK_FALSE(marks.AckedOther(1, "vib", 5, std::string(32, 'b')).value().has_value());
  }

  TEST_CASE("the migration fills the marks of the chunks known before it") {
    testing::TempDir dir("seqmig");
    {
      auto db = Database::Open(dir / "core.db").value();
      // The steps before the one that brings seq_marks (v6): v1..v5.
      std::vector<std::string> old(Manifest::Schema().begin(), Manifest::Schema().begin() + 5);
      REQUIRE(db->Migrate(old).ok());
      auto h = HolderIndex::Open(*db, [] { return int64_t{1}; }).value();
      REQUIRE(h->RecordHolder(Notice('a', 1, "vib", 4)).ok());
      REQUIRE(h->RecordHolder(Notice('b', 1, "vib", 9)).ok());
      REQUIRE(h->MarkAcked(std::string(32, 'a')).ok());
    }
    auto m = Manifest::Open(dir / "core.db").value();
    auto marks = m->seq_marks().Of(1).value();
    REQUIRE(marks.size() == 1);
    CHECK(marks[0].acked_seq == 4);
    CHECK(marks[0].next_chunk == 10);
    CHECK(marks[0].next_record == 0);
  }
}

}  // namespace tern::core
