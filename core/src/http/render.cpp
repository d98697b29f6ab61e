// The Prometheus text exposition for the core's /metrics (the core's counters here; nodes,
// scheduler, board and build in metrics_nodes.cpp and metrics_core.cpp).
#include "render.h"

#include <cmath>
#include <map>
#include <set>
#include <vector>

#include "../core_counters.h"
#include "exposition.h"
#include "metrics_parts.h"

namespace tern::core::http {
namespace {

// "<prefix><name>_total" (a trailing "_total" in the name is not doubled).
std::string CounterName(const std::string& prefix, const std::string& raw) {
  std::string n = PromName(raw);
  constexpr std::string_view kTotal = "_total";
  if (n.size() > kTotal.size() && n.compare(n.size() - kTotal.size(), kTotal.size(), kTotal) == 0) {
    n.resize(n.size() - kTotal.size());
  }
  return prefix + n + "_total";
}

// Calls fn(name, value) for every leaf of a counters object; nested keys joined with '_'.
template <typename Fn>
void Leaves(const nlohmann::json& obj, const std::string& prefix, Fn&& fn) {
  if (!obj.is_object()) return;
  for (const auto& [k, v] : obj.items()) {
    std::string name = prefix.empty() ? k : prefix + "_" + k;
    if (v.is_object()) {
      Leaves(v, name, fn);
    } else {
      fn(name, v);
    }
  }
}

}  // namespace

std::string MetricsText(const nlohmann::json& status, const nlohmann::json& scheduler,
                        const nlohmann::json& registry) {
  Exposition e;
  AddBuildInfo(e);
  const bool doc = status.is_object();
  if (auto it = doc ? status.find("counters") : status.end(); doc && it != status.end()) {
    Leaves(*it, "", [&](const std::string& name, const nlohmann::json& v) {
      if (const GaugeDoc* g = FindCoreGauge(name)) {
        if (!g->family.empty()) e.Add(std::string(g->family), "gauge", std::string(g->help), "", v);
        return;
      }
      e.Add(CounterName("tern_core_", name), "counter", CoreCounterHelp(name), "", v);
    });
    // The read cache's hit ratio since the core started (chunk_cache.h), from its counters.
    const nlohmann::json& c = *it;
    if (c.contains("cache_hits") && c["cache_hits"].is_number() && c.contains("cache_misses") &&
        c["cache_misses"].is_number()) {
      const double hits = c["cache_hits"].get<double>(), misses = c["cache_misses"].get<double>();
      e.Add("tern_core_cache_hit_ratio", "gauge",
            "share of chunk reads served from the core's read cache since it started", "",
            hits + misses > 0 ? hits / (hits + misses) : 0.0);
    }
  }
  if (auto it = doc ? status.find("spool_depth") : status.end();
      doc && it != status.end() && it->is_number() && it->get<double>() >= 0) {
    e.Add("tern_core_spool_depth", "gauge", "uplinked chunks waiting in the core's spool", "", *it);
  }
  if (auto it = doc ? status.find("manifest_chunks") : status.end();
      doc && it != status.end() && it->is_number() && it->get<double>() >= 0) {
    e.Add("tern_core_manifest_chunks", "gauge", "chunks known to the core's manifest", "", *it);
  }
  AddSchedulerMetrics(e, scheduler);
  if (doc && status.contains("board")) AddBoardMetrics(e, status["board"]);
  AddNodeMetrics(e, doc && status.contains("nodes") ? status["nodes"] : nlohmann::json(), registry);
  return e.Text();
}

}  // namespace tern::core::http
