// `ternctl edge set|show`: the operator's per-edge settings (priority class, weight,
// permitted data kinds, byte-rate limit, protocol). Writes go to core.db; the running core
// notices the change within a second and sends it to the edge, so no restart is needed.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace tern::tools {

struct EdgeCmdArgs {
  CLI::App* cmd = nullptr;
  CLI::App* show = nullptr;
  CLI::App* set = nullptr;
  std::string name;
  bool json = false;
  std::string priority, kinds, rate;
  int weight = -1, protocol = -1;  // -1: not given
};

// Adds the `edge` subcommand with `show` and `set` to `app`.
void AddEdgeCommands(CLI::App& app, EdgeCmdArgs* args);
// Runs it if it was selected: the exit code (0 ok, 1 not found, 2 bad value or I/O), or -1.
int RunEdgeCommand(const std::string& core_db, const EdgeCmdArgs& args);

}  // namespace tern::tools
