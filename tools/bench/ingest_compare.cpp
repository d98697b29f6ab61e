// tern-bench ingest --compare-security: what TLS and the site PKI cost the data path. In one
// invocation the same site (ingest_topology.h) runs plain (anonymous TCP broker, daemons in
// security.mode=insecure) and secure (the broker a real site runs: TLS, client certificates,
// CRL, per-node ACL; every daemon with its own certificate in security.mode=pki), alternating
// plain, secure, plain, secure ... over --rounds, each run on a fresh broker at --rate
// records/s for --seconds after --warmup. Whatever security.mode=pki does in the daemons is
// what the secure runs measure (statement signatures too, once the daemons make them).
// Reported per configuration: records/s acked by the core and core-ack p50/p99, as medians
// and ranges over the rounds; the cost (plain − secure) in % of records/s and in ms of p99;
// and an Ed25519 verification rate on one thread (sig_verify_bench.h).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "broker.h"
#include "ingest_common.h"
#include "ingest_topology.h"
#include "process.h"
#include "sig_verify_bench.h"

namespace tern::bench {
namespace {
using nlohmann::json;

constexpr double kTargetRecordsCostPct = 15;  // the security issue's targets, at 10,000/s
constexpr double kTargetP99CostMs = 5;
constexpr size_t kSigMessageBytes = 200;
constexpr double kSigSeconds = 1.0;

// One configuration's figure over the rounds.
struct Spread {
  std::vector<double> per_round;
  double min = 0, median = 0, max = 0;
};

Spread SpreadOf(const std::vector<double>& v) {
  Spread s;
  s.per_round = v;
  if (v.empty()) return s;
  std::vector<double> x = v;
  std::sort(x.begin(), x.end());
  s.min = x.front();
  s.max = x.back();
  size_t n = x.size();
  s.median = n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
  return s;
}

// `v` to `decimals` places (by dividing, so that 46.8 prints as 46.8).
double Round(double v, int decimals) {
  const double p = std::pow(10.0, decimals);
  return std::round(v * p) / p;
}

json SpreadJson(const Spread& s, int decimals) {
  json rounds = json::array();
  for (double v : s.per_round) rounds.push_back(Round(v, decimals));
  return {{"median", Round(s.median, decimals)},
          {"min", Round(s.min, decimals)},
          {"max", Round(s.max, decimals)},
          {"rounds", rounds}};
}

// The figures of one run, in the order the runs were made.
struct RunFigures {
  int round = 0;
  bool secure = false;
  double records_per_s = 0, p50 = 0, p99 = 0, collected_per_s = 0;
  uint64_t core_acks = 0;  // chunks behind p50/p99 (whole run, from status.json)
  int64_t records_refused = 0;
  json cpu;
};

// The figures every configuration reports, by JSON name and decimals.
struct Figure {
  const char* name;
  int decimals;
  double (*get)(const RunFigures&);
};
const Figure kFigures[] = {
    {"records_per_s", 0, [](const RunFigures& f) { return f.records_per_s; }},
    {"core_ack_p99_ms", 1, [](const RunFigures& f) { return f.p99; }},
    {"core_ack_p50_ms", 1, [](const RunFigures& f) { return f.p50; }},
    {"collected_per_s", 0, [](const RunFigures& f) { return f.collected_per_s; }},
    {"broker_cpu_pct", 1, [](const RunFigures& f) { return f.cpu.value("broker", 0.0); }},
    {"core_cpu_pct", 1, [](const RunFigures& f) { return f.cpu.value("core", 0.0); }},
    {"source_edge_cpu_pct", 1, [](const RunFigures& f) { return f.cpu.value("source_edge", 0.0); }},
    {"machine_busy_pct", 1,
     [](const RunFigures& f) { return f.cpu.value("machine_busy_pct", 0.0); }},
};

Spread SpreadFor(const std::vector<RunFigures>& runs, bool secure, const Figure& fig) {
  std::vector<double> v;
  for (const auto& r : runs) {
    if (r.secure == secure) v.push_back(fig.get(r));
  }
  return SpreadOf(v);
}

// One run on a fresh broker of its own; false (error set) on failure.
bool RunOnce(const IngestArgs& a, const std::string& root, int round, bool secure, RunFigures* out,
             std::string* error) {
  const std::string name = std::string(secure ? "secure" : "plain") + std::to_string(round);
  const std::string broker_dir = root + "/" + name + "/broker";
  std::error_code ec;
  std::filesystem::create_directories(broker_dir, ec);
  tern::testing::Broker broker(
      broker_dir, secure ? tern::testing::BrokerMode::kPki : tern::testing::BrokerMode::kPlain);
  if (!broker.ok()) {
    *error = name + ": cannot start mosquitto: " + broker.log();
    return false;
  }
  // Both configurations use the daemons' default topic prefix, the one the PKI's ACL is for.
  RunSpec spec{name, "", a.rate, a.warmup, a.seconds, a.edge_set, a.core_set};
  RunResult r = Topology(a, spec, root, broker).Run();
  if (!r.ok) {
    *error = r.error;
    return false;
  }
  out->round = round;
  out->secure = secure;
  out->records_per_s = r.records_per_s();
  out->p50 = r.grades["core"].p50;
  out->p99 = r.grades["core"].p99;
  out->core_acks = r.grades["core"].count;
  out->collected_per_s = r.collected_per_s;
  out->records_refused = r.records_refused;
  out->cpu = r.cpu;
  return true;
}

void PrintTable(const IngestArgs& a, const json& out, const std::vector<RunFigures>& runs,
                const SigVerifyResult& sv) {
  std::printf(
      "tern-bench ingest --compare-security: %s records/s offered, %d B records, %d peers, %d "
      "round(s) of plain then secure, %s s warm-up + %s s each\n",
      Fmt(a.rate, 0).c_str(), out["record_bytes"].get<int>(), a.edges, a.rounds,
      Fmt(a.warmup, 0).c_str(), Fmt(a.seconds, 0).c_str());
  std::printf("  %-22s %-28s %-28s\n", "median (min-max)", "plain", "secure (TLS + PKI)");
  for (const Figure& f : kFigures) {
    auto cell = [&](const char* config) {
      const json& s = out[config][f.name];
      const int prec = f.decimals;
      return Fmt(s["median"].get<double>(), prec) + " (" + Fmt(s["min"].get<double>(), prec) + "-" +
             Fmt(s["max"].get<double>(), prec) + ")";
    };
    std::printf("  %-22s %-28s %-28s\n", f.name, cell("plain").c_str(), cell("secure").c_str());
  }
  std::printf("  records/s cost        %s %%   (target <= %.0f %%)\n",
              Fmt(out["records_cost_pct"].get<double>(), 2).c_str(), kTargetRecordsCostPct);
  std::printf("  core ack p99 cost     %+.1f ms (target <= %.0f ms at 10000 records/s)\n",
              out["p99_cost_ms"].get<double>(), kTargetP99CostMs);
  std::printf(
      "  Ed25519 verify        %.0f per CPU-second on one thread, %zu B messages (%.0f/s wall)\n",
      sv.per_cpu_s(), sv.message_bytes, sv.per_wall_s());
  std::printf("runs in order (records/s, core ack p99 ms, machine busy %%):\n");
  for (const auto& r : runs) {
    std::printf("  %-7s round %d  %10.0f  %6.1f  %5.1f\n", r.secure ? "secure" : "plain", r.round,
                r.records_per_s, r.p99, r.cpu.value("machine_busy_pct", 0.0));
  }
}

}  // namespace

int RunCompareSecurity(const IngestArgs& a) {
  tern::testing::TempDir root("tern-bench-security");
  if (!RootOk(root.path())) return 1;
  Say(a, "Ed25519 verification on one thread, " + std::to_string(kSigMessageBytes) +
             " B messages, " + Fmt(kSigSeconds, 0) + " s ...");
  SigVerifyResult sv = MeasureSigVerify(kSigSeconds, kSigMessageBytes);
  if (!sv.ok) {
    std::fprintf(stderr, "tern-bench ingest: signature benchmark: %s\n", sv.error.c_str());
    return 1;
  }

  std::vector<RunFigures> runs;
  for (int round = 1; round <= a.rounds; ++round) {
    for (bool secure : {false, true}) {
      Say(a, std::string(secure ? "secure (TLS, certificates, ACL; security.mode=pki)"
                                : "plain (anonymous TCP; security.mode=insecure)") +
                 ", round " + std::to_string(round) + " of " + std::to_string(a.rounds) + ": " +
                 Fmt(a.rate, 0) + " records/s, " + Fmt(a.warmup, 0) + " s warm-up + " +
                 Fmt(a.seconds, 0) + " s ...");
      RunFigures f;
      std::string error;
      if (!RunOnce(a, root.path(), round, secure, &f, &error)) {
        std::fprintf(
            stderr,
            "tern-bench ingest: %s\n(the logs were under %s; TERN_KEEP_TEST_DIRS=1 keeps them)\n",
            error.c_str(), root.path().c_str());
        return 1;
      }
      runs.push_back(f);
    }
  }

  json out;
  for (bool secure : {false, true}) {
    json& c = out[secure ? "secure" : "plain"];
    c["security"] = secure ? "TLS broker with client certificates, CRL and ACL; security.mode=pki"
                           : "anonymous TCP broker; security.mode=insecure";
    for (const Figure& f : kFigures) c[f.name] = SpreadJson(SpreadFor(runs, secure, f), f.decimals);
  }
  const Spread rec_plain = SpreadFor(runs, false, kFigures[0]);
  const Spread rec_secure = SpreadFor(runs, true, kFigures[0]);
  const Spread p99_plain = SpreadFor(runs, false, kFigures[1]);
  const Spread p99_secure = SpreadFor(runs, true, kFigures[1]);
  // The cost from the medians as printed, so that the object adds up.
  const double rp = Round(rec_plain.median, 0), rs = Round(rec_secure.median, 0);
  const double pp = Round(p99_plain.median, 1), ps = Round(p99_secure.median, 1);
  out["records_per_s_plain"] = rp;
  out["records_per_s_secure"] = rs;
  out["core_ack_p99_ms_plain"] = pp;
  out["core_ack_p99_ms_secure"] = ps;
  out["records_cost_pct"] = rp > 0 ? Round((rp - rs) / rp * 100, 2) : 0.0;
  out["p99_cost_ms"] = Round(ps - pp, 1);
  out["sig_verify_per_s_per_cpu"] = std::round(sv.per_cpu_s());
  out["sig_verify"] = {{"algorithm", "Ed25519 (crypto::PublicKey::Verify)"},
                       {"message_bytes", sv.message_bytes},
                       {"verifications", sv.verifications},
                       {"thread_cpu_s", Round(sv.cpu_s, 3)},
                       {"wall_s", Round(sv.wall_s, 3)},
                       {"per_s_wall", std::round(sv.per_wall_s())}};
  out["offered_records_per_s"] = a.rate;
  out["seconds"] = a.seconds;
  out["warmup"] = a.warmup;
  out["rounds"] = a.rounds;
  out["edges"] = a.edges;
  out["record_bytes"] = kRecordOverhead + 8 * Channels(a.record_bytes);
  json order = json::array();
  for (const auto& r : runs) {
    order.push_back({{"round", r.round},
                     {"config", r.secure ? "secure" : "plain"},
                     {"records_per_s", std::round(r.records_per_s)},
                     {"core_ack_p50_ms", r.p50},
                     {"core_ack_p99_ms", r.p99},
                     {"core_acks_whole_run", r.core_acks},
                     {"collected_per_s", std::round(r.collected_per_s)},
                     {"records_refused_whole_run", r.records_refused},
                     {"cpu_pct", r.cpu}});
  }
  out["runs"] = order;
  out["targets"] = {{"records_cost_pct_max", kTargetRecordsCostPct},
                    {"p99_cost_ms_max", kTargetP99CostMs},
                    {"stated_at_records_per_s", 10000}};
  out["definitions"] = {
      {"records_per_s",
       "records in chunks the core acked (3 holders, manifest committed) per "
       "second of the window; the *_plain/*_secure keys are medians over rounds"},
      {"core_ack_p99_ms",
       "p99 from a chunk's first record collected to the core's ack, whole "
       "run (warm-up included), from the source edge's status.json"},
      {"records_cost_pct",
       "(records_per_s_plain - records_per_s_secure) / records_per_s_plain "
       "* 100, of the medians; bounded by the offer when --rate is below "
       "what the site takes"},
      {"p99_cost_ms", "core_ack_p99_ms_secure - core_ack_p99_ms_plain, of the medians"},
      {"sig_verify_per_s_per_cpu",
       "Ed25519 verifications of 200-byte messages per CPU-second "
       "of one thread, in process, before the runs"}};
  if (a.json) {
    std::printf("%s\n", out.dump().c_str());
  } else {
    PrintTable(a, out, runs, sv);
  }
  return 0;
}

}  // namespace tern::bench
