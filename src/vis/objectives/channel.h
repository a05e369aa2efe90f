// Channel terms: a function of one channel's activations over all positions.
#pragma once

#include <optional>

#include "neuroscope/objective.h"

namespace neuroscope::vis {

class ChannelSumOfSquares final : public ObjectiveTerm {
 public:
  ChannelSumOfSquares(std::string tensor, int64_t channel, std::optional<int64_t> batch);
  const std::string& tensor() const override { return tensor_; }
  std::string describe() const override;
  void check(const Shape& shape) const override;
  void accumulate(const Tensor& act, double weight, std::vector<double>& values,
                  Tensor& grad) const override;
  // Silent: push every position of the channel up (through redirected ReLU gradients).
  void seed(const Tensor& act, double weight, int64_t image, Tensor& grad) const override;

 private:
  std::string tensor_;
  int64_t channel_;
  std::optional<int64_t> batch_;
};

}  // namespace neuroscope::vis
