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
  std::vector<std::string> out = {"",
                                  "garbage",
                                  "{",
                                  "[]",
                                  "null",
                                  R"({"v":99,"type":"hb"})",
                                  R"({"v":1})",
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
  std::string env = EncodeEnvelope(EnvelopeType::kPut, sender, 1, ChunkIdOf(wire), "", wire);
  for (size_t n : {size_t{1}, size_t{10}, size_t{40}, env.size() - 1})
    out.push_back(env.substr(0, n));
  std::string bad_version = env;
  bad_version[4] = 7;  // envelope version
  out.push_back(bad_version);
  std::string chunk_v3 = wire;
  chunk_v3[4] = 3;  // a chunk version no build reads; re-wrapped so the envelope's id matches
  out.push_back(EncodeEnvelope(EnvelopeType::kPut, sender, 1, ChunkIdOf(chunk_v3), "", chunk_v3));
  std::string v2_untagged = wire;
  v2_untagged[4] = 2;  // version 2 must carry tags: read as a tag count, the body length fails
  out.push_back(
      EncodeEnvelope(EnvelopeType::kPut, sender, 1, ChunkIdOf(v2_untagged), "", v2_untagged));
  std::string flipped = env;
  flipped[flipped.size() - 2] ^= 0x10;
  out.push_back(flipped);
  out.push_back(std::string(2 << 20, '{'));  // oversized control message
  std::string huge(33u << 20, 'x');          // beyond the chunk limit
  out.push_back(EncodeEnvelope(EnvelopeType::kUp, sender, 0, ChunkIdOf(huge), "", huge));
  std::mt19937 rng(5);
  for (int i = 0; i < 20; ++i) {
    std::string r(1 + rng() % 300, '\0');
    for (auto& ch : r) ch = static_cast<char>(rng());
    out.push_back(r);
  }
  return out;
}
// Records per edge: 20 s of data at 2,000/s, still flowing after the attack on a loaded box.
constexpr int kRecords = 40000;

// After an attack: the site drains, stops, and every chunk is where the manifest says.
void DrainStopAndCheck(Site& site) {
  auto r = testing::DrainStopAndCheck(site, 3 * kRecords, 120);
  REQUIRE(r.drained);
  INFO(r.check.Report());
  CHECK(r.check.problems.empty());
}
}  // namespace

TEST_SUITE("malformed") {
  TEST_CASE("every topic rejects hostile messages while processes survive and data still flows") {
    Site site(
        3,
        {"source.synthetic.rate=2000", "source.synthetic.max_records=" + std::to_string(kRecords)},
        {},
        BrokerMode::kPki);  // over TLS, as a real site
    REQUIRE(site.StartAll());
    REQUIRE(Site::WaitFor(30, [&] { return site.EdgeAddr(0) != 0 && site.EdgeAddr(2) != 0; }));
    uint32_t a0 = site.EdgeAddr(0);
    // The attacker holds the core's certificate (under its own client id), so the broker's
    // ACL lets everything through and what is tested is the daemons' own checks.
    auto atk = MqttClient::Create(site.ClientOptions("attacker", site.CoreIdentity()));
    REQUIRE(atk.ok());
    REQUIRE((*atk)->Start().ok());
    REQUIRE((*atk)->WaitConnected(std::chrono::seconds(5)).ok());
    Topics t;
    const std::string e0 = "edge-0";
    std::vector<std::string> topics = {t.Up(e0),     t.Up("mallory"),  t.Put("mallory", e0),
                                       t.Stored(e0), t.Down(e0),       t.Hb(e0),
                                       t.Reg(e0),    t.Reg("mallory"), t.Members()};
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
    for (int i = 0; i < 3; ++i) {
      CHECK_MESSAGE(site.EdgeRunning(i), site.LogTail("edge-" + std::to_string(i)));
    }
    // Logged with what and from where.
    std::string elog = site.LogOf("edge-0");
    CHECK(elog.find("rejected put message") != std::string::npos);
    CHECK(site.LogOf("core").find("rejected up message") != std::string::npos);
    // An address nobody was given does not become a member.
    for (const auto& n : site.CoreStatus()["nodes"]) CHECK(n["addr"] != 9999);
    (*atk)->Stop();
    DrainStopAndCheck(site);
  }

  // Well-formed JSON with fields of the wrong type, and nesting deep enough to overflow a
  // recursive parser: each of these once stopped tern-core or tern-edge.
  TEST_CASE("fields of the wrong type and deep nesting stop no process") {
    Site site(
        3,
        {"source.synthetic.rate=2000", "source.synthetic.max_records=" + std::to_string(kRecords)},
        {},
        BrokerMode::kPki);  // over TLS, as a real site
    REQUIRE(site.StartAll());
    REQUIRE(Site::WaitFor(30, [&] { return site.EdgeAddr(0) != 0 && site.EdgeAddr(2) != 0; }));
    const uint32_t a0 = site.EdgeAddr(0);
    const std::string addr = std::to_string(a0);
    // The attacker holds the core's certificate (under its own client id), so the broker's
    // ACL lets everything through and what is tested is the daemons' own checks.
    auto atk = MqttClient::Create(site.ClientOptions("attacker", site.CoreIdentity()));
    REQUIRE(atk.ok());
    REQUIRE((*atk)->Start().ok());
    REQUIRE((*atk)->WaitConnected(std::chrono::seconds(5)).ok());
    Topics t;
    const std::string idf = R"("id":")" + std::string(64, 'a') + R"(")";
    std::vector<std::pair<std::string, std::string>> attacks = {
        {t.Hb("edge-0"), R"({"v":1,"type":"hb","cpu":"x"})"},
        {t.Hb("edge-0"), R"({"v":1,"type":"hb","addr":)" + addr + R"(,"cpu":"x"})"},
        {t.Hb("edge-0"), R"({"v":1,"type":"hb","addr":)" + addr + R"(,"used":"x"})"},
        {t.Hb("edge-0"), R"({"v":1,"type":"hb","addr":)" + addr + R"(,"capacity":[1]})"},
        {t.Reg("x"), R"({"v":1,"type":"register","name":"x","capacity":"x"})"},
        {t.Down("edge-0"), R"({"v":1,"type":"result",)" + idf + R"(,"anomalies":1})"},
        {t.Down("edge-0"), R"({"v":1,"type":"result",)" + idf + R"(,"anomalies":"x"})"},
        {t.Down("edge-0"), R"({"v":1,"type":"result",)" + idf + R"(,"processor":5})"},
        {t.Down("edge-0"), R"({"v":1,"type":"put_ack",)" + idf + R"(,"holder":2,"reason":5})"},
        {t.Down("edge-0"), R"({"v":1,"type":"put_nack",)" + idf + R"(,"holder":2,"reason":5})"},
        {t.Down("edge-0"), R"({"v":1,"type":"refused",)" + idf + R"(,"reason":5})"},
        {t.Down("edge-0"), R"({"v":1,"type":"throttle",)" + idf + R"(,"retry_after_ms":"x"})"},
        {t.Down("edge-0"), R"({"v":1,"type":"settings","settings":{"kinds":5}})"},
        {t.Down("edge-0"), R"({"v":1,"type":"settings","settings":{"kinds":["samples","event"]}})"},
        {t.RegReply("edge-0"),
         R"({"v":1,"type":"registered","name":"edge-0","addr":)" + addr + R"(,"settings":5})"},
    };
    std::string deep_hb = R"({"v":1,"type":"hb","addr":)" + addr + R"(,"counters":)";
    deep_hb += std::string(850000, '[') + std::string(850000, ']') + "}";
    attacks.emplace_back(t.Hb("edge-0"), deep_hb);
    std::string deep_settings = R"({"v":1,"type":"settings","settings":)";
    for (int i = 0; i < 170000; ++i) deep_settings += R"({"a":)";
    deep_settings += "1" + std::string(170000, '}') + "}";
    attacks.emplace_back(t.Down("edge-0"), deep_settings);
    for (const auto& [topic, payload] : attacks) {
      REQUIRE((*atk)->Publish(topic, payload, 1, false, std::chrono::seconds(5)).ok());
    }
    // Each refusal is counted where it arrived and logged with what it was.
    CHECK(Site::WaitFor(30, [&] { return site.CoreCounter("rejected_hb") >= 5; }));
    CHECK(Site::WaitFor(30, [&] { return site.CoreCounter("rejected_register") >= 1; }));
    CHECK(Site::WaitFor(30, [&] { return site.EdgeCounter(0, "rejected_down") >= 8; }));
    CHECK(Site::WaitFor(30, [&] { return site.EdgeCounter(0, "rejected_registration") >= 1; }));
    CHECK(site.LogOf("core").find("rejected hb message") != std::string::npos);
    CHECK(site.LogOf("edge-0").find("rejected down message") != std::string::npos);
    // Nothing escaped a decoder into a handler, every process is alive and data still flows.
    CHECK(site.CoreCounter("handler_errors") == 0);
    CHECK(site.EdgeCounter(0, "handler_errors") == 0);
    CHECK(site.CoreRunning());
    for (int i = 0; i < 3; ++i) {
      CHECK_MESSAGE(site.EdgeRunning(i), site.LogTail("edge-" + std::to_string(i)));
    }
    int64_t before = site.EdgeCounter(0, "grade_core");
    CHECK(Site::WaitFor(30, [&] { return site.EdgeCounter(0, "grade_core") > before + 5; }));
    (*atk)->Stop();
    DrainStopAndCheck(site);
  }
}
}  // namespace tern::testing
