// tern-bench: prints throughput, latency and simulation figures. Each subcommand lives in
// its own file; this file only dispatches. Figures and their commands go in docs/benchmarks.md.
#include <cstdio>
#include <cstring>
#include <string>

int IngestBenchMain(int argc, char** argv);  // ingest_bench.cpp
int BoardBenchMain(int argc, char** argv);   // board_bench.cpp

int main(int argc, char** argv) {
  const std::string sub = argc > 1 ? argv[1] : "";
#ifdef TERN_BENCH_HAVE_INGEST
  if (sub == "ingest") return IngestBenchMain(argc - 1, argv + 1);
#endif
#ifdef TERN_BENCH_HAVE_BOARD
  if (sub == "board") return BoardBenchMain(argc - 1, argv + 1);
#endif
  std::fprintf(stderr,
               "usage: tern-bench <ingest|board> [--json] [options]\n"
               "  ingest  records/s and MB/s into three durable copies, ack latency per grade\n"
               "  board   Verilated board cycles/s and register accesses/s over simulated SPI\n");
  return sub.empty() || sub == "--help" || sub == "-h" ? 0 : 2;
}
