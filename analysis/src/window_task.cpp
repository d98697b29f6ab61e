// The window task: see window_task.h.
#include "tern/analysis/window_task.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

namespace tern::analysis {
namespace {

constexpr size_t kMaxMsmveRows = 1000000;
constexpr int kMaxScales = 50;

Status Bad(const std::string& key, const std::string& why) {
  return Status::InvalidArgument("analysis parameter '" + key + "' " + why);
}

// Reads an integer in [lo, hi] at key `k` of `j` into *out (absent: unchanged).
Status IntIn(const nlohmann::json& j, const char* k, int64_t lo, int64_t hi, int64_t* out) {
  auto it = j.find(k);
  if (it == j.end()) return Status::Ok();
  if (!it->is_number_integer()) return Bad(k, "must be an integer");
  int64_t v = it->get<int64_t>();
  if (v < lo || v > hi) {
    return Bad(k, "must be in " + std::to_string(lo) + ".." + std::to_string(hi));
  }
  *out = v;
  return Status::Ok();
}

Status BoolAt(const nlohmann::json& j, const char* k, bool* out) {
  auto it = j.find(k);
  if (it == j.end()) return Status::Ok();
  if (!it->is_boolean()) return Bad(k, "must be true or false");
  *out = it->get<bool>();
  return Status::Ok();
}

Status DoubleIn(const nlohmann::json& j, const char* k, double lo, double hi, bool open_lo,
                double* out) {
  auto it = j.find(k);
  if (it == j.end()) return Status::Ok();
  if (!it->is_number()) return Bad(k, "must be a number");
  double v = it->get<double>();
  if (!std::isfinite(v) || v > hi || (open_lo ? v <= lo : v < lo)) {
    return Bad(k, std::string("must be ") + (open_lo ? "above " : "at least ") +
                      std::to_string(lo) + " and at most " + std::to_string(hi));
  }
  *out = v;
  return Status::Ok();
}

}  // namespace

Result<WindowChunk> DecodeWindowChunk(std::string_view wire) {
  auto view = DecodeChunk(wire);
  if (!view.ok()) return view.status();
  if (view->header.kind != RecordKind::kSamples || view->header.channels == 0) {
    return Status::InvalidArgument("chunk " + view->header.source + "#" +
                                   std::to_string(view->header.seq) + " is not a sample chunk");
  }
  auto records = DecodeRecords(*view);
  if (!records.ok()) return records.status();
  return WindowChunk{view->header, std::move(*records)};
}

std::vector<std::string> TaskParams::Names() const {
  std::vector<std::string> n;
  if (stats) n.push_back("stats");
  if (zscore) n.push_back("zscore");
  if (msmve) n.push_back("msmve");
  return n;
}

nlohmann::json TaskParams::ToJson() const {
  return {{"stats", stats},
          {"zscore", zscore},
          {"msmve", msmve},
          {"z_threshold", z_threshold},
          {"msmve_rows", msmve_rows},
          {"msmve_m", msmve_params.m.empty() ? 2 : msmve_params.m[0]},
          {"msmve_tau", msmve_params.tau.empty() ? 1 : msmve_params.tau[0]},
          {"msmve_r", msmve_params.r},
          {"msmve_scales", msmve_params.max_scale}};
}

Result<TaskParams> TaskParams::FromJson(const nlohmann::json& j) {
  if (!j.is_object()) return Status::InvalidArgument("analysis parameters must be an object");
  static const char* const kKeys[] = {"stats",       "zscore",     "msmve",
                                      "z_threshold", "msmve_rows", "msmve_m",
                                      "msmve_tau",   "msmve_r",    "msmve_scales"};
  for (const auto& [k, v] : j.items()) {
    if (std::find(std::begin(kKeys), std::end(kKeys), k) == std::end(kKeys)) {
      return Bad(k, "is not known");
    }
  }
  TaskParams p;
  TERN_RETURN_IF_ERROR(BoolAt(j, "stats", &p.stats));
  TERN_RETURN_IF_ERROR(BoolAt(j, "zscore", &p.zscore));
  TERN_RETURN_IF_ERROR(BoolAt(j, "msmve", &p.msmve));
  if (!p.stats && !p.zscore && !p.msmve) {
    return Status::InvalidArgument("analysis parameters select no processor");
  }
  TERN_RETURN_IF_ERROR(DoubleIn(j, "z_threshold", 0, 1e6, true, &p.z_threshold));
  int64_t rows = static_cast<int64_t>(p.msmve_rows), m = 2, tau = 1,
          scales = p.msmve_params.max_scale;
  TERN_RETURN_IF_ERROR(IntIn(j, "msmve_rows", 0, kMaxMsmveRows, &rows));
  TERN_RETURN_IF_ERROR(IntIn(j, "msmve_m", 1, 10, &m));
  TERN_RETURN_IF_ERROR(IntIn(j, "msmve_tau", 1, 100, &tau));
  TERN_RETURN_IF_ERROR(IntIn(j, "msmve_scales", 1, kMaxScales, &scales));
  TERN_RETURN_IF_ERROR(DoubleIn(j, "msmve_r", 0, 10, false, &p.msmve_params.r));
  p.msmve_rows = static_cast<size_t>(rows);
  p.msmve_params.m = {static_cast<int>(m)};
  p.msmve_params.tau = {static_cast<int>(tau)};
  p.msmve_params.max_scale = static_cast<int>(scales);
  return p;
}

Result<AlignedWindow> AlignWindow(std::vector<WindowChunk> chunks) {
  if (chunks.empty()) return Status::InvalidArgument("a window task needs at least one chunk");
  // Series in (origin, source) order, chunks of a series in seq order.
  std::map<std::pair<uint32_t, std::string>, std::vector<WindowChunk*>> series;
  for (auto& c : chunks) {
    if (c.header.kind != RecordKind::kSamples || c.header.channels == 0) {
      return Status::InvalidArgument("chunk " + c.header.source + "#" +
                                     std::to_string(c.header.seq) + " is not a sample chunk");
    }
    series[{c.header.origin, c.header.source}].push_back(&c);
  }
  AlignedWindow w;
  std::vector<Matrix> parts;
  for (auto& [key, list] : series) {
    std::sort(list.begin(), list.end(), [](const WindowChunk* a, const WindowChunk* b) {
      return a->header.seq < b->header.seq;
    });
    const uint16_t ch = list.front()->header.channels;
    std::vector<Record> records;
    for (WindowChunk* c : list) {
      if (c->header.channels != ch) {
        return Status::InvalidArgument("series " + std::to_string(key.first) + "/" + key.second +
                                       " changes from " + std::to_string(ch) + " to " +
                                       std::to_string(c->header.channels) +
                                       " channels inside one window");
      }
      for (auto& r : c->records) records.push_back(std::move(r));
    }
    auto x = MatrixFromRecords(records, ch);
    if (!x.ok()) {
      return x.status().WithContext("series " + std::to_string(key.first) + "/" + key.second);
    }
    w.series.push_back(std::to_string(key.first) + "/" + key.second);
    w.channels.push_back(ch);
    parts.push_back(std::move(*x));
  }
  size_t rows = parts.front().rows, cols = 0, total_rows = 0;
  for (const auto& p : parts) {
    rows = std::min(rows, p.rows);
    cols += p.cols;
    total_rows += p.rows;
  }
  w.dropped_rows = total_rows - rows * parts.size();
  w.x.rows = rows;
  w.x.cols = cols;
  w.x.v.reserve(rows * cols);
  for (size_t r = 0; r < rows; ++r) {
    for (const auto& p : parts) {
      auto row = p.row(r);
      w.x.v.insert(w.x.v.end(), row.begin(), row.end());
    }
  }
  return w;
}

Result<nlohmann::json> RunTask(std::vector<WindowChunk> chunks, const TaskParams& params) {
  TERN_ASSIGN_OR_RETURN(AlignedWindow w, AlignWindow(std::move(chunks)));
  TERN_RETURN_IF_ERROR(CheckMatrix(w.x));
  nlohmann::json out = {{"rows", w.x.rows},
                        {"cols", w.x.cols},
                        {"series", w.series},
                        {"dropped_rows", w.dropped_rows}};
  if (params.stats || params.zscore) {
    TERN_ASSIGN_OR_RETURN(std::vector<WindowStats> stats, WindowStatistics(w.x, 0));
    if (params.stats) {
      out["stats"] =
          stats.empty() ? nlohmann::json{{"first_row", 0}, {"count", 0}} : ToJson(stats.front());
    }
    if (params.zscore) {
      std::vector<uint64_t> by_channel(w.x.cols, 0);
      uint64_t count = 0;
      for (size_t c = 0; c < w.x.cols && !stats.empty(); ++c) {
        const ChannelStats& s = stats.front().channels[c];
        if (s.stddev == 0) continue;  // a constant channel has no outliers
        for (size_t r = 0; r < w.x.rows; ++r) {
          if (std::abs(w.x.at(r, c) - s.mean) / s.stddev > params.z_threshold) {
            ++by_channel[c];
            ++count;
          }
        }
      }
      out["zscore"] = {
          {"threshold", params.z_threshold}, {"count", count}, {"by_channel", by_channel}};
    }
  }
  if (params.msmve) {
    Matrix m = w.x;
    if (params.msmve_rows > 0 && m.rows > params.msmve_rows) {
      m.rows = params.msmve_rows;
      m.v.resize(m.rows * m.cols);
    }
    TERN_ASSIGN_OR_RETURN(MsmveResult e, Msmve(m, params.msmve_params));
    out["msmve"] = ToJson(e);
  }
  return out;
}

Result<nlohmann::json> MergeStats(const std::vector<nlohmann::json>& outputs) {
  struct Acc {
    double n = 0, mean = 0, m2 = 0, min = 0, max = 0;
  };
  std::vector<Acc> acc;
  size_t rows = 0;
  bool first = true;
  for (const auto& o : outputs) {
    auto st = o.find("stats");
    if (!o.is_object() || st == o.end() || !st->is_object()) {
      return Status::InvalidArgument("a task output without window statistics");
    }
    const nlohmann::json& ch = st->value("channels", nlohmann::json::array());
    if (!ch.is_array()) return Status::InvalidArgument("window statistics without channels");
    if (first) {
      acc.resize(ch.size());
    } else if (ch.size() != acc.size()) {
      return Status::InvalidArgument("task outputs with " + std::to_string(acc.size()) + " and " +
                                     std::to_string(ch.size()) + " channels");
    }
    rows += st->value("count", size_t{0});
    for (size_t c = 0; c < ch.size(); ++c) {
      const auto& s = ch[c];
      if (!s.is_object()) return Status::InvalidArgument("malformed channel statistics");
      double n = s.value("count", 0.0), mean = s.value("mean", 0.0);
      double sd = s.value("stddev", 0.0), lo = s.value("min", 0.0), hi = s.value("max", 0.0);
      if (n <= 0) continue;
      Acc& a = acc[c];
      double m2 = sd * sd * n;
      if (a.n == 0) {
        a = {n, mean, m2, lo, hi};
        continue;
      }
      double total = a.n + n, delta = mean - a.mean;
      a.mean += delta * n / total;
      a.m2 += m2 + delta * delta * a.n * n / total;
      a.n = total;
      a.min = std::min(a.min, lo);
      a.max = std::max(a.max, hi);
    }
    first = false;
  }
  nlohmann::json channels = nlohmann::json::array();
  for (const Acc& a : acc) {
    ChannelStats s;
    s.count = static_cast<size_t>(a.n);
    s.mean = a.mean;
    s.stddev = a.n > 0 ? std::sqrt(a.m2 / a.n) : 0;
    s.sample_stddev = a.n > 1 ? std::sqrt(a.m2 / (a.n - 1)) : 0;
    s.min = a.min;
    s.max = a.max;
    s.rms = std::sqrt(s.mean * s.mean + s.stddev * s.stddev);
    channels.push_back(ToJson(s));
  }
  return nlohmann::json{{"rows", rows}, {"channels", channels}};
}

}  // namespace tern::analysis
