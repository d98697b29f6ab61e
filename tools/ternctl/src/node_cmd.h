// `ternctl nodes`, `ternctl node drain NAME`, `ternctl node forget NAME`: the registered
// nodes as the core sees them (GET /api/v1/nodes), and the two operator actions on one
// (POST /api/v1/nodes/{name}/drain and /forget; operator token).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "core_client.h"

namespace tern::tools {

struct NodeCmdArgs {
  CLI::App* nodes = nullptr;
  CLI::App* node = nullptr;
  CLI::App* drain = nullptr;
  CLI::App* forget = nullptr;
  std::string name;
  bool json = false;
  int wait_s = -1;  // node drain --wait S: poll the report until the node is empty (-1: no)
};

void AddNodeCommands(CLI::App& app, NodeCmdArgs* a);
// True if one of them was selected.
bool NodeCommandSelected(const NodeCmdArgs& a);
// Runs the selected one; the exit code (cli_util.h).
int RunNodeCommand(CoreClient& core, const NodeCmdArgs& a);

}  // namespace tern::tools
