// ternctl edge show/set over the core's registry.
#include "edge_cmd.h"

#include <iostream>

#include "tern/core/manifest.h"
#include "tern/core/settings_patch.h"

namespace tern::tools {
namespace {
int Fail(const Status& s) {
  std::cerr << "ternctl edge: " << s.message() << "\n";
  return 2;
}

int Show(core::Manifest& m, const EdgeCmdArgs& a) {
  auto nodes = m.Nodes();
  if (!nodes.ok()) return Fail(nodes.status());
  nlohmann::json all = nlohmann::json::array();
  bool found = a.name.empty();
  for (const auto& n : *nodes) {
    if (!a.name.empty() && n.name != a.name) continue;
    if (n.store_path.empty()) continue;  // the core's own registry entry is not an edge
    found = true;
    auto st = m.Settings(n.name);
    if (!st.ok()) return Fail(st.status());
    auto j = st->ToJson();
    j["addr"] = n.addr;
    j["state"] = n.state;
    all.push_back(j);
  }
  if (!found) {
    std::cerr << "ternctl edge: no registered edge named '" << a.name << "'\n";
    return 1;
  }
  if (a.json) {
    std::cout << (a.name.empty() ? all.dump() : all[0].dump()) << "\n";
    return 0;
  }
  std::printf("%-5s %-16s %-8s %-8s %-6s %-22s %-12s %s\n", "addr", "name", "state", "priority",
              "weight", "kinds", "bytes/s", "protocol");
  for (const auto& j : all) {
    std::printf("%-5u %-16s %-8s %-8s %-6d %-22s %-12lld %d\n", j["addr"].get<unsigned>(),
                j["name"].get<std::string>().c_str(), j["state"].get<std::string>().c_str(),
                j["priority"].get<std::string>().c_str(), j["weight"].get<int>(),
                j["kinds"].get<std::string>().c_str(),
                static_cast<long long>(j["max_bytes_per_s"].get<int64_t>()),
                j["protocol"].get<int>());
  }
  return 0;
}

int Set(core::Manifest& m, const EdgeCmdArgs& a) {
  auto st = m.Settings(a.name);
  if (!st.ok()) return Fail(st.status());
  // The same reading and checks as the HTTP API's settings PUT (settings_patch.h).
  core::SettingsPatch p;
  if (!a.priority.empty()) p.priority = a.priority;
  if (a.weight != -1) p.weight = a.weight;
  if (!a.kinds.empty()) p.kinds = a.kinds;
  if (!a.rate.empty()) p.rate = a.rate;
  if (a.protocol != -1) p.protocol = a.protocol;
  auto e = core::ApplySettingsPatch(*st, p);
  if (!e.ok()) return Fail(e.status());
  Status s = m.PutSettings(*e);
  if (!s.ok()) return Fail(s);
  std::cout << e->ToJson().dump() << "\n";
  return 0;
}
}  // namespace

void AddEdgeCommands(CLI::App& app, EdgeCmdArgs* a) {
  a->cmd = app.add_subcommand("edge", "per-edge settings: priority, weight, permissions, protocol");
  a->cmd->require_subcommand(1);
  a->show = a->cmd->add_subcommand("show", "show settings of every edge, or one");
  a->show->add_option("name", a->name, "edge name");
  a->show->add_flag("--json", a->json, "JSON output");
  a->set =
      a->cmd->add_subcommand("set", "change an edge's settings (takes effect within a second)");
  a->set->add_option("name", a->name, "edge name")->required();
  a->set->add_option("--priority", a->priority,
                     "class for the scheduler: keep, alarm, high, normal, bulk");
  a->set->add_option("--weight", a->weight, "share within its class, 1..1000");
  a->set->add_option("--kinds", a->kinds, "permitted data kinds, e.g. samples,event (or none)");
  a->set->add_option("--rate", a->rate, "uplink byte-rate limit, e.g. 2M (0 = none)");
  a->set->add_option("--protocol", a->protocol, "protocol version");
}

int RunEdgeCommand(const std::string& core_db, const EdgeCmdArgs& a) {
  if (!a.cmd || !*a.cmd) return -1;
  auto m = core::Manifest::Open(core_db, /*read_only=*/!*a.set);
  if (!m.ok()) return Fail(m.status());
  return *a.set ? Set(**m, a) : Show(**m, a);
}

}  // namespace tern::tools
