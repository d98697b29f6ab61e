// tern-bench ingest, the default mode: how many 100-byte records per second one edge gets
// into three durable copies with the core's manifest current, how long each ack grade takes,
// how close that comes to what the broker alone can move, and whether the edge's memory
// stays flat. Three phases share one plain broker (the Broker fixture, security.mode =
// insecure): 1. throughput at a saturating --rate; 2. latency at --latency-rate (10,000
// records/s); 3. the broker ceiling at the throughput run's mean chunk size. Prints a table,
// or one JSON object with --json (definitions included). Figures: docs/benchmarks.md.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "broker.h"
#include "ingest_ceiling.h"
#include "ingest_common.h"
#include "ingest_topology.h"
#include "process.h"

namespace tern::bench {
namespace {
using nlohmann::json;
namespace fs = std::filesystem;

json GradesJson(const RunResult& r) {
  json g = json::object();
  for (auto& [k, v] : r.grades) g[k] = {{"count", v.count}, {"p50_ms", v.p50}, {"p99_ms", v.p99}};
  return g;
}
}  // namespace

int RunIngestClassic(const IngestArgs& a) {
  const int channels = Channels(a.record_bytes);
  const int record_bytes = kRecordOverhead + 8 * channels;

  tern::testing::TempDir root("tern-bench-ingest");
  if (!RootOk(root.path())) return 1;
  std::error_code ec;
  fs::create_directories(root / "broker", ec);
  tern::testing::Broker broker(root / "broker");
  if (!broker.ok()) {
    std::fprintf(stderr, "tern-bench ingest: cannot start mosquitto\n");
    return 1;
  }
  int inflight = 64;  // tern-edge's mqtt.max_inflight default, unless overridden
  for (const auto& kv : a.edge_set) {
    if (kv.rfind("mqtt.max_inflight=", 0) == 0) inflight = std::atoi(kv.c_str() + 18);
  }

  Say(a, "throughput run: " + Fmt(a.rate, 0) + " records/s offered, " +
             std::to_string(record_bytes) + " B records, " + std::to_string(a.edges) + " peers, " +
             Fmt(a.warmup, 0) + " s warm-up + " + Fmt(a.seconds, 0) + " s ...");
  RunSpec tspec{"tput", "tput", a.rate, a.warmup, a.seconds, a.edge_set, a.core_set};
  RunResult tput = Topology(a, tspec, root.path(), broker).Run();
  if (!tput.ok) {
    std::fprintf(stderr, "tern-bench ingest: %s\n", tput.error.c_str());
    return 1;
  }

  RunResult lat;
  if (!a.skip_latency) {
    Say(a, "latency run: " + Fmt(a.latency_rate, 0) + " records/s, " + Fmt(a.latency_seconds, 0) +
               " s ...");
    RunSpec lspec{"lat",      "lat",     a.latency_rate, a.warmup, a.latency_seconds,
                  a.edge_set, a.core_set};
    for (const auto& kv : a.latency_edge_set) lspec.edge_set.push_back(kv);
    lat = Topology(a, lspec, root.path(), broker).Run();
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
    Say(a, "broker ceiling: " + std::to_string(count) + " × " + std::to_string(chunk_size) +
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
  const double rss_first = Mean(rss, 0, third),
               rss_last = Mean(rss, rss.size() - third, rss.size());
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
      {"mb_per_s",
       "encoded record bytes (20 B framing + 8 B per channel, before compression) in chunks the "
       "core acked (3 holders, manifest committed) per second, counted once"},
      {"wire_mb_per_s", "chunk bytes as sent (after compression) of those chunks, counted once"},
      {"broker_ceiling_mb_per_s",
       "same-traffic ceiling: one QoS 1 publisher -> one subscriber at the mean chunk size and the "
       "edge's in-flight window, divided by 3 because every chunk crosses the broker 3 times (1 "
       "uplink + 2 peer puts)"},
      {"ratio", "mb_per_s / broker_ceiling_mb_per_s"},
      {"broker_utilisation", "3 * wire_mb_per_s / broker_stream_mb_per_s"},
      {"grades",
       "latency from a chunk's first record collected to each ack, whole run, from the source "
       "edge's status.json"}};

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
  std::printf(
      "  MB/s (record bytes)         %12.2f   wire %.2f MB/s, %lld B/chunk, %lld rec/chunk\n",
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
  if (!a.skip_latency)
    std::printf("CPU %% of one core (latency window)\n  %s\n", lat.cpu.dump().c_str());
  return 0;
}

}  // namespace tern::bench
