// Neuron term: one channel at one spatial position (Lucid's neuron).
#pragma once

#include <utility>

#include "vis/objectives/channel.h"

namespace neuroscope::vis {

class Neuron final : public ChannelTerm {
 public:
  // `position` (y, x); default the centre of the tensor it is bound to.
  Neuron(std::string tensor, int64_t channel, std::optional<std::pair<int64_t, int64_t>> position,
         std::optional<int64_t> batch)
      : ChannelTerm(std::move(tensor), channel, batch), position_(position) {}
  std::string describe() const override;  // "neuron(T,C)" or "neuron(T,C,Y,X)"
  void check(const Shape& shape) const override;
  void accumulate(const Tensor& act, double weight, std::vector<double>& values,
                  Tensor& grad) const override;
  // No seed: the gradient (1 at the neuron) is never zero; redirected ReLUs carry it.

 private:
  // Offset of the neuron in image `image`.
  int64_t element(const Shape& shape, int64_t image) const;

  std::optional<std::pair<int64_t, int64_t>> position_;
};

}  // namespace neuroscope::vis
