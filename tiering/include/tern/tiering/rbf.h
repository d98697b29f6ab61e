// A Gaussian radial-basis-function network, the value model's regressor (issue 13, item 3).
//
// Inputs are scaled to [0,1] per dimension by the training set's range. The hidden layer has
// k Gaussian units at centres found by k-means (kmeans.h) on the scaled inputs, all with one
// width from the centres' spread: sigma = the mean distance from a centre to its nearest
// other centre. The layer is normalised (Moody and Darken): phi_j = g_j / sum_i g_i with
// g_j = exp(-|x - c_j|^2 / (2 sigma^2)), so the output sum_j w_j phi_j is a weighted average
// of the k output weights. The weights are trained by adaptive PSO (apso.h) minimising the
// mean squared error, in a box around the targets' range. (The unnormalised form with
// sigma = d_max / sqrt(2k) left the activations so small and so correlated in six dimensions
// that the swarm did worse than a constant.) Training is deterministic for a given seed.
// Thread-safety: a trained RbfNetwork is immutable; Predict() may run on many threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "tern/common/status.h"
#include "tern/tiering/apso.h"
#include "tern/tiering/kmeans.h"

namespace tern::tiering {

struct RbfConfig {
  size_t centres = 10;
  size_t kmeans_iterations = 100;
  ApsoConfig apso;    // its box is set from the targets (see Train)
  uint64_t seed = 1;  // k-means and APSO seeds derive from it
};

class RbfNetwork {
 public:
  // Fits the network to targets y (one per row of x). The APSO box replaces cfg.apso's: the
  // targets' range [min y, max y] widened by half of it on each side. InvalidArgument if x is
  // ill-shaped, y.size() != x.n, there are fewer points than centres, or a value is not
  // finite.
  [[nodiscard]] static Result<RbfNetwork> Train(const Points& x, const std::vector<double>& y,
                                                const RbfConfig& cfg);

  // The network's output for one input of dimension dims() (values outside the training
  // range extrapolate through the scaling; they are not clamped).
  double Predict(const double* x) const;

  size_t dims() const { return lo_.size(); }
  const Points& centres() const { return centres_; }
  double width() const { return sigma_; }
  const std::vector<double>& weights() const { return w_; }  // one per centre
  double training_mse() const { return mse_; }
  size_t evaluations() const { return evaluations_; }

 private:
  void Activations(const double* x, double* phi) const;  // k values, x unscaled
  std::vector<double> lo_, span_;                        // input scaling
  Points centres_;
  double sigma_ = 1.0;
  std::vector<double> w_;
  double mse_ = 0;
  size_t evaluations_ = 0;
};

}  // namespace tern::tiering
