// k-means++ seeding and Lloyd iterations (kmeans.h).
#include "tern/tiering/kmeans.h"

#include <limits>
#include <random>
#include <string>

#include "uniform.h"

namespace tern::tiering {

double SquaredDistance(const double* a, const double* b, size_t d) {
  double s = 0;
  for (size_t i = 0; i < d; ++i) s += (a[i] - b[i]) * (a[i] - b[i]);
  return s;
}

namespace {

// The nearest centre of p and its squared distance.
std::pair<uint32_t, double> Nearest(const Points& c, const double* p) {
  uint32_t best = 0;
  double bd = std::numeric_limits<double>::infinity();
  for (size_t j = 0; j < c.n; ++j) {
    const double dist = SquaredDistance(c.row(j), p, c.d);
    if (dist < bd) {
      bd = dist;
      best = static_cast<uint32_t>(j);
    }
  }
  return {best, bd};
}

Points PlusPlusSeeds(const Points& x, size_t k, std::mt19937_64& rng) {
  Points c{0, x.d, {}};
  c.v.reserve(k * x.d);
  const auto add = [&](size_t i) {
    c.v.insert(c.v.end(), x.row(i), x.row(i) + x.d);
    ++c.n;
  };
  add(static_cast<size_t>(rng() % x.n));
  std::vector<double> d2(x.n);
  for (size_t i = 0; i < x.n; ++i) d2[i] = SquaredDistance(x.row(i), c.row(0), x.d);
  while (c.n < k) {
    double total = 0;
    for (double v : d2) total += v;
    size_t pick = 0;
    if (total > 0) {
      double u = Uniform01(rng) * total;
      for (pick = 0; pick + 1 < x.n; ++pick) {
        u -= d2[pick];
        if (u < 0) break;
      }
    } else {
      pick = static_cast<size_t>(rng() % x.n);  // every point is on a centre already
    }
    add(pick);
    for (size_t i = 0; i < x.n; ++i) {
      d2[i] = std::min(d2[i], SquaredDistance(x.row(i), c.row(c.n - 1), x.d));
    }
  }
  return c;
}

}  // namespace

Result<KMeansResult> KMeans(const Points& x, size_t k, uint64_t seed, size_t max_iterations) {
  if (x.n == 0 || x.d == 0 || x.v.size() != x.n * x.d) {
    return Status::InvalidArgument("k-means: " + std::to_string(x.n) + " points of dimension " +
                                   std::to_string(x.d) + " with " + std::to_string(x.v.size()) +
                                   " values");
  }
  if (k == 0 || k > x.n) {
    return Status::InvalidArgument("k-means: k = " + std::to_string(k) + " for " +
                                   std::to_string(x.n) + " points");
  }
  std::mt19937_64 rng(seed);
  KMeansResult r;
  r.centres = PlusPlusSeeds(x, k, rng);
  r.assignment.assign(x.n, std::numeric_limits<uint32_t>::max());
  for (r.iterations = 0; r.iterations < max_iterations; ++r.iterations) {
    bool changed = false;
    for (size_t i = 0; i < x.n; ++i) {
      const uint32_t a = Nearest(r.centres, x.row(i)).first;
      if (a != r.assignment[i]) {
        r.assignment[i] = a;
        changed = true;
      }
    }
    if (!changed) break;
    std::vector<double> sum(k * x.d, 0.0);
    std::vector<size_t> count(k, 0);
    for (size_t i = 0; i < x.n; ++i) {
      const size_t a = r.assignment[i];
      ++count[a];
      for (size_t j = 0; j < x.d; ++j) sum[a * x.d + j] += x.row(i)[j];
    }
    for (size_t c = 0; c < k; ++c) {
      if (count[c] == 0) {
        // An empty cluster takes the point furthest from its own centre.
        size_t far = 0;
        double fd = -1;
        for (size_t i = 0; i < x.n; ++i) {
          const double dist = SquaredDistance(x.row(i), r.centres.row(r.assignment[i]), x.d);
          if (dist > fd) {
            fd = dist;
            far = i;
          }
        }
        for (size_t j = 0; j < x.d; ++j) r.centres.v[c * x.d + j] = x.row(far)[j];
        continue;
      }
      for (size_t j = 0; j < x.d; ++j) {
        r.centres.v[c * x.d + j] = sum[c * x.d + j] / static_cast<double>(count[c]);
      }
    }
  }
  r.inertia = 0;
  for (size_t i = 0; i < x.n; ++i) {
    const auto [a, dist] = Nearest(r.centres, x.row(i));
    r.assignment[i] = a;
    r.inertia += dist;
  }
  return r;
}

}  // namespace tern::tiering
