#include "holder_ledger.h"

#include <doctest/doctest.h>

#include "core_testing.h"

namespace tern::core {

TEST_SUITE("holder_ledger") {
  TEST_CASE("stored notices from registered stores add holders, three settle into one ack") {
    testing::TestDb t;
    Metrics m;
    Membership members(3000, 10000);
    uint32_t core = t.Register("core");
    std::vector<uint32_t> n;
    for (const char* name : {"a", "b", "c", "d"}) {
      n.push_back(t.Register(name));
      members.Add(n.back(), name);
    }
    AckPolicy policy(3, core, Topics(), &m, &members);
    ResultPlacer placer(3, 3000, core, Topics(), &m);
    HolderLedger ledger(t.db.get(), &members, &policy, &placer, &m);
    auto c = testing::MakeChunk(n[0], 1);
    REQUIRE(t.db->RecordHolder(c.NoticeBy(n[0])).ok());
    REQUIRE(t.db->Spool(c.id, c.header, c.wire).ok());
    Batch b1;
    const Topics tp;
    ledger.OnStored(msg::Stored(c.NoticeBy(n[1])), n[1], tp.Stored("b"), b1);
    ledger.OnStored(msg::Stored(c.NoticeBy(9999)), 0, tp.Stored("x"), b1);  // a stranger
    ledger.Settle(b1, 0);
    CHECK(b1.outgoing().empty());
    CHECK(m.Get("rejected_stored") == 1);
    Batch b2;
    ledger.OnStored(msg::Stored(c.NoticeBy(n[2])), n[2], tp.Stored("c"), b2);
    ledger.Settle(b2, 0);
    REQUIRE(b2.outgoing().size() == 1);
    CHECK(b2.outgoing()[0].topic == tp.Down("a"));
    CHECK(t.db->Chunk(c.id).value()->acked);
    // A fourth holder is one too many; its drop confirmation removes it.
    Batch b3;
    ledger.OnStored(msg::Stored(c.NoticeBy(n[3])), n[3], tp.Stored("d"), b3);
    ledger.Settle(b3, 0);
    REQUIRE(b3.outgoing().size() == 1);
    CHECK(b3.outgoing()[0].topic == tp.Down("d"));
    msg::Dropped d;
    d.id = c.id;
    d.holder = n[3];
    ledger.OnDropped(d, n[3], tp.Stored("d"));
    CHECK(t.db->Holders(c.id).value().size() == 3);
    CHECK(policy.excess_pending() == 0);
  }
}
}  // namespace tern::core
