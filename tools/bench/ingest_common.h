// Shared pieces of tern-bench ingest: its options, the interrupt flag every waiting loop
// checks (set by SIGINT/SIGTERM so that runs return early and the Process destructors kill
// the children), clock and sleep helpers, status.json reading and number formatting.
// The subcommand has two modes, each in a file of its own: the default one
// (ingest_classic.cpp: throughput, latency, broker ceiling) and --compare-security
// (ingest_compare.cpp: the same site plain and on its PKI, interleaved).
#pragma once

#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#ifndef TERN_EDGE_PATH
#define TERN_EDGE_PATH "tern-edge"
#endif
#ifndef TERN_CORE_PATH
#define TERN_CORE_PATH "tern-core"
#endif

namespace tern::bench {

using Clock = std::chrono::steady_clock;

// Per-record framing in a chunk body: u64 ts + u64 seq + u32 payload length (chunk.cpp).
constexpr int kRecordOverhead = 20;

struct IngestArgs {
  bool json = false;
  double seconds = 30;  // measurement window (after warm-up)
  double warmup = 5;
  double rate = 400000;    // offered records/s in the throughput run (--compare-security: 10000)
  int record_bytes = 100;  // encoded record size; sets the channel count
  int edges = 3;           // peer edges besides the source edge
  double latency_rate = 10000;
  double latency_seconds = 20;
  std::vector<std::string> edge_set;          // --set for every edge, every run
  std::vector<std::string> core_set;          // --set for the core, every run
  std::vector<std::string> latency_edge_set;  // --set for every edge, latency run only
  bool skip_latency = false;
  bool skip_ceiling = false;
  bool compare_security = false;  // plain vs PKI (TLS broker, security.mode=pki), interleaved
  int rounds = 2;                 // --compare-security: rounds of (plain, secure)
};

// The two modes; each returns the process exit code.
int RunIngestClassic(const IngestArgs& a);
int RunCompareSecurity(const IngestArgs& a);

extern std::atomic<bool> g_interrupted;
void InstallInterruptHandlers();  // SIGINT and SIGTERM set g_interrupted

// Progress on stderr, unless --json.
void Say(const IngestArgs& a, const std::string& m);
// False, with a message, when the bench's temporary directory could not be made (TempDir's
// path is then empty, and the runs' directories would land in /).
bool RootOk(const std::string& root);

double Since(Clock::time_point t);
// Sleeps up to `s` seconds in small steps; false if interrupted.
bool SleepFor(double s);
// A JSON file as an object ({} if missing, half-written or not an object), so value()
// lookups cannot throw.
nlohmann::json ReadJson(const std::string& path);
std::string Fmt(double v, int prec = 1);
// Mean of v[from, to); 0 if empty.
double Mean(const std::vector<double>& v, size_t from, size_t to);
// Synthetic channels for a record size (8 B each after the framing), at least one.
int Channels(int record_bytes);

}  // namespace tern::bench
