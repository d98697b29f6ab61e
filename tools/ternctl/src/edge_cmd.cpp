// ternctl edge show/set over the core's HTTP API: see edge_cmd.h.
#include "edge_cmd.h"

#include <cstdio>
#include <iostream>

#include "cli_util.h"

namespace tern::tools {
namespace {

std::string Kinds(const nlohmann::json& s) {
  if (!s.contains("kinds") || !s["kinds"].is_array()) return Str(s, "kinds");
  std::string k;
  for (const auto& x : s["kinds"]) k += (k.empty() ? "" : ",") + x.get<std::string>();
  return k.empty() ? "none" : k;
}

void Row(const nlohmann::json& e, const std::string& state) {
  const auto& s = e.value("settings", nlohmann::json::object());
  std::printf("%-5lld %-16s %-8s %-8s %-6lld %-22s %-12lld %lld\n",
              static_cast<long long>(Num(e, "addr")), Str(e, "name").c_str(), state.c_str(),
              Str(s, "priority_name").c_str(), static_cast<long long>(Num(s, "weight")),
              Kinds(s).c_str(), static_cast<long long>(Num(s, "max_bytes_per_s")),
              static_cast<long long>(Num(s, "protocol")));
}

void Header() {
  std::printf("%-5s %-16s %-8s %-8s %-6s %-22s %-12s %s\n", "addr", "name", "state", "priority",
              "weight", "kinds", "bytes/s", "protocol");
}

int Show(CoreClient& core, const EdgeCmdArgs& a) {
  if (!a.name.empty()) {
    auto r = core.Get("/api/v1/edges/" + UrlEncode(a.name) + "/settings");
    if (!r.ok()) return Fail(r.status());
    if (a.json) {
      std::cout << Dump(*r) << "\n";
    } else {
      Header();
      Row(*r, "-");
    }
    return kExitOk;
  }
  auto nodes = core.Get("/api/v1/nodes");
  if (!nodes.ok()) return Fail(nodes.status());
  if (a.json) {  // the server's document as it came (every node's `settings` is in it)
    std::cout << Dump(*nodes) << "\n";
    return kExitOk;
  }
  // The core's own registry entry is not an edge.
  auto status = core.Get("/api/v1/status");
  const std::string core_name = status.ok() ? Str(*status, "name") : "";
  nlohmann::json all = nlohmann::json::array();
  for (const auto& n : (*nodes)["nodes"]) {
    if (!core_name.empty() && Str(n, "name") == core_name) continue;
    all.push_back({{"name", n["name"]},
                   {"addr", n["addr"]},
                   {"state", n["state"]},
                   {"settings", n.value("settings", nlohmann::json::object())}});
  }
  Header();
  for (const auto& e : all) Row(e, Str(e, "state"));
  return kExitOk;
}

int Set(CoreClient& core, const EdgeCmdArgs& a) {
  nlohmann::json body = nlohmann::json::object();
  if (!a.priority.empty()) body["priority"] = a.priority;
  if (a.weight != -1) body["weight"] = a.weight;
  if (!a.kinds.empty()) body["kinds"] = a.kinds;
  if (!a.rate.empty()) body["rate"] = a.rate;
  if (a.protocol != -1) body["protocol"] = a.protocol;
  if (body.empty()) {
    std::cerr << "ternctl edge set: nothing to change (give --priority, --weight, --kinds, "
                 "--rate or --protocol)\n";
    return kExitError;
  }
  auto r = core.Json("PUT", "/api/v1/edges/" + UrlEncode(a.name) + "/settings", Dump(body));
  if (!r.ok()) return Fail(r.status());
  std::cout << Dump(*r) << "\n";
  return kExitOk;
}

}  // namespace

void AddEdgeCommands(CLI::App& app, EdgeCmdArgs* a) {
  a->cmd = app.add_subcommand("edge", "per-edge settings: priority, weight, permissions, protocol");
  a->cmd->require_subcommand(1);
  a->show = a->cmd->add_subcommand("show", "show settings of every edge, or one");
  a->show->add_option("name", a->name, "edge name");
  a->show->add_flag("--json", a->json,
                    "the server's JSON: /api/v1/edges/{name}/settings, or /api/v1/nodes");
  a->set = a->cmd->add_subcommand(
      "set", "change an edge's settings (operator token; takes effect within a second)");
  a->set->add_option("name", a->name, "edge name")->required();
  a->set->add_option("--priority", a->priority,
                     "class for the scheduler: keep, alarm, high, normal, bulk");
  a->set->add_option("--weight", a->weight, "share within its class, 1..1000");
  a->set->add_option("--kinds", a->kinds, "permitted data kinds, e.g. samples,event (or none)");
  a->set->add_option("--rate", a->rate, "uplink byte-rate limit, e.g. 2M (0 = none)");
  a->set->add_option("--protocol", a->protocol, "protocol version");
}

bool EdgeCommandSelected(const EdgeCmdArgs& a) { return a.cmd && *a.cmd; }

int RunEdgeCommand(CoreClient& core, const EdgeCmdArgs& a) {
  return *a.set ? Set(core, a) : Show(core, a);
}

}  // namespace tern::tools
