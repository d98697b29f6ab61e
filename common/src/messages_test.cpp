// Every control message round-trips through Encode/Decode, and every field of every message
// rejects a hostile value (missing, null, wrong type, empty, huge, negative, NaN-like, deep
// nesting) with a Status instead of an exception.
#include "tern/common/messages.h"

#include <doctest/doctest.h>

#include <functional>
#include <string>
#include <vector>

#include "tern/common/bytes.h"

namespace tern::msg {
namespace {

ChunkId Id(char c) { return ChunkId(std::string(32, c)); }

// Decodes text as M the way a receiver does: ParseControl, then M::Decode.
template <typename M>
Result<M> Reparse(const std::string& text) {
  return DecodeText<M>(text);
}

template <typename M>
M RoundTrip(const M& m) {
  auto r = Reparse<M>(m.Encode());
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  CHECK(r->Encode() == m.Encode());
  return *r;
}

}  // namespace

TEST_SUITE("messages") {
  TEST_CASE("every message type round-trips") {
    Register reg{"edge-1", 1 << 30};
    CHECK(RoundTrip(reg).capacity == reg.capacity);
    Registered rd;
    rd.name = "edge-1";
    rd.addr = 7;
    rd.settings = SettingsBody{"edge-1", "high", 3, "samples", 1000, 1};
    auto rd2 = RoundTrip(rd);
    CHECK(rd2.addr == 7);
    REQUIRE(rd2.settings.has_value());
    CHECK(*rd2.settings == *rd.settings);
    CHECK(rd2.seq_floors.empty());
    rd.seq_floors = {{"vib", 42, 9000}, {"cam", 1, 0}};
    CHECK(RoundTrip(rd).seq_floors == rd.seq_floors);
    CHECK(RoundTrip(RegistrationRefused{"name taken"}).reason == "name taken");
    Heartbeat hb;
    hb.addr = 3;
    hb.name = "e";
    hb.cpu = 0.25;
    hb.used = 10;
    hb.capacity = 100;
    hb.counters = {{"a", 1}, {"b", -2}};
    CHECK(RoundTrip(hb).counters == hb.counters);
    CHECK(RoundTrip(hb).wall_ms == 0);
    hb.wall_ms = 1'700'000'000'000;
    CHECK(RoundTrip(hb).wall_ms == hb.wall_ms);
    CHECK_FALSE(RoundTrip(hb).disk_full);
    hb.disk_full = true;
    CHECK(RoundTrip(hb).disk_full);
    CHECK_FALSE(DecodeText<Heartbeat>(R"({"v":1,"type":"hb","addr":3})")->disk_full);  // absent
    // Placement: optional; absent means no window said and no groups.
    auto plain = DecodeText<Heartbeat>(R"({"v":1,"type":"hb","addr":3})");
    CHECK(plain->placement_window_ms == 0);
    CHECK(plain->groups.empty());
    hb.placement_window_ms = 10000;
    hb.groups = {{"vib", "rig"}, {"files", "cam"}};
    CHECK(RoundTrip(hb).placement_window_ms == 10000);
    CHECK(RoundTrip(hb).groups == hb.groups);
    CHECK_FALSE(DecodeText<Heartbeat>(R"({"v":1,"type":"hb","addr":3,"groups":["rig"]})").ok());
    CHECK_FALSE(DecodeText<Heartbeat>(R"({"v":1,"type":"hb","addr":3,"groups":{"vib":1}})").ok());
    CHECK_FALSE(DecodeText<Heartbeat>(R"({"v":1,"type":"hb","addr":3,"groups":{"vib":""}})").ok());
    CHECK_FALSE(
        DecodeText<Heartbeat>(R"({"v":1,"type":"hb","addr":3,"placement_window_ms":-1})").ok());
    // dedup_saved: -1 when not given.
    CHECK(RoundTrip(hb).dedup_saved == -1);
    hb.dedup_saved = 4096;
    CHECK(RoundTrip(hb).dedup_saved == 4096);
    CHECK_FALSE(DecodeText<Heartbeat>(R"({"v":1,"type":"hb","addr":3,"dedup_saved":-5})").ok());
    CHECK(RoundTrip(hb).zone.empty());
    CHECK(hb.Encode().find("zone") == std::string::npos);  // no zone: not on the wire
    hb.zone = "hall-2.a_1";
    CHECK(RoundTrip(hb).zone == "hall-2.a_1");
    CHECK_FALSE(DecodeText<Heartbeat>(R"({"v":1,"type":"hb","addr":3,"zone":"a b"})").ok());
    CHECK_FALSE(DecodeText<Heartbeat>(R"({"v":1,"type":"hb","addr":3,"zone":7})").ok());
    CHECK_FALSE(DecodeText<Heartbeat>(R"({"v":1,"type":"hb","addr":3,"zone":")" +
                                      std::string(33, 'z') + R"("})")
                    .ok());
    CHECK(ValidZone(""));
    CHECK(ValidZone("rack-7"));
    CHECK_FALSE(ValidZone("a/b"));
    CHECK_FALSE(ValidZone("x#"));
    CHECK(CheckZoneKey("hall-a").ok());
    CHECK(CheckZoneKey("").ok());
    CHECK(CheckZoneKey("hall a").message().find("config key 'node.zone': 'hall a'") == 0);
    // Disk pressure: a level 0..3, absent (and not on the wire) when normal.
    CHECK(hb.Encode().find("pressure") == std::string::npos);
    CHECK(RoundTrip(hb).pressure == Pressure::kNormal);
    hb.pressure = Pressure::kNoBulk;
    CHECK(RoundTrip(hb).pressure == Pressure::kNoBulk);
    for (const char* bad : {"-1", "4", "\"no_bulk\"", "2.5"}) {
      CHECK_MESSAGE(!DecodeText<Heartbeat>(
                         std::string(R"({"v":1,"type":"hb","addr":3,"pressure":)") + bad + "}")
                         .ok(),
                    bad);
    }
    Members ms;
    ms.nodes = {{2, "e2", "live", 0.5, "", false, Pressure::kAlarmsOnly}, {3, "e3", "live"}};
    auto back = RoundTrip(ms);
    CHECK(back.nodes[0].pressure == Pressure::kAlarmsOnly);
    CHECK(back.nodes[1].pressure == Pressure::kNormal);
    CHECK_FALSE(DecodeText<Members>(
                    R"({"v":1,"type":"members","nodes":[{"addr":2,"state":"live","pressure":9}]})")
                    .ok());
    CHECK(RoundTrip(Offline{9}).addr == 9);
    Members mem;
    mem.nodes = {{1, "a", "live", 0.1}, {2, "b", "dead", 1.0}};
    CHECK(RoundTrip(mem).nodes == mem.nodes);
    CHECK(RoundTrip(mem).wall_ms == 0);  // absent: not given
    mem.wall_ms = 1'700'000'000'123;
    CHECK(RoundTrip(mem).wall_ms == mem.wall_ms);
    StoredNotice n;
    n.id = Id('\x11');
    n.holder = 3;
    n.origin = 2;
    n.source = "vib";
    n.seq = 5;
    n.records = 9;
    n.bytes = 100;
    n.priority = 1;
    n.kind = 1;
    CHECK(RoundTrip(Stored(n)).seq == 5);
    CHECK(RoundTrip(Dropped{Id('\x22'), 4}).holder == 4);
    CHECK(RoundTrip(PutAck{Id('\x22'), 4}).id == Id('\x22'));
    CHECK(RoundTrip(PutNack{Id('\x22'), 4, "disk full"}).reason == "disk full");
    CHECK(RoundTrip(RestateNack{Id('\x22'), 4, "not held"}).reason == "not held");
    CHECK(RoundTrip(Ack{Id('\x33'), {1, 2, 3}}).holders == std::vector<uint32_t>{1, 2, 3});
    CHECK(RoundTrip(Refused{Id('\x33'), "kind"}).reason == "kind");
    CHECK(RoundTrip(Refused{Id('\x33'), "kind"}).next_chunk == 0);
    auto reuse = RoundTrip(Refused{Id('\x33'), "seq_reuse: ...", 41, 42, 900});
    CHECK(reuse.seq_high == 41);
    CHECK(reuse.next_chunk == 42);
    CHECK(reuse.next_record == 900);
    CHECK(RoundTrip(Throttle{Id('\x33'), "rate", 250}).retry_after_ms == 250);
    ResultNote rn;
    rn.id = Id('\x44');
    rn.processor = "zscore";
    rn.origin = 2;
    rn.origin_name = "edge-0";
    rn.source = "vib";
    rn.source_chunk = Id('\x55');
    rn.source_seq = 8;
    rn.anomalies = 2;
    rn.summary = {{"anomalies", {{{"t", 1}}, {{"t", 2}}}}};
    auto rn2 = RoundTrip(rn);
    CHECK(rn2.FirstAnomaly() == nlohmann::json{{"t", 1}});
    CHECK(RoundTrip(Settings{SettingsBody{"e", "keep", 1, "event", 0, 1}}).settings.kinds ==
          "event");
    CHECK(RoundTrip(Restate{Id('\x66'), 12}).to == 12);
    CHECK(RoundTrip(Delete{Id('\x77')}).id == Id('\x77'));
  }

  TEST_CASE("the examples that used to crash the daemons are errors") {
    const std::string id(64, 'a');
    const std::vector<std::pair<std::string, std::function<bool(const std::string&)>>> cases = {
        {R"({"v":1,"type":"hb","addr":3,"cpu":"x"})",
         [](auto& t) { return Reparse<Heartbeat>(t).ok(); }},
        {R"({"v":1,"type":"hb","addr":3,"used":"x"})",
         [](auto& t) { return Reparse<Heartbeat>(t).ok(); }},
        {R"({"v":1,"type":"hb","addr":3,"capacity":[1]})",
         [](auto& t) { return Reparse<Heartbeat>(t).ok(); }},
        {R"({"v":1,"type":"register","name":"x","capacity":"x"})",
         [](auto& t) { return Reparse<Register>(t).ok(); }},
        {R"({"v":1,"type":"result","id":")" + id + R"(","anomalies":1})",
         [](auto& t) { return Reparse<ResultNote>(t).ok(); }},
        {R"({"v":1,"type":"result","id":")" + id + R"(","anomalies":"x"})",
         [](auto& t) { return Reparse<ResultNote>(t).ok(); }},
        {R"({"v":1,"type":"put_nack","id":")" + id + R"(","holder":2,"reason":5})",
         [](auto& t) { return Reparse<PutNack>(t).ok(); }},
        {R"({"v":1,"type":"refused","id":")" + id + R"(","reason":5})",
         [](auto& t) { return Reparse<Refused>(t).ok(); }},
        {R"({"v":1,"type":"throttle","id":")" + id + R"(","retry_after_ms":"x"})",
         [](auto& t) { return Reparse<Throttle>(t).ok(); }},
        {R"({"v":1,"type":"settings","settings":{"kinds":5}})",
         [](auto& t) { return Reparse<Settings>(t).ok(); }},
        {R"({"v":1,"type":"settings","settings":{"kinds":["samples","event"]}})",
         [](auto& t) { return Reparse<Settings>(t).ok(); }},
        {R"({"v":1,"type":"settings","settings":5})",
         [](auto& t) { return Reparse<Settings>(t).ok(); }},
        {R"({"v":1,"type":"registered","name":"a","addr":3,"settings":5})",
         [](auto& t) { return Reparse<Registered>(t).ok(); }},
        {R"({"v":1,"type":"registered","name":"a","addr":3,"seq_floors":5})",
         [](auto& t) { return Reparse<Registered>(t).ok(); }},
        {R"({"v":1,"type":"registered","name":"a","addr":3,"seq_floors":[5]})",
         [](auto& t) { return Reparse<Registered>(t).ok(); }},
        {R"({"v":1,"type":"registered","name":"a","addr":3,"seq_floors":[{"source":"s"}]})",
         [](auto& t) { return Reparse<Registered>(t).ok(); }},
        {R"({"v":1,"type":"registered","name":"a","addr":3,)"
         R"("seq_floors":[{"source":"s","next_chunk":-1,"next_record":0}]})",
         [](auto& t) { return Reparse<Registered>(t).ok(); }},
        {R"({"v":1,"type":"refused","id":")" + id + R"(","next_chunk":"x"})",
         [](auto& t) { return Reparse<Refused>(t).ok(); }},
        {R"({"v":1,"type":"hb","addr":3,"wall_ms":-5})",
         [](auto& t) { return Reparse<Heartbeat>(t).ok(); }},
    };
    for (const auto& [text, decodes] : cases) {
      INFO(text);
      CHECK_FALSE(decodes(text));
    }
  }

  TEST_CASE("a register from an older edge with store_path is accepted and the path ignored") {
    for (const char* text :
         {R"({"v":1,"type":"register","name":"old","store_path":"/srv/a/edge.db","capacity":7})",
          R"({"v":1,"type":"register","name":"old","store_path":5,"capacity":7})"}) {
      INFO(text);
      auto r = Reparse<Register>(text);
      REQUIRE(r.ok());
      CHECK(r->name == "old");
      CHECK(r->capacity == 7);
      CHECK(r->Encode().find("store_path") == std::string::npos);
    }
  }

  TEST_CASE("nesting and size are bounded before parsing") {
    std::string deep = R"({"v":1,"type":"hb","addr":3,"counters":)";
    deep += std::string(10000, '[') + std::string(10000, ']') + "}";
    auto r = ParseControl(deep);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("deeper") != std::string::npos);
    std::string objs = R"({"v":1,"type":"settings","settings":)";
    for (int i = 0; i < 300000; ++i) objs += R"({"a":)";
    CHECK_FALSE(ParseControl(objs).ok());
    // Brackets inside strings do not count, and escaped quotes do not end a string.
    CHECK(
        ParseControl(R"({"v":1,"type":"x","s":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"[[["})").ok());
    CHECK_FALSE(ParseControl(std::string(kMaxControlBytes + 1, ' ')).ok());
  }
}

}  // namespace tern::msg
