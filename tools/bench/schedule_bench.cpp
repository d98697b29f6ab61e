// tern-bench schedule: a discrete-event SIMULATION of the core's scheduling policy. The real
// tern::core::Scheduler orders the chunks; the core's processing is modelled as `workers`
// servers with a fixed service rate (bytes/s) plus a per-chunk overhead, on a virtual clock, so
// the figures are deterministic and say nothing about this machine's speed. The same traffic
// is replayed through strict priority and plain FIFO to show what each policy does:
//   idle / loaded: three edges send alarms (Poisson, 10/s each), alone and then beside a fourth
//     edge flooding bulk data faster than the core can process it;
//   equal / weighted: four edges saturating one class with different chunk sizes, weights
//     equal and 1:2:4:8 (shares of served bytes);
//   backlog: an edge returns with a large outbox (backlog lane) while the others send alarms
//     and more live data than the core can process;
//   starvation: alarm, high and bulk edges all saturating (the bulk share).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <queue>
#include <random>
#include <string>
#include <vector>

#include "tern/core/scheduler.h"

namespace {

using tern::core::SchedItem;
using tern::core::Scheduler;
using tern::core::SchedulerConfig;

// ---- policies under test -------------------------------------------------------------------

class Policy {
 public:
  virtual ~Policy() = default;
  virtual void Enqueue(const SchedItem& item) = 0;
  virtual std::optional<SchedItem> Next(uint64_t now_ms) = 0;
  virtual void SetWeight(uint32_t edge, double w) = 0;
};

class DrrPolicy : public Policy {
 public:
  explicit DrrPolicy(const SchedulerConfig& cfg) : s_(cfg) {}
  void Enqueue(const SchedItem& item) override {
    tern::Status st = s_.Enqueue(item);
    if (!st.ok()) std::fprintf(stderr, "enqueue: %s\n", st.ToString().c_str());
  }
  std::optional<SchedItem> Next(uint64_t now_ms) override { return s_.Next(now_ms); }
  void SetWeight(uint32_t edge, double w) override {
    tern::Status st = s_.SetEdgeWeight(edge, w);
    if (!st.ok()) std::fprintf(stderr, "weight: %s\n", st.ToString().c_str());
  }

 private:
  Scheduler s_;
};

// Most urgent class first, FIFO within a class; no lanes, no weights.
class StrictPolicy : public Policy {
 public:
  void Enqueue(const SchedItem& item) override {
    q_[static_cast<size_t>(item.cls)].push_back(item);
  }
  std::optional<SchedItem> Next(uint64_t) override {
    for (auto& q : q_) {
      if (q.empty()) continue;
      SchedItem it = std::move(q.front());
      q.pop_front();
      return it;
    }
    return std::nullopt;
  }
  void SetWeight(uint32_t, double) override {}

 private:
  std::deque<SchedItem> q_[tern::core::kSchedClasses];
};

// Arrival order.
class FifoPolicy : public Policy {
 public:
  void Enqueue(const SchedItem& item) override { q_.push_back(item); }
  std::optional<SchedItem> Next(uint64_t) override {
    if (q_.empty()) return std::nullopt;
    SchedItem it = std::move(q_.front());
    q_.pop_front();
    return it;
  }
  void SetWeight(uint32_t, double) override {}

 private:
  std::deque<SchedItem> q_;
};

enum class Kind { kDrr, kStrict, kFifo };

// ---- the simulation --------------------------------------------------------------------------

struct Params {
  double service_mb_s = 50;  // processing rate, MB/s (10^6 bytes)
  double overhead_us = 200;  // per chunk (decode, hash check, bookkeeping)
  int workers = 1;
  double seconds = 120;  // virtual duration per scenario
  uint64_t alarm_bytes = 100'000;
  uint64_t bulk_bytes = 100'000;
  double alarm_rate = 10;     // per alarm edge, per second
  double flood_factor = 1.5;  // offered flood load / capacity
  uint64_t seed = 1;
  SchedulerConfig cfg;

  double ServiceUs(uint64_t bytes) const {
    return overhead_us + static_cast<double>(bytes) / service_mb_s;  // MB/s == bytes/us
  }
  double Capacity(uint64_t bytes) const { return 1e6 / ServiceUs(bytes) * workers; }  // items/s
};

struct Source {
  enum Type { kPoisson, kPeriodic, kSaturate, kBatch } type;
  uint32_t edge;
  int cls;
  bool backlog;
  uint64_t bytes;
  double rate = 0;   // items/s for kPoisson and kPeriodic
  size_t count = 0;  // kSaturate: items kept queued; kBatch: items queued at t = 0
  double weight = 1;
};

struct RunResult {
  std::vector<double> alarm_ms;        // live alarm sojourn times (arrival to end of processing)
  size_t alarms_unserved = 0;          // still waiting at the end (counted with their age so far)
  std::vector<uint64_t> served_bytes;  // per source
  uint64_t total_bytes = 0;
  uint64_t backlog_bytes = 0;
};

class Sim {
 public:
  Sim(const Params& p, Kind kind, std::vector<Source> sources)
      : p_(p), sources_(std::move(sources)), rng_(p.seed) {
    if (kind == Kind::kDrr) {
      policy_ = std::make_unique<DrrPolicy>(p.cfg);
    } else if (kind == Kind::kStrict) {
      policy_ = std::make_unique<StrictPolicy>();
    } else {
      policy_ = std::make_unique<FifoPolicy>();
    }
    r_.served_bytes.assign(sources_.size(), 0);
  }

  RunResult Run() {
    const double end_us = p_.seconds * 1e6;
    for (size_t i = 0; i < sources_.size(); ++i) {
      const Source& s = sources_[i];
      policy_->SetWeight(s.edge, s.weight);
      if (s.type == Source::kSaturate || s.type == Source::kBatch) {
        for (size_t k = 0; k < s.count; ++k) Arrive(i, 0);
      } else {
        // Random phase so the periodic and Poisson sources do not line up.
        Push(Uniform() * 1e6 / s.rate, kArrival, i);
      }
    }
    Dispatch(0);
    while (!events_.empty()) {
      const Event e = events_.top();
      events_.pop();
      if (e.t > end_us) break;
      if (e.type == kArrival) {
        Arrive(e.idx, e.t);
        const Source& s = sources_[e.idx];
        const double gap =
            s.type == Source::kPoisson ? -std::log(1 - Uniform()) / s.rate * 1e6 : 1e6 / s.rate;
        Push(e.t + gap, kArrival, e.idx);
      } else {
        Complete(e.idx, e.t);
        ++free_;
      }
      Dispatch(e.t);
    }
    for (const auto& [id, m] : meta_) {
      if (m.track && !m.done) {
        r_.alarm_ms.push_back((end_us - m.arrival_us) / 1e3);
        ++r_.alarms_unserved;
      }
    }
    return r_;
  }

 private:
  enum Type { kArrival = 0, kCompletion = 1 };
  struct Event {
    double t;
    uint64_t seq;
    Type type;
    size_t idx;
    bool operator>(const Event& o) const { return t != o.t ? t > o.t : seq > o.seq; }
  };
  struct Meta {
    size_t src;
    double arrival_us;
    bool track;
    bool done = false;
  };

  double Uniform() { return static_cast<double>(rng_() >> 11) * (1.0 / 9007199254740992.0); }
  void Push(double t, Type type, size_t idx) { events_.push({t, seq_++, type, idx}); }

  void Arrive(size_t src, double t) {
    const Source& s = sources_[src];
    const size_t n = next_id_++;
    SchedItem it;
    it.id = std::to_string(n);
    it.edge = s.edge;
    it.cls = s.cls;
    it.backlog = s.backlog;
    it.bytes = s.bytes;
    it.enqueued_ms = static_cast<uint64_t>(t / 1e3);
    meta_[n] = {src, t, s.cls == 0 && !s.backlog};
    policy_->Enqueue(it);
  }

  void Dispatch(double t) {
    while (free_ > 0) {
      auto it = policy_->Next(static_cast<uint64_t>(t / 1e3));
      if (!it) return;
      --free_;
      const size_t n = std::stoul(it->id);
      const Meta& m = meta_[n];
      if (sources_[m.src].type == Source::kSaturate) Arrive(m.src, t);  // keep it saturated
      Push(t + p_.ServiceUs(it->bytes), kCompletion, n);
    }
  }

  void Complete(size_t n, double t) {
    auto m = meta_.find(n);
    const Source& s = sources_[m->second.src];
    r_.served_bytes[m->second.src] += s.bytes;
    r_.total_bytes += s.bytes;
    if (s.backlog) r_.backlog_bytes += s.bytes;
    if (m->second.track) r_.alarm_ms.push_back((t - m->second.arrival_us) / 1e3);
    meta_.erase(m);
  }

  Params p_;
  std::vector<Source> sources_;
  std::mt19937_64 rng_;
  std::unique_ptr<Policy> policy_;
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> events_;
  std::map<size_t, Meta> meta_;
  uint64_t seq_ = 0;
  size_t next_id_ = 0;
  int free_ = 0;
  RunResult r_;

 public:
  void SetWorkers(int w) { free_ = w; }
};

RunResult Simulate(const Params& p, Kind kind, std::vector<Source> sources) {
  Sim sim(p, kind, std::move(sources));
  sim.SetWorkers(p.workers);
  return sim.Run();
}

double P99(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t rank = static_cast<size_t>(std::ceil(0.99 * static_cast<double>(v.size())));
  return v[std::max<size_t>(rank, 1) - 1];
}

double Jain(const std::vector<double>& x) {
  double s = 0, s2 = 0;
  for (double v : x) {
    s += v;
    s2 += v * v;
  }
  return s2 == 0 ? 0 : s * s / (static_cast<double>(x.size()) * s2);
}

std::vector<double> Shares(const RunResult& r, size_t first, size_t n) {
  std::vector<double> out;
  uint64_t total = 0;
  for (size_t i = first; i < first + n; ++i) total += r.served_bytes[i];
  for (size_t i = first; i < first + n; ++i) {
    out.push_back(total == 0 ? 0
                             : static_cast<double>(r.served_bytes[i]) / static_cast<double>(total));
  }
  return out;
}

// ---- scenarios -------------------------------------------------------------------------------

std::vector<Source> Alarms(const Params& p) {
  std::vector<Source> v;
  for (uint32_t e = 1; e <= 3; ++e) {
    v.push_back({Source::kPoisson, e, 0, false, p.alarm_bytes, p.alarm_rate});
  }
  return v;
}

// Four edges saturating class normal with different chunk sizes.
std::vector<Source> Saturating(const double (&w)[4]) {
  const uint64_t sizes[4] = {100'000, 30'000, 250'000, 64'000};
  std::vector<Source> v;
  for (uint32_t e = 0; e < 4; ++e) {
    v.push_back({Source::kSaturate, e, 2, false, sizes[e], 0, 8, w[e]});
  }
  return v;
}

nlohmann::json RunPolicy(const Params& p, Kind kind) {
  nlohmann::json j;
  // Idle and loaded alarms.
  const RunResult idle = Simulate(p, kind, Alarms(p));
  auto loaded_src = Alarms(p);
  loaded_src.push_back(
      {Source::kPeriodic, 0, 3, false, p.bulk_bytes, p.flood_factor * p.Capacity(p.bulk_bytes)});
  const RunResult loaded = Simulate(p, kind, loaded_src);
  j["alarm_p99_ms_idle"] = P99(idle.alarm_ms);
  j["alarm_p99_ms_loaded"] = P99(loaded.alarm_ms);
  j["alarm_p99_ratio"] = P99(loaded.alarm_ms) / P99(idle.alarm_ms);
  j["alarms_unserved_loaded"] = loaded.alarms_unserved;
  j["flood_share_loaded"] = static_cast<double>(loaded.served_bytes[3]) /
                            static_cast<double>(std::max<uint64_t>(loaded.total_bytes, 1));
  // Fairness and weights.
  const RunResult eq = Simulate(p, kind, Saturating({1, 1, 1, 1}));
  j["jain_equal_weights"] = Jain(Shares(eq, 0, 4));
  const double w[4] = {1, 2, 4, 8};
  const RunResult wr = Simulate(p, kind, Saturating(w));
  const auto sh = Shares(wr, 0, 4);
  double err = 0;
  for (size_t i = 0; i < 4; ++i) err = std::max(err, std::abs(sh[i] - w[i] / 15) / (w[i] / 15));
  j["max_weight_share_error"] = err;
  j["weight_shares"] = sh;
  // Backlog: a returning edge's outbox (normal data) beside alarms and more live normal data
  // than the core can process.
  auto bl = Alarms(p);
  const double live_rate = 1.2 * p.Capacity(p.bulk_bytes) / 3;
  for (uint32_t e = 1; e <= 3; ++e)
    bl.push_back({Source::kPeriodic, e, 2, false, p.bulk_bytes, live_rate});
  bl.push_back({Source::kBatch, 0, 2, true, p.bulk_bytes, 0,
                static_cast<size_t>(p.seconds * p.Capacity(p.bulk_bytes))});
  const RunResult br = Simulate(p, kind, bl);
  const double bshare = static_cast<double>(br.backlog_bytes) /
                        static_cast<double>(std::max<uint64_t>(br.total_bytes, 1));
  j["backlog_share"] = bshare;
  j["backlog_min_share_ok"] = bshare >= p.cfg.backlog_min_share * 0.99;
  j["alarm_p99_ms_backlog"] = P99(br.alarm_ms);
  j["alarms_unserved_backlog"] = br.alarms_unserved;
  // Starvation: alarm, high and bulk all saturating.
  const RunResult st = Simulate(p, kind,
                                {{Source::kSaturate, 1, 0, false, p.alarm_bytes, 0, 8},
                                 {Source::kSaturate, 2, 1, false, p.bulk_bytes, 0, 8},
                                 {Source::kSaturate, 3, 3, false, p.bulk_bytes, 0, 8}});
  j["bulk_share_under_flood"] = Shares(st, 0, 3)[2];
  return j;
}

}  // namespace

int ScheduleBenchMain(int argc, char** argv) {
  Params p;
  bool json = false;
  CLI::App app{"tern-bench schedule: simulation of the core's scheduling policy"};
  app.add_flag("--json", json, "Print one JSON object");
  app.add_option("--service-mb-s", p.service_mb_s, "Modelled processing rate, MB/s")
      ->check(CLI::PositiveNumber);
  app.add_option("--overhead-us", p.overhead_us, "Modelled per-chunk overhead, us")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--workers", p.workers, "Modelled parallel processors")->check(CLI::Range(1, 64));
  app.add_option("--seconds", p.seconds, "Virtual seconds per scenario")
      ->check(CLI::PositiveNumber);
  app.add_option("--alarm-bytes", p.alarm_bytes, "Alarm chunk size")->check(CLI::PositiveNumber);
  app.add_option("--bulk-bytes", p.bulk_bytes, "Bulk and backlog chunk size")
      ->check(CLI::PositiveNumber);
  app.add_option("--flood-factor", p.flood_factor, "Bulk flood offered load / capacity")
      ->check(CLI::PositiveNumber);
  app.add_option("--seed", p.seed, "Random seed for alarm arrivals");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (tern::Status st = p.cfg.Validate(); !st.ok()) {
    std::fprintf(stderr, "%s\n", st.ToString().c_str());
    return 2;
  }

  nlohmann::json out;
  out["what"] =
      "discrete-event simulation of the scheduling policy (real tern::core::Scheduler) with a "
      "modelled service rate; virtual time";
  out["model"] = {{"service_mb_s", p.service_mb_s},
                  {"overhead_us", p.overhead_us},
                  {"workers", p.workers},
                  {"seconds", p.seconds},
                  {"alarm_bytes", p.alarm_bytes},
                  {"bulk_bytes", p.bulk_bytes},
                  {"alarm_rate_per_edge", p.alarm_rate},
                  {"flood_factor", p.flood_factor},
                  {"seed", p.seed}};
  out["config"] = p.cfg.ToJson();
  nlohmann::json drr = RunPolicy(p, Kind::kDrr);
  for (auto& [k, v] : drr.items()) out[k] = v;
  out["strict_priority"] = RunPolicy(p, Kind::kStrict);
  out["fifo"] = RunPolicy(p, Kind::kFifo);
  const bool ratio_ok = drr["alarm_p99_ratio"].get<double>() <= 2.0;
  const bool jain_ok = drr["jain_equal_weights"].get<double>() >= 0.95;
  const bool weight_ok = drr["max_weight_share_error"].get<double>() <= 0.05;
  out["targets"] = {{"alarm_p99_ratio_le_2", ratio_ok},
                    {"jain_ge_0.95", jain_ok},
                    {"weight_error_le_5pct", weight_ok},
                    {"backlog_min_share_ok", drr["backlog_min_share_ok"]}};
  if (json) {
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  std::printf(
      "SIMULATION of the scheduling policy: the real Scheduler orders chunks; processing\n"
      "is modelled (%.0f MB/s + %.0f us per chunk, %d worker(s)), virtual time %.0f s per\n"
      "scenario. Alarms %llu B at %.0f/s from 3 edges; bulk chunks %llu B; flood %.1fx "
      "capacity.\n\n",
      p.service_mb_s, p.overhead_us, p.workers, p.seconds,
      static_cast<unsigned long long>(p.alarm_bytes), p.alarm_rate,
      static_cast<unsigned long long>(p.bulk_bytes), p.flood_factor);
  const char* keys[] = {
      "alarm_p99_ms_idle",       "alarm_p99_ms_loaded",   "alarm_p99_ratio",
      "alarms_unserved_loaded",  "jain_equal_weights",    "max_weight_share_error",
      "backlog_share",           "backlog_min_share_ok",  "alarm_p99_ms_backlog",
      "alarms_unserved_backlog", "bulk_share_under_flood"};
  std::printf("%-26s %14s %16s %14s\n", "figure", "drr (tern)", "strict_priority", "fifo");
  for (const char* k : keys) {
    auto fmt = [](const nlohmann::json& v) {
      char buf[32];
      if (v.is_number_float()) {
        std::snprintf(buf, sizeof buf, "%.4f", v.get<double>());
        return std::string(buf);
      }
      return v.dump();
    };
    std::printf("%-26s %14s %16s %14s\n", k, fmt(drr[k]).c_str(),
                fmt(out["strict_priority"][k]).c_str(), fmt(out["fifo"][k]).c_str());
  }
  std::printf(
      "\ntargets (drr): loaded/idle alarm p99 <= 2: %s; Jain >= 0.95: %s; every weight "
      "share within 5%%: %s; backlog >= %.0f%%: %s\n",
      ratio_ok ? "met" : "MISSED", jain_ok ? "met" : "MISSED", weight_ok ? "met" : "MISSED",
      100 * p.cfg.backlog_min_share, drr["backlog_min_share_ok"].get<bool>() ? "met" : "MISSED");
  return 0;
}
