// The site tern-bench ingest measures: one tern-core, E peer tern-edges with their source
// off and one source tern-edge with a synthetic source, all separate processes on loopback
// with data dirs under one directory, on a broker the caller started (plain, or on the
// site PKI: then every node gets its certificate from the broker fixture's PKI and the
// daemons run security.mode=pki, exactly as tests/site.h and ./tern site run them).
//
// Run() starts the site, lets it warm up, then measures a window: records acked by the
// core (from its manifest, read-only), ack latency per grade, CPU per process and thread,
// the machine's busy share and the source edge's VmRSS. The processes are stopped at the
// end; the Process destructors kill whatever is left, also on error or interrupt.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "broker.h"
#include "ingest_common.h"
#include "process.h"

namespace tern::bench {

struct RunSpec {
  std::string name;    // the run's label and its directory under the bench's root
  std::string prefix;  // mqtt.prefix; empty: the daemons' default, the one a PKI's ACL is for
  double rate = 0;     // records/s the source offers
  double warmup = 5;
  double measure = 30;
  std::vector<std::string> edge_set, core_set;  // extra --set for every edge / the core
};

struct Grade {
  uint64_t count = 0;
  double p50 = 0, p99 = 0;
};

struct RunResult {
  bool ok = false;
  std::string error;
  double seconds = 0;                               // measured window
  int64_t chunks = 0, records = 0, wire_bytes = 0;  // core-acked in the window
  int64_t edge_grade_core = 0;  // the source edge's own count, whole run (cross-check)
  int64_t records_refused = 0;
  std::map<std::string, Grade> grades;  // local, peer1, peer2, core (whole run)
  double collected_per_s = 0;           // records the source produced (status.json, ±1 s)
  std::vector<double> rss;              // source edge VmRSS (MB), one per second of the window
  double rss_max = 0;                   // including warm-up
  nlohmann::json series = nlohmann::json::array();  // every 10 s of the window
  nlohmann::json cpu;  // percent of one core per process, threads of core and source edge
  nlohmann::json source_status, core_status;

  double records_per_s() const { return seconds > 0 ? static_cast<double>(records) / seconds : 0; }
};

class Topology {
 public:
  Topology(const IngestArgs& a, const RunSpec& s, const std::string& root,
           tern::testing::Broker& broker)
      : a_(a), s_(s), dir_(root + "/" + s.name), broker_(broker) {}

  RunResult Run();

 private:
  // Issues the nodes' certificates on a PKI broker; false (error_ set) on failure.
  bool IssueIdentities();
  // Starts core and peers, registers the source edge, restarts it with its source on;
  // returns the source's address, 0 on failure (error_ set).
  uint32_t Launch();
  bool Measure(uint32_t origin, RunResult* r);
  // The daemon's name, data dir, broker, log level, prefix and security mode.
  std::vector<std::string> DaemonArgv(const char* binary, const std::string& name, bool core) const;
  std::vector<std::string> EdgeArgv(const std::string& name, bool synthetic) const;
  bool WaitFor(const std::function<bool()>& pred, double timeout_s, const std::string& what);
  std::string Dir(const std::string& node) const { return dir_ + "/" + node; }
  std::string PeerName(int i) const { return "peer" + std::to_string(i); }

  const IngestArgs& a_;
  RunSpec s_;
  std::string dir_;
  tern::testing::Broker& broker_;
  std::map<std::string, tern::testing::Identity> ids_;  // by node name (PKI broker only)
  std::string error_;
  tern::testing::Process core_, source_;
  std::vector<tern::testing::Process> peers_;
};

}  // namespace tern::bench
