// tern-bench repair: lose a store holding at least --gb GB for good and time the site's way
// back to three copies, with live ingest measured before and during the repair.
//
// The site: a real broker (the site PKI unless --plain), one tern-core and --stores edges
// that act as stores (their blob drop directories fill the site), plus two more edges
// registered up front with their synthetic source off ("live-idle" and "live-repair"). The
// run:
//   1. fill: incompressible files go into the stores' drop directories until the victim
//      (store 1) holds --gb GB; wait until every file is stored and acked;
//   2. idle: live-idle ingests --rate records/s for --measure s; its core-ack p99 is the
//      idle figure (the edge's whole-run percentile, and this is its whole run);
//   3. loss: the victim is killed (SIGKILL) and its data directory deleted; once the core
//      declares it dead (membership.dead_after) repair starts; live-repair ingests the same
//      rate from then until three copies are restored, and its p99 is the figure during repair;
//   4. the core's own figures are read from its status.json: repair bytes, chunks left with
//      one or two good copies, missing chunks.
// The figures are printed as text, or with --json as one object with at least store_gb_lost,
// restore_seconds, repair_mb_per_s, ingest_p99_ms_idle, ingest_p99_ms_during_repair,
// under_replicated_after and missing_after.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <random>
#include <thread>

#include "bench_site.h"
#include "ingest_common.h"

namespace tern::bench {
namespace {
using nlohmann::json;
namespace fs = std::filesystem;

struct RepairArgs {
  bool json = false;
  bool plain = false;
  double gb = 1.0;
  int stores = 5;
  double rate = 10000;
  double measure = 20;
  double dead_after = 5;
  double timeout = 1800;
  int file_mb = 4;
  std::vector<std::string> core_set, edge_set;
};

// A figure of the core: counters first, then the top level of status.json (gauges).
int64_t CoreFigure(const json& st, const std::string& name) {
  auto c = st.value("counters", json::object());
  if (c.contains(name) && c[name].is_number()) return c[name].get<int64_t>();
  auto g = st.value("gauges", json::object());
  if (g.contains(name) && g[name].is_number()) return g[name].get<int64_t>();
  if (st.contains(name) && st[name].is_number()) return st[name].get<int64_t>();
  return 0;
}

class RepairSite : public BenchSite {
 public:
  RepairSite(const RepairArgs& a, const std::string& root, tern::testing::Broker& broker)
      : BenchSite(root, broker), a_(a) {}

  static std::string StoreName(int i) { return "store" + std::to_string(i); }

  bool Launch() {
    std::vector<std::string> names = {"core", "live-idle", "live-repair"};
    for (int i = 1; i <= a_.stores; ++i) names.push_back(StoreName(i));
    if (!Issue(names)) return false;
    auto core_argv = Argv(TERN_CORE_PATH, "core", true);
    Add(&core_argv,
        {"membership.suspect_after=1s",
         "membership.dead_after=" + std::to_string(static_cast<int>(a_.dead_after * 1000)) + "ms"});
    Add(&core_argv, a_.core_set);
    if (!procs_["core"].Start(core_argv, Dir("core") + ".log"))
      return Fail("cannot start tern-core");
    if (!WaitFor([&] { return Status("core").value("connected", false); }, 20, "the core"))
      return false;
    for (int i = 1; i <= a_.stores; ++i) {
      const std::string n = StoreName(i);
      fs::create_directories(Dir(n + "-drop"));
      auto v = EdgeArgv(n, false);
      Add(&v, {"source.dropdir.path=" + Dir(n + "-drop"), "source.dropdir.poll=100ms"});
      if (!procs_[n].Start(v, Dir(n) + ".log")) return Fail("cannot start " + n);
    }
    // The live edges register now (source off) so that their measured runs start registered.
    for (const char* n : {"live-idle", "live-repair"}) {
      if (!procs_[n].Start(EdgeArgv(n, false), Dir(n) + ".log")) return Fail("cannot start edge");
    }
    for (const auto& n : names) {
      if (n == "core") continue;
      if (!WaitFor([&] { return Status(n).value("addr", 0u) != 0; }, 30, n + "'s address"))
        return false;
    }
    return true;
  }

  // Writes incompressible files into the stores' drop directories until about `bytes` have
  // been written in all; returns false if interrupted.
  bool Fill(double bytes) {
    std::mt19937_64 rng(42);
    std::string buf(static_cast<size_t>(a_.file_mb) << 20, '\0');
    double written = 0;
    for (int f = 0; written < bytes; ++f) {
      if (g_interrupted) return false;
      for (size_t i = 0; i + 8 <= buf.size(); i += 8) {
        uint64_t r = rng();
        std::memcpy(&buf[i], &r, 8);
      }
      const std::string drop = Dir(StoreName(1 + f % a_.stores) + "-drop");
      const std::string tmp = drop + "/.f" + std::to_string(f),
                        dst = drop + "/f" + std::to_string(f);
      std::ofstream(tmp, std::ios::binary)
          .write(buf.data(), static_cast<std::streamsize>(buf.size()));
      fs::rename(tmp, dst);  // the collector sees whole files only
      written += static_cast<double>(buf.size());
      // Keep the drop directories from running far ahead of the stores.
      while (Pending() > 64 && !g_interrupted)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return WaitFor(
        [&] {
          if (Pending() > 0) return false;
          for (int i = 1; i <= a_.stores; ++i)
            if (Status(StoreName(i)).value("outbox_chunks", 1) != 0) return false;
          return true;
        },
        a_.timeout, "the fill to be stored and acked");
  }

  // Runs `n`'s synthetic source at --rate (restart with the source on); returns its p99.
  bool StartLive(const std::string& n) {
    procs_[n].Stop(std::chrono::milliseconds(5000));
    fs::remove(Dir(n) + "/status.json");
    auto v = EdgeArgv(n, true);
    return procs_[n].Start(v, Dir(n) + ".log") ||
           Fail("cannot restart " + n + " with its source on");
  }
  double CoreP99(const std::string& n) const {
    return Status(n)
        .value("grades", json::object())
        .value("core", json::object())
        .value("p99_ms", 0.0);
  }
  void Kill(const std::string& n) {
    procs_[n].Signal(SIGKILL);
    procs_[n].Wait(std::chrono::milliseconds(5000));
    std::error_code ec;
    fs::remove_all(Dir(n), ec);
  }
  // Bytes the victim's store holds on disk (database and WAL).
  double StoreBytes(const std::string& n) const {
    double b = 0;
    std::error_code ec;
    for (const auto& e : fs::recursive_directory_iterator(Dir(n), ec))
      if (e.is_regular_file(ec)) b += static_cast<double>(e.file_size(ec));
    return b;
  }

 private:
  int Pending() const {
    int n = 0;
    std::error_code ec;
    for (int i = 1; i <= a_.stores; ++i)
      for ([[maybe_unused]] const auto& e : fs::directory_iterator(Dir(StoreName(i) + "-drop"), ec))
        ++n;
    return n;
  }
  std::vector<std::string> EdgeArgv(const std::string& n, bool synthetic) const {
    auto v = Argv(TERN_EDGE_PATH, n, false);
    Add(&v, {std::string("source.synthetic.enabled=") + (synthetic ? "true" : "false"),
             "source.synthetic.rate=" + std::to_string(a_.rate)});
    Add(&v, a_.edge_set);
    return v;
  }

  const RepairArgs& a_;
};

int Run(const RepairArgs& a) {
  tern::testing::TempDir tmp("tern-bench-repair");
  if (!RootOk(tmp.path())) return 2;
  auto broker = StartBenchBroker(tmp.path(), a.plain, "repair");
  if (!broker) return 2;
  RepairSite site(a, tmp.path(), *broker);
  IngestArgs say;  // Say() only reads .json
  say.json = a.json;
  auto fail = [&](const std::string& stage) {
    std::fprintf(stderr, "tern-bench repair: %s: %s\n", stage.c_str(), site.error().c_str());
    site.StopAll();
    return 1;
  };
  if (!site.Launch()) return fail("start");
  // The victim holds about 3/stores of everything (its own files and its share of replicas).
  const double total = a.gb * (1 << 30) * a.stores / 3.0 * 1.1;
  Say(say, "filling: " + Fmt(total / (1 << 30), 2) + " GB of files across " +
               std::to_string(a.stores) + " stores");
  auto fill0 = Clock::now();
  if (!site.Fill(total)) return fail("fill");
  const double fill_s = Since(fill0);
  const std::string victim = RepairSite::StoreName(1);
  const double victim_bytes = site.StoreBytes(victim);

  Say(say, "idle ingest: " + Fmt(a.rate, 0) + " records/s for " + Fmt(a.measure, 0) + " s");
  if (!site.StartLive("live-idle")) return fail("idle ingest");
  if (!SleepFor(a.measure)) return fail("idle ingest");
  const double p99_idle = site.CoreP99("live-idle");

  json core0 = site.Status("core");
  const int64_t dead0 = CoreFigure(core0, "nodes_dead");
  Say(say, "killing " + victim + " (" + Fmt(victim_bytes / (1 << 30), 2) +
               " GB on disk) and deleting its data");
  auto kill_t = Clock::now();
  site.Kill(victim);
  if (!site.WaitFor([&] { return CoreFigure(site.Status("core"), "nodes_dead") > dead0; },
                    a.dead_after + 60, "the core to declare " + victim + " dead"))
    return fail("loss");
  const double dead_s = Since(kill_t);
  if (!site.StartLive("live-repair")) return fail("ingest during repair");
  auto repaired = [&] {
    json st = site.Status("core");
    return CoreFigure(st, "repair_copies_requested") > 0 &&
           CoreFigure(st, "under_replicated_1") == 0 && CoreFigure(st, "under_replicated_2") == 0 &&
           CoreFigure(st, "missing_chunks") == 0 && CoreFigure(st, "repair_queue") == 0 &&
           CoreFigure(st, "repair_in_flight") == 0;
  };
  const bool done = site.WaitFor(repaired, a.timeout, "three copies of every chunk again");
  const double restore_s = Since(kill_t);
  const double repair_s = std::max(0.001, restore_s - dead_s);
  const double p99_repair = site.CoreP99("live-repair");
  json core1 = site.Status("core");
  const double repair_bytes = static_cast<double>(CoreFigure(core1, "repair_bytes"));
  json out = {
      {"store_gb_lost", victim_bytes / (1 << 30)},
      {"stores", a.stores},
      {"fill_seconds", fill_s},
      {"dead_after_seconds", a.dead_after},
      {"declared_dead_seconds", dead_s},
      {"restore_seconds", done ? restore_s : -1.0},
      {"repair_seconds", done ? repair_s : -1.0},
      {"repair_bytes", repair_bytes},
      {"repair_copies", CoreFigure(core1, "repair_copies_done")},
      {"repair_copy_failures", CoreFigure(core1, "repair_copy_failures")},
      {"repair_mb_per_s", repair_bytes / (1 << 20) / repair_s},
      {"repair_mb_per_s_per_source_node", repair_bytes / (1 << 20) / repair_s / (a.stores - 1)},
      {"ingest_rate", a.rate},
      {"ingest_p99_ms_idle", p99_idle},
      {"ingest_p99_ms_during_repair", p99_repair},
      {"under_replicated_after",
       CoreFigure(core1, "under_replicated_1") + CoreFigure(core1, "under_replicated_2")},
      {"missing_after", CoreFigure(core1, "missing_chunks")},
      {"completed", done}};
  site.StopAll();
  if (a.json) {
    std::cout << out.dump() << "\n";
  } else {
    std::printf("store lost: %.2f GB (%s, %d stores)\n", victim_bytes / (1 << 30), victim.c_str(),
                a.stores);
    std::printf("declared dead after %.1f s; three copies again after %.1f s (repair %.1f s)%s\n",
                dead_s, restore_s, repair_s, done ? "" : "  [NOT COMPLETED]");
    std::printf("repair: %.0f MB in total, %.1f MB/s (%.1f MB/s per surviving store)\n",
                repair_bytes / (1 << 20), out["repair_mb_per_s"].get<double>(),
                out["repair_mb_per_s_per_source_node"].get<double>());
    std::printf("ingest core-ack p99 at %.0f records/s: idle %.1f ms, during repair %.1f ms\n",
                a.rate, p99_idle, p99_repair);
    std::printf("after: under-replicated %lld, missing %lld\n",
                static_cast<long long>(out["under_replicated_after"].get<int64_t>()),
                static_cast<long long>(out["missing_after"].get<int64_t>()));
  }
  return done ? 0 : 1;
}

}  // namespace
}  // namespace tern::bench

int RepairBenchMain(int argc, char** argv) {
  tern::bench::RepairArgs a;
  CLI::App app{"tern-bench repair: lose a store for good, time the way back to three copies"};
  app.add_flag("--json", a.json, "one JSON object on stdout");
  app.add_flag("--plain", a.plain, "plain MQTT instead of the site PKI");
  app.add_option("--gb", a.gb, "GB the lost store should hold")->capture_default_str();
  app.add_option("--stores", a.stores, "stores (edges) before the loss, at least 4")
      ->check(CLI::Range(4, 32))
      ->capture_default_str();
  app.add_option("--rate", a.rate, "live ingest records/s, idle and during repair")
      ->capture_default_str();
  app.add_option("--measure", a.measure, "seconds of idle ingest measured")->capture_default_str();
  app.add_option("--dead-after", a.dead_after, "the core's membership.dead_after, seconds")
      ->capture_default_str();
  app.add_option("--timeout", a.timeout, "seconds to wait for the fill and for the repair")
      ->capture_default_str();
  app.add_option("--file-mb", a.file_mb, "size of each fill file, MB")->check(CLI::Range(1, 64));
  app.add_option("--core-set", a.core_set, "extra --set for the core");
  app.add_option("--edge-set", a.edge_set, "extra --set for every edge");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  tern::bench::InstallInterruptHandlers();
  return tern::bench::Run(a);
}
