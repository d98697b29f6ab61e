#include "ack_policy.h"

#include <doctest/doctest.h>

#include "tern/common/messages.h"

namespace tern::core {
namespace {
constexpr uint32_t kCore = 1;
ChunkRecord Rec(uint32_t origin, std::vector<uint32_t> holders, bool spooled, bool acked) {
  ChunkRecord r;
  r.id = std::string(32, 'c');
  r.origin = origin;
  r.holders = std::move(holders);
  r.spooled = spooled;
  r.acked = acked;
  return r;
}
}  // namespace

TEST_SUITE("ack_policy") {
  TEST_CASE("an edge's chunk is acked once spooled with three holders, and again on a resend") {
    Metrics m;
    Membership strangers(3000, 10000);  // names unknown: down/<address>
    AckPolicy p(3, kCore, Topics(), &m, &strangers);
    CHECK(p.Settle(Rec(7, {7, 8, 9}, false, false), false, false, 0).out.empty());  // no uplink yet
    CHECK(p.Settle(Rec(7, {7, 8}, true, false), false, false, 0).out.empty());      // two holders
    auto s = p.Settle(Rec(7, {7, 8, 9}, true, false), false, false, 0);
    CHECK(s.first_ack);
    REQUIRE(s.out.size() == 1);
    CHECK(s.out[0].topic == "tern/down/7");
    auto ack = msg::DecodeText<msg::Ack>(s.out[0].payload);
    REQUIRE(ack.ok());
    CHECK(ack->holders == std::vector<uint32_t>{7, 8, 9});
    CHECK(p.Settle(Rec(7, {7, 8, 9}, false, true), false, false, 0).out.empty());  // acked before
    auto again = p.Settle(Rec(7, {7, 8, 9}, false, true), false, /*reack=*/true, 0);
    CHECK_FALSE(again.first_ack);
    CHECK(again.out.size() == 1);
    CHECK(m.Get("acks") == 1);
    CHECK(m.Get("acks_repeated") == 1);
  }

  TEST_CASE("an excess copy is deleted from the newest non-origin holder, once per 10 s") {
    Metrics m;
    Membership strangers(3000, 10000);  // names unknown: down/<address>
    AckPolicy p(3, kCore, Topics(), &m, &strangers);
    auto s = p.Settle(Rec(7, {8, 9, 10, 7}, false, true), false, false, 100);
    REQUIRE(s.out.size() == 1);
    CHECK(s.out[0].topic == "tern/down/10");  // 7 is newest but the origin
    CHECK(msg::DecodeText<msg::Delete>(s.out[0].payload).ok());
    CHECK(p.excess_pending() == 1);
    CHECK(p.Settle(Rec(7, {8, 9, 10, 7}, false, true), false, false, 5000).out.empty());
    CHECK(p.Settle(Rec(7, {8, 9, 10, 7}, false, true), false, false, 10100).out.size() == 1);
    p.OnDropped(std::string(32, 'c'));
    CHECK(p.excess_pending() == 0);
    CHECK(m.Get("excess_copies_found") == 2);
    CHECK(m.Get("excess_copies_removed") == 1);
    // Not acked yet: no delete, whatever the holders.
    CHECK(p.Settle(Rec(7, {8, 9, 10, 11}, false, false), false, false, 0).out.empty());
  }

  TEST_CASE("a result is placed at three holders and never acked") {
    Metrics m;
    Membership strangers(3000, 10000);  // names unknown: down/<address>
    AckPolicy p(3, kCore, Topics(), &m, &strangers);
    CHECK_FALSE(p.Settle(Rec(kCore, {7, 8}, false, false), true, false, 0).placed);
    auto s = p.Settle(Rec(kCore, {7, 8, 9}, false, false), true, false, 0);
    CHECK(s.placed);
    CHECK(s.out.empty());
    CHECK(m.Get("results_placed") == 1);
    auto extra = p.Settle(Rec(kCore, {7, 8, 9, 6}, false, false), false, false, 0);
    REQUIRE(extra.out.size() == 1);
    CHECK(extra.out[0].topic == "tern/down/6");
    CHECK(p.Settle(Rec(kCore, {7, 8, 9, 5}, false, false), true, false, 0).placed);
  }

  TEST_CASE("a repair copy beside a dead holder is kept, and the dead one is excess on return") {
    Metrics m;
    Membership members(3000, 10000);
    for (uint32_t a : {7u, 8u, 9u, 10u}) {
      members.Add(a, "n" + std::to_string(a));
      (void)members.OnHeartbeat(a, msg::Heartbeat{}, 0);
    }
    (void)members.CheckLiveness(4000);  // 7..10 silent: suspect
    (void)members.OnHeartbeat(7, msg::Heartbeat{}, 4000);
    (void)members.OnHeartbeat(8, msg::Heartbeat{}, 4000);
    (void)members.OnHeartbeat(10, msg::Heartbeat{}, 4000);
    (void)members.CheckLiveness(20000);  // 9 dead
    REQUIRE(members.Find(9)->state == NodeState::kDead);
    AckPolicy p(3, kCore, Topics(), &m, &members);
    // 10 is the repair copy, newest: three good copies, nothing to delete.
    CHECK(p.Settle(Rec(7, {7, 8, 9, 10}, false, true), false, false, 0).out.empty());
    // 9 comes back: four good copies, the newest non-origin one goes.
    (void)members.OnHeartbeat(9, msg::Heartbeat{}, 20000);
    auto s = p.Settle(Rec(7, {7, 8, 9, 10}, false, true), false, false, 0);
    REQUIRE(s.out.size() == 1);
    CHECK(s.out[0].topic == "tern/down/n10");
  }

  TEST_CASE("a draining holder's copy is deleted once three good copies exist elsewhere") {
    Metrics m;
    Membership members(3000, 10000);
    for (uint32_t a : {7u, 8u, 9u, 10u}) {
      members.Add(a, "n" + std::to_string(a));
      (void)members.OnHeartbeat(a, msg::Heartbeat{}, 0);
    }
    members.SetDraining(7, true);
    AckPolicy p(3, kCore, Topics(), &m, &members);
    // Two good besides the draining origin: keep it.
    CHECK(p.Settle(Rec(7, {7, 8, 9}, false, true), false, false, 0).out.empty());
    // Three good elsewhere: the draining node's copy goes, even as the origin's own.
    auto s = p.Settle(Rec(7, {7, 8, 9, 10}, false, true), false, false, 0);
    REQUIRE(s.out.size() == 1);
    CHECK(s.out[0].topic == "tern/down/n7");
  }
}
}  // namespace tern::core
