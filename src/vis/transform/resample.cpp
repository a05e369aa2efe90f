#include "resample.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <sstream>

#include "neuroscope/error.h"

namespace neuroscope::transform_detail {
namespace {

// The (up to) four source pixels a bilinear sample reads, with their weights; taps outside
// the image are dropped and their weight collected in outside_weight.
struct Taps {
  int64_t index[4];
  float weight[4];
  int count = 0;
  float outside_weight = 0.0f;
};

Taps bilinear_taps(double sy, double sx, int64_t h, int64_t w) {
  const double y0 = std::floor(sy), x0 = std::floor(sx);
  const double fy = sy - y0, fx = sx - x0;
  const auto iy = static_cast<int64_t>(y0), ix = static_cast<int64_t>(x0);
  Taps taps;
  for (int dy = 0; dy < 2; ++dy)
    for (int dx = 0; dx < 2; ++dx) {
      const auto weight = static_cast<float>((dy ? fy : 1.0 - fy) * (dx ? fx : 1.0 - fx));
      if (weight == 0.0f) continue;
      const int64_t y = iy + dy, x = ix + dx;
      if (y < 0 || y >= h || x < 0 || x >= w) {
        taps.outside_weight += weight;
        continue;
      }
      taps.index[taps.count] = y * w + x;
      taps.weight[taps.count++] = weight;
    }
  return taps;
}

class RandomLinearMap final : public Transform {
 public:
  RandomLinearMap(std::string description, std::vector<LinearMap> choices)
      : description_(std::move(description)), choices_(std::move(choices)) {
    NS_CHECK(!choices_.empty());
  }

  std::string describe() const override { return description_; }

  void sample(ImageRngs& rngs) override {
    chosen_.resize(rngs.size());  // sized on the first step only
    std::uniform_int_distribution<size_t> pick(0, choices_.size() - 1);
    for (size_t b = 0; b < rngs.size(); ++b) chosen_[b] = pick(rngs[b]);
  }

  // out = sum of tap weights * in, plus the outside value times the weight that fell outside.
  void forward(const Tensor& in, Tensor& out) const override {
    const int64_t plane = in.dim(2) * in.dim(3);
    for_each_sample(in.shape(), [&](int64_t b, int64_t channels, int64_t pixel, const Taps& taps) {
      for (int64_t k = 0; k < channels; ++k) {
        const float* src = in.data() + (b * channels + k) * plane;
        float sum = kOutsideValue * taps.outside_weight;
        for (int t = 0; t < taps.count; ++t) sum += taps.weight[t] * src[taps.index[t]];
        out.data()[(b * channels + k) * plane + pixel] = sum;
      }
    });
  }

  // The adjoint of the linear part: each output gradient is scattered back onto its taps.
  void backward(const Tensor& d_out, Tensor& d_in) const override {
    const int64_t plane = d_in.dim(2) * d_in.dim(3);
    d_in.fill(0.0f);
    for_each_sample(d_in.shape(),
                    [&](int64_t b, int64_t channels, int64_t pixel, const Taps& taps) {
                      for (int64_t k = 0; k < channels; ++k) {
                        const float g = d_out.data()[(b * channels + k) * plane + pixel];
                        float* dst = d_in.data() + (b * channels + k) * plane;
                        for (int t = 0; t < taps.count; ++t)
                          dst[taps.index[t]] += taps.weight[t] * g;
                      }
                    });
  }

 private:
  // Calls visit(image, channels, output pixel index, taps) for every output pixel; the taps
  // are shared by all channels of an image.
  template <typename Visit>
  void for_each_sample(const Shape& shape, Visit visit) const {
    const int64_t n = shape[0], c = shape[1], h = shape[2], w = shape[3];
    NS_CHECK(static_cast<int64_t>(chosen_.size()) == n,
             "resample: sample() not called for this batch");
    const double cy = 0.5 * static_cast<double>(h - 1), cx = 0.5 * static_cast<double>(w - 1);
    for (int64_t b = 0; b < n; ++b) {
      const LinearMap& m = choices_[chosen_[static_cast<size_t>(b)]];
      for (int64_t y = 0; y < h; ++y) {
        const double v = static_cast<double>(y) - cy;
        for (int64_t x = 0; x < w; ++x) {
          const double u = static_cast<double>(x) - cx;
          visit(b, c, y * w + x,
                bilinear_taps(cy + m.yx * u + m.yy * v, cx + m.xx * u + m.xy * v, h, w));
        }
      }
    }
  }

  std::string description_;
  std::vector<LinearMap> choices_;
  std::vector<size_t> chosen_;  // per image: index into choices_
};

bool evenly_spaced(const std::vector<double>& sorted) {
  if (sorted.size() < 3) return false;
  const double step = sorted[1] - sorted[0];
  for (size_t i = 1; i < sorted.size(); ++i)
    if (std::abs(sorted[i] - sorted[i - 1] - step) > 1e-9 * std::max(1.0, std::abs(step)))
      return false;
  return true;
}

}  // namespace

std::unique_ptr<Transform> make_random_linear_map(std::string description,
                                                  std::vector<LinearMap> choices) {
  return std::make_unique<RandomLinearMap>(std::move(description), std::move(choices));
}

std::string describe_choices(const std::vector<double>& values, std::string_view unit) {
  const std::set<double> unique_set(values.begin(), values.end());
  const std::vector<double> unique(unique_set.begin(), unique_set.end());
  std::ostringstream text;
  if (evenly_spaced(unique)) {
    text << unique.front() << ".." << unique.back() << " step " << unique[1] - unique[0] << unit;
    if (unique.size() != values.size())
      text << " (" << values.size() << " choices, repeats weigh more)";
  } else {
    for (size_t i = 0; i < values.size(); ++i) text << (i ? "/" : "") << values[i];
    text << unit;
  }
  return text.str();
}

}  // namespace neuroscope::transform_detail
