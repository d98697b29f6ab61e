// MSMVE (analysis.h part 3): normalisation, coarse-graining, composite delay vector layouts and
// the exact bit-parallel pair counter. The definitions and the method are documented in
// analysis.h; msmve_naive.h holds the plain all-pairs reference the tests and the bench compare
// against (never used here).
#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <numeric>

#include "tern/analysis/analysis.h"

namespace tern::analysis {
namespace {

constexpr int kMaxScale = 100000;
constexpr int kMaxM = 1000;
constexpr int kMaxTau = 1000000;

// Where each position of a composite delay vector comes from: channel chan[d], sample index
// i + off[d] for the vector at index i.
struct Layout {
  std::vector<uint32_t> chan;
  std::vector<size_t> off;
};

// The m-step layout (extend < 0) or the m+1 layout with channel `extend`'s block grown by one.
Layout MakeLayout(const std::vector<int>& m, const std::vector<int>& tau, int extend) {
  Layout l;
  for (size_t k = 0; k < m.size(); ++k) {
    const int mk = m[k] + (static_cast<int>(k) == extend ? 1 : 0);
    for (int e = 0; e < mk; ++e) {
      l.chan.push_back(static_cast<uint32_t>(k));
      l.off.push_back(static_cast<size_t>(e) * static_cast<size_t>(tau[k]));
    }
  }
  return l;
}

// Counts matching unordered pairs of distinct vectors among the union, over `layouts`, of the
// vectors at indices 0..count-1 of each layout, over the series y (one per channel, equal
// lengths L; every layout must address only samples < L for indices < count).
class PairCounter {
 public:
  PairCounter(const std::vector<std::vector<double>>& y, double tol) : y_(y), tol_(tol) {
    p_ = y.size();
    len_ = p_ ? y[0].size() : 0;
    words_ = len_ / 64 + 2;  // one spare word so a shifted read never leaves the bitset
    block_ = 64 * std::max<size_t>(1, (len_ + 8191) / 8192);  // <= 129 prefixes per channel
    sorted_.resize(p_);
    perm_.resize(p_);
    prefix_.resize(p_);
    const size_t nprefix = len_ / block_ + 1;
    for (size_t c = 0; c < p_; ++c) {
      auto& perm = perm_[c];
      perm.resize(len_);
      std::iota(perm.begin(), perm.end(), 0u);
      std::stable_sort(perm.begin(), perm.end(),
                       [&](uint32_t a, uint32_t b) { return y[c][a] < y[c][b]; });
      sorted_[c].resize(len_);
      for (size_t r = 0; r < len_; ++r) sorted_[c][r] = y[c][perm[r]];
      // prefix_[c][t * words_ ...]: bitset of sample indices perm[r] for ranks r < t * block_.
      auto& pre = prefix_[c];
      pre.assign(nprefix * words_, 0);
      for (size_t t = 1; t < nprefix; ++t) {
        uint64_t* bits = pre.data() + t * words_;
        std::copy(bits - words_, bits, bits);  // start from the previous prefix
        for (size_t r = (t - 1) * block_; r < t * block_; ++r) {
          bits[perm[r] >> 6] |= uint64_t{1} << (perm[r] & 63);
        }
      }
    }
  }

  uint64_t Count(const std::vector<Layout>& layouts, size_t count) {
    if (count == 0 || layouts.empty()) return 0;
    const size_t dim = layouts[0].chan.size();
    size_t maxoff = 0;
    for (const auto& l : layouts) {
      for (size_t o : l.off) maxoff = std::max(maxoff, o);
    }
    ring_ = maxoff + 1;
    rings_.assign(p_ * p_, {});
    std::vector<const uint64_t*> bits(dim);
    std::vector<size_t> word_shift(dim);
    std::vector<unsigned> bit_shift(dim);
    uint64_t total = 0;
    const size_t nl = layouts.size();
    for (size_t i = 0; i < count; ++i) {
      for (size_t h = 0; h < nl; ++h) {
        const Layout& a = layouts[h];
        for (size_t h2 = h; h2 < nl; ++h2) {
          const Layout& b = layouts[h2];
          const size_t start = h2 == h ? i + 1 : 0;
          if (start >= count) continue;
          for (size_t d = 0; d < dim; ++d) {
            bits[d] = Bits(a.chan[d], i + a.off[d], b.chan[d]);
            word_shift[d] = b.off[d] >> 6;
            bit_shift[d] = static_cast<unsigned>(b.off[d] & 63);
          }
          total += AndCount(bits, word_shift, bit_shift, start, count);
        }
      }
    }
    return total;
  }

 private:
  // Matches over j in [start, count): bit j of AND_d (bits[d] >> off_d).
  static uint64_t AndCount(const std::vector<const uint64_t*>& bits,
                           const std::vector<size_t>& word_shift,
                           const std::vector<unsigned>& bit_shift, size_t start, size_t count) {
    const size_t dim = bits.size();
    uint64_t n = 0;
    const size_t w_first = start >> 6, w_last = (count - 1) >> 6;
    for (size_t w = w_first; w <= w_last; ++w) {
      uint64_t acc = ~uint64_t{0};
      if (w == w_first) acc &= ~uint64_t{0} << (start & 63);
      if (w == w_last && (count & 63) != 0) acc &= ~uint64_t{0} >> (64 - (count & 63));
      for (size_t d = 0; d < dim && acc != 0; ++d) {
        const uint64_t* t = bits[d] + w + word_shift[d];
        const unsigned s = bit_shift[d];
        acc &= s == 0 ? t[0] : (t[0] >> s) | (t[1] << (64 - s));
      }
      n += static_cast<uint64_t>(std::popcount(acc));
    }
    return n;
  }

  // Bitset over samples b of channel c2 with |y[c2][b] − y[c][a]| <= tol, from a ring cache
  // holding samples a' in [a − ring_ + 1, a] per (c, c2) (indices only grow within Count).
  const uint64_t* Bits(uint32_t c, size_t a, uint32_t c2) {
    Ring& ring = rings_[c * p_ + c2];
    if (ring.bits.empty()) {
      ring.bits.assign(ring_ * words_, 0);
      ring.tag.assign(ring_, std::numeric_limits<size_t>::max());
    }
    const size_t slot = a % ring_;
    uint64_t* out = ring.bits.data() + slot * words_;
    if (ring.tag[slot] == a) return out;
    ring.tag[slot] = a;
    const double v = y_[c][a];
    const auto& s = sorted_[c2];
    const double tol = tol_;
    // The match predicate |fl(u − v)| <= tol is monotone in u, so it holds on a rank range.
    const size_t lo = static_cast<size_t>(
        std::partition_point(s.begin(), s.end(), [&](double u) { return u - v < -tol; }) -
        s.begin());
    const size_t hi = static_cast<size_t>(
        std::partition_point(s.begin(), s.end(), [&](double u) { return u - v <= tol; }) -
        s.begin());
    const uint64_t* p_hi = prefix_[c2].data() + (hi / block_) * words_;
    const uint64_t* p_lo = prefix_[c2].data() + (lo / block_) * words_;
    for (size_t w = 0; w < words_; ++w) out[w] = p_hi[w] ^ p_lo[w];
    const auto& perm = perm_[c2];
    auto toggle = [&](size_t from, size_t to) {
      for (size_t r = from; r < to; ++r) out[perm[r] >> 6] ^= uint64_t{1} << (perm[r] & 63);
    };
    toggle(lo / block_ * block_, lo);
    toggle(hi / block_ * block_, hi);
    return out;
  }

  struct Ring {
    std::vector<uint64_t> bits;
    std::vector<size_t> tag;
  };

  const std::vector<std::vector<double>>& y_;
  double tol_;
  size_t p_ = 0, len_ = 0, words_ = 0, block_ = 64, ring_ = 1;
  std::vector<std::vector<double>> sorted_;
  std::vector<std::vector<uint32_t>> perm_;
  std::vector<std::vector<uint64_t>> prefix_;
  std::vector<Ring> rings_;
};

Status ExpandParam(const std::vector<int>& in, size_t p, int max, const char* name,
                   std::vector<int>* out) {
  if (in.size() != 1 && in.size() != p) {
    return Status::InvalidArgument(std::string(name) + " needs 1 or " + std::to_string(p) +
                                   " values, got " + std::to_string(in.size()));
  }
  out->assign(p, in[0]);
  if (in.size() == p) *out = in;
  for (int v : *out) {
    if (v < 1 || v > max) {
      return Status::InvalidArgument(std::string(name) + " values must be in 1.." +
                                     std::to_string(max) + ", got " + std::to_string(v));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<MsmveResult> Msmve(const Matrix& x, const MsmveParams& params) {
  TERN_RETURN_IF_ERROR(CheckMatrix(x));
  const size_t p = x.cols;
  if (p == 0) return Status::InvalidArgument("MSMVE needs at least one channel");
  if (!std::isfinite(params.r) || params.r < 0) {
    return Status::InvalidArgument("r must be finite and >= 0");
  }
  if (params.max_scale < 1 || params.max_scale > kMaxScale) {
    return Status::InvalidArgument("max_scale must be in 1.." + std::to_string(kMaxScale));
  }
  MsmveResult res;
  TERN_RETURN_IF_ERROR(ExpandParam(params.m, p, kMaxM, "m", &res.m));
  TERN_RETURN_IF_ERROR(ExpandParam(params.tau, p, kMaxTau, "tau", &res.tau));
  res.rows = x.rows;
  res.channels = p;
  res.r = params.r;
  res.tolerance = params.r * static_cast<double>(p);
  const size_t n = x.rows;

  // Normalise each channel once (population sd); constant channels become zeros.
  std::vector<std::vector<double>> z(p, std::vector<double>(n, 0.0));
  for (size_t c = 0; c < p; ++c) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo, sum = 0;
    for (size_t i = 0; i < n; ++i) {
      const double v = x.at(i, c);
      sum += v;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    if (n == 0 || lo == hi) {
      if (n > 0) res.constant_channels.push_back(c);
      continue;
    }
    const double mean = sum / static_cast<double>(n);
    double ss = 0;
    for (size_t i = 0; i < n; ++i) ss += (x.at(i, c) - mean) * (x.at(i, c) - mean);
    const double sd = std::sqrt(ss / static_cast<double>(n));
    for (size_t i = 0; i < n; ++i) z[c][i] = (x.at(i, c) - mean) / sd;
  }

  size_t span0 = 0, span1 = 0;  // max (m_k − 1)τ_k and max m_k τ_k
  for (size_t k = 0; k < p; ++k) {
    span0 = std::max(span0, static_cast<size_t>(res.m[k] - 1) * static_cast<size_t>(res.tau[k]));
    span1 = std::max(span1, static_cast<size_t>(res.m[k]) * static_cast<size_t>(res.tau[k]));
  }
  const std::vector<Layout> base{MakeLayout(res.m, res.tau, -1)};
  std::vector<Layout> ext;
  for (size_t h = 0; h < p; ++h) ext.push_back(MakeLayout(res.m, res.tau, static_cast<int>(h)));

  std::vector<std::vector<double>> y(p);
  for (int s = 1; s <= params.max_scale; ++s) {
    ScaleEntropy e;
    e.scale = s;
    const size_t step = static_cast<size_t>(s);  // s >= 1
    e.length = n / step;
    const size_t len = e.length;
    for (size_t c = 0; c < p; ++c) {
      y[c].assign(len, 0.0);
      for (size_t j = 0; j < len; ++j) {
        double sum = 0;
        for (size_t i = j * step; i < (j + 1) * step; ++i) sum += z[c][i];
        y[c][j] = sum / s;
      }
    }
    e.m_vectors = len > span0 ? len - span0 : 0;
    e.m1_vectors = len > span1 ? len - span1 : 0;
    const uint64_t m0 = e.m_vectors, pm1 = uint64_t{p} * e.m1_vectors;
    e.b0_pairs = m0 >= 2 ? m0 * (m0 - 1) / 2 : 0;
    e.bt_pairs = pm1 >= 2 ? pm1 * (pm1 - 1) / 2 : 0;
    if (e.b0_pairs > 0 || e.bt_pairs > 0) {
      PairCounter counter(y, res.tolerance);
      if (e.b0_pairs > 0) e.b0_count = counter.Count(base, e.m_vectors);
      if (e.bt_pairs > 0) e.bt_count = counter.Count(ext, e.m1_vectors);
    }
    if (e.b0_pairs > 0) e.b0 = static_cast<double>(e.b0_count) / static_cast<double>(e.b0_pairs);
    if (e.bt_pairs > 0) e.bt = static_cast<double>(e.bt_count) / static_cast<double>(e.bt_pairs);
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
      e.entropy = -std::log(e.bt / e.b0) + 0.0;  // never -0
    }
    res.scales.push_back(std::move(e));
  }
  return res;
}

}  // namespace tern::analysis
