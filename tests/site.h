// A whole site for integration tests: a real Mosquitto on a free loopback port, a real
// tern-core process and N real tern-edge processes, each with its own data directory, plus
// helpers that read what the processes wrote (status.json, SQLite stores, the manifest).
// Everything is torn down by the destructor, whatever the test did.
//
// Security: with BrokerMode::kPki the broker is the one a real site runs (TLS, certificates
// required, CRL, per-node ACL) and every daemon gets its own certificate (`core`,
// `edge-<i>`) and security.mode = pki; with kPlain, anonymous TCP and security.mode =
// insecure. kSiteDefaultMode is what tests get unless they ask.
// Thread-safety: one owner thread.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "broker.h"
#include "process.h"
#include "tern/common/chunk.h"
#include "tern/common/mqtt.h"

namespace tern::testing {

// The site a real one is (TLS, certificates, ACL) unless a test asks for plain MQTT.
constexpr BrokerMode kSiteDefaultMode = BrokerMode::kPki;

class Site {
 public:
  // `edge_overrides` are --set arguments given to every edge (e.g. "source.synthetic.rate=5000").
  Site(int edges, std::vector<std::string> edge_overrides,
       std::vector<std::string> core_overrides = {}, BrokerMode mode = kSiteDefaultMode);
  ~Site();

  bool StartAll();
  bool StartCore();
  bool StartEdge(int i);
  // Starts edge i with extra --set overrides besides the common ones.
  bool StartEdgeWith(int i, const std::vector<std::string>& extra);
  void KillCore(int sig = 9);
  // Waits up to `timeout` for the core to exit by itself; its exit status (128+sig if killed),
  // or -1 if it is still running.
  int WaitCoreExit(std::chrono::milliseconds timeout) { return core_.Wait(timeout); }
  void KillEdge(int i, int sig = 9);
  // Sends `sig` to edge i without waiting for it to exit (SIGSTOP / SIGCONT).
  bool SignalEdge(int i, int sig);
  // Environment ("NAME=value") edge i gets on every later start, through env(1), e.g.
  // LD_PRELOAD and FAKETIME for libfaketime. Empty: none.
  void SetEdgeEnv(int i, std::vector<std::string> env);
  Broker& broker() { return *broker_; }
  // Daemons started after this get `mqtt.brokers=<list>` instead of this site's mqtt.port
  // (failover tests: the list names broker() and brokers the test runs itself); the core
  // gets `core_list` if that is not empty.
  void UseBrokers(const std::string& list, const std::string& core_list = "") {
    brokers_ = list;
    core_brokers_ = core_list.empty() ? list : core_list;
  }
  const std::string& dir() const { return dir_.path(); }
  std::string EdgeDir(int i) const;
  std::string CoreDir() const;
  int edges() const { return n_; }
  bool EdgeRunning(int i) { return edges_[static_cast<size_t>(i)].running(); }
  bool CoreRunning() { return core_.running(); }

  // status.json of an edge / the core ({} if unreadable).
  nlohmann::json EdgeStatus(int i) const;
  nlohmann::json CoreStatus() const;
  // A counter from status.json (0 if absent or unreadable).
  int64_t EdgeCounter(int i, const std::string& name) const;
  int64_t CoreCounter(const std::string& name) const;
  // Polls `pred` every 100 ms up to `seconds`; true if it held.
  static bool WaitFor(double seconds, const std::function<bool()>& pred);
  // True when every edge reports an empty outbox and at least `records` collected in total.
  bool Drained(int64_t records) const;
  // Drained, and the core has processed everything and placed every result on three stores.
  bool Settled(int64_t records) const;
  // Stops everything with SIGTERM (clean shutdown).
  void StopAll();

  struct StoreChunk {
    ChunkId id;
    uint32_t origin;
    bool own;
    std::string wire;
  };
  // Every chunk in edge i's store.
  std::vector<StoreChunk> ReadStore(int i) const;
  // Manifest: chunk id -> holders, and the set of acked ids.
  std::map<ChunkId, std::set<uint32_t>> ReadManifest(std::set<ChunkId>* acked = nullptr) const;
  // Address each edge was given (from its status.json).
  uint32_t EdgeAddr(int i) const;
  std::string LogOf(const std::string& name) const;
  // The last `lines` lines of that log, for a failure message.
  std::string LogTail(const std::string& name, size_t lines = 15) const;
  // Pki mode: the identity the core / edge i runs with (empty paths in plain mode).
  const Identity& CoreIdentity() const { return core_id_; }
  const Identity& EdgeIdentity(int i) const { return edge_ids_[static_cast<size_t>(i)]; }
  // Options for a test's own MQTT client `client_id` on this site's broker: plain, or in Pki
  // mode with `id`'s certificate (e.g. CoreIdentity(), or broker().Issue(...)).
  MqttOptions ClientOptions(const std::string& client_id, const Identity& id) const {
    MqttOptions o;
    o.port = broker_->port();
    o.client_id = client_id;
    if (broker_->mode() == BrokerMode::kPki) {
      o.tls_ca = id.ca;
      o.tls_cert = id.cert;
      o.tls_key = id.key;
    }
    return o;
  }

 private:
  TempDir dir_;
  int n_;
  std::vector<std::string> edge_overrides_, core_overrides_;
  std::unique_ptr<Broker> broker_;
  Process core_;
  std::vector<Process> edges_;
  Identity core_id_;
  std::vector<Identity> edge_ids_;
  std::string brokers_, core_brokers_;  // UseBrokers; empty = mqtt.port of broker_
  std::string MqttArg(bool core) const {
    const std::string& list = core ? core_brokers_ : brokers_;
    return list.empty() ? "mqtt.port=" + std::to_string(broker_->port()) : "mqtt.brokers=" + list;
  }
  std::map<int, std::vector<std::string>> edge_env_;
};

// The whole-site invariants every data-path test checks. Returns "" when they hold,
// otherwise a description of the first violations.
struct SiteCheck {
  int64_t chunks = 0;                                 // data chunks (from edges)
  int64_t records = 0;                                // their records
  int64_t result_chunks = 0;                          // analysis results (origin: the core)
  std::map<std::string, int64_t> records_per_source;  // "origin/source" -> records
  std::vector<std::string> problems;
  // The problems, one per indented line, for a test's INFO().
  std::string Report() const {
    std::string r;
    for (const auto& p : problems) r += "\n  " + p;
    return r;
  }
};
SiteCheck CheckSite(const Site& site);

// The end of a data-path test: waits up to `seconds` until the site has settled `records`,
// stops it, and returns the check of every store against the manifest (the caller asserts
// `drained` and the problems, so a failure says which). Records 0: skip the wait.
struct DrainResult {
  bool drained = false;
  SiteCheck check;
};
DrainResult DrainStopAndCheck(Site& site, int64_t records, double seconds = 60);

}  // namespace tern::testing
