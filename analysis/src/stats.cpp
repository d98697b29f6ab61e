// Matrix construction, window statistics and running z-scores (analysis.h, parts 1 and 2),
// plus the JSON forms of every analysis result.
#include <algorithm>
#include <cmath>
#include <limits>

#include "tern/common/bytes.h"
#include "tern/analysis/analysis.h"

namespace tern::analysis {

Result<Matrix> MatrixFromRecords(const std::vector<Record>& records, uint16_t channels) {
  if (channels == 0) return Status::InvalidArgument("sample matrix needs at least one channel");
  Matrix m;
  m.cols = channels;
  m.rows = records.size();
  m.v.reserve(records.size() * channels);
  for (size_t i = 0; i < records.size(); ++i) {
    auto vals = DecodeSamples(records[i].payload, channels);
    if (!vals.ok()) return vals.status().WithContext("record " + std::to_string(i));
    m.v.insert(m.v.end(), vals->begin(), vals->end());
  }
  return m;
}

Result<Matrix> MatrixFromRows(const std::vector<std::vector<double>>& rows) {
  Matrix m;
  m.rows = rows.size();
  m.cols = rows.empty() ? 0 : rows[0].size();
  m.v.reserve(m.rows * m.cols);
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].size() != m.cols) {
      return Status::InvalidArgument("row " + std::to_string(i) + " has " +
                                     std::to_string(rows[i].size()) + " values, expected " +
                                     std::to_string(m.cols));
    }
    m.v.insert(m.v.end(), rows[i].begin(), rows[i].end());
  }
  return m;
}

Status CheckMatrix(const Matrix& x) {
  if (x.v.size() != x.rows * x.cols) {
    return Status::InvalidArgument(
        "matrix holds " + std::to_string(x.v.size()) +
        " values, expected rows*cols = " + std::to_string(x.rows * x.cols));
  }
  for (size_t i = 0; i < x.v.size(); ++i) {
    if (!std::isfinite(x.v[i])) {
      return Status::InvalidArgument("non-finite value at row " +
                                     std::to_string(x.cols ? i / x.cols : 0) + " channel " +
                                     std::to_string(x.cols ? i % x.cols : 0));
    }
  }
  return Status::Ok();
}

Result<std::vector<WindowStats>> WindowStatistics(const Matrix& x, size_t window) {
  TERN_RETURN_IF_ERROR(CheckMatrix(x));
  std::vector<WindowStats> out;
  if (x.rows == 0) return out;
  if (window == 0) window = x.rows;
  for (size_t first = 0; first < x.rows; first += window) {
    const size_t n = std::min(window, x.rows - first);
    WindowStats w;
    w.first_row = first;
    w.count = n;
    w.channels.resize(x.cols);
    for (size_t c = 0; c < x.cols; ++c) {
      double mean = 0, m2 = 0;
      double lo = std::numeric_limits<double>::infinity(), hi = -lo;
      for (size_t k = 0; k < n; ++k) {
        const double v = x.at(first + k, c);
        const double d = v - mean;
        mean += d / static_cast<double>(k + 1);
        m2 += d * (v - mean);
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
      ChannelStats& s = w.channels[c];
      s.count = n;
      s.mean = mean;
      s.stddev = std::sqrt(m2 / static_cast<double>(n));
      s.sample_stddev = n >= 2 ? std::sqrt(m2 / static_cast<double>(n - 1)) : 0.0;
      s.min = lo;
      s.max = hi;
      s.rms = std::sqrt(mean * mean + m2 / static_cast<double>(n));
    }
    out.push_back(std::move(w));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

namespace {
constexpr uint32_t kZMagic = 0x5A4E5254;  // "TRNZ"
constexpr uint16_t kZVersion = 1;
constexpr size_t kMaxZChannels = 65535;
}  // namespace

RunningZ::RunningZ(size_t channels, ZParams params)
    : params_(params), mean_(channels, 0.0), m2_(channels, 0.0) {}

double RunningZ::variance(size_t c) const {
  return n_ == 0 ? 0.0 : m2_[c] / static_cast<double>(n_);
}

Result<std::vector<double>> RunningZ::Update(std::span<const double> row) {
  if (row.size() != mean_.size()) {
    return Status::InvalidArgument("row has " + std::to_string(row.size()) +
                                   " values, z-score state has " + std::to_string(mean_.size()) +
                                   " channels");
  }
  for (size_t c = 0; c < row.size(); ++c) {
    if (!std::isfinite(row[c])) {
      return Status::InvalidArgument("non-finite value in channel " + std::to_string(c));
    }
  }
  std::vector<double> z(row.size(), 0.0);
  const double n = static_cast<double>(n_);
  for (size_t c = 0; c < row.size(); ++c) {
    if (n_ >= 2) {
      const double sd = std::sqrt(m2_[c] / n);
      if (sd > 0) z[c] = (row[c] - mean_[c]) / sd;
      if (!std::isfinite(z[c])) z[c] = 0;  // overflow of a huge deviation over a tiny sd
    }
    const double d = row[c] - mean_[c];
    mean_[c] += d / (n + 1);
    m2_[c] += d * (row[c] - mean_[c]);
  }
  ++n_;
  return z;
}

std::string RunningZ::Serialize() const {
  std::string out;
  ByteWriter w(&out);
  w.U32(kZMagic);
  w.U16(kZVersion);
  w.U32(static_cast<uint32_t>(mean_.size()));
  w.U64(n_);
  for (size_t c = 0; c < mean_.size(); ++c) {
    w.F64(mean_[c]);
    w.F64(m2_[c]);
  }
  return out;
}

Status RunningZ::Restore(std::string_view blob) {
  ByteReader r(blob);
  uint32_t magic = 0, channels = 0;
  uint16_t version = 0;
  uint64_t n = 0;
  if (!r.U32(&magic) || !r.U16(&version) || !r.U32(&channels) || !r.U64(&n)) {
    return Status::Corruption("z-score state: truncated header");
  }
  if (magic != kZMagic || version != kZVersion) {
    return Status::Corruption("z-score state: bad magic or version");
  }
  if (channels > kMaxZChannels || r.remaining() != size_t{16} * channels) {
    return Status::Corruption("z-score state: length does not match " + std::to_string(channels) +
                              " channels");
  }
  if (channels != mean_.size()) {
    return Status::InvalidArgument("z-score state has " + std::to_string(channels) +
                                   " channels, expected " + std::to_string(mean_.size()));
  }
  std::vector<double> mean(channels), m2(channels);
  for (size_t c = 0; c < channels; ++c) {
    r.F64(&mean[c]);
    r.F64(&m2[c]);
    if (!std::isfinite(mean[c]) || !std::isfinite(m2[c]) || m2[c] < 0) {
      return Status::Corruption("z-score state: invalid statistics for channel " +
                                std::to_string(c));
    }
  }
  if (!r.AtEnd()) return Status::Corruption("z-score state: trailing bytes");
  n_ = n;
  mean_ = std::move(mean);
  m2_ = std::move(m2);
  return Status::Ok();
}

Result<RunningZ> RunningZ::FromBlob(std::string_view blob, ZParams params) {
  ByteReader r(blob);
  uint32_t magic = 0, channels = 0;
  uint16_t version = 0;
  if (!r.U32(&magic) || !r.U16(&version) || !r.U32(&channels)) {
    return Status::Corruption("z-score state: truncated header");
  }
  if (channels > kMaxZChannels) return Status::Corruption("z-score state: too many channels");
  RunningZ z(channels, params);
  TERN_RETURN_IF_ERROR(z.Restore(blob));
  return z;
}

Result<ZScoreResult> ZScore(const Matrix& x, RunningZ& state) {
  TERN_RETURN_IF_ERROR(CheckMatrix(x));
  if (x.rows > 0 && x.cols != state.channels()) {
    return Status::InvalidArgument("matrix has " + std::to_string(x.cols) +
                                   " channels, z-score state has " +
                                   std::to_string(state.channels()));
  }
  ZScoreResult out;
  out.rows_before = state.count();
  const uint64_t warm = std::max<uint64_t>(state.params().warmup, 2);
  for (size_t r = 0; r < x.rows; ++r) {
    const bool armed = state.count() >= warm;
    auto z = state.Update(x.row(r));
    if (!z.ok()) return z.status();  // unreachable after CheckMatrix; kept for safety
    if (!armed) continue;
    for (size_t c = 0; c < x.cols; ++c) {
      if (std::abs((*z)[c]) > state.params().threshold) {
        out.anomalies.push_back({r, c, x.at(r, c), (*z)[c]});
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

nlohmann::json ToJson(const ChannelStats& s) {
  return {{"count", s.count},   {"mean", s.mean},
          {"stddev", s.stddev}, {"sample_stddev", s.sample_stddev},
          {"min", s.min},       {"max", s.max},
          {"rms", s.rms}};
}

nlohmann::json ToJson(const WindowStats& w) {
  nlohmann::json ch = nlohmann::json::array();
  for (const auto& c : w.channels) ch.push_back(ToJson(c));
  return {{"first_row", w.first_row}, {"count", w.count}, {"channels", ch}};
}

nlohmann::json ToJson(const Anomaly& a) {
  return {{"row", a.row}, {"channel", a.channel}, {"value", a.value}, {"z", a.z}};
}

nlohmann::json ToJson(const ZScoreResult& z) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& x : z.anomalies) a.push_back(ToJson(x));
  return {{"rows_before", z.rows_before}, {"anomalies", a}};
}

nlohmann::json ToJson(const ScaleEntropy& s) {
  nlohmann::json j = {{"scale", s.scale},
                      {"length", s.length},
                      {"m_vectors", s.m_vectors},
                      {"m1_vectors_per_extension", s.m1_vectors},
                      {"b0_count", s.b0_count},
                      {"b0_pairs", s.b0_pairs},
                      {"b0", s.b0},
                      {"bt_count", s.bt_count},
                      {"bt_pairs", s.bt_pairs},
                      {"bt", s.bt},
                      {"defined", s.defined}};
  j["entropy"] = s.defined ? nlohmann::json(s.entropy) : nlohmann::json(nullptr);
  if (!s.defined) j["reason"] = s.reason;
  return j;
}

nlohmann::json ToJson(const MsmveResult& r) {
  nlohmann::json sc = nlohmann::json::array();
  for (const auto& s : r.scales) sc.push_back(ToJson(s));
  return {{"rows", r.rows},
          {"channels", r.channels},
          {"m", r.m},
          {"tau", r.tau},
          {"r", r.r},
          {"tolerance", r.tolerance},
          {"constant_channels", r.constant_channels},
          {"scales", sc}};
}

}  // namespace tern::analysis
