// tern-bench ingest: the command line. Parses the options, checks that they go together and
// hands over to one of the two modes: the default (ingest_classic.cpp: records/s into three
// durable copies, ack latency, broker ceiling, edge RSS) or --compare-security
// (ingest_compare.cpp: the same site plain and on its PKI in one invocation). The site the
// modes run is in ingest_topology.cpp; docs/benchmarks.md documents the options and figures.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "ingest_common.h"

namespace {
using tern::bench::IngestArgs;

// Why the options cannot go together, or "" if they can.
std::string CheckCombination(const CLI::App& app, const IngestArgs& a) {
  if (!a.compare_security) {
    return app.count("--rounds") ? "--rounds goes with --compare-security" : "";
  }
  for (const char* o :
       {"--latency-rate", "--latency-seconds", "--latency-edge-set", "--skip-latency"}) {
    if (app.count(o)) {
      return std::string(o) +
             " does not go with --compare-security: every round of that mode is one run at "
             "--rate (default 10000 records/s), whose core-ack p99 is reported; give --rate "
             "for another load (e.g. --rate 400000 to compare saturated throughput)";
    }
  }
  for (const auto* sets : {&a.edge_set, &a.core_set}) {
    for (const auto& kv : *sets) {
      if (kv.rfind("security.", 0) == 0 || kv.rfind("tls.", 0) == 0) {
        return "--compare-security sets security.* and tls.* itself (plain, then PKI); remove " +
               kv;
      }
    }
  }
  return "";
}
}  // namespace

int IngestBenchMain(int argc, char** argv) {
  IngestArgs a;
  CLI::App app{
      "tern-bench ingest: records/s into three durable copies, ack latency, broker ceiling, "
      "edge RSS; --compare-security: the same plain and with TLS and the site PKI"};
  app.add_flag("--json", a.json, "Print one JSON object instead of a table");
  app.add_option("--seconds", a.seconds,
                 "Measurement window in seconds (after warm-up); 600 for the RSS growth check")
      ->check(CLI::PositiveNumber);
  app.add_option("--warmup", a.warmup, "Warm-up seconds before each measurement window")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--rate", a.rate,
                 "Offered records/s in the throughput run (400000; --compare-security: 10000)")
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
  app.add_option("--edge-set", a.edge_set, "key=value passed as --set to every edge (every run)");
  app.add_option("--core-set", a.core_set, "key=value passed as --set to the core (every run)");
  app.add_option("--latency-edge-set", a.latency_edge_set,
                 "key=value for every edge, latency run only");
  app.add_flag("--skip-latency", a.skip_latency, "Skip the latency run");
  app.add_flag("--skip-ceiling", a.skip_ceiling,
               "Skip the broker ceiling (--compare-security runs none)");
  app.add_flag("--compare-security", a.compare_security,
               "Run the site plain and with TLS and its PKI (security.mode=pki), interleaved "
               "over --rounds, at --rate for --seconds each; report both and the cost");
  app.add_option("--rounds", a.rounds, "--compare-security: rounds of (plain, secure), default 2")
      ->check(CLI::Range(1, 50));
  CLI11_PARSE(app, argc, argv);

  if (std::string why = CheckCombination(app, a); !why.empty()) {
    std::fprintf(stderr, "tern-bench ingest: %s\n", why.c_str());
    return 2;
  }
  tern::bench::InstallInterruptHandlers();
  if (!a.compare_security) return tern::bench::RunIngestClassic(a);
  if (!app.count("--rate")) a.rate = 10000;  // the load the security target is stated at
  return tern::bench::RunCompareSecurity(a);
}
