// Forgery past the broker: a client whose certificate the broker lets publish anywhere (role
// core, under another name, with its own key) speaks as the core and as an edge, with
// sequence numbers high enough to pass every replay window. Only signatures stand in its
// way: every forged statement and chunk must be refused, counted and logged, and nothing it
// said may change a store, an outbox or the manifest while the site keeps ingesting.
#include <doctest/doctest.h>

#include "site.h"
#include "tern/common/messages.h"
#include "tern/common/mqtt.h"
#include "tern/common/protocol.h"
#include "tern/common/statements.h"

namespace tern::testing {

TEST_SUITE("forgery") {
  TEST_CASE("statements and chunks signed with a key that is not the sender's change nothing") {
    // 20 s of data at 2,000 records/s per edge: still flowing when the attack comes, also
    // on a loaded box where the site takes seconds to start.
    Site site(3, {"source.synthetic.rate=2000", "source.synthetic.max_records=40000"}, {},
              BrokerMode::kPki);
    REQUIRE(site.StartAll());
    REQUIRE(Site::WaitFor(30, [&] { return site.EdgeAddr(0) != 0 && site.EdgeAddr(2) != 0; }));
    const uint32_t a0 = site.EdgeAddr(0), a1 = site.EdgeAddr(1);
    // Wait for a replica edge-0 keeps for a peer: the forged delete aims at it.
    ChunkId replica;
    REQUIRE(Site::WaitFor(30, [&] {
      for (const auto& c : site.ReadStore(0)) {
        if (!c.own) replica = c.id;
      }
      return !replica.empty();
    }));
    const Identity rogue = site.broker().Issue("rogue", crypto::Role::kCore);
    auto atk = MqttClient::Create(site.ClientOptions("rogue", rogue));
    REQUIRE(atk.ok());
    REQUIRE((*atk)->Start().ok());
    REQUIRE((*atk)->WaitConnected(std::chrono::seconds(10)).ok());
    auto key = crypto::PrivateKey::Load(rogue.key).value();
    uint64_t seq = 2 * SeqFloorNow();  // above every window: only the signature can refuse it
    auto say = [&](const std::string& topic, const std::string& json) {
      REQUIRE(
          (*atk)
              ->Publish(topic, Seal(topic, json, ++seq, &key), 1, false, std::chrono::seconds(5))
              .ok());
    };
    Topics t;
    // As the core, to edge-0: delete a replica, refuse all its data, a member list of ghosts.
    say(t.Down("edge-0"), msg::Delete{replica}.Encode());
    msg::Settings only_events;
    only_events.settings.name = "edge-0";
    only_events.settings.kinds = "event";
    say(t.Down("edge-0"), only_events.Encode());
    msg::Members ghosts;
    ghosts.core = "core";
    ghosts.nodes = {{a0, "edge-0", "live", 0.1, ""},
                    {9001, "ghost", "live", 0.0, key.Public().Hex()}};
    say(t.Members(), ghosts.Encode());
    // As edge-0, to the core: it went offline; it holds a chunk it never saw.
    say(t.Hb("edge-0"), msg::Offline{a0}.Encode());
    ChunkHeader h;
    h.origin = a1;
    h.source = "forged";
    const std::string wire = BuildChunk(h, {{1, 0, "abc"}}).value();
    const ChunkId id = ChunkIdOf(wire);
    say(t.Stored("edge-0"), msg::Stored(NoticeFor(id, a0, h, wire.size())).Encode());
    // edge-1's data, signed by the rogue: as an uplink to the core and a put to edge-0.
    const std::string sig = SignChunkId(key, id);
    REQUIRE((*atk)
                ->Publish(t.Up("edge-1"), EncodeEnvelope(EnvelopeType::kUp, a1, 0, id, sig, wire))
                .ok());
    REQUIRE((*atk)
                ->Publish(t.Put("edge-1", "edge-0"),
                          EncodeEnvelope(EnvelopeType::kPut, a1, 1, id, sig, wire))
                .ok());
    // Registering as edge-0 with its own (rogue) certificate.
    msg::Register reg{"edge-0", 1};
    reg.nonce = "00";
    reg.cert = crypto::Certificate::Load(rogue.cert).value().Pem();
    say(t.Reg("edge-0"), reg.Encode());

    // Each refused and counted where it arrived.
    for (int i = 0; i < 3; ++i) {
      CHECK_MESSAGE(site.EdgeRunning(i), site.LogTail("edge-" + std::to_string(i)));
    }
    CHECK(Site::WaitFor(30, [&] { return site.EdgeCounter(0, "refused_bad_signature") >= 4; }));
    CHECK(Site::WaitFor(30, [&] { return site.CoreCounter("refused_bad_signature") >= 3; }));
    CHECK(Site::WaitFor(30, [&] { return site.CoreCounter("refused_cert") >= 1; }));
    CHECK(site.LogOf("edge-0").find("refused (bad_signature)") != std::string::npos);
    CHECK(site.LogOf("core").find("refused (cert)") != std::string::npos);
    // Nothing changed: edge-0 is live, keeps its settings, and still collects.
    for (const auto& n : site.CoreStatus()["nodes"]) {
      if (n["addr"] == a0) CHECK(n["state"] == "live");
    }
    CHECK(site.EdgeStatus(0)["settings"]["kinds"] == "samples,blob,event");
    const int64_t before = site.EdgeCounter(0, "grade_core");
    // (or, on a slow box, has already taken everything its sources had)
    CHECK(Site::WaitFor(30, [&] {
      return site.EdgeCounter(0, "grade_core") > before + 5 || site.Drained(3 * 40000);
    }));
    (*atk)->Stop();
    // Every store holds exactly what the manifest says: the replica is still there, the
    // forged chunk nowhere.
    auto r = DrainStopAndCheck(site, 3 * 40000, 120);
    REQUIRE(r.drained);
    INFO(r.check.Report());
    CHECK(r.check.problems.empty());
    bool kept = false;
    for (const auto& c : site.ReadStore(0)) {
      kept = kept || c.id == replica;
      CHECK(c.id != id);
    }
    CHECK(kept);
  }
}

}  // namespace tern::testing
