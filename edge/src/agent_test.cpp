// A whole EdgeAgent against an in-process broker: the test plays the core and the peers.
#include "tern/edge/agent.h"

#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <map>

#include "agent_site_testing.h"
#include "tern/common/hlc.h"
#include "tern/common/messages.h"

namespace tern::edge {
using test::kEdge;
using test::Site;

TEST_SUITE("agent") {
  TEST_CASE("registration: the core's address, kept, announced and heartbeating") {
    Site s;
    s.Start();
    CHECK(s.agent->addr() == kEdge);
    CHECK(s.On(s.t.Reg("e1")).size() >= 2);  // the registration client, then the main one
    REQUIRE(test::WaitFor([&] { return !s.On(s.t.Hb("e1")).empty(); }));
    auto hb = msg::DecodeText<msg::Heartbeat>(s.On(s.t.Hb("e1")).front());
    REQUIRE(hb.ok());
    CHECK(hb->name == "e1");
    REQUIRE(test::WaitFor([&] { return std::filesystem::exists(s.o.data_dir + "/status.json"); }));
    auto st = s.agent->StatusJson();
    for (const char* k :
         {"name", "addr", "boot", "connected", "outbox_chunks", "outbox_bytes", "disk_full",
          "live_peers", "settings", "latest_results", "latest_alarms", "counters", "grades"}) {
      CHECK_MESSAGE(st.contains(k), k);
    }
    s.Stop();
    s.o.transport = [](const MqttOptions& mo) -> Result<std::unique_ptr<Transport>> {
      if (mo.client_id.ends_with(".reg")) return Status::Unavailable("no second registration");
      return Status::Unavailable("stop here");
    };
    auto again = EdgeAgent::Create(s.o).value();
    CHECK(again->Start().message() == "stop here");  // got past registration: address kept
  }

  TEST_CASE("a chunk goes to two peers and the core, two put_acks and the core's ack free it") {
    Site s;
    s.Start();
    std::vector<uint32_t> peers;
    ChunkId id = s.Ship(1, &peers);
    CHECK(peers[0] != peers[1]);
    CHECK(s.Counter("grade_local") == 1);
    s.From(peers[0], msg::PutAck{id, peers[0]}.Encode());
    CHECK(s.CounterIs("grade_peer1", 1));
    s.From(peers[1], msg::PutAck{id, peers[1]}.Encode());
    CHECK(s.CounterIs("grade_peer2", 1));
    CHECK(s.agent->StatusJson()["outbox_chunks"] == 1);  // peers are not the core
    s.Down(msg::Ack{id, {kEdge, peers[0], peers[1]}}.Encode());
    CHECK(s.OutboxEmpty());
    CHECK(s.Counter("grade_core") == 1);
    auto st = s.agent->StatusJson();
    CHECK(st["outbox_bytes"] == 0);
    CHECK(st["grades"]["core"]["count"] == 1);
  }

  TEST_CASE("put_nack: the copy goes to another peer") {
    Site s;
    s.Start();
    std::vector<uint32_t> peers;
    ChunkId id = s.Ship(1, &peers);
    s.From(peers[0], msg::PutNack{id, peers[0], "disk full"}.Encode());
    REQUIRE(test::WaitFor([&] { return s.Puts().size() == 3; }));
    uint32_t third = s.Puts().back().first;
    CHECK(third != peers[0]);
    CHECK(third != peers[1]);
    CHECK(s.Counter("replica_refusals") == 1);
  }

  TEST_CASE("restate is answered from the store: put_ack if held, restate_nack if not") {
    Site s;
    s.Start();
    std::string wire = test::MakeChunk(11, 1);
    ChunkId id = ChunkIdOf(wire);
    s.broker->Inject(s.t.Put("p11", "e1"), test::PutOf(11, wire));
    REQUIRE(test::WaitFor([&] { return s.On(s.t.Peer("e1", "p11")).size() == 1; }));
    CHECK(msg::DecodeText<msg::PutAck>(s.On(s.t.Peer("e1", "p11"))[0]).value().holder == kEdge);
    s.Down(msg::Restate{id, 99}.Encode());  // the core asks; the answers go to the core
    s.Down(msg::Restate{ChunkId(std::string(32, 'z')), 99}.Encode());
    REQUIRE(test::WaitFor([&] { return s.On(s.t.Peer("e1", "core")).size() == 2; }));
    auto replies = s.On(s.t.Peer("e1", "core"));
    CHECK(msg::DecodeText<msg::PutAck>(replies[0]).value().id == id);
    CHECK(msg::DecodeText<msg::RestateNack>(replies[1]).ok());
    CHECK(s.Counter("restated") == 2);
  }

  TEST_CASE("a new epoch of the member list makes the store restate its recent replicas") {
    // The core (re)connected: the `stored` notices it could not hear are said again.
    Site s;
    s.Start();
    std::string wire = test::MakeChunk(11, 1);
    ChunkId id = ChunkIdOf(wire);
    auto stored = [&] {
      size_t n = 0;
      for (const auto& p : s.On(s.t.Stored("e1"))) {
        auto m = msg::DecodeText<msg::Stored>(p);
        n += m.ok() && m->id == id;
      }
      return n;
    };
    msg::Members list = Site::Members();
    list.epoch = 1;
    s.broker->Inject(s.t.Members(), s.FromCore(s.t.Members(), list.Encode()), true);
    s.broker->Inject(s.t.Put("p11", "e1"), test::PutOf(11, wire));
    REQUIRE(test::WaitFor([&] { return stored() == 1; }));
    // The same epoch again (a retained copy after a reconnect): nothing restated.
    s.broker->Inject(s.t.Members(), s.FromCore(s.t.Members(), list.Encode()), true);
    list.epoch = 2;
    s.broker->Inject(s.t.Members(), s.FromCore(s.t.Members(), list.Encode()), true);
    REQUIRE(test::WaitFor([&] { return stored() == 2; }));
    CHECK(s.Counter("replicas_restated") >= 1);
  }

  TEST_CASE("throttle: the uplink is resent at the core's retry time, not at the timeout") {
    Site s;
    s.o.uplink_timeout_ms = 200;
    s.Start();
    ChunkId id = s.Ship(1);
    uint64_t t0 = MonotonicMs();
    s.Down(msg::Throttle{id, "byte-rate limit", 1000}.Encode());
    CHECK(s.CounterIs("uplinks_throttled", 1));
    REQUIRE(test::WaitFor([&] { return s.Ups().size() == 2; }));
    CHECK(MonotonicMs() - t0 >= 1000);
  }

  TEST_CASE("a restart with a non-empty outbox sends it again") {
    Site s;
    s.Start();
    ChunkId id = s.Ship(1);
    s.Stop();
    s.Start();
    CHECK(s.agent->StatusJson()["outbox_chunks"] == 1);
    REQUIRE(test::WaitFor([&] { return s.Ups().size() == 2; }));
    CHECK(s.Ups().back().second == id);
    CHECK(s.agent->StatusJson()["boot"] == 2);
  }

  TEST_CASE("duplicate and reordered deliveries count each grade once and free once") {
    Site s;
    s.Start();
    std::vector<uint32_t> peers;
    ChunkId id = s.Ship(1, &peers);
    s.broker->SetDuplicate(true);
    s.From(peers[0], msg::PutAck{id, peers[0]}.Encode());
    s.From(peers[1], msg::PutAck{id, peers[1]}.Encode());
    s.Down(msg::Ack{id, {kEdge, peers[0], peers[1]}}.Encode());
    CHECK(s.OutboxEmpty());
    s.broker->SetDuplicate(false);
    CHECK(s.Counter("grade_peer1") == 1);
    CHECK(s.Counter("grade_peer2") == 1);
    CHECK(s.Counter("grade_core") == 1);

    peers.clear();
    ChunkId id2 = s.Ship(2, &peers);
    s.broker->StopAutoDelivery();
    s.broker->SetReorder(true);
    s.From(peers[0], msg::PutAck{id2, peers[0]}.Encode());
    s.From(peers[1], msg::PutAck{id2, peers[1]}.Encode());
    s.Down(msg::Ack{id2, {kEdge, peers[0], peers[1]}}.Encode());
    s.broker->DeliverAll();  // the core's ack first, then the put_acks, now late
    s.broker->SetReorder(false);
    s.broker->StartAutoDelivery();
    CHECK(s.OutboxEmpty());
    CHECK(s.Counter("grade_core") == 2);
    CHECK(s.Counter("grade_peer1") == 1);
    CHECK(s.Counter("grade_peer2") == 1);
    CHECK(s.agent->StatusJson()["outbox_bytes"] == 0);
  }

  TEST_CASE("settings apply at the source, results and alarms reach status.json") {
    Site s;
    s.Start();
    msg::Settings only_samples;
    only_samples.settings.kinds = "samples";
    s.Down(only_samples.Encode());
    REQUIRE(test::WaitFor([&] { return s.agent->StatusJson()["settings"]["kinds"] == "samples"; }));
    s.Record(1);  // an event record: not permitted any more
    CHECK(s.CounterIs("rejected_feed", 1));
    CHECK(s.Counter("records_refused") == 1);
    msg::ResultNote r;
    r.id = ChunkId(std::string(32, 'r'));
    r.processor = "zscore";
    r.origin = kEdge;
    r.source = "feed";
    r.source_chunk = ChunkId(std::string(32, 's'));
    r.anomalies = 1;
    r.summary = {{"anomalies", {{{"row", 3}}}}};
    s.Down(r.Encode());
    CHECK(s.CounterIs("alarms_received", 1));
    // The counter is raised before the alarm list is updated (same handler, two steps).
    CHECK(test::WaitFor([&] { return s.agent->StatusJson()["latest_alarms"].size() == 1; }));
  }

  TEST_CASE("hostile messages are rejected and counted, the agent keeps working") {
    Site s;
    s.Start();
    const std::string idf = R"("id":")" + std::string(64, 'a') + R"(")";
    const std::vector<std::string> down = {
        R"({"v":1,"type":"result",)" + idf + R"(,"anomalies":1})",
        R"({"v":1,"type":"result",)" + idf + R"(,"anomalies":"x"})",
        R"({"v":1,"type":"result",)" + idf + R"(,"processor":5})",
        R"({"v":1,"type":"refused",)" + idf + R"(,"reason":5})",
        R"({"v":1,"type":"throttle",)" + idf + R"(,"retry_after_ms":"x"})",
        R"({"v":1,"type":"settings","settings":{"kinds":5}})",
        R"({"v":1,"type":"settings","settings":{"kinds":["samples","event"]}})",
        R"({"v":1,"type":"settings","settings":)" + std::string(425000, '[') +
            std::string(425000, ']') + "}",
        R"({"v":1,"type":"no such type"})",
    };
    std::string deep = R"({"v":1,"type":"settings","settings":)";
    for (int i = 0; i < 170000; ++i) deep += R"({"a":)";
    deep += "1" + std::string(170000, '}') + "}";
    for (const auto& p : down) s.Down(p);
    s.Down(deep);
    // What peers say comes on peer/<n>/e1, never on down/e1 (the core's alone).
    s.From(11, R"({"v":1,"type":"put_nack",)" + idf + R"(,"holder":11,"reason":5})");
    // Not rejected: a put_ack has no reason field to be wrong. It names no chunk of ours.
    s.From(11, R"({"v":1,"type":"put_ack",)" + idf + R"(,"holder":11,"reason":5})");
    s.broker->Inject(
        s.t.RegReply("e1"),
        s.FromCore(s.t.RegReply("e1"),
                   R"({"v":1,"type":"registered","name":"e1","addr":7,"settings":5})"));
    s.broker->Inject(s.t.Members(),
                     s.FromCore(s.t.Members(), R"({"v":1,"type":"members","nodes":"x"})"));
    s.broker->Inject(s.t.Put("p11", "e1"), "garbage");
    s.broker->Inject("local/feed", "not json");
    CHECK(s.CounterIs("rejected_down", 10));
    CHECK(s.CounterIs("rejected_peer", 1));
    CHECK(s.Counter("unknown_types") == 1);
    CHECK(s.CounterIs("rejected_registration", 1));
    CHECK(s.CounterIs("rejected_members", 1));
    CHECK(s.CounterIs("rejected_put", 1));
    CHECK(s.CounterIs("rejected_feed", 1));
    CHECK(s.Counter("handler_errors") == 0);
    CHECK(s.agent->StatusJson()["live_peers"] == 3);  // the bad member list changed nothing
    std::vector<uint32_t> peers;
    ChunkId id = s.Ship(1, &peers);
    s.Down(msg::Ack{id, {kEdge, peers[0], peers[1]}}.Encode());
    CHECK(s.OutboxEmpty());
  }
}
}  // namespace tern::edge
