// ternctl nodes / node drain / node forget over the core's HTTP API: see node_cmd.h.
#include "node_cmd.h"

#include <cstdio>
#include <iostream>

#include "cli_util.h"

namespace tern::tools {
namespace {

int Nodes(CoreClient& core, bool json) {
  auto r = core.Get("/api/v1/nodes");
  if (!r.ok()) return Fail(r.status());
  if (json) {
    std::cout << Dump(*r) << "\n";
    return kExitOk;
  }
  const auto& nodes = (*r)["nodes"];
  std::printf("%-5s %-20s %-8s %-6s %-10s %-10s %-24s\n", "ADDR", "NAME", "STATE", "LOAD",
              "CAPACITY", "DISK", "LAST SEEN");
  for (const auto& n : nodes) {
    std::string load = n.contains("load") && n["load"].is_number()
                           ? std::to_string(n["load"].get<double>()).substr(0, 4)
                           : "-";
    std::string disk = !n.contains("disk_full") || n["disk_full"].is_null()
                           ? "-"
                           : (n["disk_full"].get<bool>() ? "FULL" : "ok");
    std::printf("%-5lld %-20s %-8s %-6s %-10s %-10s %-24s\n",
                static_cast<long long>(Num(n, "addr")), Str(n, "name").c_str(),
                Str(n, "state").c_str(), load.c_str(),
                HumanBytes(static_cast<double>(Num(n, "capacity"))).c_str(), disk.c_str(),
                FormatMs(Num(n, "last_seen_ms")).c_str());
  }
  std::cout << nodes.size() << " node(s)\n";
  return kExitOk;
}

int Action(CoreClient& core, const std::string& name, const std::string& what, bool json) {
  const std::string path = "/api/v1/nodes/" + UrlEncode(name) + "/" + what;
  auto r = core.Json("POST", path);
  if (!r.ok()) return Fail(r.status());
  if (json) {
    std::cout << Dump(*r) << "\n";
  } else if (what == "drain") {
    std::cout << "node " << name << ": draining; the core moves every copy it holds to other "
              << "stores (follow it with `ternctl repair status`)\n";
  } else {
    std::cout << "node " << name << ": forgotten; its copies no longer count\n";
  }
  return kExitOk;
}

}  // namespace

void AddNodeCommands(CLI::App& app, NodeCmdArgs* a) {
  a->nodes = app.add_subcommand("nodes", "registered nodes: state, load, capacity, last seen");
  a->nodes->add_flag("--json", a->json, "the server's JSON");
  a->node = app.add_subcommand("node", "operator actions on one node (operator token)");
  a->node->require_subcommand(1);
  a->drain =
      a->node->add_subcommand("drain", "move every copy off the node (before a box is retired)");
  a->drain->add_option("name", a->name, "node name")->required();
  a->drain->add_flag("--json", a->json, "the server's JSON");
  a->forget = a->node->add_subcommand(
      "forget", "remove a node that is not live from the site (refused while it is live)");
  a->forget->add_option("name", a->name, "node name")->required();
  a->forget->add_flag("--json", a->json, "the server's JSON");
}

bool NodeCommandSelected(const NodeCmdArgs& a) {
  return (a.nodes && *a.nodes) || (a.node && *a.node);
}

int RunNodeCommand(CoreClient& core, const NodeCmdArgs& a) {
  if (*a.nodes) return Nodes(core, a.json);
  return Action(core, a.name, *a.drain ? "drain" : "forget", a.json);
}

}  // namespace tern::tools
