// A uniform double in [0,1) from a std::mt19937_64, the same on every standard library
// (std::uniform_real_distribution is not specified bit for bit). Private to tern_tiering.
#pragma once

#include <random>

namespace tern::tiering {

inline double Uniform01(std::mt19937_64& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

}  // namespace tern::tiering
