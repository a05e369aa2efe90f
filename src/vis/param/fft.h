// vis/param/fft.h: a batched complex FFT of any length, the engine of RealDft2d.
//
//   FftPlan plan(224);                                   // factors and twiddles, built once
//   std::vector<float> scratch(plan.scratch_floats(8));
//   plan.forward(re, im, stride, 8, scratch.data());      // 8 transforms at once, in place
//   plan.forward(im, re, stride, 8, scratch.data());      // re and im swapped: the inverse
//
// Mixed-radix Stockham (self-sorting) Cooley-Tukey with butterflies for radix 2, 3, 4, 5 and 7,
// a generic odd butterfly for other primes up to kMaxDirectRadix, and Bluestein's chirp-z
// convolution (on a plan of smooth length) for sizes with a larger prime factor. Sequences are
// transformed side by side: element j of sequence b sits at [j * stride + b], so every butterfly
// runs over `count` neighbouring floats and vectorizes whatever the length. The plan is
// immutable after construction: one plan may serve several threads, each with its own scratch.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

namespace neuroscope::vis {

class FftPlan {
 public:
  // Prime factors up to this get their own (O(p) per element) butterfly; larger ones make the
  // whole transform a Bluestein convolution.
  static constexpr int64_t kMaxDirectRadix = 64;

  FftPlan() = default;
  explicit FftPlan(int64_t size);

  int64_t size() const { return size_; }
  // Floats of scratch that forward() needs for `count` sequences.
  int64_t scratch_floats(int64_t count) const;

  // In place, unnormalized: X[k] = sum_j x[j] e^{-2 pi i j k / n}, for `count` sequences split
  // into real and imaginary planes, element j of sequence b at re/im[j * stride + b]
  // (stride >= count). Calling it with re and im swapped computes the inverse DFT
  // (e^{+2 pi i j k / n}, also unnormalized). scratch: scratch_floats(count) floats, not
  // overlapping the data.
  void forward(float* re, float* im, int64_t stride, int64_t count, float* scratch) const;

  // One Cooley-Tukey pass: radix-point DFTs over sub-transforms of length `span` (the product of
  // the radices before it), twiddles w^(r q) (w = e^{-2 pi i / (span radix)}) at [q (radix-1) +
  // r-1] and the radix-point DFT's own roots e^{2 pi i t / radix} at [t].
  struct Stage {
    int64_t radix = 0, span = 0;
    std::vector<float> twiddle_re, twiddle_im, root_cos, root_sin;
  };

 private:
  void run_stages(float* re, float* im, int64_t stride, int64_t count, float* scratch) const;
  void bluestein(float* re, float* im, int64_t stride, int64_t count, float* scratch) const;

  int64_t size_ = 0;
  std::vector<Stage> stages_;
  // Bluestein: chirp e^{-pi i j^2 / n} and the spectrum of its conjugate, scaled by 1/m, on the
  // convolution plan of smooth length m >= 2n - 1. Shared: plans are immutable and copyable.
  std::shared_ptr<const FftPlan> convolution_;
  std::vector<float> chirp_re_, chirp_im_, kernel_re_, kernel_im_;
};

}  // namespace neuroscope::vis
