// A whole Core against the in-process broker (testing::FakeBroker): no sockets, no other
// processes; the test plays the edges and stores by injecting their messages.
#include "tern/core/core.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <functional>
#include <map>
#include <set>

#include "core_site_testing.h"
#include "tern/common/messages.h"
#include "tern/core/manifest.h"

namespace tern::core {
using testing::Site;
using testing::WaitFor;

TEST_SUITE("core") {
  TEST_CASE(
      "registration, then an uplink and two stored notices give exactly one ack after commit") {
    Site s;
    s.Start();
    auto e = s.LiveEdges(3);
    CHECK(e[0] != e[1]);
    CHECK(s.Register("edge-0") == e[0]);  // the same address again
    auto c = testing::MakeChunk(e[0], 1);
    s.broker->Inject(s.t.Up(s.N(e[0])), c.Uplink());
    s.Stored(c, e[1]);
    s.Stored(c, e[2]);
    REQUIRE(WaitFor([&] { return !s.On<msg::Ack>(s.t.Down(s.N(e[0]))).empty(); }));
    // The ack is out, so the transaction that justifies it has committed.
    auto rec = s.Db()->Chunk(c.id).value();
    REQUIRE(rec);
    CHECK(rec->acked);
    auto acks = s.On<msg::Ack>(s.t.Down(s.N(e[0])));
    REQUIRE(acks.size() == 1);
    CHECK(acks[0].id == c.id);
    CHECK(acks[0].holders.size() == 3);
    CHECK(s.Counter("acks") == 1);
  }

  TEST_CASE("duplicate and reordered deliveries still give one manifest entry with three holders") {
    Site s;
    s.Start();
    auto e = s.LiveEdges(3);
    s.broker->SetDuplicate(true);
    s.broker->SetReorder(true);
    auto c = testing::MakeChunk(e[0], 1);
    s.Stored(c, e[1]);
    s.Stored(c, e[2]);
    s.broker->Inject(s.t.Up(s.N(e[0])), c.Uplink());
    REQUIRE(WaitFor([&] { return !s.On<msg::Ack>(s.t.Down(s.N(e[0]))).empty(); }));
    // Each statement is taken once; its duplicate is a replay. Uplinks are binary and
    // idempotent: both copies are taken.
    REQUIRE(WaitFor([&] {
      return s.Counter("stored_notices") == 2 && s.Counter("refused_replay") == 2 &&
             s.Counter("uplinks") == 2;
    }));
    auto all = s.Db()->All().value();
    int mine = 0;
    for (const auto& r : all) {
      if (r.origin != e[0]) continue;
      ++mine;
      CHECK(r.holders.size() == 3);
      CHECK(r.acked);
    }
    CHECK(mine == 1);
    CHECK(s.Counter("acks") == 1);  // a resend earns a repeated ack, never a second first one
  }

  TEST_CASE("a result copy refused with put_nack goes to another store") {
    Site s;
    s.Start();
    auto e = s.LiveEdges(4);
    ChunkId rid = s.UplinkForResult(e[0], 3);
    auto first = s.Puts()[rid];
    CHECK(first.count(e[0]));  // the data's own edge first
    uint32_t refuser =
        *std::find_if(first.begin(), first.end(), [&](uint32_t a) { return a != e[0]; });
    REQUIRE(!s.broker->PublishedOn(s.t.Put(s.o.name, s.N(refuser))).empty());
    msg::PutNack n;
    n.id = rid;
    n.holder = refuser;
    n.reason = "disk full";
    s.Tell(s.t.Peer(s.N(refuser), s.o.name), n.Encode());
    REQUIRE(WaitFor([&] { return s.Puts()[rid].size() == 4; }));
    CHECK(s.Counter("result_refusals") == 1);
  }

  TEST_CASE("after a restart the core asks every store to restate results it was placing") {
    Site s;
    s.Start();
    auto e = s.LiveEdges(3);
    ChunkId rid = s.UplinkForResult(e[0], 3);
    s.core->Stop();
    s.core.reset();
    s.broker->ClearPublished();
    s.Start();
    for (uint32_t a : e) {
      REQUIRE(WaitFor([&] { return !s.On<msg::Restate>(s.t.Down(s.N(a))).empty(); }));
      auto r = s.On<msg::Restate>(s.t.Down(s.N(a))).front();
      CHECK(r.id == rid);
    }
    CHECK(s.Puts().empty());  // placing waits for the answers
  }

  TEST_CASE("an edge over its byte rate is throttled") {
    Site s;
    {
      std::filesystem::create_directories(s.o.data_dir);
      auto db = Manifest::Open(s.o.data_dir + "/core.db").value();
      EdgeSettings st;
      st.name = "edge-0";
      st.max_bytes_per_s = 1000;
      REQUIRE(db->PutSettings(st).ok());
    }
    s.Start();
    auto e = s.LiveEdges(1);
    auto reg = s.On<msg::Registered>(s.t.RegReply("edge-0"));
    REQUIRE(reg.back().settings);
    CHECK(reg.back().settings->max_bytes_per_s == 1000);
    for (uint64_t seq = 1; seq <= 20; ++seq) {
      s.broker->Inject(s.t.Up(s.N(e[0])),
                       testing::MakeChunk(e[0], seq, RecordKind::kSamples, 20).Uplink());
    }
    REQUIRE(WaitFor([&] { return !s.On<msg::Throttle>(s.t.Down(s.N(e[0]))).empty(); }));
    CHECK(s.On<msg::Throttle>(s.t.Down(s.N(e[0]))).front().retry_after_ms > 0);
    CHECK(s.Counter("throttled") >= 1);
  }

  TEST_CASE("hostile control messages are rejected and counted, the core goes on working") {
    Site s;
    s.Start();
    auto e = s.LiveEdges(3);
    const std::string hb = s.t.Hb(s.N(e[0]));
    s.Tell(hb, R"({"v":1,"type":"hb","cpu":"x"})");
    s.Tell(hb, R"({"v":1,"type":"hb","used":"x"})");
    s.Tell(hb, R"({"v":1,"type":"hb","capacity":[1]})");
    const std::string a = std::to_string(e[0]);
    s.Tell(hb, R"({"v":1,"type":"hb","addr":)" + a + R"(,"cpu":"x"})");
    s.Tell(hb, R"({"v":1,"type":"hb","addr":)" + a + R"(,"used":"x"})");
    s.Tell(hb, R"({"v":1,"type":"hb","addr":)" + a + R"(,"capacity":[1]})");
    s.Tell(hb, R"({"v":1,"type":"nonsense"})");
    s.Tell(s.t.Reg("x"), R"({"v":1,"type":"register","name":"x","capacity":"x"})");
    s.Tell(s.t.Stored(s.N(e[1])), std::string(100000, '[') + std::string(100000, ']'));
    s.Tell(s.t.Stored(s.N(e[1])), R"({"v":1,"type":"stored","id":[[[[1]]]]})");
    s.broker->Inject(s.t.Up(s.N(e[0])), "garbage");
    s.broker->Inject(s.t.Up("stranger"), "garbage");
    s.Tell(s.t.Peer(s.N(e[1]), s.o.name), R"({"v":1,"type":"put_nack","id":{}})");
    REQUIRE(WaitFor([&] {
      return s.Counter("rejected_hb") == 7 && s.Counter("rejected_register") == 1 &&
             s.Counter("rejected_stored") == 2 && s.Counter("rejected_up") == 2 &&
             s.Counter("rejected_peer") == 1;
    }));
    CHECK(s.Counter("unknown_types") == 1);
    CHECK(s.Counter("handler_errors") == 0);
    // Counted inside the transaction; published after its commit.
    CHECK(WaitFor([&] { return s.On<msg::RegistrationRefused>(s.t.RegReply("x")).size() == 1; }));
    // Still working: a new node registers and a chunk is acked.
    CHECK(s.Register("late") != 0);
    auto c = testing::MakeChunk(e[0], 1);
    s.broker->Inject(s.t.Up(s.N(e[0])), c.Uplink());
    s.Stored(c, e[1]);
    s.Stored(c, e[2]);
    CHECK(WaitFor([&] { return !s.On<msg::Ack>(s.t.Down(s.N(e[0]))).empty(); }));
  }
}
}  // namespace tern::core
