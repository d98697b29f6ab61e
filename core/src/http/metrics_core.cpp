// The scheduler, board and build series of /metrics: see metrics_parts.h.
#include <algorithm>
#include <array>
#include <string>

#include "metrics_parts.h"
#include "tern/common/version.h"
#include "tern/core/scheduler.h"
#include "tern/hw/panel_legend.h"

namespace tern::core::http {
namespace {

using json = nlohmann::json;

// A legend name as a label value: "edge down" -> "edge_down".
std::string LabelName(const char* s) {
  std::string out(s);
  std::replace(out.begin(), out.end(), ' ', '_');
  return out;
}

}  // namespace

void AddSchedulerMetrics(Exposition& e, const json& snapshot) {
  if (!snapshot.is_object()) return;
  // Summed (depth) and maximised (age) over the edges, per class.
  std::array<int64_t, kSchedClasses> depth{};
  std::array<int64_t, kSchedClasses> age_ms{};
  if (snapshot.contains("edges") && snapshot["edges"].is_array()) {
    for (const auto& edge : snapshot["edges"]) {
      if (!edge.is_object() || !edge.contains("classes") || !edge["classes"].is_object()) continue;
      for (int c = 0; c < kSchedClasses; ++c) {
        auto it = edge["classes"].find(SchedClassName(c));
        if (it == edge["classes"].end() || !it->is_object()) continue;
        const int64_t d = it->value("depth", int64_t{0});
        depth[static_cast<size_t>(c)] += d;
        if (d > 0) {
          age_ms[static_cast<size_t>(c)] =
              std::max(age_ms[static_cast<size_t>(c)], it->value("oldest_age_ms", int64_t{0}));
        }
      }
    }
  }
  for (int c = 0; c < kSchedClasses; ++c) {
    const std::string labels = Labels({{"class", SchedClassName(c)}});
    e.Add("tern_core_scheduler_queue_depth", "gauge",
          "chunks queued for analysis, per class (alarm, high, normal, bulk)", labels,
          depth[static_cast<size_t>(c)]);
    e.Add("tern_core_scheduler_oldest_age_seconds", "gauge",
          "age of the oldest chunk queued for analysis, per class (0 when none is queued)", labels,
          static_cast<double>(age_ms[static_cast<size_t>(c)]) / 1000.0);
  }
}

void AddBoardMetrics(Exposition& e, const json& b) {
  if (!b.is_object()) return;
  namespace lg = hw::legend;
  auto num = [&](const char* k) { return b.contains(k) && b[k].is_number(); };
  if (num("temp_c")) {
    e.Add("tern_board_temperature_celsius", "gauge",
          "the cabinet temperature the control board reads", "", b["temp_c"]);
  }
  if (b.contains("over_temp") && b["over_temp"].is_boolean()) {
    e.Add("tern_board_over_temperature", "gauge",
          "1 while the board flags the cabinet over temperature, else 0", "", b["over_temp"]);
  }
  if (num("fan_duty")) {
    e.Add("tern_board_fan_duty", "gauge", "duty of a board fan, 0 (off) to 255 (full)",
          Labels({{"fan", LabelName(lg::kFans[lg::kFanProcessing])}}), b["fan_duty"]);
  }
  if (num("relays")) {
    const auto relays = b["relays"].get<int64_t>();
    for (unsigned r : {lg::kRelayEdgeDown, lg::kRelayAlarm}) {
      e.Add("tern_board_relay", "gauge", "1 while a board relay is closed, else 0",
            Labels({{"relay", LabelName(lg::kRelays[r])}}), (relays >> r) & 1);
    }
  }
  if (num("alarms_unacknowledged")) {
    e.Add("tern_board_alarms_unacknowledged", "gauge",
          "alarms raised since the operator last pressed the panel's acknowledge button", "",
          b["alarms_unacknowledged"]);
  }
  if (num("ingest_chunks_per_s")) {
    e.Add("tern_board_ingest_chunks_per_second", "gauge",
          "chunks taken from uplinks per second, as the board's ingest meter shows it", "",
          b["ingest_chunks_per_s"]);
  }
  if (b.contains("meters") && b["meters"].is_array()) {
    for (size_t i = 0; i < b["meters"].size() && i < lg::kMeters.size(); ++i) {
      e.Add("tern_board_meter", "gauge", "a board meter's drive, 0 to 255",
            Labels({{"meter", LabelName(lg::kMeters[i])}}), b["meters"][i]);
    }
  }
  if (b.contains("safe") && b["safe"].is_string()) {
    e.Add("tern_board_safe", "gauge", "1 while the board is in its safe state, else 0", "",
          b["safe"].get<std::string>().rfind("safe", 0) == 0 ? 1 : 0);
  }
}

void AddBuildInfo(Exposition& e) {
  e.Add("tern_build_info", "gauge", "always 1: the version and git commit tern-core was built from",
        Labels({{"version", Version()}, {"commit", GitCommit()}}), 1);
}

}  // namespace tern::core::http
