// ternctl nodes / node drain / node forget over the core's HTTP API: see node_cmd.h.
#include "node_cmd.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <thread>

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
    // A full disk, else the disk-pressure level when it is not normal, else ok.
    std::string disk =
        !n.contains("disk_full") || n["disk_full"].is_null() ? "-"
        : n["disk_full"].get<bool>()                         ? "FULL"
        : n.value("pressure", nlohmann::json()).is_string() && n["pressure"] != "normal"
            ? n["pressure"].get<std::string>()
            : "ok";
    std::printf("%-5lld %-20s %-8s %-6s %-10s %-10s %-24s\n",
                static_cast<long long>(Num(n, "addr")), Str(n, "name").c_str(),
                Str(n, "state").c_str(), load.c_str(),
                HumanBytes(static_cast<double>(Num(n, "capacity"))).c_str(), disk.c_str(),
                FormatMs(Num(n, "last_seen_ms")).c_str());
  }
  std::cout << nodes.size() << " node(s)\n";
  return kExitOk;
}

// The node's entry in /api/v1/report (drain progress: chunks, store_chunks, drained).
Result<nlohmann::json> ReportEntry(CoreClient& core, const std::string& name) {
  auto r = core.Get("/api/v1/report");
  if (!r.ok()) return r.status();
  for (const auto& n : r->value("nodes", nlohmann::json::array())) {
    if (Str(n, "name") == name) return n;
  }
  return Status::NotFound("node '" + name + "' is not in " + core.url() + "/api/v1/report");
}

void PrintProgress(const std::string& name, const nlohmann::json& n) {
  if (n.value("drained", false)) {
    std::cout << "node " << name << ": drained, empty (no copy in the manifest, none in its "
              << "store); stop it, then `ternctl node forget " << name << "`\n";
    return;
  }
  const std::string held = n.contains("store_chunks") && n["store_chunks"].is_number()
                               ? std::to_string(Num(n, "store_chunks"))
                               : "not said yet";
  std::cout << "node " << name << ": draining, " << Num(n, "chunks")
            << " chunk(s) left in the manifest, its store holds " << held << "\n";
}

int Drain(CoreClient& core, const NodeCmdArgs& a) {
  auto r = core.Json("POST", "/api/v1/nodes/" + UrlEncode(a.name) + "/drain");
  if (!r.ok()) return Fail(r.status());
  if (a.json && a.wait_s < 0) {
    std::cout << Dump(*r) << "\n";
    return kExitOk;
  }
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(std::max(0, a.wait_s));
  while (true) {
    auto n = ReportEntry(core, a.name);
    if (!n.ok()) return Fail(n.status());
    const bool done = n->value("drained", false);
    if (a.wait_s < 0 || done || std::chrono::steady_clock::now() >= deadline) {
      if (a.json) {
        std::cout << Dump(*n) << "\n";
      } else {
        PrintProgress(a.name, *n);
        if (!done && a.wait_s < 0) {
          std::cout << "  the core moves every copy it holds, own chunks too, to other stores "
                       "(run again, or --wait S, to follow it)\n";
        }
      }
      // --wait: not empty by the deadline is a "no".
      return a.wait_s >= 0 && !done ? kExitProblems : kExitOk;
    }
    if (!a.json) PrintProgress(a.name, *n);
    std::this_thread::sleep_for(std::chrono::seconds(2));
  }
}

int Forget(CoreClient& core, const NodeCmdArgs& a) {
  auto r = core.Json("POST", "/api/v1/nodes/" + UrlEncode(a.name) + "/forget");
  if (!r.ok()) return Fail(r.status());
  if (a.json) {
    std::cout << Dump(*r) << "\n";
  } else {
    std::cout << "node " << a.name << ": forgotten; its copies no longer count\n";
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
  a->drain->add_flag("--json", a->json,
                     "the server's JSON (with --wait: the node's entry of /api/v1/report)");
  a->drain->add_option("--wait", a->wait_s,
                       "wait up to S seconds until the node is empty (exit 1 if it is not)");
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
  return *a.drain ? Drain(core, a) : Forget(core, a);
}

}  // namespace tern::tools
