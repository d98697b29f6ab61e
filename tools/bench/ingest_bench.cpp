// tern-bench ingest: how many 100-byte records per second one edge gets into three durable
// copies with the core's manifest current, how long each ack grade takes, how close that
// comes to what the broker alone can move, and whether the edge's memory stays flat.
//
// Everything runs as real, separate processes (mosquitto, tern-core, tern-edge ×(E+1)) on
// loopback with data dirs in one temp dir, because that is how a site runs and because
// the broker, core and edges compete for the same two cores; an in-process run would hide
// that contention. Three phases share one broker:
//   1. throughput: a source edge with a saturating synthetic source and E peer edges;
//      records/s and MB/s counted from the core's manifest (chunks acked = three holders
//      and a committed manifest row), ack latency per grade, CPU per process/thread, and
//      the source edge's VmRSS over the run.
//   2. latency: the same topology at a modest rate (10,000 records/s by default).
//   3. broker ceiling: one publisher → one subscriber through the same broker, QoS 1,
//      messages of the run's mean chunk size, same in-flight window, no storage.
// Children are killed on every exit path (the Process destructors, and a SIGINT/SIGTERM
// handler that makes the loops return early).
#include <dirent.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tern/common/mqtt.h"
#include "tern/core/manifest.h"
#include "broker.h"
#include "process.h"

#ifndef TERN_EDGE_PATH
#define TERN_EDGE_PATH "tern-edge"
#endif
#ifndef TERN_CORE_PATH
#define TERN_CORE_PATH "tern-core"
#endif

namespace {
using nlohmann::json;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

std::atomic<bool> g_interrupted{false};
void OnSignal(int) { g_interrupted = true; }

// Per-record framing in a chunk body: u64 ts + u64 seq + u32 payload length (chunk.cpp).
constexpr int kRecordOverhead = 20;

struct Args {
  bool json = false;
  double seconds = 30;          // throughput measurement window (after warm-up)
  double warmup = 5;
  double rate = 400000;         // offered records/s in the throughput run
  int record_bytes = 100;       // encoded record size; sets the channel count
  int edges = 3;                // peer edges besides the source edge
  double latency_rate = 10000;
  double latency_seconds = 20;
  std::vector<std::string> edge_set;          // --set for every edge, both runs
  std::vector<std::string> core_set;          // --set for the core, both runs
  std::vector<std::string> latency_edge_set;  // --set for every edge, latency run only
  bool skip_latency = false;
  bool skip_ceiling = false;
};

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// Sleeps up to `s` seconds in small steps; false if interrupted.
bool SleepFor(double s) {
  auto end = Clock::now() + std::chrono::duration<double>(s);
  while (Clock::now() < end) {
    if (g_interrupted) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return !g_interrupted;
}

json ReadJson(const std::string& path) {
  std::string text = tern::testing::ReadFile(path);
  // Always an object, so value() lookups on a missing or half-written file cannot throw.
  if (text.empty()) return json::object();
  json j = json::parse(text, nullptr, false);
  return j.is_object() ? j : json::object();
}

// ---------------------------------------------------------------- /proc sampling

std::string ReadSmall(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

double RssMb(pid_t pid) {
  std::istringstream in(ReadSmall("/proc/" + std::to_string(pid) + "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtod(line.c_str() + 6, nullptr) / 1024.0;
  }
  return 0;
}

// utime + stime in clock ticks from a /proc/.../stat file (fields 14 and 15; the comm field
// may hold spaces, so parse after the last ')').
uint64_t StatTicks(const std::string& stat_path) {
  std::string s = ReadSmall(stat_path);
  size_t p = s.rfind(')');
  if (p == std::string::npos) return 0;
  std::istringstream is(s.substr(p + 2));
  std::string f;
  uint64_t ut = 0, st = 0;
  for (int i = 3; i <= 15 && is >> f; ++i) {
    if (i == 14) ut = std::strtoull(f.c_str(), nullptr, 10);
    if (i == 15) st = std::strtoull(f.c_str(), nullptr, 10);
  }
  return ut + st;
}

uint64_t ProcTicks(pid_t pid) { return StatTicks("/proc/" + std::to_string(pid) + "/stat"); }

std::map<int, uint64_t> ThreadTicks(pid_t pid) {
  std::map<int, uint64_t> out;
  std::string dir = "/proc/" + std::to_string(pid) + "/task";
  DIR* d = opendir(dir.c_str());
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    int tid = std::atoi(e->d_name);
    if (tid > 0) out[tid] = StatTicks(dir + "/" + e->d_name + "/stat");
  }
  closedir(d);
  return out;
}

// The Broker fixture does not expose its pid; find the mosquitto whose command line names
// our config file.
pid_t FindPid(const std::string& needle) {
  DIR* d = opendir("/proc");
  if (!d) return -1;
  pid_t found = -1;
  while (dirent* e = readdir(d)) {
    int pid = std::atoi(e->d_name);
    if (pid <= 0) continue;
    std::string cmd = ReadSmall("/proc/" + std::string(e->d_name) + "/cmdline");
    std::replace(cmd.begin(), cmd.end(), '\0', ' ');
    if (cmd.find("mosquitto") != std::string::npos && cmd.find(needle) != std::string::npos) {
      found = pid;
      break;
    }
  }
  closedir(d);
  return found;
}

const double kTck = static_cast<double>(sysconf(_SC_CLK_TCK));

// Machine-wide busy and iowait ticks from /proc/stat, to tell our load from other users'
// on a shared box.
struct MachineTicks {
  uint64_t busy = 0, iowait = 0, total = 0;
};
MachineTicks ReadMachineTicks() {
  std::istringstream in(ReadSmall("/proc/stat"));
  std::string cpu;
  uint64_t v[8] = {};
  in >> cpu;
  for (auto& x : v) in >> x;  // user nice system idle iowait irq softirq steal
  MachineTicks m;
  m.iowait = v[4];
  m.busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
  m.total = m.busy + v[3] + v[4];
  return m;
}

// ---------------------------------------------------------------- one topology run

struct RunSpec {
  std::string name;  // also the topic prefix and the data dir
  double rate = 0;
  double warmup = 5;
  double measure = 30;
  std::vector<std::string> edge_set, core_set;
};

struct Grade {
  uint64_t count = 0;
  double p50 = 0, p99 = 0;
};

struct RunResult {
  bool ok = false;
  std::string error;
  double seconds = 0;          // measured window
  int64_t chunks = 0, records = 0, wire_bytes = 0;  // core-acked in the window
  int64_t edge_grade_core = 0;  // the source edge's own count, whole run (cross-check)
  int64_t records_refused = 0;
  std::map<std::string, Grade> grades;  // local, peer1, peer2, core (whole run)
  double collected_per_s = 0;  // records the source produced (status.json, ±1 s)
  std::vector<double> rss;              // source edge VmRSS (MB), one per second of the window
  double rss_max = 0;                   // including warm-up
  json series = json::array();          // every 10 s of the window
  json cpu;                             // percent of one core per process, top threads
  json source_status, core_status;
};

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

class Topology {
 public:
  Topology(const Args& a, const RunSpec& s, const std::string& root, int port)
      : a_(a), s_(s), dir_(root + "/" + s.name), port_(port) {}

  RunResult Run(pid_t broker_pid);

 private:
  std::vector<std::string> EdgeArgv(const std::string& name, bool synthetic) const;
  bool WaitFor(const std::function<bool()>& pred, double timeout_s, const std::string& what);
  std::string Dir(const std::string& node) const { return dir_ + "/" + node; }

  const Args& a_;
  RunSpec s_;
  std::string dir_;
  int port_;
  std::string error_;
  tern::testing::Process core_, source_;
  std::vector<tern::testing::Process> peers_;
};

std::vector<std::string> Topology::EdgeArgv(const std::string& name, bool synthetic) const {
  int channels = std::max(1, (a_.record_bytes - kRecordOverhead) / 8);
  std::vector<std::string> v = {TERN_EDGE_PATH,
                                "--set", "node.name=" + name,
                                "--set", "node.data_dir=" + Dir(name),
                                "--set", "mqtt.port=" + std::to_string(port_),
                                "--set", "mqtt.prefix=" + s_.name,
                                "--set", "log.level=warn",
                                "--set", "security.mode=insecure",  // a plain broker
                                "--set", std::string("source.synthetic.enabled=") +
                                             (synthetic ? "true" : "false"),
                                "--set", "source.synthetic.channels=" + std::to_string(channels),
                                "--set", "source.synthetic.rate=" + std::to_string(s_.rate)};
  for (const auto& kv : s_.edge_set) {
    v.push_back("--set");
    v.push_back(kv);
  }
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

RunResult Topology::Run(pid_t broker_pid) {
  RunResult r;
  std::error_code ec;
  fs::create_directories(dir_, ec);
  auto fail = [&](const std::string& why) {
    r.error = s_.name + ": " + why;
    return r;
  };

  std::vector<std::string> core_argv = {TERN_CORE_PATH,
                                        "--set", "node.data_dir=" + Dir("core"),
                                        "--set", "mqtt.port=" + std::to_string(port_),
                                        "--set", "mqtt.prefix=" + s_.name,
                                        "--set", "log.level=warn",
                                        "--set", "security.mode=insecure"};  // a plain broker
  for (const auto& kv : s_.core_set) {
    core_argv.push_back("--set");
    core_argv.push_back(kv);
  }
  if (!core_.Start(core_argv, dir_ + "/core.log")) return fail("cannot start " TERN_CORE_PATH);
  if (!WaitFor([&] { return ReadJson(Dir("core") + "/status.json").value("connected", false); },
               15, "the core's status.json")) {
    return fail(error_);
  }

  for (int i = 1; i <= a_.edges; ++i) {
    std::string name = "peer" + std::to_string(i);
    peers_.emplace_back();
    if (!peers_.back().Start(EdgeArgv(name, false), Dir(name) + ".log")) {
      return fail("cannot start " TERN_EDGE_PATH);
    }
  }
  // Register the source edge first with its source off, then restart it with the source on:
  // a restarted edge takes its address from its store, so the first chunks do not wait for
  // registration and the latency percentiles (kept over the whole run) are not skewed by
  // start-up.
  if (!source_.Start(EdgeArgv("source", false), Dir("source") + ".log")) {
    return fail("cannot start " TERN_EDGE_PATH);
  }
  auto addr_of = [&](const std::string& node) -> uint32_t {
    return ReadJson(Dir(node) + "/status.json").value("addr", 0u);
  };
  if (!WaitFor([&] { return addr_of("source") != 0; }, 20, "the source edge's address")) {
    return fail(error_);
  }
  uint32_t origin = addr_of("source");
  source_.Stop(std::chrono::milliseconds(5000));
  for (int i = 1; i <= a_.edges; ++i) {
    std::string name = "peer" + std::to_string(i);
    if (!WaitFor([&] { return ReadJson(Dir(name) + "/status.json").value("live_peers", 0) >= 2; },
                 20, name + " seeing its peers live")) {
      return fail(error_);
    }
  }
  fs::remove(Dir("source") + "/status.json", ec);
  if (!source_.Start(EdgeArgv("source", true), Dir("source") + ".log")) {
    return fail("cannot start " TERN_EDGE_PATH);
  }
  pid_t src = source_.pid();

  std::map<std::string, pid_t> pids = {{"broker", broker_pid}, {"core", core_.pid()},
                                       {"source_edge", src}, {"bench", getpid()}};
  for (int i = 0; i < a_.edges; ++i) {
    pids["peer" + std::to_string(i + 1)] = peers_[static_cast<size_t>(i)].pid();
  }

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
    if (!SleepFor(std::min(0.1, std::max(0.0, total - Since(start))))) return fail("interrupted");
    if (!source_.running() || !core_.running()) {
      return fail(std::string(source_.running() ? "tern-core" : "the source edge") +
                  " exited during the run (logs in " + dir_ + ")");
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
      if (measuring && static_cast<int64_t>(Since(t0)) / 10 > static_cast<int64_t>(r.series.size())) {
        auto now_acked = ManifestAcked(Dir("core") + "/core.db", origin);
        r.series.push_back({{"t_s", std::round(Since(t0))},
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
  if (!acked0 || !acked1) return fail("cannot read the core's manifest " + Dir("core") + "/core.db");
  r.chunks = acked1->chunks - acked0->chunks;
  r.records = acked1->records - acked0->records;
  r.wire_bytes = acked1->bytes - acked0->bytes;

  // CPU over the window, as percent of one core; threads listed for the two processes whose
  // worker threads are the usual suspects.
  for (auto& [n, p] : pids) {
    r.cpu[n] = std::round(1000.0 * static_cast<double>(ProcTicks(p) - ticks0[n]) / kTck / r.seconds) / 10;
  }
  {
    double span = static_cast<double>(machine1.total - machine0.total);
    int ncpu = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
    if (span > 0) {
      r.cpu["machine_busy_pct"] = 100.0 * ncpu * static_cast<double>(machine1.busy - machine0.busy) / span;
      r.cpu["machine_iowait_pct"] = 100.0 * ncpu * static_cast<double>(machine1.iowait - machine0.iowait) / span;
    }
  }
  // Threads are unnamed; list them by creation order (#0 is main). tern-edge starts the store
  // writer, the loop, the MQTT network thread, then the collectors; tern-core starts its
  // worker before the MQTT network thread.
  auto top_threads = [&](pid_t pid, const std::map<int, uint64_t>& before) {
    json out = json::array();
    for (auto& [tid, t] : ThreadTicks(pid)) {  // std::map: ascending tid = creation order
      auto it = before.find(tid);
      uint64_t b = it == before.end() ? 0 : it->second;
      out.push_back(std::round(1000.0 * static_cast<double>(t - b) / kTck / r.seconds) / 10);
    }
    return out;
  };
  r.cpu["core_threads"] = top_threads(core_.pid(), core_thr0);
  r.cpu["source_edge_threads"] = top_threads(src, src_thr0);

  // Let one more status.json write land so the grades cover the whole window.
  SleepFor(1.2);
  r.source_status = ReadJson(Dir("source") + "/status.json");
  r.core_status = ReadJson(Dir("core") + "/status.json");
  const json& g = r.source_status.contains("grades") ? r.source_status["grades"] : json::object();
  for (const char* k : {"local", "peer1", "peer2", "core"}) {
    if (!g.contains(k)) continue;
    r.grades[k] = Grade{g[k].value("count", uint64_t{0}), g[k].value("p50_ms", 0.0),
                        g[k].value("p99_ms", 0.0)};
  }
  if (r.source_status.contains("counters")) {
    const json& c = r.source_status["counters"];
    r.edge_grade_core = c.value("grade_core", int64_t{0});
    r.records_refused = c.value("records_refused", int64_t{0});
  }
  // Orderly stop so the logs end cleanly; the destructors SIGKILL whatever is left.
  source_.Stop(std::chrono::milliseconds(3000));
  for (auto& p : peers_) p.Stop(std::chrono::milliseconds(3000));
  core_.Stop(std::chrono::milliseconds(3000));
  r.ok = true;
  return r;
}

// ---------------------------------------------------------------- broker ceiling

struct Ceiling {
  bool ok = false;
  std::string error;
  double mb_per_s = 0, msgs_per_s = 0;
  int64_t messages = 0, bytes = 0;
};

// One publisher → one subscriber at QoS 1 with messages of `size` bytes, publisher window
// `inflight` (the edge's mqtt.max_inflight), no storage: what the broker moves when nothing
// else has to happen.
Ceiling MeasureCeiling(int port, size_t size, int64_t count, int inflight, double max_s) {
  Ceiling c;
  tern::MqttOptions so;
  so.port = port;
  so.client_id = "bench-ceiling-sub";
  auto sub = tern::MqttClient::Create(so);
  tern::MqttOptions po = so;
  po.client_id = "bench-ceiling-pub";
  po.max_inflight = inflight;
  auto pub = tern::MqttClient::Create(po);
  if (!sub.ok() || !pub.ok()) {
    c.error = "cannot create MQTT clients";
    return c;
  }
  std::atomic<int64_t> got{0}, got_bytes{0};
  (*sub)->OnMessage([&](const std::string&, std::string_view p) {
    got_bytes += static_cast<int64_t>(p.size());
    ++got;
  });
  if (!(*sub)->Subscribe("ceiling/x", 1).ok() ||
      !(*sub)->Start().ok() || !(*pub)->Start().ok() ||
      !(*sub)->WaitConnected(std::chrono::seconds(5)).ok() ||
      !(*pub)->WaitConnected(std::chrono::seconds(5)).ok()) {
    c.error = "cannot connect to the broker";
    return c;
  }
  SleepFor(0.3);  // let the SUBSCRIBE settle before the first publish
  std::string payload(size, '\0');
  std::mt19937_64 rng(1);
  for (auto& ch : payload) ch = static_cast<char>(rng());
  auto start = Clock::now();
  int64_t sent = 0;
  while (sent < count && Since(start) < max_s && !g_interrupted) {
    if ((*pub)->Publish("ceiling/x", payload, 1, false, std::chrono::milliseconds(5000)).ok()) {
      ++sent;
    }
  }
  while (got < sent && Since(start) < max_s + 5 && !g_interrupted) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  double s = Since(start);
  (*pub)->Stop();
  (*sub)->Stop();
  c.messages = got;
  c.bytes = got_bytes;
  c.msgs_per_s = static_cast<double>(got) / s;
  c.mb_per_s = static_cast<double>(got_bytes) / s / 1e6;
  c.ok = got > 0;
  if (!c.ok) c.error = "the subscriber received nothing";
  return c;
}

// ---------------------------------------------------------------- report

json GradesJson(const RunResult& r) {
  json g = json::object();
  for (auto& [k, v] : r.grades) g[k] = {{"count", v.count}, {"p50_ms", v.p50}, {"p99_ms", v.p99}};
  return g;
}

double Mean(const std::vector<double>& v, size_t from, size_t to) {
  if (to <= from) return 0;
  double s = 0;
  for (size_t i = from; i < to; ++i) s += v[i];
  return s / static_cast<double>(to - from);
}

std::string Fmt(double v, int prec = 1) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", prec, v);
  return b;
}

}  // namespace

int IngestBenchMain(int argc, char** argv) {
  Args a;
  CLI::App app{"tern-bench ingest: records/s into three durable copies, ack latency, broker ceiling, edge RSS"};
  app.add_flag("--json", a.json, "Print one JSON object instead of a table");
  app.add_option("--seconds", a.seconds, "Throughput measurement window in seconds (after warm-up); 600 for the RSS growth check")->check(CLI::PositiveNumber);
  app.add_option("--warmup", a.warmup, "Warm-up seconds before each measurement window")->check(CLI::NonNegativeNumber);
  app.add_option("--rate", a.rate, "Offered records/s in the throughput run")->check(CLI::PositiveNumber);
  app.add_option("--record-bytes", a.record_bytes, "Encoded record size: 20 B framing + 8 B per channel")->check(CLI::Range(28, 8212));
  app.add_option("--edges", a.edges, "Peer edges besides the source edge (at least 2)")->check(CLI::Range(2, 16));
  app.add_option("--latency-rate", a.latency_rate, "Records/s in the latency run")->check(CLI::PositiveNumber);
  app.add_option("--latency-seconds", a.latency_seconds, "Latency run window in seconds")->check(CLI::PositiveNumber);
  app.add_option("--edge-set", a.edge_set, "key=value passed as --set to every edge (both runs)");
  app.add_option("--core-set", a.core_set, "key=value passed as --set to the core (both runs)");
  app.add_option("--latency-edge-set", a.latency_edge_set, "key=value for every edge, latency run only");
  app.add_flag("--skip-latency", a.skip_latency, "Skip the latency run");
  app.add_flag("--skip-ceiling", a.skip_ceiling, "Skip the broker ceiling");
  CLI11_PARSE(app, argc, argv);

  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  const int channels = std::max(1, (a.record_bytes - kRecordOverhead) / 8);
  const int record_bytes = kRecordOverhead + 8 * channels;
  auto say = [&](const std::string& m) {
    if (!a.json) std::fprintf(stderr, "%s\n", m.c_str());
  };

  tern::testing::TempDir root("tern-bench-ingest");
  std::error_code ec;
  fs::create_directories(root / "broker", ec);
  tern::testing::Broker broker(root / "broker");
  if (!broker.ok()) {
    std::fprintf(stderr, "tern-bench ingest: cannot start mosquitto\n");
    return 1;
  }
  pid_t broker_pid = FindPid(root / "broker");
  int inflight = 64;  // tern-edge's mqtt.max_inflight default, unless overridden
  for (const auto& kv : a.edge_set) {
    if (kv.rfind("mqtt.max_inflight=", 0) == 0) inflight = std::atoi(kv.c_str() + 18);
  }

  say("throughput run: " + Fmt(a.rate, 0) + " records/s offered, " + std::to_string(record_bytes) +
      " B records, " + std::to_string(a.edges) + " peers, " + Fmt(a.warmup, 0) + " s warm-up + " +
      Fmt(a.seconds, 0) + " s ...");
  RunSpec tspec{"tput", a.rate, a.warmup, a.seconds, a.edge_set, a.core_set};
  RunResult tput = Topology(a, tspec, root.path(), broker.port()).Run(broker_pid);
  if (!tput.ok) {
    std::fprintf(stderr, "tern-bench ingest: %s\n", tput.error.c_str());
    return 1;
  }

  RunResult lat;
  if (!a.skip_latency) {
    say("latency run: " + Fmt(a.latency_rate, 0) + " records/s, " + Fmt(a.latency_seconds, 0) +
        " s ...");
    RunSpec lspec{"lat", a.latency_rate, a.warmup, a.latency_seconds, a.edge_set, a.core_set};
    for (const auto& kv : a.latency_edge_set) lspec.edge_set.push_back(kv);
    lat = Topology(a, lspec, root.path(), broker.port()).Run(broker_pid);
    if (!lat.ok) {
      std::fprintf(stderr, "tern-bench ingest: %s\n", lat.error.c_str());
      return 1;
    }
  }

  const double records_per_s = static_cast<double>(tput.records) / tput.seconds;
  const double mb_per_s = records_per_s * record_bytes / 1e6;
  const double wire_mb_per_s = static_cast<double>(tput.wire_bytes) / tput.seconds / 1e6;
  const size_t chunk_size =
      tput.chunks > 0 ? static_cast<size_t>(tput.wire_bytes / tput.chunks) : 256 * 1024;

  Ceiling ceil;
  if (!a.skip_ceiling) {
    // As many messages as the throughput window put through the broker for chunk bodies
    // (3 per chunk), capped at 20 s.
    int64_t count = std::max<int64_t>(3 * tput.chunks, 2000);
    say("broker ceiling: " + std::to_string(count) + " × " + std::to_string(chunk_size) +
        " B at QoS 1, window " + std::to_string(inflight) + " ...");
    ceil = MeasureCeiling(broker.port(), chunk_size, count, inflight, 20);
    if (!ceil.ok) {
      std::fprintf(stderr, "tern-bench ingest: broker ceiling: %s\n", ceil.error.c_str());
      return 1;
    }
  }
  // Same traffic: each chunk crosses the broker three times (1 uplink + 2 peer puts), so
  // the most chunk bytes/s the broker can carry is a third of its one-stream byte rate.
  const double ceiling_chunk_mb = ceil.mb_per_s / 3;
  const double ratio = ceiling_chunk_mb > 0 ? mb_per_s / ceiling_chunk_mb : 0;
  const double utilisation = ceil.mb_per_s > 0 ? 3 * wire_mb_per_s / ceil.mb_per_s : 0;

  const auto& rss = tput.rss;
  size_t third = rss.size() / 3;
  const double rss_first = Mean(rss, 0, third), rss_last = Mean(rss, rss.size() - third, rss.size());
  const double core_p99 = a.skip_latency ? 0 : lat.grades["core"].p99;

  json out;
  out["records_per_s"] = std::round(records_per_s);
  out["mb_per_s"] = std::round(mb_per_s * 100) / 100;
  out["wire_mb_per_s"] = std::round(wire_mb_per_s * 100) / 100;
  out["broker_ceiling_mb_per_s"] = std::round(ceiling_chunk_mb * 100) / 100;
  out["broker_stream_mb_per_s"] = std::round(ceil.mb_per_s * 100) / 100;
  out["broker_stream_msgs_per_s"] = std::round(ceil.msgs_per_s);
  out["ratio"] = std::round(ratio * 1000) / 1000;
  out["broker_utilisation"] = std::round(utilisation * 1000) / 1000;
  out["core_ack_p99_ms"] = core_p99;
  out["edge_rss_mb_max"] = std::round(tput.rss_max * 10) / 10;
  out["edge_rss_mb_first_third"] = std::round(rss_first * 10) / 10;
  out["edge_rss_mb_last_third"] = std::round(rss_last * 10) / 10;
  out["edge_rss_growth_mb"] = std::round((rss_last - rss_first) * 10) / 10;
  out["record_bytes"] = record_bytes;
  out["channels"] = channels;
  out["throughput"] = {{"offered_records_per_s", a.rate},
                       {"seconds", tput.seconds},
                       {"chunks_acked", tput.chunks},
                       {"records_acked", tput.records},
                       {"records_per_chunk", tput.chunks ? tput.records / tput.chunks : 0},
                       {"chunk_wire_bytes", chunk_size},
                       {"edge_grade_core_chunks_whole_run", tput.edge_grade_core},
                       {"records_refused_whole_run", tput.records_refused},
                       {"collected_per_s", std::round(tput.collected_per_s)},
                       {"grades", GradesJson(tput)},
                       {"cpu_pct", tput.cpu},
                       {"series", tput.series}};
  if (!a.skip_latency) {
    out["latency"] = {{"offered_records_per_s", a.latency_rate},
                      {"records_per_s", std::round(static_cast<double>(lat.records) / lat.seconds)},
                      {"seconds", lat.seconds},
                      {"grades", GradesJson(lat)},
                      {"cpu_pct", lat.cpu}};
  }
  out["definitions"] = {
      {"mb_per_s", "encoded record bytes (20 B framing + 8 B per channel, before compression) in chunks the core acked (3 holders, manifest committed) per second, counted once"},
      {"wire_mb_per_s", "chunk bytes as sent (after compression) of those chunks, counted once"},
      {"broker_ceiling_mb_per_s", "same-traffic ceiling: one QoS 1 publisher -> one subscriber at the mean chunk size and the edge's in-flight window, divided by 3 because every chunk crosses the broker 3 times (1 uplink + 2 peer puts)"},
      {"ratio", "mb_per_s / broker_ceiling_mb_per_s"},
      {"broker_utilisation", "3 * wire_mb_per_s / broker_stream_mb_per_s"},
      {"grades", "latency from a chunk's first record collected to each ack, whole run, from the source edge's status.json"}};

  if (a.json) {
    std::printf("%s\n", out.dump().c_str());
    return 0;
  }
  auto grade_row = [](const char* name, const RunResult& r) {
    std::string s = std::string("  ") + name + ":";
    for (const char* k : {"local", "peer1", "peer2", "core"}) {
      auto it = r.grades.find(k);
      if (it == r.grades.end()) continue;
      s += "  " + std::string(k) + " " + Fmt(it->second.p50) + "/" + Fmt(it->second.p99) + " ms";
    }
    return s + "   (p50/p99)\n";
  };
  std::printf("tern-bench ingest (%d B records, %d peers)\n", record_bytes, a.edges);
  std::printf("  records/s into 3 copies     %12.0f   (target >= 200000)\n", records_per_s);
  std::printf("  MB/s (record bytes)         %12.2f   wire %.2f MB/s, %lld B/chunk, %lld rec/chunk\n",
              mb_per_s, wire_mb_per_s, static_cast<long long>(chunk_size),
              static_cast<long long>(tput.chunks ? tput.records / tput.chunks : 0));
  std::printf("  broker ceiling (chunk MB/s) %12.2f   one stream %.2f MB/s, %.0f msg/s\n",
              ceiling_chunk_mb, ceil.mb_per_s, ceil.msgs_per_s);
  std::printf("  ratio                       %12.3f   (target >= 0.5; broker utilisation %.3f)\n",
              ratio, utilisation);
  std::printf("  core ack p99 @ %.0f rec/s %11.1f ms (target <= 50)\n", a.latency_rate, core_p99);
  std::printf("  edge RSS max / growth       %9.1f MB / %+.1f MB (target <= 64, no growth)\n",
              tput.rss_max, rss_last - rss_first);
  std::printf("ack latency per grade\n%s", grade_row("throughput", tput).c_str());
  if (!a.skip_latency) std::printf("%s", grade_row("latency   ", lat).c_str());
  std::printf("CPU %% of one core (throughput window)\n  %s\n", tput.cpu.dump().c_str());
  if (!a.skip_latency) std::printf("CPU %% of one core (latency window)\n  %s\n", lat.cpu.dump().c_str());
  return 0;
}
