// The core's HTTP API as docs/http-api.md describes it, against a running site (issue 10):
// - every series name the document gives (tern_core_*, tern_node_*, tern_edge_*) is in the
//   live /metrics, every counter of its "Core counters" table is in /api/v1/status and in
//   /metrics (at 0 from the start, where nothing has happened yet), and every key of its
//   /api/v1/status example is in the live document — the document is parsed here, so a name
//   added to it is checked too;
// - /healthz answers without credentials, a wrong method on a known path is 405 with Allow,
//   and a POST without a body is answered at once;
// - for nodes, a chunk, the chunk list, results, report, repair and verify: every key of the
//   section's ```json example is in a live answer, and every key of the live answer is in
//   the example or the section's field table (keys of open maps such as counters aside).
#include <doctest/doctest.h>

#include <chrono>
#include <regex>
#include <set>
#include <sstream>

#include "ctl_run.h"
#include "doc_table.h"
#include "http_client.h"
#include "site.h"

namespace tern::testing {
namespace {

const std::string kDoc = TERN_SOURCE_DIR "/docs/http-api.md";

// The series names of a Prometheus text exposition, and its family names (a histogram's
// family, e.g. tern_edge_ack_latency_seconds, has only _bucket/_sum/_count series).
std::set<std::string> SeriesIn(const std::string& text) {
  std::set<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("# TYPE ", 0) == 0) out.insert(line.substr(7, line.find(' ', 7) - 7));
    if (line.empty() || line[0] == '#') continue;
    out.insert(line.substr(0, line.find_first_of("{ ")));
  }
  return out;
}

// Every tern_core_*, tern_node_*, tern_edge_* name in the document (templates such as
// `tern_core_<counter>_total` are not names).
std::set<std::string> DocSeries(const std::string& doc) {
  std::set<std::string> out;
  static const std::regex re(R"(tern_(core|node|edge)_[a-z0-9_]*[a-z0-9](?![a-z0-9_<]))");
  for (std::sregex_iterator it(doc.begin(), doc.end(), re), end; it != end; ++it) {
    out.insert(it->str());
  }
  return out;
}

// The first ```json block after `heading`, parsed (discarded if none).
nlohmann::json ExampleAfter(const std::string& doc, const std::string& heading) {
  size_t at = doc.find("\n" + heading + "\n");
  if (at == std::string::npos) return nlohmann::json();
  size_t start = doc.find("```json\n", at);
  if (start == std::string::npos) return nlohmann::json();
  start += 8;
  size_t end = doc.find("```", start);
  return nlohmann::json::parse(doc.substr(start, end - start), nullptr, false);
}

// Key paths of a JSON document ("nodes[].counters.chunks_sealed"); an array's elements are
// merged, so a key counts when any element has it.
void KeyPaths(const nlohmann::json& j, const std::string& prefix, std::set<std::string>* out) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      const std::string p = prefix.empty() ? k : prefix + "." + k;
      out->insert(p);
      KeyPaths(v, p, out);
    }
  } else if (j.is_array()) {
    for (const auto& e : j) KeyPaths(e, prefix + "[]", out);
  }
}

// The core's HTTP port, from status.json once the core has written it (-1: not in 30 s).
int ApiPort(const Site& site) {
  int port = -1;
  Site::WaitFor(30, [&] { return (port = site.CoreStatus().value("http_port", -1)) > 0; });
  return port;
}

// The text of the section under `heading`, up to the next heading of level 2.
std::string Section(const std::string& doc, const std::string& heading) {
  size_t at = doc.find("\n" + heading + "\n");
  if (at == std::string::npos) return "";
  at += heading.size() + 2;
  size_t end = doc.find("\n## ", at);
  return doc.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

// Every name in backticks in the first column of the section's field tables.
std::set<std::string> FieldNames(const std::string& section) {
  std::set<std::string> out;
  std::istringstream in(section);
  static const std::regex name("`([a-z0-9_+]+)`");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("| ", 0) != 0) continue;
    const std::string first = line.substr(0, line.find(" |", 1));
    for (std::sregex_iterator it(first.begin(), first.end(), name), e; it != e; ++it) {
      out.insert((*it)[1]);
    }
  }
  return out;
}

// Paths of arrays that are empty in `j` (their elements' keys cannot be compared).
void EmptyArrays(const nlohmann::json& j, const std::string& prefix, std::set<std::string>* out) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) EmptyArrays(v, prefix.empty() ? k : prefix + "." + k, out);
  } else if (j.is_array()) {
    if (j.empty()) out->insert(prefix + "[]");
    for (const auto& e : j) EmptyArrays(e, prefix + "[]", out);
  }
}

// The last name of a key path ("chunks[].holders[].addr" -> "addr").
std::string LastName(const std::string& path) {
  size_t dot = path.rfind('.');
  std::string n = dot == std::string::npos ? path : path.substr(dot + 1);
  while (n.size() > 2 && n.compare(n.size() - 2, 2, "[]") == 0) n.resize(n.size() - 2);
  return n;
}

}  // namespace

TEST_SUITE("http_contract") {
  TEST_CASE("every counter, gauge and status field docs/http-api.md names is served") {
    const std::string doc = ReadFile(kDoc);
    REQUIRE_MESSAGE(!doc.empty(), "cannot read " << kDoc);
    const std::set<std::string> series = DocSeries(doc);
    const std::vector<std::string> counters = TableNames(doc, "### Core counters");
    const nlohmann::json example = ExampleAfter(doc, "## GET /api/v1/status");
    // The parsing itself must have found what the document has, or the test proves nothing.
    REQUIRE(series.size() >= 10);
    REQUIRE(counters.size() >= 20);
    REQUIRE(example.is_object());

    Site site(1, {"source.synthetic.rate=500"});
    REQUIRE(site.StartAll());
    const int port = ApiPort(site);
    REQUIRE(port > 0);
    const std::string token = SiteToken(site);
    REQUIRE(!token.empty());
    // A short run: the edge registered, sealed chunks and sent heartbeats with them.
    std::set<std::string> live;
    nlohmann::json status;
    bool all = Site::WaitFor(60, [&] {
      auto m = HttpCall(port, "GET", "/metrics", token);
      auto s = HttpCall(port, "GET", "/api/v1/status", token);
      if (m.status != 200 || s.status != 200) return false;
      live = SeriesIn(m.body);
      status = nlohmann::json::parse(s.body, nullptr, false);
      for (const auto& n : series) {
        if (!live.count(n)) return false;
      }
      return site.EdgeCounter(0, "chunks_sealed") > 0;
    });
    for (const auto& n : series) {
      CHECK_MESSAGE(live.count(n) == 1, "docs/http-api.md names " << n << ", /metrics has none");
    }
    CHECK(all);
    REQUIRE(status.is_object());
    for (const auto& c : counters) {
      CHECK_MESSAGE(status["counters"].contains(c),
                    "core counter " << c << " is documented but not in /api/v1/status");
      CHECK_MESSAGE(
          live.count("tern_core_" + c + "_total") == 1,
          "core counter " << c << " is documented but /metrics has no tern_core_" << c << "_total");
    }
    std::set<std::string> want, have;
    KeyPaths(example, "", &want);
    KeyPaths(status, "", &have);
    for (const auto& k : want) {
      CHECK_MESSAGE(have.count(k) == 1,
                    "the /api/v1/status example has " << k << ", the live document does not");
    }
  }

  TEST_CASE("healthz without a token, 405 with Allow, and a POST without a body answered at once") {
    // A long request timeout: a server that waited for a body would not answer in time.
    Site site(1, {"source.synthetic.rate=200"}, {"http.request_timeout=60s"});
    REQUIRE(site.StartAll());
    const int port = ApiPort(site);
    REQUIRE(port > 0);
    const std::string token = SiteToken(site);
    REQUIRE(!token.empty());

    // /healthz: no credentials; ok once the core hears the broker and commits.
    REQUIRE(Site::WaitFor(30, [&] {
      auto h = HttpCall(port, "GET", "/healthz");
      return h.status == 200 && h.body == "ok\n";
    }));
    // Stop the broker: the core's link is down and /healthz says so.
    site.broker().Kill();
    CHECK(Site::WaitFor(60, [&] {
      auto h = HttpCall(port, "GET", "/healthz");
      return h.status == 503 && h.body.find("broker link down") != std::string::npos;
    }));
    REQUIRE(site.broker().Restart());
    CHECK(Site::WaitFor(60, [&] { return HttpCall(port, "GET", "/healthz").status == 200; }));

    // A wrong method on a known path: 405 naming what the path answers, never 404.
    struct Case {
      std::string method, path, allow;
    };
    for (const auto& c : std::vector<Case>{{"DELETE", "/api/v1/nodes", "GET, HEAD"},
                                           {"DELETE", "/api/v1/nodes/edge-0/drain", "POST"},
                                           {"GET", "/api/v1/nodes/edge-0/forget", "POST"},
                                           {"POST", "/metrics", "GET, HEAD"},
                                           {"DELETE", "/healthz", "GET, HEAD"}}) {
      CAPTURE(c.method);
      CAPTURE(c.path);
      const std::string raw =
          RawHttp(port, c.method + " " + c.path + " HTTP/1.1\r\nHost: localhost\r\n" +
                            "Authorization: Bearer " + token + "\r\nContent-Length: 0\r\n" +
                            "Connection: close\r\n\r\n");
      CHECK(HttpStatusOf(raw) == 405);
      CHECK(raw.find("Allow: " + c.allow + "\r\n") != std::string::npos);
    }

    // A POST without a body: with `Content-Length: 0` it is served (an unknown node: 404),
    // without any Content-Length it is refused (400); both at once, not after the timeout.
    for (const bool with_length : {true, false}) {
      CAPTURE(with_length);
      const auto t0 = std::chrono::steady_clock::now();
      const std::string raw =
          RawHttp(port,
                  "POST /api/v1/nodes/nobody/drain HTTP/1.1\r\nHost: localhost\r\n"
                  "Authorization: Bearer " +
                      token + "\r\n" + (with_length ? "Content-Length: 0\r\n" : "") + "\r\n");
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      CHECK(HttpStatusOf(raw) == (with_length ? 404 : 400));
      CHECK(s < 20);  // the request timeout is 60 s
    }
    CHECK(site.CoreRunning());
  }

  TEST_CASE("each endpoint's documented example and fields match a live answer both ways") {
    const std::string doc = ReadFile(kDoc);
    REQUIRE_MESSAGE(!doc.empty(), "cannot read " << kDoc);
    // Three stores, spikes for alarm results, one statistics window per chunk: every list
    // has rows soon.
    Site site(3, {"source.synthetic.rate=500", "source.synthetic.anomaly_every=400"},
              {"processor.stats.window=0"});
    REQUIRE(site.StartAll());
    const int port = ApiPort(site);
    REQUIRE(port > 0);
    const std::string token = SiteToken(site);
    REQUIRE(!token.empty());
    auto get = [&](const std::string& path) {
      auto r = HttpCall(port, "GET", path, token);
      return r.status == 200 ? nlohmann::json::parse(r.body, nullptr, false) : nlohmann::json();
    };
    // An anomaly result placed on its stores: then results, chunks and links all have rows.
    std::string rid;
    REQUIRE(Site::WaitFor(120, [&] {
      auto r = get("/api/v1/results?anomalies=1&limit=1");
      if (!r.is_object() || r["results"].empty()) return false;
      rid = r["results"][0]["id"];
      return get("/api/v1/chunks/" + rid).is_object();
    }));
    auto list = get("/api/v1/chunks?source=vib&limit=3");
    REQUIRE(list.is_object());
    REQUIRE(!list["chunks"].empty());
    const std::string cid = list["chunks"][0]["id"];

    struct Endpoint {
      std::string heading, path;
    };
    const std::vector<Endpoint> endpoints = {
        {"## GET /api/v1/nodes", "/api/v1/nodes"},
        {"## GET /api/v1/chunks/{id}", "/api/v1/chunks/" + cid},
        {"## GET /api/v1/chunks?source=S[&origin=N][&from=T][&to=T][&limit=N]",
         "/api/v1/chunks?source=vib&limit=3"},
        {"## GET /api/v1/results?[source=S][&origin=N][&from=T][&to=T][&anomalies=1][&limit=N]",
         "/api/v1/results?anomalies=1&limit=3"},
        {"## GET /api/v1/search?q=Q[&from=T][&to=T][&limit=N]", "/api/v1/search?q=vib&limit=5"},
        {"## GET /api/v1/report", "/api/v1/report"},
        {"## GET /api/v1/repair", "/api/v1/repair"},
        {"## GET /api/v1/verify[?rehash=1]", "/api/v1/verify"},
    };
    for (const auto& e : endpoints) {
      CAPTURE(e.heading);
      const std::string section = Section(doc, e.heading);
      REQUIRE_MESSAGE(!section.empty(), "docs/http-api.md has no section " << e.heading);
      const size_t ex = section.find("```json\n");
      const nlohmann::json example =
          ex == std::string::npos
              ? nlohmann::json()
              : nlohmann::json::parse(section.substr(ex + 8, section.find("```", ex + 8) - ex - 8),
                                      nullptr, false);
      REQUIRE_MESSAGE(example.is_object(), "no ```json example under " << e.heading);
      const nlohmann::json live = get(e.path);
      REQUIRE_MESSAGE(live.is_object(), e.path << " did not answer a JSON object");
      std::set<std::string> documented, served, empty;
      KeyPaths(example, "", &documented);
      KeyPaths(live, "", &served);
      EmptyArrays(live, "", &empty);
      const std::set<std::string> table = FieldNames(section);
      // Open maps: their keys are data (counter names, copy counts, a summary), not fields.
      auto in_open_map = [](const std::string& p) {
        for (const char* m : {"counters.", "summary.", "by_copies.", "copies."}) {
          if (p.find(m) != std::string::npos) return true;
        }
        return false;
      };
      for (const auto& k : documented) {
        if (in_open_map(k)) continue;
        bool under_empty = false;
        for (const auto& a : empty) under_empty |= k.rfind(a + ".", 0) == 0;
        if (under_empty) continue;  // nothing live to compare with
        CHECK_MESSAGE(served.count(k) == 1,
                      e.path << ": the example has " << k << ", the live answer does not");
      }
      for (const auto& k : served) {
        if (in_open_map(k)) continue;
        const bool known = documented.count(k) == 1 || table.count(LastName(k)) == 1;
        CHECK_MESSAGE(known, e.path << ": the live answer has " << k
                                    << ", which neither the example nor a field table documents");
      }
    }
  }
}

}  // namespace tern::testing
