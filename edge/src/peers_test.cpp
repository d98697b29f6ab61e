#include "tern/edge/peers.h"

#include <doctest/doctest.h>

#include <map>

namespace tern::edge {
TEST_SUITE("peers") {
  TEST_CASE("draw excludes self, dead and excluded peers, favours low load") {
    PeerTable t;
    auto j = nlohmann::json::parse(R"({"v":1,"type":"members","nodes":[
      {"addr":1,"name":"a","state":"live","load":0.0},
      {"addr":2,"name":"b","state":"live","load":0.9},
      {"addr":3,"name":"c","state":"dead","load":0.0},
      {"addr":4,"name":"d","state":"live","load":0.0},
      {"addr":5,"name":"e","state":"suspect","load":0.0}]})");
    t.Update(msg::Members::Decode(j).value(), 4);
    CHECK(t.LiveCount() == 2);
    CHECK_FALSE(t.IsLive(3));
    std::mt19937_64 rng(7);
    std::map<uint32_t, int> firsts;
    for (int i = 0; i < 2000; ++i) {
      auto pick = t.Choose(2, {}, rng);
      REQUIRE(pick.size() == 2);
      CHECK(pick[0] != pick[1]);
      firsts[pick[0]]++;
    }
    CHECK(firsts[1] > 3 * firsts[2]);  // weight 20 vs ~1.05
    auto one = t.Choose(2, {1}, rng);
    REQUIRE(one.size() == 1);
    CHECK(one[0] == 2);
  }
  TEST_CASE("a draining member gets no new replicas but keeps its name") {
    PeerTable t;
    msg::Members m{{{1, "a", "live", 0.5}, {2, "b", "live", 0.5}, {3, "c", "live", 0.5}}};
    m.nodes[1].draining = true;
    t.Update(m, 9);
    CHECK(t.LiveCount() == 2);
    CHECK_FALSE(t.IsLive(2));
    CHECK(t.NameOf(2) == "b");  // its answers (put_ack, copies it sends) are still understood
    std::mt19937_64 rng(3);
    for (int i = 0; i < 200; ++i) {
      for (uint32_t p : t.Choose(2, {}, rng)) CHECK(p != 2);
    }
  }
  TEST_CASE("an update replaces the table, members that fail to decode never reach it") {
    PeerTable t;
    t.Update(msg::Members{{{1, "a", "live", 0.5}, {2, "b", "live", 0.5}}}, 9);
    CHECK(t.LiveCount() == 2);
    t.Update(msg::Members{{{1, "a", "offline", 0.5}, {9, "self", "live", 0.5}}}, 9);
    CHECK(t.LiveCount() == 0);  // 1 went offline, 2 is gone, 9 is this node
    CHECK_FALSE(
        msg::DecodeText<msg::Members>(R"({"v":1,"type":"members","nodes":[{"addr":-1}]})").ok());
    CHECK_FALSE(msg::DecodeText<msg::Members>(R"({"v":1,"type":"members"})").ok());
    CHECK_FALSE(msg::DecodeText<msg::Members>(
                    R"({"v":1,"type":"members","nodes":[{"addr":1,"state":"live","load":"x"}]})")
                    .ok());
  }
  TEST_CASE("the rendezvous order: live peers only, the same for every chunk of a key") {
    PeerTable t;
    msg::Members m{{{1, "a", "live", 0.1},
                    {2, "b", "live", 0.1},
                    {3, "c", "dead", 0.1},
                    {4, "d", "live", 0.1},
                    {5, "e", "live", 0.1},
                    {6, "f", "live", 0.1}}};
    m.nodes[4].draining = true;  // 5
    t.Update(m, 4);              // this node is 4
    const placement::Key k{"rig", 9};
    auto order = t.Ranked(k, 10, {});
    CHECK(order == placement::Rank(k, {{1, 0.1}, {2, 0.1}, {6, 0.1}}));
    CHECK(t.Ranked(k, 10, {}) == order);
    CHECK(t.Ranked(k, 2, {}) == std::vector<uint32_t>(order.begin(), order.begin() + 2));
    // An excluded peer (refused, already holds it) makes way for the next in the order.
    CHECK(t.Ranked(k, 2, {order[0]}) == std::vector<uint32_t>{order[1], order[2]});
    CHECK(t.Ranked(k, 0, {}).empty());
  }
}
}  // namespace tern::edge
