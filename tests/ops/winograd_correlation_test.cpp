// WinogradCorrelation (src/ops/conv_winograd.cpp), the kernel alone, against a float64 direct
// correlation, in the channel-blocked layouts it works on: for each block size this CPU has
// kernels for (AVX2's 8 channels, AVX-512's 16), odd sizes (partial tiles at the edges), several
// images, output channels that leave a one-register panel, bias and ReLU, and accumulation.
// Convolutions in networks reach it through conv.cpp (the Conv op cases, GradientAccumulation).
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "ops/conv_winograd.h"

namespace neuroscope::ops {
namespace {

struct Case {
  Shape x;  // [N, C, H, W]
  int64_t outputs;
  bool bias, relu, accumulate;
};

// Element (n, c, y, x) of a tensor of shape s in blocks of `lanes` channels (nChw8c/nChw16c).
size_t blocked(const Shape& s, int64_t lanes, int64_t n, int64_t c, int64_t y, int64_t x) {
  return static_cast<size_t>(((n * (s[1] / lanes) + c / lanes) * s[2] + y) * s[3] * lanes +
                             x * lanes + c % lanes);
}

void check(int64_t lanes, const Case& c) {
  const Shape& s = c.x;
  SCOPED_TRACE(to_string(s) + " -> " + std::to_string(c.outputs) + " channels, blocks of " +
               std::to_string(lanes));
  std::mt19937 rng(static_cast<unsigned>(s[1] * 131 + c.outputs));
  std::uniform_real_distribution<float> value(-1.0f, 1.0f);
  const int64_t n_images = s[0], inputs = s[1], height = s[2], width = s[3];
  std::vector<float> x(static_cast<size_t>(element_count(s))),
      w(static_cast<size_t>(c.outputs * inputs * 9)), bias(static_cast<size_t>(c.outputs));
  for (float& v : x) v = value(rng);
  for (float& v : w) v = value(rng);
  for (float& v : bias) v = value(rng);
  const Shape y_shape = {n_images, c.outputs, height, width};
  std::vector<float> y(static_cast<size_t>(element_count(y_shape)));
  for (float& v : y) v = value(rng);  // what accumulation adds to
  const std::vector<float> y_before = y;

  const WinogradCorrelation conv(s, c.outputs, w, lanes);
  conv.run(x.data(), y.data(), c.bias ? bias.data() : nullptr, c.relu, c.accumulate);

  int64_t wrong = 0;
  for (int64_t n = 0; n < n_images; ++n)
    for (int64_t o = 0; o < c.outputs; ++o)
      for (int64_t oy = 0; oy < height; ++oy)
        for (int64_t ox = 0; ox < width; ++ox) {
          double sum = c.bias && !c.accumulate ? bias[static_cast<size_t>(o)] : 0.0;
          double magnitude = std::fabs(sum);
          for (int64_t ci = 0; ci < inputs; ++ci)
            for (int64_t i = 0; i < 3; ++i)
              for (int64_t j = 0; j < 3; ++j) {
                const int64_t iy = oy + i - 1, ix = ox + j - 1;
                if (iy < 0 || iy >= height || ix < 0 || ix >= width) continue;
                const double term = double(x[blocked(s, lanes, n, ci, iy, ix)]) *
                                    w[static_cast<size_t>(((o * inputs + ci) * 3 + i) * 3 + j)];
                sum += term;
                magnitude += std::fabs(term);
              }
          const size_t at = blocked(y_shape, lanes, n, o, oy, ox);
          if (c.accumulate) {
            sum += y_before[at];
            magnitude += std::fabs(y_before[at]);
          } else if (c.relu) {
            sum = std::max(sum, 0.0);
          }
          // Float32 rounding of a few hundred terms, with room; a wrong tap is off by ~1.
          if (std::fabs(y[at] - sum) > 1e-5 * magnitude + 1e-6 && wrong++ < 5)
            ADD_FAILURE() << "image " << n << ", channel " << o << ", (" << oy << ", " << ox
                          << "): " << y[at] << ", expected " << sum;
        }
  EXPECT_EQ(wrong, 0) << "outputs off";
}

void check_all(int64_t lanes) {
  if (!WinogradCorrelation::supports(lanes, lanes, lanes))
    GTEST_SKIP()
        << "SKIPPED: no kernels for blocks of " << lanes
        << " channels here (the CPU lacks the instructions, or DNNL_MAX_CPU_ISA forbids them)";
  const int64_t l = lanes;
  check(l, {{2, 2 * l, 7, 9}, 4 * l, true, true, false});      // partial tiles, two images
  check(l, {{1, 4 * l, 14, 14}, 3 * l, false, false, false});  // a one-register panel
  check(l, {{3, l, 5, 4}, l, true, false, true});              // accumulation (bias ignored)
  check(l, {{1, 2 * l, 30, 31}, 2 * l, true, true, false});    // several rounds of blocks
  check(l, {{1, l, 1, 1}, l, false, true, false});             // one position
}

TEST(WinogradCorrelation, Avx2BlocksOf8MatchTheDirectCorrelation) {
  check_all(8);
}

TEST(WinogradCorrelation, Avx512BlocksOf16MatchTheDirectCorrelation) {
  check_all(16);
}

}  // namespace
}  // namespace neuroscope::ops
