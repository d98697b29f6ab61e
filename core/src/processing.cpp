// Processor orchestration per source.
#include "tern/core/processing.h"

#include <algorithm>

namespace tern::core {

void ChunkProcessor::Gather::Add(const ChunkId& id, const ChunkHeader& h,
                                 const std::vector<double>& v) {
  // The scheduler may hand chunks of one source over out of order (live and backlog lanes).
  t_first = ids.empty() ? h.t_first : std::min(t_first, h.t_first);
  t_last = ids.empty() ? h.t_last : std::max(t_last, h.t_last);
  ids.push_back(id);
  rows.insert(rows.end(), v.begin(), v.end());
}

Result<std::vector<ProcessorOutput>> ChunkProcessor::Process(const ChunkId& id,
                                                             const ChunkHeader& h,
                                                             const std::vector<Record>& records,
                                                             uint64_t now_ms) {
  std::vector<ProcessorOutput> out;
  if (h.kind != RecordKind::kSamples || h.channels == 0 || records.empty()) return out;
  const std::string where = h.source + "#" + std::to_string(h.seq);
  auto x = analysis::MatrixFromRecords(records, h.channels);
  if (!x.ok()) return x.status().WithContext("chunk " + where);
  TERN_RETURN_IF_ERROR(analysis::CheckMatrix(*x).WithContext("chunk " + where));

  const std::string key = std::to_string(h.origin) + "/" + h.source;
  SourceState& st = state_[key];
  if (!st.z || st.z->channels() != h.channels) {  // new source, or its shape changed
    st = SourceState();
    st.z = std::make_unique<analysis::RunningZ>(h.channels, o_.z);
  }

  // Window statistics over `stats_window` rows of this source (0: each chunk on its own).
  st.stats.Add(id, h, x->v);
  size_t rows = st.stats.rows.size() / h.channels;
  if (o_.stats_window == 0 || rows >= o_.stats_window) {
    analysis::Matrix w{rows, h.channels, std::move(st.stats.rows)};
    auto stats = analysis::WindowStatistics(w, 0);
    if (!stats.ok()) return stats.status().WithContext("stats of " + where);
    nlohmann::json windows = nlohmann::json::array();
    for (const auto& ws : *stats) windows.push_back(analysis::ToJson(ws));
    out.push_back({"stats", {{"rows", rows}, {"chunks", st.stats.ids.size()}, {"windows", windows}},
                   0, st.stats.ids, st.stats.t_first, st.stats.t_last});
    st.stats.Clear();
  }

  auto z = analysis::ZScore(*x, *st.z);
  if (!z.ok()) return z.status().WithContext("zscore of " + where);
  if (!z->anomalies.empty()) {
    nlohmann::json list = nlohmann::json::array();
    for (size_t i = 0; i < z->anomalies.size() && i < 100; ++i) {
      auto a = analysis::ToJson(z->anomalies[i]);
      a["seq"] = records[z->anomalies[i].row].seq;  // the record, as the edge numbered it
      a["ts"] = records[z->anomalies[i].row].ts;
      a["ts_ms"] = records[z->anomalies[i].row].ts >> 16;  // wall ms, for readers without HLC
      list.push_back(a);
    }
    out.push_back({"zscore",
                   {{"threshold", o_.z.threshold}, {"count", z->anomalies.size()}, {"anomalies", list}},
                   static_cast<int>(z->anomalies.size()), {id}, h.t_first, h.t_last});
  }

  if (o_.msmve_window > 0) {
    st.msmve.Add(id, h, x->v);
    if (st.msmve.rows.size() / h.channels >= o_.msmve_window) {
      bool due = !st.ran_msmve || now_ms - st.last_msmve_ms >= o_.msmve_interval_ms;
      if (due) {
        st.msmve.rows.resize(o_.msmve_window * h.channels);
        analysis::Matrix w{o_.msmve_window, h.channels, std::move(st.msmve.rows)};
        auto e = analysis::Msmve(w, o_.msmve);
        if (e.ok()) {
          out.push_back({"msmve", analysis::ToJson(*e), 0, st.msmve.ids, st.msmve.t_first,
                         st.msmve.t_last});
        }
        st.last_msmve_ms = now_ms;
        st.ran_msmve = true;
      } else {
        ++skipped_;
      }
      st.msmve.Clear();
    }
  }
  return out;
}
void AddProcessingKeys(ConfigSchema* s) {
  using T = ConfigType;
  s->keys.push_back({"processor.stats.window", T::kInt, "4096", "Rows of a source per statistics window (0 = one window per chunk)", 0, 1e9});
  s->keys.push_back({"processor.zscore.threshold", T::kDouble, "5", "Flag a value whose running z-score exceeds this", 0.1, 1e6});
  s->keys.push_back({"processor.zscore.warmup", T::kInt, "200", "Rows of a source seen before any flag", 2, 1e12});
  s->keys.push_back({"processor.msmve.window", T::kInt, "2048", "Rows per MSMVE window (0 = off)", 0, 1e6});
  s->keys.push_back({"processor.msmve.scales", T::kInt, "5", "MSMVE scales 1..N", 1, 1000});
  s->keys.push_back({"processor.msmve.m", T::kInt, "2", "Embedding dimension per channel", 1, 10});
  s->keys.push_back({"processor.msmve.tau", T::kInt, "1", "Lag per channel", 1, 100});
  s->keys.push_back({"processor.msmve.r", T::kDouble, "0.15", "Tolerance factor r (tolerance = r * channels)", 0, 10});
  s->keys.push_back({"processor.msmve.interval", T::kDurationMs, "5s", "At most one MSMVE window per source this often; windows between are skipped and counted", 0, 86400000});
}

ProcessingOptions ProcessingOptionsFrom(const Config& c) {
  ProcessingOptions o;
  o.stats_window = static_cast<size_t>(c.Int("processor.stats.window"));
  o.z.threshold = c.Double("processor.zscore.threshold");
  o.z.warmup = static_cast<uint64_t>(c.Int("processor.zscore.warmup"));
  o.msmve_window = static_cast<size_t>(c.Int("processor.msmve.window"));
  o.msmve.max_scale = static_cast<int>(c.Int("processor.msmve.scales"));
  o.msmve.m = {static_cast<int>(c.Int("processor.msmve.m"))};
  o.msmve.tau = {static_cast<int>(c.Int("processor.msmve.tau"))};
  o.msmve.r = c.Double("processor.msmve.r");
  o.msmve_interval_ms = static_cast<uint64_t>(c.Int("processor.msmve.interval"));
  return o;
}

}  // namespace tern::core
