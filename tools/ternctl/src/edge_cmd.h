// `ternctl edge set|show`: the operator's per-edge settings (priority class, weight,
// permitted data kinds, byte-rate limit, protocol), through the core's HTTP API: GET and PUT
// /api/v1/edges/{name}/settings (PUT needs an operator token). The running core sends a
// change to the edge within a second, so no restart is needed.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "core_client.h"

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
bool EdgeCommandSelected(const EdgeCmdArgs& a);
// Runs it: the exit code (0 ok, 1 no such edge, 2 bad value, connection or I/O).
int RunEdgeCommand(CoreClient& core, const EdgeCmdArgs& args);

}  // namespace tern::tools
