#include "replicator.h"

#include <doctest/doctest.h>

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
  TEST_CASE("two distinct live peers, never this node; resent only after the timeout") {
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

  TEST_CASE("a send that failed is planned again at once") {
    PeerTable peers;
    peers.Update(Live({2, 3}), 1);
    Metrics m;
    Replicator r({1, 2, 3000, 5000}, &peers, &m, 1);
    CHECK(r.Step(kId, 100).puts.size() == 2);
    CHECK(r.Step(kId, 101).puts.size() == 2);  // nothing reported sent
    CHECK(m.Get("replica_resends") == 0);
  }

  TEST_CASE("acks grade once per peer; a refusal or a dead target moves the copy") {
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
}
}  // namespace tern::edge
