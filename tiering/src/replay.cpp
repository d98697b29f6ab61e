// Trace replay over the value model, LRU and LFU (replay.h).
#include "tern/tiering/replay.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <random>
#include <set>

#include "heldout.h"
#include "hot_cache.h"
#include "tern/tiering/migration.h"
#include "tern/tiering/value_model.h"
#include "training_log.h"
#include "uniform.h"

namespace tern::tiering {

const char* PolicyName(Policy p) {
  switch (p) {
    case Policy::kValueModel:
      return "value_model";
    case Policy::kLru:
      return "lru";
    case Policy::kLfu:
      return "lfu";
  }
  return "?";
}

namespace {

constexpr uint64_t kMinuteMs = 60'000;
constexpr double kHourMs = 3'600'000.0;

struct ChunkRt {
  bool present = false;
  Tier tier = Tier::kHot;
  double score = 0.5;  // business value
  uint64_t last_access = 0;
  double decayed = 0;  // reads, halving every recent_half_life_hours
  uint64_t decayed_at = 0;
  uint64_t bytes_read = 0;
  uint64_t readers = 0;              // consumer bit mask
  std::vector<uint64_t> read_times;  // all reads so far
};

class Replayer {
 public:
  Replayer(const AccessTrace& tr, Policy p, const ReplayConfig& cfg, uint64_t hot_cap,
           uint64_t warm_cap)
      : tr_(tr),
        p_(p),
        cfg_(cfg),
        hot_cap_(hot_cap),
        warm_cap_(warm_cap),
        rt_(tr.chunks.size()),
        source_seen_(tr.chunks.empty() ? 0 : MaxSource() + 1,
                     std::vector<uint64_t>(tr.consumers, 0)),
        consumer_seen_(tr.consumers, 0),
        model_(cfg.rbf),
        planner_(PlannerFor(cfg, hot_cap, warm_cap)),
        rng_(cfg.seed),
        log_(cfg.max_training) {
    if (p != Policy::kValueModel) cache_ = std::make_unique<HotCache>(p == Policy::kLfu, hot_cap);
    r_.policy = p;
    r_.hot_capacity = hot_cap;
    r_.tier_of_read.reserve(tr.reads.size());
  }

  ReplayResult Run() {
    const uint64_t plan = cfg_.plan_minutes * kMinuteMs;
    const uint64_t snap = cfg_.snapshot_minutes * kMinuteMs;
    const auto retrain = static_cast<uint64_t>(cfg_.retrain_hours * kHourMs);
    uint64_t next_plan = plan, next_snap = snap, next_train = retrain;
    size_t ci = 0, ri = 0;
    while (ci < tr_.chunks.size() || ri < tr_.reads.size()) {
      const uint64_t tc = ci < tr_.chunks.size() ? tr_.chunks[ci].t_ms : UINT64_MAX;
      const uint64_t tread = ri < tr_.reads.size() ? tr_.reads[ri].t_ms : UINT64_MAX;
      const uint64_t t = std::min(tc, tread);
      if (std::min({next_plan, next_snap, next_train}) <= t) {
        const uint64_t tick = std::min({next_plan, next_snap, next_train});
        if (next_train == tick) {
          if (p_ == Policy::kValueModel) Train();
          next_train += retrain;
        }
        if (next_snap == tick) {
          if (p_ == Policy::kValueModel) Snapshot(tick);
          if (p_ == Policy::kValueModel && !model_.trained()) Train();  // the first, once able
          next_snap += snap;
        }
        if (next_plan == tick) {
          PlanTick(tick);
          next_plan += plan;
        }
      } else if (tc <= tread) {
        Arrive(tr_.chunks[ci++]);
      } else {
        Read(tr_.reads[ri++]);
      }
      r_.peak_hot_bytes = std::max(r_.peak_hot_bytes, used_[0]);  // between events
    }
    r_.heldout = SummariseHeldOut(log_.held());
    return std::move(r_);
  }

 private:
  uint32_t MaxSource() const {
    uint32_t m = 0;
    for (const auto& c : tr_.chunks) m = std::max(m, c.source);
    return m;
  }

  static PlannerConfig PlannerFor(const ReplayConfig& cfg, uint64_t hot, uint64_t warm) {
    PlannerConfig pc;
    pc.hot = {hot, cfg.high_watermark, cfg.low_watermark};
    pc.warm = {warm, cfg.high_watermark, cfg.low_watermark};
    pc.max_moves = cfg.max_moves;
    pc.initial_promote = std::log1p(1.0);  // one read expected in the horizon
    return pc;
  }

  void SetTier(uint64_t id, Tier to) {
    ChunkRt& c = rt_[id];
    const uint64_t b = tr_.chunks[id].bytes;
    if (c.tier == to) return;
    if (c.tier == Tier::kHot) hot_index_.Remove(id);
    ++r_.moves;
    if (to == Tier::kHot) {
      r_.bytes_promoted += b;
    } else if (c.tier == Tier::kHot) {
      r_.bytes_demoted += b;
    } else {
      r_.bytes_archived += b;
    }
    used_[static_cast<size_t>(c.tier)] -= b;
    used_[static_cast<size_t>(to)] += b;
    c.tier = to;
  }

  void Arrive(const TraceChunk& ch) {
    ChunkRt& c = rt_[ch.id];
    c.present = true;
    c.last_access = ch.t_ms;
    c.decayed_at = ch.t_ms;
    Tier tier = Tier::kHot;
    if (p_ == Policy::kValueModel) {
      c.score = scorer_.Score(ch.factors);
      const TierRoom room{hot_cap_,          used_[0], warm_cap_, used_[1], cfg_.high_watermark,
                          cfg_.low_watermark};
      tier = InitialTier(c.score, ch.bytes, thresholds_, room);
      // The model sees the source's recent readers: a chunk it predicts to be read goes hot.
      const double v = Value(ch.id, ch.t_ms);
      if (tier != Tier::kHot && planner_.TargetTier(v) == Tier::kHot && MakeHotRoom(ch.bytes, v)) {
        tier = Tier::kHot;
      }
      if (tier == Tier::kHot) hot_index_.Add(ch.id, v, ch.bytes);
    }
    c.tier = tier;
    used_[static_cast<size_t>(tier)] += ch.bytes;
    r_.written_bytes[static_cast<size_t>(tier)] += ch.bytes;
    if (cache_) {
      for (uint64_t out : cache_->Insert(ch.id, ch.bytes)) SetTier(out, Tier::kWarm);
    }
    arrived_.push_back(ch.id);
  }

  MigrationFactors Factors(uint64_t id, uint64_t now) const {
    const ChunkRt& c = rt_[id];
    const TraceChunk& ch = tr_.chunks[id];
    MigrationFactors f;
    f.bytes = ch.bytes;
    f.hours_since_access = static_cast<double>(now - std::min(now, c.last_access)) / kHourMs;
    f.recent_reads = c.decayed * std::exp2(-static_cast<double>(now - c.decayed_at) / kHourMs /
                                           cfg_.recent_half_life_hours);
    f.bytes_read = static_cast<double>(c.bytes_read);
    const auto window = static_cast<uint64_t>(cfg_.active_window_hours * kHourMs);
    uint64_t active = 0, readers = c.readers;
    for (uint32_t k = 0; k < tr_.consumers; ++k) {
      if (consumer_seen_[k] && consumer_seen_[k] + window >= now) active |= uint64_t{1} << k;
      if (!c.readers && source_seen_[ch.source][k] && source_seen_[ch.source][k] + window >= now) {
        readers |= uint64_t{1} << k;  // unread: the consumers who read its source lately
      }
    }
    const int un = __builtin_popcountll(active | readers);
    f.consumer_similarity = un ? __builtin_popcountll(active & readers) / double(un) : 0.0;
    f.business_value = c.score;
    return f;
  }

  double Value(uint64_t id, uint64_t now) const {
    const MigrationFactors f = Factors(id, now);
    const auto v = model_.Predict(f);
    if (v) return *v;
    // Before the first training: its decayed reads, or for an unread chunk whose source the
    // active consumers read lately, one read.
    return std::log1p(rt_[id].read_times.empty() && f.consumer_similarity > 0 ? 1.0
                                                                              : f.recent_reads);
  }

  void Read(const TraceRead& rd) {
    ChunkRt& c = rt_[rd.chunk];
    const Tier served = c.tier;
    r_.tier_of_read.push_back(served);
    ++r_.reads;
    ++r_.reads_by_tier[static_cast<size_t>(served)];
    ++r_.pattern_reads[static_cast<size_t>(rd.pattern)];
    if (served == Tier::kHot) {
      ++r_.hot_hits;
      ++r_.pattern_hits[static_cast<size_t>(rd.pattern)];
    }
    const TraceChunk& ch = tr_.chunks[rd.chunk];
    c.decayed = Factors(rd.chunk, rd.t_ms).recent_reads + 1.0;
    c.decayed_at = rd.t_ms;
    c.last_access = rd.t_ms;
    c.bytes_read += ch.bytes;
    c.readers |= uint64_t{1} << rd.consumer;
    c.read_times.push_back(rd.t_ms);
    consumer_seen_[rd.consumer] = rd.t_ms;
    source_seen_[ch.source][rd.consumer] = rd.t_ms;
    if (cache_) {
      if (served == Tier::kHot) {
        cache_->Touch(rd.chunk);
      } else {
        SetTier(rd.chunk, Tier::kHot);
        for (uint64_t out : cache_->Insert(rd.chunk, ch.bytes)) SetTier(out, Tier::kWarm);
      }
    } else if (served != Tier::kHot) {
      const double v = Value(rd.chunk, rd.t_ms);
      if (planner_.TargetTier(v) == Tier::kHot && MakeHotRoom(ch.bytes, v)) {
        SetTier(rd.chunk, Tier::kHot);
        hot_index_.Add(rd.chunk, v, ch.bytes);
      }
    }
  }

  // Room under the hot tier's high watermark for `bytes` worth `value`, displacing to warm
  // (replay.h); false, displacing nothing, if there is none.
  bool MakeHotRoom(uint64_t bytes, double value) {
    const auto out =
        hot_index_.Victims(used_[0], bytes, cfg_.high_watermark * static_cast<double>(hot_cap_),
                           value, cfg_.displace_margin, cfg_.max_displace);
    if (!out) return false;
    for (uint64_t id : *out) SetTier(id, Tier::kWarm);
    return true;
  }

  void PlanTick(uint64_t now) {
    if (p_ != Policy::kValueModel) {
      // Baselines: warm over its high watermark sends its oldest chunks cold.
      if (static_cast<double>(used_[1]) <= cfg_.high_watermark * static_cast<double>(warm_cap_)) {
        return;
      }
      for (uint64_t id : arrived_) {
        if (static_cast<double>(used_[1]) <= cfg_.low_watermark * static_cast<double>(warm_cap_))
          break;
        if (rt_[id].tier == Tier::kWarm) SetTier(id, Tier::kCold);
      }
      return;
    }
    std::vector<ChunkState> states;
    states.reserve(arrived_.size());
    std::array<std::vector<double>, kNumTiers> scores;
    for (uint64_t id : arrived_) {
      const ChunkRt& c = rt_[id];
      states.push_back({id, tr_.chunks[id].bytes, c.tier, Value(id, now), false});
      scores[static_cast<size_t>(c.tier)].push_back(c.score);
    }
    hot_index_.Clear();
    for (const ChunkState& st : states) {
      if (st.tier == Tier::kHot) hot_index_.Add(st.id, st.value, st.bytes);
    }
    for (const Move& m : planner_.Plan(states)) {
      SetTier(m.id, m.to);
      if (m.to == Tier::kHot) hot_index_.Add(m.id, m.value, m.bytes);
    }
    // First placement: a low quantile of the hot residents' business value, a high one of the
    // cold residents'; the scorer refitted on the newest chunks.
    const auto quantile = [](std::vector<double>& v, double q, double none) {
      if (v.empty()) return none;
      const size_t k = static_cast<size_t>(q * static_cast<double>(v.size() - 1));
      std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
      return v[k];
    };
    thresholds_.hot_min = quantile(scores[0], 0.1, 1.0);
    thresholds_.cold_max = quantile(scores[2], 0.9, -1.0);
    std::vector<ValueFactors> pop;
    const size_t from = arrived_.size() > 2000 ? arrived_.size() - 2000 : 0;
    for (size_t i = from; i < arrived_.size(); ++i) pop.push_back(tr_.chunks[arrived_[i]].factors);
    if (pop.size() >= 2) (void)scorer_.Fit(pop);  // a constant population just keeps 0.5s
  }

  uint64_t ReadsIn(uint64_t id, uint64_t from, uint64_t to) const {  // (from, to]
    const auto& v = rt_[id].read_times;
    return static_cast<uint64_t>(std::upper_bound(v.begin(), v.end(), to) -
                                 std::upper_bound(v.begin(), v.end(), from));
  }

  void Snapshot(uint64_t now) {
    const auto horizon = static_cast<uint64_t>(cfg_.horizon_hours * kHourMs);
    log_.LabelDue(now, horizon, [this](uint64_t id, uint64_t from, uint64_t to) {
      return ReadsIn(id, from, to);
    });
    if (arrived_.empty()) return;
    // Three strata: chunks read within the horizon, chunks written within it (the ones whose
    // first placement matters), and all chunks.
    std::vector<uint64_t> read_lately, new_lately;
    for (uint64_t id : arrived_) {
      if (!rt_[id].read_times.empty() && rt_[id].last_access + horizon >= now) {
        read_lately.push_back(id);
      }
      if (tr_.chunks[id].t_ms + horizon >= now) new_lately.push_back(id);
    }
    const bool holdout =
        static_cast<double>(now) >= (1.0 - cfg_.holdout_fraction) * static_cast<double>(tr_.end_ms);
    for (size_t i = 0; i < cfg_.snapshot_samples; ++i) {
      const auto& pool = i % 3 == 0 && !read_lately.empty()  ? read_lately
                         : i % 3 == 1 && !new_lately.empty() ? new_lately
                                                             : arrived_;
      const uint64_t id = pool[rng_() % pool.size()];
      const MigrationFactors f = Factors(id, now);
      const auto pred = model_.Predict(f);
      log_.Add(
          {now, id, f, pred ? *pred : std::nan(""),
           std::log1p(static_cast<double>(ReadsIn(id, now > horizon ? now - horizon : 0, now))),
           log_.mean(), holdout});
    }
  }

  void Train() {
    if (log_.labelled() < std::max<size_t>(50, 5 * cfg_.rbf.centres)) return;
    std::vector<MigrationFactors> f;
    std::vector<double> y;
    log_.Batch(&f, &y);
    const auto t0 = std::chrono::steady_clock::now();
    if (model_.Train(f, y).ok()) ++r_.trainings;
    r_.training_seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }

  const AccessTrace& tr_;
  Policy p_;
  ReplayConfig cfg_;
  uint64_t hot_cap_, warm_cap_;
  std::vector<ChunkRt> rt_;
  std::vector<std::vector<uint64_t>> source_seen_;  // [source][consumer] last read time
  std::vector<uint64_t> consumer_seen_;
  std::vector<uint64_t> arrived_;  // ids in arrival order
  std::array<uint64_t, kNumTiers> used_{};
  std::unique_ptr<HotCache> cache_;
  HotValueIndex hot_index_;  // value model: hot residents by predicted value
  ValueScorer scorer_;
  PlacementThresholds thresholds_;
  ValueModel model_;
  MigrationPlanner planner_;
  std::mt19937_64 rng_;
  TrainingLog log_;
  ReplayResult r_;
};

}  // namespace

Result<ReplayResult> Replay(const AccessTrace& trace, Policy policy, const ReplayConfig& cfg) {
  const auto cap = [&](uint64_t bytes, double fraction) {
    return bytes ? bytes : static_cast<uint64_t>(fraction * static_cast<double>(trace.total_bytes));
  };
  const uint64_t hot = cap(cfg.hot_capacity, cfg.hot_fraction);
  const uint64_t warm = cap(cfg.warm_capacity, cfg.warm_fraction);
  if (hot == 0 || warm == 0 || !(cfg.low_watermark > 0) ||
      !(cfg.low_watermark < cfg.high_watermark) || cfg.high_watermark > 1 ||
      cfg.plan_minutes == 0 || cfg.snapshot_minutes == 0 || !(cfg.retrain_hours > 0) ||
      !(cfg.horizon_hours > 0) || !(cfg.recent_half_life_hours > 0)) {
    return Status::InvalidArgument("replay: hot " + std::to_string(hot) + " bytes, warm " +
                                   std::to_string(warm) + " bytes, watermarks " +
                                   std::to_string(cfg.low_watermark) + ".." +
                                   std::to_string(cfg.high_watermark) + ", periods must be > 0");
  }
  Replayer r(trace, policy, cfg, hot, warm);
  return r.Run();
}

}  // namespace tern::tiering
