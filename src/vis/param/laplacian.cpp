// The Laplacian-pyramid parameterization (Lucid's laplacian_pyramid_image): the pre-colour
// image is the sum of `levels` tensors at H x W, ceil(H/2) x ceil(W/2), ceil(H/4) x ceil(W/4),
// ..., each enlarged to full size by bilinear interpolation (half-pixel centres, i.e.
// align_corners=False, edges clamped), then decorrelated colour and sigmoid.
//
// Level n is multiplied by 2^-n. Lucid uses no such factor. Under gradient ascent (plain or
// normalized, as the reference optimizer) a level-n parameter touches about 4^n pixels: for an
// image gradient that is smooth at that scale its gradient is about 4^n times a pixel's, and its
// step moves all those pixels, so without a factor level n would move the image about 16^n
// times faster than level 0 and swamp it. With 2^-n each enlargement has operator norm about 1
// and a smooth image gradient moves every level's part of the image at about the same rate.
// (Adam normalizes every parameter's step, so there level n moves pixels about 2^-n times as
// fast as level 0; with Lucid's gain 1 and Adam, all levels move at the same per-pixel rate.)
//
// Per image, theta is level 0 [C, H, W], then level 1 [C, ceil(H/2), ceil(W/2)], and so on.
#include <algorithm>
#include <cmath>

#include "neuroscope/error.h"
#include "neuroscope/param.h"
#include "vis/param/color.h"

namespace neuroscope {
namespace {

// Bilinear enlargement along one axis: output i reads inputs first[i] and second[i] with
// weights 1 - frac[i] and frac[i].
struct AxisResampling {
  AxisResampling(int64_t in, int64_t out) {
    for (int64_t i = 0; i < out; ++i) {
      const double centre =
          (static_cast<double>(i) + 0.5) * static_cast<double>(in) / static_cast<double>(out) - 0.5;
      const double source = std::clamp(centre, 0.0, static_cast<double>(in - 1));
      const auto lo = static_cast<int64_t>(std::floor(source));
      first.push_back(lo);
      second.push_back(std::min(lo + 1, in - 1));
      frac.push_back(static_cast<float>(source - static_cast<double>(lo)));
    }
  }
  std::vector<int64_t> first, second;
  std::vector<float> frac;
};

struct Level {
  int64_t height, width, offset;  // offset: of the level's [C, h, w] block in theta
  float gain;                     // 2^-n
  AxisResampling rows, cols;
};

class LaplacianParam final : public vis::DecorrelatedParam {
 public:
  explicit LaplacianParam(int levels) : levels_(levels) {}

  std::string name() const override { return "laplacian (" + std::to_string(levels_) + " levels)"; }

 protected:
  int64_t prepare(int64_t channels, int64_t height, int64_t width) override {
    channels_ = channels;
    height_ = height;
    width_ = width;
    pyramid_.clear();
    int64_t offset = 0;
    for (int n = 0; n < levels_; ++n) {
      const int64_t factor = int64_t{1} << n;
      const int64_t h = (height + factor - 1) / factor, w = (width + factor - 1) / factor;
      pyramid_.push_back(Level{h, w, offset, 1.0f / static_cast<float>(factor),
                               AxisResampling(h, height), AxisResampling(w, width)});
      offset += channels * h * w;
    }
    // Rows of a level enlarged along x only; level 1 has the most.
    rows_.assign(static_cast<size_t>(pyramid_.size() > 1 ? pyramid_[1].height * width : 0), 0.0f);
    return offset;
  }

  void synthesize(const float* theta, float* image) const override {
    const int64_t pixels = height_ * width_;
    std::copy(theta, theta + channels_ * pixels, image);  // level 0: full size, gain 1
    for (size_t n = 1; n < pyramid_.size(); ++n) {
      const Level& level = pyramid_[n];
      for (int64_t c = 0; c < channels_; ++c)
        enlarge_add(level, theta + level.offset + c * level.height * level.width,
                    image + c * pixels);
    }
  }

  void synthesize_adjoint(const float* image_grad, float* theta_grad) const override {
    const int64_t pixels = height_ * width_;
    std::copy(image_grad, image_grad + channels_ * pixels, theta_grad);
    for (size_t n = 1; n < pyramid_.size(); ++n) {
      const Level& level = pyramid_[n];
      for (int64_t c = 0; c < channels_; ++c)
        enlarge_adjoint(level, image_grad + c * pixels,
                        theta_grad + level.offset + c * level.height * level.width);
    }
  }

  // The finest level holds the whole image; the coarser ones start at zero.
  void analyze(const float* image, float* theta) override {
    const int64_t pixels = height_ * width_;
    std::copy(image, image + channels_ * pixels, theta);
    const Level& last = pyramid_.back();
    std::fill(theta + channels_ * pixels,
              theta + last.offset + channels_ * last.height * last.width, 0.0f);
  }

 private:
  // image [H, W] += gain * enlarge(coarse [h, w]): along x into rows_, then along y.
  void enlarge_add(const Level& level, const float* coarse, float* image) const {
    float* rows = rows_.data();
    for (int64_t r = 0; r < level.height; ++r)
      for (int64_t x = 0; x < width_; ++x) {
        const auto i = static_cast<size_t>(x);
        const float* in = coarse + r * level.width;
        rows[r * width_ + x] = (1.0f - level.cols.frac[i]) * in[level.cols.first[i]] +
                               level.cols.frac[i] * in[level.cols.second[i]];
      }
    for (int64_t y = 0; y < height_; ++y) {
      const auto i = static_cast<size_t>(y);
      const float a = level.gain * (1.0f - level.rows.frac[i]), b = level.gain * level.rows.frac[i];
      const float* top = rows + level.rows.first[i] * width_;
      const float* bottom = rows + level.rows.second[i] * width_;
      float* out = image + y * width_;
      for (int64_t x = 0; x < width_; ++x) out[x] += a * top[x] + b * bottom[x];
    }
  }

  // coarse_grad [h, w] = the adjoint of enlarge_add applied to image_grad [H, W].
  void enlarge_adjoint(const Level& level, const float* image_grad, float* coarse_grad) const {
    float* rows = rows_.data();
    std::fill(rows, rows + level.height * width_, 0.0f);
    for (int64_t y = 0; y < height_; ++y) {
      const auto i = static_cast<size_t>(y);
      const float a = level.gain * (1.0f - level.rows.frac[i]), b = level.gain * level.rows.frac[i];
      float* top = rows + level.rows.first[i] * width_;
      float* bottom = rows + level.rows.second[i] * width_;
      const float* g = image_grad + y * width_;
      for (int64_t x = 0; x < width_; ++x) {
        top[x] += a * g[x];
        bottom[x] += b * g[x];
      }
    }
    std::fill(coarse_grad, coarse_grad + level.height * level.width, 0.0f);
    for (int64_t r = 0; r < level.height; ++r)
      for (int64_t x = 0; x < width_; ++x) {
        const auto i = static_cast<size_t>(x);
        const float g = rows[r * width_ + x];
        float* out = coarse_grad + r * level.width;
        out[level.cols.first[i]] += (1.0f - level.cols.frac[i]) * g;
        out[level.cols.second[i]] += level.cols.frac[i] * g;
      }
  }

  int levels_;
  int64_t channels_ = 0, height_ = 0, width_ = 0;
  std::vector<Level> pyramid_;
  mutable std::vector<float> rows_;
};

}  // namespace

std::unique_ptr<Parameterization> make_laplacian_param(int levels) {
  if (levels < 1 || levels > 16)
    throw error("Laplacian pyramid levels must be in [1, 16] (got ", levels, ")");
  return std::make_unique<LaplacianParam>(levels);
}

}  // namespace neuroscope
