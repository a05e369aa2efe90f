#include "vis/objectives/image.h"

#include <cmath>

namespace neuroscope::vis {
namespace {

double sign(double x) {
  return x > 0 ? 1.0 : x < 0 ? -1.0 : 0.0;
}

}  // namespace

void ImageTerm::check(const Shape& shape) const {
  if (shape.size() != 4)
    fail(detail::concat("the image has shape ", to_string(shape), "; expected [N,C,H,W]"));
  check_batch(shape);
}

std::string TotalVariation::describe() const {
  return detail::concat("tv", image_suffix());
}

void TotalVariation::accumulate(const Tensor& image, double weight, std::vector<double>& values,
                                Tensor& grad) const {
  const Shape& s = image.shape();
  const int64_t height = s[2], width = s[3];
  for (int64_t b = first_image(); b < end_image(s); ++b) {
    double sum = 0;
    for (int64_t c = 0; c < s[1]; ++c) {
      const int64_t plane = (b * s[1] + c) * height * width;
      const float* x = image.data() + plane;
      float* g = grad.data() + plane;
      // Each neighbour difference d = x[j] - x[i] adds |d| and moves x[j] by sign(d), x[i] by
      // -sign(d).
      auto pair = [&](int64_t i, int64_t j) {
        const double d = static_cast<double>(x[j]) - x[i];
        sum += std::abs(d);
        const auto step = static_cast<float>(weight * sign(d));
        g[j] += step;
        g[i] -= step;
      };
      for (int64_t y = 0; y < height; ++y)
        for (int64_t xi = 0; xi < width; ++xi) {
          const int64_t i = y * width + xi;
          if (y + 1 < height) pair(i, i + width);
          if (xi + 1 < width) pair(i, i + 1);
        }
    }
    values[static_cast<size_t>(b)] += weight * sum;
  }
}

std::string L1::describe() const {
  if (center_ == 0.0) return detail::concat("l1", image_suffix());
  return call("l1", {format_number(center_)});
}

void L1::accumulate(const Tensor& image, double weight, std::vector<double>& values,
                    Tensor& grad) const {
  const int64_t count = per_image(image.shape());
  for (int64_t b = first_image(); b < end_image(image.shape()); ++b) {
    const float* x = image.data() + b * count;
    float* g = grad.data() + b * count;
    double sum = 0;
    for (int64_t i = 0; i < count; ++i) {
      const double d = static_cast<double>(x[i]) - center_;
      sum += std::abs(d);
      g[i] += static_cast<float>(weight * sign(d));
    }
    values[static_cast<size_t>(b)] += weight * sum;
  }
}

}  // namespace neuroscope::vis
