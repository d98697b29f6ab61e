// tern-bench cache: what the core's read cache (cache.max_bytes, core/src/chunk_cache.h)
// does for `get` on a skewed read trace: hit rate and GET /api/v1/chunks/{id}/bytes latency
// p50/p99 with the cache off and on.
//
// The site: a real broker (the site PKI unless --plain), one tern-core (HTTP API on a free
// loopback port, http.auth = off) and three tern-edge stores, so every chunk lives on all
// three. The run:
//   1. ingest: each edge's synthetic source writes --chunks / 3 chunks (chunk.max_records
//      records each) and stops; wait until every chunk is acked, analysed and unspooled
//      (the core's spool empty), so every read has to go to a holder or the cache;
//   2. the trace: --reads ids drawn from the chunks with a Zipf(--zipf) law over a seeded
//      random ranking (a few hot chunks, a long cold tail); the same trace for both runs;
//   3. off: the core runs with cache.max_bytes=0; the trace is replayed, one GET at a time,
//      each answer's SHA-256 checked against the id;
//   4. on: the core restarts on the same data with cache.max_bytes=--cache-mb MiB (cache
//      empty), waits for the three edges to be live again, and replays the same trace.
// Per run: hit rate (answers with X-Tern-Holder: cache), the core's cache_hits and
// cache_misses, latency p50/p99/mean in ms (the whole HTTP request from this client, connect
// included). Text, or with --json one object: {"chunks", "reads", "zipf", "off": {...},
// "on": {...}, "p50_speedup", "p99_speedup"}.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <numeric>
#include <random>
#include <thread>

#include "bench_site.h"
#include "http_client.h"
#include "ingest_common.h"
#include "tern/common/bytes.h"
#include "tern/common/chunk.h"

namespace tern::bench {
namespace {
using nlohmann::json;
namespace fs = std::filesystem;

struct CacheArgs {
  bool json = false;
  bool plain = false;
  int chunks = 600;
  int reads = 3000;
  double zipf = 1.1;
  int cache_mb = 64;
  int records_per_chunk = 50;
  uint64_t seed = 7;
  double timeout = 300;
};

constexpr int kEdges = 3;

struct Answer {
  int status = -1;
  bool cached = false;
  std::string body;
};

Answer GetChunk(int port, const std::string& hex) {
  const std::string raw =
      tern::testing::RawHttp(port, "GET /api/v1/chunks/" + hex + "/bytes HTTP/1.0\r\n\r\n");
  Answer a;
  const size_t head = raw.find("\r\n\r\n");
  if (head == std::string::npos) return a;
  a.status = tern::testing::HttpStatusOf(raw);
  a.cached = raw.substr(0, head + 2).find("\r\nX-Tern-Holder: cache\r\n") != std::string::npos;
  a.body = raw.substr(head + 4);
  return a;
}

class CacheSite : public BenchSite {
 public:
  CacheSite(const CacheArgs& a, const std::string& root, tern::testing::Broker& broker)
      : BenchSite(root, broker), a_(a) {}
  json CoreStatus() const { return Status("core"); }
  int Port() const { return CoreStatus().value("http_port", -1); }

  bool Launch() {
    std::vector<std::string> names = {"core"};
    for (int i = 0; i < kEdges; ++i) names.push_back(Edge(i));
    if (!Issue(names) || !StartCore(0)) return false;
    const int per_edge = a_.chunks / kEdges * a_.records_per_chunk;
    for (int i = 0; i < kEdges; ++i) {
      auto v = Argv(TERN_EDGE_PATH, Edge(i), false);
      Add(&v, {"source.synthetic.rate=5000", "chunk.window=1s",
               "source.synthetic.max_records=" + std::to_string(per_edge),
               "chunk.max_records=" + std::to_string(a_.records_per_chunk)});
      if (!procs_[Edge(i)].Start(v, Dir(Edge(i)) + ".log")) return Fail("cannot start an edge");
    }
    auto settled = [&] {
      int64_t records = 0;
      for (int i = 0; i < kEdges; ++i) {
        json e = Status(Edge(i));
        if (e.value("outbox_chunks", 1) != 0) return false;
        records += e.value("counters", json::object()).value("records_local", int64_t{0});
      }
      json c = CoreStatus();
      return records >= int64_t{per_edge} * kEdges && c.value("spool_depth", 1) == 0 &&
             c.value("results_placing", 1) == 0 &&
             c.value("scheduler", json::object()).value("queued", 1) == 0;
    };
    return WaitFor(settled, a_.timeout, "every chunk acked, analysed and unspooled");
  }

  // (Re)starts the core with the given cache bound and waits for the edges to be live.
  bool StartCore(int64_t cache_bytes) {
    procs_["core"].Stop(std::chrono::milliseconds(5000));
    fs::remove(Dir("core") + "/status.json");
    auto v = Argv(TERN_CORE_PATH, "core", true);
    Add(&v, {"http.port=0", "http.auth=off", "status.interval=200ms",
             "cache.max_bytes=" + std::to_string(cache_bytes)});
    if (!procs_["core"].Start(v, Dir("core") + ".log")) return Fail("cannot start tern-core");
    return WaitFor(
        [&] {
          json c = CoreStatus();
          if (!c.value("connected", false) || c.value("http_port", -1) <= 0) return false;
          if (procs_.size() < 2) return true;  // the first start: no edges yet
          int live = 0;
          for (const auto& n : c.value("nodes", json::array()))
            live += n.value("state", "") == "live";
          return live == kEdges;
        },
        a_.timeout, "the core and its live edges");
  }

  // Every data chunk's id (hex), from the HTTP API.
  std::vector<std::string> ChunkIds() {
    std::vector<std::string> ids;
    const auto r = tern::testing::HttpCall(Port(), "GET", "/api/v1/chunks?source=vib&limit=10000");
    json doc = json::parse(r.body, nullptr, false);
    if (r.status != 200 || !doc.is_object()) {
      Fail("GET /api/v1/chunks: " + std::to_string(r.status) + " " + r.body.substr(0, 200));
      return ids;
    }
    for (const auto& c : doc.value("chunks", json::array()))
      if (c.value("acked", false)) ids.push_back(c.value("id", ""));
    return ids;
  }

 private:
  static std::string Edge(int i) { return "store" + std::to_string(i + 1); }

  const CacheArgs& a_;
};

// --reads indices into `n` chunks, Zipf(s) over a seeded random ranking of the chunks.
std::vector<size_t> ZipfTrace(size_t n, int reads, double s, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<size_t> rank(n);
  std::iota(rank.begin(), rank.end(), size_t{0});
  std::shuffle(rank.begin(), rank.end(), rng);
  std::vector<double> cdf(n);
  double sum = 0;
  for (size_t k = 0; k < n; ++k) cdf[k] = sum += 1.0 / std::pow(static_cast<double>(k + 1), s);
  std::uniform_real_distribution<double> u(0, sum);
  std::vector<size_t> out;
  for (int i = 0; i < reads; ++i) {
    const size_t k =
        static_cast<size_t>(std::lower_bound(cdf.begin(), cdf.end(), u(rng)) - cdf.begin());
    out.push_back(rank[std::min(k, n - 1)]);
  }
  return out;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size()))) - 1;
  return v[std::min(i, v.size() - 1)];
}

// Replays the trace once; the figures of one run, or an "error" field.
json Replay(CacheSite& site, const std::vector<std::string>& ids,
            const std::vector<size_t>& trace) {
  const int port = site.Port();
  const json before = site.CoreStatus().value("counters", json::object());
  std::vector<double> ms;
  int cached = 0, bad = 0;
  for (size_t i : trace) {
    if (g_interrupted) return {{"error", "interrupted"}};
    const auto t0 = Clock::now();
    const Answer a = GetChunk(port, ids[i]);
    ms.push_back(Since(t0) * 1000);
    if (a.status != 200 || ToHex(ChunkIdOf(a.body)) != ids[i]) ++bad;
    cached += a.cached;
  }
  SleepFor(0.5);  // status.json is rewritten every 200 ms
  const json after = site.CoreStatus().value("counters", json::object());
  auto moved = [&](const char* k) {
    return after.value(k, int64_t{0}) - before.value(k, int64_t{0});
  };
  const double n = static_cast<double>(trace.size());
  return {{"hit_rate", cached / n},
          {"core_cache_hits", moved("cache_hits")},
          {"core_cache_misses", moved("cache_misses")},
          {"cache_bytes", after.value("cache_bytes", int64_t{0})},
          {"failed_reads", bad},
          {"p50_ms", Percentile(ms, 0.50)},
          {"p99_ms", Percentile(ms, 0.99)},
          {"mean_ms", std::accumulate(ms.begin(), ms.end(), 0.0) / n}};
}

int Run(const CacheArgs& a) {
  tern::testing::TempDir tmp("tern-bench-cache");
  if (!RootOk(tmp.path())) return 2;
  auto broker = StartBenchBroker(tmp.path(), a.plain, "cache");
  if (!broker) return 2;
  CacheSite site(a, tmp.path(), *broker);
  IngestArgs say;  // Say() only reads .json
  say.json = a.json;
  auto fail = [&](const std::string& stage) {
    std::fprintf(stderr, "tern-bench cache: %s: %s\n", stage.c_str(), site.error().c_str());
    site.StopAll();
    return 1;
  };
  Say(say, "ingesting about " + std::to_string(a.chunks) + " chunks on " + std::to_string(kEdges) +
               " stores (cache off)");
  if (!site.Launch()) return fail("ingest");
  const std::vector<std::string> ids = site.ChunkIds();
  if (ids.empty()) return fail("chunk list");
  const auto trace = ZipfTrace(ids.size(), a.reads, a.zipf, a.seed);
  std::map<size_t, int> distinct;
  for (size_t i : trace) ++distinct[i];

  Say(say, "replaying " + std::to_string(a.reads) + " reads over " + std::to_string(ids.size()) +
               " chunks, cache off");
  json off = Replay(site, ids, trace);
  Say(say, "restarting the core with cache.max_bytes = " + std::to_string(a.cache_mb) + " MiB");
  if (!site.StartCore(int64_t{a.cache_mb} << 20)) return fail("restart");
  Say(say, "replaying the same trace, cache on");
  json on = Replay(site, ids, trace);
  site.StopAll();
  if (off.contains("error") || on.contains("error")) return 1;
  auto ratio = [](const json& x, const json& y, const char* k) {
    return y[k].get<double>() > 0 ? x[k].get<double>() / y[k].get<double>() : 0.0;
  };
  json out = {{"chunks", ids.size()},
              {"distinct_chunks_read", distinct.size()},
              {"reads", a.reads},
              {"zipf", a.zipf},
              {"cache_mb", a.cache_mb},
              {"off", off},
              {"on", on},
              {"p50_speedup", ratio(off, on, "p50_ms")},
              {"p99_speedup", ratio(off, on, "p99_ms")}};
  if (a.json) {
    std::cout << out.dump() << "\n";
  } else {
    std::printf("%zu chunks, %d reads (Zipf s=%.2f, %zu distinct chunks read), cache %d MiB\n",
                ids.size(), a.reads, a.zipf, distinct.size(), a.cache_mb);
    auto line = [](const char* name, const json& r) {
      std::printf(
          "cache %s: hit rate %5.1f %%  p50 %6.2f ms  p99 %6.2f ms  mean %6.2f ms  (core: %lld "
          "hits, %lld misses; failed reads %d)\n",
          name, 100 * r["hit_rate"].get<double>(), r["p50_ms"].get<double>(),
          r["p99_ms"].get<double>(), r["mean_ms"].get<double>(),
          static_cast<long long>(r["core_cache_hits"].get<int64_t>()),
          static_cast<long long>(r["core_cache_misses"].get<int64_t>()),
          r["failed_reads"].get<int>());
    };
    line("off", off);
    line("on ", on);
    std::printf("speed-up with the cache: p50 x%.1f, p99 x%.1f\n", out["p50_speedup"].get<double>(),
                out["p99_speedup"].get<double>());
  }
  return off["failed_reads"].get<int>() == 0 && on["failed_reads"].get<int>() == 0 ? 0 : 1;
}

}  // namespace
}  // namespace tern::bench

int CacheBenchMain(int argc, char** argv) {
  tern::bench::CacheArgs a;
  CLI::App app{"tern-bench cache: hit rate and get latency on a skewed trace, cache off and on"};
  app.add_flag("--json", a.json, "one JSON object on stdout");
  app.add_flag("--plain", a.plain, "plain MQTT instead of the site PKI");
  app.add_option("--chunks", a.chunks, "data chunks to ingest (spread over 3 stores)")
      ->check(CLI::Range(3, 30000))
      ->capture_default_str();
  app.add_option("--reads", a.reads, "reads in the trace")
      ->check(CLI::Range(1, 10000000))
      ->capture_default_str();
  app.add_option("--zipf", a.zipf, "Zipf exponent of the trace (0 = uniform)")
      ->check(CLI::Range(0.0, 5.0))
      ->capture_default_str();
  app.add_option("--cache-mb", a.cache_mb, "cache.max_bytes of the cache-on run, MiB")
      ->check(CLI::Range(1, 65536))
      ->capture_default_str();
  app.add_option("--records-per-chunk", a.records_per_chunk, "records per chunk (6 channels)")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  app.add_option("--seed", a.seed, "seed of the trace")->capture_default_str();
  app.add_option("--timeout", a.timeout, "seconds to wait for each stage")->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  tern::bench::InstallInterruptHandlers();
  return tern::bench::Run(a);
}
