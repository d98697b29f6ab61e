// tern-bench colocate: what co-located placement buys multichannel analysis. The same
// six-channel workload is stored twice, once with `placement.mode = rendezvous` (every chunk
// of a group window on the same two peers) and once with `placement.mode = random`, then
// the same two jobs run over it through POST /api/v1/analysis: window statistics with
// z-scores, and MSMVE. With co-location every window has a store holding all of it and runs
// there; with random placement few do, and the core reads the chunks of the others from
// holders through the broker and computes them itself.
//
// Each site: a real broker (the site PKI unless --plain), tern-core (HTTP on a free loopback
// port, auth off, read cache off so every byte the core needs crosses the broker, streaming
// MSMVE off so the core's own processing does not compete), three source edges running a
// two-channel synthetic rig each in group "rig" (--seconds of data at --rate records/s) and
// two store-only edges; the rigs close a chunk every --chunk-ms (default 20 ms, the edge's
// default chunk.window). Once everything is acked, analysed and unspooled, the two jobs run
// one after the other. Per placement: each job's wall time (the HTTP request, from this
// client), windows at holders / at the core, and bytes moved over the broker for the job
// (chunk bytes the core read + task and answer messages). Text, or with --json one object
// with "colocated" and "random" runs, "time_ratio" (co-located ÷ random wall time, both
// jobs) and "bytes_ratio" (the same for bytes moved).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "bench_site.h"
#include "http_client.h"
#include "ingest_common.h"

namespace tern::bench {
namespace {
using nlohmann::json;
namespace fs = std::filesystem;

struct ColocateArgs {
  bool json = false;
  bool plain = false;
  double seconds = 30;
  double rate = 1000;
  int chunk_ms = 20;  // chunk.window of the rigs (the edge's default)
  double timeout = 300;
};

constexpr int kSources = 3;
constexpr int kStores = 2;

class ColocateSite : public BenchSite {
 public:
  ColocateSite(const ColocateArgs& a, const std::string& root, tern::testing::Broker& broker)
      : BenchSite(root, broker), a_(a) {}
  int Port() const { return Status("core").value("http_port", -1); }

  bool Launch(const std::string& mode) {
    std::vector<std::string> names = {"core"};
    for (int i = 0; i < kSources + kStores; ++i) names.push_back(Edge(i));
    if (!Issue(names)) return false;
    auto core = Argv(TERN_CORE_PATH, "core", true);
    Add(&core, {"http.port=0", "http.auth=off", "status.interval=200ms", "cache.max_bytes=0",
                "processor.msmve.window=0", "membership.suspect_after=8s"});
    if (!procs_["core"].Start(core, Dir("core") + ".log")) return Fail("cannot start tern-core");
    // Stores first, so every peer is live before the rigs place their first window.
    for (int i = kSources + kStores - 1; i >= 0; --i) {
      auto v = Argv(TERN_EDGE_PATH, Edge(i), false);
      Add(&v, {"placement.mode=" + mode, "placement.window=2s"});
      if (i < kSources) {
        Add(&v, {"source.synthetic.channels=2", "source.synthetic.group=rig",
                 "source.synthetic.rate=" + std::to_string(a_.rate),
                 "chunk.window=" + std::to_string(a_.chunk_ms) + "ms",
                 "source.synthetic.max_records=" + std::to_string(Records())});
      } else {
        Add(&v, {"source.synthetic.enabled=false"});
      }
      if (!procs_[Edge(i)].Start(v, Dir(Edge(i)) + ".log")) return Fail("cannot start an edge");
      if (i == kSources && !WaitFor([&] { return Live() == kStores; }, a_.timeout, "stores live")) {
        return false;
      }
    }
    auto settled = [&] {
      int64_t records = 0;
      for (int i = 0; i < kSources + kStores; ++i) {
        json e = Status(Edge(i));
        if (e.value("outbox_chunks", 1) != 0) return false;
        records += e.value("counters", json::object()).value("records_local", int64_t{0});
      }
      json c = Status("core");
      return records >= Records() * kSources && c.value("spool_depth", 1) == 0 &&
             c.value("results_placing", 1) == 0 &&
             c.value("scheduler", json::object()).value("queued", 1) == 0;
    };
    return WaitFor(settled, a_.timeout + a_.seconds, "every chunk acked, analysed and unspooled");
  }

  // One job; its figures, or {"error": ...}.
  json Job(const json& params) {
    const json body = {{"group", "rig"}, {"params", params}};
    const std::string text = body.dump();
    const auto t0 = Clock::now();
    const std::string raw = tern::testing::RawHttp(
        Port(),
        "POST /api/v1/analysis HTTP/1.0\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        "Content-Length: " +
            std::to_string(text.size()) + "\r\n\r\n" + text,
        static_cast<int>(a_.timeout));
    const double wall = Since(t0);
    const size_t head = raw.find("\r\n\r\n");
    json doc =
        head == std::string::npos ? json() : json::parse(raw.substr(head + 4), nullptr, false);
    if (tern::testing::HttpStatusOf(raw) != 200 || !doc.is_object()) {
      return {{"error", "POST /api/v1/analysis: " + raw.substr(0, 300)}};
    }
    const int64_t fetched = doc.value("bytes_fetched", int64_t{0});
    const int64_t tasks = doc.value("task_bytes", int64_t{0});
    return {{"wall_s", wall},
            {"windows", doc.value("windows", 0)},
            {"at_holders", doc.value("at_holders", 0)},
            {"at_core", doc.value("at_core", 0)},
            {"failed", doc.value("failed", 0)},
            {"bytes_fetched", fetched},
            {"task_bytes", tasks},
            {"bytes_moved", fetched + tasks}};
  }

 private:
  static std::string Edge(int i) {
    return i < kSources ? "rig" + std::to_string(i + 1)
                        : "store" + std::to_string(i - kSources + 1);
  }
  int64_t Records() const { return static_cast<int64_t>(a_.seconds * a_.rate); }
  int Live() const {
    int live = 0;
    for (const auto& n : Status("core").value("nodes", json::array()))
      live += n.value("state", "") == "live";
    return live;
  }

  const ColocateArgs& a_;
};

// One placement mode on a fresh site: both jobs.
json RunMode(const ColocateArgs& a, const std::string& mode, const IngestArgs& say) {
  tern::testing::TempDir tmp("tern-bench-colocate");
  if (!RootOk(tmp.path())) return {{"error", "no temporary directory"}};
  auto broker = StartBenchBroker(tmp.path(), a.plain, "colocate");
  if (!broker) return {{"error", "no broker"}};
  ColocateSite site(a, tmp.path(), *broker);
  Say(say, mode + ": ingesting " + std::to_string(kSources) + " rigs x 2 channels for " +
               std::to_string(static_cast<int>(a.seconds)) + " s");
  if (!site.Launch(mode)) {
    json e = {{"error", site.error()}};
    site.StopAll();
    return e;
  }
  Say(say, mode + ": window statistics and z-scores");
  json stats = site.Job({{"msmve", false}});
  Say(say, mode + ": MSMVE");
  json msmve = site.Job({{"stats", false}, {"zscore", false}});
  site.StopAll();
  if (stats.contains("error")) return stats;
  if (msmve.contains("error")) return msmve;
  return {
      {"stats_job", stats},
      {"msmve_job", msmve},
      {"wall_s", stats["wall_s"].get<double>() + msmve["wall_s"].get<double>()},
      {"bytes_moved", stats["bytes_moved"].get<int64_t>() + msmve["bytes_moved"].get<int64_t>()}};
}

int Run(const ColocateArgs& a) {
  IngestArgs say;  // Say() only reads .json
  say.json = a.json;
  json colocated = RunMode(a, "rendezvous", say);
  if (colocated.contains("error") || g_interrupted) {
    std::fprintf(stderr, "tern-bench colocate: rendezvous: %s\n", colocated.dump().c_str());
    return 1;
  }
  json random = RunMode(a, "random", say);
  if (random.contains("error")) {
    std::fprintf(stderr, "tern-bench colocate: random: %s\n", random.dump().c_str());
    return 1;
  }
  auto ratio = [](double x, double y) { return y > 0 ? x / y : 0.0; };
  json out = {
      {"seconds", a.seconds},
      {"rate", a.rate},
      {"chunk_ms", a.chunk_ms},
      {"channels", kSources * 2},
      {"colocated", colocated},
      {"random", random},
      {"time_ratio", ratio(colocated["wall_s"].get<double>(), random["wall_s"].get<double>())},
      {"bytes_ratio", ratio(static_cast<double>(colocated["bytes_moved"].get<int64_t>()),
                            static_cast<double>(random["bytes_moved"].get<int64_t>()))}};
  if (a.json) {
    std::cout << out.dump() << "\n";
    return 0;
  }
  for (const char* mode : {"colocated", "random"}) {
    for (const char* job : {"stats_job", "msmve_job"}) {
      const json& j = out[mode][job];
      std::printf(
          "%-9s %-9s %6.2f s  %3d windows (%3d at holders, %3d at the core)  %10lld bytes moved\n",
          mode, job, j["wall_s"].get<double>(), j["windows"].get<int>(), j["at_holders"].get<int>(),
          j["at_core"].get<int>(), static_cast<long long>(j["bytes_moved"].get<int64_t>()));
    }
  }
  std::printf("co-located / random: time %.3f, bytes moved %.4f\n", out["time_ratio"].get<double>(),
              out["bytes_ratio"].get<double>());
  return 0;
}

}  // namespace
}  // namespace tern::bench

int ColocateBenchMain(int argc, char** argv) {
  tern::bench::ColocateArgs a;
  CLI::App app{"tern-bench colocate: analysis of co-located vs randomly placed channels"};
  app.add_flag("--json", a.json, "one JSON object on stdout");
  app.add_flag("--plain", a.plain, "plain MQTT instead of the site PKI");
  app.add_option("--seconds", a.seconds, "seconds of data per rig")
      ->check(CLI::Range(4.0, 3600.0))
      ->capture_default_str();
  app.add_option("--rate", a.rate, "records/s per rig (2 channels each)")
      ->check(CLI::Range(10.0, 100000.0))
      ->capture_default_str();
  app.add_option("--chunk-ms", a.chunk_ms,
                 "chunk.window of the rigs in ms (chunks per window: the size of a task)")
      ->check(CLI::Range(1, 60000))
      ->capture_default_str();
  app.add_option("--timeout", a.timeout, "seconds to wait for each stage")->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  tern::bench::InstallInterruptHandlers();
  return tern::bench::Run(a);
}
