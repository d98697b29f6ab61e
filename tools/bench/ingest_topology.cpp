// The measured site of tern-bench ingest: launch, warm-up, measurement window, orderly stop
// (see ingest_topology.h).
#include "ingest_topology.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>
#include <thread>

#include "ingest_proc.h"
#include "tern/core/manifest.h"

namespace tern::bench {
namespace {
using nlohmann::json;
namespace fs = std::filesystem;

struct Acked {
  int64_t chunks = 0, records = 0, bytes = 0;
};

// Records acked by the core for chunks from `origin`. status.json has no record count per
// ack grade (grade_core counts chunks, and chunk sizes vary), so read the manifest: a row with
// acked = 1 had three holders and a committed manifest when the core sent its ack.
std::optional<Acked> ManifestAcked(const std::string& db_path, uint32_t origin) {
  auto m = tern::core::Manifest::Open(db_path, /*read_only=*/true);
  if (!m.ok()) return std::nullopt;
  auto t = (*m)->holders().AckedTotals(origin);
  if (!t.ok()) return std::nullopt;
  return Acked{t->chunks, t->records, t->bytes};
}

void AddSets(std::vector<std::string>* argv, const std::vector<std::string>& kvs) {
  for (const auto& kv : kvs) {
    argv->push_back("--set");
    argv->push_back(kv);
  }
}
}  // namespace

bool Topology::IssueIdentities() {
  if (broker_.mode() != tern::testing::BrokerMode::kPki) return true;
  std::vector<std::pair<std::string, crypto::Role>> nodes = {{"core", crypto::Role::kCore},
                                                             {"source", crypto::Role::kEdge}};
  for (int i = 1; i <= a_.edges; ++i) nodes.emplace_back(PeerName(i), crypto::Role::kEdge);
  for (const auto& [name, role] : nodes) {
    tern::testing::Identity id = broker_.Issue(name, role);
    if (id.cert.empty()) {
      error_ = "cannot issue a certificate for " + name + " (see the broker's log in " + dir_ + ")";
      return false;
    }
    ids_[name] = id;
  }
  return true;
}

std::vector<std::string> Topology::DaemonArgv(const char* binary, const std::string& name,
                                              bool core) const {
  std::vector<std::string> v = {binary, "--set", "node.name=" + name};
  AddSets(&v, {"node.data_dir=" + Dir(name), "mqtt.port=" + std::to_string(broker_.port()),
               "log.level=warn"});
  if (!s_.prefix.empty()) AddSets(&v, {"mqtt.prefix=" + s_.prefix});
  auto it = ids_.find(name);  // no identity on a plain broker
  for (auto& x : broker_.DaemonSecurityArgs(
           it == ids_.end() ? tern::testing::Identity{} : it->second, core)) {
    v.push_back(x);
  }
  return v;
}

std::vector<std::string> Topology::EdgeArgv(const std::string& name, bool synthetic) const {
  std::vector<std::string> v = DaemonArgv(TERN_EDGE_PATH, name, /*core=*/false);
  AddSets(&v, {std::string("source.synthetic.enabled=") + (synthetic ? "true" : "false"),
               "source.synthetic.channels=" + std::to_string(Channels(a_.record_bytes)),
               "source.synthetic.rate=" + std::to_string(s_.rate)});
  AddSets(&v, s_.edge_set);
  return v;
}

bool Topology::WaitFor(const std::function<bool()>& pred, double timeout_s,
                       const std::string& what) {
  auto start = Clock::now();
  while (Since(start) < timeout_s) {
    if (g_interrupted) {
      error_ = "interrupted";
      return false;
    }
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  error_ = "timed out waiting for " + what + " (logs in " + dir_ + ")";
  return false;
}

uint32_t Topology::Launch() {
  std::vector<std::string> core_argv = DaemonArgv(TERN_CORE_PATH, "core", /*core=*/true);
  AddSets(&core_argv, s_.core_set);
  if (!core_.Start(core_argv, dir_ + "/core.log")) {
    error_ = "cannot start " TERN_CORE_PATH;
    return 0;
  }
  if (!WaitFor([&] { return ReadJson(Dir("core") + "/status.json").value("connected", false); }, 15,
               "the core's status.json")) {
    return 0;
  }
  for (int i = 1; i <= a_.edges; ++i) {
    peers_.emplace_back();
    if (!peers_.back().Start(EdgeArgv(PeerName(i), false), Dir(PeerName(i)) + ".log")) {
      error_ = "cannot start " TERN_EDGE_PATH;
      return 0;
    }
  }
  // Register the source edge first with its source off, then restart it with the source on:
  // a restarted edge takes its address from its store, so the first chunks do not wait for
  // registration and the latency percentiles (kept over the whole run) are not skewed by
  // start-up.
  if (!source_.Start(EdgeArgv("source", false), Dir("source") + ".log")) {
    error_ = "cannot start " TERN_EDGE_PATH;
    return 0;
  }
  auto addr_of = [&](const std::string& node) -> uint32_t {
    return ReadJson(Dir(node) + "/status.json").value("addr", 0u);
  };
  if (!WaitFor([&] { return addr_of("source") != 0; }, 20, "the source edge's address")) return 0;
  uint32_t origin = addr_of("source");
  source_.Stop(std::chrono::milliseconds(5000));
  for (int i = 1; i <= a_.edges; ++i) {
    const std::string name = PeerName(i);
    if (!WaitFor([&] { return ReadJson(Dir(name) + "/status.json").value("live_peers", 0) >= 2; },
                 20, name + " seeing its peers live")) {
      return 0;
    }
  }
  std::error_code ec;
  fs::remove(Dir("source") + "/status.json", ec);
  if (!source_.Start(EdgeArgv("source", true), Dir("source") + ".log")) {
    error_ = "cannot start " TERN_EDGE_PATH;
    return 0;
  }
  return origin;
}

RunResult Topology::Run() {
  RunResult r;
  std::error_code ec;
  fs::create_directories(dir_, ec);
  uint32_t origin = IssueIdentities() ? Launch() : 0;
  if (origin == 0 || !Measure(origin, &r)) {
    r.error = s_.name + ": " + error_;
    return r;
  }
  // Orderly stop so the logs end cleanly; the destructors SIGKILL whatever is left.
  source_.Stop(std::chrono::milliseconds(3000));
  for (auto& p : peers_) p.Stop(std::chrono::milliseconds(3000));
  core_.Stop(std::chrono::milliseconds(3000));
  r.ok = true;
  return r;
}

bool Topology::Measure(uint32_t origin, RunResult* out) {
  RunResult& r = *out;
  const pid_t src = source_.pid();
  std::map<std::string, pid_t> pids = {
      {"broker", broker_.pid()}, {"core", core_.pid()}, {"source_edge", src}, {"bench", getpid()}};
  for (int i = 1; i <= a_.edges; ++i) pids[PeerName(i)] = peers_[static_cast<size_t>(i - 1)].pid();

  auto start = Clock::now();
  std::map<std::string, uint64_t> ticks0;
  std::map<int, uint64_t> core_thr0, src_thr0;
  std::optional<Acked> acked0;
  MachineTicks machine0;
  int64_t collected0 = 0;
  auto collected = [&] {
    return ReadJson(Dir("source") + "/status.json")
        .value("counters", json::object())
        .value("records_collected", int64_t{0});
  };
  Clock::time_point t0;
  bool measuring = false;
  const double total = s_.warmup + s_.measure;
  double next_sample = 1.0;
  while (Since(start) < total) {
    if (!SleepFor(std::min(0.1, std::max(0.0, total - Since(start))))) {
      error_ = "interrupted";
      return false;
    }
    if (!source_.running() || !core_.running()) {
      error_ = std::string(source_.running() ? "tern-core" : "the source edge") +
               " exited during the run (logs in " + dir_ + ")";
      return false;
    }
    if (!measuring && Since(start) >= s_.warmup) {
      measuring = true;
      t0 = Clock::now();
      for (auto& [n, p] : pids) ticks0[n] = ProcTicks(p);
      core_thr0 = ThreadTicks(core_.pid());
      src_thr0 = ThreadTicks(src);
      acked0 = ManifestAcked(Dir("core") + "/core.db", origin);
      machine0 = ReadMachineTicks();
      collected0 = collected();
    }
    if (Since(start) >= next_sample) {
      next_sample += 1.0;
      // Every 10 s: acked records and RSS, to tell a slow start from a slow decline.
      if (measuring && acked0 &&
          static_cast<int64_t>(Since(t0)) / 10 > static_cast<int64_t>(r.series.size())) {
        auto now_acked = ManifestAcked(Dir("core") + "/core.db", origin);
        r.series.push_back(
            {{"t_s", std::round(Since(t0))},
             {"records_acked", now_acked ? now_acked->records - acked0->records : -1},
             {"collected", collected() - collected0},
             {"rss_mb", RssMb(src)}});
      }
      double rss = RssMb(src);
      r.rss_max = std::max(r.rss_max, rss);
      if (measuring) r.rss.push_back(rss);
    }
  }
  r.seconds = Since(t0);
  MachineTicks machine1 = ReadMachineTicks();
  // status.json is rewritten every second, so this rate is good to about a second's worth.
  r.collected_per_s = static_cast<double>(collected() - collected0) / r.seconds;
  auto acked1 = ManifestAcked(Dir("core") + "/core.db", origin);
  if (!acked0 || !acked1) {
    error_ = "cannot read the core's manifest " + Dir("core") + "/core.db";
    return false;
  }
  r.chunks = acked1->chunks - acked0->chunks;
  r.records = acked1->records - acked0->records;
  r.wire_bytes = acked1->bytes - acked0->bytes;

  // CPU over the window, as percent of one core; threads listed for the two processes whose
  // worker threads are the usual suspects.
  for (auto& [n, p] : pids) r.cpu[n] = CpuPct(ProcTicks(p) - ticks0[n], r.seconds);
  double span = static_cast<double>(machine1.total - machine0.total);
  double ncpu = static_cast<double>(sysconf(_SC_NPROCESSORS_ONLN));
  if (span > 0) {
    r.cpu["machine_busy_pct"] =
        100.0 * ncpu * static_cast<double>(machine1.busy - machine0.busy) / span;
    r.cpu["machine_iowait_pct"] =
        100.0 * ncpu * static_cast<double>(machine1.iowait - machine0.iowait) / span;
  }
  // Threads are unnamed; list them by creation order (#0 is main). tern-edge starts the store
  // writer, the loop, the MQTT network thread, then the collectors; tern-core starts its
  // worker before the MQTT network thread.
  auto top_threads = [&](pid_t pid, const std::map<int, uint64_t>& before) {
    json threads = json::array();
    for (auto& [tid, t] : ThreadTicks(pid)) {  // std::map: ascending tid = creation order
      auto it = before.find(tid);
      threads.push_back(CpuPct(t - (it == before.end() ? 0 : it->second), r.seconds));
    }
    return threads;
  };
  r.cpu["core_threads"] = top_threads(core_.pid(), core_thr0);
  r.cpu["source_edge_threads"] = top_threads(src, src_thr0);

  // Let one more status.json write land so the grades cover the whole window.
  SleepFor(1.2);
  r.source_status = ReadJson(Dir("source") + "/status.json");
  r.core_status = ReadJson(Dir("core") + "/status.json");
  const json g = r.source_status.value("grades", json::object());
  for (const char* k : {"local", "peer1", "peer2", "core"}) {
    if (!g.contains(k)) continue;
    r.grades[k] = Grade{g[k].value("count", uint64_t{0}), g[k].value("p50_ms", 0.0),
                        g[k].value("p99_ms", 0.0)};
  }
  const json c = r.source_status.value("counters", json::object());
  r.edge_grade_core = c.value("grade_core", int64_t{0});
  r.records_refused = c.value("records_refused", int64_t{0});
  return true;
}

}  // namespace tern::bench
