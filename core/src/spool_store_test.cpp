// Unit tests of SpoolStore: idempotent puts, urgency order, data, index with t_last.
#include "tern/core/spool_store.h"

#include <doctest/doctest.h>

#include "store_test_util.h"
#include "tern/core/holder_index.h"

namespace tern::core {
TEST_SUITE("spool_store") {
  TEST_CASE("spooled chunks come most urgent first, oldest first within a class") {
    testing_stores::StoreDb s;
    auto sp = SpoolStore::Open(*s.db, s.Clock()).value();
    ChunkHeader bulk, alarm;
    bulk.priority = Priority::kBulk;
    bulk.origin = 4;
    alarm.priority = Priority::kAlarm;
    alarm.origin = 5;
    s.now = 1;
    REQUIRE(sp->Put(std::string(32, 'a'), bulk, "wire-a").ok());
    s.now = 2;
    REQUIRE(sp->Put(std::string(32, 'b'), alarm, "wire-b").ok());
    s.now = 3;
    REQUIRE(sp->Put(std::string(32, 'c'), bulk, "wire-c").ok());
    REQUIRE(sp->Put(std::string(32, 'a'), bulk, "other").ok());  // idempotent
    CHECK(sp->Depth().value() == 3);
    auto next = sp->Next(2).value();
    REQUIRE(next.size() == 2);
    CHECK(next[0] == std::pair<ChunkId, std::string>{std::string(32, 'b'), "wire-b"});
    CHECK(next[1].first == std::string(32, 'a'));
    CHECK(sp->Data(std::string(32, 'a')).value() == std::optional<std::string>("wire-a"));
    REQUIRE(sp->Remove(std::string(32, 'a')).ok());
    CHECK_FALSE(sp->Data(std::string(32, 'a')).value().has_value());
    CHECK(sp->Depth().value() == 2);
  }

  TEST_CASE("the index lists scheduling facts oldest first, t_last from the manifest") {
    testing_stores::StoreDb s;
    auto sp = SpoolStore::Open(*s.db, s.Clock()).value();
    auto hi = HolderIndex::Open(*s.db, s.Clock()).value();
    StoredNotice n;
    n.id = std::string(32, 'b');
    n.t_last = 777;
    n.holder = 1;
    REQUIRE(hi->RecordHolder(n).ok());
    ChunkHeader h;
    h.priority = Priority::kHigh;
    h.origin = 9;
    s.now = 5;
    REQUIRE(sp->Put(std::string(32, 'a'), h, "12345").ok());
    s.now = 6;
    REQUIRE(sp->Put(std::string(32, 'b'), h, "xy").ok());
    auto idx = sp->Index().value();
    REQUIRE(idx.size() == 2);
    CHECK(idx[0].id == std::string(32, 'a'));
    CHECK(idx[0].origin == 9);
    CHECK(idx[0].priority == static_cast<int>(Priority::kHigh));
    CHECK(idx[0].bytes == 5);
    CHECK(idx[0].t_last == 0);  // no manifest row
    CHECK(idx[1].t_last == 777);
  }
}
}  // namespace tern::core
