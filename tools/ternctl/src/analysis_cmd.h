// `ternctl analysis run --group G [--from T] [--to T] [--at auto|core] [--no-stats]
// [--no-zscore] [--no-msmve] [--msmve-rows N] [--msmve-scales N] [--z-threshold X]`: an
// analysis job over the stored windows of a placement group (POST /api/v1/analysis): each
// window is computed by a store that holds all of it where there is one, else by the core.
// Prints where each window ran, the merged statistics and the result chunks, or the server's
// JSON with --json.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

#include "core_client.h"

namespace tern::tools {

struct AnalysisCmdArgs {
  CLI::App* cmd = nullptr;
  CLI::App* run = nullptr;
  std::string group, from, to, at = "auto";
  bool json = false, no_stats = false, no_zscore = false, no_msmve = false;
  int64_t msmve_rows = -1, msmve_scales = -1;
  double z_threshold = -1;
};

void AddAnalysisCommand(CLI::App& app, AnalysisCmdArgs* a);
bool AnalysisCommandSelected(const AnalysisCmdArgs& a);
// kExitOk when every window has an output, kExitProblems when some failed, kExitError on a
// bad argument (400) or when the core could not be asked.
int RunAnalysisCommand(CoreClient& core, const AnalysisCmdArgs& a);

}  // namespace tern::tools
