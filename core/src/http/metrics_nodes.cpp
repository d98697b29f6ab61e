// Per-node series of /metrics: see metrics_parts.h. The edges' counters arrive in their
// heartbeats as a flat name -> integer map; the ack latency histograms ride in it as
// ack_ms_<grade>_le_<bound> / _sum / _count (edge/src/shipper.h, AckHistograms) and become
// one Prometheus histogram family in seconds here.
#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <string>

#include "metrics_parts.h"
#include "render.h"
#include "tern/common/edge_counters.h"

namespace tern::core::http {
namespace {

using json = nlohmann::json;

constexpr const char* kLatency = "tern_edge_ack_latency_seconds";
constexpr const char* kLatencyHelp =
    "time from a chunk's first record collected to each ack grade (local: durable in the "
    "edge's store, peer1/peer2: a first/second peer holds a copy, core: the core acked it)";
// Membership's states (NodeStateName), each a series of tern_node_state.
constexpr const char* kStates[] = {"unknown", "live", "suspect", "offline", "dead"};

// One grade's histogram, gathered from the counters.
struct Grade {
  std::map<int64_t, int64_t> buckets;  // bound in ms -> cumulative count
  json inf, sum, count;
};

// "ack_ms_<grade>_<rest>": true and fills grade/rest if `key` has that shape.
bool SplitAckKey(const std::string& key, std::string* grade, std::string* rest) {
  static const std::string kPrefix = "ack_ms_";
  if (key.compare(0, kPrefix.size(), kPrefix) != 0) return false;
  size_t us = key.find('_', kPrefix.size());
  if (us == std::string::npos) return false;
  *grade = key.substr(kPrefix.size(), us - kPrefix.size());
  *rest = key.substr(us + 1);
  return !grade->empty();
}

std::string Seconds(int64_t ms) { return FormatValue(json(static_cast<double>(ms) / 1000.0)); }

void AddHistograms(Exposition& e, const std::map<std::string, Grade>& grades,
                   const std::string& node, const std::string& addr) {
  for (const auto& [grade, g] : grades) {
    if (!g.count.is_number() || !g.inf.is_number()) continue;  // not a whole histogram
    for (const auto& [bound, n] : g.buckets) {
      e.Add(kLatency, "histogram", kLatencyHelp,
            Labels({{"node", node}, {"addr", addr}, {"grade", grade}, {"le", Seconds(bound)}}), n,
            "_bucket");
    }
    e.Add(kLatency, "histogram", kLatencyHelp,
          Labels({{"node", node}, {"addr", addr}, {"grade", grade}, {"le", "+Inf"}}), g.inf,
          "_bucket");
    const std::string labels = Labels({{"node", node}, {"addr", addr}, {"grade", grade}});
    if (g.sum.is_number())
      e.Add(kLatency, "histogram", kLatencyHelp, labels, g.sum.get<double>() / 1000.0, "_sum");
    e.Add(kLatency, "histogram", kLatencyHelp, labels, g.count, "_count");
  }
}

// The heartbeat's counters: histograms, gauges, and counters as tern_edge_<name>_total.
void AddEdgeCounters(Exposition& e, const json& counters, const std::string& node,
                     const std::string& addr) {
  if (!counters.is_object()) return;
  const std::string labels = Labels({{"node", node}, {"addr", addr}});
  std::map<std::string, Grade> grades;
  for (const auto& [key, v] : counters.items()) {
    if (!v.is_number() && !v.is_boolean()) continue;
    std::string grade, rest;
    if (SplitAckKey(key, &grade, &rest)) {
      if (!v.is_number_integer()) continue;
      Grade& g = grades[grade];
      if (rest == "sum") {
        g.sum = v;
      } else if (rest == "count") {
        g.count = v;
      } else if (rest == "le_inf") {
        g.inf = v;
      } else if (rest.compare(0, 3, "le_") == 0) {
        int64_t bound = 0;
        const char* b = rest.data() + 3;
        const char* end = rest.data() + rest.size();
        auto [p, ec] = std::from_chars(b, end, bound);
        if (ec == std::errc() && p == end && bound > 0) g.buckets[bound] = v.get<int64_t>();
      }
      continue;  // never also a tern_edge_ack_ms_..._total counter
    }
    const EdgeCounterDoc* d = FindEdgeCounter(key);
    if (d && !d->gauge_family.empty()) {
      if (key == "outbox_max_bytes" && (!v.is_number() || v.get<double>() <= 0)) continue;
      e.Add(std::string(d->gauge_family), "gauge", std::string(d->help), labels, v);
      continue;
    }
    const std::string name = "tern_edge_" + PromName(key);
    e.Add(
        name + (name.size() > 6 && name.compare(name.size() - 6, 6, "_total") == 0 ? "" : "_total"),
        "counter", EdgeCounterHelp(key) + " (from the node's last heartbeat)", labels, v);
  }
  AddHistograms(e, grades, node, addr);
}

void AddNode(Exposition& e, const json& n, const std::string& state) {
  const std::string name =
      n.contains("name") && n["name"].is_string() ? n["name"].get<std::string>() : "";
  const std::string addr =
      n.contains("addr") && n["addr"].is_number() ? FormatValue(n["addr"]) : "";
  const std::string labels = Labels({{"node", name}, {"addr", addr}});
  e.Add("tern_node_up", "gauge", "1 if the node's membership state is live, else 0", labels,
        state == "live" ? 1 : 0);
  for (const char* s : kStates) {
    e.Add("tern_node_state", "gauge",
          "1 for the node's current membership state (unknown, live, suspect, offline, dead), "
          "0 for the others",
          Labels({{"node", name}, {"addr", addr}, {"state", s}}), state == s ? 1 : 0);
  }
  auto num = [&](const char* k) { return n.contains(k) && n[k].is_number(); };
  if (n.contains("draining") && n["draining"].is_boolean()) {
    e.Add("tern_node_draining", "gauge", "1 if an operator drained the node, else 0", labels,
          n["draining"]);
  }
  if (num("load")) {
    e.Add("tern_node_load", "gauge",
          "node load from its last heartbeat (0.5 cpu + 0.5 used/total bytes)", labels, n["load"]);
  }
  if (n.contains("disk_full") && n["disk_full"].is_boolean()) {
    e.Add("tern_node_disk_full", "gauge",
          "1 if the node's last heartbeat said its data disk is full, else 0", labels,
          n["disk_full"].get<bool>() ? 1 : 0);
  }
  if (num("outbox_chunks") && n["outbox_chunks"].get<double>() >= 0) {
    e.Add("tern_edge_outbox_chunks", "gauge",
          "own chunks in the edge's outbox (not yet acked by the core), from its last heartbeat",
          labels, n["outbox_chunks"]);
  }
  if (num("outbox_bytes") && n["outbox_bytes"].get<double>() >= 0) {
    e.Add("tern_edge_outbox_bytes", "gauge",
          "bytes of the own chunks in the edge's outbox, from its last heartbeat", labels,
          n["outbox_bytes"]);
  }
  if (num("used")) {
    e.Add("tern_edge_store_used_bytes", "gauge",
          "bytes in the edge's local store (own and peers' chunks), from its last heartbeat",
          labels, n["used"]);
  }
  if (num("capacity") && n["capacity"].get<double>() > 0) {
    e.Add("tern_edge_store_capacity_bytes", "gauge",
          "the edge's store capacity (node.capacity), from its last heartbeat", labels,
          n["capacity"]);
  }
  if (n.contains("counters")) AddEdgeCounters(e, n["counters"], name, addr);
}

}  // namespace

void AddNodeMetrics(Exposition& e, const json& nodes, const json& registry) {
  std::set<std::string> seen;  // addresses membership has
  if (nodes.is_array()) {
    // Per node, tern_store_dedup_saved_bytes comes with the heartbeat's gauges; the site's
    // total sums what the members' last heartbeats said.
    int64_t saved = 0;
    for (const auto& n : nodes) {
      if (n.is_object() && n.contains("dedup_saved_bytes") &&
          n["dedup_saved_bytes"].is_number_integer()) {
        saved += n["dedup_saved_bytes"].get<int64_t>();
      }
    }
    e.Add("tern_site_dedup_saved_bytes", "gauge",
          "bytes all stores of the site save by dedup (sum of the nodes' last heartbeats)", "",
          saved);
    for (const auto& n : nodes) {
      if (!n.is_object()) continue;
      if (n.contains("addr") && n["addr"].is_number()) seen.insert(FormatValue(n["addr"]));
      AddNode(e, n,
              n.contains("state") && n["state"].is_string() ? n["state"].get<std::string>()
                                                            : "unknown");
    }
  }
  if (!registry.is_array()) return;
  for (const auto& r : registry) {
    if (!r.is_object() || !r.contains("addr") || !r["addr"].is_number()) continue;
    if (seen.count(FormatValue(r["addr"]))) continue;
    // Registered but out of membership: no heartbeat facts, and dead rather than absent.
    AddNode(e, json{{"addr", r["addr"]}, {"name", r.contains("name") ? r["name"] : json()}},
            "dead");
  }
}

}  // namespace tern::core::http
