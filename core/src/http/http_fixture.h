// The HTTP API tests' shared fixture: a core.db with known contents (BuildDb), a fake core
// status, a token book with a read and an operator token, and an HttpApi on a free loopback
// port with a client that sends a token.
#pragma once

#include <doctest/doctest.h>
#include <httplib.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "process.h"
#include "tern/common/bytes.h"
#include "tern/common/metrics.h"
#include "tern/core/http_api.h"
#include "tern/core/http_tokens.h"
#include "tern/core/manifest.h"

namespace tern::core::http_test {

using nlohmann::json;

inline constexpr uint64_t kMs = 1700000000000;  // wall ms of the first test chunk
inline uint64_t Hlc(uint64_t ms) { return ms << 16; }

inline std::string Id(char c) { return std::string(32, c); }
inline std::string Hex(char c) { return ToHex(Id(c)); }

inline StoredNotice Notice(char c, uint32_t holder, uint32_t origin, const std::string& source,
                           uint64_t seq, uint64_t t0_ms, uint64_t t1_ms, int kind = 0) {
  StoredNotice n;
  n.id = Id(c);
  n.holder = holder;
  n.origin = origin;
  n.source = source;
  n.seq = seq;
  n.t_first = Hlc(t0_ms);
  n.t_last = Hlc(t1_ms) | 5;
  n.records = 100;
  n.bytes = 4096;
  n.priority = 1;
  n.kind = kind;
  return n;
}

// core.db with three nodes, chunks a, b (vib from edge-a), c (vib from edge-b), d (temp from
// edge-a), result chunks r (from a and b, 2 anomalies) and s (from c, none).
inline void BuildDb(const std::string& path) {
  int64_t now = 1;  // the wall clock the stores stamp rows with
  ManifestOptions o;
  o.now_ms = [&now] { return now; };
  auto m = Manifest::Open(path, o).value();
  REQUIRE(m->Begin().ok());
  REQUIRE(m->Register("edge-a", 1000).value() == 1);
  REQUIRE(m->Register("edge-b", 2000).value() == 2);
  REQUIRE(m->Register("edge-c", 3000).value() == 3);
  for (uint32_t h : {1u, 2u, 3u}) {
    REQUIRE(m->RecordHolder(Notice('a', h, 1, "vib", 1, kMs, kMs + 999)).ok());
  }
  REQUIRE(m->RecordHolder(Notice('b', 1, 1, "vib", 2, kMs + 1000, kMs + 1999)).ok());
  REQUIRE(m->RecordHolder(Notice('c', 2, 2, "vib", 1, kMs + 500, kMs + 1500)).ok());
  REQUIRE(m->RecordHolder(Notice('d', 1, 1, "temp", 3, kMs, kMs + 999)).ok());
  REQUIRE(m->RecordHolder(Notice('r', 2, 1, "vib", 4, kMs, kMs + 1999, 3)).ok());
  REQUIRE(m->RecordHolder(Notice('s', 3, 2, "vib", 2, kMs + 500, kMs + 1500, 3)).ok());
  REQUIRE(m->MarkAcked(Id('a')).ok());
  REQUIRE(m->SetNodeState(3, "dead", 42).ok());
  now = 123;
  EdgeSettings e;
  e.name = "edge-a";
  e.priority = 1;
  e.weight = 4;
  e.kinds = "samples,event";
  e.max_bytes_per_s = 1000;
  e.protocol = 1;
  REQUIRE(m->PutSettings(e).ok());
  Manifest::ResultRow r;
  r.id = Id('r');
  r.origin = 1;
  r.source = "vib";
  r.processor = "stats";
  r.t_first = Hlc(kMs);
  r.t_last = Hlc(kMs + 1999);
  r.anomalies = 2;
  r.summary = R"({"mean":1.5,"flags":[3,9]})";
  r.sources = {Id('a'), Id('b')};
  now = 77;
  REQUIRE(m->InsertResult(r).ok());
  REQUIRE(m->MarkResultPlaced(r.id).ok());
  r.id = Id('s');
  r.origin = 2;
  r.processor = "msmve";
  r.t_first = Hlc(kMs + 500);
  r.t_last = Hlc(kMs + 1500);
  r.anomalies = 0;
  r.summary = "not json";
  r.wire = "result wire";
  r.sources = {Id('c')};
  now = 78;
  REQUIRE(m->InsertResult(r).ok());
  REQUIRE(m->Commit().ok());
}

inline json StatusDoc() {
  return {{"counters", {{"up.chunks", 12}, {"stored", 30}}},
          {"spool_depth", 4},
          {"manifest_chunks", 6},
          {"nodes",
           {{{"addr", 1},
             {"name", "edge-a"},
             {"state", "live"},
             {"load", 0.25},
             {"counters", {{"chunks.sent", 9}, {"hb", 3}}}},
            {{"addr", 2},
             {"name", "edge-b"},
             {"state", "suspect"},
             {"load", 0.75},
             {"counters", {{"chunks.sent", 1}}}}}}};
}

// A token for `label` with `role` in the book at `path`.
inline std::string MakeToken(const std::string& path, HttpRole role, const std::string& label) {
  auto t = TokenBook::Create(path, role, label, 1000);
  REQUIRE_MESSAGE(t.ok(), t.status().ToString());
  return *t;
}

struct Reply {
  int status = -1;  // -1: no response (connection failed)
  json body;        // parsed, or discarded if not JSON
  std::string raw;
  httplib::Headers headers;
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

struct Fixture {
  testing::TempDir dir{"http"};
  Metrics metrics;
  std::string read_token, operator_token;
  std::unique_ptr<HttpApi> api;
  std::atomic<int> status_calls{0};
  std::mutex actions_mu;
  std::vector<std::pair<std::string, std::string>> actions;  // (action, node) asked
  std::atomic<bool> verify_rehash{false};
  // Called inside the status callback (after counting), e.g. to hold requests in progress.
  std::function<void()> in_status;
  // What the health source answers ("" healthy); guarded by actions_mu.
  std::string health_problem;

  // `tweak` may change the options before the server starts.
  explicit Fixture(bool with_db = true, std::function<void(HttpApiOptions&)> tweak = {}) {
    if (with_db) BuildDb(dir / "core.db");
    read_token = MakeToken(TokenBook::PathIn(dir.path()), HttpRole::kRead, "dashboard");
    operator_token = MakeToken(TokenBook::PathIn(dir.path()), HttpRole::kOperator, "ops");
    HttpApiOptions o;
    o.port = 0;
    o.core_db = with_db ? dir / "core.db" : "";
    o.tokens_file = TokenBook::PathIn(dir.path());
    o.metrics = &metrics;
    if (tweak) tweak(o);
    HttpApiSources s;
    s.status = [this] {
      ++status_calls;
      if (in_status) in_status();
      return StatusDoc();
    };
    s.scheduler = [] { return json{{"queues", {{{"edge", 1}, {"class", "high"}, {"depth", 2}}}}}; };
    // Repair: fixed documents, and node control over the three nodes of BuildDb (edge-a
    // live, edge-b suspect, edge-c dead) recording what it was asked.
    s.report = []() -> Result<json> {
      return json{{"nodes", json::array()}, {"copies", {{"3", 6}}}};
    };
    s.repair = []() -> Result<json> { return json{{"queue", 2}, {"tasks", json::array()}}; };
    s.verify = [this](bool rehash) -> Result<json> {
      verify_rehash = rehash;
      return json{{"ok", true}, {"rehash", rehash}};
    };
    s.node_action = [this](const std::string& action, const std::string& name) -> Result<json> {
      std::lock_guard<std::mutex> lk(actions_mu);
      if (name != "edge-a" && name != "edge-b" && name != "edge-c") {
        return Status::NotFound("node '" + name + "' is not registered");
      }
      if (action == "forget" && name == "edge-a") {
        return Status::FailedPrecondition("node 'edge-a' is live");
      }
      actions.emplace_back(action, name);
      return action == "drain" ? json{{"name", name}, {"draining", true}}
                               : json{{"name", name}, {"forgotten", true}};
    };
    s.health = [this] {
      std::lock_guard<std::mutex> lk(actions_mu);
      return health_problem;
    };
    auto r = HttpApi::Start(o, s);
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    api = std::move(r).value();
    REQUIRE(api->port() > 0);
  }

  // `method` `path` with `token` (none if empty) and `body` (sent as application/json).
  Reply Call(const std::string& method, const std::string& path, const std::string& token,
             const std::string& body = "") {
    httplib::Client cli("127.0.0.1", api->port());
    cli.set_read_timeout(10);
    if (!token.empty()) cli.set_bearer_token_auth(token);
    httplib::Result res = method == "GET"      ? cli.Get(path)
                          : method == "PUT"    ? cli.Put(path, body, "application/json")
                          : method == "POST"   ? cli.Post(path, body, "application/json")
                          : method == "DELETE" ? cli.Delete(path)
                                               : cli.Options(path);
    Reply r;
    if (!res) return r;
    r.status = res->status;
    r.raw = res->body;
    r.headers = res->headers;
    r.body = json::parse(res->body, nullptr, false);
    return r;
  }

  // GET path with the read token; returns the status code and the body (parsed if JSON).
  std::pair<int, json> Get(const std::string& path, std::string* raw = nullptr,
                           std::string* type = nullptr) {
    httplib::Client cli("127.0.0.1", api->port());
    cli.set_read_timeout(10);
    cli.set_bearer_token_auth(read_token);
    auto res = cli.Get(path);
    REQUIRE_MESSAGE(res, "GET " << path << " failed");
    if (raw) *raw = res->body;
    if (type) *type = res->get_header_value("Content-Type");
    json j = json::parse(res->body, nullptr, false);
    return {res->status, j};
  }
};

}  // namespace tern::core::http_test
