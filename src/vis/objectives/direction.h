// Direction term (Lucid's direction): at each position, the dot product of a channel vector with
// the activations there, summed over positions.
#pragma once

#include "vis/objectives/term.h"

namespace neuroscope::vis {

class Direction final : public TensorTerm {
 public:
  // `source` names the vector in describe() (the .npy file it came from).
  Direction(std::string tensor, std::vector<float> vector, std::string source,
            std::optional<int64_t> batch)
      : TensorTerm(std::move(tensor), batch),
        vector_(std::move(vector)),
        source_(std::move(source)) {}
  std::string describe() const override;  // "direction(T,FILE)"
  void check(const Shape& shape) const override;
  void accumulate(const Tensor& act, double weight, std::vector<double>& values,
                  Tensor& grad) const override;

 private:
  std::vector<float> vector_;
  std::string source_;
};

// The direction vector in a .npy file: float32, C values (any shape with C elements). Error
// naming the file otherwise.
std::vector<float> read_direction(const std::string& file);

}  // namespace neuroscope::vis
