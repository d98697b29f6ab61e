// `ternctl analyze <stats|zscore|msmve>`: runs one of the core's analysis processors
// (tern/analysis/analysis.h) over a CSV file, offline, and prints one JSON object. Lets an operator
// check a result the core stored, or try parameters before configuring them.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace tern::tools {

struct AnalyzeArgs {
  CLI::App* cmd = nullptr;
  std::string processor;          // stats | zscore | msmve
  std::string input;              // CSV: a header row of channel names, then one row per record
  size_t window = 0;              // stats/msmve: rows per window (0: the whole input)
  double threshold = 4.0;         // zscore: flag |z| > threshold
  uint64_t warmup = 30;           // zscore: rows seen before flags are raised
  std::vector<int> m{2}, tau{1};  // msmve: one value, or one per channel (comma-separated)
  double r = 0.15;                // msmve: tolerance factor
  int scales = 15;                // msmve: scales 1..S
  bool json = false;              // one line of JSON (otherwise the same object, indented)
};

// Adds the `analyze` subcommand to `app`.
void AddAnalyzeCommand(CLI::App& app, AnalyzeArgs* args);
// Runs it if it was selected: 0 ok, 2 bad input or parameters; -1 if not selected.
int RunAnalyzeCommand(const AnalyzeArgs& args);

}  // namespace tern::tools
