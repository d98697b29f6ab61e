// Command lines of the daemons the site benchmarks (repair, dedup) start: `--set key=value`
// pairs, and a daemon's base arguments (name, data directory under the run's root, the
// broker's port, warn-level logs, and its identity's security arguments).
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "broker.h"

namespace tern::bench {

// Appends "--set kv" for each of `kvs` to `v`.
inline void AddSets(std::vector<std::string>* v, const std::vector<std::string>& kvs) {
  for (const auto& kv : kvs) {
    v->push_back("--set");
    v->push_back(kv);
  }
}

// `bin` run as node `name` with data in `root`/`name` on `broker`; `ids` holds the issued
// identities (none in plain mode).
inline std::vector<std::string> DaemonArgv(
    const char* bin, const std::string& name, const std::string& root,
    const tern::testing::Broker& broker, const std::map<std::string, tern::testing::Identity>& ids,
    bool core) {
  std::vector<std::string> v = {bin};
  AddSets(&v, {"node.name=" + name, "node.data_dir=" + root + "/" + name,
               "mqtt.port=" + std::to_string(broker.port()), "log.level=warn"});
  auto it = ids.find(name);
  for (auto& x :
       broker.DaemonSecurityArgs(it == ids.end() ? tern::testing::Identity{} : it->second, core))
    v.push_back(x);
  return v;
}

}  // namespace tern::bench
