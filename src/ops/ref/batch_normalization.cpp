// Reference BatchNormalization, inference form: y = (x - mean) / sqrt(var + epsilon) * scale + B.
#include <cmath>

#include "neuroscope/error.h"
#include "ops/ref/ref.h"

namespace neuroscope::ref {

std::vector<RefTensor> ref_BatchNormalization(const graph::Node& n, int64_t, const RefInputs& in) {
  if (n.attr_int("training_mode", 0) != 0)
    throw error(n.describe(), ": training mode is not supported");
  const RefTensor& x = need(n, in, 0);
  if (x.rank() < 2)
    throw error(n.describe(), ": input has shape ", to_string(x.shape), "; expected [N,C,...]");
  // Parameters hold one value per channel (axis 1), or, with spatial=0 before opset 9, one per
  // activation: shape [C, D1, ...].
  const Shape per_activation(x.shape.begin() + 1, x.shape.end());
  Shape per_channel(per_activation.size(), 1);
  per_channel[0] = x.shape[1];
  auto layout = [&](size_t i) {
    const RefTensor& p = need(n, in, i);
    if (p.size() == x.shape[1]) return per_channel;
    if (p.size() == element_count(per_activation)) return per_activation;
    throw error(n.describe(), ": parameter ", i, " has shape ", to_string(p.shape),
                ", which fits neither the channels nor the activations of ", to_string(x.shape));
  };
  const RefTensor &scale = need(n, in, 1), &bias = need(n, in, 2), &mean = need(n, in, 3),
                  &var = need(n, in, 4);
  const Shape scale_as = layout(1), bias_as = layout(2), mean_as = layout(3), var_as = layout(4);
  const double epsilon = n.attr_float("epsilon", 1e-5f);
  RefTensor y(x.shape, x.dtype);
  for (int64_t i = 0; i < y.size(); ++i) {
    auto at = [&](const RefTensor& p, const Shape& as) {
      return p.v[static_cast<size_t>(broadcast_index(i, x.shape, as))];
    };
    const size_t k = static_cast<size_t>(i);
    y.v[k] =
        (x.v[k] - at(mean, mean_as)) / std::sqrt(at(var, var_as) + epsilon) * at(scale, scale_as) +
        at(bias, bias_as);
  }
  return {y};
}

}  // namespace neuroscope::ref
