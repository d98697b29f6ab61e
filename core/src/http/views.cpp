// The JSON documents of the HTTP API's core.db endpoints, from a read-only Manifest and its
// store classes (registry, holder index, results, settings); see views.h.
#include "views.h"

#include <map>

#include "tern/common/bytes.h"
#include "tern/core/settings_store.h"

namespace tern::core::http {
namespace {

using nlohmann::json;

std::string PriorityNameOf(int64_t p) {
  return p >= 0 && p <= 3 ? PriorityName(static_cast<Priority>(p)) : "unknown";
}
std::string KindNameOf(int64_t k) {
  return k >= 0 && k <= 3 ? KindName(static_cast<RecordKind>(k)) : "unknown";
}

// The words of `s` between `sep`s (empty ones left out) as a JSON array.
json SplitWords(std::string_view s, char sep = ' ') {
  json out = json::array();
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(sep, start);
    if (end == std::string_view::npos) end = s.size();
    if (end > start) out.push_back(std::string(s.substr(start, end - start)));
    start = end + 1;
  }
  return out;
}

// Name and state of a node: the registry row, overridden by live membership when known.
struct NodeView {
  std::string name;
  std::string state = "unknown";
  json load;                         // null unless a heartbeat reported it
  json counters;                     // {} unless a heartbeat reported them
  json disk_full;                    // null unless the core's membership has it
  json pressure;                     // the disk-pressure level's name; null as disk_full
  json outbox_chunks, outbox_bytes;  // null until a heartbeat this run said them
  json dedup_saved_bytes;            // null until a heartbeat this run said it
  bool live_info = false;
};

Result<std::map<uint32_t, NodeView>> NodeViews(Manifest& m, const json& status) {
  TERN_ASSIGN_OR_RETURN(auto nodes, m.Nodes());
  std::map<uint32_t, NodeView> out;
  for (const auto& n : nodes) {
    NodeView v;
    v.name = n.name;
    v.state = n.state;
    v.counters = json::object();
    out[n.addr] = std::move(v);
  }
  if (status.is_object() && status.contains("nodes") && status["nodes"].is_array()) {
    for (const auto& n : status["nodes"]) {
      if (!n.is_object() || !n.contains("addr") || !n["addr"].is_number_integer()) continue;
      auto it = out.find(n["addr"].get<uint32_t>());
      if (it == out.end()) continue;  // the registry is the authority on who exists
      NodeView& v = it->second;
      v.live_info = true;
      if (n.contains("state") && n["state"].is_string()) v.state = n["state"];
      if (n.contains("load") && n["load"].is_number()) v.load = n["load"];
      if (n.contains("counters") && n["counters"].is_object()) v.counters = n["counters"];
      if (n.contains("disk_full") && n["disk_full"].is_boolean()) v.disk_full = n["disk_full"];
      if (n.contains("pressure") && n["pressure"].is_string()) v.pressure = n["pressure"];
      if (n.contains("outbox_chunks") && n["outbox_chunks"].is_number_integer()) {
        v.outbox_chunks = n["outbox_chunks"];
      }
      if (n.contains("outbox_bytes") && n["outbox_bytes"].is_number_integer()) {
        v.outbox_bytes = n["outbox_bytes"];
      }
      if (n.contains("dedup_saved_bytes") && n["dedup_saved_bytes"].is_number_integer()) {
        v.dedup_saved_bytes = n["dedup_saved_bytes"];
      }
    }
  }
  return out;
}

json HexIds(const std::vector<ChunkId>& ids) {
  json out = json::array();
  for (const auto& id : ids) out.push_back(ToHex(id));
  return out;
}

Result<json> ChunkJson(Manifest& m, const ChunkRecord& c, const std::map<uint32_t, NodeView>& nodes,
                       bool links) {
  auto on = nodes.find(c.origin);
  json j = {
      {"id", ToHex(c.id)},
      {"origin", c.origin},
      {"origin_name", on == nodes.end() ? "" : on->second.name},
      {"source", c.source},
      {"seq", c.seq},
      {"kind", c.kind},
      {"kind_name", KindNameOf(c.kind)},
      {"priority", c.priority},
      {"priority_name", PriorityNameOf(c.priority)},
      {"t_first", c.t_first},
      {"t_last", c.t_last},
      {"t_first_ms", c.t_first >> 16},
      {"t_last_ms", c.t_last >> 16},
      {"records", c.records},
      {"bytes", c.bytes},
      {"spooled", c.spooled},
      {"acked", c.acked},
  };
  json hj = json::array();
  for (uint32_t h : c.holders) {
    auto it = nodes.find(h);
    hj.push_back({{"addr", h},
                  {"name", it == nodes.end() ? "" : it->second.name},
                  {"state", it == nodes.end() ? "unknown" : it->second.state}});
  }
  j["holders"] = std::move(hj);
  if (links) {
    TERN_ASSIGN_OR_RETURN(auto results, m.results().ResultsOf(c.id));
    TERN_ASSIGN_OR_RETURN(auto sources, m.results().SourcesOf(c.id));
    j["results"] = HexIds(results);
    j["sources"] = HexIds(sources);
  }
  return j;
}

// Every stored settings row as its JSON object, by edge name.
Result<std::map<std::string, json>> SettingsByName(Manifest& m) {
  std::map<std::string, json> settings;
  TERN_ASSIGN_OR_RETURN(auto rows, m.edge_settings().List());
  for (const auto& row : rows) {
    const EdgeSettings& e = row.settings;
    settings[e.name] = {{"priority", e.priority},
                        {"priority_name", PriorityNameOf(e.priority)},
                        {"weight", e.weight},
                        {"kinds", SplitWords(e.kinds, ',')},
                        {"max_bytes_per_s", e.max_bytes_per_s},
                        {"protocol", e.protocol},
                        {"updated_ms", row.updated_ms},
                        {"configured", true}};
  }
  return settings;
}

// The schema's column defaults: what the core applies to an edge nobody configured.
const json& DefaultSettings() {
  static const json kDefaults = {{"priority", 2},        {"priority_name", "normal"},
                                 {"weight", 1},          {"kinds", {"samples", "blob", "event"}},
                                 {"max_bytes_per_s", 0}, {"protocol", 1},
                                 {"updated_ms", 0},      {"configured", false}};
  return kDefaults;
}

}  // namespace

Result<json> NodesDoc(Manifest& m, const json& status) {
  TERN_ASSIGN_OR_RETURN(auto regs, m.Nodes());
  TERN_ASSIGN_OR_RETURN(auto views, NodeViews(m, status));
  TERN_ASSIGN_OR_RETURN(auto settings, SettingsByName(m));
  const json& defaults = DefaultSettings();
  json out = json::array();
  for (const auto& n : regs) {
    const NodeView& v = views[n.addr];
    auto s = settings.find(n.name);
    out.push_back({{"addr", n.addr},
                   {"name", n.name},
                   {"state", v.state},
                   {"load", v.load},
                   {"disk_full", v.disk_full},
                   {"pressure", v.pressure},
                   {"outbox_chunks", v.outbox_chunks},
                   {"outbox_bytes", v.outbox_bytes},
                   {"dedup_saved_bytes", v.dedup_saved_bytes},
                   {"capacity", n.capacity},
                   {"registered_ms", n.registered_ms},
                   {"last_seen_ms", n.last_seen_ms},
                   {"live", v.live_info},
                   {"settings", s == settings.end() ? defaults : s->second},
                   {"counters", v.counters}});
  }
  return json{{"nodes", std::move(out)}};
}

Result<json> ChunkDoc(Manifest& m, const json& status, const ChunkId& id, const std::string& hex) {
  TERN_ASSIGN_OR_RETURN(auto views, NodeViews(m, status));
  TERN_ASSIGN_OR_RETURN(auto c, m.Chunk(id));
  if (!c) return Status::NotFound("chunk " + hex + " is not in the manifest");
  return ChunkJson(m, *c, views, /*links=*/true);
}

Result<json> ChunkListDoc(Manifest& m, const json& status, const std::string& source,
                          const RangeQuery& rq) {
  const int64_t origin = rq.origin, limit = rq.limit;
  const uint64_t from = rq.from, to = rq.to;
  TERN_ASSIGN_OR_RETURN(auto views, NodeViews(m, status));
  // One more than the limit tells whether the list was cut.
  TERN_ASSIGN_OR_RETURN(
      auto found, m.holders().Find(source, static_cast<uint32_t>(origin), from, to, limit + 1));
  json chunks = json::array();
  bool truncated = false;
  for (const auto& c : found) {
    if (static_cast<int64_t>(chunks.size()) == limit) {
      truncated = true;
      break;
    }
    TERN_ASSIGN_OR_RETURN(auto j, ChunkJson(m, c, views, /*links=*/false));
    chunks.push_back(std::move(j));
  }
  return json{{"source", source},
              {"origin", origin},
              {"from", from},
              {"to", to},
              {"limit", limit},
              {"truncated", truncated},
              {"chunks", std::move(chunks)}};
}

Result<json> ResultsDoc(Manifest& m, const json& status, const std::optional<std::string>& source,
                        const RangeQuery& rq, bool anomalies_only) {
  const int64_t origin = rq.origin, limit = rq.limit;
  const uint64_t from = rq.from, to = rq.to;
  TERN_ASSIGN_OR_RETURN(auto views, NodeViews(m, status));
  ResultQuery q;
  q.source = source;
  q.origin = static_cast<uint32_t>(origin);
  q.from = from;
  q.to = to;
  q.anomalies_only = anomalies_only;
  q.limit = limit + 1;  // one more than the limit tells whether the list was cut
  TERN_ASSIGN_OR_RETURN(auto found, m.results().Query(q));
  json rows = json::array();
  bool truncated = false;
  for (const auto& res : found) {
    if (static_cast<int64_t>(rows.size()) == limit) {
      truncated = true;
      break;
    }
    auto on = views.find(res.origin);
    json summary = json::parse(res.summary, nullptr, /*allow_exceptions=*/false);
    if (summary.is_discarded()) summary = res.summary;  // not JSON: served as the stored string
    rows.push_back({{"id", ToHex(res.id)},
                    {"origin", res.origin},
                    {"origin_name", on == views.end() ? "" : on->second.name},
                    {"source", res.source},
                    {"processor", res.processor},
                    {"t_first", res.t_first},
                    {"t_last", res.t_last},
                    {"t_first_ms", res.t_first >> 16},
                    {"t_last_ms", res.t_last >> 16},
                    {"anomalies", res.anomalies},
                    {"summary", std::move(summary)},
                    {"created_ms", res.created_ms},
                    {"placed", res.placed},
                    {"sources", HexIds(res.sources)}});
  }
  return json{{"limit", limit}, {"truncated", truncated}, {"results", std::move(rows)}};
}

Result<json> SearchResultsDoc(Manifest& m, const json& status, const SearchParams& p) {
  TERN_ASSIGN_OR_RETURN(auto views, NodeViews(m, status));
  SearchQuery q;
  q.match = p.q;
  q.from = p.range.from;
  q.to = p.range.to;
  q.limit = p.range.limit + 1;  // one more than the limit tells whether the list was cut
  TERN_ASSIGN_OR_RETURN(auto found, m.search().Find(q));
  json rows = json::array();
  bool truncated = false;
  for (const auto& d : found) {
    if (static_cast<int64_t>(rows.size()) == p.range.limit) {
      truncated = true;
      break;
    }
    TERN_ASSIGN_OR_RETURN(auto holders, m.Holders(d.id));
    json hj = json::array();
    for (uint32_t h : holders) {
      auto it = views.find(h);
      hj.push_back({{"addr", h},
                    {"name", it == views.end() ? "" : it->second.name},
                    {"state", it == views.end() ? "unknown" : it->second.state}});
    }
    rows.push_back({{"id", ToHex(d.id)},
                    {"kind_name", d.kind},
                    {"priority_name", d.priority},
                    {"source", d.source},
                    {"origin_name", d.origin},
                    {"t_first", d.t_first},
                    {"t_last", d.t_last},
                    {"t_first_ms", d.t_first >> 16},
                    {"t_last_ms", d.t_last >> 16},
                    {"tags", SplitWords(d.tags)},
                    {"notes", d.notes},
                    {"holders", std::move(hj)}});
  }
  return json{{"q", p.q},
              {"from", p.range.from},
              {"to", p.range.to},
              {"limit", p.range.limit},
              {"truncated", truncated},
              {"results", std::move(rows)}};
}

Result<json> EdgeSettingsDoc(Manifest& m, const std::string& name) {
  TERN_ASSIGN_OR_RETURN(auto regs, m.Nodes());
  for (const auto& n : regs) {
    // The core's own registry entry has no store: it is not an edge.
    if (n.name != name || !n.store) continue;
    TERN_ASSIGN_OR_RETURN(auto settings, SettingsByName(m));
    auto s = settings.find(name);
    return json{{"name", name},
                {"addr", n.addr},
                {"settings", s == settings.end() ? DefaultSettings() : s->second}};
  }
  return Status::NotFound("edge '" + name + "' is not registered");
}

}  // namespace tern::core::http
