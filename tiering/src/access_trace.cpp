// The seeded access trace generator (access_trace.h).
#include "tern/tiering/access_trace.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

#include "uniform.h"

namespace tern::tiering {

const char* PatternName(ReadPattern p) {
  switch (p) {
    case ReadPattern::kDashboard:
      return "dashboard";
    case ReadPattern::kInvestigation:
      return "investigation";
    case ReadPattern::kAudit:
      return "audit";
    case ReadPattern::kExport:
      return "export";
  }
  return "?";
}

namespace {

constexpr uint64_t kMinute = 60'000;
constexpr uint64_t kHour = 60 * kMinute;
constexpr uint64_t kDay = 24 * kHour;

double Normal(std::mt19937_64& rng) {
  const double u1 = Uniform01(rng) + 0x1.0p-54, u2 = Uniform01(rng);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

uint64_t Ms(double hours) { return static_cast<uint64_t>(std::llround(hours * 3'600'000.0)); }

struct Source {
  Priority priority;
  RecordKind kind;
  double importance;
  std::vector<uint64_t> chunks;  // ids, by time
};

// Ids of source s's chunks written in [from, to] and at or before `now`.
void Window(const AccessTrace& tr, const Source& s, uint64_t from, uint64_t to, uint64_t now,
            std::vector<uint64_t>* out) {
  out->clear();
  const auto lo = std::lower_bound(s.chunks.begin(), s.chunks.end(), from,
                                   [&](uint64_t id, uint64_t t) { return tr.chunks[id].t_ms < t; });
  for (auto it = lo; it != s.chunks.end(); ++it) {
    const uint64_t t = tr.chunks[*it].t_ms;
    if (t > to || t > now) break;
    out->push_back(*it);
  }
}

}  // namespace

Result<AccessTrace> GenerateTrace(const TraceConfig& cfg) {
  const uint64_t consumers = uint64_t{cfg.dashboards} + cfg.investigators + 2;
  if (cfg.sources == 0 || cfg.days == 0 || cfg.chunk_minutes == 0 || consumers > 64 ||
      cfg.dashboard_sources > cfg.sources || cfg.export_sources > cfg.sources ||
      cfg.dashboard_period_minutes == 0 || cfg.mean_chunk_bytes < 1) {
    return Status::InvalidArgument(
        "trace: " + std::to_string(cfg.sources) + " sources, " + std::to_string(cfg.days) +
        " days, a chunk every " + std::to_string(cfg.chunk_minutes) + " min, " +
        std::to_string(consumers) + " consumers (at most 64), dashboards of " +
        std::to_string(cfg.dashboard_sources) + " sources");
  }
  std::mt19937_64 rng(cfg.seed);
  AccessTrace tr;
  tr.consumers = static_cast<uint32_t>(consumers);
  tr.end_ms = cfg.days * kDay;

  std::vector<Source> src(cfg.sources);
  for (uint32_t s = 0; s < cfg.sources; ++s) {
    src[s].priority = s == 0       ? Priority::kAlarm
                      : s % 4 == 1 ? Priority::kHigh
                      : s % 4 == 3 ? Priority::kBulk
                                   : Priority::kNormal;
    src[s].kind = s + 1 == cfg.sources && s > 0 ? RecordKind::kResult
                  : s % 5 == 2                  ? RecordKind::kEvent
                  : s % 7 == 6                  ? RecordKind::kBlob
                                                : RecordKind::kSamples;
    src[s].importance = 0.1 + 0.9 * Uniform01(rng);
  }

  // Chunks: one per source per period, staggered across the period.
  const uint64_t period = cfg.chunk_minutes * kMinute;
  for (uint64_t t0 = 0; t0 < tr.end_ms; t0 += period) {
    for (uint32_t s = 0; s < cfg.sources; ++s) {
      TraceChunk c;
      c.source = s;
      c.t_ms = t0 + period * s / cfg.sources;
      const double size = cfg.mean_chunk_bytes * std::exp(0.5 * Normal(rng) - 0.125);
      c.bytes = static_cast<uint32_t>(std::clamp(size, 64.0, 64.0 * cfg.mean_chunk_bytes));
      const double pscale = src[s].priority == Priority::kAlarm  ? 2.0
                            : src[s].priority == Priority::kHigh ? 1.5
                            : src[s].priority == Priority::kBulk ? 0.5
                                                                 : 1.0;
      c.anomaly = Uniform01(rng) < cfg.anomaly_rate * pscale;
      c.factors.priority = src[s].priority;
      c.factors.kind = src[s].kind;
      c.factors.source_importance = src[s].importance;
      c.factors.anomaly_notes = c.anomaly ? static_cast<uint32_t>(1 + rng() % 3) : 0;
      c.factors.linked_results =
          c.anomaly ? static_cast<uint32_t>(1 + rng() % 2) : (Uniform01(rng) < 0.05 ? 1 : 0);
      tr.chunks.push_back(c);
    }
  }
  std::stable_sort(tr.chunks.begin(), tr.chunks.end(),
                   [](const TraceChunk& a, const TraceChunk& b) { return a.t_ms < b.t_ms; });
  for (size_t i = 0; i < tr.chunks.size(); ++i) {
    tr.chunks[i].id = i;
    src[tr.chunks[i].source].chunks.push_back(i);
    tr.total_bytes += tr.chunks[i].bytes;
  }

  std::vector<uint64_t> ids;
  const auto read_all = [&](uint64_t t, uint32_t consumer, ReadPattern p) {
    for (uint64_t id : ids) tr.reads.push_back({t, id, consumer, p});
  };

  // Dashboards: sources drawn by importance, without replacement.
  for (uint32_t d = 0; d < cfg.dashboards; ++d) {
    std::vector<uint32_t> watch;
    while (watch.size() < cfg.dashboard_sources) {
      double total = 0;
      for (uint32_t s = 0; s < cfg.sources; ++s) {
        if (std::find(watch.begin(), watch.end(), s) == watch.end()) total += src[s].importance;
      }
      double u = Uniform01(rng) * total;
      uint32_t pick = 0;
      for (uint32_t s = 0; s < cfg.sources; ++s) {
        if (std::find(watch.begin(), watch.end(), s) != watch.end()) continue;
        pick = s;
        u -= src[s].importance;
        if (u < 0) break;
      }
      watch.push_back(pick);
    }
    const uint64_t every = cfg.dashboard_period_minutes * kMinute;
    const uint64_t window = Ms(cfg.dashboard_window_hours);
    for (uint64_t t = rng() % every; t < tr.end_ms; t += every) {
      for (uint32_t s : watch) {
        Window(tr, src[s], t > window ? t - window : 0, t, t, &ids);
        read_all(t, d, ReadPattern::kDashboard);
      }
    }
  }

  // Investigations around anomalies.
  for (const TraceChunk& c : tr.chunks) {
    if (!c.anomaly || Uniform01(rng) >= cfg.investigated_fraction || cfg.investigators == 0) {
      continue;
    }
    const double delay_h = -cfg.investigation_delay_hours * std::log(1.0 - Uniform01(rng));
    const uint64_t start = c.t_ms + Ms(delay_h);
    const uint32_t who = cfg.dashboards + static_cast<uint32_t>(rng() % cfg.investigators);
    std::vector<uint32_t> look = {c.source};
    if (Uniform01(rng) < 0.5 && cfg.sources > 1) {
      look.push_back((c.source + 1 + static_cast<uint32_t>(rng() % (cfg.sources - 1))) %
                     cfg.sources);
    }
    const uint64_t passes = 2 + rng() % 3;
    for (uint64_t p = 0; p < passes; ++p) {
      const uint64_t t = start + p * 20 * kMinute + rng() % (5 * kMinute);
      if (t >= tr.end_ms) break;
      for (uint32_t s : look) {
        Window(tr, src[s], c.t_ms > 2 * kHour ? c.t_ms - 2 * kHour : 0, c.t_ms + 2 * kHour, t,
               &ids);
        read_all(t, who, ReadPattern::kInvestigation);
      }
    }
  }

  // Audits of old data.
  const uint64_t min_age = Ms(cfg.audit_min_age_days * 24);
  const auto audits = static_cast<uint64_t>(cfg.audits_per_day * cfg.days);
  const uint32_t auditor = cfg.dashboards + cfg.investigators;
  for (uint64_t i = 0; i < audits && min_age < tr.end_ms; ++i) {
    const uint64_t t = min_age + rng() % (tr.end_ms - min_age);
    const auto old_end =
        std::upper_bound(tr.chunks.begin(), tr.chunks.end(), t - min_age,
                         [](uint64_t v, const TraceChunk& ch) { return v < ch.t_ms; });
    const auto n = static_cast<uint64_t>(old_end - tr.chunks.begin());
    if (n == 0) continue;
    tr.reads.push_back({t, rng() % n, auditor, ReadPattern::kAudit});
  }

  // One bulk export.
  const uint64_t export_at = Ms(cfg.export_at_day * 24);
  if (cfg.export_at_day >= 0 && export_at < tr.end_ms && cfg.export_sources > 0) {
    std::vector<uint32_t> all(cfg.sources);
    for (uint32_t s = 0; s < cfg.sources; ++s) all[s] = s;
    std::shuffle(all.begin(), all.end(), rng);
    std::vector<uint64_t> out;
    for (const TraceChunk& c : tr.chunks) {
      if (c.t_ms > export_at) break;
      if (std::find(all.begin(), all.begin() + cfg.export_sources, c.source) !=
          all.begin() + cfg.export_sources) {
        out.push_back(c.id);
      }
    }
    const uint64_t step = 1000 / std::max<uint32_t>(1, cfg.export_reads_per_second);
    for (size_t i = 0; i < out.size(); ++i) {
      const uint64_t t = export_at + i * step;
      if (t >= tr.end_ms) break;
      tr.reads.push_back({t, out[i], auditor + 1, ReadPattern::kExport});
    }
  }

  std::stable_sort(tr.reads.begin(), tr.reads.end(),
                   [](const TraceRead& a, const TraceRead& b) { return a.t_ms < b.t_ms; });
  return tr;
}

std::string ChunkPayload(const TraceChunk& c, uint64_t seed) {
  std::string out;
  out.reserve(c.bytes + 64);
  uint64_t s = seed ^ (c.id * 0x9E3779B97F4A7C15ull);
  double level = static_cast<double>(c.source) * 10.0;
  char line[96];
  for (uint64_t i = 0; out.size() < c.bytes; ++i) {
    s += 0x9E3779B97F4A7C15ull;
    uint64_t z = (s ^ (s >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    level += (static_cast<double>(z % 2001) - 1000.0) / 1000.0;
    const int n = std::snprintf(line, sizeof line, "%llu,%u,%llu,%.3f\n",
                                static_cast<unsigned long long>(c.t_ms + i * 10), c.source,
                                static_cast<unsigned long long>(i % 4), level);
    out.append(line, static_cast<size_t>(std::max(0, n)));
  }
  out.resize(c.bytes);
  return out;
}

}  // namespace tern::tiering
