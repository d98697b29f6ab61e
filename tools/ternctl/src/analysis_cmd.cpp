// ternctl analysis run over the core's HTTP API: see analysis_cmd.h.
#include "analysis_cmd.h"

#include <iostream>

#include "cli_util.h"
#include "tern/common/time_parse.h"

namespace tern::tools {

void AddAnalysisCommand(CLI::App& app, AnalysisCmdArgs* a) {
  a->cmd = app.add_subcommand("analysis", "analysis jobs over stored data, run at the holders");
  a->cmd->require_subcommand(1);
  a->run = a->cmd->add_subcommand(
      "run", "window statistics, z-scores and MSMVE over every window of a placement group");
  a->run->add_option("--group", a->group, "the placement group (source.<type>.group)")->required();
  a->run->add_option("--from", a->from, "start time (HLC, wall ms, or ISO-8601 UTC)");
  a->run->add_option("--to", a->to, "end time (HLC, wall ms, or ISO-8601 UTC)");
  a->run
      ->add_option("--at", a->at,
                   "auto: at a holder of each whole window where there is one; "
                   "core: every window at the core")
      ->check(CLI::IsMember({"auto", "core"}))
      ->capture_default_str();
  a->run->add_flag("--no-stats", a->no_stats, "leave out the window statistics");
  a->run->add_flag("--no-zscore", a->no_zscore, "leave out the z-score counts");
  a->run->add_flag("--no-msmve", a->no_msmve, "leave out MSMVE");
  a->run->add_option("--msmve-rows", a->msmve_rows,
                     "rows of each window MSMVE uses (0: all; "
                     "default 1024)");
  a->run->add_option("--msmve-scales", a->msmve_scales, "MSMVE scales 1..N (default 5)");
  a->run->add_option("--z-threshold", a->z_threshold, "count |z| above this (default 4)");
  a->run->add_flag("--json", a->json, "exactly one JSON object on stdout (the server's)");
}

bool AnalysisCommandSelected(const AnalysisCmdArgs& a) { return a.cmd && *a.cmd; }

int RunAnalysisCommand(CoreClient& core, const AnalysisCmdArgs& a) {
  nlohmann::json body = {{"group", a.group}, {"at", a.at}};
  for (const auto& [flag, text, upper] :
       {std::tuple{"--from", a.from, false}, std::tuple{"--to", a.to, true}}) {
    if (text.empty()) continue;
    auto t = ParseTimeArg(text, upper);
    if (!t.ok()) return FailIn("analysis run", t.status().WithContext(flag));
    body[std::string(flag).substr(2)] = *t >> 16;  // the API takes wall-clock ms
  }
  nlohmann::json params = nlohmann::json::object();
  if (a.no_stats) params["stats"] = false;
  if (a.no_zscore) params["zscore"] = false;
  if (a.no_msmve) params["msmve"] = false;
  if (a.msmve_rows >= 0) params["msmve_rows"] = a.msmve_rows;
  if (a.msmve_scales >= 0) params["msmve_scales"] = a.msmve_scales;
  if (a.z_threshold >= 0) params["z_threshold"] = a.z_threshold;
  body["params"] = params;
  auto r = core.Json("POST", "/api/v1/analysis", body.dump());
  if (!r.ok()) {
    if (a.json) std::cout << Dump({{"ok", false}, {"error", r.status().message()}}) << "\n";
    return Fail(r.status());
  }
  const auto& v = *r;
  const bool ok = Num(v, "failed") == 0;
  if (a.json) {
    std::cout << Dump(v) << "\n";
    return ok ? kExitOk : kExitProblems;
  }
  std::cout << "group " << Str(v, "group") << ": " << Num(v, "windows") << " windows, "
            << Num(v, "at_holders") << " at holders, " << Num(v, "at_core") << " at the core, "
            << Num(v, "failed") << " failed (" << Num(v, "wall_ms") << " ms; "
            << HumanBytes(static_cast<double>(Num(v, "bytes_fetched")))
            << " of chunks read by the core)\n";
  if (v.contains("by_node") && v["by_node"].is_object()) {
    for (const auto& it : v["by_node"].items()) {
      std::cout << "  " << it.key() << ": " << Dump(it.value()) << " windows\n";
    }
  }
  const auto& merged = v.value("merged", nlohmann::json::object());
  if (merged.contains("stats") && merged["stats"].is_object()) {
    const auto& ch = merged["stats"].value("channels", nlohmann::json::array());
    std::cout << "statistics over " << Num(merged["stats"], "rows") << " rows:\n";
    for (size_t c = 0; c < ch.size(); ++c) {
      std::cout << "  channel " << c << ": mean " << Real(ch[c], "mean") << ", stddev "
                << Real(ch[c], "stddev") << ", min " << Real(ch[c], "min") << ", max "
                << Real(ch[c], "max") << "\n";
    }
  } else if (merged.contains("stats_error")) {
    std::cout << "statistics not merged: " << Str(merged, "stats_error") << "\n";
  }
  if (merged.contains("zscore_count")) {
    std::cout << "values beyond the z threshold: " << Num(merged, "zscore_count") << "\n";
  }
  for (const auto& w : v.value("window_outputs", nlohmann::json::array())) {
    if (w.contains("error")) {
      std::cout << "  window " << Num(w, "window") << " failed: " << Str(w, "error") << "\n";
    }
  }
  std::cout << "results: " << v.value("results", nlohmann::json::array()).size()
            << " result chunks\n";
  return ok ? kExitOk : kExitProblems;
}

}  // namespace tern::tools
