// The core's /metrics as Prometheus and Grafana see it, from a real site (broker, core with
// the simulated board, three edges): promtool check metrics finds no problem in a real
// scrape; every counter the core and the edges declare is there from the start; the ack
// latency histograms, outbox, store, scheduler, board and build series are there; every
// metric docs/grafana/tern.json queries exists; and a killed edge reads dead in
// tern_node_state rather than vanishing.
#include <doctest/doctest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "../core/src/core_counters.h"
#include "ctl_run.h"
#include "doc_table.h"
#include "http_client.h"
#include "site.h"
#include "tern/common/edge_counters.h"

namespace tern::testing {
namespace {

// Every sample line "name{labels} value" of a scrape, by series name.
std::multimap<std::string, std::string> Samples(const std::string& text) {
  std::multimap<std::string, std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    out.emplace(line.substr(0, line.find_first_of("{ ")), line);
  }
  return out;
}

// The value of the first sample of `name` whose line contains every one of `parts`.
std::optional<std::string> Value(const std::multimap<std::string, std::string>& s,
                                 const std::string& name, const std::vector<std::string>& parts) {
  auto [b, e] = s.equal_range(name);
  for (auto it = b; it != e; ++it) {
    bool all = true;
    for (const auto& p : parts) all = all && it->second.find(p) != std::string::npos;
    if (all) return it->second.substr(it->second.rfind(' ') + 1);
  }
  return std::nullopt;
}

// Every tern_* metric name in the dashboard's query expressions.
std::set<std::string> DashboardNames() {
  std::ifstream in(TERN_SOURCE_DIR "/docs/grafana/tern.json");
  auto dash = nlohmann::json::parse(in, nullptr, false);
  std::set<std::string> out;
  if (!dash.is_object()) return out;
  static const std::regex re(R"(\btern_[a-z0-9_]+)");
  for (const auto& p : dash.value("panels", nlohmann::json::array())) {
    for (const auto& t : p.value("targets", nlohmann::json::array())) {
      const std::string expr = t.value("expr", "");
      for (std::sregex_iterator it(expr.begin(), expr.end(), re), end; it != end; ++it) {
        out.insert(it->str());
      }
    }
  }
  return out;
}

// promtool's verdict on `text`: its exit status and what it printed.
std::pair<int, std::string> PromtoolCheck(const Site& site, const std::string& text) {
  const std::string in = site.dir() + "/scrape.txt", out = site.dir() + "/promtool.out";
  std::ofstream(in) << text;
  Process p;
  if (!p.Start({"sh", "-c", "promtool check metrics < '" + in + "'"}, out)) return {-1, ""};
  int rc = p.Wait(std::chrono::seconds(60));
  return {rc, ReadFile(out)};
}

// Starts `site` and returns the core's HTTP port and an operator token for /metrics;
// port -1 if something did not come up.
std::pair<int, std::string> Scraper(Site& site) {
  int port = -1;
  if (!site.StartAll() ||
      !Site::WaitFor(60, [&] { return (port = site.CoreStatus().value("http_port", -1)) > 0; })) {
    return {-1, ""};
  }
  std::string token = SiteToken(site);
  return {token.empty() ? -1 : port, token};
}

}  // namespace

TEST_SUITE("metrics") {
  TEST_CASE("docs/http-api.md lists exactly the counters the daemons declare") {
    std::vector<std::string> core_names, edge_names;
    for (const auto& c : core::CoreCounterDocs()) core_names.emplace_back(c.name);
    for (const auto& c : EdgeCounterDocs()) {
      if (c.gauge_family.empty()) edge_names.emplace_back(c.key);
    }
    const std::string doc = ReadFile(TERN_SOURCE_DIR "/docs/http-api.md");
    CHECK(TableNames(doc, "### Core counters") == core_names);
    CHECK(TableNames(doc, "### Edge counters") == edge_names);
  }

  TEST_CASE("a real scrape passes promtool and has every family the dashboard queries") {
    const std::set<std::string> dashboard = DashboardNames();
    REQUIRE(dashboard.size() >= 15);  // the parsing found the queries, or this proves nothing
    Site site(3, {"source.synthetic.rate=200"}, {"board.mode=sim"});
    const auto [port, token] = Scraper(site);
    REQUIRE(port > 0);

    // Early: every declared counter is there, whether or not it has counted anything.
    std::string text;
    std::multimap<std::string, std::string> s;
    const std::string edge0 = "node=\"edge-0\"";
    bool declared = Site::WaitFor(90, [&] {
      auto m = HttpCall(port, "GET", "/metrics", token);
      if (m.status != 200) return false;
      text = m.body;
      s = Samples(text);
      return s.count("tern_edge_chunks_sealed_total") == 3;
    });
    INFO(text.substr(0, 3000));
    REQUIRE(declared);
    for (const auto& c : core::CoreCounterDocs()) {
      const std::string n = "tern_core_" + std::string(c.name) + "_total";
      CHECK_MESSAGE(s.count(n) == 1, n << " is not in /metrics");
    }
    for (const auto& c : EdgeCounterDocs()) {
      const std::string n = c.gauge_family.empty() ? "tern_edge_" + std::string(c.key) + "_total"
                                                   : std::string(c.gauge_family);
      if (c.key == "mqtt_broker") continue;  // set only with mqtt.brokers
      CHECK_MESSAGE(Value(s, n, {edge0}).has_value(), n << " is not in /metrics for edge-0");
    }
    // Nothing happened that these count: present, and 0.
    CHECK(Value(s, "tern_core_nodes_dead_total", {}) == "0");
    CHECK(Value(s, "tern_core_corrupt_copies_total", {}) == "0");
    CHECK(Value(s, "tern_edge_scrub_corrupt_found_total", {edge0}) == "0");
    CHECK(Value(s, "tern_edge_core_refusals_seq_reuse_total", {edge0}) == "0");

    // Once chunks were acked by the core: the histograms, the gauges and the board.
    bool full = Site::WaitFor(120, [&] {
      auto m = HttpCall(port, "GET", "/metrics", token);
      if (m.status != 200) return false;
      text = m.body;
      s = Samples(text);
      auto n = Value(s, "tern_edge_ack_latency_seconds_count", {edge0, "grade=\"core\""});
      if (!n || *n == "0") return false;
      for (const auto& d : dashboard) {
        if (!s.count(d)) return false;
      }
      return true;
    });
    for (const auto& d : dashboard) {
      CHECK_MESSAGE(s.count(d) >= 1,
                    "docs/grafana/tern.json queries " << d << ", /metrics has none");
    }
    REQUIRE(full);
    for (const char* g : {"local", "peer1", "peer2", "core"}) {
      const std::string grade = "grade=\"" + std::string(g) + "\"";
      CHECK(Value(s, "tern_edge_ack_latency_seconds_bucket", {edge0, grade, "le=\"+Inf\""}));
      CHECK(Value(s, "tern_edge_ack_latency_seconds_bucket", {edge0, grade, "le=\"0.001\""}));
      CHECK(Value(s, "tern_edge_ack_latency_seconds_bucket", {edge0, grade, "le=\"60\""}));
      CHECK(Value(s, "tern_edge_ack_latency_seconds_sum", {edge0, grade}));
    }
    CHECK(s.count("tern_edge_ack_ms_core_count_total") == 0);
    CHECK(Value(s, "tern_node_state", {edge0, "state=\"live\""}) == "1");
    CHECK(Value(s, "tern_node_state", {edge0, "state=\"dead\""}) == "0");
    CHECK(Value(s, "tern_edge_outbox_max_bytes", {edge0}));
    CHECK(Value(s, "tern_edge_store_capacity_bytes", {edge0}));
    // The data directory's filesystem, as statvfs sees it on this machine.
    auto size = Value(s, "tern_edge_disk_size_bytes", {edge0});
    auto free = Value(s, "tern_edge_disk_free_bytes", {edge0});
    REQUIRE(size);
    REQUIRE(free);
    CHECK(std::stod(*size) > 0);
    CHECK(std::stod(*free) <= std::stod(*size));
    CHECK(s.count("tern_core_scheduler_queue_depth") == 4);
    CHECK(Value(s, "tern_build_info", {"version=\"", "commit=\""}) == "1");

    auto [rc, out] = PromtoolCheck(site, text);
    INFO("promtool said: " << out);
    CHECK(rc == 0);
    CHECK(out.find("should") == std::string::npos);  // lint findings ("should not ...")
  }

  TEST_CASE("a killed edge reads dead in tern_node_state and keeps its series") {
    Site site(3, {"source.synthetic.rate=100"},
              {"membership.suspect_after=500ms", "membership.dead_after=2s"});
    const auto [port, token] = Scraper(site);
    REQUIRE(port > 0);
    const std::string edge2 = "node=\"edge-2\"";
    std::multimap<std::string, std::string> s;
    auto scrape = [&] {
      auto m = HttpCall(port, "GET", "/metrics", token);
      if (m.status == 200) s = Samples(m.body);
      return m.status == 200;
    };
    REQUIRE(Site::WaitFor(90, [&] {
      return scrape() && Value(s, "tern_node_state", {edge2, "state=\"live\""}) == "1";
    }));
    site.KillEdge(2);
    bool dead = Site::WaitFor(90, [&] {
      return scrape() && Value(s, "tern_node_state", {edge2, "state=\"dead\""}) == "1";
    });
    CHECK(dead);
    CHECK(Value(s, "tern_node_state", {edge2, "state=\"live\""}) == "0");
    CHECK(Value(s, "tern_node_up", {edge2}) == "0");
    CHECK(Value(s, "tern_core_nodes_dead_total", {}) != "0");
  }
}

}  // namespace tern::testing
