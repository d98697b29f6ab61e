// Hostile input on every topic: malformed, truncated, oversized and wrong-version messages
// are rejected, counted and logged with the sender; every process keeps running and data
// keeps flowing.
#include <doctest/doctest.h>

#include <random>
#include <thread>

#include "site.h"
#include "tern/common/mqtt.h"
#include "tern/common/protocol.h"

namespace tern::testing {
namespace {

std::vector<std::string> HostilePayloads(uint32_t sender) {
  std::vector<std::string> out = {"", "garbage", "{", "[]", "null",
                                  R"({"v":99,"type":"hb"})", R"({"v":1})",
                                  R"({"v":1,"type":"stored","id":"zz"})",
                                  R"({"v":1,"type":"ack","id":12})",
                                  R"({"v":1,"type":"members","nodes":"x"})",
                                  R"({"v":1,"type":"register","name":"../../etc"})"};
  // A valid chunk in a valid envelope, then damaged in every way that matters.
  ChunkHeader h;
  h.origin = sender;
  h.source = "evil";
  std::vector<Record> recs = {{1, 0, "abc"}, {2, 1, "def"}};
  std::string wire = BuildChunk(h, recs).value();
  std::string env = EncodeEnvelope(EnvelopeType::kPut, sender, 1, ChunkIdOf(wire), wire);
  for (size_t n : {size_t{1}, size_t{10}, size_t{40}, env.size() - 1}) out.push_back(env.substr(0, n));
  std::string bad_version = env;
  bad_version[4] = 7;  // envelope version
  out.push_back(bad_version);
  std::string chunk_v2 = wire;
  chunk_v2[4] = 2;  // chunk version; re-wrapped so the envelope's id still matches
  out.push_back(EncodeEnvelope(EnvelopeType::kPut, sender, 1, ChunkIdOf(chunk_v2), chunk_v2));
  std::string flipped = env;
  flipped[flipped.size() - 2] ^= 0x10;
  out.push_back(flipped);
  out.push_back(std::string(2 << 20, '{'));                   // oversized control message
  std::string huge(33u << 20, 'x');                           // beyond the chunk limit
  out.push_back(EncodeEnvelope(EnvelopeType::kUp, sender, 0, ChunkIdOf(huge), huge));
  std::mt19937 rng(5);
  for (int i = 0; i < 20; ++i) {
    std::string r(1 + rng() % 300, '\0');
    for (auto& ch : r) ch = static_cast<char>(rng());
    out.push_back(r);
  }
  return out;
}
}  // namespace

TEST_SUITE("malformed") {
  TEST_CASE("every topic rejects hostile messages while processes survive and data still flows") {
    Site site(3, {"source.synthetic.rate=2000", "source.synthetic.max_records=10000"});
    REQUIRE(site.StartAll());
    REQUIRE(Site::WaitFor(30, [&] { return site.EdgeAddr(0) != 0 && site.EdgeAddr(2) != 0; }));
    uint32_t a0 = site.EdgeAddr(0);
    MqttOptions o;
    o.port = site.broker().port();
    o.client_id = "attacker";
    auto atk = MqttClient::Create(o);
    REQUIRE(atk.ok());
    REQUIRE((*atk)->Start().ok());
    REQUIRE((*atk)->WaitConnected(std::chrono::seconds(5)).ok());
    Topics t;
    std::vector<std::string> topics = {t.Up(a0), t.Up(9999), t.Put(a0), t.Stored(), t.Down(a0), t.Hb(a0),
                                       t.Reg("edge-0"), t.Reg("mallory"), t.Members()};
    auto payloads = HostilePayloads(a0);
    int sent = 0;
    for (const auto& topic : topics) {
      for (const auto& p : payloads) {
        // Members is retained by the core; never retain garbage there.
        if ((*atk)->Publish(topic, p, 1, false, std::chrono::seconds(5)).ok()) ++sent;
      }
    }
    REQUIRE(sent > 200);
    auto rejected = [&](const nlohmann::json& s) {
      int64_t n = 0;
      if (!s.contains("counters")) return n;
      for (const auto& [k, v] : s["counters"].items()) {
        if (k.rfind("rejected_", 0) == 0) n += v.get<int64_t>();
      }
      return n;
    };
    // The edge and the core count what they refused.
    CHECK(Site::WaitFor(20, [&] { return rejected(site.EdgeStatus(0)) >= 3 * 30; }));
    CHECK(Site::WaitFor(20, [&] { return rejected(site.CoreStatus()) >= 4 * 30; }));
    MESSAGE("edge-0 status: " << site.EdgeStatus(0).dump());
    MESSAGE("core status: " << site.CoreStatus().dump());
    CHECK(Site::WaitFor(20, [&] { return site.CoreCounter("rejected_up") > 0; }));
    CHECK(Site::WaitFor(20, [&] { return site.EdgeCounter(0, "rejected_put") > 0; }));
    CHECK(Site::WaitFor(20, [&] { return site.EdgeCounter(0, "rejected_down") > 0; }));
    CHECK(Site::WaitFor(20, [&] { return site.CoreCounter("rejected_stored") > 0; }));
    CHECK(Site::WaitFor(20, [&] { return site.CoreCounter("rejected_register") > 0; }));
    // Still alive and still working: more chunks reach the core grade after the attack.
    int64_t before = site.EdgeCounter(1, "grade_core");
    CHECK(Site::WaitFor(20, [&] { return site.EdgeCounter(1, "grade_core") > before + 5; }));
    CHECK(site.CoreRunning());
    for (int i = 0; i < 3; ++i) CHECK(site.EdgeRunning(i));
    // Logged with what and from where.
    std::string elog = site.LogOf("edge-0");
    CHECK(elog.find("rejected put message") != std::string::npos);
    CHECK(site.LogOf("core").find("rejected up message") != std::string::npos);
    // An address nobody was given does not become a member.
    for (const auto& n : site.CoreStatus()["nodes"]) CHECK(n["addr"] != 9999);
    (*atk)->Stop();
    bool drained = Site::WaitFor(60, [&] { return site.Settled(30000); });
    site.StopAll();
    REQUIRE(drained);
    SiteCheck c = CheckSite(site);
    std::string problems;
    for (const auto& p : c.problems) problems += "\n  " + p;
    INFO(problems);
    CHECK(c.problems.empty());
  }
}
}  // namespace tern::testing
