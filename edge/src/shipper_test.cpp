#include "shipper.h"

#include <doctest/doctest.h>

#include "tern/common/hlc.h"
#include "test_util.h"

namespace tern::edge {
namespace {
// The peer a put went to: "put/n1/n<addr>" -> addr.
uint32_t To(const std::string& topic) {
  return static_cast<uint32_t>(std::stoul(Topics().Parse(topic).to.substr(1)));
}

SealedChunk Sealed(uint32_t origin, uint64_t seq) {
  SealedChunk c;
  c.wire = test::MakeChunk(origin, seq);
  c.id = ChunkIdOf(c.wire);
  c.header = DecodeChunk(c.wire).value().header;
  c.first_collected_us = MonotonicUs();
  c.next_record_seq = seq + 1;
  c.next_chunk_seq = seq + 1;
  return c;
}

// A shipper for node 1 with peers 2, 3 and 4.
struct Rig : test::StoreRig {
  PeerTable peers;
  SettingsState settings{&m, "e"};
  GradeLatencies grades;
  EdgeOptions o;
  std::unique_ptr<Shipper> shipper;
  std::vector<std::string> raised;  // what the chunker was told: "source rec chunk"

  Rig() : StoreRig("shipper") {
    msg::Members members;
    for (uint32_t a : {1u, 2u, 3u, 4u})
      members.nodes.push_back({a, "n" + std::to_string(a), "live", 0.5});
    peers.Update(members, 1);
    Open();
  }
  ~Rig() override { store.reset(); }
  void Open() {
    shipper = std::make_unique<Shipper>(
        o, Shipper::Deps{
               1, "n1", Topics(), store.get(), t.get(), &loop, &peers, &settings, &m, &grades,
               "test", nullptr, [this](const std::string& src, uint64_t rec, uint64_t chunk) {
                 raised.push_back(src + " " + std::to_string(rec) + " " + std::to_string(chunk));
               }});
  }
  bool Until(const std::function<bool()>& cond) {
    return StoreRig::Until(cond, [this] { shipper->Pump(); });
  }
  size_t Sent(const std::string& filter) { return On(filter).size(); }
};
}  // namespace

TEST_SUITE("shipper") {
  TEST_CASE("committed, put to two peers and uplinked, graded once each, the core's ack frees it") {
    Rig r;
    SealedChunk c = Sealed(1, 0);
    ChunkId id = c.id;
    r.shipper->OnSealed(std::move(c));
    REQUIRE(r.Until([&] { return r.Sent("tern/up/n1") == 1; }));
    CHECK(r.m.Get("grade_local") == 1);
    auto puts = r.broker->PublishedOn("tern/put/n1/+");
    REQUIRE(puts.size() == 2);
    uint32_t a = To(puts[0].topic), b = To(puts[1].topic);
    CHECK(a != b);
    CHECK(DecodeEnvelope(puts[0].payload).value().sender == 1);
    for (int twice = 0; twice < 2; ++twice) {  // duplicate deliveries
      r.shipper->OnPutAck({id, a});
      r.shipper->OnPutAck({id, b});
      r.shipper->OnAck({id, {1, a, b}});
    }
    REQUIRE(r.Until([&] { return r.shipper->outbox_chunks() == 0; }));
    CHECK(r.m.Get("grade_peer1") == 1);
    CHECK(r.m.Get("grade_peer2") == 1);
    CHECK(r.m.Get("grade_core") == 1);
    CHECK(r.shipper->outbox_bytes() == 0);
    CHECK(r.grades.ToJson()["core"]["count"] == 1);
    // The same latencies as histograms in the counters the heartbeat carries, once each.
    for (const char* g : {"local", "peer1", "peer2", "core"}) {
      INFO(g);
      const std::string h = std::string("ack_ms_") + g;
      CHECK(r.m.Get(h + "_count") == 1);
      CHECK(r.m.Get(h + "_le_inf") == 1);
      CHECK(r.m.Get(h + "_le_60000") == 1);
    }
    CHECK(r.m.Get("outbox_max_bytes") == r.o.outbox_max_bytes);
    REQUIRE(
        test::WaitFor([&] { return r.store->queued() == 0 && r.store->LoadOutbox()->empty(); }));
  }

  TEST_CASE("put_nack places the copy elsewhere, a core refusal drops the chunk from the outbox") {
    Rig r;
    SealedChunk c = Sealed(1, 0);
    ChunkId id = c.id;
    r.shipper->OnSealed(std::move(c));
    REQUIRE(r.Until([&] { return r.Sent("tern/put/n1/+") == 2; }));
    auto puts = r.broker->PublishedOn("tern/put/n1/+");
    uint32_t a = To(puts[0].topic), b = To(puts[1].topic);
    r.shipper->OnPutNack({id, a, "disk full"});
    REQUIRE(r.Until([&] { return r.Sent("tern/put/n1/+") == 3; }));
    uint32_t third = To(r.broker->PublishedOn("tern/put/n1/+")[2].topic);
    CHECK(third != a);
    CHECK(third != b);
    CHECK(r.m.Get("replica_refusals") == 1);
    r.shipper->OnRefused({id, "event data is not permitted"});
    REQUIRE(r.Until([&] { return r.shipper->outbox_chunks() == 0; }));
    CHECK(r.m.Get("core_refusals") == 1);
  }

  TEST_CASE("a retried chunk committing after newer ones does not lower the source's next seq") {
    // The disk-full episode: chunk 4's commit failed and is retried after 5 and 6 committed;
    // a crash then must not restart the source at 5 (the 15 duplicate pairs).
    Rig r;
    for (uint64_t seq : {uint64_t{5}, uint64_t{6}, uint64_t{4}})
      r.shipper->OnSealed(Sealed(1, seq));
    REQUIRE(r.Until([&] { return r.m.Get("grade_local") == 3; }));
    REQUIRE(test::WaitFor([&] { return r.store->queued() == 0; }));
    r.store.reset();  // the crash: the next start reads what committed
    r.store = LocalStore::Open(r.dir / "edge.db", 0).value();
    CHECK(r.store->GetMeta("seq/s").value() == std::optional<std::string>("7 7"));
    r.Open();
  }

  TEST_CASE("a seq_reuse refusal keeps the chunk and raises the source above the core's marks") {
    Rig r;
    SealedChunk c = Sealed(1, 3);
    ChunkId id = c.id;
    r.shipper->OnSealed(std::move(c));
    REQUIRE(r.Until([&] { return r.Sent("tern/up/n1") == 1; }));
    r.shipper->OnRefused({id, "seq_reuse: source 's' seq 3 was acked before", 9, 10, 500});
    REQUIRE(r.Until([&] { return r.shipper->outbox_chunks() == 0; }));
    CHECK(r.m.Get("core_refusals") == 1);
    CHECK(r.m.Get("core_refusals_seq_reuse") == 1);
    CHECK(r.raised == std::vector<std::string>{"s 500 10"});
    CHECK(r.store->GetMeta("seq/s").value() == std::optional<std::string>("500 10"));
    CHECK(r.store->HasChunk(id).value());  // kept: not lost, not acked
  }

  TEST_CASE("after a restart the durable outbox is sent again") {
    Rig r;
    SealedChunk c = Sealed(1, 0);
    ChunkId id = c.id;
    r.shipper->OnSealed(std::move(c));
    REQUIRE(r.Until([&] { return r.Sent("tern/up/n1") == 1; }));
    r.Open();  // a new shipper on the same store, as after a restart
    CHECK(r.shipper->outbox_chunks() == 0);
    REQUIRE(r.shipper->Restore().ok());
    CHECK(r.shipper->outbox_chunks() == 1);
    REQUIRE(r.Until([&] { return r.Sent("tern/up/n1") == 2; }));
    auto up = r.broker->PublishedOn("tern/up/n1");
    CHECK(ChunkId(DecodeEnvelope(up[1].payload).value().id) == id);
  }

  TEST_CASE("after a restart, copies from before are looked for on every live peer first") {
    // The old process put the chunk on two peers and died; a's `stored` may never have
    // reached the core. The new one must find a's copy, not place two more.
    Rig r;
    r.o.replica_timeout_ms = 1000;  // the hold: long enough for the answers below
    r.Open();
    SealedChunk c = Sealed(1, 0);
    ChunkId id = c.id;
    r.shipper->OnSealed(std::move(c));
    REQUIRE(r.Until([&] { return r.Sent("tern/put/n1/+") == 2; }));
    const uint32_t a = To(r.broker->PublishedOn("tern/put/n1/+")[0].topic);
    r.Open();
    REQUIRE(r.shipper->Restore().ok());
    REQUIRE(r.Until([&] { return r.Sent("tern/peer/n1/+") == 3; }));  // n2, n3 and n4
    CHECK(r.Sent("tern/put/n1/+") == 2);  // nothing new before the answers
    r.shipper->OnPutAck({id, a});
    for (uint32_t p : {2u, 3u, 4u}) {
      if (p != a) r.shipper->OnRestateNack({id, p, "chunk not held here"});
    }
    REQUIRE(r.Until([&] { return r.Sent("tern/put/n1/+") == 3; }));  // the one copy missing
    CHECK(To(r.broker->PublishedOn("tern/put/n1/+")[2].topic) != a);
    CHECK(r.m.Get("replica_probes") == 3);
    CHECK(r.m.Get("replicas_found") == 1);
    CHECK(r.m.Get("replica_refusals") == 0);  // "not held here" answers a probe, refuses nothing
    CHECK(r.m.Get("put_acks_unasked") == 0);
  }

  TEST_CASE("throttle moves the next uplink to the core's retry time") {
    Rig r;
    r.o.uplink_timeout_ms = 100;
    r.Open();
    SealedChunk c = Sealed(1, 0);
    ChunkId id = c.id;
    r.shipper->OnSealed(std::move(c));
    REQUIRE(r.Until([&] { return r.Sent("tern/up/n1") == 1; }));
    uint64_t t0 = MonotonicMs();
    r.shipper->OnThrottle({id, "byte-rate limit", 400});
    REQUIRE(r.Until([&] { return r.m.Get("uplinks_throttled") == 1; }));
    REQUIRE(r.Until([&] { return r.Sent("tern/up/n1") == 2; }));
    CHECK(MonotonicMs() - t0 >= 400);  // not at the 100 ms timeout
  }
}
}  // namespace tern::edge
