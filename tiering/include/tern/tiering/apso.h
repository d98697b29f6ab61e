// Adaptive particle swarm optimisation: minimises a loss over a box, used to train the
// output weights of the value model's RBF network (issue 13, item 3).
//
// Each iteration every particle moves by
//   v = chi * (w * v + c1 * r1 * (pbest - x) + c2 * r2 * (gbest - x)),  x += v
// with two adaptive parts:
//   - inertia w from the swarm's evolutionary state (Zhan et al., 2009): the evolutionary
//     factor f = (d_g - d_min) / (d_max - d_min), where d_i is particle i's mean distance to
//     the others and d_g the global best's, gives w = 1 / (1 + 1.5 e^(-2.6 f)) in [0.4, 0.9]:
//     a spread-out swarm around a distant best explores, a converging one exploits;
//   - constriction chi from phi = c1 + c2 (Clerc and Kennedy, 2002),
//     chi = 2 / |2 - phi - sqrt(phi^2 - 4 phi)|, with phi rising linearly from phi_start to
//     phi_end over the run (chi shrinks, the swarm settles) while the cognitive share c1/phi
//     falls from 0.6 to 0.4 (from each particle's own best towards the swarm's).
// Velocities are clamped to vmax_fraction of the box width, positions to the box.
// Deterministic: one std::mt19937_64 seeded from the config, used in a fixed order.
// Thread-safety: free function; the loss is called from the calling thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "tern/common/status.h"

namespace tern::tiering {

struct ApsoConfig {
  size_t particles = 30;
  size_t iterations = 200;
  double lo = -5.0;  // the box, every dimension
  double hi = 5.0;
  double phi_start = 4.1;  // > 4
  double phi_end = 4.6;
  double vmax_fraction = 0.25;
  uint64_t seed = 1;
};

struct ApsoResult {
  std::vector<double> best;  // the best position found
  double best_loss = 0;
  size_t evaluations = 0;
  std::vector<double> best_loss_by_iteration;  // global best after each iteration
};

// Minimises `loss` over [lo, hi]^dim. `initial`, if not empty, is placed as the first
// particle (e.g. the last training's weights), clamped to the box. InvalidArgument if dim is
// 0, particles < 2, iterations is 0, lo >= hi, phi_start <= 4, phi_end < phi_start or
// initial has the wrong size.
[[nodiscard]] Result<ApsoResult> Apso(size_t dim,
                                      const std::function<double(const std::vector<double>&)>& loss,
                                      const ApsoConfig& cfg,
                                      const std::vector<double>& initial = {});

}  // namespace tern::tiering
