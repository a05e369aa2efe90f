// Test inputs for piecewise functions: uniform values that keep a distance from every kink, so
// central finite differences never straddle one.
#pragma once

#include <cmath>
#include <initializer_list>
#include <random>

#include "neuroscope/tensor.h"

namespace neuroscope::testing {

// Uniform in [lo, hi], each value at least `margin` away from every point of `kinks`.
inline Tensor away_from_kinks(const Shape& shape, std::mt19937& rng, float lo, float hi,
                              std::initializer_list<float> kinks, float margin = 0.05f) {
  Tensor t(shape);
  std::uniform_real_distribution<float> u(lo, hi);
  auto near_kink = [&](float v) {
    for (float k : kinks)
      if (std::fabs(v - k) < margin) return true;
    return false;
  };
  for (float& v : t.values()) {
    do v = u(rng);
    while (near_kink(v));
  }
  return t;
}

}  // namespace neuroscope::testing
