// The Fourier parameterization of Distill's Feature Visualization (2017) and Lucid's fft_image:
// theta is each channel's half spectrum, scaled by 1/f^decay so that all frequencies start
// with the energy they have in natural images and learn at comparable rates.
//
// Per image, theta is [C, 2, H, W/2+1]: the real plane, then the imaginary plane, of the
// spectrum at numpy's frequencies fftfreq(H) x rfftfreq(W). The pre-colour image is
// irfft2(scale * spectrum) / 4 with scale = sqrt(HW) / max(f, 1/max(H,W))^decay, exactly as
// Lucid. One deliberate difference: for odd W Lucid keeps one extra frequency column, inverts
// to width W+1 and crops a column; here the inverse has width W, so the image stays periodic
// and every frequency is one that numpy's rfftfreq(W) names.
#include <algorithm>
#include <cmath>
#include <sstream>

#include "neuroscope/error.h"
#include "neuroscope/param.h"
#include "vis/param/color.h"
#include "vis/param/dft.h"

namespace neuroscope {
namespace {

// numpy.fft.fftfreq(n)[k]: k/n for k <= (n-1)/2, else (k-n)/n, in cycles per pixel.
double signed_frequency(int64_t k, int64_t n) {
  return static_cast<double>(2 * k < n ? k : k - n) / static_cast<double>(n);
}

class FourierParam final : public vis::DecorrelatedParam {
 public:
  explicit FourierParam(double decay_power) : decay_power_(decay_power) {}

  std::string name() const override {
    std::ostringstream out;
    out << "fourier (decay " << decay_power_ << ")";
    return out.str();
  }

 protected:
  int64_t prepare(int64_t channels, int64_t height, int64_t width) override {
    channels_ = channels;
    dft_ = vis::RealDft2d(height, width);
    const int64_t wf = dft_.spectrum_width();
    scale_.resize(static_cast<size_t>(height * wf));
    const double lowest = 1.0 / static_cast<double>(std::max(height, width));
    const double unitary = std::sqrt(static_cast<double>(height * width)) / 4.0;
    for (int64_t ky = 0; ky < height; ++ky) {
      for (int64_t kx = 0; kx < wf; ++kx) {
        const double fy = signed_frequency(ky, height);
        const double fx = static_cast<double>(kx) / static_cast<double>(width);
        const double f = std::max(std::sqrt(fx * fx + fy * fy), lowest);
        scale_[static_cast<size_t>(ky * wf + kx)] =
            static_cast<float>(unitary / std::pow(f, decay_power_));
      }
    }
    spectrum_real_.resize(scale_.size());
    spectrum_imag_.resize(scale_.size());
    return channels * 2 * plane_size();
  }

  void synthesize(const float* theta, float* image) const override {
    const int64_t n = plane_size(), pixels = dft_.height() * dft_.width();
    for (int64_t c = 0; c < channels_; ++c) {
      const float* real = theta + 2 * c * n;
      const float* imag = real + n;
      for (int64_t i = 0; i < n; ++i) {
        spectrum_real_[static_cast<size_t>(i)] = scale_[static_cast<size_t>(i)] * real[i];
        spectrum_imag_[static_cast<size_t>(i)] = scale_[static_cast<size_t>(i)] * imag[i];
      }
      dft_.inverse(spectrum_real_.data(), spectrum_imag_.data(), image + c * pixels);
    }
  }

  void synthesize_adjoint(const float* image_grad, float* theta_grad) const override {
    // inverse() is real-linear with adjoint: forward(), then column kx times c_kx / HW.
    const int64_t n = plane_size(), wf = dft_.spectrum_width();
    const int64_t pixels = dft_.height() * dft_.width();
    for (int64_t c = 0; c < channels_; ++c) {
      float* real = theta_grad + 2 * c * n;
      float* imag = real + n;
      dft_.forward(image_grad + c * pixels, real, imag);
      for (int64_t i = 0; i < n; ++i) {
        const float weight = scale_[static_cast<size_t>(i)] * dft_.adjoint_weight(i % wf);
        real[i] *= weight;
        imag[i] *= weight;
      }
    }
  }

  void analyze(const float* image, float* theta) override {
    const int64_t n = plane_size(), pixels = dft_.height() * dft_.width();
    for (int64_t c = 0; c < channels_; ++c) {
      float* real = theta + 2 * c * n;
      float* imag = real + n;
      dft_.forward(image + c * pixels, real, imag);
      for (int64_t i = 0; i < n; ++i) {
        real[i] /= scale_[static_cast<size_t>(i)];
        imag[i] /= scale_[static_cast<size_t>(i)];
      }
    }
  }

 private:
  int64_t plane_size() const { return dft_.spectrum_size(); }

  double decay_power_;
  int64_t channels_ = 0;
  vis::RealDft2d dft_;
  std::vector<float> scale_;  // [H, W/2+1], Lucid's /4 included
  mutable std::vector<float> spectrum_real_, spectrum_imag_;
};

}  // namespace

std::unique_ptr<Parameterization> make_fourier_param(double decay_power) {
  if (!std::isfinite(decay_power) || decay_power < 0 || decay_power > 4)
    throw error("Fourier decay power must be a number in [0, 4] (got ", decay_power, ")");
  return std::make_unique<FourierParam>(decay_power);
}

}  // namespace neuroscope
