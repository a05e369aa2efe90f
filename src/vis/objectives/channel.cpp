#include "vis/objectives/channel.h"

#include "neuroscope/error.h"

namespace neuroscope::vis {

ChannelSumOfSquares::ChannelSumOfSquares(std::string tensor, int64_t channel,
                                         std::optional<int64_t> batch)
    : tensor_(std::move(tensor)), channel_(channel), batch_(batch) {}

std::string ChannelSumOfSquares::describe() const {
  return tensor_ + ":" + std::to_string(channel_) +
         (batch_ ? " (image " + std::to_string(*batch_) + ")" : "");
}

void ChannelSumOfSquares::check(const Shape& shape) const {
  if (shape.size() < 2)
    throw error("objective ", describe(), ": tensor '", tensor_, "' has shape ", to_string(shape),
                ", which has no channel axis");
  if (channel_ < 0 || channel_ >= shape[1])
    throw error("objective ", describe(), ": channel ", channel_, " is out of range; '", tensor_,
                "' has ", shape[1], " channels (0..", shape[1] - 1, ")");
  if (batch_ && (*batch_ < 0 || *batch_ >= shape[0]))
    throw error("objective ", describe(), ": image ", *batch_, " is out of range for batch ",
                shape[0]);
}

void ChannelSumOfSquares::accumulate(const Tensor& act, double weight, std::vector<double>& values,
                                     Tensor& grad) const {
  const Shape& s = act.shape();
  int64_t positions = 1;
  for (size_t k = 2; k < s.size(); ++k) positions *= s[k];
  const int64_t first = batch_ ? *batch_ : 0, last = batch_ ? *batch_ + 1 : s[0];
  for (int64_t b = first; b < last; ++b) {
    const int64_t offset = (b * s[1] + channel_) * positions;
    const float* a = act.data() + offset;
    float* g = grad.data() + offset;
    double sum = 0;
    for (int64_t i = 0; i < positions; ++i) {
      sum += static_cast<double>(a[i]) * a[i];
      g[i] += static_cast<float>(2.0 * weight * a[i]);
    }
    values[static_cast<size_t>(b)] += weight * sum;
  }
}

void ChannelSumOfSquares::seed(const Tensor& act, double weight, int64_t image, Tensor& grad) const {
  if (batch_ && *batch_ != image) return;
  const Shape& s = act.shape();
  int64_t positions = 1;
  for (size_t k = 2; k < s.size(); ++k) positions *= s[k];
  float* g = grad.data() + (image * s[1] + channel_) * positions;
  for (int64_t i = 0; i < positions; ++i) g[i] += static_cast<float>(weight);
}

}  // namespace neuroscope::vis
