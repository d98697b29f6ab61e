// tern-bench tiers: the value model against LRU and LFU (issue 13, item 4). One seeded
// access trace (tiering/access_trace.h: dashboards, investigations, audits, a bulk export) is
// replayed over each policy at the same hot-tier byte capacity (tiering/replay.h); the bench
// reports the hot-tier hit rate, bytes migrated, the value model's held-out predictions and
// training time. Read latency is measured, not modelled: every chunk is stored in all three
// tiers in a temp dir (hot: an SQLite table through common's wrapper, zstd level 1 as the
// store keeps bodies; warm: one segment a day at --warm-level; cold: one segment a day per
// source at --cold-level, opened for each read as an archive would be), and each policy's
// reads are then served for real from the tier that policy had the chunk in at that moment.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tern/common/compress.h"
#include "tern/common/sqlite.h"
#include "tern/tiering/replay.h"
#include "tern/tiering/segment.h"

namespace {

using tern::Status;
using namespace tern::tiering;
using Clock = std::chrono::steady_clock;

constexpr uint64_t kDayMs = 24ull * 3'600'000;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

double Percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(q * static_cast<double>(v.size() - 1))];
}

// Every chunk in all three tiers, for serving reads.
class TierStore {
 public:
  Status Build(const AccessTrace& tr, uint64_t seed, const std::string& dir, int warm_level,
               int cold_level) {
    dir_ = dir;
    tern::Database::Options o;
    o.durable = false;
    auto db = tern::Database::Open(dir + "/hot.db", o);
    if (!db.ok()) return db.status();
    db_ = std::move(db).value();
    TERN_RETURN_IF_ERROR(
        db_->Exec("CREATE TABLE chunks(id INTEGER PRIMARY KEY, raw_len INTEGER, body BLOB)"));
    auto ins = db_->Prepare("INSERT INTO chunks(id, raw_len, body) VALUES(?, ?, ?)");
    if (!ins.ok()) return ins.status();
    std::map<uint64_t, std::unique_ptr<SegmentWriter>> warm;
    std::map<std::pair<uint64_t, uint32_t>, std::unique_ptr<SegmentWriter>> cold;
    std::filesystem::create_directories(dir + "/warm");
    std::filesystem::create_directories(dir + "/cold");
    TERN_RETURN_IF_ERROR(db_->Begin());
    for (const TraceChunk& c : tr.chunks) {
      const std::string body = ChunkPayload(c, seed);
      const std::string id = std::to_string(c.id);
      const uint64_t day = c.t_ms / kDayMs;
      TERN_RETURN_IF_ERROR((*ins)
                               ->Bind(1, static_cast<int64_t>(c.id))
                               .Bind(2, static_cast<int64_t>(body.size()))
                               .BindBlob(3, tern::ZstdCompress(body, 1))
                               .Run());
      auto& w = warm[day];
      if (!w) {
        auto made = SegmentWriter::Create(WarmPath(day), warm_level);
        if (!made.ok()) return made.status();
        w = std::move(made).value();
      }
      TERN_RETURN_IF_ERROR(w->Append(id, body));
      auto& k = cold[{day, c.source}];
      if (!k) {
        auto made = SegmentWriter::Create(ColdPath(day, c.source), cold_level);
        if (!made.ok()) return made.status();
        k = std::move(made).value();
      }
      TERN_RETURN_IF_ERROR(k->Append(id, body));
    }
    TERN_RETURN_IF_ERROR(db_->Commit());
    for (auto& [day, w] : warm) {
      warm_bytes_ += w->bytes_written();
      TERN_RETURN_IF_ERROR(w->Finish(false));
      auto r = SegmentReader::Open(WarmPath(day));
      if (!r.ok()) return r.status();
      warm_readers_[day] = std::move(r).value();
    }
    for (auto& [key, k] : cold) {
      cold_bytes_ += k->bytes_written();
      TERN_RETURN_IF_ERROR(k->Finish(false));
    }
    auto sel = db_->Prepare("SELECT raw_len, body FROM chunks WHERE id = ?");
    if (!sel.ok()) return sel.status();
    select_ = std::move(sel).value();
    return Status::Ok();
  }

  // Serves one read from `tier`; the chunk's size on success.
  tern::Result<size_t> Serve(const TraceChunk& c, Tier tier) {
    const std::string id = std::to_string(c.id);
    if (tier == Tier::kHot) {
      tern::ResetGuard g(select_.get());
      select_->Bind(1, static_cast<int64_t>(c.id));
      auto row = select_->Step();
      if (!row.ok()) return row.status();
      if (!*row) return Status::NotFound("hot: no chunk " + id);
      auto raw = tern::ZstdDecompress(select_->Blob(1), static_cast<size_t>(select_->Int(0)));
      if (!raw.ok()) return raw.status();
      return raw->size();
    }
    if (tier == Tier::kWarm) {
      auto raw = warm_readers_.at(c.t_ms / kDayMs)->Read(id);
      if (!raw.ok()) return raw.status();
      return raw->size();
    }
    auto seg = SegmentReader::Open(ColdPath(c.t_ms / kDayMs, c.source));  // an archive
    if (!seg.ok()) return seg.status();
    auto raw = (*seg)->Read(id);
    if (!raw.ok()) return raw.status();
    return raw->size();
  }

  uint64_t warm_bytes() const { return warm_bytes_; }
  uint64_t cold_bytes() const { return cold_bytes_; }

 private:
  std::string WarmPath(uint64_t day) const {
    return dir_ + "/warm/day-" + std::to_string(day) + ".seg";
  }
  std::string ColdPath(uint64_t day, uint32_t source) const {
    return dir_ + "/cold/day-" + std::to_string(day) + "-src-" + std::to_string(source) + ".seg";
  }
  std::string dir_;
  std::unique_ptr<tern::Database> db_;
  std::unique_ptr<tern::Statement> select_;
  std::map<uint64_t, std::unique_ptr<SegmentReader>> warm_readers_;
  uint64_t warm_bytes_ = 0, cold_bytes_ = 0;
};

struct Latency {
  double p50_us = 0, p99_us = 0, mean_us = 0;
  std::array<double, kNumTiers> tier_p50_us{};
};

}  // namespace

int TiersBenchMain(int argc, char** argv) {
  CLI::App app{"tern-bench tiers: value model vs LRU vs LFU on one access trace"};
  TraceConfig tc;
  ReplayConfig rc;
  uint64_t seed = 1;
  int warm_level = 9, cold_level = 15;
  bool json = false, skip_latency = false;
  app.add_option("--seed", seed, "trace, sampling and model seed")->capture_default_str();
  app.add_option("--days", tc.days, "simulated days")->capture_default_str();
  app.add_option("--sources", tc.sources, "sources writing chunks")->capture_default_str();
  app.add_option("--chunk-minutes", tc.chunk_minutes, "a chunk per source every ... minutes")
      ->capture_default_str();
  app.add_option("--chunk-bytes", tc.mean_chunk_bytes, "mean chunk size")->capture_default_str();
  app.add_option("--hot-fraction", rc.hot_fraction, "hot capacity, fraction of all bytes")
      ->capture_default_str();
  app.add_option("--warm-fraction", rc.warm_fraction, "warm capacity, fraction of all bytes")
      ->capture_default_str();
  app.add_option("--plan-minutes", rc.plan_minutes, "value model: minutes between plans")
      ->capture_default_str();
  app.add_option("--max-moves", rc.max_moves, "value model: migration queue bound per plan")
      ->capture_default_str();
  app.add_option("--displace-margin", rc.displace_margin,
                 "value model: how much less a hot chunk displaced outside a plan is worth")
      ->capture_default_str();
  app.add_option("--warm-level", warm_level, "zstd level of warm segments")->capture_default_str();
  app.add_option("--cold-level", cold_level, "zstd level of cold segments")->capture_default_str();
  app.add_flag("--skip-latency", skip_latency, "replay only; do not store and serve the reads");
  app.add_flag("--json", json, "one JSON object");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  tc.seed = seed;
  rc.seed = seed;
  rc.rbf.seed = seed;
  tc.export_at_day = std::min(tc.export_at_day, 0.7 * tc.days);

  auto trace = GenerateTrace(tc);
  if (!trace.ok()) {
    std::cerr << "tern-bench tiers: " << trace.status().ToString() << "\n";
    return 2;
  }
  const Policy policies[] = {Policy::kValueModel, Policy::kLru, Policy::kLfu};
  std::vector<ReplayResult> results;
  std::vector<double> replay_s;
  for (Policy p : policies) {
    const auto t0 = Clock::now();
    auto r = Replay(*trace, p, rc);
    if (!r.ok()) {
      std::cerr << "tern-bench tiers: " << r.status().ToString() << "\n";
      return 2;
    }
    replay_s.push_back(Seconds(Clock::now() - t0));
    results.push_back(std::move(r).value());
  }

  std::vector<Latency> lat(results.size());
  double setup_s = 0;
  uint64_t warm_bytes = 0, cold_bytes = 0;
  if (!skip_latency) {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "tern-bench-tiers-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) {
      std::cerr << "tern-bench tiers: cannot make a temp dir\n";
      return 2;
    }
    const std::string dir = tmpl;
    int rc_code = 0;
    {
      TierStore store;
      const auto t0 = Clock::now();
      Status s = store.Build(*trace, seed, dir, warm_level, cold_level);
      setup_s = Seconds(Clock::now() - t0);
      warm_bytes = store.warm_bytes();
      cold_bytes = store.cold_bytes();
      for (size_t p = 0; p < results.size() && s.ok(); ++p) {
        std::vector<double> all;
        std::array<std::vector<double>, kNumTiers> by_tier;
        all.reserve(trace->reads.size());
        double sum = 0;
        for (size_t i = 0; i < trace->reads.size() && s.ok(); ++i) {
          const Tier t = results[p].tier_of_read[i];
          const auto t1 = Clock::now();
          auto got = store.Serve(trace->chunks[trace->reads[i].chunk], t);
          const double us = Seconds(Clock::now() - t1) * 1e6;
          if (!got.ok()) s = got.status();
          all.push_back(us);
          by_tier[static_cast<size_t>(t)].push_back(us);
          sum += us;
        }
        lat[p].p50_us = Percentile(all, 0.5);
        lat[p].p99_us = Percentile(all, 0.99);
        lat[p].mean_us = all.empty() ? 0 : sum / static_cast<double>(all.size());
        for (size_t t = 0; t < kNumTiers; ++t) lat[p].tier_p50_us[t] = Percentile(by_tier[t], 0.5);
      }
      if (!s.ok()) {
        std::cerr << "tern-bench tiers: " << s.ToString() << "\n";
        rc_code = 2;
      }
    }
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    if (rc_code) return rc_code;
  }

  const ReplayResult& vm = results[0];
  nlohmann::json hit = nlohmann::json::object(), migrated = nlohmann::json::object(),
                 latency = nlohmann::json::object(), detail = nlohmann::json::object();
  for (size_t p = 0; p < results.size(); ++p) {
    const ReplayResult& r = results[p];
    const std::string name = PolicyName(r.policy);
    hit[name] = r.hit_rate();
    migrated[name] = r.bytes_migrated();
    if (!skip_latency) {
      latency[name] = {{"p50_us", lat[p].p50_us},
                       {"p99_us", lat[p].p99_us},
                       {"mean_us", lat[p].mean_us},
                       {"hot_p50_us", lat[p].tier_p50_us[0]},
                       {"warm_p50_us", lat[p].tier_p50_us[1]},
                       {"cold_p50_us", lat[p].tier_p50_us[2]}};
    }
    nlohmann::json patterns = nlohmann::json::object();
    for (size_t k = 0; k < kNumPatterns; ++k) {
      patterns[PatternName(static_cast<ReadPattern>(k))] =
          r.pattern_reads[k]
              ? static_cast<double>(r.pattern_hits[k]) / static_cast<double>(r.pattern_reads[k])
              : 0.0;
    }
    detail[name] = {{"hot_hits", r.hot_hits},
                    {"reads_by_tier", r.reads_by_tier},
                    {"bytes_promoted", r.bytes_promoted},
                    {"bytes_demoted", r.bytes_demoted},
                    {"bytes_archived", r.bytes_archived},
                    {"moves", r.moves},
                    {"peak_hot_bytes", r.peak_hot_bytes},
                    {"written_bytes_by_tier", r.written_bytes},
                    {"hit_rate_by_pattern", patterns},
                    {"replay_seconds", replay_s[p]}};
  }
  const nlohmann::json held = {{"samples", vm.heldout.samples},
                               {"rmse_model", vm.heldout.rmse_model},
                               {"rmse_mean", vm.heldout.rmse_mean},
                               {"rmse_persistence", vm.heldout.rmse_recent},
                               {"correlation", vm.heldout.correlation}};
  if (json) {
    nlohmann::json j = {
        {"bench", "tiers"},
        {"seed", seed},
        {"chunks", trace->chunks.size()},
        {"reads", trace->reads.size()},
        {"trace_bytes", trace->total_bytes},
        {"hot_capacity_bytes", vm.hot_capacity},
        {"hot_fraction", rc.hot_fraction},
        {"hit_rate", hit},
        {"bytes_migrated", migrated},
        {"read_latency", skip_latency ? nlohmann::json(nullptr) : latency},
        {"heldout", held},
        {"trainings", vm.trainings},
        {"training_seconds", vm.training_seconds},
        {"setup_seconds", skip_latency ? nlohmann::json(nullptr) : nlohmann::json(setup_s)},
        {"warm_segment_bytes", warm_bytes},
        {"cold_segment_bytes", cold_bytes},
        {"detail", detail}};
    std::cout << j.dump() << "\n";
    return 0;
  }
  std::printf("tiers: %zu chunks (%.1f MB), %zu reads, %u days, seed %llu; hot %.1f %% = %.2f MB\n",
              trace->chunks.size(), static_cast<double>(trace->total_bytes) / 1e6,
              trace->reads.size(), tc.days, static_cast<unsigned long long>(seed),
              100 * rc.hot_fraction, static_cast<double>(vm.hot_capacity) / 1e6);
  std::printf("%-12s %8s %12s %10s %10s %10s  %s\n", "policy", "hit_rate", "migrated_MB", "p50_us",
              "p99_us", "moves", "hit rate: dashboard/investigation/audit/export");
  for (size_t p = 0; p < results.size(); ++p) {
    const ReplayResult& r = results[p];
    std::printf("%-12s %8.4f %12.2f %10.1f %10.1f %10llu ", PolicyName(r.policy), r.hit_rate(),
                static_cast<double>(r.bytes_migrated()) / 1e6, lat[p].p50_us, lat[p].p99_us,
                static_cast<unsigned long long>(r.moves));
    for (size_t k = 0; k < kNumPatterns; ++k) {
      std::printf(" %.3f", r.pattern_reads[k] ? static_cast<double>(r.pattern_hits[k]) /
                                                    static_cast<double>(r.pattern_reads[k])
                                              : 0.0);
    }
    std::printf("\n");
  }
  std::printf(
      "value model: %zu trainings, %.3f s; held-out %zu samples: RMSE %.3f (constant %.3f, "
      "persistence %.3f), correlation %.3f\n",
      vm.trainings, vm.training_seconds, vm.heldout.samples, vm.heldout.rmse_model,
      vm.heldout.rmse_mean, vm.heldout.rmse_recent, vm.heldout.correlation);
  if (!skip_latency) {
    std::printf(
        "storage setup %.1f s; warm segments %.1f MB, cold %.1f MB; p50 by tier (us) "
        "hot/warm/cold: %.1f/%.1f/%.1f\n",
        setup_s, static_cast<double>(warm_bytes) / 1e6, static_cast<double>(cold_bytes) / 1e6,
        lat[1].tier_p50_us[0], lat[1].tier_p50_us[1], lat[1].tier_p50_us[2]);
  }
  return 0;
}
