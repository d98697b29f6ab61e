#include "uplink_gate.h"

#include <doctest/doctest.h>

#include "core_testing.h"
#include "tern/common/messages.h"

namespace tern::core {
using testing::MakeChunk;

namespace {
struct Fixture : testing::TestRegistry {
  UplinkGate gate{Topics(), t.db.get(), &members, &settings, &m};
  uint32_t a = 0;
  Fixture() {
    a = t.Register("edge-a");
    members.Add(a, "edge-a");
  }
};
}  // namespace

TEST_SUITE("uplink_gate") {
  TEST_CASE("a token bucket gives two seconds of burst, then the rate") {
    TokenBucket b;
    CHECK(b.Take(100, 0, 1) == 0);  // no limit
    CHECK(b.Take(2000, 1000, 1) == 0);
    CHECK(b.Take(500, 1000, 1) == 501);  // empty: 500 bytes take 0.5 s
    CHECK(b.Take(500, 1000, 501) == 0);
  }

  TEST_CASE("a registered edge's chunk is recorded and spooled once, a resend only earns an ack") {
    Fixture f;
    auto c = MakeChunk(f.a, 1);
    auto o = f.gate.OnUplink(Topics().Up("edge-a"), c.Uplink(), 1000);
    CHECK_FALSE(o.reply);
    REQUIRE(o.accepted);
    CHECK(*o.accepted == c.id);
    REQUIRE(o.spooled);
    CHECK(o.spooled->origin == f.a);
    CHECK(o.spooled->priority == static_cast<int>(Priority::kNormal));
    auto rec = f.t.db->Chunk(c.id).value();
    REQUIRE(rec);
    CHECK(rec->spooled);
    CHECK(rec->holders == std::vector<uint32_t>{f.a});
    auto again = f.gate.OnUplink(Topics().Up("edge-a"), c.Uplink(), 1001);
    CHECK(again.accepted);
    CHECK_FALSE(again.spooled);
    CHECK(f.m.Get("uplinks") == 2);
  }

  TEST_CASE("a new chunk id under an acked (source, seq) is refused as seq_reuse, with the marks") {
    Fixture f;
    auto first = MakeChunk(f.a, 3);
    REQUIRE(f.gate.OnUplink(Topics().Up("edge-a"), first.Uplink(), 1).accepted);
    auto again = MakeChunk(f.a, 3, RecordKind::kEvent);  // the same (source, seq), other bytes
    REQUIRE(again.id != first.id);
    CHECK(f.gate.OnUplink(Topics().Up("edge-a"), again.Uplink(), 2).accepted);  // not acked yet
    REQUIRE(f.t.db->MarkAcked(first.id).ok());
    REQUIRE(f.t.db->seq_marks().Acked(f.a, "vib", 3).ok());
    auto o = f.gate.OnUplink(Topics().Up("edge-a"), again.Uplink(), 3);
    CHECK_FALSE(o.accepted);
    REQUIRE(o.reply);
    CHECK(o.reply->topic == Topics().Down("edge-a"));
    auto r = msg::DecodeText<msg::Refused>(o.reply->payload).value();
    CHECK(r.id == again.id);
    CHECK(r.reason.rfind("seq_reuse", 0) == 0);
    CHECK(r.seq_high == 3);
    CHECK(r.next_chunk == 4);
    CHECK(r.next_record == 304);  // MakeChunk's records of seq 3 are 300..303
    CHECK(f.m.Get("refused_seq_reuse") == 1);
    // The acked chunk itself, resent, still earns its ack.
    CHECK(f.gate.OnUplink(Topics().Up("edge-a"), first.Uplink(), 4).accepted);
    CHECK(f.m.Get("refused_seq_reuse") == 1);
  }

  TEST_CASE("strangers, bad envelopes and borrowed origins are rejected as rejected_up") {
    Fixture f;
    auto c = MakeChunk(f.a, 1);
    CHECK_FALSE(f.gate.OnUplink(Topics().Up("stranger"), c.Uplink(), 1).accepted);
    CHECK_FALSE(f.gate.OnUplink(Topics().Up("edge-a"), "garbage", 1).accepted);
    std::string flipped = c.Uplink();
    flipped.back() ^= 1;
    CHECK_FALSE(f.gate.OnUplink(Topics().Up("edge-a"), flipped, 1).accepted);
    uint32_t b = f.t.Register("edge-b");
    f.members.Add(b, "edge-b");
    CHECK_FALSE(
        f.gate.OnUplink(Topics().Up("edge-b"), c.Uplink(), 1).accepted);  // a's chunk from b
    CHECK(f.m.Get("rejected_up") == 4);
    CHECK(f.t.db->Chunk(c.id).value() == std::nullopt);
  }

  TEST_CASE("a kind the edge may not send is refused, over the byte rate it is throttled") {
    Fixture f;
    EdgeSettings s;
    s.name = "edge-a";
    s.kinds = "samples";
    s.max_bytes_per_s = 1000;
    REQUIRE(f.t.db->PutSettings(s).ok());
    REQUIRE(f.settings.Load("edge-a").ok());
    auto ev = MakeChunk(f.a, 1, RecordKind::kEvent);
    auto r = f.gate.OnUplink(Topics().Up("edge-a"), ev.Uplink(), 1);
    REQUIRE(r.reply);
    CHECK(r.reply->topic == Topics().Down("edge-a"));
    CHECK(msg::DecodeText<msg::Refused>(r.reply->payload).ok());
    CHECK(f.m.Get("refused_permission") == 1);
    uint64_t sent = 0;
    bool throttled = false;
    for (uint64_t seq = 2; seq < 100 && !throttled; ++seq) {
      auto c = MakeChunk(f.a, seq, RecordKind::kSamples, 20);
      auto o = f.gate.OnUplink(Topics().Up("edge-a"), c.Uplink(), 1);
      if (o.reply) {
        auto t = msg::DecodeText<msg::Throttle>(o.reply->payload);
        REQUIRE(t.ok());
        CHECK(t->retry_after_ms > 0);
        CHECK_FALSE(o.accepted);
        throttled = true;
      } else {
        sent += c.wire.size();
      }
    }
    CHECK(throttled);
    CHECK(sent <= 2000);  // two seconds of burst
    CHECK(f.m.Get("throttled") == 1);
  }
}
}  // namespace tern::core
