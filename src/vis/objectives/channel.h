// Channel terms: a function of one channel's activations over all positions.
#pragma once

#include "vis/objectives/term.h"

namespace neuroscope::vis {

// A term on channel `channel` of an [N, C, ...] tensor.
class ChannelTerm : public TensorTerm {
 public:
  ChannelTerm(std::string tensor, int64_t channel, std::optional<int64_t> batch)
      : TensorTerm(std::move(tensor), batch), channel_(channel) {}
  void check(const Shape& shape) const override { check_channel(shape, channel_); }
  std::optional<int64_t> only_channel() const override { return channel_; }

 protected:
  // Offset of (image, channel_, position 0) in a row-major [N, C, ...] tensor.
  int64_t offset(const Shape& shape, int64_t image) const {
    return (image * shape[1] + channel_) * positions(shape);
  }
  // Adds `step` to the gradient at every position of the channel in `image`.
  void push_channel(const Shape& shape, int64_t image, double step, Tensor& grad) const;

  int64_t channel_;
};

// Sum of squared activations over positions: the reference recipe's "total square activity".
class ChannelSumOfSquares final : public ChannelTerm {
 public:
  using ChannelTerm::ChannelTerm;
  std::string describe() const override;  // "T:C"
  void accumulate(const Tensor& act, double weight, std::vector<double>& values,
                  Tensor& grad) const override;
  // Silent: push every position of the channel up (through redirected ReLU gradients).
  void seed(const Tensor& act, double weight, int64_t image, Tensor& grad) const override;
};

// Mean activation over positions.
class ChannelMean final : public ChannelTerm {
 public:
  using ChannelTerm::ChannelTerm;
  std::string describe() const override;  // "channel_mean(T,C)"
  // No seed: the gradient (1/positions everywhere) is never zero; redirected ReLUs carry it.
  void accumulate(const Tensor& act, double weight, std::vector<double>& values,
                  Tensor& grad) const override;
};

}  // namespace neuroscope::vis
