// Attacks on a whole EdgeAgent (in-process broker, `insecure` mode: statements carry numbers
// but no signatures, so what is refused here is what has no number, an old or repeated one,
// a sender outside the member list, or a holder that is not the sender). Each was accepted
// before; each must now be refused, counted, and leave the outbox and the store alone.
#include <doctest/doctest.h>

#include "agent_site_testing.h"

namespace tern::edge {
using test::kEdge;
using test::Site;

TEST_SUITE("agent_attacks") {
  TEST_CASE("core statements without a number, or with a used one, change nothing") {
    Site s;
    s.Start();
    std::vector<uint32_t> peers;
    ChunkId id = s.Ship(1, &peers);
    // A replica for p11, kept here.
    std::string wire = test::MakeChunk(11, 1);
    s.broker->Inject(s.t.Put("p11", "e1"), test::PutOf(11, wire));
    REQUIRE(test::WaitFor([&] { return s.On(s.t.Peer("e1", "p11")).size() == 1; }));
    const std::string down = s.t.Down("e1");
    // Forged, unsealed: ack of our chunk, delete of the replica, settings, an alarm.
    s.broker->Inject(down, msg::Ack{id, {kEdge, peers[0], peers[1]}}.Encode());
    s.broker->Inject(down, msg::Delete{ChunkIdOf(wire)}.Encode());
    msg::Settings none;
    none.settings.kinds = "event";
    s.broker->Inject(down, none.Encode());
    msg::ResultNote alarm;  // refused before it is decoded: its fields do not matter
    alarm.anomalies = 1;
    s.broker->Inject(down, alarm.Encode());
    CHECK(s.CounterIs("refused_no_seq", 4));
    // A genuine statement; 10000 statements later (the edge hears the latest), one sealed with
    // a number from before the window, and the first one played back.
    const std::string current = s.FromCore(down, msg::Settings{}.Encode());
    s.broker->Inject(down, current);
    s.core_seq += 10000;
    s.Down(msg::Settings{}.Encode());
    s.broker->Inject(down,
                     Seal(down, msg::Ack{id, {kEdge, peers[0], peers[1]}}.Encode(), 3, nullptr));
    s.broker->Inject(down, current);  // played back
    CHECK(s.CounterIs("refused_replay", 2));
    CHECK(s.Counter("rejected_down") == 6);
    CHECK(s.agent->StatusJson()["outbox_chunks"] == 1);  // still waiting for the real ack
    CHECK(s.agent->StatusJson()["settings"]["kinds"] == "samples,blob,event");
    CHECK(s.Counter("alarms_received") == 0);
    CHECK(s.Counter("replicas_dropped") == 0);
    // The real ack still frees it.
    s.Down(msg::Ack{id, {kEdge, peers[0], peers[1]}}.Encode());
    CHECK(s.OutboxEmpty());
  }

  TEST_CASE("a member list that is unsealed or older than the one taken is refused") {
    Site s;
    s.Start();
    s.broker->Inject(s.t.Members(), s.FromCore(s.t.Members(), Site::Members().Encode()), true);
    msg::Members fake;
    fake.core = "core";
    for (uint32_t a : {66u, 67u, 68u})
      fake.nodes.push_back({a, "x" + std::to_string(a), "live", 0});
    s.broker->Inject(s.t.Members(), fake.Encode(), /*retain=*/true);
    CHECK(s.CounterIs("refused_no_seq", 1));
    s.broker->Inject(s.t.Members(), Seal(s.t.Members(), fake.Encode(), 1, nullptr), true);
    CHECK(s.CounterIs("refused_replay", 1));  // older than the list already taken
    CHECK(s.agent->StatusJson()["live_peers"] == 3);
    std::vector<uint32_t> peers;
    s.Ship(1, &peers);
    for (uint32_t p : peers) CHECK(p < 20);  // only the real peers
  }

  TEST_CASE("put_acks count only from the member that holds the copy and was asked") {
    Site s;
    s.Start();
    std::vector<uint32_t> peers;
    ChunkId id = s.Ship(1, &peers);
    uint32_t other = 11;
    while (other == peers[0] || other == peers[1]) ++other;
    // From a node outside the member list; from a member speaking for another; from a member
    // nobody asked for this chunk.
    const std::string t = s.t.Peer("mallory", "e1");
    s.broker->Inject(t, Seal(t, msg::PutAck{id, peers[0]}.Encode(), 1, nullptr));
    s.From(other, msg::PutAck{id, peers[0]}.Encode());
    s.From(other, msg::PutAck{id, other}.Encode());
    CHECK(s.CounterIs("refused_unknown_sender", 1));
    CHECK(s.CounterIs("refused_wrong_holder", 1));
    CHECK(s.CounterIs("put_acks_unasked", 1));
    CHECK(s.Counter("grade_peer1") == 0);
    // The asked peers' own acks count.
    s.From(peers[0], msg::PutAck{id, peers[0]}.Encode());
    CHECK(s.CounterIs("grade_peer1", 1));
  }
}
}  // namespace tern::edge
