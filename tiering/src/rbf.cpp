// The Gaussian RBF network: k-means centres, spread width, APSO-trained output weights
// (rbf.h).
#include "tern/tiering/rbf.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace tern::tiering {

void RbfNetwork::Activations(const double* x, double* phi) const {
  const size_t d = lo_.size();
  const double inv = 1.0 / (2.0 * sigma_ * sigma_);
  for (size_t j = 0; j < centres_.n; ++j) {
    double s = 0;
    const double* c = centres_.row(j);
    for (size_t i = 0; i < d; ++i) {
      const double z = (x[i] - lo_[i]) / span_[i] - c[i];
      s += z * z;
    }
    phi[j] = -s * inv;  // the exponent, for now
  }
  // Normalised: exp(e_j - max e) / sum, so a point far from every centre still has weights
  // (its nearest centre's) rather than all activations underflowing to 0.
  double top = -std::numeric_limits<double>::infinity();
  for (size_t j = 0; j < centres_.n; ++j) top = std::max(top, phi[j]);
  double sum = 0;
  for (size_t j = 0; j < centres_.n; ++j) {
    phi[j] = std::exp(phi[j] - top);
    sum += phi[j];
  }
  for (size_t j = 0; j < centres_.n; ++j) phi[j] /= sum;
}

double RbfNetwork::Predict(const double* x) const {
  std::vector<double> phi(centres_.n);
  Activations(x, phi.data());
  double y = 0;
  for (size_t j = 0; j < phi.size() && j < w_.size(); ++j) y += w_[j] * phi[j];
  return y;
}

Result<RbfNetwork> RbfNetwork::Train(const Points& x, const std::vector<double>& y,
                                     const RbfConfig& cfg) {
  if (x.n == 0 || x.d == 0 || x.v.size() != x.n * x.d || y.size() != x.n) {
    return Status::InvalidArgument("rbf: " + std::to_string(x.n) + " inputs of dimension " +
                                   std::to_string(x.d) + " and " + std::to_string(y.size()) +
                                   " targets");
  }
  if (cfg.centres == 0 || x.n < cfg.centres) {
    return Status::InvalidArgument("rbf: " + std::to_string(cfg.centres) + " centres for " +
                                   std::to_string(x.n) + " points");
  }
  double ymin = std::numeric_limits<double>::infinity();
  double ymax = -ymin;
  for (double v : x.v) {
    if (!std::isfinite(v)) return Status::InvalidArgument("rbf: an input is not finite");
  }
  for (double v : y) {
    if (!std::isfinite(v)) return Status::InvalidArgument("rbf: a target is not finite");
    ymin = std::min(ymin, v);
    ymax = std::max(ymax, v);
  }
  RbfNetwork net;
  net.lo_.assign(x.d, 0.0);
  net.span_.assign(x.d, 1.0);
  for (size_t i = 0; i < x.d; ++i) {
    double lo = x.row(0)[i], hi = lo;
    for (size_t r = 1; r < x.n; ++r) {
      lo = std::min(lo, x.row(r)[i]);
      hi = std::max(hi, x.row(r)[i]);
    }
    net.lo_[i] = lo;
    net.span_[i] = hi > lo ? hi - lo : 1.0;
  }
  Points scaled{x.n, x.d, std::vector<double>(x.v.size())};
  for (size_t r = 0; r < x.n; ++r) {
    for (size_t i = 0; i < x.d; ++i) {
      scaled.v[r * x.d + i] = (x.row(r)[i] - net.lo_[i]) / net.span_[i];
    }
  }
  TERN_ASSIGN_OR_RETURN(KMeansResult km,
                        KMeans(scaled, cfg.centres, cfg.seed, cfg.kmeans_iterations));
  net.centres_ = std::move(km.centres);
  // Width from the centres' spread: the mean distance from each centre to its nearest other
  // centre (the P-nearest-neighbour heuristic with P = 1, one width for all units).
  const size_t k = net.centres_.n;
  double spread = 0;
  for (size_t a = 0; a < k && k > 1; ++a) {
    double nearest = std::numeric_limits<double>::infinity();
    for (size_t b = 0; b < k; ++b) {
      if (b != a) {
        nearest = std::min(nearest, SquaredDistance(net.centres_.row(a), net.centres_.row(b), x.d));
      }
    }
    spread += std::sqrt(nearest);
  }
  spread = k > 1 ? spread / static_cast<double>(k) : 0.0;
  net.sigma_ = spread > 0 ? spread : 1.0;

  // The design matrix once; each loss evaluation is then a matrix-vector product.
  std::vector<double> phi(x.n * k);
  for (size_t r = 0; r < x.n; ++r) net.Activations(x.row(r), phi.data() + r * k);
  const auto mse = [&](const std::vector<double>& w) {
    double s = 0;
    for (size_t r = 0; r < x.n; ++r) {
      double out = 0;
      const double* p = phi.data() + r * k;
      for (size_t j = 0; j < k; ++j) out += w[j] * p[j];
      s += (out - y[r]) * (out - y[r]);
    }
    return s / static_cast<double>(x.n);
  };
  // Each output weight is about the mean target near its centre: the box is the targets'
  // range widened by half of it on each side.
  ApsoConfig ac = cfg.apso;
  const double margin = std::max(0.5 * (ymax - ymin), 1e-3);
  ac.lo = ymin - margin;
  ac.hi = ymax + margin;
  ac.seed = cfg.seed ^ 0x5DEECE66Dull;
  TERN_ASSIGN_OR_RETURN(ApsoResult fit, Apso(k, mse, ac));
  net.w_ = std::move(fit.best);
  net.mse_ = fit.best_loss;
  net.evaluations_ = fit.evaluations;
  return net;
}

}  // namespace tern::tiering
