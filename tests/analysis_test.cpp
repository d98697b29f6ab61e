// Analysis end to end with real processes: an anomaly injected at an edge comes back to
// that edge as an alarm result, the result is on three stores and linked to its source
// chunk, and it is visible on tern/x/... and through the HTTP API.
#include <doctest/doctest.h>

#include <filesystem>
#include <mutex>

#include "ctl_run.h"
#include "http_client.h"
#include "site.h"
#include "tern/common/bytes.h"
#include "tern/common/mqtt.h"
#include "tern/common/sqlite.h"
#include "tern/core/http_tokens.h"

namespace tern::testing {
namespace {
// A GET with the read token the test made; returns the body ("" on failure).
std::string HttpGet(int port, const std::string& path, const std::string& token) {
  return HttpCall(port, "GET", path, token).body;
}
}  // namespace

TEST_SUITE("analysis") {
  TEST_CASE("an injected anomaly comes back as an alarm on three stores and is exported") {
    Site site(3, {"source.synthetic.rate=2000", "source.synthetic.max_records=8000"}, {},
              BrokerMode::kPki);  // over TLS, as a real site
    REQUIRE(site.broker().ok());
    // A read token for the HTTP API, in the book the core will read.
    std::filesystem::create_directories(site.CoreDir());
    auto token = core::TokenBook::Create(core::TokenBook::PathIn(site.CoreDir()),
                                         core::HttpRole::kRead, "analysis-test", 1);
    REQUIRE(token.ok());
    REQUIRE(site.StartCore());
    // edge-0 gets the anomaly injection through an extra override.
    REQUIRE(site.StartEdgeWith(0, {"source.synthetic.anomaly_every=1500"}));
    REQUIRE(site.StartEdge(1));
    REQUIRE(site.StartEdge(2));

    // A third party (an observer: it may read tern/x/# and nothing else).
    const Identity observer = site.broker().mode() == BrokerMode::kPki
                                  ? site.broker().Issue("third-party", crypto::Role::kObserver)
                                  : Identity{};
    auto x = MqttClient::Create(site.ClientOptions("third-party", observer));
    REQUIRE(x.ok());
    std::mutex mu;
    std::vector<std::pair<std::string, std::string>> exported;
    (*x)->OnMessage([&](const std::string& t, std::string_view p) {
      std::lock_guard<std::mutex> lk(mu);
      exported.emplace_back(t, std::string(p));
    });
    REQUIRE((*x)->Subscribe("tern/x/#").ok());
    REQUIRE((*x)->Start().ok());

    bool settled = Site::WaitFor(120, [&] { return site.Settled(24000); });
    auto st0 = site.EdgeStatus(0);
    INFO("edge-0 status: " << st0.dump());
    REQUIRE(settled);
    // The alarm reached the edge whose data it was, and only that one.
    CHECK(site.EdgeCounter(0, "anomalies_injected") >= 5);
    CHECK(site.EdgeCounter(0, "alarms_received") >= 1);
    CHECK(site.EdgeCounter(1, "alarms_received") == 0);
    CHECK(site.EdgeCounter(2, "alarms_received") == 0);
    CHECK(site.LogOf("edge-0").find("ALARM from the core") != std::string::npos);
    REQUIRE(st0["latest_alarms"].is_array());
    REQUIRE_FALSE(st0["latest_alarms"].empty());
    std::string alarm_hex = st0["latest_alarms"][0]["id"];
    ChunkId alarm = FromHex(alarm_hex).value();

    // Third parties saw it on tern/x/alarms/<edge>/<source>.
    int http_port = site.CoreStatus().value("http_port", -1);
    (*x)->Stop();
    bool seen = false;
    {
      std::lock_guard<std::mutex> lk(mu);
      for (const auto& [t, p] : exported) {
        if (t == "tern/x/alarms/edge-0/vib" && p.find(alarm_hex) != std::string::npos) seen = true;
      }
      CHECK(exported.size() > 10);  // results of every edge are exported too
    }
    CHECK(seen);

    // The HTTP API shows the alarm result and links it to its source chunk.
    REQUIRE(http_port > 0);
    auto results = nlohmann::json::parse(HttpGet(http_port, "/api/v1/results?anomalies=1", *token),
                                         nullptr, false);
    REQUIRE_FALSE(results.is_discarded());
    INFO("results: " << results.dump().substr(0, 2000));
    auto chunk = nlohmann::json::parse(HttpGet(http_port, "/api/v1/chunks/" + alarm_hex, *token),
                                       nullptr, false);
    REQUIRE_FALSE(chunk.is_discarded());
    INFO("chunk: " << chunk.dump());
    REQUIRE(chunk.contains("sources"));
    REQUIRE(chunk["sources"].size() == 1);
    std::string source_hex = chunk["sources"][0].is_string()
                                 ? chunk["sources"][0].get<std::string>()
                                 : chunk["sources"][0].value("id", "");
    auto src = nlohmann::json::parse(HttpGet(http_port, "/api/v1/chunks/" + source_hex, *token),
                                     nullptr, false);
    REQUIRE_FALSE(src.is_discarded());
    CHECK(src["origin"] == site.EdgeAddr(0));  // the result walks back to edge-0's data
    std::string metrics = HttpGet(http_port, "/metrics", *token);
    CHECK(metrics.find("tern_core_alarms_total") != std::string::npos);
    // ternctl locate (over the HTTP API) walks from the result to its source and back.
    auto locate = [&](const std::string& id) {
      auto r = Ctl(site, {"locate", id, "--json"});
      if (r.code != 0) return nlohmann::json();
      return nlohmann::json::parse(r.out, nullptr, false);
    };
    auto r = locate(alarm_hex);
    REQUIRE(r.is_object());
    REQUIRE(r["sources"].size() == 1);
    CHECK(r["sources"][0] == source_hex);
    auto back = locate(source_hex);
    REQUIRE(back.is_object());
    bool listed = false;
    for (const auto& id : back["results"]) listed |= id == alarm_hex;
    CHECK(listed);
    site.StopAll();

    // On exactly three stores, one of them the edge whose data it was; manifest agrees.
    int copies = 0;
    bool at_origin = false;
    for (int i = 0; i < 3; ++i) {
      for (const auto& sc : site.ReadStore(i)) {
        if (sc.id == alarm) {
          ++copies;
          at_origin |= i == 0;
        }
      }
    }
    CHECK(copies == 3);
    CHECK(at_origin);
    SiteCheck c = CheckSite(site);
    INFO(c.Report());
    CHECK(c.problems.empty());
    CHECK(c.result_chunks > 0);
  }
}
}  // namespace tern::testing
