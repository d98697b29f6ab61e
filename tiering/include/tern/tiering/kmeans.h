// k-means clustering with k-means++ seeding, for the centres of the value model's RBF
// network (issue 13, item 3). Deterministic: the same points, k and seed give the same
// centres on every run (std::mt19937_64 and integer-derived uniforms, no platform
// distributions).
// Thread-safety: free functions; safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "tern/common/status.h"

namespace tern::tiering {

// n points of dimension d, row-major.
struct Points {
  size_t n = 0;
  size_t d = 0;
  std::vector<double> v;  // n * d values
  const double* row(size_t i) const { return v.data() + i * d; }
};

// Squared Euclidean distance between two d-vectors.
double SquaredDistance(const double* a, const double* b, size_t d);

struct KMeansResult {
  Points centres;                    // k x d
  std::vector<uint32_t> assignment;  // the centre of each point
  size_t iterations = 0;             // Lloyd iterations run
  double inertia = 0;                // sum of squared distances to the assigned centres
};

// Clusters `x` into k groups: k-means++ seeding (each next centre drawn with probability
// proportional to the squared distance to the nearest chosen one), then Lloyd iterations until
// no assignment changes or `max_iterations`. An empty cluster takes the point furthest from
// its centre. InvalidArgument if x is ill-shaped, empty, or k is 0 or larger than x.n.
[[nodiscard]] Result<KMeansResult> KMeans(const Points& x, size_t k, uint64_t seed,
                                          size_t max_iterations = 100);

}  // namespace tern::tiering
