#include "store_service.h"

#include <doctest/doctest.h>

#include "chunk_write.h"
#include "tern/common/hlc.h"
#include "test_util.h"

namespace tern::edge {
namespace {
// The store service of node 5 ("n5"); node 9 is "n9", 77 is "n77".
struct Rig : test::StoreRig {
  std::unique_ptr<ReliablePublisher> pub;
  std::unique_ptr<StoreService> svc;

  Rig() : StoreRig("store_service") {
    pub = std::make_unique<ReliablePublisher>(
        t.get(), [this](uint64_t ms, EventLoop::Task f) { loop.After(ms, std::move(f)); }, &m,
        "test");
    svc = std::make_unique<StoreService>(5, "n5", Topics(), store.get(), &loop, pub.get(), &m,
                                         "test");
  }
  ~Rig() override { store.reset(); }
};
}  // namespace

TEST_SUITE("store_service") {
  TEST_CASE("a put is verified, committed, then stated to the core and acked to the sender") {
    Rig r;
    std::string wire = test::MakeChunk(9, 3);
    ChunkId id = ChunkIdOf(wire);
    r.svc->OnPut("n9", test::PutOf(9, wire));
    REQUIRE(r.Until([&] { return r.On("tern/peer/n5/n9").size() == 1; }));
    auto ack = msg::DecodeText<msg::PutAck>(r.On("tern/peer/n5/n9")[0]);
    REQUIRE(ack.ok());
    CHECK(ack->id == id);
    CHECK(ack->holder == 5);
    auto stored = msg::DecodeText<msg::Stored>(r.On("tern/stored/n5").at(0));
    REQUIRE(stored.ok());
    CHECK(stored->holder == 5);
    CHECK(stored->origin == 9);
    CHECK(stored->seq == 3);
    CHECK(r.m.Get("replicas_stored") == 1);
    // The same put again (a resend): acknowledged again, stored once.
    r.svc->OnPut("n9", test::PutOf(9, wire));
    REQUIRE(r.Until([&] { return r.On("tern/peer/n5/n9").size() == 2; }));
    CHECK(r.m.Get("replicas_duplicate") == 1);
    CHECK(r.store->Totals()->first == 1);
  }

  TEST_CASE("under disk pressure a refused class is answered put_nack, a copy held re-acked") {
    Rig r;
    PressureLadder ladder(Watermarks{}, &r.m, "test");
    r.svc->SetPressure(&ladder);
    auto chunk = [](Priority p, uint64_t seq) {
      ChunkHeader h;
      h.origin = 9;
      h.source = "s";
      h.seq = seq;
      h.kind = RecordKind::kEvent;
      h.priority = p;
      return BuildChunk(h, {Record{1, seq, "{}"}}).value();
    };
    const std::string held = chunk(Priority::kBulk, 1);
    r.svc->OnPut("n9", test::PutOf(9, held));
    REQUIRE(r.Until([&] { return r.m.Get("replicas_stored") == 1; }));
    (void)ladder.Update(0.92, false);  // no_bulk
    r.svc->OnPut("n9", test::PutOf(9, chunk(Priority::kBulk, 2)));
    r.svc->OnPut("n9", test::PutOf(9, chunk(Priority::kNormal, 3)));
    r.svc->OnPut("n9", test::PutOf(9, held));  // already here: acked again, not refused
    REQUIRE(r.Until([&] { return r.On("tern/peer/n5/n9").size() == 4; }));
    int nacks = 0;
    for (const auto& p : r.On("tern/peer/n5/n9")) {
      if (auto n = msg::DecodeText<msg::PutNack>(p); n.ok()) {
        ++nacks;
        CHECK(n->reason == "the store is 92.0 % full (pressure no_bulk): bulk data is refused");
      }
    }
    CHECK(nacks == 1);
    CHECK(r.m.Get("replicas_refused_pressure") == 1);
    CHECK(r.m.Get("replicas_duplicate") == 1);
    CHECK(r.m.Get("replicas_stored") == 3);  // the first, the normal one, the re-ack
    CHECK(r.m.Get("replica_store_errors") == 0);
    CHECK(r.store->Totals()->first == 2);
  }

  TEST_CASE("different bytes under the same id are refused with put_nack") {
    Rig r;
    std::string wire = test::MakeChunk(9, 1);
    StoreWrite other{StoreWrite::Kind::kReplica};
    other.info.id = ChunkIdOf(wire);
    other.wire = "other bytes";
    r.store->Submit(std::move(other), nullptr);
    REQUIRE(test::WaitFor([&] { return r.store->HasChunk(ChunkIdOf(wire)).value(); }));
    r.svc->OnPut("n9", test::PutOf(9, wire));
    REQUIRE(r.Until([&] { return r.On("tern/peer/n5/n9").size() == 1; }));
    auto nack = msg::DecodeText<msg::PutNack>(r.On("tern/peer/n5/n9")[0]);
    REQUIRE(nack.ok());
    CHECK(nack->reason.find("different bytes") != std::string::npos);
    CHECK(r.m.Get("replica_id_collisions") == 1);
  }

  TEST_CASE("malformed puts are rejected and counted, nothing is stored") {
    Rig r;
    std::string wire = test::MakeChunk(9, 1);
    std::string up = EncodeEnvelope(EnvelopeType::kUp, 9, 0, ChunkIdOf(wire), "", wire);
    std::string cut = test::PutOf(9, wire);
    cut.pop_back();
    for (const std::string& p : {std::string(), std::string("garbage"), up, cut})
      r.svc->OnPut("n9", p);
    CHECK(r.m.Get("rejected_put") == 4);
    r.loop.RunOnce(MonotonicMs());
    CHECK(r.store->Totals()->first == 0);
  }

  TEST_CASE("restate: stored + put_ack when held, restate_nack when not") {
    Rig r;
    std::string wire = test::MakeChunk(9, 1);
    ChunkId id = ChunkIdOf(wire);
    r.svc->OnPut("n9", test::PutOf(9, wire));
    REQUIRE(r.Until([&] { return r.m.Get("replicas_stored") == 1; }));
    r.svc->OnRestate({id, 77}, "n77");
    r.svc->OnRestate({ChunkId(std::string(32, 'x')), 77}, "n77");
    REQUIRE(r.Until([&] { return r.On("tern/peer/n5/n77").size() == 2; }));
    auto replies = r.On("tern/peer/n5/n77");
    CHECK(msg::DecodeText<msg::PutAck>(replies[0]).ok());
    auto nack = msg::DecodeText<msg::RestateNack>(replies[1]);
    REQUIRE(nack.ok());
    CHECK(nack->holder == 5);
    CHECK(r.On("tern/stored/n5").size() == 2);  // the put's notice and the restatement
    CHECK(r.m.Get("restated") == 2);
  }

  TEST_CASE("delete drops a replica and says so, recent replicas are restated") {
    Rig r;
    std::string w1 = test::MakeChunk(9, 1), w2 = test::MakeChunk(9, 2);
    r.svc->OnPut("n9", test::PutOf(9, w1));
    r.svc->OnPut("n9", test::PutOf(9, w2));
    REQUIRE(r.Until([&] { return r.m.Get("replicas_stored") == 2; }));
    r.svc->AnnounceRecentReplicas();
    CHECK(r.m.Get("replicas_restated") == 2);
    r.svc->OnDelete({ChunkIdOf(w1)});
    REQUIRE(r.Until([&] { return r.m.Get("replicas_dropped") == 1; }));
    auto dropped = msg::DecodeText<msg::Dropped>(r.On("tern/stored/n5").back());
    REQUIRE(dropped.ok());
    CHECK(dropped->id == ChunkIdOf(w1));
    CHECK_FALSE(r.store->HasChunk(ChunkIdOf(w1)).value());
  }

  TEST_CASE("own chunks are dropped only while draining and never while still in the outbox") {
    Rig r;
    std::string acked = test::MakeChunk(5, 1), waiting = test::MakeChunk(5, 2);
    ChunkHeader h;
    h.origin = 5;
    for (const std::string* w : {&acked, &waiting}) {
      r.store->Submit(ChunkWrite(StoreWrite::Kind::kOwnChunk, ChunkIdOf(*w), h, *w), nullptr);
    }
    StoreWrite done{StoreWrite::Kind::kOutboxDone};
    done.id = ChunkIdOf(acked);
    r.store->Submit(std::move(done), nullptr);
    REQUIRE(test::WaitFor([&] {
      auto out = r.store->LoadOutbox();
      return r.store->Totals()->first == 2 && out.ok() && out->size() == 1;
    }));
    // Not draining: an own chunk stays and nothing is said (a `dropped` would take a copy
    // that exists out of the manifest).
    r.svc->OnDelete({ChunkIdOf(acked)});
    REQUIRE(r.Until([&] { return r.m.Get("drops_deferred") == 1; }));
    CHECK(r.store->HasChunk(ChunkIdOf(acked)).value());
    CHECK(r.On("tern/stored/n5").empty());
    // The member list says n5 drains: the acked own chunk goes, the unacked one stays.
    msg::Members list{{{5, "n5", "live", 0.5}, {9, "n9", "live", 0.5}}};
    list.nodes[0].draining = true;
    r.svc->OnMembers(list);
    CHECK(r.svc->draining());
    r.svc->OnDelete({ChunkIdOf(waiting)});
    REQUIRE(r.Until([&] { return r.m.Get("drops_deferred") == 2; }));
    CHECK(r.store->HasChunk(ChunkIdOf(waiting)).value());
    r.svc->OnDelete({ChunkIdOf(acked)});
    REQUIRE(r.Until([&] { return r.m.Get("drain_drops") == 1; }));
    CHECK_FALSE(r.store->HasChunk(ChunkIdOf(acked)).value());
    auto dropped = msg::DecodeText<msg::Dropped>(r.On("tern/stored/n5").back());
    REQUIRE(dropped.ok());
    CHECK(dropped->id == ChunkIdOf(acked));
    CHECK(r.On("tern/stored/n5").size() == 1);
  }
}
}  // namespace tern::edge
