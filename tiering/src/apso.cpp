// Adaptive particle swarm optimisation (apso.h).
#include "tern/tiering/apso.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <string>

#include "tern/tiering/kmeans.h"
#include "uniform.h"

namespace tern::tiering {

namespace {

// The inertia weight from the swarm's evolutionary state (Zhan et al., 2009).
double AdaptiveInertia(const std::vector<std::vector<double>>& x, size_t gbest_index) {
  const size_t p = x.size();
  const size_t dim = x[0].size();
  std::vector<double> mean_d(p, 0.0);
  for (size_t i = 0; i < p; ++i) {
    for (size_t j = i + 1; j < p; ++j) {
      const double dist = std::sqrt(SquaredDistance(x[i].data(), x[j].data(), dim));
      mean_d[i] += dist;
      mean_d[j] += dist;
    }
  }
  for (double& m : mean_d) m /= static_cast<double>(p - 1);
  const auto [lo, hi] = std::minmax_element(mean_d.begin(), mean_d.end());
  const double f = *hi > *lo ? (mean_d[gbest_index] - *lo) / (*hi - *lo) : 0.0;
  return 1.0 / (1.0 + 1.5 * std::exp(-2.6 * f));
}

}  // namespace

Result<ApsoResult> Apso(size_t dim, const std::function<double(const std::vector<double>&)>& loss,
                        const ApsoConfig& cfg, const std::vector<double>& initial) {
  if (dim == 0 || cfg.particles < 2 || cfg.iterations == 0 || !(cfg.lo < cfg.hi) ||
      !(cfg.phi_start > 4.0) || cfg.phi_end < cfg.phi_start ||
      (!initial.empty() && initial.size() != dim)) {
    return Status::InvalidArgument(
        "apso: dim " + std::to_string(dim) + ", " + std::to_string(cfg.particles) + " particles, " +
        std::to_string(cfg.iterations) + " iterations, box [" + std::to_string(cfg.lo) + ", " +
        std::to_string(cfg.hi) + "], phi " + std::to_string(cfg.phi_start) + ".." +
        std::to_string(cfg.phi_end));
  }
  std::mt19937_64 rng(cfg.seed);
  const double width = cfg.hi - cfg.lo;
  const double vmax = cfg.vmax_fraction * width;
  const size_t p = cfg.particles;
  std::vector<std::vector<double>> x(p, std::vector<double>(dim)), v = x;
  for (size_t i = 0; i < p; ++i) {
    for (size_t d = 0; d < dim; ++d) {
      x[i][d] = cfg.lo + Uniform01(rng) * width;
      v[i][d] = (Uniform01(rng) * 2.0 - 1.0) * vmax;
    }
  }
  if (!initial.empty()) {
    for (size_t d = 0; d < dim; ++d) x[0][d] = std::clamp(initial[d], cfg.lo, cfg.hi);
  }
  ApsoResult r;
  std::vector<std::vector<double>> pbest = x;
  std::vector<double> pbest_loss(p);
  size_t g = 0;
  for (size_t i = 0; i < p; ++i) {
    pbest_loss[i] = loss(x[i]);
    ++r.evaluations;
    if (pbest_loss[i] < pbest_loss[g]) g = i;
  }
  r.best_loss_by_iteration.reserve(cfg.iterations);
  for (size_t t = 0; t < cfg.iterations; ++t) {
    const double progress =
        cfg.iterations > 1 ? static_cast<double>(t) / static_cast<double>(cfg.iterations - 1) : 1;
    const double phi = cfg.phi_start + (cfg.phi_end - cfg.phi_start) * progress;
    const double chi = 2.0 / std::abs(2.0 - phi - std::sqrt(phi * phi - 4.0 * phi));
    const double c1 = phi * (0.6 - 0.2 * progress);
    const double c2 = phi - c1;
    const double w = AdaptiveInertia(x, g);
    for (size_t i = 0; i < p; ++i) {
      for (size_t d = 0; d < dim; ++d) {
        const double r1 = Uniform01(rng), r2 = Uniform01(rng);
        double vel = chi * (w * v[i][d] + c1 * r1 * (pbest[i][d] - x[i][d]) +
                            c2 * r2 * (pbest[g][d] - x[i][d]));
        vel = std::clamp(vel, -vmax, vmax);
        v[i][d] = vel;
        x[i][d] = std::clamp(x[i][d] + vel, cfg.lo, cfg.hi);
      }
      const double l = loss(x[i]);
      ++r.evaluations;
      if (l < pbest_loss[i]) {
        pbest_loss[i] = l;
        pbest[i] = x[i];
      }
    }
    for (size_t i = 0; i < p; ++i) {
      if (pbest_loss[i] < pbest_loss[g]) g = i;
    }
    r.best_loss_by_iteration.push_back(pbest_loss[g]);
  }
  r.best = pbest[g];
  r.best_loss = pbest_loss[g];
  return r;
}

}  // namespace tern::tiering
