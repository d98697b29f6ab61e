// tern-bench msmve: multiscale multivariate sample entropy, the core's exact bit-parallel
// counter (analysis.h Msmve) against the naive all-pairs reference (msmve_naive.h), on a
// seeded synthetic multichannel window. Reports both times, the speedup, and whether the
// integer match counts and the entropies agree. Defaults: 6 channels, N = 5,210, m = 2 and
// tau = 1 for every channel, r = 0.15, scales 1..15; the naive reference runs once, in full.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <vector>

#include "../../analysis/src/msmve_naive.h"
#include "tern/analysis/analysis.h"

namespace {

using tern::analysis::Matrix;
using tern::analysis::MsmveParams;
using tern::analysis::MsmveResult;

// splitmix64 and Box-Muller: the same numbers on every platform and standard library.
struct Rng {
  uint64_t s;
  uint64_t Next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double Uniform() { return (static_cast<double>(Next() >> 11) + 0.5) * 0x1.0p-53; }
  double Normal() {
    return std::sqrt(-2.0 * std::log(Uniform())) * std::cos(6.283185307179586 * Uniform());
  }
};

// Vibration-like channels: a shared AR(1) component (coupling grows with the channel index),
// a per-channel sinusoid and white noise.
Matrix Synthetic(size_t rows, size_t cols, uint64_t seed) {
  Rng rng{seed};
  Matrix m{rows, cols, std::vector<double>(rows * cols)};
  double common = 0;
  for (size_t r = 0; r < rows; ++r) {
    common = 0.95 * common + rng.Normal();
    for (size_t c = 0; c < cols; ++c) {
      const double t = static_cast<double>(r);
      m.v[r * cols + c] = 0.3 * static_cast<double>(c + 1) * common +
                          std::sin(t * 0.02 * static_cast<double>(c + 1)) + rng.Normal();
    }
  }
  return m;
}

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// CPU time of this (single-threaded) process: robust when other jobs share the cores.
double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace

int MsmveBenchMain(int argc, char** argv) {
  CLI::App app{"tern-bench msmve: MSMVE fast exact counter vs the naive all-pairs scan"};
  size_t rows = 5210, channels = 6;
  int m = 2, tau = 1, scales = 15, repeat = 3;
  double r = 0.15;
  uint64_t seed = 42;
  bool json = false, skip_naive = false;
  app.add_option("--rows", rows, "window length N")->capture_default_str();
  app.add_option("--channels", channels, "channels p")->capture_default_str();
  app.add_option("--m", m, "embedding dimension, every channel")->capture_default_str();
  app.add_option("--tau", tau, "lag, every channel")->capture_default_str();
  app.add_option("--r", r, "tolerance factor (tolerance r*p)")->capture_default_str();
  app.add_option("--scales", scales, "scales 1..S")->capture_default_str();
  app.add_option("--repeat", repeat, "fast runs (the minimum is reported)")->capture_default_str();
  app.add_option("--seed", seed, "input seed")->capture_default_str();
  app.add_flag("--skip-naive", skip_naive, "time the fast method only");
  app.add_flag("--json", json, "one JSON object");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  const Matrix x = Synthetic(rows, channels, seed);
  const MsmveParams params{{m}, {tau}, r, scales};
  using Clock = std::chrono::steady_clock;

  double fast_s = 1e300, fast_wall = 1e300;
  MsmveResult fast;
  for (int i = 0; i < std::max(1, repeat); ++i) {
    auto t0 = Clock::now();
    const double c0 = CpuSeconds();
    auto res = tern::analysis::Msmve(x, params);
    const double s = CpuSeconds() - c0;
    fast_wall = std::min(fast_wall, Seconds(Clock::now() - t0));
    if (!res.ok()) {
      std::cerr << "tern-bench msmve: " << res.status().ToString() << "\n";
      return 2;
    }
    fast_s = std::min(fast_s, s);
    fast = std::move(res).value();
  }

  double naive_s = 0, naive_wall = 0;
  MsmveResult ref;
  if (!skip_naive) {
    auto t0 = Clock::now();
    const double c0 = CpuSeconds();
    ref = tern::analysis::naive::NaiveMsmve(x, params);
    naive_s = CpuSeconds() - c0;
    naive_wall = Seconds(Clock::now() - t0);
  }

  // Agreement: integer counts per scale, and the entropies.
  size_t count_mismatches = 0;
  double max_abs_diff = 0;
  uint64_t pairs_compared = 0;
  for (size_t s = 0; s < fast.scales.size() && !skip_naive; ++s) {
    const auto& a = fast.scales[s];
    const auto& b = ref.scales[s];
    pairs_compared += b.b0_pairs + b.bt_pairs;
    if (a.b0_count != b.b0_count || a.bt_count != b.bt_count || a.defined != b.defined) {
      ++count_mismatches;
    }
    if (a.defined && b.defined)
      max_abs_diff = std::max(max_abs_diff, std::abs(a.entropy - b.entropy));
  }
  const double speedup = skip_naive ? 0.0 : naive_s / fast_s;  // CPU time ratio

  if (json) {
    nlohmann::json j = {
        {"bench", "msmve"},
        {"rows", rows},
        {"channels", channels},
        {"m", m},
        {"tau", tau},
        {"r", r},
        {"tolerance", fast.tolerance},
        {"scales", scales},
        {"seed", seed},
        {"fast_cpu_seconds", fast_s},
        {"fast_wall_seconds", fast_wall},
        {"fast_repeat", repeat},
        {"naive_cpu_seconds", skip_naive ? nlohmann::json(nullptr) : nlohmann::json(naive_s)},
        {"naive_wall_seconds", skip_naive ? nlohmann::json(nullptr) : nlohmann::json(naive_wall)},
        {"naive_scales", skip_naive ? 0 : scales},
        {"naive_pairs", pairs_compared},
        {"speedup_vs_naive", skip_naive ? nlohmann::json(nullptr) : nlohmann::json(speedup)},
        {"count_mismatches", count_mismatches},
        {"max_abs_diff", max_abs_diff},
        {"result", tern::analysis::ToJson(fast)}};
    std::cout << j.dump() << "\n";
  } else {
    std::printf("msmve: p=%zu N=%zu m=%d tau=%d r=%.3g (tolerance %.3g) scales 1..%d seed %llu\n",
                channels, rows, m, tau, r, fast.tolerance, scales,
                static_cast<unsigned long long>(seed));
    std::printf("%5s %7s %12s %12s %14s %14s %10s\n", "scale", "L", "B0", "B0 pairs", "Bt",
                "Bt pairs", "MSMVE");
    for (const auto& e : fast.scales) {
      std::printf(
          "%5d %7zu %12llu %12llu %14llu %14llu ", e.scale, e.length,
          static_cast<unsigned long long>(e.b0_count), static_cast<unsigned long long>(e.b0_pairs),
          static_cast<unsigned long long>(e.bt_count), static_cast<unsigned long long>(e.bt_pairs));
      if (e.defined) {
        std::printf("%10.6f\n", e.entropy);
      } else {
        std::printf("%10s (%s)\n", "undefined", e.reason.c_str());
      }
    }
    std::printf("fast_cpu_seconds %.4f (min of %d; wall %.4f)\n", fast_s, repeat, fast_wall);
    if (!skip_naive) {
      std::printf("naive_cpu_seconds %.3f (one run, all %d scales, %llu pairs; wall %.3f)\n",
                  naive_s, scales, static_cast<unsigned long long>(pairs_compared), naive_wall);
      std::printf("speedup_vs_naive %.1f\n", speedup);
      std::printf("count_mismatches %zu\nmax_abs_diff %.3g\n", count_mismatches, max_abs_diff);
    }
  }
  return count_mismatches == 0 ? 0 : 1;
}
