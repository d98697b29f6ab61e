// tern-bench: prints throughput, latency and simulation figures. Each subcommand lives in
// its own file; this file only dispatches. Figures and their commands go in docs/benchmarks.md.
#include <cstdio>
#include <cstring>
#include <string>

#include "tern/common/version.h"

int IngestBenchMain(int argc, char** argv);    // ingest_bench.cpp
int BoardBenchMain(int argc, char** argv);     // board_bench.cpp
int ScheduleBenchMain(int argc, char** argv);  // schedule_bench.cpp
int MsmveBenchMain(int argc, char** argv);     // msmve_bench.cpp
int RepairBenchMain(int argc, char** argv);    // repair_bench.cpp
int DedupBenchMain(int argc, char** argv);     // dedup_bench.cpp
int CacheBenchMain(int argc, char** argv);     // cache_bench.cpp
int ColocateBenchMain(int argc, char** argv);  // colocate_bench.cpp
int TiersBenchMain(int argc, char** argv);     // tiers_bench.cpp

int main(int argc, char** argv) {
  const std::string sub = argc > 1 ? argv[1] : "";
  if (sub == "--version") {
    std::printf("%s\n", tern::VersionLine("tern-bench").c_str());
    return 0;
  }
#ifdef TERN_BENCH_HAVE_INGEST
  if (sub == "ingest") return IngestBenchMain(argc - 1, argv + 1);
  if (sub == "repair") return RepairBenchMain(argc - 1, argv + 1);
  if (sub == "dedup") return DedupBenchMain(argc - 1, argv + 1);
  if (sub == "cache") return CacheBenchMain(argc - 1, argv + 1);
  if (sub == "colocate") return ColocateBenchMain(argc - 1, argv + 1);
#endif
#ifdef TERN_BENCH_HAVE_BOARD
  if (sub == "board") return BoardBenchMain(argc - 1, argv + 1);
#endif
#ifdef TERN_BENCH_HAVE_SCHEDULE
  if (sub == "schedule") return ScheduleBenchMain(argc - 1, argv + 1);
#endif
#ifdef TERN_BENCH_HAVE_MSMVE
  if (sub == "msmve") return MsmveBenchMain(argc - 1, argv + 1);
#endif
#ifdef TERN_BENCH_HAVE_TIERS
  if (sub == "tiers") return TiersBenchMain(argc - 1, argv + 1);
#endif
  std::fprintf(
      stderr,
      "usage: tern-bench <ingest|repair|dedup|cache|colocate|board|schedule|msmve|tiers> [--json] "
      "[options]\n"
      "       tern-bench --version\n"
      "  ingest  records/s and MB/s into three durable copies, ack latency per grade\n"
      "  repair  lose a store for good: time back to three copies, MB/s, ingest p99 during repair\n"
      "  dedup   duplicate files: bytes saved vs expected, ingest with dedup on vs off\n"
      "  cache   the core's read cache: hit rate and get latency p50/p99, cache off vs on\n"
      "  colocate  analysis jobs over co-located vs randomly placed channels: time, bytes moved\n"
      "  board   Verilated board cycles/s and register accesses/s over simulated SPI\n"
      "  schedule  alarm latency under a bulk flood, fairness and weight shares\n"
      "  msmve   multiscale multivariate sample entropy: fast exact vs naive\n"
      "  tiers   value-model tiering vs LRU vs LFU: hot hit rate, bytes migrated, read latency\n");
  return sub.empty() || sub == "--help" || sub == "-h" ? 0 : 2;
}
