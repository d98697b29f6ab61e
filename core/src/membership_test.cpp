#include "membership.h"

#include <doctest/doctest.h>

namespace tern::core {
namespace {
msg::Heartbeat Hb(double cpu, int64_t used, int64_t cap) {
  msg::Heartbeat hb;
  hb.cpu = cpu;
  hb.used = used;
  hb.capacity = cap;
  hb.counters = {{"stored", 3}};
  return hb;
}
}  // namespace

TEST_SUITE("membership") {
  TEST_CASE("heartbeats make a node live with its load, silence makes it suspect, then dead") {
    Membership m(3000, 10000);
    CHECK(m.Add(5, "a"));
    CHECK_FALSE(m.Add(5, "a"));
    CHECK(m.Find(5)->state == NodeState::kUnknown);
    auto c = m.OnHeartbeat(5, Hb(0.2, 50, 100), 1000);
    REQUIRE(c);
    CHECK(c->from == NodeState::kUnknown);
    CHECK(c->to == NodeState::kLive);
    CHECK(m.Find(5)->load == doctest::Approx(0.35));
    CHECK(m.Find(5)->counters["stored"] == 3);
    CHECK_FALSE(m.OnHeartbeat(5, Hb(0.2, 0, 0), 1500));  // no change of state
    CHECK(m.Find(5)->load == doctest::Approx(0.35));     // 0.5*0.2 + 0.5*0.5
    CHECK(m.CheckLiveness(4000).empty());
    auto s = m.CheckLiveness(4600);
    REQUIRE(s.size() == 1);
    CHECK(s[0].to == NodeState::kSuspect);
    // Suspect -> dead only after dead_after, and never live -> dead in one step.
    Membership m2(3000, 10000);
    m2.Add(1, "b");
    (void)m2.OnHeartbeat(1, Hb(0, 0, 0), 0 + 1);
    CHECK(m2.CheckLiveness(20000)[0].to == NodeState::kSuspect);
    CHECK(m2.CheckLiveness(20001)[0].to == NodeState::kDead);
    CHECK(m2.Gone(1));
    CHECK(m2.AnyDown());
  }

  TEST_CASE("the member list carries the load with hysteresis, the status the load itself") {
    Membership m(3000, 10000);
    REQUIRE(m.Add(5, "a"));
    (void)m.OnHeartbeat(5, Hb(0.0, 48, 100), 1000);   // 0.5*0 + 0.5*0.48 = 0.24
    (void)m.OnHeartbeat(5, Hb(0.04, 48, 100), 2000);  // 0.26: just over 0.25
    CHECK(m.Find(5)->load == doctest::Approx(0.26));
    auto first = [&] { return m.ToMessage().nodes.at(0).load; };
    CHECK(first() == doctest::Approx(0.24));          // placement keeps level 0
    (void)m.OnHeartbeat(5, Hb(0.16, 48, 100), 3000);  // 0.32: well past
    CHECK(first() == doctest::Approx(0.32));
  }

  TEST_CASE("a registered node never heard from since the core started is dead after dead_after") {
    Membership m(3000, 10000);
    m.Add(4, "gone");                       // in the registry, silent since the core started
    m.Add(6, "comes");                      // in the registry, heartbeats soon
    CHECK(m.CheckLiveness(50000).empty());  // the silence starts at the first check
    (void)m.OnHeartbeat(6, Hb(0, 0, 0), 58000);
    CHECK(m.CheckLiveness(59000).empty());
    auto c = m.CheckLiveness(60001);
    REQUIRE(c.size() == 1);
    CHECK(c[0].addr == 4);
    CHECK(c[0].from == NodeState::kUnknown);
    CHECK(c[0].to == NodeState::kDead);
    CHECK(m.Find(6)->state == NodeState::kLive);
    // The core's own outage restarts the clocks of those not heard from too.
    Membership r(3000, 10000);
    r.Add(7, "later");
    CHECK(r.CheckLiveness(1000).empty());
    r.RestartClocks(9000);
    CHECK(r.CheckLiveness(12000).empty());
    CHECK(r.CheckLiveness(19001).size() == 1);
  }

  TEST_CASE("a heartbeat stamped after the liveness check's clock reading is not silence") {
    // The commit worker reads its clock at the start of a turn, then handles the turn's
    // heartbeats (stamped later), then checks liveness with the earlier reading.
    Membership m(3000, 10000);
    m.Add(7, "c");
    (void)m.OnHeartbeat(7, Hb(0.1, 0, 0), 5000);
    CHECK(m.CheckLiveness(4990).empty());
    CHECK(m.Find(7)->state == NodeState::kLive);
    CHECK(m.CheckLiveness(8001).size() == 1);  // real silence still counts
  }

  TEST_CASE("offline at once, strangers are ignored, clocks restart after the core's own outage") {
    Membership m(3000, 10000);
    m.Add(2, "x");
    CHECK_FALSE(m.OnHeartbeat(9, Hb(0, 0, 0), 1));
    CHECK_FALSE(m.OnOffline(9));
    CHECK(m.Gone(9));
    (void)m.OnHeartbeat(2, Hb(0, 0, 0), 100);
    m.RestartClocks(50000);
    CHECK(m.CheckLiveness(52000).empty());
    auto c = m.OnOffline(2);
    REQUIRE(c);
    CHECK(c->to == NodeState::kOffline);
    CHECK(NodeStateName(c->to) == "offline");
    CHECK(m.Gone(2));
  }

  TEST_CASE("an offline node stays offline within dead_after, and is dead after it") {
    Membership m(3000, 10000);
    m.Add(4, "gone");
    (void)m.OnHeartbeat(4, Hb(0, 0, 0), 1000);
    REQUIRE(m.OnOffline(4));  // a clean stop at 1000
    CHECK(m.CheckLiveness(6000).empty());
    CHECK(m.CheckLiveness(11000).empty());  // silent 10 s: not past dead_after yet
    CHECK(m.Find(4)->state == NodeState::kOffline);
    auto d = m.CheckLiveness(11001);
    REQUIRE(d.size() == 1);
    CHECK(d[0].from == NodeState::kOffline);
    CHECK(d[0].to == NodeState::kDead);
    CHECK(m.ToMessage().nodes[0].state == "dead");
    CHECK(m.CheckLiveness(50000).empty());  // once
    // Back with a heartbeat: live again.
    auto back = m.OnHeartbeat(4, Hb(0, 0, 0), 60000);
    REQUIRE(back);
    CHECK(back->to == NodeState::kLive);
    // The core's own outage restarts the clock of an offline node too.
    REQUIRE(m.OnOffline(4));
    m.RestartClocks(100000);
    CHECK(m.CheckLiveness(105000).empty());
    CHECK(m.CheckLiveness(110001).size() == 1);
  }

  TEST_CASE("stores are chosen live, preferred first, then least loaded, the list publishes") {
    Membership m(3000, 10000);
    for (uint32_t a = 1; a <= 4; ++a) {
      m.Add(a, "n" + std::to_string(a));
      (void)m.OnHeartbeat(a, Hb(0.1 * a, 0, 0), 10);
    }
    (void)m.OnOffline(1);
    CHECK(m.ChooseStores(4, {}, 2) == std::vector<uint32_t>{4, 2});
    CHECK(m.ChooseStores(0, {2}, 5) == std::vector<uint32_t>{3, 4});
    CHECK(m.LiveMask() == 0b1110);
    CHECK(m.PublishDue(10, 5000));
    m.Published(10);
    CHECK_FALSE(m.PublishDue(20, 5000));
    CHECK(m.PublishDue(5010, 5000));
    auto back = msg::DecodeText<msg::Members>(m.ToMessage().Encode());
    REQUIRE(back.ok());
    REQUIRE(back->nodes.size() == 4);
    CHECK(back->nodes[0].state == "offline");
    CHECK(back->nodes[1].state == "live");
    CHECK(m.ToStatusJson()[1]["name"] == "n2");
    CHECK(m.ToStatusJson()[1]["disk_full"] == false);
    auto full = Hb(0.1, 0, 0);
    full.disk_full = true;  // kept from the heartbeat: status.json on the edge may be stale
    (void)m.OnHeartbeat(2, full, 20);
    CHECK(m.ToStatusJson()[1]["disk_full"] == true);
    (void)m.OnHeartbeat(2, Hb(0.1, 0, 0), 30);
    CHECK(m.ToStatusJson()[1]["disk_full"] == false);
  }

  TEST_CASE("the outbox from the last heartbeat is in the status, null before one") {
    Membership m(3000, 10000);
    m.Add(2, "n2");
    CHECK(m.ToStatusJson()[0]["outbox_chunks"].is_null());  // GET /api/v1/nodes: null
    CHECK(m.ToStatusJson()[0]["outbox_bytes"].is_null());
    auto hb = Hb(0.1, 0, 0);
    hb.queue = 7;
    hb.outbox_bytes = 70000;
    (void)m.OnHeartbeat(2, hb, 10);
    CHECK(m.ToStatusJson()[0]["outbox_chunks"] == 7);
    CHECK(m.ToStatusJson()[0]["outbox_bytes"] == 70000);
  }

  TEST_CASE("the zone from the last heartbeat is in the status, empty before one") {
    Membership m(3000, 10000);
    m.Add(2, "n2");
    CHECK(m.ToStatusJson()[0]["zone"] == "");
    auto hb = Hb(0.1, 0, 0);
    hb.zone = "hall-a";
    (void)m.OnHeartbeat(2, hb, 10);
    CHECK(m.ToStatusJson()[0]["zone"] == "hall-a");
    (void)m.OnHeartbeat(2, Hb(0.1, 0, 0), 20);  // no zone said any more: none
    CHECK(m.ToStatusJson()[0]["zone"] == "");
  }

  TEST_CASE("a new epoch makes the member list due and travels in it") {
    Membership m(1000, 3000);
    m.Add(2, "n2");
    m.Published(10);
    CHECK_FALSE(m.PublishDue(20, 5000));
    m.NewEpoch(1796000000000);
    CHECK(m.PublishDue(20, 5000));
    auto back = msg::DecodeText<msg::Members>(m.ToMessage().Encode());
    REQUIRE(back.ok());
    CHECK(back->epoch == 1796000000000);
  }

  TEST_CASE("a draining member is chosen for nothing new and says so in the member list") {
    Membership m(3000, 10000);
    for (uint32_t a : {2u, 3u, 4u}) {
      m.Add(a, "n" + std::to_string(a));
      (void)m.OnHeartbeat(a, msg::Heartbeat{}, 0);
    }
    m.Published(0);
    CHECK(m.SetDraining(3, true));
    CHECK_FALSE(m.SetDraining(99, true));
    CHECK(m.PublishDue(1, 100000));  // changed: due again
    CHECK(m.ChooseStores(0, {}, 3) == std::vector<uint32_t>{2, 4});
    auto back = msg::DecodeText<msg::Members>(m.ToMessage().Encode());
    REQUIRE(back.ok());
    CHECK_FALSE(back->nodes[0].draining);
    CHECK(back->nodes[1].draining);
    CHECK(m.ToStatusJson()[1]["draining"] == true);
    CHECK(m.Remove(3));
    CHECK_FALSE(m.Contains(3));
    CHECK(m.AddrOf("n3") == 0);
  }
}
}  // namespace tern::core
