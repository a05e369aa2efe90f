#include "vis/objectives/neuron.h"

namespace neuroscope::vis {

std::string Neuron::describe() const {
  if (!position_) return call("neuron", {quote_name(tensor_), std::to_string(channel_)});
  return call("neuron", {quote_name(tensor_), std::to_string(channel_),
                         std::to_string(position_->first), std::to_string(position_->second)});
}

void Neuron::check(const Shape& shape) const {
  if (shape.size() != 4)
    fail(detail::concat("tensor '", tensor_, "' has shape ", to_string(shape),
                        "; a neuron needs an [N,C,H,W] tensor"));
  check_channel(shape, channel_);
  if (position_ && (position_->first < 0 || position_->first >= shape[2] || position_->second < 0 ||
                    position_->second >= shape[3]))
    fail(detail::concat("position (", position_->first, ",", position_->second, ") is outside '",
                        tensor_, "', which is ", shape[2], "x", shape[3], " (y 0..", shape[2] - 1,
                        ", x 0..", shape[3] - 1, ")"));
}

int64_t Neuron::element(const Shape& shape, int64_t image) const {
  const int64_t y = position_ ? position_->first : shape[2] / 2;
  const int64_t x = position_ ? position_->second : shape[3] / 2;
  return offset(shape, image) + y * shape[3] + x;
}

void Neuron::accumulate(const Tensor& act, double weight, std::vector<double>& values,
                        Tensor& grad) const {
  for (int64_t b = first_image(); b < end_image(act.shape()); ++b) {
    const int64_t i = element(act.shape(), b);
    values[static_cast<size_t>(b)] += weight * act[i];
    grad[i] += static_cast<float>(weight);
  }
}

}  // namespace neuroscope::vis
