// What third parties read, against docs/schemas/ (issue 10, item 10): a real site (broker,
// core with the simulated board running hot so the cabinet alarm fires, three edges with
// spikes so the z-score raises alarms) is watched on tern/x/# like an outside reader would,
// and every HTTP endpoint is asked once; each payload and answer goes to a samples file that
// tests/schema_check.py validates with Debian's python3-jsonschema against the schema
// docs/schemas/README.md names for it. The checker also proves it can fail (each sample
// with a required field removed or retyped must be rejected), and a second case feeds it
// known-bad samples and expects the failures named.
#include <doctest/doctest.h>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <mutex>

#include "ctl_run.h"
#include "http_client.h"
#include "site.h"
#include "tern/common/mqtt.h"

namespace tern::testing {
namespace {

// Debian's interpreter, whose python3-jsonschema install-deps.sh installs (another python3
// earlier in PATH need not have it).
const char* kPython = "/usr/bin/python3";
const std::string kChecker = TERN_SOURCE_DIR "/tests/schema_check.py";
const std::string kSchemas = TERN_SOURCE_DIR "/docs/schemas";

// Appends samples as schema_check.py reads them: one JSON object a line.
class Samples {
 public:
  explicit Samples(std::string path) : path_(std::move(path)), out_(path_) {}
  void Mqtt(const std::string& topic, const std::string& payload) {
    out_ << nlohmann::json{{"where", topic}, {"body", payload}}.dump() << "\n";
  }
  void Http(const std::string& where, const HttpReply& r) {
    out_ << nlohmann::json{{"where", where}, {"status", r.status}, {"body", r.body}}.dump() << "\n";
  }
  const std::string& path() {
    out_.flush();
    return path_;
  }

 private:
  std::string path_;
  std::ofstream out_;
};

struct Check {
  int code;
  std::string out;
};
Check RunChecker(const std::string& samples, const std::string& dir) {
  Process p;
  const std::string log = dir + "/schema_check.log";
  if (!p.Start({kPython, kChecker, kSchemas, samples}, log)) return {-1, ""};
  int code = p.Wait(std::chrono::seconds(120));
  return {code, ReadFile(log)};
}

}  // namespace

TEST_SUITE("schema") {
  TEST_CASE("every tern/x payload and every HTTP answer of a real site matches its schema") {
    // Plain MQTT: the reader needs no certificate (the payloads are the same under pki).
    Site site(
        3, {"source.synthetic.rate=500", "source.synthetic.anomaly_every=400"},
        {"board.mode=sim", "board.sim_ambient_c=80", "board.sim_thermal_tau=1s",
         "processor.stats.window=0", "processor.msmve.window=256", "processor.msmve.interval=1s"},
        BrokerMode::kPlain);
    REQUIRE(site.broker().ok());
    auto x = MqttClient::Create(site.ClientOptions("schema-watch", Identity{}));
    REQUIRE(x.ok());
    std::mutex mu;
    std::map<std::string, std::string> seen;  // topic family -> one payload
    auto family = [](const std::string& t) {
      // tern/x/results/<edge>/<source>/<processor>: one sample per processor;
      // tern/x/alarms/<edge>/<source>: one in all; any other topic (the cabinet, or one
      // nobody wrote a schema for) is its own family, so each is checked.
      if (t.rfind("tern/x/results/", 0) == 0) return "results/" + t.substr(t.rfind('/') + 1);
      const bool edge_alarm = t.rfind("tern/x/alarms/", 0) == 0 &&
                              t.rfind("tern/x/alarms/core/", 0) != 0 &&
                              std::count(t.begin(), t.end(), '/') == 4;
      return edge_alarm ? std::string("alarms") : t;
    };
    (*x)->OnMessage([&](const std::string& t, std::string_view p) {
      std::lock_guard<std::mutex> lk(mu);
      seen.emplace(family(t), t + "\n" + std::string(p));
    });
    REQUIRE((*x)->Subscribe("tern/x/#").ok());
    REQUIRE((*x)->Start().ok());
    REQUIRE(site.StartAll());

    // A result of each processor, an alarm, the cabinet alarm.
    const std::set<std::string> want = {"results/stats", "results/zscore", "results/msmve",
                                        "alarms", "tern/x/alarms/core/cabinet"};
    bool all = Site::WaitFor(120, [&] {
      std::lock_guard<std::mutex> lk(mu);
      for (const auto& w : want) {
        if (!seen.count(w)) return false;
      }
      return true;
    });
    std::map<std::string, std::string> got;
    {
      std::lock_guard<std::mutex> lk(mu);
      got = seen;
    }
    for (const auto& w : want) CHECK_MESSAGE(got.count(w) == 1, "nothing seen on " << w);
    CHECK(all);

    int port = -1;  // in status.json once the core has written it
    REQUIRE(
        Site::WaitFor(30, [&] { return (port = site.CoreStatus().value("http_port", -1)) > 0; }));
    const std::string token = SiteToken(site);
    REQUIRE(!token.empty());
    Samples samples(site.dir() + "/samples.jsonl");
    for (const auto& [fam, tp] : got) {
      const size_t nl = tp.find('\n');
      samples.Mqtt(tp.substr(0, nl), tp.substr(nl + 1));
    }

    auto get = [&](const std::string& path) { return HttpCall(port, "GET", path, token); };
    // Every endpoint, asked for what a user would ask; each answer must be a success here
    // (errors are asked for on purpose below).
    auto sample = [&](const std::string& where, const std::string& path, int status = 200) {
      auto r = get(path);
      CHECK_MESSAGE(r.status == status, path << " answered " << r.status << ": " << r.body);
      samples.Http(where, r);
      return r;
    };
    sample("GET /api/v1/nodes", "/api/v1/nodes");
    auto chunks = sample("GET /api/v1/chunks", "/api/v1/chunks?source=vib&limit=5");
    auto cj = nlohmann::json::parse(chunks.body, nullptr, false);
    REQUIRE(!cj.is_discarded());
    REQUIRE(!cj["chunks"].empty());
    sample("GET /api/v1/chunks/{id}", "/api/v1/chunks/" + cj["chunks"][0]["id"].get<std::string>());
    auto results = sample("GET /api/v1/results", "/api/v1/results?anomalies=1&limit=3");
    auto rj = nlohmann::json::parse(results.body, nullptr, false);
    REQUIRE(!rj.is_discarded());
    REQUIRE(!rj["results"].empty());
    // A result chunk in the manifest (its links to the sources): once its copies are placed.
    const std::string rid = rj["results"][0]["id"];
    CHECK(Site::WaitFor(60, [&] { return get("/api/v1/chunks/" + rid).status == 200; }));
    sample("GET /api/v1/chunks/{id}", "/api/v1/chunks/" + rid);
    sample("GET /api/v1/results", "/api/v1/results?limit=20");
    sample("GET /api/v1/search", "/api/v1/search?q=vib&limit=20");
    sample("GET /api/v1/scheduler", "/api/v1/scheduler");
    sample("GET /api/v1/status", "/api/v1/status");
    sample("GET /api/v1/repair", "/api/v1/repair");
    sample("GET /api/v1/board", "/api/v1/board");
    sample("GET /api/v1/report", "/api/v1/report");
    sample("GET /api/v1/verify", "/api/v1/verify");
    sample("GET /api/v1/edges/{name}/settings", "/api/v1/edges/edge-0/settings");
    sample("GET /healthz", "/healthz");
    // Errors: an unknown chunk, a bad parameter, an unknown edge.
    sample("GET /api/v1/chunks/{id}", "/api/v1/chunks/" + std::string(64, '0'), 404);
    sample("GET /api/v1/chunks", "/api/v1/chunks?source=vib&limit=0", 400);
    sample("GET /api/v1/search", "/api/v1/search?q=AND%20(", 400);
    sample("GET /api/v1/edges/{name}/settings", "/api/v1/edges/nobody/settings", 404);
    // The operator's node actions: drain edge-2 (202); forgetting it while live is refused
    // (409); once it has stopped, forgetting it succeeds (200).
    auto post = [&](const std::string& where, const std::string& path, int status,
                    const std::string& body = "") {
      // An analysis job reads the chunks of split windows one by one: minutes on a busy box.
      auto r = HttpCall(port, "POST", path, token, body, /*wait_s=*/300);
      CHECK_MESSAGE(r.status == status, path << " answered " << r.status << ": " << r.body);
      samples.Http(where, r);
    };
    // An analysis job over the `vib` windows (every edge's rig: one group, the source's
    // name), and one refused for an unknown parameter.
    post("POST /api/v1/analysis", "/api/v1/analysis", 200,
         R"({"group":"vib","params":{"msmve_rows":256,"msmve_scales":2}})");
    post("POST /api/v1/analysis", "/api/v1/analysis", 400, R"({"group":"vib","colour":1})");
    post("POST /api/v1/nodes/{name}/drain", "/api/v1/nodes/edge-2/drain", 202);
    post("POST /api/v1/nodes/{name}/forget", "/api/v1/nodes/edge-2/forget", 409);
    site.KillEdge(2, SIGTERM);
    CHECK(Site::WaitFor(60, [&] {
      auto j = nlohmann::json::parse(get("/api/v1/nodes").body, nullptr, false);
      if (!j.is_object()) return false;
      for (const auto& n : j.value("nodes", nlohmann::json::array())) {
        if (n.value("name", "") == "edge-2") return n.value("state", "") != "live";
      }
      return false;
    }));
    post("POST /api/v1/nodes/{name}/forget", "/api/v1/nodes/edge-2/forget", 200);
    (*x)->Stop();

    auto c = RunChecker(samples.path(), site.dir());
    INFO(c.out);
    CHECK(c.code == 0);
    CHECK(c.out.find("problems") != std::string::npos);  // it ran to the end
  }

  TEST_CASE("the schema check fails on a removed or retyped field and on an unknown topic") {
    TempDir dir;
    // A real-looking result: the published fields, then one with wall_ms missing, one with
    // anomalies as a string, one with a field no schema describes, and a topic without one.
    nlohmann::json ok = {
        {"v", 1},
        {"type", "result"},
        {"id", std::string(64, 'a')},
        {"processor", "stats"},
        {"origin", 2},
        {"origin_name", "edge-0"},
        {"source", "vib"},
        {"source_chunk", std::string(64, 'b')},
        {"source_seq", 7},
        {"source_chunks", 1},
        {"anomalies", 0},
        {"summary", {{"rows", 1}, {"chunks", 1}, {"windows", nlohmann::json::array()}}},
        {"t_first", uint64_t{1} << 52},
        {"t_last", uint64_t{1} << 52},
        {"t_first_ms", uint64_t{1} << 36},
        {"t_last_ms", uint64_t{1} << 36},
        {"wall_ms", 1764547200000},
        {"seq", 42}};
    auto without = ok;
    without.erase("wall_ms");
    auto retyped = ok;
    retyped["anomalies"] = "0";
    auto extra = ok;
    extra["secret"] = true;
    {
      std::ofstream out(dir / "bad.jsonl");
      auto line = [&](const std::string& topic, const nlohmann::json& j) {
        out << nlohmann::json{{"where", topic}, {"body", j.dump()}}.dump() << "\n";
      };
      line("tern/x/results/edge-0/vib/stats", ok);
      line("tern/x/results/edge-0/vib/stats", without);
      line("tern/x/results/edge-0/vib/stats", retyped);
      line("tern/x/results/edge-0/vib/stats", extra);
      line("tern/x/gossip/edge-0", ok);
    }
    auto c = RunChecker(dir / "bad.jsonl", dir.path());
    INFO(c.out);
    CHECK(c.code == 1);
    CHECK(c.out.find("against x-result.schema.json: 'wall_ms' is a required property") !=
          std::string::npos);
    CHECK(c.out.find("against x-result.schema.json: '0' is not of type 'integer' at anomalies") !=
          std::string::npos);
    CHECK(c.out.find("x-result.schema.json does not describe") != std::string::npos);
    CHECK(c.out.find("tern/x/gossip/edge-0: no schema in docs/schemas/README.md") !=
          std::string::npos);
    // Only the good sample and its kind were checked: every other schema is named unused.
    CHECK(c.out.find("http-verify.schema.json: no sample checked it") != std::string::npos);
    CHECK(c.out.find("FAIL: tern/x/results/edge-0/vib/stats: x-result.schema.json accepts") ==
          std::string::npos);
  }
}

}  // namespace tern::testing
