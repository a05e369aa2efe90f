#include "vis/objectives/layer.h"

namespace neuroscope::vis {

std::string LayerMeanSquare::describe() const {
  return call("layer", {quote_name(tensor_)});
}

void LayerMeanSquare::check(const Shape& shape) const {
  check_batch(shape);
  if (per_image(shape) == 0) fail(detail::concat("tensor '", tensor_, "' is empty"));
}

void LayerMeanSquare::accumulate(const Tensor& act, double weight, std::vector<double>& values,
                                 Tensor& grad) const {
  const int64_t count = per_image(act.shape());
  const double scale = weight / static_cast<double>(count);
  for (int64_t b = first_image(); b < end_image(act.shape()); ++b) {
    const float* a = act.data() + b * count;
    float* g = grad.data() + b * count;
    double sum = 0;
    for (int64_t i = 0; i < count; ++i) {
      sum += static_cast<double>(a[i]) * a[i];
      g[i] += static_cast<float>(2.0 * scale * a[i]);
    }
    values[static_cast<size_t>(b)] += scale * sum;
  }
}

void LayerMeanSquare::seed(const Tensor& act, double weight, int64_t image, Tensor& grad) const {
  if (!applies_to(image)) return;
  const int64_t count = per_image(act.shape());
  float* g = grad.data() + image * count;
  for (int64_t i = 0; i < count; ++i)
    g[i] += static_cast<float>(weight / static_cast<double>(count));
}

}  // namespace neuroscope::vis
