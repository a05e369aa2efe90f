// vis/param/dft.h: a real 2-D discrete Fourier transform of any size, as numpy's rfft2/irfft2.
//
//   RealDft2d dft(37, 50);                     // tables for 37x50 images, built once
//   dft.forward(image, real, imag);            // [H,W] -> spectrum [H, W/2+1] (two planes)
//   dft.inverse(real, imag, image);            // and back (the round trip is the identity)
//
// Separable FFTs (fft.h: any length, O(n log n) for smooth n, Bluestein for large prime
// factors): rows go two at a time through one complex FFT of length W (one row as the real
// part, the next as the imaginary part), columns through complex FFTs of length H. Large images
// spread fixed batches of rows and columns over OpenMP threads; each batch is computed the same
// way whatever thread takes it, so results do not depend on the thread count. Nothing is
// allocated after construction; the methods share scratch buffers, so an object serves one
// caller at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "vis/param/fft.h"

namespace neuroscope::vis {

class RealDft2d {
 public:
  RealDft2d() = default;
  RealDft2d(int64_t height, int64_t width);

  int64_t height() const { return height_; }
  int64_t width() const { return width_; }
  // Frequencies kept along x: W/2 + 1 (the others are the complex conjugates).
  int64_t spectrum_width() const { return spectrum_width_; }
  int64_t spectrum_size() const { return height_ * spectrum_width_; }

  // numpy.fft.rfft2 (unnormalized): spectrum[ky][kx] = sum_{y,x} image[y][x] e^{-2 pi i
  // (ky y / H + kx x / W)}, kx in [0, W/2]. real and imag are [H, W/2+1] planes.
  void forward(const float* image, float* real, float* imag) const;

  // numpy.fft.irfft2 with s=(H, W): image[y][x] = (1/HW) sum_{ky,kx} c_kx Re(spectrum[ky][kx]
  // e^{+2 pi i (ky y / H + kx x / W)}), c_kx = 1 for kx = 0 and (W even) kx = W/2, else 2: the
  // Hermitian extension of the half spectrum. Imaginary parts that the extension cannot hold
  // (kx = 0 and the x-Nyquist column) drop out, as in numpy.
  void inverse(const float* real, const float* imag, float* image) const;

  // c_kx / (H W): inverse() is the real-linear map whose adjoint is forward() followed by
  // multiplying column kx by this weight.
  float adjoint_weight(int64_t kx) const { return weight_[static_cast<size_t>(kx)]; }

 private:
  // Batches: row FFTs of 2 kRowPairs image rows (two per complex sequence), column FFTs of
  // kColumnTile columns; fixed sizes, so that each batch's arithmetic is fixed.
  static constexpr int64_t kRowPairs = 8, kColumnTile = 8;

  // Rows [g * 2 kRowPairs, ...) of the image and of the [H, W/2+1] planes: group g's row FFTs.
  void forward_rows(int64_t group, const float* image, float* real, float* imag,
                    float* scratch) const;
  void inverse_rows(int64_t group, const float* real, const float* imag, float* image,
                    float* scratch) const;
  // Columns [t * kColumnTile, ...) of the [H, W/2+1] planes, transformed along y in place.
  void columns(int64_t tile, float* real, float* imag, bool inverse, float* scratch) const;
  int64_t team_size() const;

  int64_t height_ = 0, width_ = 0, spectrum_width_ = 0;
  FftPlan row_fft_, column_fft_;  // lengths W and H
  std::vector<float> weight_;     // c_kx / (H W)
  int64_t threads_ = 1, scratch_per_thread_ = 0;
  mutable std::vector<float> scratch_;                    // threads_ x scratch_per_thread_
  mutable std::vector<float> spectrum_re_, spectrum_im_;  // [H, W/2+1], inverse()'s copy
};

}  // namespace neuroscope::vis
