// Tests of the core's HTTP API over a real socket: a core.db built with Manifest (a fixed
// clock gives known updated_ms/created_ms stamps), fake status and scheduler callbacks, and
// every endpoint fetched with httplib's client (with a read token) and checked field by
// field. The fixture is in http_fixture.h; authentication and limits: http_auth_test.cpp.
#include "tern/core/http_api.h"

#include <doctest/doctest.h>
#include <httplib.h>

#include <atomic>
#include <string>

#include "http_fixture.h"
#include "prom_parse.h"

namespace tern::core {
using namespace http_test;  // NOLINT: the fixture's names read as if they were local

TEST_SUITE("http api") {
  TEST_CASE("nodes merge registry, settings and live heartbeat data") {
    Fixture f;
    std::string type;
    auto [code, j] = f.Get("/api/v1/nodes", nullptr, &type);
    REQUIRE(code == 200);
    CHECK(type == "application/json");
    REQUIRE(j["nodes"].size() == 3);
    const json& a = j["nodes"][0];
    CHECK(a["addr"] == 1);
    CHECK(a["name"] == "edge-a");
    CHECK(a["state"] == "live");
    CHECK(a["load"] == 0.25);
    CHECK_FALSE(a.contains("store_path"));  // nobody opens another node's files
    CHECK(a["capacity"] == 1000);
    CHECK(a["live"] == true);
    CHECK(a["settings"]["configured"] == true);
    CHECK(a["settings"]["priority"] == 1);
    CHECK(a["settings"]["priority_name"] == "high");
    CHECK(a["settings"]["weight"] == 4);
    CHECK(a["settings"]["kinds"] == json{"samples", "event"});
    CHECK(a["settings"]["max_bytes_per_s"] == 1000);
    CHECK(a["settings"]["updated_ms"] == 123);
    CHECK(a["counters"]["chunks.sent"] == 9);
    const json& b = j["nodes"][1];
    CHECK(b["state"] == "suspect");
    CHECK(b["settings"]["configured"] == false);
    CHECK(b["settings"]["priority"] == 2);
    CHECK(b["settings"]["kinds"] == json{"samples", "blob", "event"});
    const json& c = j["nodes"][2];  // registered, not in live membership: registry values
    CHECK(c["state"] == "dead");
    CHECK(c["load"].is_null());
    CHECK(c["live"] == false);
    CHECK(c["last_seen_ms"] == 42);
    CHECK(c["counters"] == json::object());
  }

  TEST_CASE("a chunk shows holders and result links both ways") {
    Fixture f;
    auto [code, a] = f.Get("/api/v1/chunks/" + Hex('a'));
    REQUIRE(code == 200);
    CHECK(a["id"] == Hex('a'));
    CHECK(a["origin"] == 1);
    CHECK(a["origin_name"] == "edge-a");
    CHECK(a["source"] == "vib");
    CHECK(a["seq"] == 1);
    CHECK(a["kind"] == 0);
    CHECK(a["kind_name"] == "samples");
    CHECK(a["priority"] == 1);
    CHECK(a["priority_name"] == "high");
    CHECK(a["t_first"] == Hlc(kMs));
    CHECK(a["t_last"] == (Hlc(kMs + 999) | 5));
    CHECK(a["t_first_ms"] == kMs);
    CHECK(a["records"] == 100);
    CHECK(a["bytes"] == 4096);
    CHECK(a["acked"] == true);
    REQUIRE(a["holders"].size() == 3);
    CHECK(a["holders"][0] == json{{"addr", 1}, {"name", "edge-a"}, {"state", "live"}});
    CHECK(a["holders"][2] == json{{"addr", 3}, {"name", "edge-c"}, {"state", "dead"}});
    CHECK(a["results"] == json{Hex('r')});
    CHECK(a["sources"] == json::array());
    // Upper-case hex is accepted too.
    std::string upper = Hex('r');
    for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    auto [rcode, r] = f.Get("/api/v1/chunks/" + upper);
    REQUIRE(rcode == 200);
    CHECK(r["id"] == Hex('r'));
    CHECK(r["kind_name"] == "result");
    CHECK(r["sources"] == json{Hex('a'), Hex('b')});
    CHECK(r["results"] == json::array());
    CHECK(r["acked"] == false);
  }

  TEST_CASE("chunks of a source by time range, origin and limit") {
    Fixture f;
    auto [code, all] = f.Get("/api/v1/chunks?source=vib");
    REQUIRE(code == 200);
    // a, b, r from edge-a (by seq), then c, s from edge-b.
    std::vector<std::string> ids;
    for (const auto& c : all["chunks"]) ids.push_back(c["id"]);
    CHECK(ids == std::vector<std::string>{Hex('a'), Hex('b'), Hex('r'), Hex('c'), Hex('s')});
    CHECK(all["truncated"] == false);
    CHECK(all["limit"] == 1000);
    CHECK(all["chunks"][0]["holders"].size() == 3);
    CHECK(!all["chunks"][0].contains("results"));

    auto [c2, o2] = f.Get("/api/v1/chunks?source=vib&origin=2");
    REQUIRE(c2 == 200);
    CHECK(o2["chunks"].size() == 2);

    // Wall ms: [kMs+1000, kMs+1200] overlaps b, r, c, s but not a (ends at kMs+999).
    auto [c3, t3] = f.Get("/api/v1/chunks?source=vib&from=" + std::to_string(kMs + 1000) +
                          "&to=" + std::to_string(kMs + 1200));
    REQUIRE(c3 == 200);
    CHECK(t3["chunks"].size() == 4);
    CHECK(t3["from"] == Hlc(kMs + 1000));

    // `to` in wall ms includes that whole millisecond: a ends at Hlc(kMs+999)|5.
    auto [c4, t4] =
        f.Get("/api/v1/chunks?source=vib&origin=1&from=0&to=" + std::to_string(kMs + 999));
    REQUIRE(c4 == 200);
    CHECK(t4["chunks"].size() == 2);  // a and r (r starts at kMs)

    // HLC stamps pass through unchanged.
    auto [c5, t5] = f.Get("/api/v1/chunks?source=vib&from=" + std::to_string(Hlc(kMs + 1999)));
    REQUIRE(c5 == 200);
    CHECK(t5["chunks"].size() == 2);  // b and r end at kMs+1999

    // ISO-8601: everything of 2023-11-14 22:13:20Z (= kMs) onwards.
    auto [c6, t6] = f.Get("/api/v1/chunks?source=vib&from=2023-11-14T22:13:20Z");
    REQUIRE(c6 == 200);
    CHECK(t6["chunks"].size() == 5);
    auto [c7, t7] = f.Get("/api/v1/chunks?source=vib&to=2023-11-14T22:13:19Z");
    REQUIRE(c7 == 200);
    CHECK(t7["chunks"].empty());

    auto [c8, t8] = f.Get("/api/v1/chunks?source=vib&limit=2");
    REQUIRE(c8 == 200);
    CHECK(t8["chunks"].size() == 2);
    CHECK(t8["truncated"] == true);

    auto [c9, t9] = f.Get("/api/v1/chunks?source=nothing");
    REQUIRE(c9 == 200);
    CHECK(t9["chunks"].empty());
  }

  TEST_CASE("results filter by source, origin, anomalies and time and parse summaries") {
    Fixture f;
    auto [code, all] = f.Get("/api/v1/results");
    REQUIRE(code == 200);
    REQUIRE(all["results"].size() == 2);
    const json& s = all["results"][0];  // newest first: s starts at kMs+500
    const json& r = all["results"][1];
    CHECK(s["id"] == Hex('s'));
    CHECK(s["summary"] == "not json");
    CHECK(s["placed"] == false);
    CHECK(s["sources"] == json{Hex('c')});
    CHECK(r["id"] == Hex('r'));
    CHECK(r["origin"] == 1);
    CHECK(r["origin_name"] == "edge-a");
    CHECK(r["source"] == "vib");
    CHECK(r["processor"] == "stats");
    CHECK(r["t_first"] == Hlc(kMs));
    CHECK(r["t_last"] == Hlc(kMs + 1999));
    CHECK(r["anomalies"] == 2);
    CHECK(r["summary"] == json{{"mean", 1.5}, {"flags", {3, 9}}});
    CHECK(r["created_ms"] == 77);
    CHECK(r["placed"] == true);
    CHECK(r["sources"] == json{Hex('a'), Hex('b')});

    auto [c1, an] = f.Get("/api/v1/results?anomalies=1");
    REQUIRE(c1 == 200);
    REQUIRE(an["results"].size() == 1);
    CHECK(an["results"][0]["id"] == Hex('r'));
    CHECK(f.Get("/api/v1/results?origin=2").second["results"].size() == 1);
    CHECK(f.Get("/api/v1/results?source=temp").second["results"].empty());
    CHECK(f.Get("/api/v1/results?source=vib&from=" + std::to_string(kMs + 1600))
              .second["results"]
              .size() == 1);
    CHECK(f.Get("/api/v1/results?to=" + std::to_string(kMs + 100)).second["results"].size() == 1);
    auto [c2, lim] = f.Get("/api/v1/results?limit=1");
    REQUIRE(c2 == 200);
    CHECK(lim["results"].size() == 1);
    CHECK(lim["truncated"] == true);
  }

  TEST_CASE("status and scheduler serve the callbacks") {
    Fixture f;
    auto [c1, st] = f.Get("/api/v1/status");
    REQUIRE(c1 == 200);
    CHECK(st == StatusDoc());
    auto [c2, sc] = f.Get("/api/v1/scheduler");
    REQUIRE(c2 == 200);
    CHECK(sc["queues"][0]["depth"] == 2);
  }

  TEST_CASE("bad parameters answer 400 naming the parameter") {
    Fixture f;
    struct Case {
      std::string path, param;
    };
    std::vector<Case> cases = {
        {"/api/v1/chunks", "source"},
        {"/api/v1/chunks?source=", "source"},
        {"/api/v1/chunks?source=vib&limit=0", "limit"},
        {"/api/v1/chunks?source=vib&limit=10001", "limit"},
        {"/api/v1/chunks?source=vib&limit=ten", "limit"},
        {"/api/v1/chunks?source=vib&from=yesterday", "from"},
        {"/api/v1/chunks?source=vib&to=2026-02-30T99:00:00Z", "to"},
        {"/api/v1/chunks?source=vib&origin=-1", "origin"},
        {"/api/v1/chunks?source=vib&from=2000&to=1000", "from"},
        {"/api/v1/chunks?source=vib&form=1", "form"},
        {"/api/v1/results?anomalies=2", "anomalies"},
        {"/api/v1/results?limit=-3", "limit"},
        {"/api/v1/results?origin=x", "origin"},
        {"/api/v1/results?source=", "source"},
        {"/api/v1/nodes?verbose=1", "verbose"},
        {"/api/v1/chunks/xyz", "id"},
        {"/api/v1/chunks/abcd", "id"},
        {"/metrics?x=1", "x"},
    };
    for (const auto& c : cases) {
      CAPTURE(c.path);
      auto [code, j] = f.Get(c.path);
      CHECK(code == 400);
      REQUIRE(j.is_object());
      REQUIRE(j.contains("error"));
      CHECK(j["error"].get<std::string>().rfind(c.param + ":", 0) == 0);
    }
  }

  TEST_CASE("a chunk is found by a unique prefix of its id, its bytes too") {
    Fixture f;
    for (const std::string& prefix : {Hex('a').substr(0, 8), Hex('c').substr(0, 13)}) {
      CAPTURE(prefix);
      auto [code, j] = f.Get("/api/v1/chunks/" + prefix);
      REQUIRE(code == 200);
      CHECK(j["id"].get<std::string>().rfind(prefix, 0) == 0);
      CHECK(j["id"].get<std::string>().size() == 64);
    }
    auto [upper, ju] = f.Get("/api/v1/chunks/6464646464");  // chunk d
    CHECK(upper == 200);
    CHECK(ju["id"] == Hex('d'));
    auto [none, jn] = f.Get("/api/v1/chunks/0000000000");
    CHECK(none == 404);
    CHECK(jn["error"].get<std::string>().find("'0000000000'") != std::string::npos);
    auto [bytes, jb] = f.Get("/api/v1/chunks/0000000000/bytes");
    CHECK(bytes == 404);
  }

  TEST_CASE("unknown chunk and unknown path answer 404 with a JSON error") {
    Fixture f;
    auto [c1, j1] = f.Get("/api/v1/chunks/" + Hex('z'));
    CHECK(c1 == 404);
    CHECK(j1["error"].get<std::string>().find(Hex('z')) != std::string::npos);
    auto [c2, j2] = f.Get("/api/v1/nothing");
    CHECK(c2 == 404);
    CHECK(j2["error"].is_string());
  }

  TEST_CASE("metrics expose core counters, gauges and per-edge counters") {
    Fixture f;
    std::string raw, type;
    auto [code, ignored] = f.Get("/metrics", &raw, &type);
    REQUIRE(code == 200);
    CHECK(type.rfind("text/plain; version=0.0.4", 0) == 0);
    auto e = http::testing::ParseExposition(raw);
    CHECK(e.errors.empty());
    CHECK(e.Find("tern_core_up_chunks_total") == "12");
    CHECK(e.Find("tern_core_stored_total") == "30");
    CHECK(e.types["tern_core_stored_total"] == "counter");
    CHECK(e.Find("tern_core_spool_depth") == "4");
    CHECK(e.Find("tern_core_manifest_chunks") == "6");
    CHECK(e.types["tern_core_manifest_chunks"] == "gauge");
    std::map<std::string, std::string> a = {{"node", "edge-a"}, {"addr", "1"}};
    std::map<std::string, std::string> b = {{"node", "edge-b"}, {"addr", "2"}};
    CHECK(e.Find("tern_node_up", a) == "1");
    CHECK(e.Find("tern_node_up", b) == "0");
    CHECK(e.Find("tern_node_load", b) == "0.75");
    CHECK(e.Find("tern_edge_chunks_sent_total", a) == "9");
    CHECK(e.Find("tern_edge_chunks_sent_total", b) == "1");
    CHECK(e.Find("tern_edge_hb_total", a) == "3");
    for (const auto& s : e.samples) {
      CAPTURE(s.name);
      CHECK(e.helps.count(s.name) == 1);
      CHECK(e.types.count(s.name) == 1);
    }
  }

  TEST_CASE("without a database the manifest endpoints answer 503 and the rest still works") {
    Fixture f(/*with_db=*/false);
    CHECK(f.Get("/api/v1/nodes").first == 503);
    CHECK(f.Get("/api/v1/chunks?source=vib").first == 503);
    CHECK(f.Get("/api/v1/status").first == 200);
    std::string raw;
    CHECK(f.Get("/metrics", &raw).first == 200);
    CHECK(raw.find("tern_core_stored_total 30") != std::string::npos);
  }

  TEST_CASE("the database is opened when it appears and read while another handle writes") {
    testing::TempDir dir("http");
    HttpApiOptions o;
    o.port = 0;
    o.core_db = dir / "core.db";
    o.tokens_file = TokenBook::PathIn(dir.path());
    auto token = MakeToken(o.tokens_file, HttpRole::kRead, "reader");
    auto api = HttpApi::Start(o, {}).value();
    httplib::Client cli("127.0.0.1", api->port());
    cli.set_bearer_token_auth(token);
    auto r0 = cli.Get("/api/v1/nodes");
    REQUIRE(r0);
    CHECK(r0->status == 503);
    BuildDb(dir / "core.db");
    auto writer = Manifest::Open(dir / "core.db").value();
    REQUIRE(writer->Begin().ok());
    REQUIRE(writer->Register("edge-d", 1).ok());
    // The writer's open transaction is invisible; the committed nodes are served.
    auto r1 = cli.Get("/api/v1/nodes");
    REQUIRE(r1);
    CHECK(r1->status == 200);
    CHECK(json::parse(r1->body)["nodes"].size() == 3);
    REQUIRE(writer->Commit().ok());
    auto r2 = cli.Get("/api/v1/nodes");
    REQUIRE(r2);
    CHECK(json::parse(r2->body)["nodes"].size() == 4);
    // Without callbacks: status and scheduler are 503, metrics fall back to core.db gauges.
    CHECK(cli.Get("/api/v1/status")->status == 503);
    CHECK(cli.Get("/api/v1/scheduler")->status == 503);
    auto m = cli.Get("/metrics");
    REQUIRE(m);
    auto e = http::testing::ParseExposition(m->body);
    CHECK(e.Find("tern_core_manifest_chunks") == "6");
    CHECK(e.Find("tern_core_spool_depth") == "0");
  }

  TEST_CASE("stop releases the port and a taken port fails to start naming it") {
    int port = 0;
    {
      Fixture f;
      port = f.api->port();
      HttpApiOptions o;
      o.port = port;
      auto clash = HttpApi::Start(o, {});
      REQUIRE(!clash.ok());
      CHECK(clash.status().message().find("127.0.0.1:" + std::to_string(port)) !=
            std::string::npos);
      // A kept-alive client connection must not hold Stop() up for long.
      httplib::Client cli("127.0.0.1", port);
      cli.set_bearer_token_auth(f.read_token);
      cli.set_keep_alive(true);
      REQUIRE(cli.Get("/api/v1/status"));
      auto t0 = std::chrono::steady_clock::now();
      f.api->Stop();
      CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(3));
      f.api->Stop();  // idempotent
    }
    HttpApiOptions o;
    o.port = port;
    auto again = HttpApi::Start(o, {});
    REQUIRE_MESSAGE(again.ok(), again.status().ToString());
    CHECK((*again)->port() == port);
  }

  TEST_CASE("concurrent clients are served") {
    Fixture f;
    std::vector<std::thread> ts;
    std::atomic<int> ok{0};
    for (int t = 0; t < 4; ++t) {
      ts.emplace_back([&] {
        httplib::Client cli("127.0.0.1", f.api->port());
        cli.set_bearer_token_auth(f.read_token);
        for (int i = 0; i < 25; ++i) {
          auto r = cli.Get(i % 2 ? "/api/v1/chunks?source=vib" : "/metrics");
          if (r && r->status == 200) ++ok;
        }
      });
    }
    for (auto& t : ts) t.join();
    CHECK(ok == 100);
  }
}
}  // namespace tern::core
