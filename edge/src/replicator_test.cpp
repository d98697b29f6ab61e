#include "replicator.h"

#include <doctest/doctest.h>

#include <algorithm>

namespace tern::edge {
namespace {
const ChunkId kId(std::string(32, '\x07'));
msg::Members Live(std::vector<uint32_t> addrs) {
  msg::Members m;
  for (uint32_t a : addrs) m.nodes.push_back({a, "n" + std::to_string(a), "live", 0.5});
  return m;
}
}  // namespace

TEST_SUITE("replicator") {
  TEST_CASE("two distinct live peers, never this node, resent only after the timeout") {
    PeerTable peers;
    peers.Update(Live({1, 2, 3, 4}), 1);
    Metrics m;
    Replicator r({1, 2, 3000, 5000}, &peers, &m, 42);
    Plan p = r.Step(kId, 10000);
    REQUIRE(p.puts.size() == 2);
    CHECK(p.puts[0] != p.puts[1]);
    for (uint32_t peer : p.puts) CHECK(peer != 1);
    CHECK(p.uplink);
    CHECK(p.restates.empty());
    for (uint32_t peer : p.puts) r.PutSent(kId, peer, 10000);
    r.UplinkSent(kId, 10000);
    p = r.Step(kId, 12000);
    CHECK(p.puts.empty());
    CHECK_FALSE(p.uplink);
    p = r.Step(kId, 13000);
    CHECK(p.puts.size() == 2);  // replica timeout
    CHECK(m.Get("replica_resends") == 2);
    CHECK_FALSE(p.uplink);
  }

  TEST_CASE("a peer whose disk pressure refuses the chunk's class is skipped for the next") {
    PeerTable peers;
    msg::Members m = Live({1, 2, 3, 4});
    m.nodes[1].pressure = Pressure::kNoBulk;      // node 2: no bulk
    m.nodes[2].pressure = Pressure::kAlarmsOnly;  // node 3: alarms only
    peers.Update(m, 1);
    CHECK(peers.Refusing(Priority::kBulk) == std::set<uint32_t>{2, 3});
    CHECK(peers.Refusing(Priority::kNormal) == std::set<uint32_t>{3});
    CHECK(peers.Refusing(Priority::kAlarm).empty());
    Metrics mt;
    Replicator r({1, 2, 3000, 5000}, &peers, &mt, 42);
    const ChunkId bulk(std::string(32, '\x08')), alarm(std::string(32, '\x09'));
    r.SetKey(bulk, {"g", 1}, Priority::kBulk);
    r.SetKey(alarm, {"g", 1}, Priority::kAlarm);
    Plan p = r.Step(bulk, 10000);
    CHECK(p.puts == std::vector<uint32_t>{4});  // only node 4 takes bulk: one copy short
    CHECK(mt.Get("replica_waits") == 1);
    p = r.Step(alarm, 10000);
    CHECK(p.puts.size() == 2);  // alarms go anywhere
  }

  TEST_CASE("a send that failed is planned again at once") {
    PeerTable peers;
    peers.Update(Live({2, 3}), 1);
    Metrics m;
    Replicator r({1, 2, 3000, 5000}, &peers, &m, 1);
    CHECK(r.Step(kId, 100).puts.size() == 2);
    CHECK(r.Step(kId, 101).puts.size() == 2);  // nothing reported sent
    CHECK(m.Get("replica_resends") == 0);
  }

  TEST_CASE("acks grade once per peer, a refusal or a dead target moves the copy") {
    PeerTable peers;
    peers.Update(Live({2, 3, 4}), 1);
    Metrics m;
    Replicator r({1, 2, 3000, 5000}, &peers, &m, 7);
    Plan p = r.Step(kId, 100);
    REQUIRE(p.puts.size() == 2);
    uint32_t a = p.puts[0], b = p.puts[1];
    CHECK(r.OnPutAck(kId, a) == 1);
    CHECK(r.OnPutAck(kId, a) == 0);  // duplicate delivery
    r.OnRefusal(kId, b);
    p = r.Step(kId, 101);
    REQUIRE(p.puts.size() == 1);
    uint32_t c = p.puts[0];
    CHECK(c != a);
    CHECK(c != b);
    r.PutSent(kId, c, 101);
    // c goes offline before it acked: replaced, but never by the peer that refused.
    msg::Members m2 = Live({2, 3, 4});
    for (auto& n : m2.nodes) {
      if (n.addr == c) n.state = "offline";
    }
    peers.Update(m2, 1);
    p = r.Step(kId, 102);
    CHECK(m.Get("replica_retargets") == 1);
    CHECK(p.puts.empty());  // no live peer left that neither holds nor refused it
    CHECK(m.Get("replica_waits") >= 1);
    CHECK(r.OnPutAck(kId, b) == 2);  // b had it after all (a late ack)
    CHECK(r.Acked(kId) == std::set<uint32_t>{a, b});
    r.Forget(kId);
    CHECK(r.tracked() == 0);
  }

  TEST_CASE("uplink timeout: resend and ask the peers that acked to restate") {
    PeerTable peers;
    peers.Update(Live({2, 3}), 1);
    Metrics m;
    Replicator r({1, 2, 3000, 5000}, &peers, &m, 3);
    Plan p = r.Step(kId, 1000);
    r.UplinkSent(kId, 1000);
    r.OnPutAck(kId, 2);
    r.OnPutAck(kId, 3);
    p = r.Step(kId, 5999);
    CHECK_FALSE(p.uplink);
    p = r.Step(kId, 6000);
    CHECK(p.uplink);
    CHECK(p.restates == std::vector<uint32_t>{2, 3});
    CHECK(m.Get("uplink_resends") == 1);
  }

  TEST_CASE("a chunk from before a restart: live peers probed first, copies after the hold") {
    PeerTable peers;
    peers.Update(Live({1, 2, 3, 4}), 1);
    Metrics m;
    Replicator r({1, 2, 3000, 5000}, &peers, &m, 5);
    r.Recover(kId);
    Plan p = r.Step(kId, 1000);
    CHECK(p.puts.empty());
    CHECK(p.uplink);  // the core may hear it at once
    CHECK(std::set<uint32_t>(p.restates.begin(), p.restates.end()) == std::set<uint32_t>{2, 3, 4});
    r.UplinkSent(kId, 1000);
    CHECK(r.Step(kId, 1001).restates.size() == 3);  // not reported sent: planned again
    for (uint32_t peer : {2u, 3u, 4u}) r.RestateSent(kId, peer);
    CHECK(m.Get("replica_probes") == 3);
    p = r.Step(kId, 1500);
    CHECK(p.restates.empty());
    CHECK(p.puts.empty());
    CHECK(r.OnPutAck(kId, 3) == 1);  // 3 held it: an answer to our question, not unasked
    CHECK(m.Get("replicas_found") == 1);
    CHECK(m.Get("put_acks_unasked") == 0);
    CHECK_FALSE(r.OnRestateNack(kId, 2));  // no copy at 2, which is no refusal
    CHECK(r.Step(kId, 3999).puts.empty());
    p = r.Step(kId, 4000);  // the hold is over: the missing copy goes out
    REQUIRE(p.puts.size() == 1);
    CHECK(p.puts[0] != 3);
    CHECK(p.puts[0] != 1);
    r.PutSent(kId, p.puts[0], 4000);
    // The probe's answer may come late, even after that peer took the copy and acked: it
    // refuses nothing.
    CHECK(r.OnPutAck(kId, p.puts[0]) == 2);
    CHECK_FALSE(r.OnRestateNack(kId, p.puts[0]));
    CHECK(r.Acked(kId) == std::set<uint32_t>{3, p.puts[0]});
    // Uplink timeout: the peers that acked restate; a restate_nack now means the copy is gone.
    p = r.Step(kId, 6000);
    CHECK(std::set<uint32_t>(p.restates.begin(), p.restates.end()) == r.Acked(kId));
    for (uint32_t peer : p.restates) r.RestateSent(kId, peer);
    CHECK(r.OnRestateNack(kId, 3));
    CHECK(r.Acked(kId) == std::set<uint32_t>{p.restates[0] == 3 ? p.restates[1] : p.restates[0]});
    CHECK(m.Get("replica_probes") == 3);  // restates after acks are no probes
  }

  TEST_CASE("recovering: no member list, no probe, enough copies found, none placed") {
    PeerTable peers;
    Metrics m;
    Replicator r({1, 2, 3000, 5000}, &peers, &m, 9);
    r.Recover(kId);
    Plan p = r.Step(kId, 0);  // no member list yet: nobody to ask, nothing placed
    CHECK(p.restates.empty());
    CHECK(p.puts.empty());
    peers.Update(Live({1, 2, 3}), 1);
    p = r.Step(kId, 100);
    CHECK(p.restates.size() == 2);
    for (uint32_t peer : p.restates) r.RestateSent(kId, peer);
    CHECK(r.OnPutAck(kId, 2) == 1);
    CHECK(r.OnPutAck(kId, 3) == 2);
    p = r.Step(kId, 101);  // both found before the hold ended
    CHECK(p.puts.empty());
    peers.Update(Live({1, 2, 3, 4}), 1);  // a peer that turns live later is asked too
    p = r.Step(kId, 102);
    CHECK(p.restates == std::vector<uint32_t>{4});
    CHECK(p.puts.empty());
    r.RestateSent(kId, 4);
    CHECK(r.Step(kId, 10000).puts.empty());
    CHECK(r.Targets(kId).empty());
    CHECK(m.Get("replica_waits") == 0);
  }

  TEST_CASE("throttle: the next uplink waits for the core's retry time, long or short") {
    PeerTable peers;
    Metrics m;
    Replicator r({1, 0, 3000, 5000}, &peers, &m, 3);
    r.Step(kId, 100000);
    r.UplinkSent(kId, 100000);
    r.OnThrottle(kId, 8000, 100000);
    CHECK_FALSE(r.Step(kId, 107999).uplink);
    CHECK(r.Step(kId, 108000).uplink);
    r.UplinkSent(kId, 108000);
    r.OnThrottle(kId, 200, 108000);
    CHECK_FALSE(r.Step(kId, 108199).uplink);
    CHECK(r.Step(kId, 108200).uplink);
    r.UplinkSent(kId, 108200);
    r.OnThrottle(kId, 10'000'000, 108200);  // capped at a minute
    CHECK(r.Step(kId, 168200).uplink);
  }
  TEST_CASE("rendezvous: every chunk of a key goes to the same peers, whatever its origin") {
    const placement::Key k{"rig", 77};
    // The site's ranking of all five stores for the key.
    const auto site_order = placement::Rank(k, {{1, 0.5}, {2, 0.5}, {3, 0.5}, {4, 0.5}, {5, 0.5}});
    for (uint32_t self : {1u, 2u, 3u, 4u, 5u}) {
      PeerTable peers;
      peers.Update(Live({1, 2, 3, 4, 5}), self);
      Metrics m;
      Replicator r({self, 2, 3000, 5000}, &peers, &m, self);
      std::vector<uint32_t> expect;
      for (uint32_t a : site_order) {
        if (a != self && expect.size() < 2) expect.push_back(a);
      }
      for (int c = 0; c < 5; ++c) {
        const ChunkId id(32, static_cast<char>(c));
        r.SetKey(id, k);
        CHECK(r.Keyed(id));
        Plan p = r.Step(id, 100);
        // The plan lists its puts by address.
        CHECK(std::set<uint32_t>(p.puts.begin(), p.puts.end()) ==
              std::set<uint32_t>(expect.begin(), expect.end()));
      }
      // The first two stores hold every chunk of the window, from any origin.
      for (uint32_t top : {site_order[0], site_order[1]}) {
        if (top != self) CHECK(std::find(expect.begin(), expect.end(), top) != expect.end());
      }
    }
  }

  TEST_CASE("rendezvous: a refused or dead target is replaced by the next in the order") {
    const placement::Key k{"g", 5};
    PeerTable peers;
    peers.Update(Live({1, 2, 3, 4, 5}), 1);
    const auto order = peers.Ranked(k, 4, {});
    REQUIRE(order.size() == 4);
    Metrics m;
    Replicator r({1, 2, 3000, 5000}, &peers, &m, 3);
    r.SetKey(kId, k);
    Plan p = r.Step(kId, 100);
    CHECK(r.Targets(kId) == std::set<uint32_t>{order[0], order[1]});
    r.PutSent(kId, order[0], 100);
    r.PutSent(kId, order[1], 100);
    r.OnRefusal(kId, order[0]);
    p = r.Step(kId, 101);
    CHECK(p.puts == std::vector<uint32_t>{order[2]});
    r.PutSent(kId, order[2], 101);
    msg::Members m2 = Live({1, 2, 3, 4, 5});
    for (auto& n : m2.nodes) {
      if (n.addr == order[1]) n.state = "dead";
    }
    peers.Update(m2, 1);
    p = r.Step(kId, 102);
    CHECK(p.puts == std::vector<uint32_t>{order[3]});
  }

  TEST_CASE("placement.mode = random still draws peers at random") {
    PeerTable peers;
    peers.Update(Live({1, 2, 3, 4, 5, 6}), 1);
    Metrics m;
    ReplicatorOptions o{1, 2, 3000, 5000};
    o.rendezvous = false;
    Replicator r(o, &peers, &m, 11);
    std::set<std::vector<uint32_t>> seen;
    for (int c = 0; c < 40; ++c) {
      const ChunkId id(32, static_cast<char>(c));
      r.SetKey(id, placement::Key{"g", 1});
      seen.insert(r.Step(id, 100).puts);
    }
    CHECK(seen.size() > 3);  // one key, yet different peers
  }
}
}  // namespace tern::edge
