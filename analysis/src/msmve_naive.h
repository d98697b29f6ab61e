// The plain all-pairs MSMVE reference, for tests and tern-bench only: it builds every
// composite delay vector explicitly and compares every pair with the Chebyshev distance.
// Production code (the core, ternctl) must use Msmve() from analysis.h, never this.
// It follows the definitions in analysis.h literally and expects valid parameters (m and tau
// already one per channel or a single value, each >= 1; r >= 0; finite data).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "tern/analysis/analysis.h"

namespace tern::analysis::naive {

// All vectors of one layout: channel blocks in order, block k of length mk[k] with lag tau[k].
inline std::vector<std::vector<double>> Embed(const std::vector<std::vector<double>>& y,
                                              const std::vector<int>& mk,
                                              const std::vector<int>& tau, size_t count) {
  std::vector<std::vector<double>> out(count);
  for (size_t i = 0; i < count; ++i) {
    for (size_t k = 0; k < y.size(); ++k) {
      for (int e = 0; e < mk[k]; ++e) out[i].push_back(y[k][i + static_cast<size_t>(e * tau[k])]);
    }
  }
  return out;
}

// Matching unordered pairs (Chebyshev distance <= tol) among `vecs`.
inline uint64_t CountPairs(const std::vector<std::vector<double>>& vecs, double tol) {
  uint64_t n = 0;
  for (size_t i = 0; i < vecs.size(); ++i) {
    for (size_t j = i + 1; j < vecs.size(); ++j) {
      double dist = 0;
      for (size_t d = 0; d < vecs[i].size(); ++d) {
        dist = std::max(dist, std::abs(vecs[i][d] - vecs[j][d]));
        if (dist > tol) break;  // early abandon: the max can only grow
      }
      if (dist <= tol) ++n;
    }
  }
  return n;
}

inline MsmveResult NaiveMsmve(const Matrix& x, const MsmveParams& params) {
  const size_t p = x.cols, n = x.rows;
  MsmveResult res;
  res.rows = n;
  res.channels = p;
  res.m = params.m.size() == 1 ? std::vector<int>(p, params.m[0]) : params.m;
  res.tau = params.tau.size() == 1 ? std::vector<int>(p, params.tau[0]) : params.tau;
  res.r = params.r;
  res.tolerance = params.r * static_cast<double>(p);
  std::vector<std::vector<double>> z(p, std::vector<double>(n, 0.0));
  for (size_t c = 0; c < p; ++c) {
    bool constant = true;
    double sum = 0;
    for (size_t i = 0; i < n; ++i) {
      sum += x.at(i, c);
      constant = constant && x.at(i, c) == x.at(0, c);
    }
    if (constant) {
      if (n > 0) res.constant_channels.push_back(c);
      continue;
    }
    const double mean = sum / static_cast<double>(n);
    double ss = 0;
    for (size_t i = 0; i < n; ++i) ss += (x.at(i, c) - mean) * (x.at(i, c) - mean);
    const double sd = std::sqrt(ss / static_cast<double>(n));
    for (size_t i = 0; i < n; ++i) z[c][i] = (x.at(i, c) - mean) / sd;
  }
  size_t span0 = 0, span1 = 0;
  for (size_t k = 0; k < p; ++k) {
    span0 = std::max<size_t>(span0, static_cast<size_t>((res.m[k] - 1) * res.tau[k]));
    span1 = std::max<size_t>(span1, static_cast<size_t>(res.m[k] * res.tau[k]));
  }
  for (int s = 1; s <= params.max_scale; ++s) {
    ScaleEntropy e;
    e.scale = s;
    const size_t step = static_cast<size_t>(s);  // s >= 1
    e.length = n / step;
    std::vector<std::vector<double>> y(p, std::vector<double>(e.length));
    for (size_t c = 0; c < p; ++c) {
      for (size_t j = 0; j < e.length; ++j) {
        double sum = 0;
        for (size_t i = j * step; i < (j + 1) * step; ++i) sum += z[c][i];
        y[c][j] = sum / s;
      }
    }
    e.m_vectors = e.length > span0 ? e.length - span0 : 0;
    e.m1_vectors = e.length > span1 ? e.length - span1 : 0;
    auto base = Embed(y, res.m, res.tau, e.m_vectors);
    std::vector<std::vector<double>> all;
    for (size_t h = 0; h < p; ++h) {
      auto mk = res.m;
      ++mk[h];
      auto ext = Embed(y, mk, res.tau, e.m1_vectors);
      all.insert(all.end(), ext.begin(), ext.end());
    }
    const uint64_t m0 = base.size(), pm1 = all.size();
    e.b0_pairs = m0 >= 2 ? m0 * (m0 - 1) / 2 : 0;
    e.bt_pairs = pm1 >= 2 ? pm1 * (pm1 - 1) / 2 : 0;
    e.b0_count = CountPairs(base, res.tolerance);
    e.bt_count = CountPairs(all, res.tolerance);
    e.b0 = e.b0_pairs ? static_cast<double>(e.b0_count) / static_cast<double>(e.b0_pairs) : 0;
    e.bt = e.bt_pairs ? static_cast<double>(e.bt_count) / static_cast<double>(e.bt_pairs) : 0;
    if (e.b0_pairs == 0) {
      e.reason = "too few m-vectors";
    } else if (e.bt_pairs == 0) {
      e.reason = "too few m+1 vectors";
    } else if (e.b0_count == 0) {
      e.reason = "no matches at m";
    } else if (e.bt_count == 0) {
      e.reason = "no matches at m+1";
    } else {
      e.defined = true;
      e.entropy = -std::log(e.bt / e.b0) + 0.0;
    }
    res.scales.push_back(std::move(e));
  }
  return res;
}

}  // namespace tern::analysis::naive
