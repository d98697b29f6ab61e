// Analysis processors of the core (design §7): window statistics per channel, running z-score
// scaling with anomaly flags, and multiscale multivariate sample entropy (MSMVE, Ahmed & Mandic,
// Phys. Rev. E 84, 061918, 2011) counted with an exact bit-parallel method.
//
// Input is a window of multichannel samples, a row-major Matrix (row = one record, column = one
// channel). Every function rejects non-finite values (NaN, ±inf) with InvalidArgument, so no
// result ever holds a NaN. Results convert to JSON with ToJson (what ternctl and the core store
// as result chunks). Nothing here throws, allocates without bound from untrusted sizes, or keeps
// global state.
// Thread-safety: free functions over values are safe from any thread; a RunningZ object is not
// synchronised (one per source, used by one thread at a time).
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tern/common/chunk.h"
#include "tern/common/status.h"

namespace tern::analysis {

// A window of samples: `rows` records of `cols` channels, row-major (v[r * cols + c]).
struct Matrix {
  size_t rows = 0, cols = 0;
  std::vector<double> v;

  double at(size_t r, size_t c) const { return v[r * cols + c]; }
  std::span<const double> row(size_t r) const { return {v.data() + r * cols, cols}; }
};

// Builds a Matrix from sample records (each payload `channels` little-endian doubles, as
// DecodeSamples reads them), one row per record in the given order. Fails on a malformed
// payload (InvalidArgument/Corruption from DecodeSamples, with the record index) or
// channels == 0. Non-finite values are kept; the processors reject them.
Result<Matrix> MatrixFromRecords(const std::vector<Record>& records, uint16_t channels);

// Builds a Matrix from rows that must all have the same length (InvalidArgument otherwise).
Result<Matrix> MatrixFromRows(const std::vector<std::vector<double>>& rows);

// OK if every value is finite and rows * cols == v.size(); InvalidArgument otherwise.
Status CheckMatrix(const Matrix& x);

// ---------------------------------------------------------------------------------------------
// 1. Window statistics.

// Statistics of one channel over one window, computed with Welford's update (numerically
// stable: no sum-of-squares cancellation).
//   mean          = Σx / n
//   stddev        = population standard deviation, sqrt(Σ(x − mean)² / n)
//   sample_stddev = sample standard deviation, sqrt(Σ(x − mean)² / (n − 1)); 0 when n < 2
//   rms           = sqrt(Σx² / n), computed as sqrt(mean² + stddev²)
struct ChannelStats {
  size_t count = 0;
  double mean = 0, stddev = 0, sample_stddev = 0, min = 0, max = 0, rms = 0;
};

// One window: rows [first_row, first_row + count) of the input.
struct WindowStats {
  size_t first_row = 0;
  size_t count = 0;
  std::vector<ChannelStats> channels;  // one per column
};

// Splits the rows into consecutive windows of `window` rows (window == 0: one window of all
// rows); the last window may be partial and carries its own count. An empty matrix gives no
// windows. Fails on non-finite values.
Result<std::vector<WindowStats>> WindowStatistics(const Matrix& x, size_t window);

// ---------------------------------------------------------------------------------------------
// 2. Running z-score and anomaly flags.

struct ZParams {
  double threshold = 4.0;  // flag when |z| > threshold
  uint64_t warmup = 30;    // no flags until this many earlier rows have been seen (>= 2 used)
};

// One flagged value: row index within the matrix passed to ZScore, channel, value and z.
struct Anomaly {
  size_t row = 0;
  size_t channel = 0;
  double value = 0;
  double z = 0;
};

// Per-channel running mean and variance (Welford) over every row a source has produced, kept
// across chunks. Each row is scored against the statistics of the rows BEFORE it (so a spike
// does not dilute its own z), then included:
//   z = (x − mean_{n}) / sd_{n},  sd_{n} = population standard deviation of the n earlier rows.
// z is 0 while n < 2 or when sd_n == 0 (a constant channel so far). A value is flagged when
// n >= max(warmup, 2) and |z| > threshold. Flagged rows still update the statistics.
class RunningZ {
 public:
  explicit RunningZ(size_t channels, ZParams params = {});

  // Scores one row (size must equal channels()) and then updates the statistics. Fails with
  // InvalidArgument on a wrong size or a non-finite value, leaving the state unchanged.
  Result<std::vector<double>> Update(std::span<const double> row);

  size_t channels() const { return mean_.size(); }
  uint64_t count() const { return n_; }
  const ZParams& params() const { return params_; }
  void set_params(const ZParams& p) { params_ = p; }
  double mean(size_t c) const { return mean_[c]; }
  // Population variance of the rows seen so far (0 while count() < 1).
  double variance(size_t c) const;

  // The statistics (not the parameters) as a versioned little-endian blob.
  std::string Serialize() const;
  // Replaces this object's statistics with a Serialize() blob; Corruption if malformed,
  // InvalidArgument if its channel count differs. Parameters stay as configured.
  Status Restore(std::string_view blob);
  // A fresh object from a blob, with the given parameters.
  static Result<RunningZ> FromBlob(std::string_view blob, ZParams params = {});

 private:
  ZParams params_;
  uint64_t n_ = 0;
  std::vector<double> mean_, m2_;
};

struct ZScoreResult {
  uint64_t rows_before = 0;  // state count before this matrix
  std::vector<Anomaly> anomalies;
};

// Runs every row of x through `state` in order; returns the flagged values. On error (a
// non-finite value or a column count that differs from state.channels()) nothing is updated.
Result<ZScoreResult> ZScore(const Matrix& x, RunningZ& state);

// ---------------------------------------------------------------------------------------------
// 3. Multiscale multivariate sample entropy (MSMVE).
//
// Definitions, for a window of N rows and p channels (p = cols):
//  * Normalisation: each channel of the whole window is scaled once to zero mean and unit
//    POPULATION standard deviation: x' = (x − mean) / sqrt(Σ(x − mean)²/N). A constant channel
//    (σ == 0) becomes all zeros: it then never separates two vectors, and is listed in
//    constant_channels.
//  * Tolerance: tol = r · p, i.e. r times the total variation tr(S) = p of the normalised data,
//    computed once and used unchanged at every scale (coarse-graining lowers the variance; the
//    tolerance deliberately does not follow). With constant channels we keep r · p (not
//    r · (p − #constant)).
//  * Coarse-graining at scale s = 1..S: y_k(j) = (Σ_{i=js}^{js+s−1} x'_k(i)) / s for
//    j = 0..L−1, L = floor(N / s) (summed in index order, then divided by s).
//  * Embedding M = (m_1..m_p) (each >= 1), lags τ = (τ_1..τ_p) (each >= 1). The composite delay
//    vector at index i (0-based) concatenates, channel by channel in order,
//    y_k(i), y_k(i + τ_k), ..., y_k(i + (m_k − 1)τ_k), dimension Σm_k.
//    m-step: i = 0 .. M0 − 1 with M0 = L − max_k((m_k − 1)τ_k) vectors.
//    m+1 step: for each extended channel h = 1..p, the vector with channel h's block extended
//    by y_h(i + m_h τ_h) (placed at the end of that block), dimension Σm_k + 1, for
//    i = 0 .. M1 − 1 with M1 = L − max_k(m_k τ_k) (the same range for every h): p·M1 vectors.
//  * Distance: Chebyshev, position by position; two vectors match when max_d |a_d − b_d| ≤ tol
//    (computed as std::abs(a_d − b_d) <= tol in double; the fast method uses exactly this
//    predicate, so counts equal the naive scan bit for bit).
//  * B0: number of matching unordered pairs {i, j}, i != j, among the M0 m-vectors, out of
//    M0(M0 − 1)/2 pairs. Bt ("full" method): matching unordered pairs among all p·M1 extended
//    vectors taken together (pairs of vectors from different extensions count, compared
//    position by position), out of P(P − 1)/2 pairs, P = p·M1.
//  * Normalisation of the counts: probabilities b0 = B0/pairs0 and bt = Bt/pairs_t. These equal
//    the paper's B^m and B^{m+1} (the mean over vectors of the fraction of the OTHER vectors
//    that match), which is needed because the two steps compare different numbers of vectors
//    (M0 vs p·M1); a ratio of raw counts would be off by about p².
//  * Entropy: MSMVE(s) = −ln(bt / b0). Defined only when pairs0 > 0, pairs_t > 0, B0 > 0 and
//    Bt > 0; otherwise defined = false, entropy = 0 (JSON: null) and reason says why
//    ("too few m-vectors", "too few m+1 vectors", "no matches at m", "no matches at m+1").
//
// Fast exact method (CountMatchingPairs in msmve.cpp): for every channel the values are sorted
// once per scale; for a value v the samples b with |y(b) − v| ≤ tol are a contiguous rank range
// (the predicate is monotone in y(b)), turned into a bitset over sample indices from prefix
// bitsets kept every 64·k ranks. A vector's matches against all vectors of one layout are then
// the AND, over positions, of those bitsets shifted by the position's offset: 64 candidate
// pairs per word operation, stopping at the first all-zero word. Cost O(p²·L²·D/64) word
// operations per scale (D = Σm + 1) instead of O(p²·L²·D) comparisons; memory O(p·L²/(64·k))
// words for the prefix bitsets plus a ring of p²·(max m_kτ_k + 1) bitsets.
struct MsmveParams {
  // Embedding dimension and lag per channel; a single value applies to every channel.
  std::vector<int> m{2};
  std::vector<int> tau{1};
  double r = 0.15;     // tolerance factor (>= 0); tolerance = r · p
  int max_scale = 15;  // scales 1..max_scale (1..100000)
};

struct ScaleEntropy {
  int scale = 0;
  size_t length = 0;      // L = floor(N / scale)
  size_t m_vectors = 0;   // M0
  size_t m1_vectors = 0;  // M1 per extension (p·M1 in all)
  uint64_t b0_count = 0, b0_pairs = 0;
  uint64_t bt_count = 0, bt_pairs = 0;
  double b0 = 0, bt = 0;  // count / pairs (0 when pairs == 0)
  bool defined = false;
  double entropy = 0;  // −ln(bt / b0) when defined, else 0
  std::string reason;  // empty when defined
};

struct MsmveResult {
  size_t rows = 0, channels = 0;
  std::vector<int> m, tau;  // expanded to one per channel
  double r = 0, tolerance = 0;
  std::vector<size_t> constant_channels;
  std::vector<ScaleEntropy> scales;
};

// Computes MSMVE of x for scales 1..params.max_scale with the fast exact counter. Fails with
// InvalidArgument on non-finite data, cols == 0, m/tau sizes other than 1 or cols, m_k < 1,
// τ_k < 1, r < 0 or non-finite, or max_scale outside 1..100000. Short input is not an error:
// the affected scales are reported as not defined.
Result<MsmveResult> Msmve(const Matrix& x, const MsmveParams& params);

// ---------------------------------------------------------------------------------------------
// JSON forms (stable field names; undefined entropies are null).
nlohmann::json ToJson(const ChannelStats& s);
nlohmann::json ToJson(const WindowStats& w);
nlohmann::json ToJson(const Anomaly& a);
nlohmann::json ToJson(const ZScoreResult& z);
nlohmann::json ToJson(const ScaleEntropy& s);
nlohmann::json ToJson(const MsmveResult& r);

}  // namespace tern::analysis
