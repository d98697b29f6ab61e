// BenchSite: what the process-based benchmarks (tern-bench repair, cache) share to run a
// site of real daemons: a broker in the run's temporary directory (the site PKI unless
// plain), a certificate per node, the command line of each daemon (name, data directory
// <root>/<name>, broker port, log level warn, security arguments), their processes with a
// log each (<root>/<name>.log), waiting for a condition with a deadline (interruptible by
// SIGINT/SIGTERM through g_interrupted), and an orderly stop (edges first, then the core).
// A benchmark derives its site from it and adds its own stages.
// Thread-safety: one owner thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "broker.h"
#include "process.h"

namespace tern::bench {

// The benchmark's broker in <root>/broker (plain MQTT, or the site PKI: TLS, certificates,
// ACL); null, after a line on stderr naming `bench`, if mosquitto did not start.
std::unique_ptr<tern::testing::Broker> StartBenchBroker(const std::string& root, bool plain,
                                                        const char* bench);

class BenchSite {
 public:
  BenchSite(std::string root, tern::testing::Broker& broker)
      : root_(std::move(root)), broker_(broker) {}

  const std::string& error() const { return error_; }
  std::string Dir(const std::string& n) const { return root_ + "/" + n; }
  // Node `n`'s status.json ({} while it has none).
  nlohmann::json Status(const std::string& n) const;
  // Pki mode: a certificate for each of `names` (role core for "core", else edge); false,
  // naming the node, if one could not be issued. Plain mode: nothing to do.
  bool Issue(const std::vector<std::string>& names);
  // Appends `--set kv` for each of `kvs`.
  static void Add(std::vector<std::string>* v, const std::vector<std::string>& kvs);
  // The command line of `bin` running as node `n` (the core's when `core`).
  std::vector<std::string> Argv(const char* bin, const std::string& n, bool core) const;
  // Polls `pred` every 100 ms for up to `timeout_s`; false (error() says what) on timeout
  // or interrupt.
  bool WaitFor(const std::function<bool()>& pred, double timeout_s, const std::string& what);
  // SIGTERM to every process but the core (3 s each), then the core.
  void StopAll();

 protected:
  bool Fail(const std::string& e) {
    error_ = e;
    return false;
  }

  const std::string root_;
  tern::testing::Broker& broker_;
  std::map<std::string, tern::testing::Identity> ids_;
  std::map<std::string, tern::testing::Process> procs_;  // by node name
  std::string error_;
};

}  // namespace tern::bench
