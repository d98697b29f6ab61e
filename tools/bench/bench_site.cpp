// BenchSite: see bench_site.h.
#include "bench_site.h"

#include <cstdio>
#include <thread>

#include "ingest_common.h"

namespace tern::bench {

std::unique_ptr<tern::testing::Broker> StartBenchBroker(const std::string& root, bool plain,
                                                        const char* bench) {
  auto broker = std::make_unique<tern::testing::Broker>(
      root + "/broker",
      plain ? tern::testing::BrokerMode::kPlain : tern::testing::BrokerMode::kPki);
  if (broker->ok()) return broker;
  std::fprintf(stderr, "tern-bench %s: cannot start mosquitto (see %s/broker)\n", bench,
               root.c_str());
  return nullptr;
}

nlohmann::json BenchSite::Status(const std::string& n) const {
  return ReadJson(Dir(n) + "/status.json");
}

bool BenchSite::Issue(const std::vector<std::string>& names) {
  if (broker_.mode() != tern::testing::BrokerMode::kPki) return true;
  for (const auto& n : names) {
    auto id = broker_.Issue(n, n == "core" ? crypto::Role::kCore : crypto::Role::kEdge);
    if (id.cert.empty()) return Fail("cannot issue a certificate for " + n);
    ids_[n] = id;
  }
  return true;
}

void BenchSite::Add(std::vector<std::string>* v, const std::vector<std::string>& kvs) {
  for (const auto& kv : kvs) {
    v->push_back("--set");
    v->push_back(kv);
  }
}

std::vector<std::string> BenchSite::Argv(const char* bin, const std::string& n, bool core) const {
  std::vector<std::string> v = {bin};
  Add(&v, {"node.name=" + n, "node.data_dir=" + Dir(n),
           "mqtt.port=" + std::to_string(broker_.port()), "log.level=warn"});
  auto it = ids_.find(n);
  for (auto& x :
       broker_.DaemonSecurityArgs(it == ids_.end() ? tern::testing::Identity{} : it->second, core))
    v.push_back(x);
  return v;
}

bool BenchSite::WaitFor(const std::function<bool()>& pred, double timeout_s,
                        const std::string& what) {
  auto start = Clock::now();
  while (Since(start) < timeout_s) {
    if (g_interrupted) return Fail("interrupted");
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return Fail("timed out waiting for " + what + " (logs in " + root_ + ")");
}

void BenchSite::StopAll() {
  for (auto& [n, p] : procs_)
    if (n != "core") p.Stop(std::chrono::milliseconds(3000));
  procs_["core"].Stop(std::chrono::milliseconds(3000));
}

}  // namespace tern::bench
