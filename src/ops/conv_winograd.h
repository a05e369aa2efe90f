// 3x3, stride-1, pad-1 convolutions by Winograd's F(2x2, 3x3), as AVX2 and AVX-512 kernels of
// ours (conv_winograd.cpp).
#pragma once

#include <memory>
#include <span>

#include "neuroscope/tensor.h"

namespace neuroscope::ops {

// A correlation of `inputs` channels with a 3x3 kernel, padded by 1 on every side, giving
// `outputs` channels of the same height and width, on tensors in blocks of `lanes` channels
// (oneDNN's nChw8c or nChw16c: what it picks for AVX2 or AVX-512). Built once, run many times:
// run() allocates nothing.
class WinogradCorrelation {
 public:
  // shape: the input's [N, inputs, H, W]; weights [outputs][inputs][3][3], row-major.
  WinogradCorrelation(const Shape& shape, int64_t outputs, std::span<const float> weights,
                      int64_t lanes);
  ~WinogradCorrelation();
  WinogradCorrelation(const WinogradCorrelation&) = delete;
  WinogradCorrelation& operator=(const WinogradCorrelation&) = delete;

  // y = relu?(x * w + bias) (bias may be null), or, with `accumulate`, y += x * w.
  void run(const float* x, float* y, const float* bias, bool relu, bool accumulate) const;

  // The channel block of this CPU's kernels (16 with AVX-512, 8 with AVX2 and FMA), or 0.
  static int64_t native_lanes();
  // Whether this CPU runs the kernels for `lanes` and the channels come in whole blocks.
  static bool supports(int64_t inputs, int64_t outputs, int64_t lanes);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace neuroscope::ops
