// Layer term (DeepDream): the mean of the squared activations of a whole tensor, per image.
#pragma once

#include "vis/objectives/term.h"

namespace neuroscope::vis {

class LayerMeanSquare final : public TensorTerm {
 public:
  using TensorTerm::TensorTerm;
  std::string describe() const override;
  void check(const Shape& shape) const override;
  void accumulate(const Tensor& act, double weight, std::vector<double>& values,
                  Tensor& grad) const override;
  // Silent (the whole tensor is zero): push every element up.
  void seed(const Tensor& act, double weight, int64_t image, Tensor& grad) const override;
};

}  // namespace neuroscope::vis
