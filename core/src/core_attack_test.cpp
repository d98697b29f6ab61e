// Attacks on a whole Core (in-process broker, no TLS: `insecure` mode, where statements carry
// numbers but no signatures): each was accepted before names were in topics and statements
// were sealed. Each must now be refused, counted, and change nothing in the manifest.
#include <doctest/doctest.h>

#include <chrono>
#include <set>
#include <thread>

#include "core_site_testing.h"

namespace tern::core {
using testing::Site;
using testing::WaitFor;

namespace {
std::set<uint32_t> HoldersOf(Site& s, const ChunkId& id) {
  auto h = s.Db()->Holders(id).value();
  return {h.begin(), h.end()};
}
std::string StateOf(Site& s, uint32_t addr) {
  for (const auto& n : s.core->StatusJson().value("nodes", nlohmann::json::array())) {
    if (n["addr"] == addr) return n["state"];
  }
  return "";
}
}  // namespace

TEST_SUITE("core_attacks") {
  TEST_CASE("stored and dropped count only from the holder itself, never from a stranger") {
    Site s;
    s.Start();
    auto e = s.LiveEdges(4);
    auto c = testing::MakeChunk(e[0], 1);
    s.broker->Inject(s.t.Up(s.N(e[0])), c.Uplink());
    // edge-3 says edge-1 and edge-2 hold the chunk; an unregistered node says it does.
    s.Tell(s.t.Stored(s.N(e[3])), msg::Stored(c.NoticeBy(e[1])).Encode());
    s.Tell(s.t.Stored(s.N(e[3])), msg::Stored(c.NoticeBy(e[2])).Encode());
    s.Tell(s.t.Stored("mallory"), msg::Stored(c.NoticeBy(999)).Encode());
    REQUIRE(WaitFor([&] {
      return s.Counter("refused_wrong_holder") == 2 && s.Counter("refused_unknown_sender") == 1 &&
             s.Counter("uplinks") == 1;
    }));
    CHECK(s.On<msg::Ack>(s.t.Down(s.N(e[0]))).empty());  // no ack before peers hold it
    // Counted inside the transaction; readable once it commits.
    CHECK(WaitFor([&] { return HoldersOf(s, c.id) == std::set<uint32_t>{e[0]}; }));
    s.Stored(c, e[1]);
    s.Stored(c, e[2]);
    REQUIRE(WaitFor([&] { return !s.On<msg::Ack>(s.t.Down(s.N(e[0]))).empty(); }));
    // Forged drops: edge-3 speaks for edge-1; holder 999, unregistered, for itself.
    s.Tell(s.t.Stored(s.N(e[3])), msg::Dropped{c.id, e[1]}.Encode());
    s.Tell(s.t.Stored("mallory"), msg::Dropped{c.id, 999}.Encode());
    REQUIRE(WaitFor([&] {
      return s.Counter("refused_wrong_holder") == 3 && s.Counter("refused_unknown_sender") == 2;
    }));
    CHECK(HoldersOf(s, c.id) == std::set<uint32_t>{e[0], e[1], e[2]});
    CHECK(s.Counter("rejected_stored") == 5);
  }

  TEST_CASE("a replayed stored notice does not put back a holder that dropped its copy") {
    Site s;
    s.Start();
    auto e = s.LiveEdges(4);
    auto c = testing::MakeChunk(e[0], 1);
    s.broker->Inject(s.t.Up(s.N(e[0])), c.Uplink());
    s.Stored(c, e[1]);
    s.Stored(c, e[2]);
    REQUIRE(WaitFor([&] { return !s.On<msg::Ack>(s.t.Down(s.N(e[0]))).empty(); }));
    // edge-3's genuine notice of a fourth copy, as an eavesdropper records it.
    const std::string topic = s.t.Stored(s.N(e[3]));
    const std::string notice =
        Seal(topic, msg::Stored(c.NoticeBy(e[3])).Encode(), ++s.seqs[s.N(e[3])], nullptr);
    s.broker->Inject(topic, notice);
    REQUIRE(WaitFor([&] { return !s.On<msg::Delete>(s.t.Down(s.N(e[3]))).empty(); }));
    s.Tell(topic, msg::Dropped{c.id, e[3]}.Encode());
    REQUIRE(WaitFor([&] { return s.Counter("excess_copies_removed") == 1; }));
    s.broker->Inject(topic, notice);                        // the recording, played back
    s.broker->Inject(topic, R"({"v":1,"type":"stored"})");  // and no number at all
    REQUIRE(WaitFor(
        [&] { return s.Counter("refused_replay") == 1 && s.Counter("refused_no_seq") == 1; }));
    CHECK(HoldersOf(s, c.id) == std::set<uint32_t>{e[0], e[1], e[2]});
  }

  TEST_CASE("replayed heartbeats do not keep a silent node live, offline only from its will") {
    Site s;
    s.o.suspect_after_ms = 300;
    s.Start();
    auto e = s.LiveEdges(2);
    const std::string hb_topic = s.t.Hb(s.N(e[0]));
    msg::Heartbeat hb;
    hb.addr = e[0];
    const std::string recorded = Seal(hb_topic, hb.Encode(), ++s.seqs[s.N(e[0])], nullptr);
    s.broker->Inject(hb_topic, recorded);
    // edge-0 falls silent; its recorded heartbeat is played back while edge-1 keeps talking.
    int polls = 0;
    REQUIRE(WaitFor([&] {
      if (++polls % 25 == 0) {
        s.broker->Inject(hb_topic, recorded);
        s.Heartbeat(e[1]);
      }
      return StateOf(s, e[0]) == "suspect";
    }));
    CHECK(s.Counter("refused_replay") >= 1);
    CHECK(StateOf(s, e[1]) == "live");
    // "offline" on edge-1's topic: without a number, and with a fresh one that is not its will.
    const std::string hb1 = s.t.Hb(s.N(e[1]));
    s.broker->Inject(hb1, R"({"v":1,"type":"offline"})");
    s.Tell(hb1, R"({"v":1,"type":"offline"})");
    REQUIRE(WaitFor(
        [&] { return s.Counter("refused_no_seq") == 1 && s.Counter("refused_not_will") == 1; }));
    CHECK(StateOf(s, e[1]) == "live");
    // The real Last Will, announced by the registration, is taken once.
    msg::Register r{s.N(e[1]), 1 << 30, "", "", 9999};
    s.Tell(s.t.Reg(s.N(e[1])), r.Encode());
    REQUIRE(WaitFor([&] { return s.On<msg::Registered>(s.t.RegReply(s.N(e[1]))).size() == 2; }));
    const std::string will = Seal(hb1, msg::Offline{e[1]}.Encode(), 9999, nullptr);
    s.broker->Inject(hb1, will);
    REQUIRE(WaitFor([&] { return StateOf(s, e[1]) == "offline"; }));
    s.Heartbeat(e[1]);
    REQUIRE(WaitFor([&] { return StateOf(s, e[1]) == "live"; }));
    s.broker->Inject(hb1, will);  // played back: not the will any more
    REQUIRE(WaitFor([&] { return s.Counter("refused_not_will") == 2; }));
    CHECK(StateOf(s, e[1]) == "live");
  }

  TEST_CASE("another box under an enrolled name gets nothing of the enrolled node's") {
    Site s;
    s.Start();
    const std::string reg = s.t.Reg("edge-a"), reply = s.t.RegReply("edge-a");
    s.Tell(reg, msg::Register{"edge-a", 100, "id-a", "nonce-a"}.Encode());
    REQUIRE(WaitFor([&] { return s.On<msg::Registered>(reply).size() == 1; }));
    const uint32_t addr = s.On<msg::Registered>(reply)[0].addr;
    s.Tell(reg, msg::Register{"edge-a", 5, "id-b", "nonce-b"}.Encode());
    REQUIRE(WaitFor([&] { return s.On<msg::RegistrationRefused>(reply).size() == 1; }));
    CHECK(s.On<msg::RegistrationRefused>(reply)[0].nonce == "nonce-b");
    CHECK(s.On<msg::Registered>(reply).size() == 1);  // no address, no settings for it
    CHECK(s.Counter("refused_duplicate_name") == 1);
    auto nodes = s.Db()->Nodes().value();
    REQUIRE(nodes.size() == 2);  // the core's own entry and edge-a's
    CHECK(nodes[1].addr == addr);
    CHECK(nodes[1].capacity == 100);
    // A recorded registration of the enrolled box, played back: refused as a replay.
    const std::string recorded = Seal(reg, msg::Register{"edge-a", 100, "id-a", "nonce-c"}.Encode(),
                                      ++s.seqs["edge-a"], nullptr);
    s.broker->Inject(reg, recorded);
    REQUIRE(WaitFor([&] { return s.On<msg::Registered>(reply).size() == 2; }));
    s.broker->Inject(reg, recorded);
    REQUIRE(WaitFor([&] { return s.Counter("refused_replay") == 1; }));
    CHECK(s.On<msg::Registered>(reply).size() == 2);
  }
}
}  // namespace tern::core
