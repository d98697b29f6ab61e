#include "holder_ledger.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <initializer_list>
#include <vector>

#include "core_testing.h"

namespace tern::core {

namespace {
// A core with the named stores registered (addresses in n, in order) and a ledger over them.
struct LedgerSite {
  explicit LedgerSite(std::initializer_list<const char*> names) {
    for (const char* name : names) {
      n.push_back(t.Register(name));
      members.Add(n.back(), name);
    }
  }
  testing::TestDb t;
  Metrics m;
  Membership members{3000, 10000};
  uint32_t core = t.Register("core");
  std::vector<uint32_t> n;
  AckPolicy policy{3, core, Topics(), &m, &members};
  ResultPlacer placer{3, 3000, core, Topics(), &m};
  HolderLedger ledger{t.db.get(), &members, &policy, &placer, &m};
};
}  // namespace

TEST_SUITE("holder_ledger") {
  TEST_CASE("stored notices from registered stores add holders, three settle into one ack") {
    LedgerSite site({"a", "b", "c", "d"});
    auto& [t, m, members, core, n, policy, placer, ledger] = site;
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
    Batch b4;
    ledger.OnDropped(d, n[3], tp.Stored("d"), b4);
    ledger.Settle(b4, 0);
    CHECK(b4.outgoing().empty());
    CHECK(t.db->Holders(c.id).value().size() == 3);
    CHECK(policy.excess_pending() == 0);
  }

  TEST_CASE("a lost delete or a lost dropped notice is repaired by the retry sweep") {
    LedgerSite site({"a", "b", "c", "d"});
    auto& [t, m, members, core, n, policy, placer, ledger] = site;
    const Topics tp;
    auto c = testing::MakeChunk(n[0], 1);
    REQUIRE(t.db->RecordHolder(c.NoticeBy(n[0])).ok());
    REQUIRE(t.db->Spool(c.id, c.header, c.wire).ok());
    Batch b1;
    for (size_t i = 1; i < 4; ++i) {
      ledger.OnStored(msg::Stored(c.NoticeBy(n[i])), n[i], tp.Stored(members.NameOf(n[i])), b1);
    }
    const uint64_t t0 = 1000000;
    ledger.Settle(b1, t0);
    // The ack to a, and the delete to d (newest non-origin holder): d is killed before it
    // acts on it. Nothing more is said about the chunk.
    REQUIRE(b1.outgoing().size() == 2);
    CHECK(b1.outgoing()[1].topic == tp.Down("d"));
    auto deletes_to_d = [&](Batch& b) {
      int k = 0;
      for (const auto& o : b.outgoing()) k += o.topic == tp.Down("d") ? 1 : 0;
      return k;
    };
    Batch quiet;
    ledger.Settle(quiet, t0 + AckPolicy::kDeleteRetryMs / 2);
    CHECK(quiet.outgoing().empty());  // not due yet
    Batch retry1;
    ledger.Settle(retry1, t0 + AckPolicy::kDeleteRetryMs + HolderLedger::kSweepEveryMs);
    CHECK(deletes_to_d(retry1) == 1);  // asked again
    CHECK(m.Get("excess_delete_retries") == 1);
    // d drops it this time, but is killed before its `dropped` notice goes out: the manifest
    // keeps d as a (phantom) holder. The next retry asks d again; d answers `dropped` for a
    // copy it no longer has, and the holder goes.
    Batch retry2;
    ledger.Settle(retry2, t0 + 2 * AckPolicy::kDeleteRetryMs + 2 * HolderLedger::kSweepEveryMs);
    CHECK(deletes_to_d(retry2) == 1);
    CHECK(t.db->Holders(c.id).value().size() == 4);
    msg::Dropped d;
    d.id = c.id;
    d.holder = n[3];
    Batch dropped;
    ledger.OnDropped(d, n[3], tp.Stored("d"), dropped);
    ledger.Settle(dropped, t0 + 2 * AckPolicy::kDeleteRetryMs + 2 * HolderLedger::kSweepEveryMs);
    CHECK(dropped.outgoing().empty());
    auto holders = t.db->Holders(c.id).value();
    CHECK(holders.size() == 3);
    CHECK(std::find(holders.begin(), holders.end(), n[3]) == holders.end());
    CHECK(policy.excess_pending() == 0);
    Batch after;
    ledger.Settle(after, t0 + 10 * AckPolicy::kDeleteRetryMs);
    CHECK(after.outgoing().empty());
    CHECK(m.Get("excess_delete_retries") == 2);
  }

  TEST_CASE("a phantom holder that another drop left behind is asked to go when that drop lands") {
    LedgerSite site({"a", "b", "c", "d", "e"});
    auto& [t, m, members, core, n, policy, placer, ledger] = site;
    const Topics tp;
    auto c = testing::MakeChunk(n[0], 1);
    REQUIRE(t.db->RecordHolder(c.NoticeBy(n[0])).ok());
    REQUIRE(t.db->Spool(c.id, c.header, c.wire).ok());
    Batch b1;
    for (size_t i = 1; i < 4; ++i) {
      ledger.OnStored(msg::Stored(c.NoticeBy(n[i])), n[i], tp.Stored(members.NameOf(n[i])), b1);
    }
    ledger.Settle(b1, 0);
    REQUIRE(b1.outgoing().size() == 2);
    CHECK(b1.outgoing()[1].topic == tp.Down("d"));
    // d drops its copy; its `dropped` is lost with a kill. Then e stores one more copy: now e
    // is the newest, and gets the (retried) delete.
    Batch b2;
    ledger.OnStored(msg::Stored(c.NoticeBy(n[4])), n[4], tp.Stored("e"), b2);
    ledger.Settle(b2, AckPolicy::kDeleteRetryMs);
    REQUIRE(b2.outgoing().size() == 1);
    CHECK(b2.outgoing()[0].topic == tp.Down("e"));
    // e's `dropped` lands: the chunk is settled again and d (still listed) is asked to go.
    msg::Dropped de;
    de.id = c.id;
    de.holder = n[4];
    Batch b3;
    ledger.OnDropped(de, n[4], tp.Stored("e"), b3);
    ledger.Settle(b3, AckPolicy::kDeleteRetryMs + 1);
    REQUIRE(b3.outgoing().size() == 1);
    CHECK(b3.outgoing()[0].topic == tp.Down("d"));
    msg::Dropped dd;
    dd.id = c.id;
    dd.holder = n[3];
    Batch b4;
    ledger.OnDropped(dd, n[3], tp.Stored("d"), b4);
    ledger.Settle(b4, AckPolicy::kDeleteRetryMs + 2);
    CHECK(b4.outgoing().empty());
    CHECK(t.db->Holders(c.id).value().size() == 3);
    CHECK(policy.excess_pending() == 0);
  }
}
}  // namespace tern::core
