#include "ack_policy.h"

#include <doctest/doctest.h>

#include <set>

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
    CHECK(m.Get("excess_copies_found") == 1);
    CHECK(m.Get("excess_delete_retries") == 1);
    CHECK(m.Get("excess_copies_removed") == 1);
    // Not acked yet: no delete, whatever the holders.
    CHECK(p.Settle(Rec(7, {8, 9, 10, 11}, false, false), false, false, 0).out.empty());
  }

  TEST_CASE("a delete lost at a kill is sent again by the retry sweep after the retry time") {
    Metrics m;
    Membership strangers(3000, 10000);
    AckPolicy p(3, kCore, Topics(), &m, &strangers);
    const ChunkRecord r = Rec(7, {8, 9, 10, 7}, false, true);
    REQUIRE(p.Settle(r, false, false, 100).out.size() == 1);
    // Nothing else happens to the chunk: only the sweep can ask again.
    CHECK(p.DueForRetry(100 + AckPolicy::kDeleteRetryMs - 1, 10).empty());
    auto due = p.DueForRetry(100 + AckPolicy::kDeleteRetryMs, 10);
    REQUIRE(due.size() == 1);
    CHECK(due[0] == r.id);
    auto again = p.Retry(r.id, &r, 100 + AckPolicy::kDeleteRetryMs);
    REQUIRE(again.size() == 1);
    CHECK(again[0].topic == "tern/down/10");
    CHECK(msg::DecodeText<msg::Delete>(again[0].payload).ok());
    CHECK(m.Get("excess_delete_retries") == 1);
    CHECK(p.excess_pending() == 1);
    // Asked again just now: not due until another retry time has passed.
    CHECK(p.DueForRetry(100 + AckPolicy::kDeleteRetryMs + 1, 10).empty());
    CHECK(p.DueForRetry(100 + 2 * AckPolicy::kDeleteRetryMs, 10).size() == 1);
    p.OnDropped(r.id);
    CHECK(p.excess_pending() == 0);
    CHECK(p.DueForRetry(100 + 5 * AckPolicy::kDeleteRetryMs, 10).empty());
  }

  TEST_CASE("a pending delete is forgotten when the chunk is no longer excess or is gone") {
    Metrics m;
    Membership members(3000, 10000);
    for (uint32_t a : {7u, 8u, 9u, 10u, 11u}) {
      members.Add(a, "n" + std::to_string(a));
      (void)members.OnHeartbeat(a, msg::Heartbeat{}, 0);
    }
    AckPolicy p(3, kCore, Topics(), &m, &members);
    auto rec = [](char c, std::vector<uint32_t> holders) {
      ChunkRecord r = Rec(7, std::move(holders), false, true);
      r.id = std::string(32, c);
      return r;
    };
    const uint64_t later = AckPolicy::kDeleteRetryMs;
    REQUIRE(p.Settle(rec('a', {7, 8, 9, 10}), false, false, 0).out.size() == 1);
    REQUIRE(p.Settle(rec('b', {7, 8, 9, 11}), false, false, 0).out.size() == 1);
    REQUIRE(p.Settle(rec('c', {7, 8, 9, 10}), false, false, 0).out.size() == 1);
    REQUIRE(p.excess_pending() == 3);
    // a: another holder's copy went (its store lost it): three copies, nothing to delete.
    const ChunkRecord a3 = rec('a', {7, 8, 10});
    CHECK(p.Retry(a3.id, &a3, later).empty());
    // b: the chunk is gone from the manifest.
    CHECK(p.Retry(std::string(32, 'b'), nullptr, later).empty());
    CHECK(p.excess_pending() == 1);
    // c: its victim (10) died: the three good copies stay, the dead one cannot hear a delete.
    (void)members.CheckLiveness(4000);
    for (uint32_t a : {7u, 8u, 9u, 11u}) (void)members.OnHeartbeat(a, msg::Heartbeat{}, 4000);
    (void)members.CheckLiveness(20000);
    REQUIRE(members.Find(10)->state == NodeState::kDead);
    const ChunkRecord c4 = rec('c', {7, 8, 9, 10});
    CHECK(p.Retry(c4.id, &c4, later).empty());
    CHECK(p.excess_pending() == 0);
    CHECK(m.Get("excess_requests_cleared") == 3);
    CHECK(m.Get("excess_delete_retries") == 0);
  }

  TEST_CASE("a settle that finds the excess gone clears the pending delete at once") {
    Metrics m;
    Membership strangers(3000, 10000);
    AckPolicy p(3, kCore, Topics(), &m, &strangers);
    REQUIRE(p.Settle(Rec(7, {8, 9, 10, 7}, false, true), false, false, 0).out.size() == 1);
    CHECK(p.Settle(Rec(7, {8, 9, 7}, false, true), false, false, 1).out.empty());
    CHECK(p.excess_pending() == 0);
    CHECK(m.Get("excess_requests_cleared") == 1);
  }

  TEST_CASE("the retry sweep walks a long list in bounded turns without starving any") {
    Metrics m;
    Membership strangers(3000, 10000);
    AckPolicy p(3, kCore, Topics(), &m, &strangers);
    for (int i = 0; i < 10; ++i) {
      ChunkRecord r = Rec(7, {8, 9, 10, 7}, false, true);
      r.id = std::string(31, 'x') + static_cast<char>('0' + i);
      REQUIRE(p.Settle(r, false, false, 0).out.size() == 1);
    }
    std::set<ChunkId> seen;
    for (int turn = 0; turn < 3; ++turn) {
      auto due = p.DueForRetry(AckPolicy::kDeleteRetryMs, 4);
      CHECK(due.size() == 4);
      seen.insert(due.begin(), due.end());
    }
    CHECK(seen.size() == 10);  // 4 + 4 + 2 new, then from the start again
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
