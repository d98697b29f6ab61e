// tern-bench ingest: the command line. Parses the options and hands over to the run
// (ingest_classic.cpp: records/s into three durable copies, ack latency, broker ceiling,
// edge RSS). The site it runs is in ingest_topology.cpp; docs/benchmarks.md documents the
// options and figures.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "ingest_common.h"

int IngestBenchMain(int argc, char** argv) {
  tern::bench::IngestArgs a;
  CLI::App app{
      "tern-bench ingest: records/s into three durable copies, ack latency, broker ceiling, "
      "edge RSS"};
  app.add_flag("--json", a.json, "Print one JSON object instead of a table");
  app.add_option(
         "--seconds", a.seconds,
         "Throughput measurement window in seconds (after warm-up); 600 for the RSS growth check")
      ->check(CLI::PositiveNumber);
  app.add_option("--warmup", a.warmup, "Warm-up seconds before each measurement window")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--rate", a.rate, "Offered records/s in the throughput run")
      ->check(CLI::PositiveNumber);
  app.add_option("--record-bytes", a.record_bytes,
                 "Encoded record size: 20 B framing + 8 B per channel")
      ->check(CLI::Range(28, 8212));
  app.add_option("--edges", a.edges, "Peer edges besides the source edge (at least 2)")
      ->check(CLI::Range(2, 16));
  app.add_option("--latency-rate", a.latency_rate, "Records/s in the latency run")
      ->check(CLI::PositiveNumber);
  app.add_option("--latency-seconds", a.latency_seconds, "Latency run window in seconds")
      ->check(CLI::PositiveNumber);
  app.add_option("--edge-set", a.edge_set, "key=value passed as --set to every edge (both runs)");
  app.add_option("--core-set", a.core_set, "key=value passed as --set to the core (both runs)");
  app.add_option("--latency-edge-set", a.latency_edge_set,
                 "key=value for every edge, latency run only");
  app.add_flag("--skip-latency", a.skip_latency, "Skip the latency run");
  app.add_flag("--skip-ceiling", a.skip_ceiling, "Skip the broker ceiling");
  CLI11_PARSE(app, argc, argv);

  tern::bench::InstallInterruptHandlers();
  return tern::bench::RunIngestClassic(a);
}
