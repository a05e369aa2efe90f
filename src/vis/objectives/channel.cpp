#include "vis/objectives/channel.h"

namespace neuroscope::vis {

void ChannelTerm::push_channel(const Shape& shape, int64_t image, double step, Tensor& grad) const {
  float* g = grad.data() + offset(shape, image);
  const int64_t n = positions(shape);
  for (int64_t i = 0; i < n; ++i) g[i] += static_cast<float>(step);
}

std::string ChannelSumOfSquares::describe() const {
  return detail::concat(tensor_, ":", channel_, image_suffix());
}

void ChannelSumOfSquares::accumulate(const Tensor& act, double weight, std::vector<double>& values,
                                     Tensor& grad) const {
  const Shape& s = act.shape();
  const int64_t n = positions(s);
  for (int64_t b = first_image(); b < end_image(s); ++b) {
    const float* a = act.data() + offset(s, b);
    float* g = grad.data() + offset(s, b);
    double sum = 0;
    for (int64_t i = 0; i < n; ++i) {
      sum += static_cast<double>(a[i]) * a[i];
      g[i] += static_cast<float>(2.0 * weight * a[i]);
    }
    values[static_cast<size_t>(b)] += weight * sum;
  }
}

void ChannelSumOfSquares::seed(const Tensor& act, double weight, int64_t image,
                               Tensor& grad) const {
  if (applies_to(image)) push_channel(act.shape(), image, weight, grad);
}

std::string ChannelMean::describe() const {
  return call("channel_mean", {quote_name(tensor_), std::to_string(channel_)});
}

void ChannelMean::accumulate(const Tensor& act, double weight, std::vector<double>& values,
                             Tensor& grad) const {
  const Shape& s = act.shape();
  const int64_t n = positions(s);
  const double step = weight / static_cast<double>(n);
  for (int64_t b = first_image(); b < end_image(s); ++b) {
    const float* a = act.data() + offset(s, b);
    double sum = 0;
    for (int64_t i = 0; i < n; ++i) sum += a[i];
    values[static_cast<size_t>(b)] += step * sum;
    push_channel(s, b, step, grad);
  }
}

}  // namespace neuroscope::vis
