// Separable real 2-D FFT. Rows: the complex FFT Z of image rows a + i b (both real) holds both
// spectra, A[k] = (Z[k] + conj Z[-k]) / 2 and B[k] = (Z[k] - conj Z[-k]) / 2i; backwards, the
// Hermitian extensions of two half-spectrum rows combine into F_a + i F_b, whose inverse FFT is
// a + i b. Columns: complex FFTs of length H down the [H, W/2+1] planes, kColumnTile at a time.
#include "vis/param/dft.h"

#include <omp.h>

#include <algorithm>

#include "neuroscope/error.h"

namespace neuroscope::vis {
namespace {

// Images from this many pixels on are transformed on all OpenMP threads. Below, one thread
// takes under 0.15 ms per 224x224 transform and threads save little (measured on 2 cores:
// 0.77 -> 0.65 ms for 3 inverse + 3 forward at 224, 3.5 -> 2.5 ms at 448), while a barrier
// waiting on a thread descheduled by another busy process can cost tens of milliseconds.
constexpr int64_t kParallelPixels = 256 * 256;

int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

}  // namespace

RealDft2d::RealDft2d(int64_t height, int64_t width)
    : height_(height),
      width_(width),
      spectrum_width_(width / 2 + 1),
      row_fft_(width),
      column_fft_(height) {
  NS_CHECK(height > 0 && width > 0, height, "x", width);
  weight_.resize(static_cast<size_t>(spectrum_width_));
  for (int64_t kx = 0; kx < spectrum_width_; ++kx) {
    const bool self_conjugate = kx == 0 || 2 * kx == width;
    weight_[static_cast<size_t>(kx)] =
        static_cast<float>((self_conjugate ? 1.0 : 2.0) / static_cast<double>(height * width));
  }
  threads_ = height * width >= kParallelPixels ? std::max(1, omp_get_max_threads()) : 1;
  scratch_per_thread_ = std::max(2 * width * kRowPairs + row_fft_.scratch_floats(kRowPairs),
                                 column_fft_.scratch_floats(kColumnTile));
  scratch_.resize(static_cast<size_t>(threads_ * scratch_per_thread_));
  spectrum_re_.resize(static_cast<size_t>(spectrum_size()));
  spectrum_im_.resize(spectrum_re_.size());
}

int64_t RealDft2d::team_size() const {
  return std::min<int64_t>(threads_, omp_get_max_threads());
}

void RealDft2d::forward_rows(int64_t group, const float* image, float* real, float* imag,
                             float* scratch) const {
  const int64_t w = width_, wf = spectrum_width_, y0 = group * 2 * kRowPairs;
  const int64_t rows = std::min(2 * kRowPairs, height_ - y0), pairs = (rows + 1) / 2;
  float* zr = scratch;
  float* zi = scratch + w * pairs;
  // Sequence b: row y0 + b as the real part, row y0 + pairs + b (or zeros) as the imaginary.
  for (int64_t b = 0; b < pairs; ++b) {
    const float* first = image + (y0 + b) * w;
    const bool paired = b + pairs < rows;
    const float* second = image + (y0 + pairs + b) * w;
    for (int64_t x = 0; x < w; ++x) {
      zr[x * pairs + b] = first[x];
      zi[x * pairs + b] = paired ? second[x] : 0.0f;
    }
  }
  row_fft_.forward(zr, zi, pairs, pairs, scratch + 2 * w * kRowPairs);
  for (int64_t b = 0; b < pairs; ++b) {
    const int64_t ya = y0 + b, yb = y0 + pairs + b;
    const bool paired = b + pairs < rows;
    for (int64_t kx = 0; kx < wf; ++kx) {
      const int64_t mirror = kx == 0 ? 0 : w - kx;
      const float re = zr[kx * pairs + b], im = zi[kx * pairs + b];
      const float mirror_re = zr[mirror * pairs + b], mirror_im = zi[mirror * pairs + b];
      real[ya * wf + kx] = 0.5f * (re + mirror_re);
      imag[ya * wf + kx] = 0.5f * (im - mirror_im);
      if (paired) {
        real[yb * wf + kx] = 0.5f * (im + mirror_im);
        imag[yb * wf + kx] = 0.5f * (mirror_re - re);
      }
    }
  }
}

void RealDft2d::inverse_rows(int64_t group, const float* real, const float* imag, float* image,
                             float* scratch) const {
  const int64_t w = width_, wf = spectrum_width_, y0 = group * 2 * kRowPairs;
  const int64_t rows = std::min(2 * kRowPairs, height_ - y0), pairs = (rows + 1) / 2;
  float* zr = scratch;
  float* zi = scratch + w * pairs;
  // Bin k of row y's Hermitian extension; the self-conjugate bins keep only their real part.
  const auto bin = [&](int64_t y, int64_t k, float& re, float& im) {
    if (k < wf) {
      re = real[y * wf + k];
      im = k == 0 || 2 * k == w ? 0.0f : imag[y * wf + k];
    } else {
      re = real[y * wf + w - k];
      im = -imag[y * wf + w - k];
    }
  };
  for (int64_t b = 0; b < pairs; ++b) {
    const bool paired = b + pairs < rows;
    for (int64_t k = 0; k < w; ++k) {
      float a_re, a_im, b_re = 0.0f, b_im = 0.0f;
      bin(y0 + b, k, a_re, a_im);
      if (paired) bin(y0 + pairs + b, k, b_re, b_im);
      zr[k * pairs + b] = a_re - b_im;
      zi[k * pairs + b] = a_im + b_re;
    }
  }
  row_fft_.forward(zi, zr, pairs, pairs, scratch + 2 * w * kRowPairs);  // inverse
  const auto scale = static_cast<float>(1.0 / static_cast<double>(height_ * width_));
  for (int64_t b = 0; b < pairs; ++b) {
    const bool paired = b + pairs < rows;
    float* first = image + (y0 + b) * w;
    float* second = image + (y0 + pairs + b) * w;
    for (int64_t x = 0; x < w; ++x) {
      first[x] = zr[x * pairs + b] * scale;
      if (paired) second[x] = zi[x * pairs + b] * scale;
    }
  }
}

void RealDft2d::columns(int64_t tile, float* real, float* imag, bool inverse,
                        float* scratch) const {
  const int64_t wf = spectrum_width_, x0 = tile * kColumnTile;
  const int64_t count = std::min(kColumnTile, wf - x0);
  if (inverse)
    column_fft_.forward(imag + x0, real + x0, wf, count, scratch);
  else
    column_fft_.forward(real + x0, imag + x0, wf, count, scratch);
}

void RealDft2d::forward(const float* image, float* real, float* imag) const {
  const int64_t groups = ceil_div(height_, 2 * kRowPairs);
  const int64_t tiles = ceil_div(spectrum_width_, kColumnTile);
  const int64_t team = team_size();
#pragma omp parallel num_threads(team) if (team > 1)
  {
    float* scratch = scratch_.data() + omp_get_thread_num() * scratch_per_thread_;
#pragma omp for schedule(static, 1)
    for (int64_t g = 0; g < groups; ++g) forward_rows(g, image, real, imag, scratch);
      // Contiguous runs of tiles: neighbouring 8-column tiles share cache lines, and threads
      // writing alternate tiles slowed the transform down more than the second thread gained.
#pragma omp for schedule(static)
    for (int64_t t = 0; t < tiles; ++t) columns(t, real, imag, false, scratch);
  }
}

void RealDft2d::inverse(const float* real, const float* imag, float* image) const {
  const int64_t groups = ceil_div(height_, 2 * kRowPairs);
  const int64_t tiles = ceil_div(spectrum_width_, kColumnTile);
  const int64_t team = team_size();
  std::copy_n(real, spectrum_size(), spectrum_re_.data());
  std::copy_n(imag, spectrum_size(), spectrum_im_.data());
  float* re = spectrum_re_.data();
  float* im = spectrum_im_.data();
#pragma omp parallel num_threads(team) if (team > 1)
  {
    float* scratch = scratch_.data() + omp_get_thread_num() * scratch_per_thread_;
#pragma omp for schedule(static)
    for (int64_t t = 0; t < tiles; ++t) columns(t, re, im, true, scratch);
#pragma omp for schedule(static, 1)
    for (int64_t g = 0; g < groups; ++g) inverse_rows(g, re, im, image, scratch);
  }
}

}  // namespace neuroscope::vis
