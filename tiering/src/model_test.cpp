// k-means, adaptive PSO, the RBF network and the value model: determinism and fit.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "tern/tiering/apso.h"
#include "tern/tiering/kmeans.h"
#include "tern/tiering/rbf.h"
#include "tern/tiering/value_model.h"

namespace tern::tiering {
namespace {

// Three tight blobs around (0,0), (10,0) and (0,10).
Points Blobs(uint64_t seed) {
  std::mt19937_64 rng(seed);
  Points p{90, 2, {}};
  const double cx[3] = {0, 10, 0}, cy[3] = {0, 0, 10};
  for (size_t i = 0; i < p.n; ++i) {
    p.v.push_back(cx[i % 3] + static_cast<double>(rng() % 1000) / 1000.0 - 0.5);
    p.v.push_back(cy[i % 3] + static_cast<double>(rng() % 1000) / 1000.0 - 0.5);
  }
  return p;
}

double Sphere(const std::vector<double>& x) {
  double s = 0;
  for (size_t i = 0; i < x.size(); ++i) s += (x[i] - 1.0) * (x[i] - 1.0);
  return s;
}

}  // namespace

TEST_SUITE("tiering.model") {
  TEST_CASE("k-means finds three separated blobs, the same way for the same seed") {
    const Points p = Blobs(7);
    auto a = KMeans(p, 3, 42);
    auto b = KMeans(p, 3, 42);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(a->centres.v == b->centres.v);
    CHECK(a->assignment == b->assignment);
    // Points of one blob share a centre, different blobs different centres.
    for (size_t i = 3; i < p.n; ++i) CHECK(a->assignment[i] == a->assignment[i % 3]);
    CHECK(a->assignment[0] != a->assignment[1]);
    CHECK(a->assignment[1] != a->assignment[2]);
    CHECK(a->assignment[0] != a->assignment[2]);
    CHECK(a->inertia < 90 * 0.5);  // every point within its blob's half-unit square
    CHECK(!KMeans(p, 0, 1).ok());
    CHECK(!KMeans(p, 91, 1).ok());
  }

  TEST_CASE("adaptive PSO minimises a sphere and is deterministic for a seed") {
    ApsoConfig cfg;
    cfg.seed = 3;
    cfg.iterations = 150;
    auto a = Apso(5, Sphere, cfg);
    auto b = Apso(5, Sphere, cfg);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(a->best == b->best);
    CHECK(a->best_loss < 1e-4);
    CHECK(a->evaluations == cfg.particles * (cfg.iterations + 1));
    for (size_t i = 1; i < a->best_loss_by_iteration.size(); ++i) {
      CHECK(a->best_loss_by_iteration[i] <= a->best_loss_by_iteration[i - 1]);
    }
    // Another seed takes another path (both runs end at the optimum, so compare early).
    cfg.iterations = 5;
    auto early = Apso(5, Sphere, cfg);
    cfg.seed = 4;
    auto c = Apso(5, Sphere, cfg);
    REQUIRE(c.ok());
    REQUIRE(early.ok());
    CHECK(c->best != early->best);
    cfg.phi_start = 3.9;  // no constriction below phi = 4
    CHECK(!Apso(5, Sphere, cfg).ok());
  }

  TEST_CASE("the RBF network fits sin(x) far better than a constant, also off its samples") {
    Points x{80, 1, {}};
    std::vector<double> y;
    for (size_t i = 0; i < x.n; ++i) {
      const double v = 6.283185307179586 * static_cast<double>(i) / 79.0;
      x.v.push_back(v);
      y.push_back(std::sin(v));
    }
    RbfConfig cfg;
    cfg.centres = 8;
    cfg.seed = 11;
    cfg.apso.iterations = 300;
    auto net = RbfNetwork::Train(x, y, cfg);
    REQUIRE(net.ok());
    // Variance of sin over a period is 0.5: the best constant's MSE.
    CHECK(net->training_mse() < 0.05);
    double held = 0;
    for (int i = 0; i < 50; ++i) {
      const double v = 6.283185307179586 * (i + 0.5) / 50.0;
      held += std::pow(net->Predict(&v) - std::sin(v), 2);
    }
    CHECK(held / 50 < 0.05);
    CHECK(net->width() > 0);
    auto again = RbfNetwork::Train(x, y, cfg);
    REQUIRE(again.ok());
    CHECK(again->weights() == net->weights());
    CHECK(!RbfNetwork::Train(x, std::vector<double>(79, 0.0), cfg).ok());
  }

  TEST_CASE("the value model trains deterministically for a seed and learns recency") {
    std::vector<MigrationFactors> f;
    std::vector<double> y;
    std::mt19937_64 rng(5);
    for (int i = 0; i < 300; ++i) {
      MigrationFactors m;
      // Only recency and frequency vary; the other four factors are fixed.
      m.bytes = 4096;
      m.hours_since_access = static_cast<double>(rng() % 48);
      m.recent_reads = static_cast<double>(rng() % 6);
      m.bytes_read = 8192;
      m.consumer_similarity = 0.5;
      m.business_value = 0.5;
      f.push_back(m);
      // Recently read chunks are read again.
      y.push_back(m.hours_since_access < 6 ? std::log1p(m.recent_reads) : 0.0);
    }
    RbfConfig cfg;
    cfg.seed = 9;
    ValueModel a(cfg), b(cfg);
    CHECK(!a.Predict(f[0]).has_value());
    REQUIRE(a.Train(f, y).ok());
    REQUIRE(b.Train(f, y).ok());
    REQUIRE(a.network() != nullptr);
    CHECK(a.network()->weights() == b.network()->weights());
    MigrationFactors hot = f[0], cold = f[0];
    hot.hours_since_access = 1;
    hot.recent_reads = 5;
    cold.hours_since_access = 40;
    cold.recent_reads = 0;
    CHECK(*a.Predict(hot) > *a.Predict(cold) + 0.5);
    CHECK(a.trainings() == 1);
  }
}
}  // namespace tern::tiering
