// tern-bench dedup: a drop-directory workload with a known share of duplicate files, stored
// once with dedup off and once with it on; the bytes saved must equal the duplicates' size.
//
// The site (run twice, fresh each time): a real broker (the site PKI unless --plain), one
// tern-core and three edges: "src", whose drop directory takes the files, and two peers, so
// every chunk lives in all three stores (the origin's and replication.copies = 2 peers').
// Dropped files are chunked raw (source.dropdir.codec's default), the codec dedup applies to
// (body_store.h).
// The workload: --files files of random content, sizes from 1 KiB to --max-kb KiB (each file
// one blob part, so its whole content is one shared body); the last round(files x --dup) of
// them are byte-for-byte copies of earlier ones under other names. The expected saving is
// computed from the workload alone: per store, the sum of the sizes of the duplicate copies
// (every copy after a content's first); for the site, three times that.
// Each run writes all files into src's drop directory and times until every file is stored,
// acked by the core and held by all three stores: files/s and MB/s of file content. The
// saved bytes are then read from each store's edge.db (read-only) and from the core's
// status.json (`dedup_saved_bytes`, the sum of the heartbeats).
// --json prints one object with at least saved_bytes and expected_saved_bytes (site totals,
// dedup on); the exit code is 0 only if they are equal and the run with dedup off saved 0.
#include <CLI/CLI.hpp>
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
#include "broker.h"
#include "ingest_common.h"
#include "process.h"
#include "tern/edge/local_store.h"

namespace tern::bench {
namespace {
using edge::DedupStats;
using edge::LocalStore;
using nlohmann::json;
namespace fs = std::filesystem;

struct DedupArgs {
  bool json = false;
  bool plain = false;
  int files = 400;
  double dup = 0.25;
  int max_kb = 192;
  double timeout = 600;
  std::vector<std::string> edge_set;
};

const std::vector<std::string> kEdges = {"src", "peer1", "peer2"};

// The workload: file contents (by index) and which earlier file each duplicate copies.
struct Workload {
  std::vector<std::string> content;
  int duplicates = 0;
  int64_t bytes = 0;            // all files
  int64_t duplicate_bytes = 0;  // the duplicate copies: what one store should save
};

Workload MakeWorkload(const DedupArgs& a) {
  Workload w;
  std::mt19937_64 rng(12);
  w.duplicates = static_cast<int>(a.files * a.dup + 0.5);
  const int unique = a.files - w.duplicates;
  for (int i = 0; i < a.files; ++i) {
    if (i < unique) {
      std::string s(1024 + rng() % (static_cast<uint64_t>(a.max_kb - 1) * 1024 + 1), '\0');
      for (size_t k = 0; k + 8 <= s.size(); k += 8) {
        const uint64_t r = rng();
        std::memcpy(&s[k], &r, 8);
      }
      w.content.push_back(std::move(s));
    } else {
      w.content.push_back(w.content[static_cast<size_t>(i - unique) % static_cast<size_t>(unique)]);
      w.duplicate_bytes += static_cast<int64_t>(w.content.back().size());
    }
    w.bytes += static_cast<int64_t>(w.content.back().size());
  }
  return w;
}

struct RunResult {
  bool ok = false;
  std::string error;
  double seconds = 0;
  std::map<std::string, int64_t> saved;  // per store, from its edge.db
  int64_t core_saved = -1;               // the core's site total
};

class DedupSite : public BenchSite {
 public:
  DedupSite(const DedupArgs& a, std::string root, tern::testing::Broker& broker, bool dedup)
      : BenchSite(std::move(root), broker), a_(a), dedup_(dedup) {}
  ~DedupSite() { StopAll(); }

  RunResult Run(const Workload& w) {
    RunResult r;
    if (!Launch()) {
      r.error = error();
      return r;
    }
    const std::string drop = Dir("src-drop");
    const auto start = Clock::now();
    for (size_t i = 0; i < w.content.size(); ++i) {
      const std::string name = "f" + std::to_string(i) + ".bin";
      std::ofstream(drop + "/." + name, std::ios::binary)
          .write(w.content[i].data(), static_cast<std::streamsize>(w.content[i].size()));
      std::error_code ec;  // the collector sees whole files only
      fs::rename(drop + "/." + name, drop + "/" + name, ec);
      if (ec) {
        r.error = "cannot drop " + name + ": " + ec.message();
        return r;
      }
    }
    const auto files = static_cast<int64_t>(w.content.size());
    auto all_in = [&] {
      std::error_code ec;
      if (!fs::is_empty(drop, ec) || ec) return false;
      if (Status("src").value("outbox_chunks", int64_t{1}) != 0) return false;
      for (const auto& n : kEdges) {
        auto s = LocalStore::OpenReadOnly(Dir(n) + "/edge.db");
        if (!s.ok()) return false;
        auto t = (*s)->Totals();
        if (!t.ok() || t->first < files) return false;
      }
      return true;
    };
    if (!WaitFor(all_in, a_.timeout, "every file stored, acked and in three stores")) {
      r.error = error();
      return r;
    }
    r.seconds = Since(start);
    int64_t sum = 0;
    for (const auto& n : kEdges) {
      auto s = LocalStore::OpenReadOnly(Dir(n) + "/edge.db");
      auto d = s.ok() ? (*s)->Dedup() : Result<DedupStats>(s.status());
      if (!d.ok()) {
        r.error = "reading " + n + "'s store: " + d.status().ToString();
        return r;
      }
      r.saved[n] = d->saved_bytes;
      sum += d->saved_bytes;
    }
    // The core's figure follows the heartbeats (1 s): give it time to catch up; a figure
    // that never does is reported as it is.
    (void)WaitFor([&] { return Status("core").value("dedup_saved_bytes", int64_t{-1}) == sum; }, 15,
                  "the core's dedup_saved_bytes");
    r.core_saved = Status("core").value("dedup_saved_bytes", int64_t{-1});
    r.ok = true;
    StopAll();
    return r;
  }

 private:
  bool Launch() {
    std::vector<std::string> names = {"core"};
    names.insert(names.end(), kEdges.begin(), kEdges.end());
    if (!Issue(names)) return false;
    if (!procs_["core"].Start(Argv(TERN_CORE_PATH, "core", true), Dir("core") + ".log"))
      return Fail("cannot start tern-core");
    if (!WaitFor([&] { return Status("core").value("connected", false); }, 30, "the core"))
      return false;
    std::error_code ec;
    fs::create_directories(Dir("src-drop"), ec);
    if (ec) return Fail("cannot create " + Dir("src-drop") + ": " + ec.message());
    for (const auto& n : kEdges) {
      auto v = Argv(TERN_EDGE_PATH, n, false);
      Add(&v, {"source.synthetic.enabled=false",
               std::string("store.dedup=") + (dedup_ ? "true" : "false")});
      if (n == "src")
        Add(&v, {"source.dropdir.path=" + Dir("src-drop"), "source.dropdir.poll=50ms"});
      Add(&v, a_.edge_set);
      if (!procs_[n].Start(v, Dir(n) + ".log")) return Fail("cannot start " + n);
    }
    // Every edge registered and the peers known to src before the files come.
    for (const auto& n : kEdges) {
      if (!WaitFor([&] { return Status(n).value("addr", 0u) != 0; }, 60, n + "'s address"))
        return false;
    }
    return WaitFor([&] { return Status("src").value("replication_blocked", true) == false; }, 60,
                   "src to see its peers");
  }

  const DedupArgs& a_;
  const bool dedup_;
};

json RateJson(const RunResult& r, const Workload& w) {
  return {{"seconds", r.seconds},
          {"files_per_s", static_cast<double>(w.content.size()) / r.seconds},
          {"mb_per_s", static_cast<double>(w.bytes) / (1 << 20) / r.seconds}};
}

int Run(const DedupArgs& a) {
  tern::testing::TempDir tmp("tern-bench-dedup");
  if (!RootOk(tmp.path())) return 2;
  IngestArgs say;  // Say() only reads .json
  say.json = a.json;
  const Workload w = MakeWorkload(a);
  Say(say, std::to_string(a.files) + " files (" + Fmt(static_cast<double>(w.bytes) / (1 << 20)) +
               " MB), " + std::to_string(w.duplicates) + " of them duplicates");
  std::map<bool, RunResult> runs;
  for (bool dedup : {false, true}) {
    Say(say, std::string("run with store.dedup=") + (dedup ? "true" : "false"));
    const std::string root = tmp / (dedup ? "on" : "off");
    auto broker = StartBenchBroker(root, a.plain, "dedup");
    if (!broker) return 2;
    DedupSite site(a, root, *broker, dedup);
    runs[dedup] = site.Run(w);
    if (!runs[dedup].ok) {
      std::fprintf(stderr, "tern-bench dedup: %s\n", runs[dedup].error.c_str());
      return 1;
    }
  }
  const RunResult& on = runs[true];
  const RunResult& off = runs[false];
  int64_t saved = 0, saved_off = 0;
  for (const auto& [n, v] : on.saved) saved += v;
  for (const auto& [n, v] : off.saved) saved_off += v;
  const int64_t expected = w.duplicate_bytes * static_cast<int64_t>(kEdges.size());
  const bool exact = saved == expected && saved_off == 0;
  json out = {{"files", a.files},
              {"duplicate_files", w.duplicates},
              {"file_bytes", w.bytes},
              {"stores", kEdges.size()},
              {"saved_bytes", saved},
              {"expected_saved_bytes", expected},
              {"saved_bytes_per_store", on.saved},
              {"expected_saved_bytes_per_store", w.duplicate_bytes},
              {"core_saved_bytes", on.core_saved},
              {"saved_bytes_dedup_off", saved_off},
              {"exact", exact},
              {"dedup_on", RateJson(on, w)},
              {"dedup_off", RateJson(off, w)}};
  if (a.json) {
    std::cout << out.dump() << "\n";
  } else {
    std::printf("files: %d (%.1f MB), duplicates: %d (%.1f MB per store)\n", a.files,
                static_cast<double>(w.bytes) / (1 << 20), w.duplicates,
                static_cast<double>(w.duplicate_bytes) / (1 << 20));
    std::printf("saved: %lld bytes in %zu stores, expected %lld: %s (core says %lld)\n",
                static_cast<long long>(saved), kEdges.size(), static_cast<long long>(expected),
                exact ? "exact" : "MISMATCH", static_cast<long long>(on.core_saved));
    for (const auto& [label, r] : {std::pair{"on ", &on}, std::pair{"off", &off}}) {
      std::printf("dedup %s: %.2f s, %.0f files/s, %.1f MB/s\n", label, r->seconds,
                  static_cast<double>(a.files) / r->seconds,
                  static_cast<double>(w.bytes) / (1 << 20) / r->seconds);
    }
  }
  return exact ? 0 : 1;
}

}  // namespace
}  // namespace tern::bench

int DedupBenchMain(int argc, char** argv) {
  tern::bench::DedupArgs a;
  CLI::App app{"tern-bench dedup: bytes saved by dedup on duplicate files, ingest on vs off"};
  app.add_flag("--json", a.json, "one JSON object on stdout");
  app.add_flag("--plain", a.plain, "plain MQTT instead of the site PKI");
  app.add_option("--files", a.files, "files dropped")
      ->check(CLI::Range(2, 100000))
      ->capture_default_str();
  app.add_option("--dup", a.dup, "share of the files that copy an earlier one")
      ->check(CLI::Range(0.0, 0.9))
      ->capture_default_str();
  app.add_option("--max-kb", a.max_kb, "largest file, KiB (each file fits one blob part)")
      ->check(CLI::Range(2, 200))
      ->capture_default_str();
  app.add_option("--timeout", a.timeout, "seconds to wait for each run")->capture_default_str();
  app.add_option("--edge-set", a.edge_set, "extra --set for every edge");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  tern::bench::InstallInterruptHandlers();
  return tern::bench::Run(a);
}
